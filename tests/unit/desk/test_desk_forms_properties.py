"""Every web form's parsing, fed anything a browser (or someone with curl) can send: each one
either refuses with a FormError naming a field, or returns settings that keep their rules and
survive being saved. Nothing else may come out (a ValueError would be a 500 page).
DEPOTLINE_FUZZ_EXAMPLES=100000 runs them longer."""

from __future__ import annotations

import math
import os
import string

from hypothesis import example, given, settings
from hypothesis import strategies as st

from appliance import seed
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

EXAMPLES = int(os.environ.get("DEPOTLINE_FUZZ_EXAMPLES", "200"))
SETUP = seed.demo_setup()
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
fast = settings(max_examples=EXAMPLES, deadline=None)


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


def saved_and_loaded(setup: DepotSetup) -> DepotSetup:
    return decode_setup(encode_setup(setup))


@fast
@given(text=st.text(), required=st.booleans(), max_chars=st.integers(0, 50))
def test_clean_text_returns_trimmed_text_within_its_limits_or_refuses(
    text: str, required: bool, max_chars: int
) -> None:
    try:
        cleaned = clean_text("notes", text, required=required, max_chars=max_chars)
    except FormError as refused:
        assert refused.field == "notes"
        return
    assert cleaned == text.strip()
    assert len(cleaned) <= max_chars and (cleaned or not required)
    assert not any(ord(ch) < 32 and ch not in "\n\r\t" for ch in cleaned)


