"""A caller's way through the engine: menu, queue, offer, conversation, wrap-up, the record."""

from __future__ import annotations

from engine_harness import T0, Harness

from appliance.engine.records import AgentNotice, EndReason, NoticeKind, Verb
from appliance.engine.views import AgentState
from drivers.roles import (
    AnswerLine,
    CallerId,
    Connect,
    Disconnect,
    HangUpLine,
    HangUpPosition,
    PlayMusic,
    PositionHungUp,
    RingPosition,
    StopMedia,
)


def test_arrival_answers_line_then_plays_greeting_and_menu_with_barge_in(depot: Harness) -> None:
    depot.arrive()
    assert depot.of(AnswerLine) == [AnswerLine("l1")]
    depot.answer("l1")
    prompt = depot.last_prompt("l1")
    assert prompt.prompts == (
        "greeting",
        "menu_cargo",
        "menu_orders",
        "menu_complaints",
        "menu_language",
    )
    assert prompt.barge_in and prompt.language == "zh-CN"


def test_answered_call_writes_exactly_the_queue_log_of_an_answered_call(depot: Harness) -> None:
    call_id = depot.call_into_queue()
    assert depot.rung() == ["pos_a1"]
    depot.now += 4
    depot.pick_up("pos_a1")
    depot.now += 60
    depot.hang_up("l1")
    depot.advance(10)
    assert depot.verbs(call_id) == [
        Verb.INBOUND,
        Verb.ENTERQUEUE,
        Verb.OFFER,
        Verb.CONNECT,
        Verb.COMPLETECALLER,
        Verb.HANGUP,
    ]
    assert [e.verb for e in depot.agent_log("a1") if e.call_id == "NONE"] == [
        Verb.WRAPUPSTART,
        Verb.WRAPUPEND,
    ]
    connect = depot.log(call_id)[3]
    assert connect.agent == "a1" and connect.queue == "cargo"
    assert connect.data == ("4.000", "", "4.000")
    complete = depot.log(call_id)[4]
    assert complete.data == ("4.000", "60.000", "1")
    assert depot.log(call_id)[-1].data == ("answered",)


def test_answered_call_actions_in_order(depot: Harness) -> None:
    depot.call_into_queue()
    depot.clear()
    depot.pick_up("pos_a1")
    assert [a for a in depot.actions if not isinstance(a, (AgentNotice,))][:2] == [
        StopMedia("l1"),
        Connect("l1", "pos_a1"),
    ]
    depot.clear()
    depot.hang_up("l1")
    assert depot.of(Disconnect) == [Disconnect("l1", "pos_a1")]
    assert depot.of(HangUpPosition) == [HangUpPosition("pos_a1")]
    assert not depot.of(HangUpLine)  # the caller's side is already on-hook


def test_queue_plays_music_and_rings_with_caller_id_and_ring_timeout(depot: Harness) -> None:
    call_id = depot.call_into_queue(number="13911112222")
    assert depot.of(PlayMusic) == [PlayMusic("l1")]
    ring = depot.of(RingPosition)[0]
    assert ring == RingPosition(
        "pos_a1", call_id, CallerId("13911112222"), 15.0, offer_id=f"{call_id}/1"
    )
    pops = [n for n in depot.of(AgentNotice) if n.kind is NoticeKind.SCREEN_POP]
    assert pops[0].agent == "a1" and pops[0].number == "13911112222"


def test_call_record_of_answered_call(depot: Harness) -> None:
    call_id = depot.call_into_queue(number="13911112222")
    depot.now += 5
    depot.pick_up("pos_a1")
    depot.now += 100
    depot.hang_up("l1")
    record = depot.record(call_id)
    assert record.end_reason is EndReason.ANSWERED
    assert record.agent == "a1" and record.queue == "cargo" and record.line == "l1"
    assert record.arrived_s == T0 and record.ended_s == T0 + 105
    assert record.wait_s == 5 and record.talk_s == 100
    assert record.direction == "in" and record.number == "13911112222"


def test_agent_hang_up_completes_agent_and_hangs_up_line(depot: Harness) -> None:
    call_id = depot.call_into_queue()
    depot.pick_up("pos_a1")
    depot.now += 30
    depot.ev(PositionHungUp, position="pos_a1")
    assert depot.verbs(call_id)[-2:] == [Verb.COMPLETEAGENT, Verb.HANGUP]
    assert depot.of(HangUpLine) == [HangUpLine("l1")]
    assert depot.record(call_id).talk_s == 30


def test_wrap_up_counts_down_then_agent_is_ready_again(depot: Harness) -> None:
    call_id = depot.call_into_queue()
    depot.pick_up("pos_a1")
    depot.now += 20
    depot.hang_up("l1")
    view = {a.id: a for a in depot.engine.snapshot(depot.now).agents}["a1"]
    assert view.state is AgentState.WRAP_UP and view.call_id == call_id
    assert view.wrap_up_until_s == depot.now + 10
    assert depot.engine.next_deadline() == depot.now + 10
    depot.advance(10)
    view = {a.id: a for a in depot.engine.snapshot(depot.now).agents}["a1"]
    assert view.state is AgentState.READY and view.wrap_up_until_s is None
    assert view.call_id == ""
    assert view.calls_today == 1 and view.talk_s_today == 20
    wrap_end = next(e for e in depot.agent_log("a1") if e.verb is Verb.WRAPUPEND)
    assert wrap_end.data == ("10.000",)
