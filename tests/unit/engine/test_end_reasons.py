"""Every call ends with the true record: only the caller's own hang-up is an abandon; a line
fault, the call cap, a silent line, the box stopping, a full box and a call missed at the line
each end with their own reason (findings 3, 4 and 5 of issue 12)."""

from __future__ import annotations

import pytest
from engine_harness import Harness, agent, make_setup, queue

from appliance.engine.commands import BoxStopping, Pause
from appliance.engine.records import CallbackRequested, EndReason, Verb
from drivers.roles import (
    CallerHungUp,
    CallerId,
    CallTurnedAway,
    HangUpCause,
    HangUpLine,
    PositionFaulted,
    PromptFinished,
    TurnedAwayReason,
)

NUMBER = "13800000001"


def _depot(paused: bool = False) -> Harness:
    h = Harness(
        make_setup(
            queues=(queue("cargo", ring_timeout_s=30.0),),
            agents=(agent("a1", "cargo"),),
            line_queues=(("l1", "cargo"), ("l2", "cargo")),
        )
    )
    h.lines("l1", "l2")
    h.login("a1")
    if paused:
        h.ev(Pause, agent="a1")
    h.clear()
    return h


def _queued(h: Harness, line: str = "l1", number: str = NUMBER) -> str:
    call_id = h.arrive(line, number)
    h.answer(line)
    h.finish_prompt(line)
    return call_id


def _callback_reasons(h: Harness) -> list[str]:
    return [task.reason for task in h.of(CallbackRequested)]


@pytest.mark.parametrize(
    ("cause", "reason", "callback"),
    [
        (HangUpCause.DEVICE_LOST, EndReason.LINE_FAULT, ["line_fault"]),
        (HangUpCause.HARD_CAP, EndReason.CALL_CAP, ["call_cap"]),
        (HangUpCause.SILENCE, EndReason.LINE_SILENT, []),
    ],
)
def test_line_ending_call_while_agent_rings_is_not_an_abandon(
    cause: HangUpCause, reason: EndReason, callback: list[str]
) -> None:
    h = _depot()
    call_id = _queued(h)
    assert Verb.OFFER in h.verbs(call_id)
    h.ev(CallerHungUp, line="l1", cause=cause)
    verbs = h.verbs(call_id)
    assert Verb.ABANDON not in verbs
    exit_row = next(e for e in h.log(call_id) if e.verb is Verb.EXITINTERRUPTED)
    assert exit_row.data[0] == reason.value
    assert h.log(call_id)[-1].data == (reason.value,)
    assert h.record(call_id).end_reason is reason
    assert _callback_reasons(h) == callback
    assert Verb.RINGNOANSWER not in verbs and Verb.RINGREJECTED not in verbs
    assert h.engine.snapshot(h.now).agents[0].missed_offers == 0


def test_call_cap_during_conversation_ends_call_cap_not_answered_by_caller() -> None:
    h = _depot()
    call_id = _queued(h)
    h.pick_up("pos_a1")
    h.ev(CallerHungUp, line="l1", cause=HangUpCause.HARD_CAP)
    assert h.record(call_id).end_reason is EndReason.CALL_CAP
    assert _callback_reasons(h) == ["call_cap"]


def test_caller_own_hang_up_still_abandons() -> None:
    h = _depot()
    call_id = _queued(h)
    h.ev(CallerHungUp, line="l1", cause=HangUpCause.BYE)
    assert Verb.ABANDON in h.verbs(call_id)
    assert h.record(call_id).end_reason is EndReason.ABANDONED_RINGING


def test_box_stopping_ends_every_call_box_shutdown_with_callback() -> None:
    h = _depot()
    talking = _queued(h, "l1")
    h.pick_up("pos_a1")
    waiting = _queued(h, "l2", "13800000002")
    h.ev(BoxStopping)
    for call_id in (talking, waiting):
        assert Verb.ABANDON not in h.verbs(call_id)
        assert h.record(call_id).end_reason is EndReason.SHUTDOWN
    assert next(e for e in h.log(waiting) if e.verb is Verb.EXITINTERRUPTED).data[0] == (
        "box_shutdown"
    )
    assert sorted(_callback_reasons(h)) == ["box_shutdown", "box_shutdown"]
    assert {a.line for a in h.of(HangUpLine)} == {"l1", "l2"}
    assert h.engine.snapshot(h.now).calls == ()


