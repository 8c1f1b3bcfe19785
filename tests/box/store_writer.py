"""A stand-in daemon for the backup tests: writes ended calls through the real Store, one engine
step per transaction (HANGUP queue-log entry + CallEnded together), and prints "wrote N" after
each commit so the test can wait on progress. Run: python store_writer.py DB [COUNT [FIRST
[crash]]]; with `crash` it dies by SIGKILL after the last commit, leaving its -wal as a power
cut does."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from appliance.engine.records import CallEnded, CallRecord, EndReason, QueueLogEntry, Verb
from appliance.store import Store


def step(number: int) -> list[object]:
    call_id = f"call-{number:06d}"
    arrived_s = 1_780_000_000.0 + number * 30
    record = CallRecord(
        call_id=call_id,
        line="fxo0",
        direction="in",
        number=f"1380000{number:04d}",
        name="",
        arrived_s=arrived_s,
        ended_s=arrived_s + 20,
        end_reason=EndReason.ANSWERED,
        queue="orders",
        enqueued_s=arrived_s + 2,
        agent="1001",
        connected_s=arrived_s + 5,
        wait_s=3.0,
        talk_s=15.0,
    )
    return [
        QueueLogEntry(arrived_s, call_id, "orders", "NONE", Verb.INBOUND, (record.number, "")),
        QueueLogEntry(arrived_s + 20, call_id, "orders", "1001", Verb.HANGUP, ("answered",)),
        CallEnded(record),
    ]


async def write(path: str, count: int, first: int, *, crash: bool) -> None:
    store = await Store.open(path)
    if crash:
        await store._writer.execute("PRAGMA wal_autocheckpoint = 0")  # all of it in the -wal
    try:
        for number in range(first, first + count):
            await store.record(step(number))
            print(f"wrote {number - first + 1}", flush=True)
        if crash:
            os.kill(os.getpid(), signal.SIGKILL)
    finally:
        await store.close()


if __name__ == "__main__":
    arguments = sys.argv[1:]
    asyncio.run(
        write(
            arguments[0],
            int(arguments[1]) if len(arguments) > 1 else 10**9,
            int(arguments[2]) if len(arguments) > 2 else 0,
            crash=arguments[3:] == ["crash"],
        )
    )
