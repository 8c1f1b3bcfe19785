"""What agents and supervisors do to a call in progress, and how a conversation ends."""

from __future__ import annotations

import pytest
from engine_harness import Harness, agent, make_setup, queue

from appliance.engine.commands import (
    Block,
    CommandRefused,
    HangUp,
    Hold,
    Listen,
    Mute,
    PlaceCall,
    StopListening,
    ThreeWay,
    Transfer,
    Unhold,
)
from appliance.engine.records import (
    AgentNotice,
    EndReason,
    NoticeKind,
    NumberBlocked,
    Verb,
)
from appliance.engine.views import AgentState
from drivers.roles import (
    CallerId,
    Connect,
    DialFailed,
    DialOut,
    DigitPressed,
    Disconnect,
    HangUpLine,
    HangUpPosition,
    HoldCaller,
    JoinSupervisor,
    LineAnswered,
    LineFaulted,
    ListenMode,
    MuteCaller,
    PlayMusic,
    PlayTone,
    PositionAnswered,
    PositionFaulted,
    PositionHungUp,
    RefuseCall,
    RingPosition,
    StartRecording,
    StopMedia,
    StopRecording,
    Tone,
)


def talking(**queue_fields: object) -> tuple[Harness, str]:
    """a1 is talking to a caller on l1 (queue cargo); a2 and boss (a supervisor) are free."""
    h = Harness(
        make_setup(
            queues=(queue("cargo", strategy=_linear(), **queue_fields),),
            agents=(
                agent("a1", "cargo"),
                agent("a2", "cargo"),
                agent("boss", supervisor=True),
            ),
            line_queues=(("l1", "cargo"), ("l2", "cargo")),
        )
    )
    h.lines("l1", "l2")
    for agent_id in ("a1", "a2", "boss"):
        h.login(agent_id)
    call_id = h.arrive("l1", "13800000001")
    h.answer("l1")
    h.finish_prompt("l1")
    h.pick_up("pos_a1")
    h.clear()
    return h, call_id


def _linear() -> object:
    from appliance.engine.setup import Strategy

    return Strategy.LINEAR


def states(h: Harness) -> dict[str, AgentState]:
    return {view.id: view.state for view in h.engine.snapshot(h.now).agents}


def test_hold_plays_music_and_unhold_reconnects_and_hold_time_is_recorded() -> None:
    h, call_id = talking()
    h.ev(Hold, agent="a1")
    assert h.actions[:2] == [HoldCaller("l1", "pos_a1"), PlayMusic("l1")]
    h.now += 20
    h.clear()
    h.ev(Unhold, agent="a1")
    assert h.actions[:2] == [StopMedia("l1"), Connect("l1", "pos_a1")]
    h.now += 10
    h.hang_up("l1")
    assert h.verbs(call_id)[:2] == [Verb.UNHOLD, Verb.COMPLETECALLER]
    assert h.record(call_id).hold_s == 20


def test_mute_mutes_caller_for_setup_seconds() -> None:
    h, call_id = talking()
    h.ev(Mute, agent="a1")
    assert h.of(MuteCaller) == [MuteCaller("l1", "pos_a1", 5.0)]
    assert h.log(call_id)[-1].verb is Verb.MUTE and h.log(call_id)[-1].data == ("5.000",)


def test_transfer_rings_target_then_rebridges_and_old_agent_wraps_up() -> None:
    h, call_id = talking()
    h.now += 30
    h.ev(Transfer, agent="a1", to_agent="a2")
    assert h.of(RingPosition)[0].position == "pos_a2"
    h.clear()
    h.ev(PositionAnswered, position="pos_a2")
    assert h.actions[:4] == [
        Disconnect("l1", "pos_a1"),
        HangUpPosition("pos_a1"),
        StopMedia("l1"),
        Connect("l1", "pos_a2"),
    ]
    transfer, connect = h.log(call_id)[:2]
    assert transfer.verb is Verb.TRANSFER and transfer.agent == "a1"
    assert transfer.data[0] == "a2" and transfer.data[3] == "30.000"
    assert connect.verb is Verb.CONNECT and connect.agent == "a2"
    assert states(h)["a1"] is AgentState.WRAP_UP and states(h)["a2"] is AgentState.ON_CALL
    h.now += 15
    h.hang_up("l1")
    complete = next(e for e in h.log(call_id) if e.verb is Verb.COMPLETECALLER)
    assert complete.agent == "a2" and complete.data[1] == "15.000"
    record = h.record(call_id)
    assert record.agent == "a2" and record.talk_s == 45


