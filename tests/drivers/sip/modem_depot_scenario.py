"""The real engine between a modem line bridged into SIP and a ring-mode agent phone on a full
box: the modem caller the box cannot put through is never answered and is on record (call
record box_full, queue log), and the next one reaches the agent. Run through sip_scenarios.py
(`python sip_scenarios.py NAME`)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from capacity_scenarios import GW4, callers_at_once
from modem_bridge_scenario import modem_running, simulated_modem
from sip_scenarios import AGENT1, POS1, Rig, agent

from drivers.roles import LineInService, PositionInService


async def modem_caller_on_full_box_is_recorded(workdir: Path) -> dict[str, object]:
    """A box allowed 3 call legs, agent a1 at a ring-mode phone talking to a gateway caller.
    A caller rings the modem line: not answered, a box_full record with the number. a1 ends the
    gateway call; the modem line's next caller is answered and put through to a1."""
    from engine_loop import EngineLoop

    from appliance.engine.commands import HangUp, LogIn
    from appliance.engine.engine import Engine
    from appliance.engine.records import QueueLogEntry, Verb
    from appliance.engine.setup import Agent, DepotSetup, Menu, OpeningHours, Queue, Tier

    setup = DepotSetup(
        queues=(Queue("cargo", "货物查询", "Cargo", wrap_up_s=0.0),),
        agents=(Agent("a1", "Agent One", (("cargo", Tier.GENERAL),)),),
        menu=Menu(default_queue="cargo"),
        line_queues=(("gw1-1", "cargo"), ("fxo0", "cargo")),
        hours=OpeningHours(always_open=True),
        language="en",
    )
    engine = Engine(setup, recordings_dir=str(workdir / "rec"))
    sim, modem = simulated_modem(workdir, prompts_dir=os.fspath(workdir / "prompts"))
    peers = [agent(workdir, "agent1", AGENT1)]
    rig = Rig(workdir, [GW4], [POS1], max_calls=3, line_audio={"fxo0": modem.line_audio("fxo0")})
    modem.admit_callers_through(rig.stack.caller_admission("fxo0"))
    loop = EngineLoop(rig, engine, other_lines=[modem])
    log_of, ended = loop.log_of, loop.ended
    result: dict[str, object] = {}
    try:
        async with modem_running(sim, modem, rig.engine.sink), rig:
            await rig.engine.wait_for(LineInService, line="fxo0")
            await rig.engine.wait_for(LineInService, line="gw1-4")
            await rig.engine.wait_for(PositionInService, position="pos1")
            await loop.carry_out(LogIn(time.time(), agent="a1", position="pos1"))
            peers.append(callers_at_once(workdir, 1, hold_ms=60000))  # a1 ends it below
            await loop.run_until(lambda: len(log_of(Verb.CONNECT)) == 1)
            sim.incoming_call("13800138000", "ZHANG SAN", rings=4)
            await loop.run_until(lambda: len(ended()) == 1)
            await asyncio.to_thread(sim.wait_for, lambda: not sim.ringing, 10.0)
            result["answered_while_full"] = "> AT+VLS=1" in sim.transcript
            await loop.carry_out(HangUp(time.time(), agent="a1"))
            await loop.run_until(lambda: len(ended()) == 2)
            sim.incoming_call("13900139000", "LI SI")
            await loop.run_until(lambda: len(log_of(Verb.CONNECT)) == 2)
            result["duplex_started"] = await asyncio.to_thread(sim.wait_for_line, "> AT+VTR", 10.0)
            sim.hang_up("loop_break")
            await loop.run_until(lambda: len(ended()) == 3)
    finally:
        for peer in peers:
            peer.stop()
    result["records"] = [
        [c.record.line, c.record.number, c.record.end_reason.value, c.record.agent] for c in ended()
    ]
    entries = [r for r in loop.records if isinstance(r, QueueLogEntry)]
    refused = ended()[0].record.call_id
    result["refused_log"] = [[r.verb.name, *r.data] for r in entries if r.call_id == refused]
    result["verbs"] = sorted({r.verb.name for r in entries})
    result["events"] = rig.engine.names()
    return result


MODEM_DEPOT_SCENARIOS: dict[str, Callable[[Path], Awaitable[dict[str, object]]]] = {
    "modem_caller_on_full_box_is_recorded": modem_caller_on_full_box_is_recorded,
}
