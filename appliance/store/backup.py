"""Consistent copies of a live depotline database (SQLite online backup API), the checks that
decide whether a copy may be restored (integrity, schema version, the depot's tables, row
counts), and the swap of a restore staged by the web page. Used by the `depotline backup` /
`restore` admin verbs, `depotline doctor`, the admin's restore upload, and at daemon start
(before the store opens the database) to put a confirmed restore in place."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from appliance.store.errors import StoreError
from appliance.store.schema import MIGRATIONS, SCHEMA_VERSION

log = logging.getLogger(__name__)

# A backup reads in one snapshot; the daemon's writer may hold the lock for a moment.
BUSY_TIMEOUT_MS = 10_000
# The first bytes of every SQLite 3 database file.
SQLITE_HEADER = b"SQLite format 3\x00"
# A restore the admin confirmed on the web page waits here until the daemon next starts.
PENDING_SUFFIX = ".restore-pending"

_TABLE_CHANGE = re.compile(
    r"\b(CREATE|DROP|ALTER) TABLE (?:IF (?:NOT )?EXISTS )?(\w+)(?: RENAME TO (\w+))?",
    re.IGNORECASE,
)


class BackupError(Exception):
    """A backup or restore cannot go ahead; the message says what to do. `problem` is a short
    code the web page translates (not_database, damaged, newer, not_depot), `detail` what was
    found (the integrity problems, the schema versions, the missing tables)."""

    def __init__(self, message: str, *, problem: str = "", detail: str = "") -> None:
        super().__init__(message)
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True, slots=True)
class DatabaseCheck:
    """What `check_database` found in one database file."""

    path: str
    integrity: str  # "ok", or the first problems integrity_check reported
    user_version: int
    journal_mode: str
    row_counts: dict[str, int] = field(default_factory=dict)
    newest_entry_s: float | None = None  # the latest queue-log or audit time: about when taken

    @property
    def intact(self) -> bool:
        return self.integrity == "ok"

    @property
    def newer_than_this_depotline(self) -> bool:
        return self.user_version > SCHEMA_VERSION

    @property
    def missing_tables(self) -> tuple[str, ...]:
        """The depot's tables its schema version should have but it lacks (all of them for a
        database of some other program, schema version 0)."""
        if self.user_version == 0:
            return tuple(sorted(_tables_after(MIGRATIONS)))
        expected = _tables_after(MIGRATIONS[: self.user_version])
        return tuple(sorted(expected - set(self.row_counts)))


def _tables_after(steps: tuple[tuple[str, ...], ...]) -> set[str]:
    """The tables a database has after these migration steps (created, dropped, renamed)."""
    tables: set[str] = set()
    for sql in (sql for step in steps for sql in step):
        for verb, name, new_name in _TABLE_CHANGE.findall(sql):
            if verb.upper() == "CREATE":
                tables.add(name)
            elif verb.upper() == "DROP" or new_name:
                tables.discard(name)
                if new_name:
                    tables.add(new_name)
    return tables


@contextlib.contextmanager
def _connect(path: Path, *, read_only: bool) -> Iterator[sqlite3.Connection]:
    if read_only:
        uri = f"file:{path}?mode=ro"
        connection = sqlite3.connect(uri, uri=True, isolation_level=None)
    else:
        connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        yield connection
    finally:
        connection.close()


def _check(connection: sqlite3.Connection, path: Path, *, integrity: bool) -> DatabaseCheck:
    if integrity:
        problems = [row[0] for row in connection.execute("PRAGMA integrity_check(20)")]
        integrity_text = "ok" if problems == ["ok"] else "; ".join(problems)
    else:
        integrity_text = "ok"
    user_version = int(connection.execute("PRAGMA user_version").fetchone()[0])
    journal_mode = str(connection.execute("PRAGMA journal_mode").fetchone()[0])
    tables = [
        str(row[0])
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
    ]
    counts = {
        table: int(connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
        for table in tables
    }
    newest = [
        float(row[0])
        for table in ("queue_log", "audit_log")
        if table in counts
        for row in connection.execute(f"SELECT max(time_s) FROM {table}")
        if row[0] is not None
    ]
    return DatabaseCheck(
        str(path), integrity_text, user_version, journal_mode, counts, max(newest, default=None)
    )


def check_database(path: str | os.PathLike[str], *, integrity: bool = True) -> DatabaseCheck:
    """Integrity, schema version, journal mode and row counts of a database, read-only."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such database file")
    try:
        with _connect(path, read_only=True) as connection:
            return _check(connection, path, integrity=integrity)
    except sqlite3.DatabaseError as error:
        raise BackupError(
            f"{path}: not a usable SQLite database ({error})",
            problem="not_database",
            detail=str(error),
        ) from error


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_directory(path: Path) -> None:
    """Make a rename or a new file in `path` survive a power cut."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_journals(path: Path) -> None:
    """The -wal and -shm beside a database file (a read-only look at a WAL-mode file leaves
    empty ones)."""
    for name in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(FileNotFoundError):
            name.unlink()


def _copy(source: Path, destination: Path, *, journal_mode: str) -> DatabaseCheck:
    """Copies `source` into a new file `destination` page by page in one read snapshot, so the
    copy is consistent while the daemon keeps writing; checks and fsyncs the copy."""
    if destination.exists():
        raise BackupError(f"{destination} exists already; not overwriting it")
    try:
        with (
            _connect(source, read_only=False) as reader,
            _connect(destination, read_only=False) as writer,
        ):
            # pages=-1: everything in one step, so no writer change can slip in between steps
            reader.backup(writer, pages=-1)
            writer.execute(f"PRAGMA journal_mode = {journal_mode}")
            check = _check(writer, destination, integrity=True)
    except sqlite3.DatabaseError as error:
        with contextlib.suppress(FileNotFoundError):
            destination.unlink()
        raise BackupError(f"copying {source} failed: {error}") from error
    if not check.intact:
        destination.unlink()
        raise BackupError(f"the copy of {source} failed its integrity check: {check.integrity}")
    _fsync_file(destination)
    return check


def backup_database(
    source: str | os.PathLike[str], destination: str | os.PathLike[str]
) -> DatabaseCheck:
    """A consistent single-file copy (rollback journal, no -wal beside it) of a live database.

    Written under a temporary name and renamed, so a half-written backup never looks finished.
    """
    source, destination = Path(source), Path(destination)
    if not source.is_file():
        raise BackupError(f"{source}: no such database file (is [depot] database right?)")
    partial = destination.with_name(f".{destination.name}.partial")
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    check = _copy(source, partial, journal_mode="DELETE")
    partial.rename(destination)
    fsync_directory(destination.parent)
    return replace(check, path=str(destination), journal_mode="delete")


def check_restorable(backup: str | os.PathLike[str]) -> DatabaseCheck:
    """The backup's check; raises BackupError when it must not be restored."""
    check = check_database(backup)
    if not check.intact:
        raise BackupError(
            f"{backup} is damaged ({check.integrity}); choose an older backup",
            problem="damaged",
            detail=check.integrity,
        )
    if check.newer_than_this_depotline:
        raise BackupError(
            f"{backup} has schema version {check.user_version}, newer than this depotline"
            f" understands ({SCHEMA_VERSION}); upgrade depotline before restoring it",
            problem="newer",
            detail=f"{check.user_version} > {SCHEMA_VERSION}",
        )
    if check.missing_tables:
        missing = ", ".join(check.missing_tables)
        raise BackupError(
            f"{backup} is not a depotline database: it lacks the tables {missing}",
            problem="not_depot",
            detail=missing,
        )
    return check


