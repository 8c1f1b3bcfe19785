"""Queue, menu and agent settings changed from the web (strategies, timers, tier escalation,
the no-agents switches, overflow, the greeting and the caller menu, lines that skip the menu,
skills and tiers): the form is checked, a new DepotSetup is saved and handed to the engine
through the service."""

from __future__ import annotations

import dataclasses
import datetime as dt

from appliance.desk.forms import FormError, ascii_digits, clean_seconds, clean_text
from appliance.desk.prompts import queue_prompt
from appliance.engine.prompts import PROMPT_TEXTS
from appliance.engine.setup import (
    QUEUE_WEIGHT_MAX,
    Agent,
    DepotSetup,
    MenuOption,
    Overflow,
    OverflowKind,
    Queue,
    Strategy,
    Tier,
)
from appliance.store.users import is_agent_id

QUEUE_SECONDS = ("ring_timeout_s", "wrap_up_s", "max_wait_s", "talk_time_limit_s", "sl_threshold_s")
STRATEGIES = tuple(strategy.value for strategy in Strategy)
TIERS = tuple(int(tier) for tier in Tier)
OVERFLOW_KINDS = tuple(kind.value for kind in OverflowKind)
MAX_WAIT_RANGE_S = (10.0, 3600.0)  # or 0 = no limit
MAX_LENGTH_LIMIT = 100
RETENTION_DAYS_RANGE = (1, 3650)  # how long a queue keeps its recordings
ANNOUNCE_RANGE_S = (15.0, 600.0)  # or 0 = never
MENU_KEYS = tuple("0123456789*#")
MENU_ROWS = 9
MENU_TIMEOUT_RANGE_S = (2.0, 30.0)
MENU_ATTEMPTS_RANGE = (1, 5)
# Menu prompts first (they announce an option), then every other prompt name.
MENU_PROMPTS = tuple(sorted(n for n in PROMPT_TEXTS if n.startswith("menu_"))) + tuple(
    sorted(n for n in PROMPT_TEXTS if not n.startswith("menu_"))
)
TIER_ESCALATION_LIMIT_S = 1800.0  # 0 = every tier at once
# A queue form carries this hidden field (the queue's id) with its checkboxes: an unticked box
# is simply absent, so a form without it cannot say whether a switch was turned off.
SWITCHES_MARKER = "queue_switches"
LINE_FIELD = "line_queue_"  # + line id: "menu", or the queue the line's callers go straight to
LINE_MENU = "menu"


def whole_number(field: str, value: str, low: int, high: int) -> int:
    text = value.strip()
    if not ascii_digits(text) or not low <= int(text) <= high:
        raise FormError(field, "out_of_range")
    return int(text)


def _overflow(setup: DepotSetup, queue: Queue, form: dict[str, str]) -> Overflow:
    """The queue's overflow from the form; a form without the fields keeps the current one."""
    if "overflow_kind" not in form:
        return queue.overflow
    kind = form["overflow_kind"]
    if kind not in OVERFLOW_KINDS:
        raise FormError("overflow_kind", "choice")
    if kind != OverflowKind.QUEUE.value:
        return Overflow(OverflowKind(kind))
    target = form.get("overflow_target", "").strip()
    if not target:
        raise FormError("overflow_target", "required")
    if target == queue.id:
        raise FormError("overflow_target", "self_target")
    if not any(q.id == target for q in setup.queues):
        raise FormError("overflow_target", "choice")
    return Overflow(OverflowKind.QUEUE, target)


def with_queue_settings(setup: DepotSetup, queue_id: str, form: dict[str, str]) -> DepotSetup:
    """One queue's form; a FormError names the queue as well as the field."""
    queue = next((q for q in setup.queues if q.id == queue_id), None)
    if queue is None:
        raise FormError("queue_id", "not_found")
    try:
        changed = _queue_from_form(setup, queue, form)
    except FormError as error:
        raise FormError(error.field, error.problem, queue=queue.id) from None
    return dataclasses.replace(
        setup, queues=tuple(changed if q.id == queue_id else q for q in setup.queues)
    )


