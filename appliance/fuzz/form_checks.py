"""Every web form's parsing, fed anything a browser (or someone with curl) can send: each one
either refuses with a FormError naming a field, or returns settings that keep their rules and
survive being saved. Nothing else may come out (a ValueError would be a 500 page).

Each property is a check of drawn values with its strategies (and inputs once found to break
it); tests/unit/desk/test_desk_forms_properties.py runs them in CI, `depotline fuzz web-forms`
for longer. Hypothesis is a test dependency: imported here only when a run needs it."""

from __future__ import annotations

import math
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, example, given, seed, settings
from hypothesis import strategies as st

from appliance import seed as demo
from appliance.desk import setup_forms
from appliance.desk.forms import (
    RECORD_KINDS,
    FormError,
    clean_record_fields,
    clean_seconds,
    clean_text,
)
from appliance.engine.setup import DepotSetup
from appliance.store.setup_codec import decode_setup, encode_setup
from drivers.invariants import require

SETUP = demo.demo_setup()
QUEUE_IDS = tuple(queue.id for queue in SETUP.queues)
LINES = ("L1", "L2", "gw1")
# what real forms send, and what breaks parsers: other scripts' digits, signs, exponents,
# not-a-number, control characters, huge numbers
TRICKY = (
    "", " ", "0", "1", "2", "5", "10", "20", "30", "60", "600", "3600", "86400", " 20 ", "-1",
    "1e3", "1e400", "nan", "inf", "²", "١٢", "１２", "1_0", "on", "off", "menu", "\x00", "\u2028",
    "08:00-12:00", "13:00-20:00", "24:00", "08:00", "8:0-9:00", "2026-10-01", "+8613800138000",
    *QUEUE_IDS, *setup_forms.STRATEGIES, *setup_forms.OVERFLOW_KINDS, *setup_forms.MENU_KEYS,
    "menu_cargo", "greeting",
)  # fmt: skip
values = st.one_of(st.sampled_from(TRICKY), st.text(max_size=20))


def forms(
    keys: tuple[str, ...], valid: dict[str, str] | None = None
) -> st.SearchStrategy[dict[str, str]]:
    """Forms of `keys` with any values; with `valid`, that form with some fields changed (so
    the checks after the first field are reached too)."""
    changes = st.dictionaries(st.sampled_from(keys), values, max_size=len(keys))
    if valid is None:
        return changes
    one_change = st.tuples(st.sampled_from(keys), values)
    return st.one_of(
        changes,
        changes.map(lambda changed: {**valid, **changed}),
        one_change.map(lambda change: {**valid, change[0]: change[1]}),
    )


def _kept_when_saved(setup: DepotSetup) -> None:
    require(decode_setup(encode_setup(setup)) == setup, "the setup survives being saved", setup)


@dataclass(frozen=True)
class FormProperty:
    check: Callable[..., None]
    strategies: dict[str, st.SearchStrategy[Any]]
    broke_once: tuple[dict[str, Any], ...] = field(default=())  # always tried first


def text_is_trimmed_within_its_limits_or_refused(text: str, required: bool, max_chars: int) -> None:
    try:
        cleaned = clean_text("notes", text, required=required, max_chars=max_chars)
    except FormError as refused:
        require(refused.field == "notes", "the refusal names the field", text)
        return
    require(cleaned == text.strip(), "text is kept, trimmed", text)
    require(
        len(cleaned) <= max_chars and (bool(cleaned) or not required), "within its limits", text
    )
    control = any(ord(ch) < 32 and ch not in "\n\r\t" for ch in cleaned)
    require(not control, "no control characters", text)


def record_forms_keep_every_field_in_order_with_allowed_choices_or_refuse(
    kind: str, data: st.DataObject
) -> None:
    specs = RECORD_KINDS[kind]
    choices = st.sampled_from([choice for spec in specs for choice in spec.choices] or [""])
    form = data.draw(
        st.dictionaries(st.sampled_from([s.name for s in specs]), st.one_of(values, choices))
    )
    try:
        fields = clean_record_fields(kind, form)
    except FormError as refused:
        require(refused.field in {spec.name for spec in specs}, "refusal names a field", form)
        return
    require([n for n, _ in fields] == [s.name for s in specs], "every field, in order", form)
    for spec, (_name, value) in zip(specs, fields, strict=True):
        require(bool(value) or not spec.required, f"{spec.name} is given", form)
        allowed = not value or not spec.choices or value in spec.choices
        require(allowed, f"{spec.name} is one of its choices", form)


def seconds_are_a_finite_number_in_range_or_refused(text: str, max_s: float) -> None:
    try:
        seconds = clean_seconds("wrap_up_s", text, max_s=max_s)
    except FormError as refused:
        require(refused.field == "wrap_up_s", "the refusal names the field", text)
        return
    require(math.isfinite(seconds) and 0.0 <= seconds <= max_s, "seconds in range", text)


