"""SIP scenarios at the box's limits: a build's call legs used up by callers, the admission
rule turning the next caller away with a record (on a SIP line or a modem line bridged into
SIP), and an agent leg the box cannot place. Run through sip_scenarios.py (`python
sip_scenarios.py NAME`)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from modem_bridge_scenario import modem_running, simulated_modem
from sip_peers import Sipp
from sip_scenarios import (
    AGENT1,
    AGENT2,
    BOX,
    BOX_PORT,
    GATEWAY,
    POS1,
    POS2,
    Rig,
    agent,
)

from drivers.roles import (
    AnswerLine,
    CallArrived,
    CallerHungUp,
    CallTurnedAway,
    Connect,
    DialOut,
    Disconnect,
    HangUpLine,
    HangUpPosition,
    LineAnswered,
    LineInService,
    OfferNotPlaced,
    PositionAnswered,
    PositionInService,
    RingPosition,
)
from drivers.sip import SipGateway, SipPosition

# four lines on one gateway, not watched by OPTIONS (sipp's caller does not answer them)
GW4 = SipGateway(id="gw1", host=GATEWAY, port=5060, channels=4, options_interval_s=0)


def callers_at_once(workdir: Path, count: int, hold_ms: int) -> Sipp:
    """`count` gateway callers placed at once, each talking `hold_ms` after the answer."""
    args = ["-i", GATEWAY, "-p", "5062", "-mi", GATEWAY, "-mp", "40000"]
    args += ["-m", str(count), "-l", str(count), "-r", "100", "-d", str(hold_ms)]
    return Sipp(workdir, "callers", [*args, f"{BOX}:{BOX_PORT}"], scenario="gateway_caller.xml")


async def put_through(rig: Rig, arrived: CallArrived, position: str, offer_id: str) -> Any:
    """The engine's part for one caller: answer, ring the agent, bridge them."""
    mark = len(rig.engine.events)  # the agent may have answered earlier calls
    await rig.lines.perform(AnswerLine(arrived.line))
    await rig.engine.wait_for(LineAnswered, line=arrived.line, after=mark)
    await rig.positions.perform(
        RingPosition(position, call_id=offer_id, caller=arrived.caller, offer_id=offer_id)
    )
    answered = await rig.engine.wait_for(PositionAnswered, position=position, after=mark)
    await rig.bridge.perform(Connect(arrived.line, position))
    return answered


async def all_put_through(rig: Rig, count: int) -> tuple[list[CallArrived], list[Any]]:
    """Once `count` callers arrived, put the n-th through to pos<n> (offer-<n>), all at once."""
    engine = rig.engine

    async def arrived() -> bool:
        return sum(isinstance(e, CallArrived) for e in engine.events) >= count

    await engine.wait_until(arrived)
    taken = [e for e in engine.events if isinstance(e, CallArrived)][:count]
    answered = await asyncio.gather(
        *(put_through(rig, a, f"pos{n}", f"offer-{n}") for n, a in enumerate(taken, 1))
    )
    return taken, list(answered)


async def bridged_both_ways(rig: Rig, legs: list[str], result: dict[str, object]) -> None:
    """Wait until every leg carried RTP both ways (25 packets each); note the counts and how
    many calls the bridge joins at that moment."""

    async def flowing() -> bool:
        counts = await rig.stack.audio_packets()
        result["packets"] = counts
        return all(min(counts.get(leg, (0, 0))) >= 25 for leg in legs)

    await rig.engine.wait_until(flowing)
    result["bridged_at_once"] = len(await rig.stack.bridge_links()) // 2


async def box_full_turns_caller_away(workdir: Path) -> dict[str, object]:
    """A box allowed 5 call legs, two ring-mode agent phones, three callers at once: two callers
    are taken (each keeps room for their agent leg, one slot stays spare), the third is refused
    486 and reported as CallTurnedAway; both taken callers are then put through."""
    peers = [agent(workdir, "agent1", AGENT1), agent(workdir, "agent2", AGENT2)]
    result: dict[str, object] = {}
    async with Rig(workdir, [GW4], [POS1, POS2], max_calls=5) as rig:
        engine = rig.engine
        await engine.wait_for(LineInService, line="gw1-4")
        await engine.wait_for(PositionInService, position="pos2")
        callers = callers_at_once(workdir, 3, hold_ms=3000)
        turned_away = await engine.wait_for(CallTurnedAway)
        result["turned_away"] = [turned_away.caller.number, turned_away.reason.value]

        async def arrivals() -> bool:
            return sum(isinstance(e, CallArrived) for e in engine.events) == 2

        await engine.wait_until(arrivals)
        taken = [e for e in engine.events if isinstance(e, CallArrived)]
        answered = await asyncio.gather(
            put_through(rig, taken[0], "pos1", "offer-1"),
            put_through(rig, taken[1], "pos2", "offer-2"),
        )
        result["offers_answered"] = sorted(a.offer_id for a in answered)
        for arrived in taken:
            await engine.wait_for(CallerHungUp, line=arrived.line, timeout_s=15)
        await asyncio.to_thread(callers.wait, 15)
        result["callers_log"] = callers.errors()
    for peer in peers:
        peer.stop()
    result["events"] = engine.names()
    return result


