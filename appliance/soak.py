"""`depotline soak --days N --fault-every-s S --seed K`: the real runtime, engine and store (a
database on disk) against the simulated world of appliance.soak_world in virtual time, with a
fault every S simulated seconds. Before each fault it checks that no line or agent is stuck,
that every ended call has its one CDR and that the figures rebuilt from the log equal the live
ones; prints one JSON object."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import math
import os
import random
import resource
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace

from appliance import seed
from appliance.config import ThresholdsConfig
from appliance.desk.reports import REPORT_SETTLE_S, DepotReports
from appliance.engine.commands import CommandRefused, LogIn, Ready, Tick
from appliance.engine.records import CallEnded
from appliance.engine.setup import DepotSetup
from appliance.engine.types import Event
from appliance.engine.views import AgentState
from appliance.runtime import DeviceSet, Runtime, figures_from_log, open_runtime
from appliance.soak_checks import (
    DatabaseFindings,
    check_database,
    negative_durations,
    stuck_agents,
    stuck_lines,
)
from appliance.soak_world import VirtualClock, World, line_driver, position_driver
from appliance.store import Store, StoreError

TIMEZONE = "Asia/Shanghai"
START_S = 1_767_571_200.0  # 2026-01-05 00:00 UTC, a Monday
LINES = ("L1", "L2", "L3", "L4")
FAULTS = (
    "line_unplugged",
    "phone_dead",
    "daemon_killed",
    "clock_stepped",
    "clock_stepped_running",
    "disk_write_failed",
)
CLOCK_STEP_S = 1800.0  # a start finds the clock up to this far off (NTP, a Pi without RTC)
# While the daemon runs, NTP steps the clock of a Pi without RTC: forward by minutes to hours
# (it booted at the last saved time), or back by seconds to minutes (it had run fast).
RUNNING_STEP_FORWARD_S = (60.0, 3 * 3600.0)
RUNNING_STEP_BACK_S = (1.0, 300.0)
AGENTS_LOOK_EVERY_S = 60.0  # agents notice they are paused or logged out this often
PAUSED_TOO_LONG_S = 120.0  # then they make themselves ready again


@dataclass(frozen=True, slots=True)
class SoakOptions:
    days: float = 7.0
    fault_every_s: float = 3600.0
    seed: int = 1
    calls_per_day: float = 300.0
    aht_s: float = 180.0
    patience_s: float = 120.0
    database: str = ""  # empty: a new database in a temporary folder


@dataclass(slots=True)
class SoakResult:
    days: float
    calls: int = 0
    faults: int = 0
    lost_records: int = 0
    stuck_lines: int = 0
    stuck_agents: int = 0
    figures_mismatches: int = 0
    negative_durations: int = 0  # agents' and callers' time so far shown below zero
    rss_mb_max: float = 0.0
    wall_s: float = 0.0
    starts: int = 0
    turned_away: int = 0
    fault_kinds: dict[str, int] = field(default_factory=dict)


def soak_setup() -> DepotSetup:
    """The demo depot: L1 plays the menu, the other lines go straight to a queue."""
    return replace(
        seed.demo_setup(TIMEZONE),
        line_queues=(("L2", "cargo"), ("L3", "orders"), ("L4", "complaints")),
    )


class Soak:
    def __init__(self, options: SoakOptions, database: str) -> None:
        self.options = options
        self.database = database
        self.rng = random.Random(options.seed)
        self.agent_positions = {
            agent_id: f"P{n + 1}" for n, (agent_id, *_rest) in enumerate(seed.DEMO_AGENTS)
        }
        self.world = World(
            lines=LINES,
            positions=tuple(self.agent_positions.values()),
            rng=random.Random(options.seed + 1),
            start_s=START_S,
            calls_per_day=options.calls_per_day,
            aht_s=options.aht_s,
            patience_s=options.patience_s,
            numbers=tuple(number for number, _name in seed.DEMO_CALLERS),
        )
        self.end_s = START_S + options.days * 86_400.0
        self.next_fault_s = START_S + options.fault_every_s
        self.agents_look_s = START_S
        self.result = SoakResult(days=options.days)
        self.acknowledged: list[str] = []  # call ids whose CallEnded a step committed
        self.fault_kinds: Counter[str] = Counter()
        self.fail_next_write = False
        self.reports: tuple[Runtime, DepotReports] | None = None

    async def run(self) -> SoakResult:
        started = time.perf_counter()
        self.world.start()
        while self.world.world_s < self.end_s:
            await self._run_daemon()
        # one more start: it ends the calls the last stop cut off, as at any start
        self.world.daemon_died()
        self.end_s = -math.inf
        await self._run_daemon()
        findings = await self._scan()
        self.result.calls = findings.calls
        self.result.lost_records += findings.lost
        self.result.rss_mb_max = _rss_mb()
        self.result.fault_kinds = dict(self.fault_kinds)
        self.result.turned_away = self.world.turned_away
        self.result.wall_s = round(time.perf_counter() - started, 2)
        return self.result

    async def _run_daemon(self) -> None:
        """One life of the daemon on the database, until a fault ends it or the soak ends."""
        async with open_runtime(
            database=self.database,
            devices=DeviceSet(
                lines=(line_driver(self.world),), positions=(position_driver(self.world),)
            ),
            clock=VirtualClock(self.world),
            timezone=TIMEZONE,
            thresholds=ThresholdsConfig(),
            default_setup=soak_setup,
            seed=self.options.seed,
        ) as runtime:
            self.result.starts += 1
            self.world.snapshot = runtime.snapshot
            await runtime.start()
            self.world.in_service()
            try:
                while await self._next(runtime):
                    pass
            except StoreError:
                # the disk failed: the daemon dies as in production, and systemd restarts it
                self.world.daemon_died()
            finally:
                self.world.snapshot = None

    async def _next(self, runtime: Runtime) -> bool:
        """The next thing that happens; False when the daemon must stop (a fault, or the end)."""
        world = self.world
        if world.inbox:
            await self._feed(runtime, world.inbox.popleft())
            return True
        deadline = runtime.engine.next_deadline()
        deadline_s = math.inf if deadline is None else deadline - world.clock_step_s
        world_s = world.next_s() or math.inf
        first = min(deadline_s, world_s, self.next_fault_s, self.agents_look_s, self.end_s)
        if first == self.end_s:
            world.world_s = max(world.world_s, self.end_s)
            return False
        if first == deadline_s:
            world.world_s = max(world.world_s, deadline_s)
            await self._feed(runtime, Tick(max(world.box_now(), deadline or 0.0)))
        elif first == world_s:
            world.fire_next()
        elif first == self.agents_look_s:
            world.world_s = max(world.world_s, first)
            self.agents_look_s += AGENTS_LOOK_EVERY_S
            await self._agents_look(runtime)
            # the desk folds today's report each minute as it does on the box (desk/jobs.py)
            await self._reports(runtime).prepare(runtime.now())
        else:
            world.world_s = max(world.world_s, first)
            self.next_fault_s += self.options.fault_every_s
            await self._check(runtime)
            return await self._inject(runtime)
        return True

    async def _feed(self, runtime: Runtime, event: Event) -> None:
        if self.fail_next_write:
            self.fail_next_write = False
            _fail_next_record(runtime.store)
        try:
            actions = await runtime.step(event)
        except CommandRefused:
            return
        self.acknowledged.extend(a.record.call_id for a in actions if isinstance(a, CallEnded))

    async def _agents_look(self, runtime: Runtime) -> None:
        """Agents log in again (after a restart or a dead phone) and end a pause left on."""
        now = runtime.now()
        for agent in runtime.snapshot().agents:
            position = self.agent_positions.get(agent.id)
            if position is None or position in self.world.dead:
                continue
            if agent.state is AgentState.LOGGED_OUT:
                await self._feed(runtime, LogIn(now, agent.id, position))
            elif agent.state is AgentState.PAUSED and now - agent.since_s > PAUSED_TOO_LONG_S:
                await self._feed(runtime, Ready(now, agent.id))

    async def _check(self, runtime: Runtime) -> None:
        now = runtime.now()
        snapshot = runtime.snapshot()
        self.result.stuck_lines += stuck_lines(snapshot, self.world)
        self.result.stuck_agents += stuck_agents(snapshot, self.world)
        self.result.negative_durations += negative_durations(snapshot)
        rebuilt = await figures_from_log(runtime.store, runtime.setup, TIMEZONE, now)
        live = runtime.figures.wallboard(now)
        if rebuilt.wallboard(now) != live:
            self.result.figures_mismatches += 1
        # the desk's report of today (kept days, today folded on each minute, folded again
        # after a clock set back) counts what the wallboard counts, once the rows have settled
        today = await self._reports(runtime).report(runtime.figures.calendar.day_of(now), 1, now)
        settled = runtime.engine.now_s <= now - REPORT_SETTLE_S
        reported = (today.totals.answered, today.totals.abandoned)
        if settled and reported != (live.answered_today, live.abandoned_today):
            self.result.figures_mismatches += 1
        for call_id in self.acknowledged:
            if await runtime.store.call(call_id) is None:
                self.result.lost_records += 1
        self.acknowledged.clear()
        self.result.rss_mb_max = _rss_mb()

    def _reports(self, runtime: Runtime) -> DepotReports:
        """The desk's reports of this life of the daemon (their cache lives as long)."""
        if self.reports is None or self.reports[0] is not runtime:
            sl_threshold_s = min(queue.sl_threshold_s for queue in runtime.setup.queues)
            self.reports = (
                runtime,
                DepotReports(runtime.store, timezone=TIMEZONE, sl_threshold_s=sl_threshold_s),
            )
        return self.reports[1]

    async def _inject(self, runtime: Runtime) -> bool:
        """The next fault; False when it ends the daemon."""
        kind = self.rng.choice(FAULTS)
        self.fault_kinds[kind] += 1
        self.result.faults += 1
        if kind == "line_unplugged":
            self.world.unplug()
        elif kind == "phone_dead":
            self.world.kill_phone()
        elif kind == "disk_write_failed":
            self.fail_next_write = True
        elif kind == "clock_stepped_running":
            # the runtime's timer wakes on the new time, and the monitor is looked at at once
            self.world.step_clock(self._running_step_s())
            await self._feed(runtime, Tick(runtime.now()))
            await self._check(runtime)
        else:
            self.world.daemon_died()
            if kind == "clock_stepped":
                self.world.clock_step_s += self.rng.uniform(-CLOCK_STEP_S, CLOCK_STEP_S)
            return False
        return True

    def _running_step_s(self) -> float:
        if self.rng.random() < 0.5:
            return self.rng.uniform(*RUNNING_STEP_FORWARD_S)
        return -self.rng.uniform(*RUNNING_STEP_BACK_S)

    async def _scan(self) -> DatabaseFindings:
        store = await Store.open(self.database)
        try:
            return await check_database(store, START_S - 2 * CLOCK_STEP_S)
        finally:
            await store.close()