@fast
@given(kind=st.sampled_from(sorted(RECORD_KINDS)), data=st.data())
def test_record_forms_keep_every_field_in_order_with_allowed_choices_or_refuse(
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
        assert refused.field in {spec.name for spec in specs}
        return
    assert [name for name, _ in fields] == [spec.name for spec in specs]
    for spec, (_name, value) in zip(specs, fields, strict=True):
        assert value or not spec.required
        assert not value or not spec.choices or value in spec.choices


@fast
@given(text=values, max_s=st.sampled_from([60.0, 1800.0, 86_400.0]))
def test_seconds_are_a_finite_number_in_range_or_refused(text: str, max_s: float) -> None:
    try:
        seconds = clean_seconds("wrap_up_s", text, max_s=max_s)
    except FormError as refused:
        assert refused.field == "wrap_up_s"
        return
    assert math.isfinite(seconds) and 0.0 <= seconds <= max_s


QUEUE_KEYS = (
    setup_forms.SWITCHES_MARKER, "strategy", *setup_forms.QUEUE_SECONDS, "overflow_kind",
    "overflow_target", "max_length", "announce_every_s", "virtual_hold_key", "tier_escalation_s",
    "record_calls", "survey", "join_when_no_agents", "leave_when_no_agents",
)  # fmt: skip


@fast
@given(queue_id=st.sampled_from(QUEUE_IDS), data=st.data())
def test_queue_form_gives_a_queue_within_its_ranges_or_refuses(
    queue_id: str, data: st.DataObject
) -> None:
    valid = {
        setup_forms.SWITCHES_MARKER: queue_id, "strategy": "ringall", "ring_timeout_s": "15",
        "wrap_up_s": "10", "max_wait_s": "0", "talk_time_limit_s": "0", "sl_threshold_s": "20",
        "tier_escalation_s": "0", "max_length": "5", "announce_every_s": "60",
    }  # fmt: skip
    form = data.draw(forms(QUEUE_KEYS, valid))
    try:
        setup = setup_forms.with_queue_settings(SETUP, queue_id, form)
    except FormError as refused:
        assert refused.queue == queue_id
        return
    queue = setup.queue(queue_id)
    assert queue.ring_timeout_s >= 5.0
    assert 0 <= queue.max_length <= setup_forms.MAX_LENGTH_LIMIT
    assert queue.overflow.target_queue != queue_id
    assert queue.virtual_hold_key in ("", *setup_forms.MENU_KEYS)
    assert saved_and_loaded(setup) == setup


@fast
@given(field=st.sampled_from(("max_length", "ring_timeout_s")), digits=st.sampled_from(TRICKY))
def test_queue_form_with_other_scripts_digits_refuses_not_crashes(field: str, digits: str) -> None:
    form = {
        setup_forms.SWITCHES_MARKER: "cargo", "strategy": "ringall", "ring_timeout_s": "15",
        "wrap_up_s": "10", "max_wait_s": "0", "talk_time_limit_s": "0", "sl_threshold_s": "20",
        "tier_escalation_s": "0", field: digits,
    }  # fmt: skip
    try:
        setup_forms.with_queue_settings(SETUP, "cargo", form)
    except FormError as refused:
        assert refused.field == field


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


@fast
@given(form=forms(MENU_KEYS, VALID_MENU))
def test_menu_form_gives_distinct_keys_and_known_queues_or_refuses(form: dict[str, str]) -> None:
    try:
        setup = setup_forms.with_menu(SETUP, form)
    except FormError:
        return
    digits = [option.digit for option in setup.menu.options]
    assert digits and len(set(digits)) == len(digits)
    assert set(digits) <= set(setup_forms.MENU_KEYS)
    assert setup.menu.language_key not in digits
    assert {option.queue for option in setup.menu.options} <= set(QUEUE_IDS)
    assert setup.menu.default_queue in QUEUE_IDS
    assert saved_and_loaded(setup) == setup


hours_parts = st.one_of(
    st.sampled_from(("08:00-12:00", "13:00-20:00", "00:00-24:00", "9:30-10:00")),
    values.map(lambda hour: f"{hour}:00-12:00"),
    values.map(lambda minute: f"08:{minute}-12:00"),
)
hours_text = st.one_of(values, st.lists(hours_parts, max_size=3).map(", ".join))


@fast
@given(
    days=st.dictionaries(st.sampled_from([f"day_{d}" for d in range(7)]), hours_text),
    holidays=st.one_of(values, st.lists(st.dates().map(str), max_size=3).map("\n".join)),
    always_open=st.sampled_from(["", "on", "yes"]),
)
@example(days={"day_0": "²:00-12:00"}, holidays="", always_open="")
@example(days={"day_0": "08:0¹-12:00"}, holidays="", always_open="")
def test_hours_form_gives_ordered_ranges_within_a_day_or_refuses(
    days: dict[str, str], holidays: str, always_open: str
) -> None:
    try:
        setup = setup_forms.with_hours(
            SETUP, {**days, "holidays": holidays, "always_open": always_open}
        )
    except FormError as refused:
        assert refused.field in (*days, "holidays")
        return
    for ranges in setup.hours.weekly:
        ends = [minute for start_end in ranges for minute in start_end]
        assert ends == sorted(ends) and all(0 <= m <= 24 * 60 for m in ends)
        assert all(start < end for start, end in ranges)
    assert setup.hours.always_open is (always_open == "on")
    assert saved_and_loaded(setup) == setup


@fast
@given(numbers=st.lists(values, max_size=5).map("\n".join))
@example(numbers="１３８００１３８０００")
def test_vip_numbers_are_plain_digits_a_caller_id_can_match_or_refused(numbers: str) -> None:
    try:
        setup = setup_forms.with_vips(SETUP, {"vip_numbers": numbers})
    except FormError as refused:
        assert refused.field == "vip_numbers"
        return
    for number in setup.vip_numbers:
        assert number and set(number) <= set(string.digits + "+")
    assert len(set(setup.vip_numbers)) == len(setup.vip_numbers)


AGENT_KEYS = ("agent_id", "name", *(f"tier_{queue_id}" for queue_id in QUEUE_IDS))


@fast
@given(form=forms(AGENT_KEYS, {"agent_id": "1009", "name": "王五", "tier_cargo": "1"}))
@example(form={"agent_id": "1009", "name": "王五", "tier_cargo": "²"})
@example(form={"agent_id": "１００９", "name": "王五"})
def test_agent_form_gives_one_agent_per_id_with_known_queues_or_refuses(
    form: dict[str, str],
) -> None:
    try:
        setup = setup_forms.with_agent(SETUP, form)
    except FormError:
        return
    ids = [agent.id for agent in setup.agents]
    assert len(set(ids)) == len(ids)
    assert all(set(agent_id) <= set(string.digits) for agent_id in ids)  # keypad-typable
    for agent in setup.agents:
        assert {queue for queue, _tier in agent.skills} <= set(QUEUE_IDS)
    assert saved_and_loaded(setup) == setup


@fast
@given(form=forms(tuple(f"{setup_forms.LINE_FIELD}{line}" for line in (*LINES, "L9"))))
def test_line_form_sends_each_wired_line_to_the_menu_or_a_queue_or_refuses(
    form: dict[str, str],
) -> None:
    try:
        setup = setup_forms.with_line_queues(SETUP, LINES, form)
    except FormError:
        return
    assert {line for line, _queue in setup.line_queues} <= set(LINES)
    assert {queue for _line, queue in setup.line_queues} <= set(QUEUE_IDS)
