"""The depot the web benchmark measures: a database of a year of calls (one million call
records; the queue log of the last REPORT_DAYS days for the monthly report) and a running depot
on it with simulated lines and phones and agents logged in."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import random
import sqlite3
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from appliance.clock import ShellClock
from appliance.config import ThresholdsConfig
from appliance.desk import DeskService, open_desk
from appliance.desk.reports import PERIOD_DAYS
from appliance.runtime import DeviceSet, open_runtime
from appliance.seed import DEMO_AGENTS, DEMO_CALLERS, demo_setup
from appliance.service import DepotService
from appliance.store import Role, Store
from drivers.sim import SimulatedBridge, SimulatedLines, SimulatedPositions

DAY_S = 86_400.0
REPORT_DAYS = 31
BENCH_TIMEZONE = "Asia/Shanghai"
BENCH_ADMIN = ("9999", "bench-admin-pass")


@dataclass
class BenchDepot:
    service: DepotService
    desk: DeskService
    store: Store
    agents: tuple[str, ...]
    calls: int
    reports_prepared_s: float  # keeping the month's days at the first start on this database


def fill_database(path: str, *, calls: int, days: int, now_s: float, seed: int = 7) -> None:
    """Bulk-write `calls` answered and abandoned calls spread over `days` days before now."""
    rng = random.Random(seed)
    queues = ("cargo", "orders", "complaints")
    agents = [agent[0] for agent in DEMO_AGENTS]
    numbers = [number for number, _name in DEMO_CALLERS if number]
    first_s = now_s - days * DAY_S
    log_from_s = now_s - REPORT_DAYS * DAY_S
    step_s = (now_s - first_s - 3600.0) / calls
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA synchronous = OFF")
        call_rows: list[tuple[object, ...]] = []
        log_rows: list[tuple[object, ...]] = []
        for n in range(calls):
            arrived_s = first_s + n * step_s
            call_id = f"bench-{n}"
            queue = queues[n % 3]
            number = numbers[n % len(numbers)] if n % 10 else f"1380000{n % 10_000:04d}"
            wait_s = rng.expovariate(1 / 25.0)
            answered = wait_s < 90.0
            agent = agents[n % len(agents)] if answered else ""
            talk_s = rng.uniform(60.0, 400.0) if answered else 0.0
            connected_s = arrived_s + 8.0 + wait_s if answered else None
            ended_s = arrived_s + 8.0 + wait_s + talk_s
            reason = "answered" if answered else "abandoned_in_queue"
            call_rows.append(
                (
                    call_id,
                    "L1",
                    "in",
                    number,
                    "",
                    arrived_s,
                    ended_s,
                    reason,
                    queue,
                    arrived_s + 8.0,
                    agent,
                    connected_s,
                    wait_s,
                    talk_s,
                    0.0,
                    "",
                    "",
                    None,
                    0,
                )
            )
            if arrived_s >= log_from_s:
                entered_s = arrived_s + 8.0
                log_rows.append(
                    (arrived_s, call_id, "NONE", "L1", "INBOUND", json.dumps([number, ""]))
                )
                log_rows.append(
                    (entered_s, call_id, queue, "NONE", "ENTERQUEUE", json.dumps(["", number, "0"]))
                )
                if answered:
                    assert connected_s is not None
                    log_rows.append((connected_s - 3, call_id, queue, agent, "OFFER", "[]"))
                    log_rows.append(
                        (
                            connected_s,
                            call_id,
                            queue,
                            agent,
                            "CONNECT",
                            json.dumps([f"{wait_s:.0f}", "", "3"]),
                        )
                    )
                    log_rows.append(
                        (
                            ended_s,
                            call_id,
                            queue,
                            agent,
                            "COMPLETECALLER",
                            json.dumps([f"{wait_s:.0f}", f"{talk_s:.0f}", "1"]),
                        )
                    )
                else:
                    log_rows.append(
                        (
                            ended_s,
                            call_id,
                            queue,
                            "NONE",
                            "ABANDON",
                            json.dumps(["1", "1", f"{wait_s:.0f}"]),
                        )
                    )
                log_rows.append(
                    (ended_s, call_id, queue, agent or "NONE", "HANGUP", json.dumps([reason]))
                )
            if len(call_rows) >= 50_000:
                _flush(connection, call_rows, log_rows)
        _flush(connection, call_rows, log_rows)


def _flush(
    connection: sqlite3.Connection,
    call_rows: list[tuple[object, ...]],
    log_rows: list[tuple[object, ...]],
) -> None:
    connection.executemany(
        "INSERT INTO calls VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        call_rows,
    )
    log_rows.sort(key=_time_of)
    connection.executemany(
        "INSERT INTO queue_log (time_s, call_id, queue, agent, verb, data)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        log_rows,
    )
    connection.commit()
    call_rows.clear()
    log_rows.clear()


def _time_of(row: tuple[object, ...]) -> float:
    return float(str(row[0]))


@contextlib.asynccontextmanager
async def bench_depot(
    folder: Path, *, calls: int = 1_000_000, days: int = 365
) -> AsyncIterator[BenchDepot]:
    """A running depot on a database of `calls` calls, with agents logged in and ready."""
    database = str(folder / "bench.db")
    # late in the depot's day, so a report folds nearly a whole day of today's log
    zone = ZoneInfo(BENCH_TIMEZONE)
    today = dt.datetime.now(zone).date()
    clock = ShellClock(1.0, start_s=dt.datetime.combine(today, dt.time(22), zone).timestamp())
    store = await Store.open(database)  # creates and migrates the schema
    await store.add_user(BENCH_ADMIN[0], "Bench", Role.ADMIN, BENCH_ADMIN[1])
    await store.close()
    await asyncio.to_thread(fill_database, database, calls=calls, days=days, now_s=clock.now())
    positions = tuple(f"pos{n}" for n in range(1, len(DEMO_AGENTS) + 1))
    devices = DeviceSet(
        lines=(SimulatedLines(("L1", "L2", "L3", "L4"), clock=clock.now),),
        positions=(SimulatedPositions(positions, clock=clock.now),),
        bridge=SimulatedBridge(clock=clock.now),
    )
    async with open_runtime(
        database=database,
        devices=devices,
        clock=clock,
        timezone="Asia/Shanghai",
        thresholds=ThresholdsConfig(),
        default_setup=demo_setup,
    ) as runtime:
        service = DepotService(runtime, depot_name="bench")
        stop = asyncio.Event()
        async with open_desk(runtime.store, service) as desk:
            running = asyncio.create_task(runtime.run(stop))
            await runtime.ready.wait()
            # open_desk began keeping the days in the background; wait until it is done
            started = time.perf_counter()
            await desk.reports.prepare(service.now())
            prepared_s = time.perf_counter() - started
            agents = tuple(agent[0] for agent in DEMO_AGENTS)
            for agent, position in zip(agents, positions, strict=True):
                await service.log_in(agent, position)
                await service.ready(agent)
            try:
                yield BenchDepot(service, desk, runtime.store, agents, calls, prepared_s)
            finally:
                stop.set()
                await running


async def first_report_after_restart_ms(depot: BenchDepot) -> float:
    """As after a restart of the daemon: a new desk on the same database, from its opening
    until its first monthly report is ready (kept days read back, today's log folded)."""
    started = time.perf_counter()
    async with open_desk(depot.store, depot.service) as desk:
        reports = desk.reports
        now_s = depot.service.now()
        await reports.report(reports.today(now_s), PERIOD_DAYS["month"], now_s)
    return (time.perf_counter() - started) * 1000.0
