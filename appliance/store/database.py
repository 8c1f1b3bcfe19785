"""Opening a depotline database: WAL, synchronous=FULL, migrations by PRAGMA user_version, and
SQLite's errors turned into a StoreError that names the file and what is wrong."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import Iterable
from typing import Any

import aiosqlite

from appliance.store.errors import StoreError
from appliance.store.schema import MIGRATIONS, SCHEMA_VERSION

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000


def explain(path: str, error: sqlite3.Error) -> StoreError:
    """A StoreError a depot owner can act on."""
    text = str(error)
    if isinstance(error, sqlite3.DatabaseError) and (
        "not a database" in text or "malformed" in text or "corrupt" in text
    ):
        what = "is damaged or not a depotline database; restore it from a backup"
    elif "readonly" in text or "read-only" in text:
        what = "is read-only; depotline needs to write it (check its owner and permissions)"
    elif "unable to open" in text:
        what = "cannot be opened; check that its folder exists and is writable"
    elif "locked" in text or "busy" in text:
        what = "is locked by another program; is a second depotline running?"
    elif "disk" in text and "full" in text:
        what = "cannot grow: the disk is full"
    else:
        what = "cannot be used"
    return StoreError(f"database {path} {what} (SQLite: {text})")


async def connect(path: str | os.PathLike[str], *, migrate: bool) -> aiosqlite.Connection:
    """Open a connection with depotline's pragmas. The writer (`migrate=True`) brings the
    schema up to date; a database from a newer depotline is refused."""
    name = os.fspath(path)
    try:
        # open it once plainly first: aiosqlite leaves its worker thread posting to a closed
        # event loop when the open itself fails
        await asyncio.to_thread(_probe, name)
        connection = await aiosqlite.connect(name, isolation_level=None)
    except sqlite3.Error as error:
        raise explain(name, error) from error
    try:
        await connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        row = await fetch_one(connection, "PRAGMA journal_mode = WAL")
        if row is None or str(row[0]).lower() != "wal":
            raise StoreError(f"database {name} cannot use write-ahead logging (mode {row})")
        await connection.execute("PRAGMA synchronous = FULL")
        await connection.execute("PRAGMA foreign_keys = ON")
        version = await user_version(connection)
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"database {name} was written by a newer depotline (schema version {version};"
                f" this depotline knows up to {SCHEMA_VERSION}); upgrade depotline or restore"
                " a backup made by this version"
            )
        if migrate and version < SCHEMA_VERSION:
            await _migrate(connection, name, version)
        elif version < SCHEMA_VERSION:
            raise StoreError(f"database {name} is not migrated (schema version {version})")
    except sqlite3.Error as error:
        await connection.close()
        raise explain(name, error) from error
    except BaseException:
        await connection.close()
        raise
    return connection


def _probe(name: str) -> None:
    sqlite3.connect(name).close()


async def user_version(connection: aiosqlite.Connection) -> int:
    row = await fetch_one(connection, "PRAGMA user_version")
    return int(row[0]) if row is not None else 0


async def _migrate(connection: aiosqlite.Connection, name: str, version: int) -> None:
    for step in range(version, SCHEMA_VERSION):
        log.info("migrating %s from schema version %d to %d", name, step, step + 1)
        await connection.execute("BEGIN IMMEDIATE")
        try:
            for statement in MIGRATIONS[step]:
                await connection.execute(statement)
            await connection.execute(f"PRAGMA user_version = {step + 1}")
            await connection.execute("COMMIT")
        except BaseException:
            await connection.execute("ROLLBACK")
            raise


async def fetch_one(
    connection: aiosqlite.Connection, sql: str, parameters: Iterable[Any] = ()
) -> sqlite3.Row | None:
    """The first row. Like every query here it runs to its end in one call on the
    connection's thread (execute_fetchall): a statement left open between two calls keeps
    its read snapshot, and a query another task queues meanwhile would not see what the
    writer has committed since."""
    rows = list(await connection.execute_fetchall(sql, parameters))
    return rows[0] if rows else None


def contains_pattern(text: str) -> str:
    """A LIKE pattern (used with ESCAPE '\\') matching `text` anywhere, its own `%` and `_`
    taken literally: a search for "%" finds a "%", not everyone."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