def test_transfer_not_answered_leaves_caller_with_first_agent() -> None:
    h, call_id = talking()
    h.ev(Transfer, agent="a1", to_agent="a2")
    h.advance(15)
    assert states(h)["a1"] is AgentState.ON_CALL and states(h)["a2"] is AgentState.READY
    notices = [n for n in h.of(AgentNotice) if n.agent == "a1"]
    assert notices[-1].detail == "transfer_not_answered"
    assert call_id in {c.id for c in h.engine.snapshot(h.now).calls}


def test_transfer_to_unknown_or_busy_agent_is_refused() -> None:
    h, _call_id = talking()
    with pytest.raises(CommandRefused, match="no agent 'boss2'"):
        h.ev(Transfer, agent="a1", to_agent="boss2")
    h.ev(Listen, supervisor="boss", agent="a1")
    with pytest.raises(CommandRefused, match="boss is not free"):
        h.ev(Transfer, agent="a1", to_agent="boss")
    assert not h.of(RingPosition)


def test_call_control_without_a_conversation_is_refused() -> None:
    h, _call_id = talking()
    for command in (Hold, Unhold, Mute, Block, HangUp):
        with pytest.raises(CommandRefused, match=r"a2 is not in a conversation|a2 has no call"):
            h.ev(command, agent="a2")
    with pytest.raises(CommandRefused, match="not on hold"):
        h.ev(Unhold, agent="a1")
    assert h.actions == []


def test_three_way_connects_second_position_too() -> None:
    h, call_id = talking()
    h.ev(ThreeWay, agent="a1", with_agent="a2")
    h.clear()
    h.ev(PositionAnswered, position="pos_a2")
    assert h.of(Connect) == [Connect("l1", "pos_a2")]
    assert states(h)["a2"] is AgentState.ON_CALL
    h.clear()
    h.hang_up("l1")
    assert set(h.of(Disconnect)) == {Disconnect("l1", "pos_a1"), Disconnect("l1", "pos_a2")}
    assert states(h)["a2"] is AgentState.READY and states(h)["a1"] is AgentState.WRAP_UP
    assert h.record(call_id).agent == "a1"


def test_three_way_second_agent_hanging_up_leaves_the_call_going() -> None:
    h, _call_id = talking()
    h.ev(ThreeWay, agent="a1", with_agent="a2")
    h.ev(PositionAnswered, position="pos_a2")
    h.clear()
    h.ev(PositionHungUp, position="pos_a2")
    assert h.of(Disconnect) == [Disconnect("l1", "pos_a2")]
    assert states(h)["a1"] is AgentState.ON_CALL
    assert not h.of(HangUpLine)


def test_supervisor_listen_whisper_and_stop() -> None:
    h, _call_id = talking()
    h.ev(Listen, supervisor="boss", agent="a1", mode=ListenMode.WHISPER)
    assert h.of(JoinSupervisor) == [JoinSupervisor("l1", "pos_a1", "pos_boss", ListenMode.WHISPER)]
    h.ev(StopListening, supervisor="boss")
    assert h.of(Disconnect) == [Disconnect("l1", "pos_boss")]


def test_listening_supervisor_is_dropped_when_call_ends() -> None:
    h, _call_id = talking()
    h.ev(Listen, supervisor="boss", agent="a1")
    h.hang_up("l1")
    assert Disconnect("l1", "pos_boss") in h.of(Disconnect)
    assert states(h)["boss"] is AgentState.READY