def restore_database(
    backup: str | os.PathLike[str], target: str | os.PathLike[str]
) -> tuple[DatabaseCheck, Path | None]:
    """Replaces `target` with a checked copy of `backup`; the daemon must be stopped.

    At every instant the old or the new database is at the live path: the copy is made and
    fsynced under a hidden name, the old database's -wal is folded into it, the old file is
    kept by a second name (`<name>.before-restore-<UTC time>`, whole on its own), and one
    rename puts the copy in its place. Returns the restored check and the kept path.
    """
    backup, target = Path(backup), Path(target)
    check_restorable(backup)
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming = target.with_name(f".{target.name}.restoring")
    incoming.unlink(missing_ok=True)
    remove_journals(incoming)
    check = _copy(backup, incoming, journal_mode="WAL")
    _end_web_sessions(incoming)
    # WAL mode leaves no -wal once the last connection closed; nothing else to move.
    kept: Path | None = None
    if target.exists():
        _fold_journal(target)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        kept = target.with_name(f"{target.name}.before-restore-{stamp}")
        _keep(target, kept)
        # a -wal must not stay under the live name: it would be replayed into the new file
        remove_journals(target)
    # The daemon's user must own the restored file as it owned the old one (or, on a fresh
    # box, as it owns the state directory), even when root ran the restore.
    owner = (kept or target.parent).stat()
    with contextlib.suppress(PermissionError):
        os.chown(incoming, owner.st_uid, owner.st_gid)
    if kept is not None:
        os.chmod(incoming, owner.st_mode & 0o777)
    os.replace(incoming, target)
    fsync_directory(target.parent)
    return replace(check, path=str(target), journal_mode="wal"), kept


