"""The queue_log table: append-only, one row per QueueLogEntry, read back in log order."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Sequence

import aiosqlite

from appliance.engine.records import QueueLogEntry, Verb

_INSERT = (
    "INSERT INTO queue_log (time_s, call_id, queue, agent, verb, data) VALUES (?, ?, ?, ?, ?, ?)"
)
_COLUMNS = "time_s, call_id, queue, agent, verb, data"


async def append(connection: aiosqlite.Connection, entries: Sequence[QueueLogEntry]) -> None:
    await connection.executemany(
        _INSERT,
        [
            (e.time_s, e.call_id, e.queue, e.agent, e.verb.value, json.dumps(list(e.data)))
            for e in entries
        ],
    )


def _entry(row: Iterable[object]) -> QueueLogEntry:
    time_s, call_id, queue, agent, verb, data = row
    return QueueLogEntry(
        time_s=float(time_s),  # type: ignore[arg-type]
        call_id=str(call_id),
        queue=str(queue),
        agent=str(agent),
        verb=Verb(verb),
        data=tuple(json.loads(str(data))),
    )


def _where(since_s: float, until_s: float | None) -> tuple[str, tuple[float, ...]]:
    if until_s is None:
        return "time_s >= ?", (since_s,)
    return "time_s >= ? AND time_s < ?", (since_s, until_s)


async def read(
    connection: aiosqlite.Connection, since_s: float, until_s: float | None
) -> list[QueueLogEntry]:
    """Entries with since_s ≤ time < until_s, in the order they were written."""
    where, arguments = _where(since_s, until_s)
    cursor = await connection.execute(
        f"SELECT {_COLUMNS} FROM queue_log WHERE {where} ORDER BY id", arguments
    )
    return [_entry(row) for row in await cursor.fetchall()]


async def iterate(
    connection: aiosqlite.Connection,
    since_s: float,
    until_s: float | None,
    batch: int,
) -> AsyncIterator[list[QueueLogEntry]]:
    """The same entries as `read`, in batches, for periods too long to hold in memory."""
    where, arguments = _where(since_s, until_s)
    last_id = -1
    while True:
        cursor = await connection.execute(
            f"SELECT id, {_COLUMNS} FROM queue_log WHERE {where} AND id > ? ORDER BY id LIMIT ?",
            (*arguments, last_id, batch),
        )
        rows = list(await cursor.fetchall())
        if not rows:
            return
        last_id = int(rows[-1][0])
        yield [_entry(tuple(row)[1:]) for row in rows]
