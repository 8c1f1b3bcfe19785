"""A running depot for the web tests: real Store on disk, real Engine and Runtime, simulated
lines and positions, the desk and the site served on a free 127.0.0.1 port."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from appliance.clock import ShellClock
from appliance.config import ThresholdsConfig
from appliance.desk import DeskService, open_desk
from appliance.runtime import DeviceSet, Runtime, open_runtime
from appliance.seed import demo_setup
from appliance.service import DepotService
from appliance.store import Role
from drivers.sim import SimulatedBridge, SimulatedLines, SimulatedPositions
from web_ui.site import build_site_app

T = TypeVar("T")

AGENT_ID, AGENT_PASSWORD = "1001", "agent-pass-1001"
SUPERVISOR_ID, SUPERVISOR_PASSWORD = "9001", "super-pass-9001"
ADMIN_ID, ADMIN_PASSWORD = "9999", "admin-pass-9999"
POSITION = "pos1"


class MovableClock(ShellClock):
    """The shell's clock with a hand the test can move forward (virtual days pass at once)."""

    def __init__(self) -> None:
        super().__init__(1.0)
        self.offset_s = 0.0

    def now(self) -> float:
        return super().now() + self.offset_s


class WallClock:
    """The wall clock sessions and throttling read, movable by the test."""

    def __init__(self, start_s: float = 1_800_000_000.0) -> None:
        self.time_s = start_s

    def __call__(self) -> float:
        return self.time_s


@dataclass
class Depot:
    url: str
    runtime: Runtime
    service: DepotService
    desk: DeskService
    lines: SimulatedLines
    positions: SimulatedPositions
    clock: MovableClock
    wall: WallClock


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def running_depot(
    database: Path,
    *,
    prompts_dir: str = "",
    recordings_dir: str = "",
    restart: Callable[[], None] | None = None,
    reports_ready_every_s: float = 60.0,
    desk_jobs_every_s: float = 3600.0,  # tests that watch escalation set it short
    persistent: frozenset[str] = frozenset(),
) -> AsyncIterator[Depot]:
    """`persistent` positions stay connected between calls, so keypad login works there."""
    clock = MovableClock()
    wall = WallClock()
    lines = SimulatedLines(("L1", "L2"), clock=clock.now)
    positions = SimulatedPositions(("pos1", "pos2"), clock=clock.now, persistent=persistent)
    devices = DeviceSet(
        lines=(lines,), positions=(positions,), bridge=SimulatedBridge(clock=clock.now)
    )
    async with open_runtime(
        database=str(database),
        devices=devices,
        clock=clock,
        timezone="Asia/Shanghai",
        thresholds=ThresholdsConfig(),
        default_setup=demo_setup,
    ) as runtime:
        service = DepotService(runtime, depot_name="Depot test")
        await runtime.store.add_user(AGENT_ID, "王芳", Role.AGENT, AGENT_PASSWORD)
        await runtime.store.add_user(SUPERVISOR_ID, "孙主管", Role.SUPERVISOR, SUPERVISOR_PASSWORD)
        await runtime.store.add_user(ADMIN_ID, "Admin", Role.ADMIN, ADMIN_PASSWORD)
        stop = asyncio.Event()
        async with open_desk(
            runtime.store,
            service,
            wall_clock=wall,
            prompts_dir=prompts_dir,
            recordings_dir=recordings_dir,
            restart=restart,
            reports_ready_every_s=reports_ready_every_s,
            desk_jobs_every_s=desk_jobs_every_s,
        ) as desk:
            running = asyncio.create_task(runtime.run(stop))
            await runtime.ready.wait()
            runner = web.AppRunner(build_site_app(desk, service), shutdown_timeout=0.5)
            await runner.setup()
            port = free_port()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            try:
                yield Depot(
                    f"http://127.0.0.1:{port}",
                    runtime,
                    service,
                    desk,
                    lines,
                    positions,
                    clock,
                    wall,
                )
            finally:
                stop.set()  # live streams end with the depot's updates
                await running
                await runner.cleanup()


class DepotThread:
    """The depot on its own event loop in a thread (the browser's sync API owns the main one)."""

    def __init__(self, database: Path) -> None:
        self._database = database
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._failure: BaseException | None = None
        self.depot: Depot | None = None
        self._thread = threading.Thread(target=self._main, daemon=True)

    def __enter__(self) -> Depot:
        self._thread.start()
        if not self._ready.wait(30):
            raise TimeoutError("the depot did not start in 30 s")
        if self._failure is not None:
            raise self._failure
        assert self.depot is not None
        return self.depot

    def __exit__(self, *exc: object) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Run `work` on the depot's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(30)

    def call(self, function: Any, *args: Any) -> Any:
        async def work() -> Any:
            return function(*args)

        return self.run(work())

    def _main(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._serve())
        except BaseException as failure:  # reported to the test through __enter__
            self._failure = failure
            self._ready.set()
        finally:
            self._loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        async with running_depot(self._database) as depot:
            self.depot = depot
            self._ready.set()
            await self._stop.wait()