def _end_web_sessions(database: Path) -> None:
    """Nobody stays signed in across a restore: the sessions the backup holds (some long
    signed out since) are deleted from the restored copy before it goes live."""
    with _connect(database, read_only=False) as connection:
        has_sessions = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'web_sessions'"
        ).fetchone()
        if has_sessions:
            connection.execute("DELETE FROM web_sessions")
    _fsync_file(database)


def _fold_journal(database: Path) -> None:
    """Folds the -wal of a database into the file, so the file alone holds every committed
    record (after a crash the last calls are only in the -wal). A daemon still writing
    (`restore --force`) can keep part of it back, and a damaged file cannot take it: that
    -wal is then kept beside the kept copy (`_keep`)."""
    try:
        with _connect(database, read_only=False) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.DatabaseError as error:
        log.warning("could not fold the write-ahead log of %s into it: %s", database, error)


def _keep(database: Path, kept: Path) -> None:
    """A second name for the (folded) database, fsynced: a hard link, or a copy where the
    file system has none; an unfolded -wal goes along under the kept name."""
    for source, destination in ((database, kept), (Path(f"{database}-wal"), Path(f"{kept}-wal"))):
        if source != database and (not source.exists() or source.stat().st_size == 0):
            continue
        try:
            os.link(source, destination)
        except FileExistsError:
            if not os.path.samefile(source, destination):
                raise
        except OSError:  # no hard links here (a FAT stick)
            shutil.copy2(source, destination)
            _fsync_file(destination)
    fsync_directory(database.parent)


def refuse_a_lost_database(database: str | os.PathLike[str]) -> None:
    """At start, before the store opens (and would create) the database: StoreError when it
    is missing but files beside it show a depot was there (its -wal, a kept or half-copied
    restore, an upload), naming them. A truly new box has none of them and starts empty."""
    database = Path(database)
    if database.exists() or not database.parent.is_dir():
        return
    prefixes = (database.name, f".{database.name}")
    found = sorted(p.name for p in database.parent.iterdir() if p.name.startswith(prefixes))
    if found:
        raise StoreError(
            f"database {database} is missing, but {', '.join(found)} beside it show that a"
            " depot was there; depotline will not start an empty depot over it. Restore a"
            " backup (depotline restore FILE), or move those files away to start a new depot"
        )


def pending_restore_path(database: str | os.PathLike[str]) -> Path:
    """Where a restore confirmed on the web page waits for the next daemon start."""
    return Path(f"{os.fspath(database)}{PENDING_SUFFIX}")


def apply_pending_restore(database: str | os.PathLike[str]) -> tuple[DatabaseCheck, Path | None]:
    """Puts a confirmed restore (`<database>.restore-pending`) in place; call it at start,
    before anything opens the database. Returns the restored check and where the database it
    replaced is kept (`<name>.before-restore-<UTC time>`, None on a box without one).

    A pending file that fails its checks is renamed `<name>.restore-failed-<UTC time>` and the
    database is left as it was (BackupError): the depot starts on its own records rather than
    not at all. A power cut half-way leaves the pending file, so the next start does it again.
    """
    database = Path(database)
    pending = pending_restore_path(database)
    try:
        check, kept = restore_database(pending, database)
    except BackupError:
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        failed = database.with_name(f"{database.name}.restore-failed-{stamp}")
        pending.rename(failed)
        raise
    pending.unlink()
    fsync_directory(database.parent)
    return check, kept
