"""The back office's own rules by name (calling window, attempts, ticket limits), each a JSON
value in desk_options; a rule never saved reads as None and the desk uses its default."""

from __future__ import annotations

import json

import aiosqlite

from appliance.store.database import fetch_one


async def read(connection: aiosqlite.Connection, name: str) -> object:
    row = await fetch_one(connection, "SELECT value_json FROM desk_options WHERE name = ?", (name,))
    return json.loads(str(row[0])) if row is not None else None


async def write(connection: aiosqlite.Connection, name: str, value: object) -> None:
    await connection.execute(
        "INSERT INTO desk_options (name, value_json) VALUES (?, ?)"
        " ON CONFLICT (name) DO UPDATE SET value_json = excluded.value_json",
        (name, json.dumps(value, ensure_ascii=False)),
    )