def test_only_supervisors_may_listen() -> None:
    h, _call_id = talking()
    with pytest.raises(CommandRefused, match="a2 is not a supervisor"):
        h.ev(Listen, supervisor="a2", agent="a1")
    assert h.actions == []


def test_block_busy_tone_hang_up_blacklist_then_refused() -> None:
    h, call_id = talking()
    h.ev(Block, agent="a1")
    assert h.of(PlayTone) == [PlayTone("l1", Tone.BUSY, 3.0)]
    assert h.of(HangUpLine) == [HangUpLine("l1")]
    assert h.of(NumberBlocked)[0].number == "13800000001"
    assert h.verbs(call_id) == [Verb.COMPLETEAGENT, Verb.BLOCKED, Verb.HANGUP]
    assert h.log(call_id)[1].data == ("a1",)
    assert h.record(call_id).end_reason is EndReason.BLOCKED
    h.clear()
    h.arrive("l1", "13800000001")
    assert h.of(RefuseCall) == [RefuseCall("l1")]


def test_talk_time_warning_once_past_the_limit() -> None:
    h, call_id = talking(talk_time_limit_s=300)
    h.advance(299)
    assert not h.log(call_id)
    h.advance(1)
    assert h.verbs(call_id) == [Verb.TALKWARNING]
    assert h.log(call_id)[0].data == ("300.000",)
    warnings = [n for n in h.of(AgentNotice) if n.kind is NoticeKind.TALK_TIME_WARNING]
    assert [n.agent for n in warnings] == ["a1"]
    h.advance(900)
    assert h.verbs(call_id) == [Verb.TALKWARNING]


def test_survey_after_agent_hangs_up_takes_score() -> None:
    h, call_id = talking(survey=True)
    h.now += 50
    h.ev(PositionHungUp, position="pos_a1")
    assert h.last_prompt("l1").prompts == ("survey",)
    assert not h.of(HangUpLine)
    h.finish_prompt("l1")
    h.now += 7
    h.ev(DigitPressed, line="l1", digit="4")
    assert h.last_prompt("l1").prompts == ("survey_thanks",)
    h.finish_prompt("l1")
    assert h.of(HangUpLine) == [HangUpLine("l1")]
    assert h.verbs(call_id) == [Verb.COMPLETEAGENT, Verb.SURVEY, Verb.HANGUP]
    assert h.record(call_id).survey_score == 4
    assert h.record(call_id).talk_s == 50  # the survey is not talk time


def test_survey_without_a_key_hangs_up_without_score() -> None:
    h, call_id = talking(survey=True)
    h.ev(HangUp, agent="a1")
    assert h.of(HangUpPosition) == [HangUpPosition("pos_a1")]
    h.finish_prompt("l1")
    h.advance(10)
    assert h.of(HangUpLine) == [HangUpLine("l1")]
    assert h.record(call_id).survey_score is None


def test_recorded_queue_starts_and_stops_recording() -> None:
    h = Harness(
        make_setup(
            queues=(queue("cargo", record_calls=True),),
            agents=(agent("a1", "cargo"),),
            line_queues=(("l1", "cargo"),),
        )
    )
    h.lines("l1")
    h.login("a1")
    call_id = h.arrive("l1")
    h.answer("l1")
    h.finish_prompt("l1")
    h.pick_up("pos_a1")
    assert h.of(StartRecording) == [StartRecording("l1", f"/rec/{call_id}.wav")]
    h.hang_up("l1")
    assert h.of(StopRecording) == [StopRecording("l1")]
    assert h.record(call_id).recording_path == f"/rec/{call_id}.wav"


