"""Power cut or kill -9 while the store writes: the file opens clean, and every call whose
HANGUP entry was kept has its call record (they are written in one transaction)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from appliance.engine.records import QueueLogEntry, Verb
from appliance.store import Store

WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from appliance.engine.records import (
        CallEnded, CallRecord, EndReason, QueueLogEntry, Verb,
    )
    from appliance.store import Store

    async def main(path: str, first: int) -> None:
        store = await Store.open(path)
        call = first
        while True:
            t = 1_700_000_000.0 + call
            cid = f"call-{call}"
            step = [
                QueueLogEntry(t, cid, "cargo", "1001", Verb.COMPLETECALLER, ("3", "60", "1")),
                QueueLogEntry(t, cid, "cargo", "1001", Verb.WRAPUPSTART, ("30",)),
                QueueLogEntry(t, cid, "cargo", "NONE", Verb.HANGUP, ("answered",)),
                CallEnded(CallRecord(cid, "fxo0", "in", "138", "x" * 200, t - 63, t,
                                     EndReason.ANSWERED, queue="cargo", agent="1001")),
            ]
            await store.record(step)
            print(call, flush=True)
            call += 1

    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
    """
)


def check(path: Path) -> tuple[str, int]:
    async def main() -> tuple[str, int]:
        store = await Store.open(path)
        try:
            return await store.integrity_check(), len(await store.queue_log(0.0))
        finally:
            await store.close()

    integrity, entries = asyncio.run(main())
    with sqlite3.connect(path) as connection:
        orphans = connection.execute(
            "SELECT count(*) FROM queue_log WHERE verb = 'HANGUP'"
            " AND call_id NOT IN (SELECT call_id FROM calls)"
        ).fetchone()[0]
        records_without_hangup = connection.execute(
            "SELECT count(*) FROM calls WHERE call_id NOT IN"
            " (SELECT call_id FROM queue_log WHERE verb = 'HANGUP')"
        ).fetchone()[0]
    connection.close()
    assert orphans == 0
    assert records_without_hangup == 0
    return integrity, entries


def test_store_killed_mid_write_opens_clean_with_every_hangup_recorded(tmp_path: Path) -> None:
    path = tmp_path / "depot.db"
    rng = random.Random(7)
    root = Path(__file__).resolve().parents[3]
    environment = {**os.environ, "PYTHONPATH": str(root)}
    written = 0
    for _round in range(12):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(written)],
            stdout=subprocess.PIPE,
            text=True,
            env=environment,
        )
        assert writer.stdout is not None
        # let it commit a random number of steps, then kill it while it writes the next
        confirmed = -1
        for _ in range(rng.randint(1, 40)):
            line = writer.stdout.readline()
            assert line, "the writer stopped by itself"
            confirmed = int(line)
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
        writer.stdout.close()
        integrity, entries = check(path)
        assert integrity == "ok"
        # every step the writer reported committed is there (4 rows per step, 3 log entries)
        assert entries >= 3 * (confirmed + 1)
        assert entries % 3 == 0
        written = entries // 3


def test_store_write_cancelled_at_its_start_leaves_no_transaction_open(tmp_path: Path) -> None:
    """A task cancelled while its write's BEGIN is on the connection's thread (the daemon
    stopping while reports are being kept): later writes and the closing checkpoint work."""

    def entry(time_s: float) -> QueueLogEntry:
        return QueueLogEntry(time_s, "NONE", "NONE", "1001", Verb.AGENTLOGIN, ("pos1",))

    async def scenario() -> None:
        store = await Store.open(tmp_path / "depot.db")
        writing = asyncio.create_task(store.record([entry(1.0)]))
        await asyncio.sleep(0)  # the task is now waiting for BEGIN IMMEDIATE
        writing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await writing
        await store.record([entry(2.0)])
        assert [e.time_s for e in await store.queue_log(0.0)] == [2.0]
        await store.close()

    asyncio.run(asyncio.wait_for(scenario(), 30.0))  # a transaction left open hangs the close
    with sqlite3.connect(tmp_path / "depot.db") as connection:
        assert connection.execute("SELECT count(*) FROM queue_log").fetchone() == (1,)
