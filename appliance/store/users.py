"""The users table: agents, supervisors and admins with their hashed password and PIN."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import aiosqlite

from appliance.store import web_sessions
from appliance.store.database import fetch_one

# A desk phone's keypad PIN: the CLI and the web pages check it with is_keypad_pin.
PIN_MIN_DIGITS = 4
PIN_MAX_DIGITS = 8


class Role(enum.Enum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class User:
    agent_id: str  # 工号
    name: str
    role: Role
    created_s: float


@dataclass(frozen=True, slots=True)
class UserHashes:
    password_hash: str
    pin_hash: str  # "" = no PIN set: keypad login refused


AGENT_ID_MAX_DIGITS = 20


def is_agent_id(agent_id: str) -> bool:
    """A 工号: 1 to 20 of the digits 0-9, so it can be keyed on a desk phone. The one rule for
    the web pages, the first-boot page, the settings and `depotline users`."""
    return agent_id.isascii() and agent_id.isdigit() and len(agent_id) <= AGENT_ID_MAX_DIGITS


def is_keypad_pin(pin: str) -> bool:
    """4 to 8 of the digits 0-9 (isdigit alone would let through ² or full-width １, which no
    keypad sends)."""
    return pin.isascii() and pin.isdigit() and PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS


async def insert(
    connection: aiosqlite.Connection,
    user: User,
    hashes: UserHashes,
) -> bool:
    cursor = await connection.execute(
        "INSERT OR IGNORE INTO users (agent_id, name, role, password_hash, pin_hash, created_s)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            user.agent_id,
            user.name,
            user.role.value,
            hashes.password_hash,
            hashes.pin_hash,
            user.created_s,
        ),
    )
    return cursor.rowcount == 1


async def one(connection: aiosqlite.Connection, agent_id: str) -> User | None:
    row = await fetch_one(
        connection,
        "SELECT agent_id, name, role, created_s FROM users WHERE agent_id = ?",
        (agent_id,),
    )
    if row is None:
        return None
    return User(str(row[0]), str(row[1]), Role(row[2]), float(row[3]))


async def every(connection: aiosqlite.Connection) -> list[User]:
    rows = await connection.execute_fetchall(
        "SELECT agent_id, name, role, created_s FROM users ORDER BY agent_id"
    )
    return [User(str(row[0]), str(row[1]), Role(row[2]), float(row[3])) for row in rows]


async def hashes(connection: aiosqlite.Connection, agent_id: str) -> UserHashes | None:
    row = await fetch_one(
        connection, "SELECT password_hash, pin_hash FROM users WHERE agent_id = ?", (agent_id,)
    )
    return UserHashes(str(row[0]), str(row[1])) if row is not None else None


async def with_pin(connection: aiosqlite.Connection) -> set[str]:
    """The agent ids that have a keypad PIN (never the PIN or its hash)."""
    rows = await connection.execute_fetchall("SELECT agent_id FROM users WHERE pin_hash != ''")
    return {str(row[0]) for row in rows}


async def change(
    connection: aiosqlite.Connection,
    agent_id: str,
    *,
    name: str | None,
    role: Role | None,
    password_hash: str | None,
    pin_hash: str | None,
) -> bool:
    """Changes the given fields (None: unchanged; pin_hash "": keypad login cleared) in one
    statement; False if there is no such user. A new password signs out whoever knew the old
    one, and a new role ends the user's sessions so the next sign-in gets the new role's
    pages; a PIN (keypad only) leaves the web sessions alone."""
    if password_hash is not None:
        await web_sessions.remove_for_user(connection, agent_id)
    elif role is not None:
        await connection.execute(
            "DELETE FROM web_sessions WHERE agent_id = ?"
            " AND agent_id IN (SELECT agent_id FROM users WHERE agent_id = ? AND role != ?)",
            (agent_id, agent_id, role.value),
        )
    changes = {
        column: value
        for column, value in (
            ("name", name),
            ("role", role.value if role is not None else None),
            ("password_hash", password_hash),
            ("pin_hash", pin_hash),
        )
        if value is not None
    }
    if not changes:
        return (
            await fetch_one(connection, "SELECT 1 FROM users WHERE agent_id = ?", (agent_id,))
            is not None
        )
    assignments = ", ".join(f"{column} = ?" for column in changes)
    cursor = await connection.execute(
        f"UPDATE users SET {assignments} WHERE agent_id = ?", (*changes.values(), agent_id)
    )
    return cursor.rowcount == 1


async def remove(connection: aiosqlite.Connection, agent_id: str) -> bool:
    cursor = await connection.execute("DELETE FROM users WHERE agent_id = ?", (agent_id,))
    return cursor.rowcount == 1
