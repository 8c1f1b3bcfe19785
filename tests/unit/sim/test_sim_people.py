"""Scripted callers and agents: what they do on the simulated devices when the box acts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from drivers.roles import (
    AnswerLine,
    CallArrived,
    CallerHungUp,
    Connect,
    DigitPressed,
    HangUpLine,
    LineEvent,
    PlayPrompt,
    PositionAnswered,
    PositionEvent,
    PositionHungUp,
    RefuseCall,
    RingPosition,
)
from drivers.sim import (
    AgentHabits,
    AgentProfile,
    CallerTraffic,
    SimulatedAgents,
    SimulatedBridge,
    SimulatedCallers,
    SimulatedLines,
    SimulatedPositions,
)

SPEED = 1000.0
WAIT_S = 10.0


async def until(what: str, condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(WAIT_S):
        while not condition():
            await asyncio.sleep(0.002)
    assert condition(), what


def traffic(**changes: object) -> CallerTraffic:
    base: dict[str, object] = {
        "numbers": (("13800138000", "张伟"),),
        "menu_weights": (("2", 1.0),),
        "menu_mistake_share": 0.0,
        "mean_patience_s": 30.0,
    }
    base.update(changes)
    return CallerTraffic(**base)  # type: ignore[arg-type]


def test_caller_presses_the_weighted_menu_key_and_talks_until_the_box_hangs_up() -> None:
    async def main() -> None:
        lines = SimulatedLines(("sim-1",), clock=time.time, speed=SPEED)
        bridge = SimulatedBridge(clock=time.time)
        events: list[LineEvent] = []
        runner = asyncio.create_task(lines.run(events.append))
        await until("the line is in service", lambda: bool(events))
        patient = traffic(mean_patience_s=1e9, mean_talk_s=1e9)
        callers = SimulatedCallers(lines, bridge, patient, clock=time.time, speed=SPEED)
        callers.place_call()
        await until("the call rings", lambda: any(isinstance(e, CallArrived) for e in events))
        await lines.perform(AnswerLine("sim-1"))
        menu = ("greeting", "menu_cargo", "menu_orders", "menu_complaints")
        await lines.perform(PlayPrompt("sim-1", menu, play_id=1, barge_in=True))
        await until("a key", lambda: any(isinstance(e, DigitPressed) for e in events))
        assert [e.digit for e in events if isinstance(e, DigitPressed)] == ["2"]
        await bridge.perform(Connect("sim-1", "pos1"))
        await lines.perform(HangUpLine("sim-1"))
        await until("the caller is done", lambda: len(callers.outcomes) == 1)
        assert callers.outcomes[0].result == "ended_by_box"
        runner.cancel()

    asyncio.run(main())


def test_caller_left_waiting_hangs_up_after_patience_and_is_counted_abandoned() -> None:
    async def main() -> None:
        lines = SimulatedLines(("sim-1",), clock=time.time, speed=SPEED)
        bridge = SimulatedBridge(clock=time.time)
        events: list[LineEvent] = []
        runner = asyncio.create_task(lines.run(events.append))
        await until("the line is in service", lambda: bool(events))
        callers = SimulatedCallers(lines, bridge, traffic(), clock=time.time, speed=SPEED)
        callers.place_call()
        await until("the call rings", lambda: isinstance(events[-1], CallArrived))
        await lines.perform(AnswerLine("sim-1"))
        await lines.perform(PlayPrompt("sim-1", ("menu_cargo",), play_id=1, barge_in=True))
        await until("the caller gives up", lambda: len(callers.outcomes) == 1)
        assert callers.outcomes[0].result == "abandoned"
        assert isinstance(events[-1], CallerHungUp)
        runner.cancel()

    asyncio.run(main())


def test_caller_refused_or_finding_every_line_busy() -> None:
    async def main() -> None:
        lines = SimulatedLines(("sim-1",), clock=time.time, speed=SPEED)
        bridge = SimulatedBridge(clock=time.time)
        runner = asyncio.create_task(lines.run(lambda event: None))
        await asyncio.sleep(0)
        callers = SimulatedCallers(lines, bridge, traffic(), clock=time.time, speed=SPEED)
        callers.place_call("17000000000")
        callers.place_call("13800138000")  # the only line rings already
        await lines.perform(RefuseCall("sim-1"))
        await until("both outcomes", lambda: len(callers.outcomes) == 2)
        assert sorted((o.number, o.result) for o in callers.outcomes) == [
            ("13800138000", "busy"),
            ("17000000000", "refused"),
        ]
        runner.cancel()

    asyncio.run(main())


def test_callers_arrive_at_the_hourly_rate_with_the_same_seed_the_same_way() -> None:
    async def placed(seed: int) -> list[str]:
        lines = SimulatedLines(tuple(f"l{n}" for n in range(50)), clock=time.time, speed=SPEED)
        bridge = SimulatedBridge(clock=time.time)
        runner = asyncio.create_task(lines.run(lambda event: None))
        numbers = tuple((f"1380000{n:04d}", "") for n in range(100))
        callers = SimulatedCallers(
            lines,
            bridge,
            traffic(numbers=numbers, calls_per_hour=(3600.0,) * 24),
            clock=time.time,
            speed=SPEED,
            seed=seed,
        )
        arrivals = asyncio.create_task(callers.run())
        await until("twenty calls", lambda: callers.placed >= 20)
        arrivals.cancel()
        runner.cancel()
        return [t.split()[3] for t in lines.transcript.texts() if t.startswith("caller rings")][:20]

    first = asyncio.run(placed(5))
    assert first == asyncio.run(placed(5))
    assert first != asyncio.run(placed(6))


class Desk:
    def __init__(self) -> None:
        self.did: list[str] = []

    async def log_in(self, agent: str, position: str) -> None:
        self.did.append(f"log_in {agent} {position}")

    async def log_out(self, agent: str) -> None:
        self.did.append(f"log_out {agent}")

    async def pause(self, agent: str, reason: str) -> None:
        self.did.append(f"pause {agent} {reason}")

    async def ready(self, agent: str) -> None:
        self.did.append(f"ready {agent}")


def test_agent_logs_in_answers_talks_and_hangs_up() -> None:
    async def main() -> None:
        phones = SimulatedPositions(("pos1",), clock=time.time)
        events: list[PositionEvent] = []
        runner = asyncio.create_task(phones.run(events.append))
        desk = Desk()
        habits = AgentHabits(miss_share=0.0, pause_share=0.0, mean_handle_s=60.0)
        agents = SimulatedAgents(
            phones, desk, (AgentProfile("1001", "pos1"),), habits, clock=time.time, speed=SPEED
        )
        working = asyncio.create_task(agents.run())
        await until("logged in", lambda: desk.did == ["log_in 1001 pos1"])
        await phones.perform(RingPosition("pos1", call_id="c1"))
        await until("hung up", lambda: any(isinstance(e, PositionHungUp) for e in events))
        kinds = [type(e).__name__ for e in events]
        assert kinds[-2:] == [PositionAnswered.__name__, PositionHungUp.__name__]
        assert agents.calls_answered == 1
        working.cancel()
        runner.cancel()

    asyncio.run(main())


def test_agent_who_misses_an_offer_presses_ready_again_and_shifts_log_out() -> None:
    async def main() -> None:
        phones = SimulatedPositions(("pos1",), clock=time.time)
        runner = asyncio.create_task(phones.run(lambda event: None))
        desk = Desk()
        habits = AgentHabits(miss_share=1.0)
        profile = AgentProfile("1001", "pos1", shift_on_s=200.0, shift_off_s=100.0)
        agents = SimulatedAgents(phones, desk, (profile,), habits, clock=time.time, speed=SPEED)
        working = asyncio.create_task(agents.run())
        await until("logged in", lambda: bool(desk.did))
        await phones.perform(RingPosition("pos1", call_id="c1"))
        await until("ready again", lambda: "ready 1001" in desk.did)
        await until("end of shift and back", lambda: desk.did.count("log_in 1001 pos1") == 2)
        assert desk.did[:3] == ["log_in 1001 pos1", "ready 1001", "log_out 1001"]
        assert agents.offers_missed == 1
        working.cancel()
        runner.cancel()

    asyncio.run(main())


@dataclass
class WaybillCaller:
    callers: SimulatedCallers
    lines: SimulatedLines
    events: list[LineEvent]  # what the box heard from the caller's line
    running: asyncio.Task[None]  # the simulated line


async def caller_asked_for_a_waybill(plan: str) -> WaybillCaller:
    """A caller with one plan for the self-service, through the menu to the waybill prompt,
    until they have keyed a number and #."""
    lines = SimulatedLines(("sim-1",), clock=time.time, speed=SPEED)
    bridge = SimulatedBridge(clock=time.time)
    events: list[LineEvent] = []
    running = asyncio.create_task(lines.run(events.append))
    await until("the line is in service", lambda: bool(events))
    served = traffic(
        menu_weights=(("1", 1.0),),
        waybills=("SF1234567890", "JD8000123456"),
        waybill_choices=((plan, 1.0),),
        mean_patience_s=1e9,
    )
    callers = SimulatedCallers(lines, bridge, served, clock=time.time, speed=SPEED)
    callers.place_call()
    await until("the call rings", lambda: any(isinstance(e, CallArrived) for e in events))
    await lines.perform(AnswerLine("sim-1"))
    await lines.perform(PlayPrompt("sim-1", ("menu_cargo",), play_id=1, barge_in=True))
    await until("the menu key", lambda: any(isinstance(e, DigitPressed) for e in events))
    await lines.perform(PlayPrompt("sim-1", ("waybill_enter",), play_id=2, barge_in=True))
    await until("the #", lambda: keys(events).endswith("#"))
    return WaybillCaller(callers, lines, events, running)


