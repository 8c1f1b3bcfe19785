"""SIP scenarios that join other parts of depotline to the SIP stack: a simulated voice modem
(real ModemLine over a pty) bridged to a SIP agent phone, and the real engine and store
carrying a SIP call. Run through sip_scenarios.py (`python sip_scenarios.py NAME`)."""

from __future__ import annotations

import array
import asyncio
import cmath
import contextlib
import math
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from sip_peers import make_tone_wav
from sip_scenarios import (
    AGENT1,
    AGENT2,
    BOX,
    BOX_PORT,
    GW,
    POS1,
    POS2,
    EngineStandIn,
    agent,
    caller,
    gateway_keepalive,
    wav_energy,
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
    HoldCaller,
    LineAnswered,
    LineInService,
    PositionAnswered,
    PositionInService,
    RingPosition,
)
from drivers.sip import SipLines, SipMediaBridge, SipPositions, SipStack

TONE_HZ = 1000.0  # the simulated caller's "speech"
MUSIC_HZ = 300.0  # the hold music


SETTLE_S = 1.5  # within the caller's 3 s of speech


def simulated_modem(workdir: Path, **options: Any) -> tuple[ModemSimulator, ModemLine]:
    """A full-duplex Conexant simulator on a pty (ringing every 0.4 s) and the real ModemLine
    "fxo0" on it, offering a call after one ring and up to 1 s of waiting for caller ID."""
    sim = ModemSimulator(
        "conexant", link=os.fspath(workdir / "fxo0"), full_duplex=True, ring_interval_s=0.4
    ).start()
    modem = ModemLine(
        "fxo0",
        sim.device,
        dialect="conexant",
        rings_before_answer=1,
        caller_id_wait_s=1.0,
        **options,
    )
    return sim, modem


@contextlib.asynccontextmanager
async def modem_running(
    sim: ModemSimulator, modem: ModemLine, sink: Callable[[Any], None]
) -> AsyncIterator[None]:
    """The modem line serving its simulator, events to `sink`; both stopped on the way out."""
    task = asyncio.create_task(modem.run(sink))
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        sim.stop()


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
    sim, modem = simulated_modem(workdir, ring_gap_s=1.5, silence_s=30.0)
    make_tone_wav(workdir / "prompts" / "music" / "hold.wav", 3.0, int(MUSIC_HZ), "u-law")
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

        async def caller_hears() -> dict[str, float]:
            """Once the caller has heard a second of loud audio and the last half second is
            one clean signal (not the moment music gives way to voice, which a busy machine
            can delay): its loudness and how much of it is the caller's own tone and the
            hold music."""
            sim.clear_heard()

            def loud_second() -> bool:
                samples = audio.decode(sim.heard, modem.sample_format)
                return sum(1 for s in samples if abs(s) > 2000) >= 8000

            if not await asyncio.to_thread(sim.wait_for, loud_second, 10.0):
                return {"rms": 0.0, "own_tone": 0.0, "music": 0.0}
            loop = asyncio.get_running_loop()
            settle_by = loop.time() + SETTLE_S
            while True:
                window = audio.decode(sim.heard, modem.sample_format)[-4000:]
                heard = {
                    "rms": rms(window),
                    "own_tone": tone_share(window, TONE_HZ),
                    "music": tone_share(window, MUSIC_HZ),
                }
                if heard["own_tone"] + heard["music"] > 0.9 or loop.time() > settle_by:
                    return heard
                await asyncio.sleep(0.1)

        sim.speak(3.0, TONE_HZ)
        result["talking"] = await caller_hears()  # the agent's phone echoes the caller
        await bridge.perform(HoldCaller("fxo0", "pos1"))
        result["held"] = await caller_hears()
        await bridge.perform(Connect("fxo0", "pos1"))
        sim.speak(3.0, TONE_HZ)
        result["unheld"] = await caller_hears()
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


