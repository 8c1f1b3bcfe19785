"""The display_links table: one row per TV screen allowed to show the wallboard without a
sign-in, keyed by a hash of its link's secret (the secret itself is shown once, never kept)."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from appliance.store.database import fetch_one


@dataclass(frozen=True, slots=True)
class DisplayLink:
    link_id: int
    name: str  # where the screen hangs, e.g. "调度室大屏"
    created_s: float
    created_by: str  # the admin's agent id


async def insert(
    connection: aiosqlite.Connection, token_hash: str, name: str, created_s: float, created_by: str
) -> int:
    cursor = await connection.execute(
        "INSERT INTO display_links (token_hash, name, created_s, created_by) VALUES (?, ?, ?, ?)",
        (token_hash, name, created_s, created_by),
    )
    return int(cursor.lastrowid or 0)


async def every(connection: aiosqlite.Connection) -> list[DisplayLink]:
    rows = await connection.execute_fetchall(
        "SELECT id, name, created_s, created_by FROM display_links ORDER BY id"
    )
    return [DisplayLink(int(r[0]), str(r[1]), float(r[2]), str(r[3])) for r in rows]


async def known(connection: aiosqlite.Connection, token_hash: str) -> bool:
    row = await fetch_one(
        connection, "SELECT 1 FROM display_links WHERE token_hash = ?", (token_hash,)
    )
    return row is not None


async def remove(connection: aiosqlite.Connection, link_id: int) -> str | None:
    """The revoked link's name, or None when there was no such link."""
    row = await fetch_one(connection, "SELECT name FROM display_links WHERE id = ?", (link_id,))
    if row is None:
        return None
    await connection.execute("DELETE FROM display_links WHERE id = ?", (link_id,))
    return str(row[0])