QUEUE_KEYS = (
    setup_forms.SWITCHES_MARKER, "strategy", *setup_forms.QUEUE_SECONDS, "overflow_kind",
    "overflow_target", "max_length", "announce_every_s", "virtual_hold_key", "tier_escalation_s",
    "record_calls", "survey", "join_when_no_agents", "leave_when_no_agents",
)  # fmt: skip
VALID_QUEUE = {
    "strategy": "ringall", "ring_timeout_s": "15", "wrap_up_s": "10", "max_wait_s": "0",
    "talk_time_limit_s": "0", "sl_threshold_s": "20", "tier_escalation_s": "0",
}  # fmt: skip


def queue_form_gives_a_queue_within_its_ranges_or_refuses(
    queue_id: str, data: st.DataObject
) -> None:
    valid = {
        setup_forms.SWITCHES_MARKER: queue_id, **VALID_QUEUE, "max_length": "5",
        "announce_every_s": "60",
    }  # fmt: skip
    form = data.draw(forms(QUEUE_KEYS, valid))
    try:
        setup = setup_forms.with_queue_settings(SETUP, queue_id, form)
    except FormError as refused:
        require(refused.queue == queue_id, "the refusal names the queue", form)
        return
    queue = setup.queue(queue_id)
    require(queue.ring_timeout_s >= 5.0, "ring timeout at least 5 s", form)
    require(0 <= queue.max_length <= setup_forms.MAX_LENGTH_LIMIT, "max length in range", form)
    require(queue.overflow.target_queue != queue_id, "no overflow to itself", form)
    require(queue.virtual_hold_key in ("", *setup_forms.MENU_KEYS), "a keypad key", form)
    _kept_when_saved(setup)


def queue_form_with_other_scripts_digits_refuses_not_crashes(field: str, digits: str) -> None:
    form = {setup_forms.SWITCHES_MARKER: "cargo", **VALID_QUEUE, field: digits}
    try:
        setup_forms.with_queue_settings(SETUP, "cargo", form)
    except FormError as refused:
        require(refused.field == field, "the refusal names the field", form)


MENU_ROWS = tuple(
    f"{name}_{row}"
    for row in range(setup_forms.MENU_ROWS + 1)
    for name in ("digit", "queue", "prompt")
)
MENU_KEYS = (*MENU_ROWS, "timeout_s", "attempts", "default_queue", "language_key")
VALID_MENU = {
    "digit_0": "1", "queue_0": "cargo", "prompt_0": "menu_cargo", "timeout_s": "6",
    "attempts": "2", "default_queue": "cargo", "language_key": "9",
}  # fmt: skip


def menu_form_gives_distinct_keys_and_known_queues_or_refuses(form: dict[str, str]) -> None:
    try:
        setup = setup_forms.with_menu(SETUP, form)
    except FormError:
        return
    digits = [option.digit for option in setup.menu.options]
    require(bool(digits) and len(set(digits)) == len(digits), "distinct keys", form)
    require(set(digits) <= set(setup_forms.MENU_KEYS), "keypad keys", form)
    require(setup.menu.language_key not in digits, "the language key is no option's", form)
    known = {option.queue for option in setup.menu.options} <= set(QUEUE_IDS)
    require(known and setup.menu.default_queue in QUEUE_IDS, "known queues", form)
    _kept_when_saved(setup)


hours_parts = st.one_of(
    st.sampled_from(("08:00-12:00", "13:00-20:00", "00:00-24:00", "9:30-10:00")),
    values.map(lambda hour: f"{hour}:00-12:00"),
    values.map(lambda minute: f"08:{minute}-12:00"),
)
hours_text = st.one_of(values, st.lists(hours_parts, max_size=3).map(", ".join))


def hours_form_gives_ordered_ranges_within_a_day_or_refuses(
    days: dict[str, str], holidays: str, always_open: str
) -> None:
    form = {**days, "holidays": holidays, "always_open": always_open}
    try:
        setup = setup_forms.with_hours(SETUP, form)
    except FormError as refused:
        require(refused.field in (*days, "holidays"), "the refusal names a field", form)
        return
    for ranges in setup.hours.weekly:
        ends = [minute for start_end in ranges for minute in start_end]
        in_day = ends == sorted(ends) and all(0 <= m <= 24 * 60 for m in ends)
        require(in_day and all(s < e for s, e in ranges), "ordered ranges in a day", form)
    require(setup.hours.always_open is (always_open == "on"), "always open when ticked", form)
    _kept_when_saved(setup)


def vip_numbers_are_plain_digits_a_caller_id_can_match_or_refused(numbers: str) -> None:
    try:
        setup = setup_forms.with_vips(SETUP, {"vip_numbers": numbers})
    except FormError as refused:
        require(refused.field == "vip_numbers", "the refusal names the field", numbers)
        return
    for number in setup.vip_numbers:
        require(bool(number) and set(number) <= set(string.digits + "+"), "digits", numbers)
    require(len(set(setup.vip_numbers)) == len(setup.vip_numbers), "each once", numbers)


