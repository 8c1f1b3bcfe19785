"""The box at its limits, on the pjsua2 source build against sipp on loopback: callers it cannot
carry are refused and reported, and a leg it cannot place is its own fault, not the agent's."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from sip_peers import run_scenario

pytestmark = pytest.mark.skipif(shutil.which("sipp") is None, reason="sipp is not installed")


def test_sip_box_full_caller_gets_486_and_call_turned_away_and_taken_callers_reach_agents() -> None:
    result: Any = run_scenario("box_full_turns_caller_away")
    assert result["turned_away"] == ["13800138000", "box_full"]
    assert result["offers_answered"] == ["offer-1", "offer-2"]
    names = result["events"]
    assert names.count("CallArrived(gw1-1)") + names.count("CallArrived(gw1-2)") == 2
    assert names.count("CallTurnedAway(gw1-3)") == 1
    assert not [n for n in names if n.startswith(("PositionRejected", "OfferNotPlaced"))]
    assert "486" in result["callers_log"]  # the third caller was answered Busy Here


def test_sip_agent_leg_the_box_cannot_place_is_offer_not_placed_not_rejected() -> None:
    result: Any = run_scenario("agent_leg_not_placed")
    assert result["offer_id"] == "offer-9"
    assert "call legs" in result["reason"]
    assert not [n for n in result["events"] if n.startswith("PositionRejected")]


def test_sip_invite_flood_box_survives_and_next_caller_reaches_an_agent() -> None:
    result: Any = run_scenario("invite_flood_then_normal_call", timeout_s=120)
    assert result["flood_exit"] == 0, result["flood_errors"]  # all 200 answered 486 or 487
    assert result["offer_answered"] == "after-flood"
    assert result["caller_exit"] == 0
    names = result["events"]
    assert not [n for n in names if n.startswith(("PositionRejected", "OfferNotPlaced"))]
    assert sum(n.startswith("CallArrived") for n in names) == 5  # 4 of the flood, then one


def test_sip_eight_callers_at_once_all_reach_agents_with_audio_both_ways() -> None:
    result: Any = run_scenario("eight_calls_all_bridged", timeout_s=120)
    assert result["offers_answered"] == 8
    assert result["bridged_at_once"] == 8  # caller ↔ agent, both directions, on 8 calls
    assert result["callers_exit"] == 0
    names = result["events"]
    assert not [n for n in names if n.startswith(("PositionRejected", "OfferNotPlaced"))]
    assert sum(n.startswith("CallerHungUp") for n in names) == 8


def test_sip_out_of_sockets_ringing_is_offer_not_placed_and_no_abort() -> None:
    result: Any = run_scenario("out_of_sockets")
    assert result["not_placed"][0] == "starved"
    assert result["answered"] == "again"  # the process lived on, and rings once sockets free up
    assert not [n for n in result["events"] if n.startswith("PositionRejected")]


def test_sip_modem_line_on_full_box_rings_unanswered_turned_away_once_then_answered() -> None:
    result: Any = run_scenario("modem_line_not_answered_on_full_box", timeout_s=90)
    assert result["turned_away"] == ["13800138000", "box_full"]
    assert result["answered_while_full"] is False  # the caller kept hearing ringing
    assert result["again"] == "13900139000"
    assert result["offer_answered"] == "offer-modem"
    assert result["duplex_started"] is True  # bridged to the agent's phone
    names = result["events"]
    # one record of the refused caller, nothing when its ringing stopped, no offer to an agent
    assert [n for n in names if n.endswith("(fxo0)")] == [
        "LineInService(fxo0)",
        "CallTurnedAway(fxo0)",
        "CallArrived(fxo0)",
        "LineAnswered(fxo0)",
        "CallerHungUp(fxo0)",
    ]
    assert not [n for n in names if n.startswith(("PositionRejected", "OfferNotPlaced"))]
