"""The desk's own tables (sessions, audit, records, customers, tickets, notices, handover) on
the depot's database file: a second connection beside the Store's, with the same pragmas, every
write one committed transaction (SQLite's lock and busy time-out order it with the Store's)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiosqlite

from appliance.store.database import connect, explain

T = TypeVar("T")


class DeskStore:
    """Open with `await DeskStore.open(path)` after `Store.open(path)` has migrated the file."""

    def __init__(self, path: str, connection: aiosqlite.Connection) -> None:
        self.path = path
        self._connection = connection
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | os.PathLike[str]) -> DeskStore:
        name = os.fspath(path)
        return cls(name, await connect(name, migrate=False))

    async def close(self) -> None:
        async with self._lock:
            await self._connection.close()

    async def write(self, work: Callable[[aiosqlite.Connection], Awaitable[T]]) -> T:
        """Run `work` in one transaction, committed before returning; all or nothing."""
        async with self._lock:
            try:
                await self._connection.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise explain(self.path, error) from error
            except BaseException:
                # cancelled while BEGIN was on its way: it still runs on the connection's
                # thread, and a transaction left open would block every later write
                with contextlib.suppress(sqlite3.Error):
                    await self._connection.execute("ROLLBACK")
                raise
            try:
                result = await work(self._connection)
                await self._connection.execute("COMMIT")
            except BaseException as failure:
                with contextlib.suppress(sqlite3.Error):
                    await self._connection.execute("ROLLBACK")
                if isinstance(failure, sqlite3.OperationalError):
                    raise explain(self.path, failure) from failure
                raise
            return result

    async def read(self, work: Callable[[aiosqlite.Connection], Awaitable[T]]) -> T:
        async with self._lock:
            try:
                return await work(self._connection)
            except sqlite3.OperationalError as error:
                raise explain(self.path, error) from error
