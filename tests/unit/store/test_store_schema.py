"""Opening databases: a new file gets the whole schema in WAL mode with synchronous=FULL;
every earlier schema version is migrated with its data kept; a newer or damaged file, or one
that cannot be created, is refused with a message naming the file."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from appliance.engine.records import QueueLogEntry, Verb
from appliance.store import Store, StoreError
from appliance.store.schema import MIGRATIONS, SCHEMA_VERSION


def open_and_close(path: Path) -> None:
    async def main() -> None:
        store = await Store.open(path)
        await store.close()

    asyncio.run(main())


def test_store_open_new_file_creates_schema_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "depot.db"

    async def main() -> tuple[str, int]:
        store = await Store.open(path)
        try:
            # each connection gets the pragmas; read them back through the store's own reader
            cursor = await store._reader.execute("PRAGMA synchronous")
            synchronous = await cursor.fetchone()
            cursor = await store._writer.execute("PRAGMA synchronous")
            writer_synchronous = await cursor.fetchone()
            assert synchronous is not None and writer_synchronous is not None
            assert synchronous[0] == writer_synchronous[0] == 2  # FULL
            return await store.integrity_check(), SCHEMA_VERSION
        finally:
            await store.close()

    assert asyncio.run(main()) == ("ok", SCHEMA_VERSION)
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert {
        "queue_log",
        "calls",
        "callback_tasks",
        "callback_attempts",
        "blacklist",
        "faults",
        "settings",
        "users",
    } <= tables


@pytest.mark.parametrize("version", range(SCHEMA_VERSION))
def test_store_open_migrates_each_earlier_version_keeping_data(
    tmp_path: Path, version: int
) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as connection:
        for step in MIGRATIONS[:version]:
            for statement in step:
                connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {version}")
        if version >= 1:
            connection.execute(
                "INSERT INTO queue_log (time_s, call_id, queue, agent, verb, data)"
                " VALUES (1.5, 'c1', 'cargo', 'NONE', 'ENTERQUEUE', '[\"\", \"123\", \"0\"]')"
            )
    connection.close()

    async def main() -> list[QueueLogEntry]:
        store = await Store.open(path)
        try:
            return await store.queue_log(0.0)
        finally:
            await store.close()

    kept = asyncio.run(main())
    if version >= 1:
        assert kept == [
            QueueLogEntry(1.5, "c1", "cargo", "NONE", Verb.ENTERQUEUE, ("", "123", "0"))
        ]
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    connection.close()


def test_store_open_refuses_database_from_newer_depotline(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as connection:
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 3}")
    connection.close()
    with pytest.raises(StoreError) as raised:
        open_and_close(path)
    message = str(raised.value)
    assert str(path) in message
    assert f"schema version {SCHEMA_VERSION + 3}" in message
    assert f"up to {SCHEMA_VERSION}" in message
    # refused, not touched
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 3
        assert connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    connection.close()


def test_store_open_refuses_damaged_file_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not an SQLite database, it is a shopping list\n" * 200)
    with pytest.raises(StoreError, match=r"garbage\.db is damaged or not a depotline database"):
        open_and_close(path)


def test_store_open_in_missing_folder_says_it_cannot_be_opened(tmp_path: Path) -> None:
    path = tmp_path / "no" / "such" / "folder" / "depot.db"
    with pytest.raises(StoreError, match="cannot be opened; check that its folder exists"):
        open_and_close(path)
    assert not path.parent.exists()


def test_store_open_folder_instead_of_file_says_it_cannot_be_opened(tmp_path: Path) -> None:
    path = tmp_path / "depot.db"
    path.mkdir()
    with pytest.raises(StoreError, match=r"depot\.db cannot be opened"):
        open_and_close(path)


def test_store_full_disk_is_a_store_error_and_the_step_is_not_half_written(
    tmp_path: Path,
) -> None:
    path = tmp_path / "depot.db"

    async def main() -> int:
        store = await Store.open(path)
        try:
            # SQLite reports a file that may not grow as a full disk (SQLITE_FULL)
            cursor = await store._writer.execute("PRAGMA page_count")
            row = await cursor.fetchone()
            assert row is not None
            await store._writer.execute(f"PRAGMA max_page_count = {row[0] + 2}")
            big_step = [
                QueueLogEntry(float(i), f"c{i}", "q", "NONE", Verb.INBOUND, ("x" * 500, ""))
                for i in range(200)
            ]
            with pytest.raises(StoreError, match=r"depot\.db cannot grow: the disk is full"):
                await store.record(big_step)
            return len(await store.queue_log(0.0))
        finally:
            await store.close()

    assert asyncio.run(main()) == 0


def _schema_step(marker: str) -> int:
    """The number of the migration step whose statements mention `marker` (never hard-coded:
    steps are appended by several people and reordered on merge)."""
    return next(n for n, step in enumerate(MIGRATIONS) if any(marker in s for s in step))


def test_store_migration_closes_duplicate_open_callback_tasks_keeping_the_first(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    before = _schema_step("callback_tasks_one_open")
    with sqlite3.connect(path) as connection:
        for step in MIGRATIONS[:before]:
            for statement in step:
                connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {before}")
        for task_id, number in (("a", "138"), ("b", "138"), ("c", "139"), ("d", "138")):
            connection.execute(
                "INSERT INTO callback_tasks (task_id, number, name, reason, call_id, queue,"
                " created_s, due_s) VALUES (?, ?, '', 'abandoned', '', 'cargo', 1.0, 2.0)",
                (task_id, number),
            )
    connection.close()

    async def main() -> list[tuple[str, str]]:
        store = await Store.open(path)
        try:
            return [(t.task_id, t.number) for t in await store.open_callback_tasks()]
        finally:
            await store.close()

    assert sorted(asyncio.run(main())) == [("a", "138"), ("c", "139")]
    with sqlite3.connect(path) as connection:
        closed = connection.execute(
            "SELECT task_id, closed_as FROM callback_tasks WHERE status = 'done' ORDER BY task_id"
        ).fetchall()
    connection.close()
    assert closed == [("b", "duplicate"), ("d", "duplicate")]
