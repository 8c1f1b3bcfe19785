"""The Store: the one object the shell and the service use to keep and read records. One writer
connection (every write is a transaction committed before the call returns) and one reader."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TypeVar

import aiosqlite

from appliance import passwords
from appliance.engine.records import (
    CallbackRequested,
    CallEnded,
    CallRecord,
    FaultCleared,
    FaultRecorded,
    NumberBlocked,
    QueueLogEntry,
)
from appliance.engine.setup import DepotSetup
from appliance.store import calls, devices, queue_log, report_days, tasks, users
from appliance.store.database import connect, explain, fetch_one
from appliance.store.devices import Fault
from appliance.store.errors import StoreError
from appliance.store.report_days import ReportDay
from appliance.store.setup_codec import (
    SETUP_SCHEMA_VERSION,
    SetupCodecError,
    decode_setup,
    encode_setup,
)
from appliance.store.tasks import CallbackAttempt, CallbackTask
from appliance.store.users import Role, User, UserHashes

STORABLE = (
    QueueLogEntry,
    CallEnded,
    CallbackRequested,
    NumberBlocked,
    FaultRecorded,
    FaultCleared,
)

T = TypeVar("T")


# compared against when the agent id is unknown, so a wrong id costs the same time as a
# wrong PIN (no telling which agent ids exist)
def _is_about_the_file(error: sqlite3.DatabaseError) -> bool:
    """SQLite failures the owner can act on (disk full, damaged, locked, read-only) — not the
    ones that mean a bug in depotline (a broken constraint, misused API)."""
    return not isinstance(
        error, (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError)
    )


@functools.cache
def _dummy_hash() -> str:
    return passwords.hash_secret("depotline-no-such-agent")


class Store:
    """Use `await Store.open(path)`; `await store.close()` when done."""

    def __init__(self, path: str, writer: aiosqlite.Connection, reader: aiosqlite.Connection):
        self.path = path
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | os.PathLike[str]) -> Store:
        """Open (creating and migrating if needed) the database at `path`."""
        name = os.fspath(path)
        writer = await connect(name, migrate=True)
        try:
            reader = await connect(name, migrate=False)
        except BaseException:
            await writer.close()
            raise
        return cls(name, writer, reader)

    async def close(self) -> None:
        async with self._write_lock:
            await self._reader.close()
            try:
                # fold the write-ahead log back so the file alone is a complete copy
                await self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                await self._writer.close()

    # -- writing ----------------------------------------------------------------------------

    async def _write(self, work: Callable[[aiosqlite.Connection], Awaitable[T]]) -> T:
        """Run `work` in one transaction, committed (fsync'd) before returning."""
        async with self._write_lock:
            try:
                await self._writer.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise explain(self.path, error) from error
            except BaseException:
                # cancelled while BEGIN was on its way: it still runs on the connection's
                # thread, and a transaction left open would block every later write
                with contextlib.suppress(sqlite3.Error):
                    await self._writer.execute("ROLLBACK")
                raise
            try:
                result = await work(self._writer)
                await self._writer.execute("COMMIT")
            except BaseException as failure:
                # the transaction may be gone already; report the first failure
                with contextlib.suppress(sqlite3.Error):
                    await self._writer.execute("ROLLBACK")
                if isinstance(failure, sqlite3.DatabaseError) and _is_about_the_file(failure):
                    raise explain(self.path, failure) from failure
                raise
            return result

    async def in_transaction(self, work: Callable[[aiosqlite.Connection], Awaitable[T]]) -> T:
        """Run `work` on the writer in one committed transaction (the desk's tables:
        appliance/store/desk_store.py)."""
        return await self._write(work)

    async def record(self, items: Sequence[object]) -> None:
        """Keep everything one engine step produced, all or nothing, in one transaction.
        Accepts QueueLogEntry, CallEnded, CallbackRequested, NumberBlocked, FaultRecorded and
        FaultCleared; anything else is a TypeError (and nothing is written)."""
        entries: list[QueueLogEntry] = []
        records: list[CallRecord] = []
        callbacks: list[CallbackRequested] = []
        blocked: list[NumberBlocked] = []
        fault_changes: list[FaultRecorded | FaultCleared] = []
        for item in items:
            if isinstance(item, QueueLogEntry):
                entries.append(item)
            elif isinstance(item, CallEnded):
                records.append(item.record)
            elif isinstance(item, CallbackRequested):
                callbacks.append(item)
            elif isinstance(item, NumberBlocked):
                blocked.append(item)
            elif isinstance(item, (FaultRecorded, FaultCleared)):
                fault_changes.append(item)
            else:
                raise TypeError(f"the store does not keep {type(item).__name__}")
        if not items:
            return

        async def work(connection: aiosqlite.Connection) -> None:
            if entries:
                await queue_log.append(connection, entries)
            if records:
                await calls.insert(connection, records)
            if callbacks:
                await tasks.insert(connection, callbacks)
            if blocked:
                await devices.block(connection, blocked)
            for change in fault_changes:
                if isinstance(change, FaultRecorded):
                    await devices.fault_recorded(connection, change)
                else:
                    await devices.fault_cleared(connection, change)

        await self._write(work)

    async def save_setup(self, setup: DepotSetup, *, saved_s: float | None = None) -> None:
        """Keep a new version of the setup; the newest one is what load_setup returns."""
        text = encode_setup(setup)
        when_s = time.time() if saved_s is None else saved_s

        async def work(connection: aiosqlite.Connection) -> None:
            await connection.execute(
                "INSERT INTO settings (saved_s, schema_version, setup_json) VALUES (?, ?, ?)",
                (when_s, SETUP_SCHEMA_VERSION, text),
            )

        await self._write(work)

    async def unblock(self, number: str) -> bool:
        return await self._write(lambda c: devices.unblock(c, number))

    async def assign_callback_task(self, task_id: str, agent: str) -> bool:
        return await self._write(lambda c: tasks.assign(c, task_id, agent))

    async def add_callback_attempt(self, attempt: CallbackAttempt, *, done: bool) -> bool:
        """Append an attempt to the task's history and mark the task done or still open.
        False if there is no such task."""
        closed_as = "reached" if done else ""
        return await self._write(lambda c: tasks.add_attempt(c, attempt, closed_as=closed_as))

    async def add_user(
        self,
        agent_id: str,
        name: str,
        role: Role,
        password: str,
        *,
        pin: str = "",
        created_s: float | None = None,
    ) -> bool:
        """Create a user; False if the agent id is taken."""
        password_hash = await asyncio.to_thread(passwords.hash_secret, password)
        pin_hash = await asyncio.to_thread(passwords.hash_secret, pin) if pin else ""
        user = User(agent_id, name, role, time.time() if created_s is None else created_s)
        return await self._write(
            lambda c: users.insert(c, user, UserHashes(password_hash, pin_hash))
        )

    async def set_password(self, agent_id: str, password: str) -> bool:
        hashed = await asyncio.to_thread(passwords.hash_secret, password)
        return await self._write(lambda c: users.set_hash(c, agent_id, "password_hash", hashed))

    async def set_pin(self, agent_id: str, pin: str) -> None:
        """Set the keypad PIN (hashed with scrypt). StoreError if there is no such user."""
        hashed = await asyncio.to_thread(passwords.hash_secret, pin)
        if not await self._write(lambda c: users.set_hash(c, agent_id, "pin_hash", hashed)):
            raise StoreError(f"database {self.path} has no user {agent_id!r} to set a PIN for")

    async def clear_pin(self, agent_id: str) -> bool:
        """No keypad login for the user any more; False if there is no such user."""
        return await self._write(lambda c: users.set_hash(c, agent_id, "pin_hash", ""))

    async def update_user(self, agent_id: str, name: str, role: Role) -> bool:
        return await self._write(lambda c: users.set_name_and_role(c, agent_id, name, role))

    async def remove_user(self, agent_id: str) -> bool:
        return await self._write(lambda c: users.remove(c, agent_id))

    async def keep_report_day(self, key: str, kept: ReportDay) -> None:
        await self._write(lambda c: report_days.save(c, key, kept))

    async def forget_report_days_except(self, key: str) -> None:
        await self._write(lambda c: report_days.forget_other_keys(c, key))

    async def forget_report_days_from(self, key: str, first: dt.date) -> None:
        """Kept days from `first` on are folded again (the clock was set back)."""
        await self._write(lambda c: report_days.forget_from(c, key, first))

    # -- reading ----------------------------------------------------------------------------

    async def _read(self, work: Callable[[aiosqlite.Connection], Awaitable[T]]) -> T:
        try:
            return await work(self._reader)
        except sqlite3.DatabaseError as error:
            if not _is_about_the_file(error):
                raise
            raise explain(self.path, error) from error

    async def reading(self, work: Callable[[aiosqlite.Connection], Awaitable[T]]) -> T:
        """Run `work` on the reader (the desk's tables)."""
        return await self._read(work)

    async def queue_log(self, since_s: float, until_s: float | None = None) -> list[QueueLogEntry]:
        """Queue-log entries with since_s ≤ time < until_s, in the order they were written."""
        return await self._read(lambda c: queue_log.read(c, since_s, until_s))

    async def iter_queue_log(
        self, since_s: float, until_s: float | None = None, *, batch: int = 10_000
    ) -> AsyncIterator[list[QueueLogEntry]]:
        """As queue_log, in batches (a month of a busy depot does not fit in memory)."""
        async for entries in queue_log.iterate(self._reader, since_s, until_s, batch):
            yield entries

    async def last_start_s(self, before_s: float) -> float | None:
        """When the daemon last started (its QUEUESTART entry) at or before `before_s`.
        Figures rebuilt from there are exact: nothing before a start is still going on."""
        return await self._read(lambda c: queue_log.last_start_s(c, before_s))

    async def report_days(self, key: str, first: dt.date, last: dt.date) -> list[ReportDay]:
        """Kept days from `first` to `last` folded with the settings `key`, oldest first."""
        return await self._read(lambda c: report_days.between(c, key, first, last))

    async def report_days_kept(self, key: str, first: dt.date, last: dt.date) -> set[dt.date]:
        return await self._read(lambda c: report_days.days_kept(c, key, first, last))

    async def calls(self, since_s: float, until_s: float, *, limit: int = 1000) -> list[CallRecord]:
        """Call records of calls that arrived in [since_s, until_s), oldest first."""
        return await self._read(lambda c: calls.between(c, since_s, until_s, limit))

    async def call(self, call_id: str) -> CallRecord | None:
        return await self._read(lambda c: calls.one(c, call_id))

    async def calls_from(self, number: str, *, limit: int = 20) -> list[CallRecord]:
        """A caller's past calls, newest first (screen pop)."""
        return await self._read(lambda c: calls.by_number(c, number, limit))

    async def load_setup(self) -> DepotSetup | None:
        """The newest saved setup, or None if none was ever saved."""

        async def work(connection: aiosqlite.Connection) -> tuple[int, str] | None:
            row = await fetch_one(
                connection,
                "SELECT schema_version, setup_json FROM settings ORDER BY id DESC LIMIT 1",
            )
            return (int(row[0]), str(row[1])) if row is not None else None

        found = await self._read(work)
        if found is None:
            return None
        version, text = found
        if version > SETUP_SCHEMA_VERSION:
            raise StoreError(
                f"database {self.path} holds a setup from a newer depotline (setup version"
                f" {version}; this depotline knows up to {SETUP_SCHEMA_VERSION})"
            )
        try:
            return decode_setup(text)
        except (SetupCodecError, ValueError) as error:
            raise StoreError(f"database {self.path} holds a damaged setup: {error}") from error

    async def blacklist(self) -> list[str]:
        return await self._read(devices.blacklist)

    async def faults(self, since_s: float, until_s: float) -> list[Fault]:
        return await self._read(lambda c: devices.faults(c, since_s, until_s))

    async def open_callback_tasks(self) -> list[CallbackTask]:
        """Open callback tasks, soonest due first."""
        return await self._read(tasks.open_tasks)

    async def callback_task(self, task_id: str) -> CallbackTask | None:
        return await self._read(lambda c: tasks.one(c, task_id))

    async def callback_attempts(self, task_id: str) -> list[CallbackAttempt]:
        return await self._read(lambda c: tasks.attempts(c, task_id))

    async def user(self, agent_id: str) -> User | None:
        return await self._read(lambda c: users.one(c, agent_id))

    async def users(self) -> list[User]:
        return await self._read(users.every)

    async def users_with_pin(self) -> set[str]:
        return await self._read(users.with_pin)

    async def check_password(self, agent_id: str, password: str) -> User | None:
        """The user if the password is right, else None (same cost for an unknown id)."""
        hashes = await self._read(lambda c: users.hashes(c, agent_id))
        stored = hashes.password_hash if hashes is not None else _dummy_hash()
        right = await asyncio.to_thread(passwords.verify_secret, password, stored)
        if not right or hashes is None:
            return None
        return await self.user(agent_id)

    async def check_pin(self, agent_id: str, pin: str) -> bool:
        """True if the agent exists, has a PIN, and `pin` is it (keypad and web login)."""
        hashes = await self._read(lambda c: users.hashes(c, agent_id))
        stored = hashes.pin_hash if hashes is not None and hashes.pin_hash else _dummy_hash()
        right = await asyncio.to_thread(passwords.verify_secret, pin, stored)
        return right and hashes is not None and bool(hashes.pin_hash)

    async def integrity_check(self) -> str:
        """SQLite's own check of the whole file: "ok" when it is sound."""

        async def work(connection: aiosqlite.Connection) -> str:
            rows = await connection.execute_fetchall("PRAGMA integrity_check")
            return "; ".join(str(row[0]) for row in rows)

        return await self._read(work)

    async def backup(self, target: str | os.PathLike[str]) -> None:
        """A consistent copy of the whole database at `target`, taken while running."""
        target_name = os.fspath(target)
        try:
            async with aiosqlite.connect(target_name) as destination:
                await self._reader.backup(destination)
        except sqlite3.Error as error:
            raise explain(target_name, error) from error
