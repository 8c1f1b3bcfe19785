"""Less common paths: ring-all with several callers, overflow loops, faults while waiting,
late events from drivers, new settings while calls run."""

from __future__ import annotations

from dataclasses import replace

import pytest
from engine_harness import Harness, agent, make_setup, queue

from appliance.engine.commands import CommandRefused, LogIn, Pause, Ready, SetupChanged
from appliance.engine.records import CallbackRequested, EndReason, FaultCleared, Verb
from appliance.engine.setup import Overflow, OverflowKind, Strategy
from appliance.engine.views import AgentState
from drivers.roles import (
    CallArrived,
    CallerId,
    LineFaulted,
    LineInService,
    PositionAnswered,
    RefuseCall,
    RingPosition,
    StopRinging,
)


def direct(h: Harness, line: str, number: str = "13800000001") -> str:
    call_id = h.arrive(line, number)
    h.answer(line)
    h.finish_prompt(line)
    return call_id


def ring_all_depot() -> Harness:
    h = Harness(
        make_setup(
            queues=(queue("cargo", strategy=Strategy.RING_ALL),),
            agents=(agent("a1", "cargo"), agent("a2", "cargo")),
            line_queues=(("l1", "cargo"), ("l2", "cargo")),
        )
    )
    h.lines("l1", "l2")
    h.login("a1")
    h.login("a2")
    return h


def test_ring_all_agent_freed_by_first_answer_gets_next_caller() -> None:
    h = ring_all_depot()
    first = direct(h, "l1")
    second = direct(h, "l2")
    assert [(r.position, r.call_id) for r in h.of(RingPosition)] == [
        ("pos_a1", first),
        ("pos_a2", first),
    ]
    h.pick_up("pos_a1")
    assert (h.of(RingPosition)[-1].position, h.of(RingPosition)[-1].call_id) == (
        "pos_a2",
        second,
    )


def test_overflow_loop_between_two_queues_ends_in_callback() -> None:
    h = Harness(
        make_setup(
            queues=(
                queue("cargo", max_wait_s=10, overflow=Overflow(OverflowKind.QUEUE, "orders")),
                queue("orders", max_wait_s=10, overflow=Overflow(OverflowKind.QUEUE, "cargo")),
            ),
            agents=(agent("a1", "cargo", "orders"),),
            line_queues=(("l1", "cargo"),),
        )
    )
    h.lines("l1")
    h.login("a1")
    h.ev(Pause, agent="a1")
    call_id = direct(h, "l1")
    h.advance(10)
    h.advance(10)
    overflows = [e.data for e in h.log(call_id) if e.verb is Verb.OVERFLOW]
    assert overflows == [("queue", "orders"), ("callback", "")]
    assert h.of(CallbackRequested)[0].reason == "callback_request"


def test_max_wait_while_ringing_withdraws_the_offer() -> None:
    h = Harness(
        make_setup(
            queues=(queue("cargo", max_wait_s=10, ring_timeout_s=30),),
            agents=(agent("a1", "cargo"),),
            line_queues=(("l1", "cargo"),),
        )
    )
    h.lines("l1")
    h.login("a1")
    call_id = direct(h, "l1")
    h.advance(10)
    assert h.of(StopRinging) == [StopRinging("pos_a1")]
    assert h.verbs(call_id)[2:5] == [Verb.OFFER, Verb.RINGCANCELED, Verb.EXITWITHTIMEOUT]
    h.ev(PositionAnswered, position="pos_a1")  # too late: nothing happens
    assert h.verbs(call_id)[-1] is not Verb.CONNECT


def test_line_fault_while_waiting_ends_call_with_callback() -> None:
    h = Harness(
        make_setup(
            queues=(queue("cargo"),), agents=(agent("a1", "cargo"),), line_queues=(("l1", "cargo"),)
        )
    )
    h.lines("l1")
    h.login("a1")
    h.ev(Pause, agent="a1")
    call_id = direct(h, "l1")
    h.ev(LineFaulted, line="l1", reason="no dial tone")
    assert h.verbs(call_id)[-3:] == [Verb.EXITINTERRUPTED, Verb.CALLBACKREQUEST, Verb.HANGUP]
    assert h.log(call_id)[-3].data[0] == "line_fault"
    assert h.of(CallbackRequested)[0].reason == "line_fault"
    assert h.record(call_id).end_reason is EndReason.LINE_FAULT
    h.ev(LineInService, line="l1")
    restored = h.log()[-1]
    assert restored.verb is Verb.LINERESTORED and restored.agent == "l1"
    assert h.of(FaultCleared)[0].device == "l1"


def test_setup_change_replaces_blacklist() -> None:
    setup = make_setup(line_queues=(("l1", "cargo"),))
    h = Harness(setup)
    h.lines("l1")
    h.ev(SetupChanged, setup=replace(setup, blacklist=("13000000000",)))
    h.ev(CallArrived, line="l1", caller=CallerId("13000000000"))
    assert h.of(RefuseCall) == [RefuseCall("l1")]


