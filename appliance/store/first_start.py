"""A new database's first start: the depot's setup, its first users and its blacklist written
in one transaction with the row that marks the first start done, so a kill half-way leaves a
database that starts as new again — never one with a setup but without its users."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import aiosqlite

from appliance.engine.records import NumberBlocked
from appliance.engine.setup import DepotSetup
from appliance.store import devices, users
from appliance.store.database import fetch_one
from appliance.store.setup_codec import SETUP_SCHEMA_VERSION, encode_setup


@dataclass(frozen=True, slots=True)
class NewUser:
    """A user the first start creates (the demo's agents and supervisor), secrets in clear."""

    agent_id: str
    name: str
    role: users.Role
    password: str
    pin: str = ""


async def done(connection: aiosqlite.Connection) -> bool:
    return await fetch_one(connection, "SELECT 1 FROM first_start LIMIT 1") is not None


async def insert_setup(connection: aiosqlite.Connection, setup: DepotSetup, when_s: float) -> None:
    """A new version of the setup; its blacklist is not kept here but in the blacklist table
    (one home), so saving settings can never bring back a number that was unblocked."""
    await connection.execute(
        "INSERT INTO settings (saved_s, schema_version, setup_json) VALUES (?, ?, ?)",
        (when_s, SETUP_SCHEMA_VERSION, encode_setup(replace(setup, blacklist=()))),
    )


async def seed(
    connection: aiosqlite.Connection,
    setup: DepotSetup,
    first_users: Sequence[tuple[users.User, users.UserHashes]],
    when_s: float,
) -> bool:
    """Writes the first start inside the caller's transaction; False (nothing written) when
    it was done already."""
    if await done(connection):
        return False
    if await fetch_one(connection, "SELECT 1 FROM settings LIMIT 1") is not None:
        # a setup saved before the daemon's first start (a script of the depot's, as the
        # migration that brought this table also holds): it is the depot's, and it stays
        await connection.execute("INSERT INTO first_start (done_s) VALUES (?)", (when_s,))
        return False
    await insert_setup(connection, setup, when_s)
    for user, hashes in first_users:
        await users.insert(connection, user, hashes)
    await devices.block(connection, [NumberBlocked(n, "", "", when_s) for n in setup.blacklist])
    await connection.execute("INSERT INTO first_start (done_s) VALUES (?)", (when_s,))
    return True
