"""Agents: login, pause, wrap-up, positions, keypad login, desk buttons, the snapshot."""

from __future__ import annotations

import pytest
from engine_harness import T0, Harness, agent, make_setup, queue

from appliance.engine.commands import (
    CommandRefused,
    KeypadLoginChecked,
    LogIn,
    LogOut,
    Pause,
    Ready,
)
from appliance.engine.records import (
    CheckKeypadLogin,
    FaultCleared,
    FaultRecorded,
    Verb,
)
from appliance.engine.views import AgentState, CallStage
from drivers.roles import (
    ButtonPressed,
    Disconnect,
    PositionDigitPressed,
    PositionFaulted,
    PositionInService,
    RingPosition,
    StopRinging,
)


def depot(agents: int = 2) -> Harness:
    h = Harness(
        make_setup(
            queues=(queue("cargo", wrap_up_s=30.0),),
            agents=tuple(agent(f"a{i}", "cargo") for i in range(1, agents + 1)),
            line_queues=(("l1", "cargo"), ("l2", "cargo")),
        )
    )
    h.lines("l1", "l2")
    return h


def waiting_call(h: Harness, line: str = "l1") -> str:
    call_id = h.arrive(line)
    h.answer(line)
    h.finish_prompt(line)
    return call_id


def view(h: Harness, agent_id: str):  # type: ignore[no-untyped-def]
    return next(v for v in h.engine.snapshot(h.now).agents if v.id == agent_id)


def test_login_logs_agentlogin_and_logout_logs_time_logged_in() -> None:
    h = depot()
    h.login("a1")
    h.now += 3600
    h.ev(LogOut, agent="a1")
    entries = h.agent_log("a1")
    assert [(e.verb, e.data) for e in entries] == [
        (Verb.AGENTLOGIN, ("pos_a1",)),
        (Verb.AGENTLOGOFF, ("pos_a1", "3600.000")),
    ]
    assert all(e.call_id == "NONE" for e in entries)
    assert view(h, "a1").state is AgentState.LOGGED_OUT


def test_agent_at_position_not_in_service_gets_no_offers() -> None:
    h = depot()
    h.ev(LogIn, agent="a1", position="desk9")
    waiting_call(h)
    assert h.rung() == []
    h.ev(PositionInService, position="desk9")
    assert h.rung() == ["desk9"]


def test_pause_with_reason_and_ready_unpauses() -> None:
    h = depot()
    h.login("a1")
    h.ev(Pause, agent="a1", reason="lunch")
    assert view(h, "a1").state is AgentState.PAUSED
    assert view(h, "a1").pause_reason == "lunch"
    waiting_call(h)
    assert h.rung() == []
    h.ev(Ready, agent="a1")
    assert [e.verb for e in h.agent_log("a1")][-3:] == [Verb.PAUSE, Verb.UNPAUSE, Verb.OFFER]
    assert h.rung() == ["pos_a1"]


def test_ready_ends_wrap_up_early() -> None:
    h = depot()
    h.login("a1")
    waiting_call(h)
    h.pick_up("pos_a1")
    h.now += 10
    h.hang_up("l1")
    h.now += 5
    h.ev(Ready, agent="a1")
    wrap = [e for e in h.agent_log("a1") if e.verb in (Verb.WRAPUPSTART, Verb.WRAPUPEND)]
    assert [(e.verb, e.data) for e in wrap] == [
        (Verb.WRAPUPSTART, ("30.000",)),
        (Verb.WRAPUPEND, ("5.000",)),
    ]
    assert view(h, "a1").state is AgentState.READY
    h.advance(60)  # the cancelled wrap-up timer does nothing
    assert len([e for e in h.agent_log("a1") if e.verb is Verb.WRAPUPEND]) == 1


def test_waiting_caller_is_offered_when_wrap_up_ends() -> None:
    h = depot(agents=1)
    h.login("a1")
    waiting_call(h, "l1")
    h.pick_up("pos_a1")
    second = waiting_call(h, "l2")
    h.hang_up("l1")
    assert len(h.rung()) == 1
    h.advance(30)
    assert h.of(RingPosition)[-1].call_id == second


