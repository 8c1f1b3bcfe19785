"""Restore by upload on the admin page: a backup streamed to a hidden file beside the database,
checked as `depotline restore` checks it, staged until the admin confirms, then left pending for
the next daemon start, which swaps it in (appliance.store.backup.apply_pending_restore)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import AsyncIterable
from dataclasses import dataclass
from pathlib import Path

from appliance.desk.forms import FormError
from appliance.store.backup import (
    SQLITE_HEADER,
    BackupError,
    check_database,
    check_restorable,
    fsync_directory,
    pending_restore_path,
    remove_journals,
)

# A depot's database after years of calls stays well under this; the upload is streamed to
# disk, so the limit guards the disk, not the memory.
RESTORE_MAX_BYTES = 2 * 1024**3
# An upload that passed its checks waits here for the admin's "restore now".
STAGED_SUFFIX = ".restore-upload"


class RestoreRefused(FormError):
    """The uploaded file may not be restored: `problem` is no_file, not_sqlite, too_large,
    disk, not_database, damaged, newer, not_depot or nothing_staged; `detail` is what was found."""

    def __init__(self, problem: str, detail: str = "") -> None:
        super().__init__("backup", problem)
        self.detail = detail


@dataclass(frozen=True, slots=True)
class StagedRestore:
    """What a staged backup holds, for the admin to look at before restoring it."""

    size_bytes: int
    schema_version: int
    row_counts: dict[str, int]
    newest_entry_s: float | None  # the latest call-log or audit time in it: about when taken


def staged_path(database: str) -> Path:
    return Path(f"{database}{STAGED_SUFFIX}")


class BackupUpload:
    """One backup arriving: written to a hidden file beside the database (same disk, so staging
    is a rename), refused as soon as its first bytes are not SQLite's or it grows too big."""

    def __init__(self, database: str, *, max_bytes: int) -> None:
        folder = os.path.dirname(os.path.abspath(database))
        fd, name = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(database)}.upload-")
        self.path = Path(name)
        self._file = os.fdopen(fd, "wb")
        self._max_bytes = max_bytes
        self._head = b""
        self.size_bytes = 0

    async def write(self, chunk: bytes) -> None:
        """Keep the next piece; RestoreRefused as soon as it cannot be a backup."""
        self.size_bytes += len(chunk)
        if self.size_bytes > self._max_bytes:
            raise RestoreRefused("too_large", f"{self._max_bytes // 1024**2} MiB")
        if len(self._head) < len(SQLITE_HEADER):
            self._head += chunk[: len(SQLITE_HEADER) - len(self._head)]
            if not SQLITE_HEADER.startswith(self._head):
                raise RestoreRefused("not_sqlite")
        try:
            await asyncio.to_thread(self._file.write, chunk)
        except OSError as error:  # most likely a full disk
            raise RestoreRefused("disk", error.strerror or str(error)) from error

    def finish(self) -> None:
        """All of it has come: on disk for good, or RestoreRefused when it was too short."""
        if len(self._head) < len(SQLITE_HEADER):
            raise RestoreRefused("not_sqlite")
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
        except OSError as error:
            raise RestoreRefused("disk", error.strerror or str(error)) from error

    def discard(self) -> None:
        self._file.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        remove_journals(self.path)


def _stage(upload: BackupUpload, database: str) -> StagedRestore:
    upload.finish()
    try:
        check = check_restorable(upload.path)
    except BackupError as error:
        raise RestoreRefused(error.problem or "not_database", error.detail) from error
    remove_journals(upload.path)
    staged = staged_path(database)
    os.replace(upload.path, staged)
    fsync_directory(staged.parent)
    return StagedRestore(
        upload.size_bytes, check.user_version, check.row_counts, check.newest_entry_s
    )


async def receive(database: str, chunks: AsyncIterable[bytes], *, max_bytes: int) -> StagedRestore:
    """Streams an upload beside the database, checks it whole (integrity, schema not newer,
    the depot's tables) and stages it as `<database>.restore-upload`; RestoreRefused, and
    nothing left behind, when it fails."""
    try:
        upload = BackupUpload(database, max_bytes=max_bytes)
    except OSError as error:  # the database's folder is not writable
        raise RestoreRefused("disk", error.strerror or str(error)) from error
    try:
        async for chunk in chunks:
            await upload.write(chunk)
        return await asyncio.to_thread(_stage, upload, database)
    except BaseException:
        upload.discard()
        raise


def remove_partial_uploads(database: str) -> list[Path]:
    """Deletes hidden upload files a stop or power cut left half-written; returns them."""
    folder = Path(os.path.abspath(database)).parent
    partial = sorted(folder.glob(f".{os.path.basename(database)}.upload-*"))
    for path in partial:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    return partial


def _staged(database: str) -> StagedRestore | None:
    staged = staged_path(database)
    if not staged.is_file():
        return None
    try:
        check = check_database(staged, integrity=False)  # checked in full when it came
    except BackupError:
        return None
    finally:
        remove_journals(staged)
    return StagedRestore(
        staged.stat().st_size, check.user_version, check.row_counts, check.newest_entry_s
    )


async def staged(database: str) -> StagedRestore | None:
    """The staged backup waiting for the admin, if there is one."""
    return await asyncio.to_thread(_staged, database)


def confirm(database: str) -> None:
    """The staged backup becomes the pending restore the next daemon start swaps in."""
    staged = staged_path(database)
    if not staged.is_file():
        raise RestoreRefused("nothing_staged")
    os.replace(staged, pending_restore_path(database))
    fsync_directory(staged.parent)


def cancel(database: str) -> bool:
    """Drops the staged backup; False when there was none."""
    staged = staged_path(database)
    if not staged.is_file():
        return False
    staged.unlink()
    remove_journals(staged)
    return True