AGENT_KEYS = ("agent_id", "name", *(f"tier_{queue_id}" for queue_id in QUEUE_IDS))


def agent_form_gives_one_agent_per_id_with_known_queues_or_refuses(form: dict[str, str]) -> None:
    try:
        setup = setup_forms.with_agent(SETUP, form)
    except FormError:
        return
    ids = [agent.id for agent in setup.agents]
    require(len(set(ids)) == len(ids), "one agent per id", form)
    require(all(set(i) <= set(string.digits) for i in ids), "ids typable on a keypad", form)
    for agent in setup.agents:
        require({q for q, _tier in agent.skills} <= set(QUEUE_IDS), "known queues", form)
    _kept_when_saved(setup)


def line_form_sends_each_wired_line_to_the_menu_or_a_queue_or_refuses(
    form: dict[str, str],
) -> None:
    try:
        setup = setup_forms.with_line_queues(SETUP, LINES, form)
    except FormError:
        return
    require({line for line, _queue in setup.line_queues} <= set(LINES), "wired lines", form)
    require({queue for _line, queue in setup.line_queues} <= set(QUEUE_IDS), "queues", form)


PROPERTIES: dict[str, FormProperty] = {
    "text": FormProperty(
        text_is_trimmed_within_its_limits_or_refused,
        {"text": st.text(), "required": st.booleans(), "max_chars": st.integers(0, 50)},
    ),
    "records": FormProperty(
        record_forms_keep_every_field_in_order_with_allowed_choices_or_refuse,
        {"kind": st.sampled_from(sorted(RECORD_KINDS)), "data": st.data()},
    ),
    "seconds": FormProperty(
        seconds_are_a_finite_number_in_range_or_refused,
        {"text": values, "max_s": st.sampled_from([60.0, 1800.0, 86_400.0])},
    ),
    "queue": FormProperty(
        queue_form_gives_a_queue_within_its_ranges_or_refuses,
        {"queue_id": st.sampled_from(QUEUE_IDS), "data": st.data()},
    ),
    "queue-digits": FormProperty(
        queue_form_with_other_scripts_digits_refuses_not_crashes,
        {
            "field": st.sampled_from(("max_length", "ring_timeout_s")),
            "digits": st.sampled_from(TRICKY),
        },
    ),
    "menu": FormProperty(
        menu_form_gives_distinct_keys_and_known_queues_or_refuses,
        {"form": forms(MENU_KEYS, VALID_MENU)},
    ),
    "hours": FormProperty(
        hours_form_gives_ordered_ranges_within_a_day_or_refuses,
        {
            "days": st.dictionaries(st.sampled_from([f"day_{d}" for d in range(7)]), hours_text),
            "holidays": st.one_of(values, st.lists(st.dates().map(str), max_size=3).map("\n".join)),
            "always_open": st.sampled_from(["", "on", "yes"]),
        },
        (
            {"days": {"day_0": "²:00-12:00"}, "holidays": "", "always_open": ""},
            {"days": {"day_0": "08:0¹-12:00"}, "holidays": "", "always_open": ""},
        ),
    ),
    "vips": FormProperty(
        vip_numbers_are_plain_digits_a_caller_id_can_match_or_refused,
        {"numbers": st.lists(values, max_size=5).map("\n".join)},
        ({"numbers": "１３８００１３８０００"},),
    ),
    "agent": FormProperty(
        agent_form_gives_one_agent_per_id_with_known_queues_or_refuses,
        {"form": forms(AGENT_KEYS, {"agent_id": "1009", "name": "王五", "tier_cargo": "1"})},
        (
            {"form": {"agent_id": "1009", "name": "王五", "tier_cargo": "²"}},
            {"form": {"agent_id": "１００９", "name": "王五"}},
        ),
    ),
    "lines": FormProperty(
        line_form_sends_each_wired_line_to_the_menu_or_a_queue_or_refuses,
        {"form": forms(tuple(f"{setup_forms.LINE_FIELD}{line}" for line in (*LINES, "L9")))},
    ),
}


def run_property(name: str, max_examples: int, run_seed: int | None = None) -> None:
    """Run one form's property for `max_examples` drawn inputs (after the ones that broke it
    once); raises, with Hypothesis' smallest failing input, if it does not hold."""
    prop = PROPERTIES[name]
    test = given(**prop.strategies)(prop.check)
    for broke in prop.broke_once:
        test = example(**broke)(test)
    test = settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )(test)
    if run_seed is not None:
        test = seed(run_seed)(test)
    test()


def run_web_forms(run_seed: int, max_examples: int) -> None:
    """`depotline fuzz web-forms`: every form's property from one seed."""
    for name in PROPERTIES:
        run_property(name, max_examples, run_seed)
