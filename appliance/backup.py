"""`depotline backup` and `depotline restore`: consistent copies of the records and settings
(database plus the config file beside it), nightly rotation, and a checked restore that
refuses to replace the database under a running daemon."""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from appliance import config as depot_config
from appliance.store.backup import (
    BackupError,
    DatabaseCheck,
    backup_database,
    check_restorable,
    pending_restore_path,
    restore_database,
)

PREFIX = "depotline"
KINDS = ("manual", "nightly")
UNIT = "depotline.service"


def _database_path(config_path: str, db: str | None) -> tuple[Path, Path | None]:
    """The database to work on, and the config file when one is in use."""
    if db:
        config_file = Path(config_path) if os.path.isfile(config_path) else None
        return Path(db), config_file
    config = depot_config.load(config_path)
    return Path(config.depot.database), Path(config_path)


def backup_set_paths(directory: Path, kind: str, when_s: float) -> tuple[Path, Path]:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(when_s))
    stem = f"{PREFIX}-{kind}-{stamp}"
    return directory / f"{stem}.db", directory / f"{stem}.toml"


def rotate(directory: Path, kind: str, keep: int) -> list[Path]:
    """Deletes all but the newest `keep` backups of one kind; returns what it deleted."""
    sets = sorted(directory.glob(f"{PREFIX}-{kind}-*.db"))  # UTC stamps sort by time
    deleted: list[Path] = []
    for old in sets[: max(0, len(sets) - keep)]:
        for path in (old, old.with_suffix(".toml")):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                deleted.append(path)
    return deleted


def _print_counts(check: DatabaseCheck) -> None:
    for table, count in sorted(check.row_counts.items()):
        print(f"  {table:<24} {count:>9} rows")


def _backup(args: argparse.Namespace) -> int:
    database, config_file = _database_path(args.config, args.db)
    directory = Path(args.dest) if args.dest else database.parent / "backups"
    directory.mkdir(parents=True, exist_ok=True)
    kind = "nightly" if args.nightly else "manual"
    db_copy, config_copy = backup_set_paths(directory, kind, time.time())
    check = backup_database(database, db_copy)
    print(f"backed up {database} to {db_copy} (schema {check.user_version}, integrity ok)")
    _print_counts(check)
    if config_file is not None and config_file.is_file():
        shutil.copy2(config_file, config_copy)
        print(f"copied {config_file} to {config_copy}")
    if args.keep is not None:
        for deleted in rotate(directory, kind, args.keep):
            print(f"deleted old backup {deleted}")
    return 0


def processes_using(database: Path) -> list[int]:
    """Pids of processes with the database (or its WAL) open, from /proc (root sees all)."""
    wanted = {str(database.resolve()), f"{database.resolve()}-wal"}
    pids: list[int] = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            for fd in (proc / "fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) in wanted:
                        pids.append(int(proc.name))
                        break
    return pids


def _unit_active() -> bool:
    if not Path("/run/systemd/system").is_dir() or shutil.which("systemctl") is None:
        return False
    result = subprocess.run(
        ["systemctl", "is-active", "--quiet", UNIT], check=False, capture_output=True
    )
    return result.returncode == 0


def _restore(args: argparse.Namespace) -> int:
    database, config_file = _database_path(args.config, args.db)
    backup = Path(args.backup)
    check = check_restorable(backup)
    print(f"{backup}: integrity ok, schema {check.user_version}")
    _print_counts(check)
    users = processes_using(database)
    running = bool(users) or (args.db is None and _unit_active())
    if running and not args.force:
        who = f"process {', '.join(map(str, users))}" if users else UNIT
        print(
            f"refusing to restore: {database} is in use by {who}. Stop the daemon first"
            f" (sudo systemctl stop depotline), or pass --force and restart it at once.",
            file=sys.stderr,
        )
        return 1
    _, kept = restore_database(backup, database)
    print(f"restored {backup} to {database}")
    pending = pending_restore_path(database)
    if pending.exists():
        # else the next start would swap the web page's restore in over this one
        pending.unlink()
        print(f"dropped {pending}, a restore confirmed on the web page that was still waiting")
    if kept is not None:
        print(f"the database it replaced is kept as {kept}")
    config_copy = backup.with_suffix(".toml")
    if config_copy.is_file() and config_file is not None:
        if args.with_config:
            kept_config = config_file.with_name(
                f"{config_file.name}.before-restore-{time.strftime('%Y%m%dT%H%M%SZ')}"
            )
            with contextlib.suppress(FileNotFoundError):
                shutil.copy2(config_file, kept_config)
            shutil.copy2(config_copy, config_file)
            print(f"restored {config_copy} to {config_file} (old one kept as {kept_config})")
        else:
            print(f"the settings file of that backup is {config_copy}; --with-config restores it")
    if running:
        print("the daemon was running: restart it now (sudo systemctl restart depotline)")
    return 0


def _parser(verb: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"depotline {verb}")
    parser.add_argument("--config", default=depot_config.DEFAULT_PATH, help="depotline.toml")
    parser.add_argument("--db", help="database file (default: [depot] database of the config)")
    if verb == "backup":
        parser.description = "Copy the records and settings while the daemon runs."
        parser.add_argument("--dest", help="directory (default: backups/ beside the database)")
        parser.add_argument("--nightly", action="store_true", help="name it as a nightly copy")
        parser.add_argument("--keep", type=int, help="keep only the newest N copies of its kind")
    else:
        parser.description = "Replace the database with a checked backup."
        parser.add_argument("backup", help="a depotline-….db file written by depotline backup")
        parser.add_argument("--force", action="store_true", help="even if the daemon runs")
        parser.add_argument(
            "--with-config", action="store_true", help="also restore the config file beside it"
        )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point: argv[0] is "backup" or "restore", the rest its options."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in ("backup", "restore"):
        print("usage: depotline backup|restore [options]", file=sys.stderr)
        return 2
    verb = argv[0]
    args = _parser(verb).parse_args(argv[1:])
    try:
        return _backup(args) if verb == "backup" else _restore(args)
    except (BackupError, depot_config.ConfigError, OSError) as error:
        print(f"depotline {verb}: {error}", file=sys.stderr)
        return depot_config.EX_CONFIG if isinstance(error, depot_config.ConfigError) else 1


if __name__ == "__main__":
    sys.exit(main())
