"""The runtime in-process, on simulated lines and positions and a real database on disk: events
reach the engine, actions reach the drivers, records reach the store before subscribers hear
of them, keypad logins are checked against the store, faults are shown, and a stop is clean."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from appliance import seed
from appliance.clock import ShellClock
from appliance.config import ThresholdsConfig
from appliance.demo import seed_new_database
from appliance.engine.records import Verb
from appliance.engine.setup import DepotSetup, OpeningHours
from appliance.engine.views import AgentState
from appliance.runtime import DeviceSet, Runtime, open_runtime
from appliance.service import (
    CallLogged,
    CommandRefused,
    DepotService,
    FiguresChanged,
    NoticeIssued,
    NoticeKind,
    Update,
)
from drivers.roles import (
    CallerId,
    DeviceFaulted,
    DeviceStatusSink,
    LineAction,
    PlayPrompt,
    PositionLampState,
    StackLight,
    WallboardFigures,
)
from drivers.sim import SimulatedBridge, SimulatedLines, SimulatedPositions
from drivers.sim.lines import LineState, SimLineError
from drivers.sim.positions import PhoneState

SPEED = 50.0
WAIT_S = 20.0
ZONE = "Asia/Shanghai"


class FlakyLines(SimulatedLines):
    """Simulated lines whose line `broken` fails every prompt, like a modem that lost its USB."""

    broken = ""

    async def perform(self, action: LineAction) -> None:
        if action.line == self.broken and isinstance(action, PlayPrompt):
            raise SimLineError(f"line {action.line} does not answer commands")
        await super().perform(action)


@dataclass
class Panel:
    """A display and lamp that keep what they were told (the test's eyes)."""

    shown: list[WallboardFigures] = field(default_factory=list)
    lights: list[tuple[StackLight, bool]] = field(default_factory=list)
    lamps: dict[str, PositionLampState] = field(default_factory=dict)
    fault_on_start: str = ""

    async def run(self, report: DeviceStatusSink) -> None:
        if self.fault_on_start:
            report(DeviceFaulted(0.0, "wallboard", self.fault_on_start))
        await asyncio.Event().wait()

    async def show(self, figures: WallboardFigures) -> None:
        self.shown.append(figures)

    async def set_stack_light(self, colour: StackLight, buzz: bool) -> None:
        self.lights.append((colour, buzz))

    async def set_position_lamp(self, position: str, state: PositionLampState) -> None:
        self.lamps[position] = state


@dataclass
class Depot:
    runtime: Runtime
    service: DepotService
    lines: FlakyLines
    phones: SimulatedPositions
    bridge: SimulatedBridge
    panel: Panel
    stop: asyncio.Event
    running: asyncio.Task[None]
    updates: list[Update]


async def until(what: str, condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(WAIT_S):
        while not condition():
            await asyncio.sleep(0.01)
    assert condition(), what


@asynccontextmanager
async def depot(
    tmp_path: Path, *, panel: Panel | None = None, setup: DepotSetup | None = None
) -> AsyncIterator[Depot]:
    clock = ShellClock(SPEED)
    lines = FlakyLines(("sim-1", "sim-2"), clock=clock.now, speed=SPEED)
    phones = SimulatedPositions(("pos1", "pos2"), clock=clock.now, persistent=frozenset({"pos2"}))
    bridge = SimulatedBridge(clock=clock.now)
    panel = panel if panel is not None else Panel()
    devices = DeviceSet(
        lines=(lines,), positions=(phones,), bridge=bridge, displays=(panel,), lamps=(panel,)
    )
    async with open_runtime(
        database=str(tmp_path / "depot.db"),
        devices=devices,
        clock=clock,
        timezone=ZONE,
        thresholds=ThresholdsConfig(),
        default_setup=lambda: setup if setup is not None else seed.demo_setup(ZONE),
        on_new_database=seed_new_database,
    ) as runtime:
        service = DepotService(runtime)
        stop = asyncio.Event()
        running = asyncio.create_task(runtime.run(stop))
        await until("the depot is ready", runtime.ready.is_set)
        updates: list[Update] = []

        async def listen() -> None:
            async for update in service.subscribe():
                updates.append(update)

        listener = asyncio.create_task(listen())
        try:
            yield Depot(runtime, service, lines, phones, bridge, panel, stop, running, updates)
        finally:
            stop.set()
            await asyncio.wait_for(running, WAIT_S)
            await asyncio.wait_for(listener, WAIT_S)


async def call_until_connected(d: Depot, line: str, number: str, position: str) -> None:
    assert d.lines.incoming_call(line, CallerId(number, "张伟"))
    await until("the menu plays", lambda: d.lines.state(line) is LineState.CONNECTED)
    await until(
        "the menu prompt",
        lambda: any(
            f"box PlayPrompt {line}" in t and "menu_cargo" in t for t in d.lines.transcript.texts()
        ),
    )
    d.lines.press(line, "1")
    await until("the agent's phone rings", lambda: d.phones.state(position) is PhoneState.RINGING)
    assert d.phones.answer(position)
    await until(
        "caller and agent talk", lambda: any(c.line == line for c in d.bridge.conversations)
    )


def test_runtime_answered_call_is_recorded_before_subscribers_hear_of_it(tmp_path: Path) -> None:
    async def main() -> None:
        async with depot(tmp_path) as d:
            await d.service.log_in("1001", "pos1")
            await call_until_connected(d, "sim-1", "13800138000", "pos1")
            await until(
                "the lamp shows the call",
                lambda: d.panel.lamps.get("pos1") is PositionLampState.ON_CALL,
            )
            d.phones.hang_up("pos1")
            await until(
                "the call is logged", lambda: any(isinstance(u, CallLogged) for u in d.updates)
            )
            logged = next(u for u in d.updates if isinstance(u, CallLogged))
            # the agent's desk was told of the offer (screen pop) with the caller's number
            pops = [
                u.notice
                for u in d.updates
                if isinstance(u, NoticeIssued) and u.notice.kind is NoticeKind.SCREEN_POP
            ]
            assert [(n.agent, n.number, n.queue) for n in pops] == [
                ("1001", "13800138000", "cargo")
            ]
            # the subscriber heard of the call only after its record was on disk
            saved = await d.service.calls_today()
            assert [(r.call_id, r.agent, r.queue, r.number, r.end_reason.value) for r in saved] == [
                (logged.record.call_id, "1001", "cargo", "13800138000", "answered")
            ]
            entries = await d.runtime.store.queue_log(0.0)
            verbs = [e.verb for e in entries if e.call_id == logged.record.call_id]
            assert verbs == [
                Verb.INBOUND,
                Verb.ENTERQUEUE,
                Verb.OFFER,
                Verb.CONNECT,
                Verb.COMPLETEAGENT,
                Verb.HANGUP,
            ]
            await until("the figures count it", lambda: d.service.figures().answered_today == 1)
            assert any(
                isinstance(u, FiguresChanged) and u.figures.answered_today == 1 for u in d.updates
            )
            await until(
                "the lamp shows wrap-up",
                lambda: d.panel.lamps.get("pos1") is PositionLampState.WRAP_UP,
            )
            await until(
                "the stack light is green",
                lambda: d.panel.lights[-1:] == [(StackLight.GREEN, False)],
            )

    asyncio.run(main())


def test_runtime_stop_ends_calls_cleanly_and_closes_the_board(tmp_path: Path) -> None:
    async def main() -> None:
        async with depot(tmp_path) as d:
            await d.service.log_in("1001", "pos1")
            await call_until_connected(d, "sim-2", "13912345678", "pos1")
            d.stop.set()
            await asyncio.wait_for(d.running, WAIT_S)
            store = d.runtime.store
            records = await store.calls(0.0, d.runtime.now() + 1)
            assert [(r.number, r.agent) for r in records] == [("13912345678", "1001")]
            verbs = [e.verb for e in await store.queue_log(0.0)]
            assert verbs.count(Verb.HANGUP) == 1 and Verb.AGENTLOGOFF in verbs
            assert d.lines.free_lines() == ["sim-1", "sim-2"], "every line is on-hook"
            assert d.phones.state("pos1") is PhoneState.IDLE
            assert d.panel.shown[-1].closed
            assert d.panel.lights[-1] == (StackLight.OFF, False)
            assert set(d.panel.lamps.values()) == {PositionLampState.OFF}

    asyncio.run(main())


def test_runtime_keypad_login_is_checked_against_the_store(tmp_path: Path) -> None:
    async def main() -> None:
        async with depot(tmp_path) as d:
            for digit in "1002#9999#":
                d.phones.press("pos2", digit)

            def state_of(agent: str) -> AgentState:
                return next(a.state for a in d.service.snapshot().agents if a.id == agent)

            for digit in "1002#2345#":
                d.phones.press("pos2", digit)
            await until("1002 is logged in at pos2", lambda: state_of("1002") is AgentState.READY)
            logins: list[tuple[str, tuple[str, ...]]] = []

            async def logged_in() -> None:
                while not logins:
                    entries = await d.runtime.store.queue_log(0.0)
                    logins.extend((e.agent, e.data) for e in entries if e.verb is Verb.AGENTLOGIN)
                    await asyncio.sleep(0.01)

            await asyncio.wait_for(logged_in(), WAIT_S)
            assert logins == [("1002", ("pos2",))], "the wrong PIN did not log in"

    asyncio.run(main())


def test_runtime_driver_error_is_logged_and_the_other_line_keeps_working(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def main() -> None:
        async with depot(tmp_path) as d:
            d.lines.broken = "sim-2"
            await d.service.log_in("1001", "pos1")
            assert d.lines.incoming_call("sim-2", CallerId("13600001111"))
            await until(
                "the failure is logged",
                lambda: "line sim-2: PlayPrompt failed: line sim-2 does not answer" in caplog.text,
            )
            d.lines.hang_up("sim-2")
            await call_until_connected(d, "sim-1", "13800138000", "pos1")

    with caplog.at_level(logging.ERROR, logger="appliance.runtime"):
        asyncio.run(main())


def test_runtime_device_fault_is_recorded_and_shown(tmp_path: Path) -> None:
    async def main() -> None:
        async with depot(tmp_path, panel=Panel(fault_on_start="no answer from the board")) as d:
            await until(
                "the board shows the fault", lambda: "wallboard" in d.service.figures().faults
            )
            faults = await d.runtime.store.faults(0.0, d.runtime.now() + 1)
            assert [(f.device, f.reason) for f in faults] == [
                ("wallboard", "no answer from the board")
            ]
            await until(
                "the stack light turns amber",
                lambda: d.panel.lights[-1:] == [(StackLight.AMBER, False)],
            )

    asyncio.run(main())


def test_runtime_outside_opening_hours_boards_say_closed_and_callers_hear_so(
    tmp_path: Path,
) -> None:
    never_open = dataclasses.replace(seed.demo_setup(ZONE), hours=OpeningHours(timezone=ZONE))

    async def main() -> None:
        async with depot(tmp_path, setup=never_open) as d:
            await until(
                "the board says closed", lambda: bool(d.panel.shown) and d.panel.shown[-1].closed
            )
            assert d.service.figures().closed
            await until(
                "the stack light is off", lambda: d.panel.lights[-1:] == [(StackLight.OFF, False)]
            )
            assert d.lines.incoming_call("sim-1", CallerId("13800138000"))
            await until(
                "the caller hears the closed prompt",
                lambda: any("'closed'" in t for t in d.lines.transcript.texts()),
            )

    asyncio.run(main())


def test_runtime_number_an_agent_blocked_stays_blocked_after_a_restart(tmp_path: Path) -> None:
    nuisance = "13700002222"

    async def main() -> None:
        async with depot(tmp_path) as d:
            await d.service.log_in("1001", "pos1")
            await call_until_connected(d, "sim-1", nuisance, "pos1")
            await d.service.block_caller("1001")
            await until("the line is hung up", lambda: d.lines.free_lines() == ["sim-1", "sim-2"])
            assert nuisance in await d.service.blacklist()
        async with depot(tmp_path) as d:
            assert d.lines.incoming_call("sim-2", CallerId(nuisance))
            await until("the call is refused", lambda: d.lines.free_lines() == ["sim-1", "sim-2"])
            entries = await d.runtime.store.queue_log(0.0)
            refused = [e for e in entries if e.verb is Verb.BLOCKED]
            assert [e.data for e in refused] == [("1001",), ("blacklist",)]

    asyncio.run(main())


def test_runtime_refused_command_raises_for_the_person_and_the_depot_goes_on(
    tmp_path: Path,
) -> None:
    async def main() -> None:
        async with depot(tmp_path) as d:
            with pytest.raises(CommandRefused) as unknown:
                await d.service.log_in("9999", "pos1")
            assert "9999" in str(unknown.value)
            await d.service.log_in("1001", "pos1")
            with pytest.raises(CommandRefused):
                await d.service.hold("1001")  # no call to hold
            await call_until_connected(d, "sim-1", "13800138000", "pos1")
            assert not d.running.done()

    asyncio.run(main())


def test_runtime_opening_hours_follow_the_depots_time_zone(tmp_path: Path) -> None:
    """A setup kept with another time zone (seeded before [depot] timezone was changed): the
    hours, figures and reports all use the configured one, and the setup is saved so."""
    elsewhere = dataclasses.replace(
        seed.demo_setup(ZONE), hours=OpeningHours(timezone="Europe/London", always_open=True)
    )

    async def main() -> None:
        async with depot(tmp_path, setup=elsewhere) as d:
            assert d.service.setup().hours.timezone == ZONE
            saved = await d.runtime.store.load_setup()
            assert saved is not None and saved.hours.timezone == ZONE

    asyncio.run(main())