async def agent_leg_not_placed(workdir: Path) -> dict[str, object]:
    """Every call leg taken (two calls out on a box allowed two legs): ringing an agent cannot
    place a leg, which is the box's OfferNotPlaced, never the agent's PositionRejected."""
    far_ends = [
        SipGateway(id=f"out{n}", host=f"127.0.0.{5 + n}", options_interval_s=0) for n in (0, 1)
    ]
    peers = [
        Sipp(
            workdir,
            gateway.id,
            ["-sn", "uas", "-i", gateway.host, "-p", "5060", "-mi", gateway.host, "-mp", "30000"],
        )
        for gateway in far_ends
    ]
    peers.append(agent(workdir, "agent1", AGENT1))
    async with Rig(workdir, far_ends, [POS1], max_calls=2) as rig:
        engine = rig.engine
        await engine.wait_for(PositionInService, position="pos1")
        for gateway in far_ends:
            await rig.lines.perform(DialOut(gateway.id, number="4001"))
            await engine.wait_for(LineAnswered, line=gateway.id)
        await rig.positions.perform(RingPosition("pos1", call_id="c1", offer_id="offer-9"))
        not_placed = await engine.wait_for(OfferNotPlaced, position="pos1")
    for peer in peers:
        peer.stop()
    return {
        "offer_id": not_placed.offer_id,
        "reason": not_placed.reason,
        "events": engine.names(),
    }


async def invite_flood_then_normal_call(workdir: Path) -> dict[str, object]:
    """200 INVITEs at once on a 4-line gateway: the box takes what its lines carry, refuses the
    rest, does not abort, and afterwards a normal caller is put through to an agent."""
    peers = [agent(workdir, "agent1", AGENT1), agent(workdir, "agent2", AGENT2)]
    result: dict[str, object] = {}
    async with Rig(workdir, [GW4], [POS1, POS2]) as rig:
        engine = rig.engine
        await engine.wait_for(LineInService, line="gw1-4")
        await engine.wait_for(PositionInService, position="pos2")
        flood_args = ["-i", GATEWAY, "-p", "5064", "-mi", GATEWAY, "-mp", "42000"]
        flood_args += ["-m", "200", "-l", "200", "-r", "1000", "-rp", "1000"]
        flood = Sipp(
            workdir, "flood", [*flood_args, f"{BOX}:{BOX_PORT}"], scenario="flood_invite.xml"
        )
        await asyncio.to_thread(flood.wait, 25)  # every INVITE answered (the 4 taken: below)

        async def four_arrived() -> bool:
            return sum(isinstance(e, CallArrived) for e in engine.events) == 4

        await engine.wait_until(four_arrived)
        flooded = [e for e in engine.events if isinstance(e, CallArrived)]
        for arrived in flooded:  # the engine drops the flood's callers
            await rig.lines.perform(HangUpLine(arrived.line))
        result["flood_exit"] = flood.wait(15)
        result["flood_errors"] = flood.errors()[-500:]
        before = len(engine.events)
        callers = callers_at_once(workdir, 1, hold_ms=1000)
        arrived = await engine.wait_for(CallArrived, after=before)
        answered = await put_through(rig, arrived, "pos1", "after-flood")
        result["offer_answered"] = answered.offer_id
        await engine.wait_for(CallerHungUp, line=arrived.line, timeout_s=15)
        result["caller_exit"] = await asyncio.to_thread(callers.wait, 15)
    for peer in peers:
        peer.stop()
    result["events"] = engine.names()
    return result


async def eight_calls_all_bridged(workdir: Path) -> dict[str, object]:
    """The depot's size: 8 gateway callers at once on 8 lines, each put through to its own agent
    phone (sipp echoing audio); every leg carries RTP both ways at the same moment."""
    gateway = SipGateway(id="gw1", host=GATEWAY, port=5060, channels=8, options_interval_s=0)
    phones = [
        SipPosition(id=f"pos{n}", uri=f"sip:agent{n}@{AGENT1}:5060", options_interval_s=0)
        for n in range(1, 9)
    ]
    peers = [agent(workdir, "agents", AGENT1)]
    result: dict[str, object] = {}
    async with Rig(workdir, [gateway], phones) as rig:
        engine = rig.engine
        await engine.wait_for(LineInService, line="gw1-8")
        await engine.wait_for(PositionInService, position="pos8")
        callers = callers_at_once(workdir, 8, hold_ms=8000)
        taken, answered = await all_put_through(rig, 8)
        result["offers_answered"] = len({a.offer_id for a in answered})
        await bridged_both_ways(rig, [e.line for e in taken] + [p.id for p in phones], result)
        for arrived in taken:
            await engine.wait_for(CallerHungUp, line=arrived.line, timeout_s=20)
        result["callers_exit"] = await asyncio.to_thread(callers.wait, 20)
    for peer in peers:
        peer.stop()
    result["events"] = engine.names()
    return result


