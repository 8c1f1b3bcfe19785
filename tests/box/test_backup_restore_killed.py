"""Backup and restore killed (SIGKILL) just before each of their steps on the file system, on a
database a crash left with a -wal. After any kill a start finds the old or the new database at
the live path, with every committed call; the old one is kept whole on its own; a start that
finds neither refuses, naming what it found; a killed backup is never offered for restore and
its leftovers go with the next backup."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from appliance.store import Store, StoreError
from appliance.store.backup import refuse_a_lost_database

HERE = Path(__file__).parent
PROJECT = HERE.parents[1]
MAX_STEPS = 40  # far more than a backup or a restore takes


def python(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=120, check=False,
        cwd=PROJECT,
    )  # fmt: skip


def write_calls(database: Path, count: int, first: int, *, crash: bool = False) -> None:
    result = python(
        str(HERE / "store_writer.py"), str(database), str(count), str(first),
        *(("crash",) if crash else ()),
    )  # fmt: skip
    assert result.returncode == (-9 if crash else 0), result.stderr


def killed_at(step: int, *command: str) -> subprocess.CompletedProcess[str]:
    return python(str(HERE / "kill_at_file_step.py"), str(step), *command)


def calls_alone(database: Path, scratch: Path) -> int:
    """Calls in the file by itself, as a copy without its -wal would show them."""
    alone = scratch / f"alone-{database.name}"
    shutil.copyfile(database, alone)
    with sqlite3.connect(alone) as connection:
        found = int(connection.execute("SELECT count(*) FROM calls").fetchone()[0])
    connection.close()
    return found


def calls_at_start(database: Path) -> int:
    """What the daemon's start finds: the start's own check, then the store opened."""

    async def start() -> int:
        refuse_a_lost_database(database)
        store = await Store.open(database)
        try:
            return len(await store.calls(0.0, 2e9, limit=10_000))
        finally:
            await store.close()

    return asyncio.run(start())


def make_backup(database: Path, dest: Path) -> Path:
    taken = python("-m", "appliance.backup", "backup", "--db", str(database), "--dest", str(dest))
    assert taken.returncode == 0, taken.stderr
    (copy,) = dest.glob("depotline-manual-*.db")
    return copy


def test_restore_killed_before_each_step_leaves_the_old_or_the_new_database(
    tmp_path: Path,
) -> None:
    template = tmp_path / "template.db"
    write_calls(template, 3, 0)
    copy = make_backup(template, tmp_path / "backups")
    write_calls(template, 4, 100, crash=True)  # the last 4 calls are only in its -wal
    old_calls, new_calls = 7, 3
    finished = False
    for step in range(1, MAX_STEPS):
        box = tmp_path / f"box{step}"
        box.mkdir()
        database = box / "depotline.db"
        for suffix in ("", "-wal"):
            shutil.copyfile(f"{template}{suffix}", f"{database}{suffix}")
        result = killed_at(step, "restore", str(copy), "--db", str(database))
        finished = result.returncode == 0
        if not finished:
            assert result.returncode == -9, result.stderr
        for kept in box.glob("depotline.db.before-restore-*[0-9Z]"):
            assert calls_alone(kept, tmp_path) == old_calls, f"kept copy, killed at step {step}"
        assert calls_at_start(database) in (old_calls, new_calls), f"killed at step {step}"
        if finished:
            assert calls_at_start(database) == new_calls
            break
        # the restore run again after the kill finishes the job
        again = python("-m", "appliance.backup", "restore", str(copy), "--db", str(database))
        assert again.returncode == 0, again.stderr
        assert calls_at_start(database) == new_calls
    assert finished and step > 3, "the restore took too few steps to test"


def test_start_without_a_database_but_with_its_leftovers_refuses_naming_them(
    tmp_path: Path,
) -> None:
    database = tmp_path / "depotline.db"
    write_calls(database, 2, 0)
    database.rename(tmp_path / "depotline.db.before-restore-20261207T000000Z")
    with pytest.raises(StoreError) as refused:
        calls_at_start(database)
    assert "depotline.db.before-restore-20261207T000000Z" in str(refused.value)
    assert "will not start an empty depot" in str(refused.value)
    assert not database.exists()


def test_start_of_a_new_box_creates_its_database(tmp_path: Path) -> None:
    (tmp_path / "first-boot").write_text("code")
    (tmp_path / "backups").mkdir()
    assert calls_at_start(tmp_path / "depotline.db") == 0


def test_backup_killed_before_each_step_is_not_offered_and_the_next_removes_it(
    tmp_path: Path,
) -> None:
    database = tmp_path / "depotline.db"
    write_calls(database, 3, 0)
    config = tmp_path / "depotline.toml"
    config.write_text(f'[depot]\ndatabase = "{database}"\n')
    finished = False
    for step in range(1, MAX_STEPS):
        dest = tmp_path / f"backups{step}"
        result = killed_at(step, "backup", "--config", str(config), "--dest", str(dest))
        finished = result.returncode == 0
        if finished:
            break
        assert result.returncode == -9, result.stderr
        for unfinished in dest.glob("depotline-manual-*.db"):
            refused = python("-m", "appliance.backup", "restore", str(unfinished), "--db",
                             str(tmp_path / "other.db"))  # fmt: skip
            assert refused.returncode == 1
            assert "not offered for restore" in refused.stderr, f"killed at step {step}"
        # the next backup removes what the killed one left and makes a whole set
        assert python("-m", "appliance.backup", "backup", "--config", str(config), "--dest",
                      str(dest)).returncode == 0  # fmt: skip
        names = sorted(p.name for p in dest.iterdir() if p.name != ".depotline-backup.lock")
        assert len(names) == 3, f"killed at step {step}: {names}"
        assert [n.rsplit(".", 1)[-1] for n in names] == ["db", "json", "toml"]
    assert finished and step > 3, "the backup took too few steps to test"


def test_restore_over_a_damaged_database_replaces_it_and_keeps_it(tmp_path: Path) -> None:
    source = tmp_path / "source.db"
    write_calls(source, 3, 0)
    copy = make_backup(source, tmp_path / "backups")
    database = tmp_path / "depotline.db"
    database.write_bytes(b"SQLite format 3\x00" + b"\xa5" * 8000)  # what a dying card leaves
    result = python("-m", "appliance.backup", "restore", str(copy), "--db", str(database))
    assert result.returncode == 0, result.stderr
    assert calls_at_start(database) == 3
    (kept,) = tmp_path.glob("depotline.db.before-restore-*[0-9Z]")
    assert kept.read_bytes().endswith(b"\xa5" * 100)