def test_ready_after_pause_restarts_the_monitors_time_in_state() -> None:
    h = depot()
    h.login("a1")
    h.now += 60
    h.ev(Pause, agent="a1", reason="lunch")
    h.now += 900
    h.ev(Ready, agent="a1")
    h.now += 5
    a1 = view(h, "a1")
    assert a1.state is AgentState.READY and a1.since_s == T0 + 960  # 5 s 就绪, not 965


def test_pause_during_wrap_up_leaves_agent_paused_after_it() -> None:
    h = depot()
    h.login("a1")
    waiting_call(h)
    h.pick_up("pos_a1")
    h.hang_up("l1")
    h.ev(Pause, agent="a1", reason="notes")
    assert view(h, "a1").state is AgentState.WRAP_UP
    h.advance(30)
    assert view(h, "a1").state is AgentState.PAUSED


def test_logout_during_call_takes_effect_when_call_ends() -> None:
    h = depot()
    h.login("a1")
    waiting_call(h)
    h.pick_up("pos_a1")
    h.ev(LogOut, agent="a1")
    assert view(h, "a1").state is AgentState.ON_CALL
    h.hang_up("l1")
    assert view(h, "a1").state is AgentState.LOGGED_OUT
    assert Verb.AGENTLOGOFF in [e.verb for e in h.agent_log("a1")]


def test_keypad_login_at_persistent_position_asks_shell_to_check_pin() -> None:
    h = depot()
    h.ev(PositionInService, position="desk1", persistent=True)
    for digit in "a1#4321#":
        h.ev(PositionDigitPressed, position="desk1", digit=digit)
    assert h.of(CheckKeypadLogin) == [CheckKeypadLogin("desk1", "a1", "4321")]
    h.ev(KeypadLoginChecked, position="desk1", agent="a1", accepted=False)
    assert view(h, "a1").state is AgentState.LOGGED_OUT
    h.ev(KeypadLoginChecked, position="desk1", agent="a1", accepted=True)
    assert view(h, "a1").state is AgentState.READY and view(h, "a1").position == "desk1"


def test_keypad_star_starts_again() -> None:
    h = depot()
    h.ev(PositionInService, position="desk1", persistent=True)
    for digit in "7*a2#11#":
        h.ev(PositionDigitPressed, position="desk1", digit=digit)
    assert h.of(CheckKeypadLogin) == [CheckKeypadLogin("desk1", "a2", "11")]


def test_desk_button_toggles_pause_and_long_press_logs_out() -> None:
    h = depot()
    h.login("a1")
    h.ev(ButtonPressed, position="pos_a1")
    assert view(h, "a1").state is AgentState.PAUSED
    h.ev(ButtonPressed, position="pos_a1")
    assert view(h, "a1").state is AgentState.READY
    h.ev(ButtonPressed, position="pos_a1", long_press=True)
    assert view(h, "a1").state is AgentState.LOGGED_OUT


def test_position_fault_while_ringing_moves_offer_on_without_counting_a_miss() -> None:
    h = depot()
    h.login("a1")
    h.login("a2")
    call_id = waiting_call(h)
    assert h.rung() == ["pos_a1"]
    h.ev(PositionFaulted, position="pos_a1", reason="phone unregistered")
    assert h.rung() == ["pos_a1", "pos_a2"]
    assert [e.verb for e in h.log(call_id)][-2:] == [Verb.RINGCANCELED, Verb.OFFER]
    assert view(h, "a1").missed_offers == 0
    assert h.of(FaultRecorded)[0].device == "pos_a1"
    h.ev(PositionInService, position="pos_a1")
    assert h.of(FaultCleared)[0].device == "pos_a1"


def test_position_fault_mid_call_puts_caller_back_at_head_of_queue() -> None:
    h = depot()
    h.login("a1")
    h.login("a2")
    h.ev(Pause, agent="a2")
    first = waiting_call(h, "l1")
    h.pick_up("pos_a1")
    second = waiting_call(h, "l2")
    h.now += 20
    h.ev(PositionFaulted, position="pos_a1")
    assert Disconnect("l1", "pos_a1") in h.of(Disconnect)
    assert [e.verb for e in h.log(first)][-2:] == [Verb.COMPLETEAGENT, Verb.ENTERQUEUE]
    assert h.log(first)[-1].data[2] == "2"
    places = {c.id: c.position_in_queue for c in h.engine.snapshot(h.now).calls}
    assert places == {first: 1, second: 2}
    h.ev(Ready, agent="a2")
    assert h.of(RingPosition)[-1].call_id == first


