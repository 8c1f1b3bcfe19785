"""The blacklist (闭塞) and the fault records of lines and devices (故障记录)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import aiosqlite

from appliance.engine.records import FaultCleared, FaultRecorded, NumberBlocked


@dataclass(frozen=True, slots=True)
class Fault:
    device: str
    reason: str
    started_s: float
    cleared_s: float | None  # None while the device is still out of service


async def block(connection: aiosqlite.Connection, blocked: Sequence[NumberBlocked]) -> None:
    # blocking a number already on the list keeps who blocked it first
    await connection.executemany(
        "INSERT OR IGNORE INTO blacklist (number, by_agent, call_id, time_s) VALUES (?, ?, ?, ?)",
        [(b.number, b.by_agent, b.call_id, b.time_s) for b in blocked],
    )


async def unblock(connection: aiosqlite.Connection, number: str) -> bool:
    cursor = await connection.execute("DELETE FROM blacklist WHERE number = ?", (number,))
    return cursor.rowcount == 1


async def blacklist(connection: aiosqlite.Connection) -> list[str]:
    rows = await connection.execute_fetchall("SELECT number FROM blacklist ORDER BY number")
    return [str(row[0]) for row in rows]


async def fault_recorded(connection: aiosqlite.Connection, fault: FaultRecorded) -> None:
    await connection.execute(
        "INSERT INTO faults (device, reason, started_s) VALUES (?, ?, ?)",
        (fault.device, fault.reason, fault.time_s),
    )


async def fault_cleared(connection: aiosqlite.Connection, cleared: FaultCleared) -> None:
    await connection.execute(
        "UPDATE faults SET cleared_s = ? WHERE device = ? AND cleared_s IS NULL",
        (cleared.time_s, cleared.device),
    )


async def faults(connection: aiosqlite.Connection, since_s: float, until_s: float) -> list[Fault]:
    """Faults that were open at any time in [since_s, until_s), oldest first."""
    rows = await connection.execute_fetchall(
        "SELECT device, reason, started_s, cleared_s FROM faults"
        " WHERE started_s < ? AND (cleared_s IS NULL OR cleared_s >= ?) ORDER BY started_s, id",
        (until_s, since_s),
    )
    return [Fault(*tuple(row)) for row in rows]