def _fail_next_record(store: Store) -> None:
    """The store's next write fails as a dying SD card makes it fail."""

    async def failing(items: Sequence[object]) -> None:
        del store.record  # the Store's own method again after this one write
        raise StoreError(f"database {store.path} cannot be used (SQLite: disk I/O error)")

    store.record = failing  # type: ignore[method-assign]


def _rss_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss over
    an exec, so a soak started by a big parent (a long pytest run) reported the parent's size."""
    with contextlib.suppress(OSError), open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024.0, 1)  # in kB
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)


async def soak(options: SoakOptions) -> SoakResult:
    if options.database:
        return await Soak(options, options.database).run()
    with tempfile.TemporaryDirectory(prefix="depotline-soak-") as folder:
        return await Soak(options, os.path.join(folder, "soak.db")).run()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="depotline soak",
        description="Days of calls with faults in virtual time, on the real engine and store.",
    )
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--fault-every-s", type=float, default=3600.0, help="simulated seconds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--calls-per-day", type=float, default=300.0)
    parser.add_argument("--aht-s", type=float, default=180.0, help="mean talk time")
    parser.add_argument("--patience-s", type=float, default=120.0, help="mean caller patience")
    parser.add_argument("--db", default="", help="database file (default: a temporary one)")
    return parser


def main(argv: list[str]) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.days <= 0 or args.fault_every_s <= 0 or args.calls_per_day <= 0:
        parser.error("--days, --fault-every-s and --calls-per-day must be positive")
    options = SoakOptions(
        days=args.days,
        fault_every_s=args.fault_every_s,
        seed=args.seed,
        calls_per_day=args.calls_per_day,
        aht_s=args.aht_s,
        patience_s=args.patience_s,
        database=args.db,
    )
    # the daemon's own warnings (calls cut off at each restart) would drown the result
    logging.getLogger("appliance").setLevel(logging.ERROR)
    result = asyncio.run(soak(options))
    print(json.dumps(asdict(result), sort_keys=True))
    failed = result.lost_records or result.stuck_lines or result.stuck_agents
    return 1 if failed or result.figures_mismatches or result.negative_durations else 0
