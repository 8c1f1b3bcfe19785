"""The queue_log table: append-only, one row per QueueLogEntry, read back in log order."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Sequence

import aiosqlite

from appliance.engine.records import QueueLogEntry, Verb
from appliance.store.database import fetch_one

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


async def _id_range(
    connection: aiosqlite.Connection, since_s: float, until_s: float | None
) -> tuple[int, int] | None:
    """First and last row id of the entries in the time window, from the time index alone;
    reading by id then keeps the written order without scanning the whole log."""
    if until_s is None:
        sql = "SELECT min(id), max(id) FROM queue_log WHERE time_s >= ?"
        arguments: tuple[float, ...] = (since_s,)
    else:
        sql = "SELECT min(id), max(id) FROM queue_log WHERE time_s >= ? AND time_s < ?"
        arguments = (since_s, until_s)
    row = await fetch_one(connection, sql, arguments)
    if row is None or row[0] is None:
        return None
    return int(row[0]), int(row[1])


def _time_filter(until_s: float | None) -> str:
    return "time_s >= ?" if until_s is None else "time_s >= ? AND time_s < ?"


def _time_arguments(since_s: float, until_s: float | None) -> tuple[float, ...]:
    return (since_s,) if until_s is None else (since_s, until_s)


async def read(
    connection: aiosqlite.Connection, since_s: float, until_s: float | None
) -> list[QueueLogEntry]:
    """Entries with since_s ≤ time < until_s, in the order they were written."""
    found = await _id_range(connection, since_s, until_s)
    if found is None:
        return []
    rows = await connection.execute_fetchall(
        f"SELECT {_COLUMNS} FROM queue_log WHERE id BETWEEN ? AND ?"
        f" AND {_time_filter(until_s)} ORDER BY id",
        (*found, *_time_arguments(since_s, until_s)),
    )
    return [_entry(row) for row in rows]


async def iterate(
    connection: aiosqlite.Connection,
    since_s: float,
    until_s: float | None,
    batch: int,
) -> AsyncIterator[list[QueueLogEntry]]:
    """The same entries as `read`, in batches, for periods too long to hold in memory."""
    found = await _id_range(connection, since_s, until_s)
    if found is None:
        return
    last_id, end_id = found[0] - 1, found[1]
    while last_id < end_id:
        rows = list(
            await connection.execute_fetchall(
                f"SELECT id, {_COLUMNS} FROM queue_log WHERE id > ? AND id <= ?"
                f" AND {_time_filter(until_s)} ORDER BY id LIMIT ?",
                (last_id, end_id, *_time_arguments(since_s, until_s), batch),
            )
        )
        if not rows:
            return
        last_id = int(rows[-1][0])
        yield [_entry(tuple(row)[1:]) for row in rows]


async def last_start_s(connection: aiosqlite.Connection, before_s: float) -> float | None:
    """Time of the last QUEUESTART (daemon start) at or before `before_s`."""
    row = await fetch_one(
        connection,
        "SELECT max(time_s) FROM queue_log WHERE verb = 'QUEUESTART' AND time_s <= ?",
        (before_s,),
    )
    return None if row is None or row[0] is None else float(row[0])


async def calls_keying(connection: aiosqlite.Connection, digits: str, limit: int) -> list[str]:
    """The calls whose caller keyed these digits in the waybill self-service, newest first
    (the WAYBILL rows' first field, which the queue_log_waybills index holds)."""
    rows = await connection.execute_fetchall(
        "SELECT call_id FROM queue_log WHERE verb = 'WAYBILL' AND json_extract(data, '$[0]') = ?"
        " GROUP BY call_id ORDER BY max(time_s) DESC LIMIT ?",
        (digits, limit),
    )
    return [str(row[0]) for row in rows]
