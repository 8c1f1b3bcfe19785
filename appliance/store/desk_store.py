"""The desk's tables (sessions, audit, records, customers, tickets, notices, handover) on the
depot's Store: every write is one transaction on the Store's one writer connection, ordered with
the engine's records by the Store's lock, and reads use the Store's reader."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiosqlite

from appliance.store.store import Store

T = TypeVar("T")


class DeskStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def write(self, work: Callable[[aiosqlite.Connection], Awaitable[T]]) -> T:
        """Run `work` in one transaction, committed before returning; all or nothing."""
        return await self._store.in_transaction(work)

    async def read(self, work: Callable[[aiosqlite.Connection], Awaitable[T]]) -> T:
        return await self._store.reading(work)
