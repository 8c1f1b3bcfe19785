"""Backup and restore (P4) through the admin command, against a real database that a separate
process keeps writing through the real Store: the copy is consistent, restores completely, and
a restore refuses damaged or too-new backups and a database that is in use."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance import backup_set
from appliance.store.backup import check_database
from appliance.store.schema import SCHEMA_VERSION

WRITER = Path(__file__).with_name("store_writer.py")
PROJECT = Path(__file__).resolve().parents[2]


def depotline(*args: str) -> subprocess.CompletedProcess[str]:
    """`depotline backup|restore ARGS` as the CLI runs it (appliance.backup.main)."""
    return subprocess.run(
        [sys.executable, "-m", "appliance.backup", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=PROJECT,
    )


class Writer:
    def __init__(self, database: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(WRITER), str(database)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=PROJECT,
            env=dict(os.environ, PYTHONPATH=str(PROJECT)),
        )
        self.written = 0

    def wait_for(self, count: int) -> None:
        assert self.process.stdout is not None
        while self.written < count:
            line = self.process.stdout.readline()
            assert line, "the writer stopped"
            self.written = int(line.split()[1])

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        self.process.communicate(timeout=30)


@pytest.fixture
def writer(tmp_path: Path) -> Iterator[Writer]:
    running = Writer(tmp_path / "depotline.db")
    try:
        yield running
    finally:
        if running.process.poll() is None:
            running.process.kill()
            running.process.communicate()


def rows(database: Path, table: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        return connection.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()


def write_calls(database: Path, count: int) -> None:
    """`count` ended calls committed to the database by the stand-in daemon, which then stops."""
    subprocess.run(
        [sys.executable, str(WRITER), str(database), str(count)],
        check=True,
        cwd=PROJECT,
        capture_output=True,
    )


def reseal(copy: Path) -> None:
    """The manifest made to match a backup file changed on purpose (to reach the later checks)."""
    manifest = backup_set.BackupSet(copy).manifest
    raw = json.loads(manifest.read_text())
    raw["database"]["sha256"] = backup_set.sha256_of(copy)
    manifest.write_text(json.dumps(raw))


def only_file(directory: Path, pattern: str) -> Path:
    found = sorted(directory.glob(pattern))
    assert len(found) == 1, found
    return found[0]


def test_backup_while_writing_is_consistent_and_restores_every_call(
    tmp_path: Path, writer: Writer
) -> None:
    database = tmp_path / "depotline.db"
    writer.wait_for(50)
    taken = depotline("backup", "--db", str(database), "--dest", str(tmp_path / "backups"))
    assert taken.returncode == 0, taken.stderr
    at_backup = writer.written
    writer.wait_for(at_backup + 30)  # the daemon kept writing during and after the copy
    writer.stop()

    copy = only_file(tmp_path / "backups", "depotline-manual-*.db")
    check = check_database(copy)
    assert check.intact
    calls = rows(copy, "calls")
    assert len(calls) >= 50
    # one transaction per engine step: each call's two queue-log entries came with it
    assert check.row_counts["queue_log"] == 2 * len(calls)
    hangups = {row[2] for row in rows(copy, "queue_log") if row[5] == "HANGUP"}
    assert hangups == {row[0] for row in calls}
    # nothing in the copy that the live database does not have
    assert set(calls) <= set(rows(database, "calls"))
    assert f"{len(calls)} rows" in taken.stdout

    restored = tmp_path / "restored" / "depotline.db"
    result = depotline("restore", str(copy), "--db", str(restored))
    assert result.returncode == 0, result.stderr
    assert check_database(restored).intact
    assert check_database(restored).journal_mode == "wal"
    for table in check.row_counts:
        assert rows(restored, table) == rows(copy, table), table
    assert "calls" in result.stdout and f"{len(calls)} rows" in result.stdout


def test_restore_refuses_a_database_in_use_unless_forced(tmp_path: Path, writer: Writer) -> None:
    database = tmp_path / "depotline.db"
    writer.wait_for(5)
    assert depotline("backup", "--db", str(database), "--dest", str(tmp_path)).returncode == 0
    copy = only_file(tmp_path, "depotline-manual-*.db")
    writer.wait_for(writer.written + 5)

    refused = depotline("restore", str(copy), "--db", str(database))
    assert refused.returncode == 1
    assert f"in use by process {writer.process.pid}" in refused.stderr
    assert not list(tmp_path.glob("depotline.db.before-restore-*"))

    forced = depotline("restore", str(copy), "--db", str(database), "--force")
    assert forced.returncode == 0, forced.stderr
    assert "restart it now" in forced.stdout
    writer.stop()
    kept = only_file(tmp_path, "depotline.db.before-restore-*[0-9Z]")
    # the replaced database and everything committed to it are kept beside it
    assert len(rows(kept, "calls")) >= writer.written
    assert len(rows(database, "calls")) == len(rows(copy, "calls"))


def test_restore_refuses_a_damaged_backup_and_leaves_the_database_alone(tmp_path: Path) -> None:
    database = tmp_path / "depotline.db"
    subprocess.run(
        [sys.executable, str(WRITER), str(database), "20"],
        check=True,
        cwd=PROJECT,
        capture_output=True,
    )
    assert depotline("backup", "--db", str(database), "--dest", str(tmp_path)).returncode == 0
    copy = only_file(tmp_path, "depotline-manual-*.db")
    data = bytearray(copy.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    data[page_size * 2 : page_size * 3] = b"\xa5" * page_size  # a damaged page
    copy.write_bytes(bytes(data))
    changed = depotline("restore", str(copy), "--db", str(database))
    assert changed.returncode == 1
    assert "changed since its backup was made" in changed.stderr
    reseal(copy)
    before = rows(database, "calls")

    result = depotline("restore", str(copy), "--db", str(database))
    assert result.returncode == 1
    assert "damaged" in result.stderr or "not a usable" in result.stderr
    assert rows(database, "calls") == before


def test_restore_refuses_a_backup_from_a_newer_depotline(tmp_path: Path) -> None:
    database = tmp_path / "depotline.db"
    write_calls(database, 3)
    assert depotline("backup", "--db", str(database), "--dest", str(tmp_path)).returncode == 0
    newer = only_file(tmp_path, "depotline-manual-*.db")
    with sqlite3.connect(newer) as connection:
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    reseal(newer)

    result = depotline("restore", str(newer), "--db", str(tmp_path / "other.db"))
    assert result.returncode == 1
    assert f"schema version {SCHEMA_VERSION + 1}" in result.stderr
    assert "upgrade depotline" in result.stderr
    assert not (tmp_path / "other.db").exists()


def test_nightly_rotation_keeps_the_newest_copies_and_their_settings(tmp_path: Path) -> None:
    for day in range(5):
        nightly = backup_set.set_for(tmp_path, "nightly", 1_780_000_000 + day * 86_400)
        for path in (nightly.database, nightly.config, nightly.manifest):
            path.write_text("x")
    manual = backup_set.set_for(tmp_path, "manual", 1_770_000_000)
    manual.database.write_text("x")

    deleted = backup_set.rotate(tmp_path, "nightly", keep=3)

    left = sorted(path.name for path in tmp_path.iterdir())
    assert len(deleted) == 6  # two sets of .db, .toml and .manifest.json
    assert left == [
        manual.database.name,
        "depotline-nightly-20260530T202640Z.db",
        "depotline-nightly-20260530T202640Z.manifest.json",
        "depotline-nightly-20260530T202640Z.toml",
        "depotline-nightly-20260531T202640Z.db",
        "depotline-nightly-20260531T202640Z.manifest.json",
        "depotline-nightly-20260531T202640Z.toml",
        "depotline-nightly-20260601T202640Z.db",
        "depotline-nightly-20260601T202640Z.manifest.json",
        "depotline-nightly-20260601T202640Z.toml",
    ]


def test_backup_copies_the_config_and_restore_with_config_puts_it_back(tmp_path: Path) -> None:
    database = tmp_path / "state" / "depotline.db"
    database.parent.mkdir()
    write_calls(database, 3)
    config = tmp_path / "depotline.toml"
    original = f'[depot]\ndatabase = "{database}"\ntimezone = "UTC"\n'
    config.write_text(original)

    taken = depotline("backup", "--config", str(config), "--nightly", "--keep", "2")
    assert taken.returncode == 0, taken.stderr
    backups = database.parent / "backups"
    copy = only_file(backups, "depotline-nightly-*.db")
    assert copy.with_suffix(".toml").read_text() == original

    config.write_text(original + "\n[web]\nport = 9999\n")
    result = depotline("restore", str(copy), "--config", str(config), "--with-config")
    assert result.returncode == 0, result.stderr
    assert config.read_text() == original
    assert "port = 9999" in only_file(tmp_path, "depotline.toml.before-restore-*").read_text()


def test_restore_with_config_refuses_an_empty_settings_file_and_changes_nothing(
    tmp_path: Path,
) -> None:
    database = tmp_path / "depotline.db"
    write_calls(database, 3)
    config = tmp_path / "depotline.toml"
    config.write_text("")  # the file a full disk or a cut-off copy left
    taken = depotline("backup", "--db", str(database), "--config", str(config), "--dest",
                      str(tmp_path / "backups"))  # fmt: skip
    assert taken.returncode == 0, taken.stderr
    copy = only_file(tmp_path / "backups", "depotline-manual-*.db")
    good = f'[depot]\ndatabase = "{database}"\n[[lines]]\nid = "L1"\ntype = "sim"\n'
    config.write_text(good)
    before = rows(database, "calls")

    result = depotline(
        "restore", str(copy), "--db", str(database), "--config", str(config), "--with-config"
    )
    assert result.returncode == 78
    assert "the configuration is empty" in result.stderr
    assert config.read_text() == good
    assert rows(database, "calls") == before
    assert not list(tmp_path.glob("depotline.db.before-restore-*"))


def _calls_in(database: Path) -> int:
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
            return int(connection.execute("SELECT count(*) FROM calls").fetchone()[0])
    except sqlite3.OperationalError:  # not created or not migrated yet
        return 0


def _wait_for_calls(demo: subprocess.Popen[str], database: Path, count: int) -> int:
    """Waits until the demo daemon has committed `count` ended calls (or dies, or 90 s pass)."""
    deadline = 90.0
    while (seen := _calls_in(database)) < count:
        try:
            demo.wait(timeout=0.25)
        except subprocess.TimeoutExpired:
            deadline -= 0.25
            assert deadline > 0, f"the demo committed only {seen} calls"
            continue
        pytest.fail(f"the demo exited ({demo.returncode}): {demo.communicate()[0][-2000:]}")
    return seen


def test_backup_of_the_running_demo_daemon_restores_every_record(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    demo = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("depotline")),
            "demo",
            "--speed",
            "50",
            "--no-web",
            "--no-console",
            "--db",
            str(database),
            "--calls-per-hour",
            "900",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for_calls(demo, database, 3)
        taken = depotline("backup", "--db", str(database), "--dest", str(tmp_path / "backups"))
        assert taken.returncode == 0, taken.stderr
        copy = only_file(tmp_path / "backups", "depotline-manual-*.db")
        _wait_for_calls(demo, database, len(rows(copy, "calls")) + 2)  # it kept writing
        demo.send_signal(signal.SIGINT)
        assert demo.wait(timeout=60) == 0
    finally:
        if demo.poll() is None:
            demo.kill()
        demo.communicate()

    check = check_database(copy)
    assert check.intact
    calls = rows(copy, "calls")
    # every call in the copy came with its HANGUP entry (one transaction per engine step)
    hangups = {row[2] for row in rows(copy, "queue_log") if row[5] == "HANGUP"}
    assert {row[0] for row in calls} <= hangups
    # what the copy holds, the live database holds too: records are append-only
    for table in ("calls", "queue_log", "tickets", "ticket_history", "desk_records"):
        if table in check.row_counts:
            assert set(rows(copy, table)) <= set(rows(database, table)), table

    restored = tmp_path / "restored.db"
    result = depotline("restore", str(copy), "--db", str(restored))
    assert result.returncode == 0, result.stderr
    assert check_database(restored).intact
    for table in check.row_counts:
        assert rows(restored, table) == rows(copy, table), table


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give files away")
def test_restore_by_root_leaves_the_database_owned_by_the_daemons_user(tmp_path: Path) -> None:
    database = tmp_path / "depotline.db"
    subprocess.run(
        [sys.executable, str(WRITER), str(database), "2"], check=True, capture_output=True
    )
    assert depotline("backup", "--db", str(database), "--dest", str(tmp_path)).returncode == 0
    copy = only_file(tmp_path, "depotline-manual-*.db")
    state = tmp_path / "state"
    state.mkdir()
    os.chown(state, 995, 995)  # the depotline user of a fresh box, which has no database yet

    assert depotline("restore", str(copy), "--db", str(state / "depotline.db")).returncode == 0
    restored = (state / "depotline.db").stat()
    assert (restored.st_uid, restored.st_gid) == (995, 995)
