"""`depotline tasks`, `depotline tickets` and `depotline waybills`: the follow-up loops for the
depot's own scripts — list callback tasks and tickets, load the nightly tracking export, show a
waybill — straight on the database, with or without the daemon running."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from appliance.config import DEFAULT_PATH, EX_CONFIG, ConfigError, load
from appliance.desk.csv_rows import CsvProblem
from appliance.desk.forms import clean_waybill
from appliance.desk.tracking_export import in_words, read_export
from appliance.store import Store, StoreError, tasks, tickets, waybills
from appliance.store.desk_store import DeskStore
from appliance.store.tickets import TicketFilter

EX_DATAERR = 65
EX_NOINPUT = 66
EX_IOERR = 74
LIST_LIMIT = 100_000
NOT_FOUND = 1


def _parser(verb: str) -> argparse.ArgumentParser:
    # the database options go after the action, as in `depotline tasks list --db PATH`
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--config", default=DEFAULT_PATH, help=f"configuration ({DEFAULT_PATH})")
    where.add_argument("--db", default="", help="database file (default: the configured one)")
    parser = argparse.ArgumentParser(prog=f"depotline {verb}")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    if verb == "tasks":
        listing = actions.add_parser(
            "list", parents=[where], help="callback tasks (回访), newest first"
        )
        listing.add_argument("--open", action="store_true", help="open tasks only")
        listing.add_argument("--json", action="store_true", help="one JSON array")
    elif verb == "tickets":
        listing = actions.add_parser(
            "list", parents=[where], help="complaint tickets (工单), newest first"
        )
        listing.add_argument("--overdue", action="store_true", help="past their deadline only")
        listing.add_argument("--json", action="store_true", help="one JSON array")
    else:
        loading = actions.add_parser("import", parents=[where], help="load a tracking export (CSV)")
        loading.add_argument("file", help="waybill,status,place,time rows")
        showing = actions.add_parser("show", parents=[where], help="one waybill's status")
        showing.add_argument("number", help="the waybill number (运单号)")
        showing.add_argument("--json", action="store_true", help="one JSON object")
    return parser


def _database(args: argparse.Namespace) -> str:
    """--db, else the configured database (the configuration is not needed with --db)."""
    if args.db:
        return str(args.db)
    return load(args.config).depot.database


def _iso(time_s: float | None, zone: ZoneInfo) -> str | None:
    if time_s is None:
        return None
    return dt.datetime.fromtimestamp(time_s, zone).isoformat(timespec="seconds")


async def _zone(store: Store) -> ZoneInfo:
    setup = await store.load_setup()
    return ZoneInfo(setup.hours.timezone if setup is not None else "UTC")


async def _tasks(store: Store, args: argparse.Namespace) -> int:
    zone = await _zone(store)
    db = DeskStore(store)
    found = await db.read(lambda c: tasks.newest(c, LIST_LIMIT))
    rows = [
        {
            "id": t.task_id,
            "number": t.number,
            "reason": t.reason,
            "due": _iso(t.due_s, zone),
            "state": t.state,
            "attempts": t.attempts,
            "assigned_to": t.assigned_agent,
        }
        for t in found
        if t.status == "open" or not args.open
    ]
    _print_rows(rows, as_json=args.json)
    return 0


async def _tickets(store: Store, args: argparse.Namespace) -> int:
    zone = await _zone(store)
    found_by = TicketFilter(overdue_at_s=time.time() if args.overdue else None)
    found = await DeskStore(store).read(lambda c: tickets.search(c, found_by, LIST_LIMIT))
    rows = [
        {
            "id": t.ticket_id,
            "number": t.number,
            "owner": t.owner,
            "category": t.category,
            "deadline": _iso(t.deadline_s, zone),
            "escalation_level": t.escalation_level,
            "state": t.state,
            "waybill": t.waybill,
        }
        for t in found
    ]
    _print_rows(rows, as_json=args.json)
    return 0


def _print_rows(rows: Sequence[Mapping[str, object]], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        print("\t".join("" if value is None else str(value) for value in row.values()))


async def _import(store: Store, path: Path) -> int:
    zone = await _zone(store)
    data = await asyncio.to_thread(path.read_bytes)
    rows = read_export(data, zone.key, loaded_s=time.time(), source=path.name)
    db = DeskStore(store)
    changed = await db.write(lambda c: waybills.load(c, rows))
    total = await db.read(waybills.count)
    print(f"{len(rows)} waybills in {path.name}, {changed} added or updated, {total} known")
    return 0


async def _show(store: Store, args: argparse.Namespace) -> int:
    zone = await _zone(store)
    number = clean_waybill(args.number) or args.number
    found = await DeskStore(store).read(lambda c: waybills.asked(c, number))
    if found is None:
        print("null" if args.json else f"depotline waybills: {number} is not in the export")
        return NOT_FOUND
    row = {
        "waybill": found.waybill,
        "status": found.status,
        "place": found.place,
        "time": _iso(found.time_s, zone),
        "loaded": _iso(found.loaded_s, zone),
        "source": found.source,
    }
    if args.json:
        print(json.dumps(row, ensure_ascii=False))
    else:
        print("\t".join(str(value) for value in row.values()))
    return 0


async def _run(verb: str, database: str, args: argparse.Namespace) -> int:
    store = await Store.open(database)
    try:
        if verb == "tasks":
            return await _tasks(store, args)
        if verb == "tickets":
            return await _tickets(store, args)
        if args.action == "import":
            return await _import(store, Path(args.file))
        return await _show(store, args)
    finally:
        await store.close()


def main(argv: list[str]) -> int:
    verb, rest = argv[0], argv[1:]
    args = _parser(verb).parse_args(rest)
    try:
        database = _database(args)
    except ConfigError as error:
        print(f"depotline {verb}: {error}", file=sys.stderr)
        return EX_CONFIG
    if not os.path.isfile(database):
        print(f"depotline {verb}: no database at {database}", file=sys.stderr)
        return EX_NOINPUT
    if verb == "waybills" and args.action == "import" and not os.path.isfile(args.file):
        print(f"depotline waybills: no file {args.file}", file=sys.stderr)
        return EX_NOINPUT
    try:
        return asyncio.run(_run(verb, database, args))
    except CsvProblem as problem:
        print(
            f"depotline waybills: {args.file}: {in_words(problem)}; nothing was loaded",
            file=sys.stderr,
        )
        return EX_DATAERR
    except StoreError as error:
        print(f"depotline {verb}: {error}", file=sys.stderr)
        return EX_IOERR