def _queue_from_form(setup: DepotSetup, queue: Queue, form: dict[str, str]) -> Queue:
    if form.get(SWITCHES_MARKER, "") != queue.id:
        raise FormError(SWITCHES_MARKER, "half_sent")
    strategy = form.get("strategy", "")
    if strategy not in STRATEGIES:
        raise FormError("strategy", "choice")
    changes: dict[str, object] = {
        name: clean_seconds(name, form.get(name, "")) for name in QUEUE_SECONDS
    }
    if float(str(changes["ring_timeout_s"])) < 5.0:
        raise FormError("ring_timeout_s", "number")
    max_wait_s = float(str(changes["max_wait_s"]))
    if max_wait_s != 0.0 and not MAX_WAIT_RANGE_S[0] <= max_wait_s <= MAX_WAIT_RANGE_S[1]:
        raise FormError("max_wait_s", "wait_range")
    overflow = _overflow(setup, queue, form)
    max_length = (
        whole_number("max_length", form["max_length"], 0, MAX_LENGTH_LIMIT)
        if "max_length" in form
        else queue.max_length
    )
    weight = (
        whole_number("weight", form["weight"], 0, QUEUE_WEIGHT_MAX)
        if "weight" in form
        else queue.weight
    )
    retention_days = (
        whole_number(
            "recording_retention_days", form["recording_retention_days"], *RETENTION_DAYS_RANGE
        )
        if "recording_retention_days" in form
        else queue.recording_retention_days
    )
    announce_every_s = queue.announce_every_s
    if "announce_every_s" in form:
        announce_every_s = clean_seconds("announce_every_s", form["announce_every_s"])
        low, high = ANNOUNCE_RANGE_S
        if announce_every_s != 0.0 and not low <= announce_every_s <= high:
            raise FormError("announce_every_s", "announce_range")
    virtual_hold_key = form.get("virtual_hold_key", queue.virtual_hold_key).strip()
    if virtual_hold_key and virtual_hold_key not in MENU_KEYS:
        raise FormError("virtual_hold_key", "choice")
    try:
        tier_escalation_s = clean_seconds(
            "tier_escalation_s", form.get("tier_escalation_s", ""), max_s=TIER_ESCALATION_LIMIT_S
        )
    except FormError:
        raise FormError("tier_escalation_s", "escalation_range") from None
    return dataclasses.replace(
        queue,
        strategy=Strategy(strategy),
        announce_every_s=announce_every_s,
        virtual_hold_key=virtual_hold_key,
        record_calls=form.get("record_calls", "") == "on",
        recording_retention_days=retention_days,
        survey=form.get("survey", "") == "on",
        summary_required=form.get("summary_required", "") == "on",
        waybill_self_service=form.get("waybill_self_service", "") == "on",
        overflow=overflow,
        max_length=max_length,
        weight=weight,
        tier_escalation_s=tier_escalation_s,
        join_when_no_agents=form.get("join_when_no_agents", "") == "on",
        leave_when_no_agents=form.get("leave_when_no_agents", "") == "on",
        **changes,  # type: ignore[arg-type]
    )


def with_greeting(setup: DepotSetup, form: dict[str, str], prompts: tuple[str, ...]) -> DepotSetup:
    """The prompt every caller hears first, one of `prompts` (the box's prompt set; an uploaded
    recording plays in place of the generated prompt of its name)."""
    name = form.get("greeting_prompt", "").strip()
    if name not in prompts:
        raise FormError("greeting_prompt", "choice")
    return dataclasses.replace(setup, menu=dataclasses.replace(setup.menu, greeting_prompt=name))