async def depot_records_sip_call(workdir: Path) -> dict[str, object]:
    """The real runtime (engine, store on disk) carrying a gateway call on SIP: greeting, the
    caller's menu key 1 (RFC 2833) picks orders, agent a1 answers and talks, holds and takes
    the caller off hold, transfers to a2, who talks until the caller hangs up. Returns the
    call record and the call's queue log as the store kept them."""
    from appliance.clock import ShellClock
    from appliance.config import ThresholdsConfig
    from appliance.engine.setup import (
        Agent,
        DepotSetup,
        Menu,
        MenuOption,
        OpeningHours,
        Queue,
        Tier,
    )
    from appliance.engine.views import AgentState
    from appliance.prompts import prompt_dirs
    from appliance.runtime import DeviceSet, open_runtime
    from appliance.service import DepotService

    skills = (("cargo", Tier.GENERAL), ("orders", Tier.GENERAL))
    setup = DepotSetup(
        queues=(
            Queue("cargo", "货物查询", "Cargo", record_calls=True, wrap_up_s=5.0),
            Queue("orders", "订单", "Orders", record_calls=True, wrap_up_s=5.0),
        ),
        agents=(Agent("a1", "Agent One", skills), Agent("a2", "Agent Two", skills)),
        # the default queue is cargo: a call in orders shows the caller's key picked it
        menu=Menu(
            options=(
                MenuOption("1", "orders", "menu_orders"),
                MenuOption("2", "cargo", "menu_cargo"),
            ),
            default_queue="cargo",
        ),
        hours=OpeningHours(always_open=True),
        language="en",
    )
    stack = SipStack(
        listen=BOX,
        port=BOX_PORT,
        rtp_port=20000,
        gateways=[GW],
        positions=[POS1, POS2],
        prompt_dirs=prompt_dirs(),
        prompt_cache_dir=str(workdir / "prompt_cache"),
    )
    devices = DeviceSet(
        lines=(SipLines(stack),), positions=(SipPositions(stack),), bridge=SipMediaBridge(stack)
    )
    peers = [
        gateway_keepalive(workdir),
        agent(workdir, "agent1", AGENT1),
        agent(workdir, "agent2", AGENT2),
    ]
    clock = ShellClock(1.0)
    loop = asyncio.get_running_loop()
    result: dict[str, object] = {}

    async def until(
        what: str, check: Callable[[], Awaitable[bool]], timeout_s: float = 10.0
    ) -> None:
        deadline = loop.time() + timeout_s
        while not await check():
            if loop.time() > deadline:
                raise AssertionError(f"timed out waiting for {what}; so far: {result}")
            await asyncio.sleep(0.05)

    async def packets(leg: str) -> tuple[int, int]:
        rx, tx = (await stack.audio_packets()).get(leg, (0, 0))
        return rx, tx

    try:
        async with open_runtime(
            database=os.fspath(workdir / "depotline.db"),
            devices=devices,
            clock=clock,
            timezone="Asia/Shanghai",
            thresholds=ThresholdsConfig(),
            default_setup=lambda: setup,
            recordings_dir=os.fspath(workdir / "recordings"),
        ) as runtime:
            service = DepotService(runtime)
            stop = asyncio.Event()
            running = asyncio.create_task(runtime.run(stop))
            await asyncio.wait_for(runtime.ready.wait(), 15)
            started_s = clock.now()

            def agent_state(agent_id: str) -> AgentState:
                view = next(a for a in service.snapshot().agents if a.id == agent_id)
                return view.state

            async def state_is(agent_id: str, state: AgentState) -> bool:
                return agent_state(agent_id) is state

            await service.log_in("a1", "pos1")
            call = caller(workdir, "gateway_caller.xml", hold_ms=9000)
            await until("a1 to be on the call", lambda: state_is("a1", AgentState.ON_CALL))
            call_id = next(a for a in service.snapshot().agents if a.id == "a1").call_id
            line = next(c for c in service.snapshot().calls if c.id == call_id).line

            async def talked(leg: str, since: tuple[int, int], more: int) -> bool:
                rx, tx = await packets(leg)
                return rx - since[0] >= more and tx - since[1] >= more

            await until("a1 and the caller to talk", lambda: talked("pos1", (0, 0), 50))
            result["a1_talk_packets"] = await packets("pos1")
            await service.hold("a1")
            held_from = await packets(line)
            # the caller hears a second of music (RTP to the caller) while on hold
            await until("hold music", lambda: talked(line, held_from, 50))
            await service.unhold("a1")
            unheld = await packets("pos1")
            await until("talk after hold", lambda: talked("pos1", unheld, 25))
            await service.log_in("a2", "pos2")
            await service.transfer("a1", "a2")
            await until("a2 to take the call", lambda: state_is("a2", AgentState.ON_CALL))
            await until("a2 and the caller to talk", lambda: talked("pos2", (0, 0), 50))
            result["a2_talk_packets"] = await packets("pos2")
            result["a1_after_transfer"] = agent_state("a1").value

            async def call_recorded() -> bool:
                return await runtime.store.call(call_id) is not None

            await until("the caller to hang up and the call record", call_recorded, 20.0)
            record = await runtime.store.call(call_id)
            assert record is not None
            result["caller_exit"] = await asyncio.to_thread(call.wait, 10)
            result["caller_errors"] = call.errors()
            result["record"] = {
                "line": record.line,
                "number": record.number,
                "name": record.name,
                "queue": record.queue,
                "agent": record.agent,
                "end_reason": record.end_reason.name,
                "wait_s": record.wait_s,
                "talk_s": record.talk_s,
                "hold_s": record.hold_s,
                "recording_path": record.recording_path,
            }
            entries = await runtime.store.queue_log(started_s - 1)
            result["queue_log"] = [
                [e.verb.name, e.agent, e.queue, *e.data] for e in entries if e.call_id == call_id
            ]
            stop.set()
            await asyncio.wait_for(running, 20)
        path = Path(record.recording_path)
        result["recording"] = wav_energy(path) if path.is_file() else {}
    finally:
        for peer in peers:
            peer.stop()
    return result


MODEM_BRIDGE_SCENARIOS: dict[str, Callable[[Path], Awaitable[dict[str, object]]]] = {
    "modem_sim_bridged_to_sip_agent": modem_sim_bridged_to_sip_agent,
    "depot_records_sip_call": depot_records_sip_call,
}
