"""The SIP driver against real peers (sipp as FXO gateway, caller and agent phones) on
loopback, each scenario in its own process and network namespace (see sip_scenarios.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sip_peers import run_scenario

pytestmark = pytest.mark.skipif(shutil.which("sipp") is None, reason="sipp is not installed")


def test_sip_call_greeting_menu_agent_hold_transfer_hangup_is_carried_and_recorded() -> None:
    result: Any = run_scenario("full_call")
    assert result["caller"] == ["13800138000", "Li Wei"]
    # the greeting played to its end; the long menu was cut short by the caller's key 1
    assert result["prompts"] == [False, True, "1"]
    assert result["events"] == [
        "PositionInService(pos1)",
        "PositionInService(pos2)",
        "LineInService(gw1-1)",
        "LineInService(gw1-2)",
        "CallArrived(gw1-1)",
        "LineAnswered(gw1-1)",
        "PromptFinished(gw1-1)",
        "PromptFinished(gw1-1)",
        "DigitPressed(gw1-1)",
        "PositionAnswered(pos1)",
        "PositionAnswered(pos2)",
        "CallerHungUp(gw1-1)",
    ]
    # RTP flowed both ways on the caller's leg and on the second agent's leg
    caller_rx, caller_tx = result["packets"]["gw1-1"]
    agent_rx, agent_tx = result["packets"]["pos2"]
    assert caller_rx >= 50 and caller_tx >= 50
    assert agent_rx >= 50 and agent_tx >= 50
    assert result["hangup_cause"] == "bye"
    # the agent's phone shows who is calling
    assert result["agent_saw_from"][0].startswith('From: "Li Wei" <sip:13800138000@')
    assert result["caller_exit"] == 0, result["caller_errors"]
    # the recording holds the conversation: seconds of it, much of it loud speech
    assert result["recording"]["seconds"] > 3
    assert result["recording"]["loud_share"] > 0.1


def test_sip_agent_phone_busy_486_is_position_rejected() -> None:
    result: Any = run_scenario("agent_rejects")
    assert result["reason"] == "486 Busy Here"
    assert result["events"] == ["PositionInService(pos1)", "PositionRejected(pos1)"]


def test_sip_agent_not_answering_gets_cancel_and_can_be_rung_again_at_once() -> None:
    result: Any = run_scenario("agent_never_answers")
    assert result["phone_exit"] == 0, result["phone_errors"]  # the phone saw CANCEL, sent 487
    assert result["events"] == ["PositionInService(pos1)"]


def test_sip_caller_hanging_up_while_agent_rings_is_caller_hung_up() -> None:
    result: Any = run_scenario("caller_gives_up")
    assert result["caller"] == "13900139000"
    assert result["cause"] == "bye"
    assert result["caller_exit"] == 0
    assert "CallerHungUp(gw1-1)" in result["events"]


def test_sip_unknown_address_gets_403_and_garbage_is_dropped_then_calls_still_work() -> None:
    result: Any = run_scenario("stranger_and_garbage")
    assert result["stranger_exit"] == 0, result["stranger_errors"]  # it got its 403
    assert result["events_after_stranger"] == ["LineInService(gw1-1)", "LineInService(gw1-2)"]
    assert result["caller_exit"] == 0
    assert result["events"][2:] == ["CallArrived(gw1-1)", "CallerHungUp(gw1-1)"]


def test_sip_gateway_silent_to_options_is_line_faulted_then_back_in_service() -> None:
    result: Any = run_scenario("gateway_lost_and_back")
    assert "does not answer SIP OPTIONS" in result["reason"]
    assert result["events"] == [
        "LineInService(gw1-1)",
        "LineInService(gw1-2)",
        "LineFaulted(gw1-1)",
        "LineFaulted(gw1-2)",
        "LineInService(gw1-1)",
        "LineInService(gw1-2)",
    ]


@pytest.mark.skipif(shutil.which("baresip") is None, reason="baresip is not installed")
def test_sip_persistent_agent_dials_in_keys_login_takes_zip_call_and_stays_connected() -> None:
    result: Any = run_scenario("persistent_agent")
    assert result["events"] == [
        "PositionInService(pos1)",
        "PositionDigitPressed(pos1)",
        "PositionDigitPressed(pos1)",
        "PositionDigitPressed(pos1)",
        "CallArrived(gw1-1)",
        "LineAnswered(gw1-1)",
        "PositionAnswered(pos1)",  # at once: the agent is already on the line (zip tone)
        "DigitPressed(gw1-1)",  # the caller's scripted key 1, now in conversation
        "CallerHungUp(gw1-1)",
        "PositionFaulted(pos1)",  # only when the agent finally hangs up the dial-in call
    ]
    assert result["caller_exit"] == 0
    assert result["still_connected"] is True  # HangUpPosition left the agent's line up
    assert "dial-in call ended" in result["fault"]


def test_sip_dial_out_answered_is_line_answered_and_busy_is_dial_failed() -> None:
    result: Any = run_scenario("dial_out")
    assert result["far_end_exit"] == 0, result["far_end_errors"]  # it got our BYE
    assert result["failed"] == "486 Busy Here"
    assert result["events"] == [
        "LineInService(gwa)",
        "LineInService(gwb)",
        "LineAnswered(gwa)",
        "DialFailed(gwb)",
    ]


def test_sip_benchmark_reports_its_figures() -> None:
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run(
        [str(root / ".venv" / "bin" / "python"), "-m", "drivers.sip.bench", "4", "1500", "3", "3"],
        capture_output=True,
        text=True,
        timeout=90,
        cwd=root,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["calls"] >= 2
    for key in (
        "invite_to_agent_invite_p50_ms",
        "invite_to_agent_invite_p99_ms",
        "cpu_pct_per_bridged_call",
        "rss_mb",
    ):
        assert figures[key] > 0, key
    assert figures["calls_lost"] == 0
    assert 1 <= figures["max_concurrent_bridged"] <= 3
    assert figures["invite_to_agent_invite_p99_ms"] >= figures["invite_to_agent_invite_p50_ms"]


def test_sip_trunk_registers_with_digest_and_a_wrong_password_is_a_line_fault() -> None:
    result: Any = run_scenario("trunk_registration")
    assert result["exits"] == [0, 0], result["errors"]  # both saw the challenge and the answer
    assert result["events"] == ["LineFaulted(trunk2)", "LineInService(trunk1)"]
    assert "403 Forbidden" in result["reason"]
    assert "password" in result["reason"]


def test_sip_voicemail_after_beep_ends_when_caller_hangs_up_and_keeps_the_audio() -> None:
    result: Any = run_scenario("voicemail")
    assert result["events"] == [
        "CallArrived(gw1-1)",
        "LineAnswered(gw1-1)",
        "DigitPressed(gw1-1)",
        "RecordingFinished(gw1-1)",
        "CallerHungUp(gw1-1)",
    ]
    assert result["path"].endswith("voicemail/msg1.wav")
    assert result["duration_s"] > 2
    assert result["audio"]["seconds"] > 2
    assert result["audio"]["loud_share"] > 0.05  # the caller's voice, not silence
    assert result["caller_exit"] == 0


def test_sip_modem_line_frames_reach_the_agent_and_the_agents_audio_comes_back() -> None:
    result: Any = run_scenario("modem_line_bridged")
    assert result["frame_sizes"] == [320]  # 20 ms of 16-bit PCM at 8 kHz
    assert result["frames_taken"] >= 25
    assert result["frames_heard"] >= 25  # the agent's echo of the modem caller's tone
    assert result["stopped"] is True  # Disconnect stops the frames
    assert result["held_links"] == [["play:line:fxo0", "line:fxo0"]]  # music while held
    assert result["talk_links"] == [["line:fxo0", "pos:pos1"], ["pos:pos1", "line:fxo0"]]
    assert result["events"] == ["PositionInService(pos1)", "PositionAnswered(pos1)"]


def test_sip_lines_and_positions_with_the_real_engine_carry_a_queued_call() -> None:
    result: Any = run_scenario("real_engine")
    assert result["verbs"] == [
        "AGENTLOGIN",
        "INBOUND",
        "ENTERQUEUE",
        "OFFER",
        "CONNECT",
        "COMPLETECALLER",
        "WRAPUPSTART",
        "HANGUP",
    ]
    assert result["ended"] == 1
    for action in ("AnswerLine", "PlayPrompt", "RingPosition", "Connect", "HangUpPosition"):
        assert action in result["performed"], action
    assert min(result["talk_packets"]["pos1"]) >= 25  # agent and caller talked
    assert result["caller_exit"] == 0


def test_sip_headset_position_on_the_sound_device_is_rung_by_zip_and_bridged() -> None:
    # Runs on the null sound device: the plumbing is tested, not a real USB headset's audio.
    result: Any = run_scenario("headset_position")
    assert result["positions"] == ["usb"]
    assert result["events"] == [
        "PositionInService(usb)",
        "CallArrived(gw1-1)",
        "LineAnswered(gw1-1)",
        "PositionAnswered(usb)",
        "DigitPressed(gw1-1)",
        "CallerHungUp(gw1-1)",
    ]
    assert result["caller_exit"] == 0


def test_sip_key_sent_as_sip_info_arrives_as_digit_pressed() -> None:
    result: Any = run_scenario("sip_info_key")
    assert result["digit"] == "5"
    assert result["caller_exit"] == 0, result["errors"]  # the INFO got its 200 OK


def test_sip_hold_mute_supervisor_modes_and_recording_on_the_live_bridge() -> None:
    result: Any = run_scenario("call_control")
    caller, agent, sup = "line:gw1-1", "pos:pos1", "pos:sup"
    music, rec = "play:line:gw1-1", "rec:gw1-1"
    talk = [[caller, agent], [agent, caller]]

    def links(*pairs: tuple[str, str]) -> list[list[str]]:
        return sorted([list(p) for p in pairs])

    steps = result["steps"]
    assert steps["connect"] == sorted(talk)
    assert steps["hold"] == links((music, caller))  # caller hears music, agent nothing
    assert steps["unhold"] == sorted(talk)
    assert steps["mute"] == links((agent, caller))  # the agent stops hearing the caller
    assert steps["unmute"] == sorted(talk)  # by itself after the mute's seconds
    listen = [(caller, agent), (agent, caller), (caller, sup), (agent, sup)]
    assert steps["listen"] == links(*listen)
    assert steps["whisper"] == links(*listen, (sup, agent))
    assert steps["barge"] == links(*listen, (sup, agent), (sup, caller))
    assert steps["record"] == links(
        *listen, (sup, agent), (sup, caller), (caller, rec), (agent, rec), (sup, rec)
    )
    assert steps["disconnect"] == links((caller, rec))  # the supervisor left with the agent
    assert steps["stop_recording"] == []
    # three-way: everybody hears everybody
    assert steps["three_way"] == links(
        (caller, agent), (agent, caller), (caller, sup), (sup, caller), (agent, sup), (sup, agent)
    )
    assert "CallerHungUp(gw1-1)" not in result["events"]  # our own hang-up is no event


def test_sip_trunk_with_registrar_down_is_faulted_and_comes_back_by_itself() -> None:
    result: Any = run_scenario("trunk_comes_back")
    assert result["events"] == ["LineFaulted(trunk1)", "LineInService(trunk1)"]
    assert "503 Service Unavailable" in result["reason"]
    assert result["exits"] == [0, 0]


def test_sip_watched_trunk_whose_registrar_goes_silent_is_faulted_and_registers_again() -> None:
    result: Any = run_scenario("trunk_registrar_silent_and_back")
    assert result["events"] == [
        "LineInService(trunk1)",
        "LineFaulted(trunk1)",
        "LineInService(trunk1)",
    ]
    assert "registrar 127.0.0.7:5060 does not answer SIP OPTIONS" in result["reason"]
    # registered anew as soon as it answered: not after the hour's refresh or 600 s retry
    assert result["back_after_s"] < 10.0


def test_sip_gateway_configured_by_host_name_is_recognised_by_its_address() -> None:
    result: Any = run_scenario("gateway_by_name")
    assert result["events"] == ["LineInService(gw1)", "CallArrived(gw1)", "CallerHungUp(gw1)"]
    assert result["caller"] == "13900139000"
    assert result["caller_exit"] == 0


def test_sip_ring_phone_silent_to_options_is_position_faulted_then_back_in_service() -> None:
    result: Any = run_scenario("phone_lost_and_back")
    assert result["events"] == [
        "PositionInService(pos1)",
        "PositionFaulted(pos1)",
        "PositionInService(pos1)",
    ]
    assert "does not answer SIP OPTIONS" in result["reason"]


def test_sip_refused_caller_gets_486_and_hash_ends_a_voicemail() -> None:
    result: Any = run_scenario("refused_and_hash")
    assert result["refused_exit"] == 0, result["refused_errors"]  # it got 486 Busy Here
    assert result["events"] == [
        "CallArrived(gw1-1)",  # refused: no further event
        "CallArrived(gw1-1)",  # the line is free for the next caller
        "LineAnswered(gw1-1)",
        "DigitPressed(gw1-1)",  # '#'
        "RecordingFinished(gw1-1)",
    ]
    assert 1.0 < result["finished_s"] < 5.0  # ended by the key, not the 30 s limit
    assert result["message_s"] > 1.0