def with_line_queues(setup: DepotSetup, lines: tuple[str, ...], form: dict[str, str]) -> DepotSetup:
    """Per wired line, `line_queue_<line>`: "menu", or the queue its callers go straight to
    (after the greeting, without the menu). Every wired line must be on the form; entries for
    lines the box is no longer wired with are not on it and stay as they were."""
    for key in form:
        if key.startswith(LINE_FIELD) and key.removeprefix(LINE_FIELD) not in lines:
            raise FormError("line_queue", "not_found", line=key.removeprefix(LINE_FIELD))
    queue_ids = {q.id for q in setup.queues}
    chosen: list[tuple[str, str]] = []
    for line in lines:
        if f"{LINE_FIELD}{line}" not in form:
            raise FormError("line_queue", "required", line=line)
        value = form[f"{LINE_FIELD}{line}"].strip()
        if value == LINE_MENU:
            continue
        if value not in queue_ids:
            raise FormError("line_queue", "choice", line=line)
        chosen.append((line, value))
    unwired = tuple((line, queue) for line, queue in setup.line_queues if line not in lines)
    return dataclasses.replace(setup, line_queues=(*chosen, *unwired))


def with_menu(setup: DepotSetup, form: dict[str, str]) -> DepotSetup:
    """The caller menu: rows `digit_N`, `queue_N`, `prompt_N` (N from 0; a row with no key is
    left out; the prompt one of the set or the row's queue's own, `queue_prompt`), `timeout_s`,
    `attempts`, `default_queue` and `language_key` ("" = none)."""
    queue_ids = {q.id for q in setup.queues}
    extra_rows = (key for key, value in form.items() if key.startswith("digit_") and value.strip())
    if any(key.removeprefix("digit_") not in map(str, range(MENU_ROWS)) for key in extra_rows):
        raise FormError("options", "too_many")
    options: list[MenuOption] = []
    for row in range(MENU_ROWS):
        digit = form.get(f"digit_{row}", "").strip()
        if not digit:
            continue
        if digit not in MENU_KEYS:
            raise FormError(f"digit_{row}", "choice")
        if any(option.digit == digit for option in options):
            raise FormError(f"digit_{row}", "duplicate")
        queue_id = form.get(f"queue_{row}", "").strip()
        if queue_id not in queue_ids:
            raise FormError(f"queue_{row}", "choice")
        prompt = form.get(f"prompt_{row}", "").strip()
        if prompt not in PROMPT_TEXTS and prompt != queue_prompt(queue_id):
            raise FormError(f"prompt_{row}", "choice")
        options.append(MenuOption(digit, queue_id, prompt))
    if not options:
        raise FormError("digit_0", "required")
    language_key = form.get("language_key", "").strip()
    if language_key and language_key not in MENU_KEYS:
        raise FormError("language_key", "choice")
    if any(option.digit == language_key for option in options):
        raise FormError("language_key", "key_taken")
    timeout_s = clean_seconds("timeout_s", form.get("timeout_s", ""))
    if not MENU_TIMEOUT_RANGE_S[0] <= timeout_s <= MENU_TIMEOUT_RANGE_S[1]:
        raise FormError("timeout_s", "out_of_range")
    attempts = whole_number("attempts", form.get("attempts", ""), *MENU_ATTEMPTS_RANGE)
    default_queue = form.get("default_queue", "").strip()
    if default_queue not in queue_ids:
        raise FormError("default_queue", "choice")
    menu = dataclasses.replace(
        setup.menu,
        options=tuple(options),
        timeout_s=timeout_s,
        attempts=attempts,
        default_queue=default_queue,
        language_key=language_key,
    )
    return dataclasses.replace(setup, menu=menu)