async def out_of_sockets(workdir: Path) -> dict[str, object]:
    """The process may open no more files: ringing an agent cannot open the leg's RTP sockets,
    which is OfferNotPlaced (the box's shortage), the process does not abort, and once sockets
    are free again the same agent is rung and answers."""
    peers = [agent(workdir, "agent1", AGENT1)]
    result: dict[str, object] = {}
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    async with Rig(workdir, [], [POS1]) as rig:
        engine = rig.engine
        await engine.wait_for(PositionInService, position="pos1")
        # every descriptor number up to the limit is taken: the limit where the open ones end,
        # and the gaps below it (descriptors closed earlier) filled, or a socket could use one
        resource.setrlimit(resource.RLIMIT_NOFILE, (len(os.listdir("/proc/self/fd")), hard))
        gaps: list[int] = []
        with contextlib.suppress(OSError):
            while True:
                gaps.append(os.open(os.devnull, os.O_RDONLY))
        try:
            await rig.positions.perform(RingPosition("pos1", call_id="c1", offer_id="starved"))
            not_placed = await engine.wait_for(OfferNotPlaced, position="pos1")
        finally:
            for fd in gaps:
                os.close(fd)
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        result["not_placed"] = [not_placed.offer_id, not_placed.reason]
        await rig.positions.perform(RingPosition("pos1", call_id="c2", offer_id="again"))
        answered = await engine.wait_for(PositionAnswered, position="pos1")
        result["answered"] = answered.offer_id
    for peer in peers:
        peer.stop()
    result["events"] = engine.names()
    return result


async def modem_line_not_answered_on_full_box(workdir: Path) -> dict[str, object]:
    """A box allowed 3 call legs and one ring-mode agent phone: a gateway caller put through to
    the agent fills it (2 legs and the spare). A caller rings a modem line bridged into SIP: the
    line is not answered (no AT+VLS=1) and the caller is turned away once, box full. Once the
    gateway call is over, the modem line's next caller is answered and put through."""
    sim, modem = simulated_modem(workdir)
    peers = [agent(workdir, "agent1", AGENT1)]
    result: dict[str, object] = {}
    rig = Rig(workdir, [GW4], [POS1], max_calls=3, line_audio={"fxo0": modem.line_audio("fxo0")})
    modem.admit_callers_through(rig.stack.caller_admission("fxo0"))
    engine = rig.engine
    try:
        async with modem_running(sim, modem, engine.sink), rig:
            await engine.wait_for(LineInService, line="fxo0")
            await engine.wait_for(LineInService, line="gw1-4")
            await engine.wait_for(PositionInService, position="pos1")
            peers.append(callers_at_once(workdir, 1, hold_ms=60000))  # ended by the box below
            arrived = await engine.wait_for(CallArrived)
            await put_through(rig, arrived, "pos1", "offer-gw")
            sim.incoming_call("13800138000", "ZHANG SAN", rings=3)
            turned_away = await engine.wait_for(CallTurnedAway, line="fxo0")
            result["turned_away"] = [turned_away.caller.number, turned_away.reason.value]
            await asyncio.to_thread(sim.wait_for, lambda: not sim.ringing, 10.0)
            result["answered_while_full"] = "> AT+VLS=1" in sim.transcript
            # the engine's part when the gateway call ends: the box has room again
            await rig.lines.perform(HangUpLine(arrived.line))
            await rig.bridge.perform(Disconnect(arrived.line, "pos1"))
            await rig.positions.perform(HangUpPosition("pos1"))
            mark = len(engine.events)
            sim.incoming_call("13900139000", "LI SI")
            again = await engine.wait_for(CallArrived, line="fxo0", after=mark)
            result["again"] = again.caller.number
            await modem.perform(AnswerLine("fxo0"))
            await engine.wait_for(LineAnswered, line="fxo0", after=mark)
            ring = RingPosition("pos1", call_id="m1", caller=again.caller, offer_id="offer-modem")
            await rig.positions.perform(ring)
            answered = await engine.wait_for(PositionAnswered, position="pos1", after=mark)
            result["offer_answered"] = answered.offer_id
            await rig.bridge.perform(Connect("fxo0", "pos1"))
            result["duplex_started"] = await asyncio.to_thread(sim.wait_for_line, "> AT+VTR", 10.0)
            sim.hang_up("loop_break")
            await engine.wait_for(CallerHungUp, line="fxo0", after=mark)
            await rig.bridge.perform(Disconnect("fxo0", "pos1"))
            await rig.positions.perform(HangUpPosition("pos1"))
            result["events"] = engine.names()
    finally:
        for peer in peers:
            peer.stop()
    return result


CAPACITY_SCENARIOS: dict[str, Callable[[Path], Awaitable[dict[str, object]]]] = {
    "box_full_turns_caller_away": box_full_turns_caller_away,
    "agent_leg_not_placed": agent_leg_not_placed,
    "invite_flood_then_normal_call": invite_flood_then_normal_call,
    "eight_calls_all_bridged": eight_calls_all_bridged,
    "out_of_sockets": out_of_sockets,
    "modem_line_not_answered_on_full_box": modem_line_not_answered_on_full_box,
}