def keys(events: list[LineEvent]) -> str:
    return "".join(e.digit for e in events if isinstance(e, DigitPressed))


READ_BACK = ("waybill_status_is", "waybill_status_in_transit", "waybill_agent_key")


def test_served_caller_keys_a_known_waybill_hears_it_and_hangs_up_self_served() -> None:
    async def main() -> None:
        c = await caller_asked_for_a_waybill("served")
        assert keys(c.events) in ("11234567890#", "18000123456#")
        await c.lines.perform(PlayPrompt("sim-1", READ_BACK, play_id=3))
        await until("the caller is done", lambda: len(c.callers.outcomes) == 1)
        assert c.callers.outcomes[0].result == "self_served"
        assert isinstance(c.events[-1], CallerHungUp)
        assert keys(c.events)[-1] == "#"  # no 0: no agent asked for

    asyncio.run(main())


def test_caller_wanting_an_agent_presses_0_after_the_read_back() -> None:
    async def main() -> None:
        c = await caller_asked_for_a_waybill("agent")
        await c.lines.perform(PlayPrompt("sim-1", READ_BACK, play_id=3))
        await until("the 0", lambda: keys(c.events).endswith("#0"))
        assert not c.callers.outcomes  # waiting for the agent now

    asyncio.run(main())


def test_caller_with_an_unknown_waybill_keys_digits_the_export_does_not_have() -> None:
    async def main() -> None:
        c = await caller_asked_for_a_waybill("unknown")
        keyed = keys(c.events)[1:-1]
        assert len(keyed) == 10 and keyed.isdigit()
        assert keyed not in ("1234567890", "8000123456")

    asyncio.run(main())