def with_agent(setup: DepotSetup, form: dict[str, str]) -> DepotSetup:
    """Add or change an agent: id, name and a tier (or none) per queue."""
    agent_id = clean_text("agent_id", form.get("agent_id", ""), required=True, max_chars=20)
    if not is_agent_id(agent_id):
        raise FormError("agent_id", "digits_only")
    name = clean_text("name", form.get("name", ""), required=True, max_chars=60)
    skills: list[tuple[str, Tier]] = []
    for queue in setup.queues:
        value = form.get(f"tier_{queue.id}", "")
        if value == "":
            continue
        if not ascii_digits(value) or int(value) not in TIERS:
            raise FormError(f"tier_{queue.id}", "choice")
        skills.append((queue.id, Tier(int(value))))
    old = next((a for a in setup.agents if a.id == agent_id), None)
    agent = (
        Agent(agent_id, name, skills=tuple(skills))
        if old is None
        else dataclasses.replace(old, name=name, skills=tuple(skills))
    )
    agents = tuple(agent if a.id == agent_id else a for a in setup.agents)
    if old is None:
        agents = (*agents, agent)
    return dataclasses.replace(setup, agents=agents)


def without_agent(setup: DepotSetup, agent_id: str) -> DepotSetup:
    if not any(a.id == agent_id for a in setup.agents):
        raise FormError("agent_id", "not_found")
    return dataclasses.replace(setup, agents=tuple(a for a in setup.agents if a.id != agent_id))


def hours_text(ranges: tuple[tuple[int, int], ...]) -> str:
    """ "08:00-12:00, 13:00-20:00" for minute-of-day ranges ("" = closed that day)."""
    return ", ".join(
        f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"
        for start, end in ranges
    )


def _minute(field: str, text: str) -> int:
    hours, _, minutes = text.strip().partition(":")
    if not (ascii_digits(hours) and ascii_digits(minutes) and len(minutes) == 2):
        raise FormError(field, "hours")
    value = int(hours) * 60 + int(minutes)
    if not 0 <= value <= 24 * 60 or int(minutes) >= 60:
        raise FormError(field, "hours")
    return value


def minute_ranges(field: str, text: str) -> tuple[tuple[int, int], ...]:
    """Minute-of-day ranges from "08:00-12:00, 13:00-20:00" (in order, not overlapping);
    FormError naming `field` otherwise."""
    ranges: list[tuple[int, int]] = []
    for part in text.split(","):
        if not part.strip():
            continue
        start_text, dash, end_text = part.partition("-")
        if not dash:
            raise FormError(field, "hours")
        start, end = _minute(field, start_text), _minute(field, end_text)
        if start >= end or (ranges and start < ranges[-1][1]):
            raise FormError(field, "hours")
        ranges.append((start, end))
    return tuple(ranges)


def with_hours(setup: DepotSetup, form: dict[str, str]) -> DepotSetup:
    """Weekly hours (`day_0` Monday … `day_6`), holidays one ISO date a line, always open."""
    weekly = [minute_ranges(f"day_{day}", form.get(f"day_{day}", "")) for day in range(7)]
    holidays = []
    for line in form.get("holidays", "").splitlines():
        if line.strip():
            try:
                holidays.append(dt.date.fromisoformat(line.strip()))
            except ValueError:
                raise FormError("holidays", "dates") from None
    hours = dataclasses.replace(
        setup.hours,
        weekly=tuple(weekly),
        holidays=tuple(sorted(set(holidays))),
        always_open=form.get("always_open", "") == "on",
    )
    return dataclasses.replace(setup, hours=hours)


def with_vips(setup: DepotSetup, form: dict[str, str]) -> DepotSetup:
    """VIP numbers, one a line: they jump ahead of everyone who is not a VIP."""
    numbers = []
    for line in form.get("vip_numbers", "").splitlines():
        number = line.strip()
        if not number:
            continue
        if not ascii_digits(number.replace("+", "")) or len(number) > 32:
            raise FormError("vip_numbers", "digits_only")
        if number not in numbers:
            numbers.append(number)
    return dataclasses.replace(setup, vip_numbers=tuple(numbers))
