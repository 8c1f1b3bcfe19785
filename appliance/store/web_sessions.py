"""The web_sessions table: one row per signed-in browser, keyed by a hash of its cookie so a
copy of the database does not hand out live sessions."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from appliance.store.database import fetch_one


@dataclass(frozen=True, slots=True)
class WebSession:
    token_hash: str
    agent_id: str
    csrf_token: str
    created_s: float
    last_seen_s: float


async def insert(connection: aiosqlite.Connection, session: WebSession) -> None:
    await connection.execute(
        "INSERT INTO web_sessions (token_hash, agent_id, csrf_token, created_s, last_seen_s)"
        " VALUES (?, ?, ?, ?, ?)",
        (
            session.token_hash,
            session.agent_id,
            session.csrf_token,
            session.created_s,
            session.last_seen_s,
        ),
    )


async def one(connection: aiosqlite.Connection, token_hash: str) -> WebSession | None:
    row = await fetch_one(
        connection,
        "SELECT token_hash, agent_id, csrf_token, created_s, last_seen_s FROM web_sessions"
        " WHERE token_hash = ?",
        (token_hash,),
    )
    if row is None:
        return None
    return WebSession(str(row[0]), str(row[1]), str(row[2]), float(row[3]), float(row[4]))


async def touch(connection: aiosqlite.Connection, token_hash: str, seen_s: float) -> None:
    await connection.execute(
        "UPDATE web_sessions SET last_seen_s = ? WHERE token_hash = ?", (seen_s, token_hash)
    )


async def remove(connection: aiosqlite.Connection, token_hash: str) -> None:
    await connection.execute("DELETE FROM web_sessions WHERE token_hash = ?", (token_hash,))


async def remove_stale(
    connection: aiosqlite.Connection, seen_before_s: float, created_before_s: float
) -> None:
    """Sessions idle since `seen_before_s` or signed in before `created_before_s`."""
    await connection.execute(
        "DELETE FROM web_sessions WHERE last_seen_s < ? OR created_s < ?",
        (seen_before_s, created_before_s),
    )


async def remove_for_user(connection: aiosqlite.Connection, agent_id: str) -> None:
    await connection.execute("DELETE FROM web_sessions WHERE agent_id = ?", (agent_id,))
