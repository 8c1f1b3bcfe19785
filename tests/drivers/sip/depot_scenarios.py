"""SIP scenarios at the depot's size (8 lines, 12 agents): more callers than lines, a flood on a
box whose every call leg is taken, three-ways on a full box, on the pjsua2 source build against
sipp on loopback. Run through sip_scenarios.py (`python sip_scenarios.py NAME`)."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from capacity_scenarios import all_put_through, bridged_both_ways, put_through
from sip_peers import Baresip, Sipp
from sip_scenarios import AGENT1, BOX, BOX_PORT, GATEWAY, Rig, agent

from drivers.roles import (
    AnswerLine,
    CallArrived,
    CallerHungUp,
    CallTurnedAway,
    Connect,
    DialOut,
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

# the depot's gateway: 8 channels, calls from sipp on 127.0.0.2:5062, calls out to 127.0.0.2:5060
GW8 = SipGateway(id="gw1", host=GATEWAY, port=5060, channels=8, options_interval_s=0)
RESPONSE_486 = re.compile(
    r"received \[\d+\] bytes :\s*SIP/2\.0 486 .*?^Call-ID:\s*(\S+)", re.DOTALL | re.MULTILINE
)


def phones(count: int) -> list[SipPosition]:
    """`count` ring-mode agent phones, all answered by one sipp (echoing audio) on AGENT1."""
    return [
        SipPosition(id=f"pos{n}", uri=f"sip:agent{n}@{AGENT1}:5060", options_interval_s=0)
        for n in range(1, count + 1)
    ]


def callers(workdir: Path, name: str, count: int, hold_ms: int, scenario: str) -> Sipp:
    """`count` gateway callers placed at once from 127.0.0.2:5062 (+ `name`'s own port), every
    SIP message they see traced to NAME_messages.log."""
    port = {"callers": "5062", "flood": "5064", "late": "5066", "fourth": "5068"}[name]
    args = ["-i", GATEWAY, "-p", port, "-mi", GATEWAY, "-mp", str(40000 + 2000 * int(port[-1]))]
    args += ["-m", str(count), "-l", str(count), "-r", "1000", "-rp", "1000", "-d", str(hold_ms)]
    args += ["-trace_msg", "-message_file", str(workdir / f"{name}_messages.log")]
    return Sipp(workdir, name, [*args, f"{BOX}:{BOX_PORT}"], scenario=scenario)


def busy_answers(workdir: Path, name: str) -> int:
    """How many calls sipp saw answered `486 Busy Here` (by Call-ID: a retransmission is one)."""
    text = (workdir / f"{name}_messages.log").read_text(errors="replace")
    return len(set(RESPONSE_486.findall(text)))


def turned_away(events: list[Any], after: int = 0) -> list[Any]:
    return [e for e in events[after:] if isinstance(e, CallTurnedAway)]


async def next_caller_reaches(rig: Rig, workdir: Path, position: str) -> dict[str, object]:
    """One more gateway caller: how soon the box hears it, and that it reaches `position`."""
    engine = rig.engine
    after = len(engine.events)
    started = time.monotonic()
    late = callers(workdir, "late", 1, hold_ms=1000, scenario="gateway_caller.xml")
    arrived = await engine.wait_for(CallArrived, after=after)
    heard_s = time.monotonic() - started
    answered = await put_through(rig, arrived, position, "offer-late")
    await engine.wait_for(CallerHungUp, line=arrived.line, timeout_s=15)
    return {
        "late_arrived_s": heard_s,
        "late_answered": answered.offer_id,
        "late_exit": await asyncio.to_thread(late.wait, 15),
    }


class RefusedByPjsua(logging.Handler):
    """Counts the stack's log lines for callers pjsua refused itself, before any callback."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "from pjsua itself" in record.getMessage():
            self.count += 1


async def flood_on_full_box(workdir: Path) -> dict[str, object]:
    """The flood below on the normal build, capped at 8 legs by uaConfig.maxCalls."""
    return await flood_on_eight_legs(workdir, max_calls=8)


async def flood_on_eight_leg_build(workdir: Path) -> dict[str, object]:
    """The flood below on a pjsua2 built with PJSUA_MAX_CALLS 8 (make test's small build)."""
    return await flood_on_eight_legs(workdir, max_calls=None)


async def flood_on_eight_legs(workdir: Path, max_calls: int | None) -> dict[str, object]:
    """A box of 8 call legs: three callers put through to three agents (6 legs); a fourth
    caller is refused by the admission rule (its agent leg would take the spare slot); two
    calls out on the gateway then take the 7th and 8th legs. A flood of 200 INVITEs meets
    pjsua's own call limit, which answers 486 before the box's callbacks: every one must still
    be a CallTurnedAway(box_full). Afterwards a caller is taken at once and reaches an agent."""
    from drivers.sip.capacity import installed_limits

    build = installed_limits()
    counter = RefusedByPjsua()
    logging.getLogger("drivers.sip").addHandler(counter)
    peers = [
        agent(workdir, "agents", AGENT1),
        Sipp(workdir, "far_end", ["-sn", "uas", "-i", GATEWAY, "-p", "5060", "-mi", GATEWAY]),
    ]
    result: dict[str, object] = {"build_max_calls": build.max_calls if build else 0}
    async with Rig(workdir, [GW8], phones(3), max_calls=max_calls) as rig:
        engine = rig.engine
        await engine.wait_for(LineInService, line="gw1-8")
        await engine.wait_for(PositionInService, position="pos3")
        talking = callers(workdir, "callers", 3, hold_ms=12000, scenario="gateway_caller.xml")
        taken, answered = await all_put_through(rig, 3)
        result["offers_answered"] = sorted(a.offer_id for a in answered)
        fourth = callers(workdir, "fourth", 1, hold_ms=0, scenario="flood_invite.xml")
        refused = await engine.wait_for(CallTurnedAway)
        fourth_exit = await asyncio.to_thread(fourth.wait)
        result["fourth"] = [refused.line, refused.reason.value, fourth_exit]
        result["fourth_by_pjsua"] = counter.count
        for line in ("gw1-7", "gw1-8"):  # two calls out: the 7th and 8th legs
            await rig.lines.perform(DialOut(line, number="4001"))
            await engine.wait_for(LineAnswered, line=line)
        before = len(engine.events)
        flood = callers(workdir, "flood", 200, hold_ms=0, scenario="flood_invite.xml")
        result["flood_exit"] = await asyncio.to_thread(flood.wait, 25)
        busy = result["busy_answers"] = busy_answers(workdir, "flood")

        async def all_recorded() -> bool:
            return len(turned_away(engine.events, before)) >= busy

        await engine.wait_until(all_recorded, timeout_s=5)
        refused = turned_away(engine.events, before)
        result["turned_away"] = len(refused)
        result["reasons"] = sorted({e.reason.value for e in refused})
        result["numbers"] = len({e.caller.number for e in refused})
        result["refused_by_pjsua"] = counter.count
        for line in ("gw1-7", "gw1-8"):
            await rig.lines.perform(HangUpLine(line))
        for n, arrived in enumerate(taken, 1):  # the engine's part: the agents' legs end too
            await engine.wait_for(CallerHungUp, line=arrived.line, timeout_s=20)
            await rig.positions.perform(HangUpPosition(f"pos{n}", offer_id=f"offer-{n}"))
        result["callers_exit"] = await asyncio.to_thread(talking.wait, 20)
        # the box is free again: the next caller is heard at once and reaches an agent
        result.update(await next_caller_reaches(rig, workdir, "pos3"))
    for peer in peers:
        peer.stop()
    result["events"] = engine.names()
    return result


async def twelve_callers_on_eight_lines(workdir: Path) -> dict[str, object]:
    """The real engine, 12 agents logged in at 12 sipp phones (answering, echoing audio), a
    gateway of 8 channels straight into one queue; 12 callers at once: 8 are put through with
    audio both ways, the 4 beyond the lines are refused 486 with a lines_busy record; no agent is
    charged a miss or paused; after the calls all 12 are ready and a new caller reaches one."""
    from engine_loop import EngineLoop

    from appliance.engine.commands import LogIn
    from appliance.engine.engine import Engine
    from appliance.engine.records import QueueLogEntry, Verb
    from appliance.engine.setup import Agent, DepotSetup, Menu, OpeningHours, Queue, Tier

    setup = DepotSetup(
        queues=(Queue("cargo", "货物查询", "Cargo", wrap_up_s=0.0),),
        agents=tuple(
            Agent(f"a{n}", f"Agent {n}", (("cargo", Tier.GENERAL),)) for n in range(1, 13)
        ),
        menu=Menu(default_queue="cargo"),
        line_queues=tuple((f"gw1-{n}", "cargo") for n in range(1, 9)),
        hours=OpeningHours(always_open=True),
        language="en",
    )
    engine = Engine(setup, recordings_dir=str(workdir / "rec"))
    peers = [agent(workdir, "agents", AGENT1)]
    rig = Rig(workdir, [GW8], phones(12))
    loop = EngineLoop(rig, engine)
    records = loop.records
    log_of, ended = loop.log_of, loop.ended

    result: dict[str, object] = {}
    async with rig:
        await rig.engine.wait_for(LineInService, line="gw1-8")
        await rig.engine.wait_for(PositionInService, position="pos12")
        for n in range(1, 13):
            await loop.carry_out(LogIn(time.time(), agent=f"a{n}", position=f"pos{n}"))
        twelve = callers(workdir, "callers", 12, hold_ms=8000, scenario="gateway_caller.xml")
        await loop.run_until(lambda: len(log_of(Verb.CONNECT)) == 8)
        talking = [e.line for e in rig.engine.events if isinstance(e, CallArrived)]
        connected = sorted({e.agent for e in log_of(Verb.CONNECT)})
        await bridged_both_ways(rig, talking + [f"pos{a[1:]}" for a in connected], result)
        await loop.run_until(lambda: len(ended()) == 12)
        result["busy_answers"] = busy_answers(workdir, "callers")
        await asyncio.to_thread(twelve.wait, 20)
        result["end_reasons"] = sorted(c.record.end_reason.value for c in ended())
        result["refused_lines"] = sorted(
            c.record.line for c in ended() if c.record.end_reason.value == "lines_busy"
        )
        states = {a.id: a.state.value for a in engine.snapshot(time.time()).agents}
        result["agent_states"] = sorted(set(states.values()))
        # a new caller: offered to a ready agent and put through
        late = callers(workdir, "late", 1, hold_ms=1000, scenario="gateway_caller.xml")
        await loop.run_until(lambda: len(log_of(Verb.CONNECT)) == 9)
        await loop.run_until(lambda: len(ended()) == 13)
        result["late_exit"] = await asyncio.to_thread(late.wait, 15)
    for peer in peers:
        peer.stop()
    result["verbs"] = sorted({r.verb.name for r in records if isinstance(r, QueueLogEntry)})
    result["events"] = rig.engine.names()
    return result


async def silent_phone_is_not_the_agents_miss(workdir: Path) -> dict[str, object]:
    """The real engine; agent a1 (paused after one missed offer) on a phone that sends nothing
    back (its network is gone: no 100 Trying). A caller waits longer than the queue's ring
    time-out: each offer must end as the box's OfferNotPlaced, never a missed offer."""
    from engine_loop import EngineLoop

    from appliance.engine.commands import LogIn
    from appliance.engine.engine import Engine
    from appliance.engine.records import CallEnded, QueueLogEntry
    from appliance.engine.setup import Agent, DepotSetup, Menu, OpeningHours, Queue, Tier

    setup = DepotSetup(
        queues=(Queue("cargo", "货物查询", "Cargo", ring_timeout_s=6.0, retry_s=1.0),),
        agents=(Agent("a1", "Agent One", (("cargo", Tier.GENERAL),), max_missed_offers=1),),
        menu=Menu(default_queue="cargo"),
        hours=OpeningHours(always_open=True),
        language="en",
    )
    engine = Engine(setup, recordings_dir=str(workdir / "rec"))
    silent = SipPosition(id="pos1", uri="sip:agent1@127.0.0.5:5060", options_interval_s=0)
    rig = Rig(workdir, [GW8], [silent])
    loop = EngineLoop(rig, engine)
    async with rig:
        await rig.engine.wait_for(LineInService, line="gw1-8")
        await rig.engine.wait_for(PositionInService, position="pos1")
        await loop.carry_out(LogIn(time.time(), agent="a1", position="pos1"))
        caller = callers(workdir, "callers", 1, hold_ms=11000, scenario="gateway_caller.xml")
        await loop.run_until(lambda: any(isinstance(r, CallEnded) for r in loop.records), 40)
        await asyncio.to_thread(caller.wait, 10)
    entries = [r for r in loop.records if isinstance(r, QueueLogEntry)]
    return {
        "verbs": [e.verb.name for e in entries],
        "canceled": [list(e.data) for e in entries if e.verb.name == "RINGCANCELED"],
        "events": rig.engine.names(),
    }


async def eight_baresip_phones(workdir: Path) -> dict[str, object]:
    """8 agents on baresip softphones (auto-answer, talking a long tone from a WAV), one per
    address 127.0.0.11-18; a sipp gateway places 8 calls at once: all 8 put through with RTP
    both ways on all 16 legs at the same moment, then every caller hangs up, the engine ends the
    agents' legs, and no call is left on the box."""
    agents = [
        SipPosition(id=f"pos{n}", uri=f"sip:agent{n}@127.0.0.{10 + n}:5060", options_interval_s=0)
        for n in range(1, 9)
    ]
    result: dict[str, object] = {}
    async with Rig(workdir, [GW8], agents) as rig:
        engine = rig.engine
        phones = [
            Baresip(workdir, f"127.0.0.{10 + n}", 5060, 4444, f"agent{n}") for n in range(1, 9)
        ]
        await engine.wait_for(LineInService, line="gw1-8")
        await engine.wait_for(PositionInService, position="pos8")
        eight = callers(workdir, "callers", 8, hold_ms=8000, scenario="gateway_caller.xml")
        taken, answered = await all_put_through(rig, 8)
        result["offers_answered"] = sorted(a.offer_id for a in answered)
        await bridged_both_ways(rig, [e.line for e in taken] + [p.id for p in agents], result)
        for n, arrived in enumerate(taken, 1):
            await engine.wait_for(CallerHungUp, line=arrived.line, timeout_s=20)
            await rig.positions.perform(HangUpPosition(f"pos{n}", offer_id=f"offer-{n}"))
        result["callers_exit"] = await asyncio.to_thread(eight.wait, 20)

        async def no_call_left() -> bool:
            return not await rig.stack.audio_packets()

        await engine.wait_until(no_call_left)
        result["phones_running"] = sum(p.process.poll() is None for p in phones)
        for phone in phones:
            phone.stop()
    result["events"] = engine.names()
    return result


async def rung(rig: Rig, arrived: CallArrived, position: str) -> str:
    """Answer a caller and ring an agent for them: "answered", or "not placed" when the box
    could not place the agent's leg."""
    engine, mark = rig.engine, len(rig.engine.events)
    await rig.lines.perform(AnswerLine(arrived.line))
    await engine.wait_for(LineAnswered, line=arrived.line, after=mark)
    offer = f"offer-{position}"
    await rig.positions.perform(RingPosition(position, call_id=offer, offer_id=offer))

    async def outcome() -> bool:
        return any(
            isinstance(e, PositionAnswered | OfferNotPlaced) and e.position == position
            for e in engine.events[mark:]
        )

    await engine.wait_until(outcome)
    done = [e for e in engine.events[mark:] if getattr(e, "position", "") == position]
    return "answered" if isinstance(done[-1], PositionAnswered) else "not placed"


async def three_ways_then_callers_on_a_full_box(workdir: Path) -> dict[str, object]:
    """A box of 11 call legs: two callers each talking with an agent and a three-way colleague
    (6 legs), then three callers at once. Two more fit (their agent legs and the spare slot:
    10 of 11); the third must be turned away, and the two taken must both reach an agent —
    the colleagues' legs are not the newcomers' agent legs."""
    peers = [agent(workdir, "agents", AGENT1)]
    result: dict[str, object] = {}
    async with Rig(workdir, [GW8], phones(7), max_calls=11) as rig:
        engine = rig.engine
        await engine.wait_for(LineInService, line="gw1-8")
        await engine.wait_for(PositionInService, position="pos7")
        talking = callers(workdir, "callers", 2, hold_ms=15000, scenario="gateway_caller.xml")
        taken, _ = await all_put_through(rig, 2)
        for arrived, colleague in zip(taken, ("pos3", "pos4"), strict=True):  # the three-ways
            mark, offer = len(engine.events), f"three-way-{colleague}"
            await rig.positions.perform(RingPosition(colleague, call_id=offer, offer_id=offer))
            await engine.wait_for(PositionAnswered, position=colleague, after=mark)
            await rig.bridge.perform(Connect(arrived.line, colleague))
        mark = len(engine.events)
        newcomers = callers(workdir, "late", 3, hold_ms=3000, scenario="gateway_caller.xml")

        async def all_heard() -> bool:
            heard = [e for e in engine.events[mark:] if isinstance(e, CallArrived | CallTurnedAway)]
            return len(heard) == 3

        await engine.wait_until(all_heard)
        arrived = [e for e in engine.events[mark:] if isinstance(e, CallArrived)]
        result["turned_away"] = [e.reason.value for e in turned_away(engine.events, mark)]
        result["newcomers"] = [
            await rung(rig, a, f"pos{n}") for n, a in enumerate(arrived, len(taken) + 3)
        ]
        await asyncio.to_thread(newcomers.wait, 20)
        await asyncio.to_thread(talking.wait, 20)
    for peer in peers:
        peer.stop()
    result["events"] = engine.names()
    return result


DEPOT_SCENARIOS: dict[str, Callable[[Path], Awaitable[dict[str, object]]]] = {
    "flood_on_full_box": flood_on_full_box,
    "flood_on_eight_leg_build": flood_on_eight_leg_build,
    "twelve_callers_on_eight_lines": twelve_callers_on_eight_lines,
    "silent_phone_is_not_the_agents_miss": silent_phone_is_not_the_agents_miss,
    "eight_baresip_phones": eight_baresip_phones,
    "three_ways_then_callers_on_a_full_box": three_ways_then_callers_on_a_full_box,
}
