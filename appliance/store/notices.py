"""Supervisor notices to agents (通知) and the shift handover log (交接班日志)."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite


@dataclass(frozen=True, slots=True)
class Notice:
    notice_id: int
    time_s: float
    author: str
    text: str
    active: bool


@dataclass(frozen=True, slots=True)
class HandoverEntry:
    time_s: float
    author: str
    text: str


async def add_notice(
    connection: aiosqlite.Connection, time_s: float, author: str, text: str
) -> int:
    cursor = await connection.execute(
        "INSERT INTO notices (time_s, author, text) VALUES (?, ?, ?)", (time_s, author, text)
    )
    return int(cursor.lastrowid or 0)


async def withdraw_notice(connection: aiosqlite.Connection, notice_id: int) -> bool:
    cursor = await connection.execute(
        "UPDATE notices SET active = 0 WHERE id = ? AND active = 1", (notice_id,)
    )
    return cursor.rowcount == 1


async def active_notices(connection: aiosqlite.Connection) -> list[Notice]:
    rows = await connection.execute_fetchall(
        "SELECT id, time_s, author, text, active FROM notices WHERE active = 1 ORDER BY time_s DESC"
    )
    return [Notice(int(r[0]), float(r[1]), str(r[2]), str(r[3]), bool(r[4])) for r in rows]


async def add_handover(connection: aiosqlite.Connection, entry: HandoverEntry) -> None:
    await connection.execute(
        "INSERT INTO handover_log (time_s, author, text) VALUES (?, ?, ?)",
        (entry.time_s, entry.author, entry.text),
    )


async def handovers(connection: aiosqlite.Connection, limit: int) -> list[HandoverEntry]:
    rows = await connection.execute_fetchall(
        "SELECT time_s, author, text FROM handover_log ORDER BY time_s DESC, id DESC LIMIT ?",
        (limit,),
    )
    return [HandoverEntry(float(r[0]), str(r[1]), str(r[2])) for r in rows]
