"""The scripts table (话术脚本): a tree of call scripts and FAQ answers kept by the supervisor."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from appliance.store.database import contains_pattern


@dataclass(frozen=True, slots=True)
class Script:
    script_id: int
    parent_id: int  # 0 = top level
    title: str
    body: str
    updated_s: float
    updated_by: str


_COLUMNS = "id, parent_id, title, body, updated_s, updated_by"


def _script(row: aiosqlite.Row | tuple[object, ...]) -> Script:
    return Script(
        int(str(row[0])),
        int(str(row[1])),
        str(row[2]),
        str(row[3]),
        float(str(row[4])),
        str(row[5]),
    )


async def add(connection: aiosqlite.Connection, script: Script) -> int:
    cursor = await connection.execute(
        "INSERT INTO scripts (parent_id, title, body, updated_s, updated_by)"
        " VALUES (?, ?, ?, ?, ?)",
        (script.parent_id, script.title, script.body, script.updated_s, script.updated_by),
    )
    return int(cursor.lastrowid or 0)


async def change(connection: aiosqlite.Connection, script: Script) -> bool:
    cursor = await connection.execute(
        "UPDATE scripts SET title = ?, body = ?, updated_s = ?, updated_by = ? WHERE id = ?",
        (script.title, script.body, script.updated_s, script.updated_by, script.script_id),
    )
    return cursor.rowcount == 1


async def remove(connection: aiosqlite.Connection, script_id: int) -> bool:
    """Remove a script with no children (the caller checks)."""
    cursor = await connection.execute("DELETE FROM scripts WHERE id = ?", (script_id,))
    return cursor.rowcount == 1


async def every(connection: aiosqlite.Connection) -> list[Script]:
    rows = await connection.execute_fetchall(
        f"SELECT {_COLUMNS} FROM scripts ORDER BY parent_id, title"
    )
    return [_script(row) for row in rows]


async def search(connection: aiosqlite.Connection, words: str, limit: int) -> list[Script]:
    pattern = contains_pattern(words)
    rows = await connection.execute_fetchall(
        f"SELECT {_COLUMNS} FROM scripts WHERE title LIKE ? ESCAPE '\\' OR body LIKE ? ESCAPE '\\'"
        " ORDER BY title LIMIT ?",
        (pattern, pattern, limit),
    )
    return [_script(row) for row in rows]