def test_line_fault_mid_call_ends_with_line_fault_and_frees_agent() -> None:
    h, call_id = talking()
    h.ev(LineFaulted, line="l1", reason="modem unplugged")
    assert h.of(Disconnect) == [Disconnect("l1", "pos_a1")]
    assert not h.of(HangUpLine)
    assert h.record(call_id).end_reason is EndReason.LINE_FAULT
    fault = next(e for e in h.log() if e.verb is Verb.LINEFAULT)
    assert fault.agent == "l1" and fault.data == ("modem unplugged",)
    assert states(h)["a1"] is AgentState.WRAP_UP
    line = next(v for v in h.engine.snapshot(h.now).lines if v.id == "l1")
    assert not line.in_service and line.fault == "modem unplugged"


def test_outbound_call_rings_agent_then_dials_and_connects() -> None:
    h, _call_id = talking()
    h.ev(PlaceCall, agent="a2", number="13900000009", purpose="callback", task_id="t1")
    ring = h.of(RingPosition)[0]
    assert ring.position == "pos_a2" and ring.caller == CallerId("13900000009")
    outbound = h.log()[0]
    assert outbound.verb is Verb.OUTBOUND and outbound.data == ("13900000009", "callback")
    h.ev(PositionAnswered, position="pos_a2")
    assert h.of(DialOut) == [DialOut("l2", "13900000009")]
    h.ev(LineAnswered, line="l2")
    assert h.of(Connect) == [Connect("l2", "pos_a2")]
    h.now += 40
    h.hang_up("l2")
    assert [(e.verb, e.agent, e.queue) for e in h.log(outbound.call_id)] == [
        (Verb.OUTBOUND, "a2", "NONE"),
        (Verb.OFFER, "a2", "NONE"),
        (Verb.CONNECT, "a2", "NONE"),
        (Verb.COMPLETECALLER, "a2", "NONE"),
        (Verb.HANGUP, "a2", "NONE"),
    ]
    record = h.record(outbound.call_id)
    assert record.direction == "out" and record.talk_s == 40 and record.line == "l2"
    assert record.end_reason is EndReason.ANSWERED


def test_outbound_dial_failed_ends_with_outbound_failed() -> None:
    h, _call_id = talking()
    h.ev(PlaceCall, agent="a2", number="13900000009")
    h.ev(PositionAnswered, position="pos_a2")
    h.ev(DialFailed, line="l2", reason="busy")
    call_id = h.log()[0].call_id
    assert h.record(call_id).end_reason is EndReason.OUTBOUND_FAILED
    assert h.of(HangUpPosition) == [HangUpPosition("pos_a2")]
    assert states(h)["a2"] is AgentState.READY


def test_outbound_with_no_free_line_fails() -> None:
    h, _call_id = talking()
    h.ev(LineFaulted, line="l2")
    h.ev(PlaceCall, agent="a2", number="13900000009")
    h.ev(PositionAnswered, position="pos_a2")
    call_id = next(e for e in h.log() if e.verb is Verb.OUTBOUND).call_id
    assert h.record(call_id).end_reason is EndReason.OUTBOUND_FAILED
    assert not h.of(DialOut)


def test_position_fault_of_agent_who_transferred_leaves_the_new_conversation_alone() -> None:
    h, call_id = talking()
    h.ev(Transfer, agent="a1", to_agent="a2")
    h.ev(PositionAnswered, position="pos_a2")  # a1 wraps up the call a2 now has
    h.clear()
    h.ev(PositionFaulted, position="pos_a1")
    assert not h.of(Disconnect)
    assert states(h)["a2"] is AgentState.ON_CALL
    assert [e.verb for e in h.log(call_id)] == []


def test_recording_without_a_folder_is_a_bare_file_name() -> None:
    from appliance.engine.engine import Engine

    engine = Engine(
        make_setup(queues=(queue("cargo", record_calls=True),), line_queues=(("l1", "cargo"),))
    )
    h = Harness(make_setup())
    h.engine = engine
    h.lines("l1")
    h.login("a1")
    call_id = h.arrive("l1")
    h.answer("l1")
    h.finish_prompt("l1")
    h.pick_up("pos_a1")
    assert h.of(StartRecording) == [StartRecording("l1", f"{call_id}.wav")]
