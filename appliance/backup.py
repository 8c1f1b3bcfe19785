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

from appliance import backup_set
from appliance import config as depot_config
from appliance.store.backup import (
    BackupError,
    DatabaseCheck,
    check_restorable,
    pending_restore_path,
    restore_database,
)

KINDS = ("manual", "nightly")
UNIT = "depotline.service"


def _database_path(config_path: str, db: str | None) -> tuple[Path, Path | None]:
    """The database to work on, and the config file when one is in use."""
    if db:
        config_file = Path(config_path) if os.path.isfile(config_path) else None
        return Path(db), config_file
    config = depot_config.load(config_path)
    return Path(config.depot.database), Path(config_path)


def _print_counts(check: DatabaseCheck) -> None:
    for table, count in sorted(check.row_counts.items()):
        print(f"  {table:<24} {count:>9} rows")


def _backup(args: argparse.Namespace) -> int:
    database, config_file = _database_path(args.config, args.db)
    directory = Path(args.dest) if args.dest else database.parent / "backups"
    directory.mkdir(parents=True, exist_ok=True)
    kind = "nightly" if args.nightly else "manual"
    backup = backup_set.set_for(directory, kind, time.time())
    with backup_set.locked(directory):
        for leftover in backup_set.remove_leftovers(directory):
            print(f"deleted {leftover}, left by a backup that did not finish")
        check = backup_set.write_set(database, config_file, backup)
        print(
            f"backed up {database} to {backup.database} (schema {check.user_version}, integrity ok)"
        )
        _print_counts(check)
        if backup.config.is_file():
            print(f"copied {config_file} to {backup.config}")
        print(f"wrote {backup.manifest} (checksums of both)")
        if args.keep is not None:
            for deleted in backup_set.rotate(directory, kind, args.keep):
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
    backup = backup_set.BackupSet(Path(args.backup))
    manifest = backup_set.read_manifest(backup)
    check = check_restorable(backup.database)
    print(f"{backup.database}: integrity ok, schema {check.user_version}, checksums ok")
    _print_counts(check)
    restore_config = bool(manifest.config_sha256) and config_file is not None and args.with_config
    if restore_config:
        # an empty or broken settings file would leave the box without its lines
        depot_config.load(backup.config)
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
    _, kept = restore_database(backup.database, database)
    print(f"restored {backup.database} to {database}")
    pending = pending_restore_path(database)
    if pending.exists():
        # else the next start would swap the web page's restore in over this one
        pending.unlink()
        print(f"dropped {pending}, a restore confirmed on the web page that was still waiting")
    if kept is not None:
        print(f"the database it replaced is kept as {kept}")
    if restore_config and config_file is not None:
        kept_config = backup_set.install_config(backup.config, config_file)
        print(f"restored {backup.config} to {config_file} (old one kept as {kept_config})")
    elif manifest.config_sha256:
        print(f"the settings file of that backup is {backup.config}; --with-config restores it")
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
