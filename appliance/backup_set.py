"""A backup set is one unit: the database copy and the configuration file beside it, written
under temporary names, fsynced and renamed, then a manifest with both checksums. A set without
its manifest is not offered for restore; what killed backups left behind is removed by the
next backup and by the nightly rotation."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from appliance.store.backup import BackupError, DatabaseCheck, backup_database, fsync_directory

PREFIX = "depotline"
MANIFEST_SUFFIX = ".manifest.json"
# present from a backup's first write until its manifest is in place: the set is unfinished
UNFINISHED_SUFFIX = ".unfinished"
LOCK_NAME = f".{PREFIX}-backup.lock"
MANIFEST_FORMAT = 1


@dataclass(frozen=True, slots=True)
class BackupSet:
    """The files of one backup: `<stem>.db`, `<stem>.toml` and `<stem>.manifest.json`."""

    database: Path

    @property
    def config(self) -> Path:
        return self.database.with_suffix(".toml")

    @property
    def manifest(self) -> Path:
        return self.database.with_suffix(MANIFEST_SUFFIX)

    @property
    def unfinished(self) -> Path:
        return self.database.with_name(f".{self.database.stem}{UNFINISHED_SUFFIX}")


@dataclass(frozen=True, slots=True)
class Manifest:
    """What a finished set holds: each file's name and SHA-256 ("" config: none was copied)."""

    database_sha256: str
    config_sha256: str
    schema_version: int


def set_for(directory: Path, kind: str, when_s: float) -> BackupSet:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(when_s))
    return BackupSet(directory / f"{PREFIX}-{kind}-{stamp}.db")


@contextlib.contextmanager
def locked(directory: Path) -> Iterator[None]:
    """One backup at a time in a directory (the lock goes with a killed process), so leftovers
    found while holding it belong to no backup still running."""
    with (directory / LOCK_NAME).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_durably(path: Path, data: bytes) -> None:
    """`data` at `path` whole or not at all: a hidden temporary file, fsynced, renamed."""
    partial = path.with_name(f".{path.name}.partial")
    with partial.open("wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    os.replace(partial, path)
    fsync_directory(path.parent)


def write_set(database: Path, config_file: Path | None, backup: BackupSet) -> DatabaseCheck:
    """Writes one set; the caller holds `locked(directory)`."""
    backup.unfinished.touch()
    fsync_directory(backup.database.parent)
    check = backup_database(database, backup.database)
    config_sha256 = ""
    if config_file is not None and config_file.is_file():
        _write_durably(backup.config, config_file.read_bytes())
        config_sha256 = sha256_of(backup.config)
    manifest = {
        "format": MANIFEST_FORMAT,
        "database": {"file": backup.database.name, "sha256": sha256_of(backup.database)},
        "config": {"file": backup.config.name, "sha256": config_sha256} if config_sha256 else None,
        "schema_version": check.user_version,
    }
    _write_durably(backup.manifest, json.dumps(manifest, indent=2).encode())
    backup.unfinished.unlink()
    fsync_directory(backup.database.parent)
    return check


def read_manifest(backup: BackupSet) -> Manifest:
    """The set's manifest, its checksums checked against the files; BackupError when the set
    is unfinished, has no manifest, or a file changed since."""
    if backup.unfinished.exists() or not backup.manifest.is_file():
        raise BackupError(
            f"{backup.database} has no manifest ({backup.manifest.name}): that backup did not"
            " finish, or depotline backup did not make it. It is not offered for restore;"
            " choose another backup"
        )
    try:
        raw = json.loads(backup.manifest.read_text())
        manifest = Manifest(
            str(raw["database"]["sha256"]),
            str(raw["config"]["sha256"]) if raw.get("config") else "",
            int(raw["schema_version"]),
        )
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(
            f"{backup.manifest} is damaged ({error}); choose another backup"
        ) from error
    for path, wanted in (
        (backup.database, manifest.database_sha256),
        (backup.config, manifest.config_sha256),
    ):
        if wanted and (not path.is_file() or sha256_of(path) != wanted):
            raise BackupError(
                f"{path} is missing or changed since its backup was made (its checksum differs"
                f" from {backup.manifest.name}); choose another backup"
            )
    return manifest


def remove_leftovers(directory: Path) -> list[Path]:
    """Deletes what killed backups left: the files of unfinished sets and hidden partial
    copies (each the size of the database). The caller holds `locked(directory)`."""
    doomed: list[Path] = []
    for marker in directory.glob(f".{PREFIX}-*{UNFINISHED_SUFFIX}"):
        unfinished = BackupSet(directory / f"{marker.name[1 : -len(UNFINISHED_SUFFIX)]}.db")
        doomed += [unfinished.database, unfinished.config, unfinished.manifest, marker]
    doomed += directory.glob(f".{PREFIX}-*.partial")
    removed = []
    for path in doomed:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed.append(path)
    if removed:
        fsync_directory(directory)
    return removed


def rotate(directory: Path, kind: str, keep: int) -> list[Path]:
    """Deletes leftovers and all but the newest `keep` sets of one kind; returns what it
    deleted. The caller holds `locked(directory)`."""
    deleted = remove_leftovers(directory)
    sets = sorted(directory.glob(f"{PREFIX}-{kind}-*.db"))  # UTC stamps sort by time
    for old in sets[: max(0, len(sets) - keep)]:
        backup = BackupSet(old)
        for path in (backup.database, backup.config, backup.manifest):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                deleted.append(path)
    return deleted


def install_config(copy: Path, config_file: Path) -> Path:
    """Puts a backed-up config file in place by one rename; the one it replaces is kept as
    `<name>.before-restore-<UTC time>` (returned)."""
    kept = config_file.with_name(
        f"{config_file.name}.before-restore-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}"
    )
    with contextlib.suppress(FileNotFoundError):
        shutil.copy2(config_file, kept)
    _write_durably(config_file, copy.read_bytes())
    return kept
