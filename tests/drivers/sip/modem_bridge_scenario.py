"""SIP scenarios that join other parts of depotline to the SIP stack: a simulated voice modem
(real ModemLine over a pty) bridged to a SIP agent phone, and the real engine and store
carrying a SIP call. Run through sip_scenarios.py (`python sip_scenarios.py NAME`)."""

from __future__ import annotations

import array
import asyncio
import cmath
import math
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

from sip_scenarios import (
    AGENT1,
    BOX,
    BOX_PORT,
    POS1,
    EngineStandIn,
    agent,
)

from drivers.modem import ModemLine, audio
from drivers.modem.sim import ModemSimulator
from drivers.roles import (
    AnswerLine,
    CallArrived,
    CallerHungUp,
    Connect,
    Disconnect,
    HangUpPosition,
    LineAnswered,
    LineInService,
    PositionAnswered,
    PositionInService,
    RingPosition,
)
from drivers.sip import SipMediaBridge, SipPositions, SipStack

TONE_HZ = 1000.0


def tone_share(samples: array.array[int], frequency_hz: float) -> float:
    """How much of the audio's power is at `frequency_hz` (1.0 = a pure tone, 0 = none)."""
    if not samples:
        return 0.0
    step = -2j * math.pi * frequency_hz / 8000
    amplitude = 2 * abs(sum(s * cmath.exp(step * n) for n, s in enumerate(samples))) / len(samples)
    rms = math.sqrt(sum(s * s for s in samples) / len(samples))
    return 0.0 if rms == 0 else (amplitude / math.sqrt(2)) ** 2 / rms**2


def rms(samples: array.array[int]) -> float:
    return math.sqrt(sum(s * s for s in samples) / len(samples)) if samples else 0.0


async def modem_sim_bridged_to_sip_agent(workdir: Path) -> dict[str, object]:
    """A caller rings a simulated full-duplex modem; the real ModemLine answers; an agent's SIP
    phone (sipp, echoing its audio) is rung and bridged to the line. The caller's tone goes
    modem → ModemLine → pjsua2 bridge → RTP → phone, and its echo all the way back, so the
    simulated caller hears its own tone; then the caller hangs up and the line goes on-hook."""
    sim = ModemSimulator(
        "conexant", link=os.fspath(workdir / "fxo0"), full_duplex=True, ring_interval_s=0.4
    ).start()
    modem = ModemLine(
        "fxo0",
        sim.device,
        dialect="conexant",
        rings_before_answer=1,
        caller_id_wait_s=1.0,
        ring_gap_s=1.5,
        silence_s=30.0,
    )
    stack = SipStack(
        listen=BOX,
        port=BOX_PORT,
        rtp_port=20000,
        positions=[POS1],
        line_audio={"fxo0": modem.line_audio("fxo0")},
        prompt_dirs=[str(workdir / "prompts")],
        prompt_cache_dir=str(workdir / "prompt_cache"),
    )
    positions, bridge = SipPositions(stack), SipMediaBridge(stack)
    engine = EngineStandIn()
    phone = agent(workdir, "agent1", AGENT1)
    tasks = [
        asyncio.create_task(modem.run(engine.sink)),
        asyncio.create_task(positions.run(engine.sink)),
    ]
    result: dict[str, object] = {}
    try:
        await engine.wait_for(LineInService, line="fxo0")
        await engine.wait_for(PositionInService, position="pos1")
        sim.incoming_call("13800138000", "ZHANG SAN")
        arrived = await engine.wait_for(CallArrived, line="fxo0")
        result["caller"] = [arrived.caller.number, arrived.caller.name]
        await modem.perform(AnswerLine("fxo0"))
        await engine.wait_for(LineAnswered, line="fxo0")
        result["offhook_after_answer"] = sim.offhook
        await positions.perform(RingPosition("pos1", call_id="m1", caller=arrived.caller))
        await engine.wait_for(PositionAnswered, position="pos1")
        await bridge.perform(Connect("fxo0", "pos1"))
        # the bridge asks the modem for frames: the modem streams both ways (AT+VTR)
        duplex = await asyncio.to_thread(sim.wait_for_line, "> AT+VTR", 10.0)
        result["duplex_started"] = duplex
        await asyncio.to_thread(sim.wait_for, lambda: sim.heard_s >= 1.0, 10.0)
        quiet = audio.decode(sim.heard, modem.sample_format)
        result["heard_before_speaking_rms"] = rms(quiet)
        sim.clear_heard()
        sim.speak(4.0, TONE_HZ)

        def echo_back() -> bool:
            samples = audio.decode(sim.heard, modem.sample_format)
            loud = sum(1 for s in samples if abs(s) > 2000)
            return loud >= 8000  # a second of the tone came back loud

        result["echo_heard"] = await asyncio.to_thread(sim.wait_for, echo_back, 15.0)
        heard = audio.decode(sim.heard, modem.sample_format)
        loud_at = next((n for n, s in enumerate(heard) if abs(s) > 2000), 0)
        window = heard[loud_at + 800 : loud_at + 4800]  # half a second inside the echo
        result["echo_rms"] = rms(window)
        result["echo_tone_share"] = tone_share(window, TONE_HZ)
        result["echo_other_share"] = tone_share(window, 400.0)
        result["packets"] = await stack.audio_packets()
        sim.hang_up("loop_break")
        hung_up = await engine.wait_for(CallerHungUp, line="fxo0")
        result["hangup_cause"] = hung_up.cause.value
        await bridge.perform(Disconnect("fxo0", "pos1"))
        await positions.perform(HangUpPosition("pos1"))
        result["on_hook"] = await asyncio.to_thread(sim.wait_for, lambda: not sim.offhook, 10.0)
        result["events"] = engine.names()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        phone.stop()
        sim.stop()
    return result


MODEM_BRIDGE_SCENARIOS: dict[str, Callable[[Path], Awaitable[dict[str, object]]]] = {
    "modem_sim_bridged_to_sip_agent": modem_sim_bridged_to_sip_agent,
}
