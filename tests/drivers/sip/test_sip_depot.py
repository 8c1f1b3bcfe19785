"""The depot's size on the pjsua2 source build against sipp and baresip on loopback: every
refused caller is on record, even in a flood that meets pjsua's own call limit; more callers
than lines; three-ways on a full box; a silent phone is not the agent's miss; eight baresip
agent phones."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sip_peers import run_scenario

pytestmark = pytest.mark.skipif(shutil.which("sipp") is None, reason="sipp is not installed")
AGENT_FAULTS = ("PositionRejected", "OfferNotPlaced", "PositionFaulted")


# make test's pjsua2 built with PJSUA_MAX_CALLS 8 (image_build/pjsua2/build.sh, PJSUA2_MAX_CALLS)
LEGS8 = Path(__file__).resolve().parents[3] / ".venv" / "pjsua2-legs8"


@pytest.mark.parametrize(
    ("scenario", "build"),
    [
        ("flood_on_full_box", ""),
        pytest.param(
            "flood_on_eight_leg_build",
            str(LEGS8),
            marks=pytest.mark.skipif(
                not (LEGS8 / "pjsua2_build.py").exists(),
                reason="no pjsua2 build of 8 legs: `make test` builds it",
            ),
        ),
    ],
)
def test_sip_flood_on_a_box_of_eight_legs_every_486_is_a_box_full_record(
    scenario: str, build: str
) -> None:
    result: Any = run_scenario(scenario, timeout_s=90, pjsua2_dir=build)
    assert result["build_max_calls"] == (8 if build else 128)
    assert result["offers_answered"] == ["offer-1", "offer-2", "offer-3"]
    # the fourth caller's agent leg would take the spare slot: the admission rule refuses it
    assert result["fourth"] == ["gw1-4", "box_full", 0] and result["fourth_by_pjsua"] == 0
    assert result["flood_exit"] == 0  # every INVITE of the flood answered 486, and ACKed
    assert result["busy_answers"] == 200
    assert result["turned_away"] == 200  # one record per 486 sipp saw
    assert result["reasons"] == ["box_full"]
    assert result["numbers"] == 200  # each with its caller's number
    assert result["refused_by_pjsua"] > 0  # pjsua's own limit answered them, not the rule
    assert result["callers_exit"] == 0
    assert result["late_arrived_s"] < 1.0
    assert result["late_answered"] == "offer-late"
    assert result["late_exit"] == 0
    assert not [n for n in result["events"] if n.startswith(AGENT_FAULTS)]


def test_sip_three_ways_on_a_full_box_the_caller_without_a_leg_is_turned_away() -> None:
    result: Any = run_scenario("three_ways_then_callers_on_a_full_box", timeout_s=90)
    # 6 legs talking (two callers, each with an agent and a three-way colleague) + 2 newcomers
    # + their 2 agent legs = 10 of 11: the third newcomer is refused, not answered and stranded
    assert result["turned_away"] == ["box_full"]
    assert result["newcomers"] == ["answered", "answered"]
    assert not [n for n in result["events"] if n.startswith(AGENT_FAULTS)]


def test_sip_twelve_callers_on_eight_lines_eight_bridged_four_lines_busy_records() -> None:
    result: Any = run_scenario("twelve_callers_on_eight_lines", timeout_s=90)
    assert result["bridged_at_once"] == 8  # caller ↔ agent, both directions, on 8 calls
    assert result["busy_answers"] == 4
    assert result["end_reasons"] == ["answered"] * 8 + ["lines_busy"] * 4
    assert result["refused_lines"] == ["gw1"] * 4  # the gateway's id: no line of it was free
    verbs = result["verbs"]
    assert "RINGNOANSWER" not in verbs and "RINGREJECTED" not in verbs and "PAUSE" not in verbs
    assert result["agent_states"] == ["ready"]  # all 12, after the calls
    assert result["late_exit"] == 0  # and a new caller was put through to one of them
    assert not [n for n in result["events"] if n.startswith(AGENT_FAULTS)]


def test_sip_phone_that_sends_nothing_back_is_offer_not_placed_and_agent_never_paused() -> None:
    result: Any = run_scenario("silent_phone_is_not_the_agents_miss", timeout_s=60)
    verbs = result["verbs"]
    assert "RINGCANCELED" in verbs and ["not_placed"] in result["canceled"]
    assert "RINGNOANSWER" not in verbs and "RINGREJECTED" not in verbs
    assert "PAUSE" not in verbs  # max_missed_offers=1: one miss would have paused a1
    assert "OfferNotPlaced(pos1)" in result["events"]


@pytest.mark.skipif(shutil.which("baresip") is None, reason="baresip is not installed")
def test_sip_eight_baresip_agent_phones_all_bridged_both_ways_then_all_hang_up() -> None:
    result: Any = run_scenario("eight_baresip_phones", timeout_s=60)
    assert result["offers_answered"] == [f"offer-{n}" for n in range(1, 9)]
    assert result["bridged_at_once"] == 8  # caller ↔ agent, both directions, on 8 calls
    packets = result["packets"]
    assert all(min(packets[f"pos{n}"]) >= 25 for n in range(1, 9))  # baresip's tone came in
    assert result["callers_exit"] == 0  # sipp saw every call end cleanly
    assert result["phones_running"] == 8
    names = result["events"]
    assert sum(n.startswith("CallerHungUp") for n in names) == 8
    assert not [n for n in names if n.startswith(AGENT_FAULTS)]
