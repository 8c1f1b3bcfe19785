"""The calls table: one call detail record (CallRecord) per ended call, never changed."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import aiosqlite

from appliance.engine.records import CallRecord, EndReason
from appliance.store.database import fetch_one

_FIELDS = tuple(f.name for f in dataclasses.fields(CallRecord))
_INSERT = f"INSERT INTO calls ({', '.join(_FIELDS)}) VALUES ({', '.join('?' * len(_FIELDS))})"
_SELECT = f"SELECT {', '.join(_FIELDS)} FROM calls"


def _row(record: CallRecord) -> tuple[object, ...]:
    values: list[object] = []
    for name in _FIELDS:
        value = getattr(record, name)
        if isinstance(value, EndReason):
            value = value.value
        elif isinstance(value, bool):
            value = int(value)
        values.append(value)
    return tuple(values)


def _record(row: Sequence[object]) -> CallRecord:
    values = dict(zip(_FIELDS, row, strict=True))
    values["end_reason"] = EndReason(values["end_reason"])
    values["vip"] = bool(values["vip"])
    return CallRecord(**values)  # type: ignore[arg-type]


async def insert(connection: aiosqlite.Connection, records: Sequence[CallRecord]) -> None:
    await connection.executemany(_INSERT, [_row(record) for record in records])


async def between(
    connection: aiosqlite.Connection, since_s: float, until_s: float, limit: int
) -> list[CallRecord]:
    """Calls that arrived in [since_s, until_s), oldest first, at most `limit`."""
    rows = await connection.execute_fetchall(
        f"{_SELECT} WHERE arrived_s >= ? AND arrived_s < ? ORDER BY arrived_s LIMIT ?",
        (since_s, until_s, limit),
    )
    return [_record(tuple(row)) for row in rows]


async def by_number(connection: aiosqlite.Connection, number: str, limit: int) -> list[CallRecord]:
    """A caller's past calls, newest first (for the screen pop)."""
    rows = await connection.execute_fetchall(
        f"{_SELECT} WHERE number = ? ORDER BY arrived_s DESC LIMIT ?", (number, limit)
    )
    return [_record(tuple(row)) for row in rows]


async def one(connection: aiosqlite.Connection, call_id: str) -> CallRecord | None:
    row = await fetch_one(connection, f"{_SELECT} WHERE call_id = ?", (call_id,))
    return _record(tuple(row)) if row is not None else None
