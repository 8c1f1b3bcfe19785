"""A simulated voice modem line and the real engine and store, bridged to SIP agent phones
(sipp) on loopback; each scenario in its own process and network namespace (see
modem_bridge_scenario.py)."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from sip_peers import run_scenario

pytestmark = pytest.mark.skipif(shutil.which("sipp") is None, reason="sipp is not installed")


def test_sip_modem_simulator_caller_and_sip_agent_hear_each_other() -> None:
    result: Any = run_scenario("modem_sim_bridged_to_sip_agent")
    assert result["caller"] == ["13800138000", "ZHANG SAN"]
    assert result["offhook_after_answer"] is True
    assert result["duplex_started"] is True  # Connect made the modem stream both ways
    # before the caller speaks the line is quiet: what comes back is the caller's own voice
    assert result["heard_before_speaking_rms"] < 300
    # talking: the caller hears its own 1 kHz tone back from the agent's phone, loud and
    # clean after G.711 both ways through the modem, the pjsua2 bridge and RTP
    talking = result["talking"]
    assert talking["rms"] > 3000 and talking["own_tone"] > 0.8 and talking["music"] < 0.05
    # on hold: the caller hears the hold music instead, not its own voice
    held = result["held"]
    assert held["rms"] > 3000 and held["music"] > 0.8 and held["own_tone"] < 0.05
    # off hold: the agent and the caller hear each other again
    unheld = result["unheld"]
    assert unheld["rms"] > 3000 and unheld["own_tone"] > 0.8 and unheld["music"] < 0.05
    agent_rx, agent_tx = result["packets"]["pos1"]
    assert agent_rx >= 150 and agent_tx >= 150  # RTP both ways on the agent leg, 50 a second
    assert result["hangup_cause"] == "loop_break"
    assert result["on_hook"] is True
    # the modem and the phone come into service in either order
    assert sorted(result["events"][:2]) == ["LineInService(fxo0)", "PositionInService(pos1)"]
    assert result["events"][2:] == [
        "CallArrived(fxo0)",
        "LineAnswered(fxo0)",
        "PositionAnswered(pos1)",
        "CallerHungUp(fxo0)",
    ]


def test_sip_call_on_the_real_depot_is_held_transferred_and_kept_in_cdr_and_queue_log() -> None:
    result: Any = run_scenario("depot_records_sip_call")
    assert result["caller_exit"] == 0, result["caller_errors"]  # its BYE got 200 OK
    # both agents talked with the caller: RTP both ways on each agent's leg
    assert min(result["a1_talk_packets"]) >= 50
    assert min(result["a2_talk_packets"]) >= 50
    assert result["a1_after_transfer"] == "wrap_up"
    record = result["record"]
    assert (record["line"], record["number"], record["name"]) == ("gw1-1", "13800138000", "Li Wei")
    assert record["queue"] == "orders"  # the caller's key 1; the menu's default is cargo
    assert record["agent"] == "a2"  # one record for the whole call, naming the last agent
    assert record["end_reason"] == "ANSWERED"
    assert record["hold_s"] >= 1.0  # a second of hold music was heard
    assert record["talk_s"] > record["hold_s"] + 2.0
    assert record["recording_path"].endswith(".wav")
    assert result["recording"]["seconds"] > 3.0  # the conversation, both agents
    assert result["recording"]["loud_share"] > 0.1
    verbs = [entry[:3] for entry in result["queue_log"]]
    assert verbs == [
        ["INBOUND", "NONE", "NONE"],
        ["ENTERQUEUE", "NONE", "orders"],
        ["OFFER", "a1", "orders"],
        ["CONNECT", "a1", "orders"],
        ["HOLD", "a1", "orders"],
        ["UNHOLD", "a1", "orders"],
        ["OFFER", "a2", "orders"],
        ["TRANSFER", "a1", "orders"],
        ["CONNECT", "a2", "orders"],
        ["COMPLETECALLER", "a2", "orders"],
        ["HANGUP", "a2", "orders"],
    ]
    inbound, transfer, completed = (result["queue_log"][n] for n in (0, 7, 9))
    assert inbound[3:5] == ["13800138000", "Li Wei"]
    assert result["queue_log"][-1][3] == "answered"  # HANGUP(end_reason)
    assert transfer[3] == "a2"  # TRANSFER(to_agent, "", wait_s, a1's talk_s)
    # the record's talk time is a1's part (up to the transfer) plus a2's (COMPLETECALLER)
    a1_talk_s, a2_talk_s = float(transfer[6]), float(completed[4])
    assert a1_talk_s > record["hold_s"] and a2_talk_s > 1.0
    assert abs(record["talk_s"] - (a1_talk_s + a2_talk_s)) < 0.5


def test_sip_modem_caller_on_full_box_rings_unanswered_box_full_record_next_reaches_agent() -> None:
    result: Any = run_scenario("modem_caller_on_full_box_is_recorded", timeout_s=90)
    assert result["answered_while_full"] is False  # the caller kept hearing ringing
    assert result["records"] == [
        ["fxo0", "13800138000", "box_full", ""],
        ["gw1-1", "13800138000", "answered", "a1"],  # a1 ended it to free the box
        ["fxo0", "13900139000", "answered", "a1"],
    ]
    assert result["refused_log"] == [
        ["INBOUND", "13800138000", "ZHANG SAN"],
        ["CALLBACKREQUEST", "box_full"],  # the depot calls the caller it could not take
        ["HANGUP", "box_full"],
    ]
    assert result["duplex_started"] is True  # the second modem caller talked with a1
    # no agent was offered the refused caller, so none was charged a miss
    assert not {"RINGNOANSWER", "RINGREJECTED", "RINGCANCELED", "PAUSE"} & set(result["verbs"])
    assert result["events"].count("CallTurnedAway(fxo0)") == 1
