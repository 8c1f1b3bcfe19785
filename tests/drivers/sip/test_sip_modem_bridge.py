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
    assert result["echo_heard"] is True
    assert result["echo_rms"] > 3000
    assert result["echo_tone_share"] > 0.8  # the caller's 1 kHz tone, through G.711 twice
    assert result["echo_other_share"] < 0.05
    agent_rx, agent_tx = result["packets"]["pos1"]
    assert agent_rx >= 50 and agent_tx >= 50  # a second of RTP each way on the agent's leg
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