def test_snapshot_shows_agents_calls_and_lines() -> None:
    h = depot()
    h.login("a1")
    h.ev(Pause, agent="a1")
    h.now += 10
    call_id = waiting_call(h)
    snap = h.engine.snapshot(h.now)
    assert snap.time_s == h.now and snap.open_now
    a1 = next(v for v in snap.agents if v.id == "a1")
    assert a1.state is AgentState.PAUSED and a1.logged_in_since_s == T0
    assert a1.since_s == T0 and a1.position == "pos_a1"
    (call,) = snap.calls
    assert call.id == call_id and call.stage is CallStage.QUEUED
    assert call.position_in_queue == 1 and call.queue == "cargo" and call.line == "l1"
    assert [(line.id, line.in_service, line.call_id) for line in snap.lines] == [
        ("l1", True, call_id),
        ("l2", True, ""),
    ]
    h.ev(Ready, agent="a1")
    h.pick_up("pos_a1")
    snap = h.engine.snapshot(h.now)
    a1 = next(v for v in snap.agents if v.id == "a1")
    assert a1.state is AgentState.ON_CALL and a1.call_id == call_id
    assert snap.calls[0].stage is CallStage.CONNECTED and snap.calls[0].agent == "a1"
    assert snap.calls[0].position_in_queue == 0


def test_today_counts_reset_at_local_midnight() -> None:
    h = depot()
    h.login("a1")
    waiting_call(h)
    h.pick_up("pos_a1")
    h.now += 60
    h.hang_up("l1")
    assert view(h, "a1").calls_today == 1
    h.advance(9 * 3600)  # T0 is 16:00 local: past midnight
    assert view(h, "a1").calls_today == 0 and view(h, "a1").talk_s_today == 0


def test_stop_ringing_sent_for_ring_timeout() -> None:
    h = depot(agents=1)
    h.login("a1")
    waiting_call(h)
    h.advance(15)
    assert h.of(StopRinging) == [StopRinging("pos_a1")]
    assert view(h, "a1").missed_offers == 1


def test_logout_while_ringing_withdraws_offer_and_gives_no_new_one() -> None:
    h = depot(agents=1)
    h.login("a1")
    first = waiting_call(h, "l1")
    waiting_call(h, "l2")
    h.ev(LogOut, agent="a1")
    assert h.of(StopRinging) == [StopRinging("pos_a1")]
    # the last agent left: both callers leave the queue (leave_when_no_agents)
    assert [e.verb for e in h.log(first)][3:6] == [
        Verb.RINGCANCELED,
        Verb.EXITEMPTY,
        Verb.OVERFLOW,
    ]
    assert len(h.rung()) == 1
    assert view(h, "a1").state is AgentState.LOGGED_OUT


def test_login_at_position_of_agent_on_a_call_is_refused() -> None:
    h = depot()
    h.login("a1")
    waiting_call(h)
    h.pick_up("pos_a1")
    with pytest.raises(CommandRefused, match="a1 is on a call at pos_a1"):
        h.ev(LogIn, agent="a2", position="pos_a1")
    assert view(h, "a2").state is AgentState.LOGGED_OUT
    assert view(h, "a1").state is AgentState.ON_CALL and view(h, "a1").position == "pos_a1"


def test_login_at_another_position_moves_an_idle_agent_and_callers_stay() -> None:
    h = depot()
    h.login("a1")
    h.ev(Pause, agent="a1")
    call_id = waiting_call(h)
    h.ev(PositionInService, position="desk2")
    h.ev(LogIn, agent="a1", position="desk2")
    assert h.verbs(call_id) == [Verb.INBOUND, Verb.ENTERQUEUE, Verb.OFFER]  # not EXITEMPTY
    assert view(h, "a1").position == "desk2" and view(h, "a1").state is AgentState.RINGING
    assert [e.verb for e in h.agent_log("a1")][-3:] == [
        Verb.AGENTLOGOFF,
        Verb.AGENTLOGIN,
        Verb.OFFER,
    ]
