"""A depot step run in a process that SIGKILLs itself right after its K-th committed store
transaction: `python kill_at_write.py DB SCENARIO K`. Exit 0 means the scenario finished before
the K-th commit; a kill means the database holds what a power cut at that instant leaves."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from appliance import seed
from appliance.clock import ShellClock
from appliance.config import ThresholdsConfig
from appliance.desk import DeskService, SignedIn, open_desk
from appliance.runtime import DeviceSet, open_runtime
from appliance.service import DepotService
from appliance.store import Role, Store

TIMEZONE = "Asia/Shanghai"
SUPERVISOR = SignedIn(seed.DEMO_SUPERVISOR[0], seed.DEMO_SUPERVISOR[1], Role.ADMIN, "", 0.0)
NUMBER = "13011112222"


def kill_after_commits(limit: int) -> None:
    """From now on, the `limit`-th committed transaction is the last thing this process does."""
    original = Store._write
    commits = 0

    async def write(self: Store, work: Callable[[Any], Awaitable[Any]]) -> Any:
        nonlocal commits
        result = await original(self, work)
        commits += 1
        if commits == limit:
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    Store._write = write  # type: ignore[method-assign]


@contextlib.asynccontextmanager
async def demo_desk(database: str) -> AsyncIterator[DeskService]:
    """The demo depot running on `database`, and its desk (no devices: no calls, only the
    desk's writes)."""
    async with (
        open_runtime(
            database=database,
            devices=DeviceSet(),
            clock=ShellClock(),
            timezone=TIMEZONE,
            thresholds=ThresholdsConfig(),
            default_setup=lambda: seed.demo_setup(TIMEZONE),
            first_users=seed.demo_users(),
        ) as runtime,
        open_desk(runtime.store, DepotService(runtime)) as desk,
    ):
        stop = asyncio.Event()
        running = asyncio.create_task(runtime.run(stop))
        await runtime.ready.wait()
        try:
            yield desk
        finally:
            stop.set()
            await running


async def first_start(database: str, limit: int) -> None:
    kill_after_commits(limit)
    async with demo_desk(database):
        pass


async def block_then_unblock(database: str, limit: int) -> None:
    async with demo_desk(database) as desk:
        kill_after_commits(limit)
        await desk.block_number(SUPERVISOR, NUMBER)
        await desk.unblock_number(SUPERVISOR, NUMBER)


SCENARIOS = {"first_start": first_start, "block_then_unblock": block_then_unblock}

if __name__ == "__main__":
    database, scenario, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
    asyncio.run(SCENARIOS[scenario](database, limit))