def test_setup_change_removing_agent_on_call_logs_out_after_call() -> None:
    setup = make_setup(line_queues=(("l1", "cargo"),))
    h = Harness(setup)
    h.lines("l1")
    h.login("a1")
    call_id = direct(h, "l1")
    h.pick_up("pos_a1")
    h.ev(SetupChanged, setup=replace(setup, agents=setup.agents[1:]))
    states = {v.id: v.state for v in h.engine.snapshot(h.now).agents}
    assert states["a1"] is AgentState.ON_CALL
    h.hang_up("l1")
    assert h.record(call_id).agent == "a1"
    states = {v.id: v.state for v in h.engine.snapshot(h.now).agents}
    assert states["a1"] is AgentState.LOGGED_OUT


def test_setup_change_adding_agent_skill_routes_waiting_caller() -> None:
    setup = make_setup(
        queues=(queue("cargo"), queue("orders", join_when_no_agents=True)),
        line_queues=(("l1", "orders"),),
        agents=(agent("a1", "cargo"),),
    )
    h = Harness(setup)
    h.lines("l1")
    h.login("a1")
    direct(h, "l1")
    assert h.rung() == []
    h.ev(SetupChanged, setup=replace(setup, agents=(agent("a1", "cargo", "orders"),)))
    assert h.rung() == ["pos_a1"]


def test_unknown_agent_login_is_refused() -> None:
    h = Harness(make_setup())
    with pytest.raises(CommandRefused, match="there is no agent 'nobody'"):
        h.ev(LogIn, agent="nobody", position="p")


def test_ready_for_logged_out_agent_is_refused() -> None:
    h = Harness(make_setup())
    with pytest.raises(CommandRefused, match="a1 is not logged in"):
        h.ev(Ready, agent="a1")


def test_refused_command_fires_no_timer_and_loses_nothing() -> None:
    h = Harness(
        make_setup(
            queues=(queue("cargo"),), agents=(agent("a1", "cargo"),), line_queues=(("l1", "cargo"),)
        )
    )
    h.lines("l1")
    h.login("a1")
    direct(h, "l1")
    h.now += 20  # the ring time-out (15 s) is due …
    with pytest.raises(CommandRefused):
        h.ev(Ready, agent="a9")
    assert not h.of(StopRinging)  # … but a refused command changed nothing
    h.advance(0)
    assert h.of(StopRinging) == [StopRinging("pos_a1")]


def test_events_for_idle_lines_are_ignored() -> None:
    h = Harness(make_setup())
    h.lines("l1")
    assert h.hang_up("l1") == []
    assert h.press("l1", "5") == []
    assert h.answer("l1") == []


def test_caller_hanging_up_during_callback_confirmation_keeps_the_task() -> None:
    h = Harness(
        make_setup(
            queues=(queue("cargo", max_wait_s=10, overflow=Overflow(OverflowKind.CALLBACK)),),
            agents=(agent("a1", "cargo"),),
            line_queues=(("l1", "cargo"),),
        )
    )
    h.lines("l1")
    h.login("a1")
    h.ev(Pause, agent="a1")
    call_id = direct(h, "l1")
    h.advance(10)
    h.hang_up("l1")  # before "callback_confirmed" finished
    assert h.of(CallbackRequested)[0].reason == "callback_request"
    assert h.record(call_id).end_reason is EndReason.OVERFLOWED


def test_closed_caller_hanging_up_during_closed_prompt_ends_closed_hours() -> None:
    from appliance.engine.setup import OpeningHours

    h = Harness(make_setup(hours=OpeningHours()))  # never open
    h.lines("l1")
    call_id = h.arrive("l1")
    h.answer("l1")
    h.hang_up("l1")
    assert h.record(call_id).end_reason is EndReason.CLOSED_HOURS
    assert not h.of(CallbackRequested)


def test_vip_flag_reaches_the_call_record() -> None:
    h = Harness(make_setup(vip_numbers=("13999999999",), line_queues=(("l1", "cargo"),)))
    h.lines("l1")
    h.login("a1")
    call_id = direct(h, "l1", "13999999999")
    h.pick_up("pos_a1")
    h.hang_up("l1")
    assert h.record(call_id).vip


def test_place_call_during_wrap_up_ends_wrap_up_first() -> None:
    from appliance.engine.commands import PlaceCall

    h = Harness(make_setup(line_queues=(("l1", "cargo"),)))
    h.lines("l1", "l2")
    h.login("a1")
    direct(h, "l1")
    h.pick_up("pos_a1")
    h.hang_up("l1")
    h.ev(PlaceCall, agent="a1", number="13600000000")
    verbs = [e.verb for e in h.agent_log("a1")]
    assert verbs[-3:] == [Verb.WRAPUPEND, Verb.OUTBOUND, Verb.OFFER]