def test_line_fault_during_greeting_gets_callback_line_fault() -> None:
    h = _depot()
    call_id = h.arrive("l1")
    h.answer("l1")
    h.ev(CallerHungUp, line="l1", cause=HangUpCause.DEVICE_LOST)
    assert h.record(call_id).end_reason is EndReason.LINE_FAULT
    assert _callback_reasons(h) == ["line_fault"]


def test_hang_up_during_greeting_abandoned_in_menu_no_agent_rung() -> None:
    h = _depot()
    call_id = h.arrive("l1")
    h.answer("l1")
    h.now += 1.5
    hung_up_s = h.now
    # the gateway reports the cut prompt first, stamped a moment after the hang-up
    play_id = h.last_prompt("l1").play_id
    h.send(PromptFinished(hung_up_s + 0.00005, "l1", play_id=play_id, interrupted=True))
    h.send(CallerHungUp(hung_up_s, "l1"))
    verbs = h.verbs(call_id)
    assert Verb.ENTERQUEUE not in verbs and Verb.OFFER not in verbs
    assert h.rung() == []
    record = h.record(call_id)
    assert record.end_reason is EndReason.ABANDONED_IN_MENU
    assert record.wait_s == 0.0
    assert _callback_reasons(h) == ["abandoned"]


def test_greeting_cut_by_line_without_hang_up_goes_on_to_queue() -> None:
    h = _depot()
    call_id = h.arrive("l1")
    h.answer("l1")
    h.finish_prompt("l1", interrupted=True)
    assert Verb.ENTERQUEUE not in h.verbs(call_id)
    h.advance(2.0)
    assert Verb.ENTERQUEUE in h.verbs(call_id)


def test_time_never_runs_backwards_so_no_wait_is_negative() -> None:
    h = _depot(paused=True)
    call_id = _queued(h)
    h.now += 10.0
    h.send(CallerHungUp(h.now - 20.0, "l1"))  # stamped before the caller even queued
    assert h.record(call_id).wait_s >= 0.0


@pytest.mark.parametrize(
    ("why", "reason"),
    [
        (TurnedAwayReason.MISSED_AT_LINE, EndReason.MISSED_AT_LINE),
        (TurnedAwayReason.BOX_FULL, EndReason.BOX_FULL),
        (TurnedAwayReason.LINES_BUSY, EndReason.LINES_BUSY),
    ],
)
def test_call_turned_away_leaves_record_and_callback(
    why: TurnedAwayReason, reason: EndReason
) -> None:
    h = _depot()
    # lines busy: no line of the gateway was free, and the gateway's id names where it came
    line = "gw1" if why is TurnedAwayReason.LINES_BUSY else "l1"
    h.ev(CallTurnedAway, line=line, caller=CallerId(NUMBER), reason=why)
    inbound = h.log()[0]
    assert inbound.verb is Verb.INBOUND and inbound.data[0] == NUMBER
    call_id = inbound.call_id
    assert h.verbs(call_id) == [Verb.INBOUND, Verb.CALLBACKREQUEST, Verb.HANGUP]
    assert h.record(call_id).end_reason is reason
    assert _callback_reasons(h) == [reason.value]
    assert h.engine.snapshot(h.now).calls == ()
    h.arrive("l1")  # the line was never taken: the next call rings as usual
    assert len(h.engine.snapshot(h.now).calls) == 1


def test_call_turned_away_withheld_number_gets_record_but_no_callback() -> None:
    h = _depot()
    h.ev(
        CallTurnedAway,
        line="l1",
        caller=CallerId("", withheld="private"),
        reason=TurnedAwayReason.MISSED_AT_LINE,
    )
    call_id = h.log()[0].call_id
    assert h.record(call_id).end_reason is EndReason.MISSED_AT_LINE
    assert _callback_reasons(h) == []


def test_caller_back_in_line_after_phone_fault_who_hangs_up_ends_answered() -> None:
    h = _depot()
    call_id = _queued(h)
    h.pick_up("pos_a1")
    h.ev(PositionFaulted, position="pos_a1", reason="unplugged")
    h.now += 30.0
    h.hang_up("l1")
    assert h.record(call_id).end_reason is EndReason.ANSWERED
