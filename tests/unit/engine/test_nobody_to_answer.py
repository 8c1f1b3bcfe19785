"""Queues with nobody to answer (finding 10 of issue 12): all agents paused counts as empty
for joining and leaving (configurable), the estimated wait counts only agents who can take
calls, closing time reaches callers already waiting (configurable), callers of a removed queue
are moved on, and an outbound dial that never resolves times out."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

from engine_harness import T0, Harness, agent, make_setup, queue
from test_call_control import states, talking

from appliance.engine.commands import LogIn, Pause, PlaceCall, Ready, SetupChanged
from appliance.engine.records import CallbackRequested, EndReason, Verb
from appliance.engine.setup import OpeningHours, Overflow, OverflowKind
from drivers.roles import DialOut, HangUpLine, HangUpPosition, PositionAnswered

LINES = ("l1", "l2", "l3", "l4")


def _depot(*queues: object, hours: OpeningHours | None = None, agents: int = 2) -> Harness:
    fields: dict[str, object] = {}
    if hours is not None:
        fields["hours"] = hours
    h = Harness(
        make_setup(
            queues=queues  # type: ignore[arg-type]
            or (queue("cargo", overflow=Overflow(OverflowKind.CALLBACK), paused_is_empty=True),),
            agents=tuple(agent(f"a{i}", "cargo") for i in range(1, agents + 1)),
            line_queues=tuple((line, "cargo") for line in LINES),
            **fields,
        )
    )
    h.lines(*LINES)
    for i in range(1, agents + 1):
        h.login(f"a{i}")
    h.clear()
    return h


def _queued(h: Harness, line: str = "l1", number: str = "13800000001") -> str:
    call_id = h.arrive(line, number)
    h.answer(line)
    h.finish_prompt(line)
    return call_id


def test_all_agents_paused_caller_does_not_join() -> None:
    h = _depot()
    h.ev(Pause, agent="a1")
    h.ev(Pause, agent="a2")
    call_id = _queued(h)
    assert h.verbs(call_id)[1:4] == [Verb.ENTERQUEUE, Verb.EXITEMPTY, Verb.OVERFLOW]


def test_all_agents_paused_joins_when_paused_not_counted_as_empty() -> None:
    h = _depot(queue("cargo"))  # the harness's queues: paused_is_empty=False
    h.ev(Pause, agent="a1")
    h.ev(Pause, agent="a2")
    call_id = _queued(h)
    assert Verb.EXITEMPTY not in h.verbs(call_id)


def test_last_unpaused_agent_pausing_moves_waiting_callers_on() -> None:
    h = _depot(agents=1)
    h.ev(Pause, agent="a1", reason="break")
    h.ev(Ready, agent="a1")
    h.ev(LogIn, agent="a1", position="pos_a1")
    first = _queued(h, "l1")
    h.pick_up("pos_a1")
    second = _queued(h, "l2", "13800000002")  # waits while a1 talks (a1 is not paused)
    assert Verb.EXITEMPTY not in h.verbs(second)
    h.ev(Pause, agent="a1", reason="lunch")  # paused during the call: nobody left to answer
    assert h.verbs(second)[-3:-1] == [Verb.EXITEMPTY, Verb.OVERFLOW]
    assert Verb.EXITEMPTY not in h.verbs(first)


def test_estimated_wait_counts_only_agents_who_can_take_calls() -> None:
    h = Harness(
        make_setup(
            queues=(queue("cargo", announce_every_s=30, wrap_up_s=0, paused_is_empty=False),),
            agents=(agent("a1", "cargo"), agent("a2", "cargo"), agent("a3", "cargo")),
            line_queues=tuple((line, "cargo") for line in LINES),
            language="en",
        )
    )
    h.lines(*LINES)
    h.login("a1")
    h.ev(Pause, agent="a1")
    h.login("a2")
    h.login("a3")
    h.ev(Pause, agent="a2")
    h.ev(Ready, agent="a1")
    h.ev(Pause, agent="a3")
    _queued(h, "l1")
    h.pick_up("pos_a1")
    h.now += 600
    h.hang_up("l1")  # the queue's handle time: 600 s; a1 is the one agent taking calls
    _queued(h, "l2", "13800000002")
    h.pick_up("pos_a1")
    _queued(h, "l3", "13800000003")
    h.advance(30)
    # place 1 × 600 s ÷ 1 agent taking calls = 10 minutes (not ÷ 3 logged in = 4 minutes)
    assert h.last_prompt("l3").prompts[1:4] == ("wait_about", "num_10", "minutes")


def test_closing_time_reaches_callers_already_waiting() -> None:
    zone = ZoneInfo("Asia/Shanghai")
    start = dt.datetime.fromtimestamp(T0, zone)
    close_minute = start.hour * 60 + start.minute + 10
    weekly = tuple(((0, close_minute),) for _ in range(7))
    h = _depot(hours=OpeningHours(weekly=weekly))
    h.ev(Pause, agent="a1")
    h.ev(Pause, agent="a2")
    h.engine._s.queues["cargo"] = dataclasses.replace(
        h.engine._s.queues["cargo"], paused_is_empty=False
    )
    call_id = _queued(h)
    h.advance(11 * 60)
    assert Verb.EXITCLOSED in h.verbs(call_id)
    assert h.last_prompt("l1").prompts == ("closed",)
    h.finish_prompt("l1")
    assert h.record(call_id).end_reason is EndReason.CLOSED_HOURS
    assert [t.reason for t in h.of(CallbackRequested)] == ["closed_hours"]


def test_caller_still_in_menu_at_closing_time_hears_closed() -> None:
    zone = ZoneInfo("Asia/Shanghai")
    start = dt.datetime.fromtimestamp(T0, zone)
    close_minute = start.hour * 60 + start.minute + 1
    weekly = tuple(((0, close_minute),) for _ in range(7))
    h = Harness(make_setup(hours=OpeningHours(weekly=weekly)))  # the menu, three queues
    h.lines("l1")
    h.login("a1")
    h.ev(Pause, agent="a1")
    call_id = h.arrive("l1")
    h.answer("l1")
    h.advance(61)  # closing time passes while the caller listens to the menu
    h.press("l1", "1")
    assert Verb.ENTERQUEUE not in h.verbs(call_id)
    assert h.last_prompt("l1").prompts == ("closed",)
    h.finish_prompt("l1")
    assert h.record(call_id).end_reason is EndReason.CLOSED_HOURS


def test_closing_time_leaves_callers_waiting_when_switched_off() -> None:
    zone = ZoneInfo("Asia/Shanghai")
    start = dt.datetime.fromtimestamp(T0, zone)
    close_minute = start.hour * 60 + start.minute + 10
    weekly = tuple(((0, close_minute),) for _ in range(7))
    h = _depot(hours=OpeningHours(weekly=weekly, serve_waiting_after_close=True))
    h.ev(Pause, agent="a1")
    h.ev(Pause, agent="a2")
    h.engine._s.queues["cargo"] = dataclasses.replace(
        h.engine._s.queues["cargo"], paused_is_empty=False
    )
    call_id = _queued(h)
    h.advance(11 * 60)
    assert Verb.EXITCLOSED not in h.verbs(call_id)


def test_callers_of_removed_queue_moved_on() -> None:
    h = _depot(
        queue("cargo", overflow=Overflow(OverflowKind.QUEUE, "orders")),
        queue("orders", join_when_no_agents=True),
    )
    h.ev(Pause, agent="a1")
    h.ev(Pause, agent="a2")
    h.engine._s.queues["cargo"] = dataclasses.replace(
        h.engine._s.queues["cargo"], paused_is_empty=False
    )
    call_id = _queued(h)
    setup = h.engine._s.setup
    without_cargo = dataclasses.replace(
        setup, queues=tuple(q for q in setup.queues if q.id != "cargo"), line_queues=()
    )
    h.ev(SetupChanged, setup=without_cargo)
    assert h.verbs(call_id)[-3:] == [Verb.EXITEMPTY, Verb.OVERFLOW, Verb.ENTERQUEUE]
    assert [c.queue for c in h.engine.snapshot(h.now).calls] == ["orders"]


def test_outbound_dial_that_never_resolves_times_out() -> None:
    h, _call_id = talking()
    h.ev(PlaceCall, agent="a2", number="13900000009")
    h.ev(PositionAnswered, position="pos_a2")
    assert h.of(DialOut)
    h.advance(120.0)
    call_id = next(e.call_id for e in h.log() if e.verb is Verb.OUTBOUND)
    assert h.record(call_id).end_reason is EndReason.OUTBOUND_FAILED
    assert HangUpLine("l2") in h.actions
    assert states(h)["a2"].value == "ready"
    assert HangUpPosition("pos_a2") in h.actions
