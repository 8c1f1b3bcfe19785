"""`depotline report`: the figures of a calendar day, Monday–Sunday week, calendar month or
month so far, as JSON (keys in docs/figures.md) or text."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
import time
from typing import Any

from appliance.desk.period_report import PeriodReports
from appliance.desk.periods import REPORT_PERIODS
from appliance.store import Store, StoreError

EX_USAGE = 64
EX_IOERR = 74


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="depotline report", description="Print a calendar period's figures."
    )
    parser.add_argument("--db", required=True, help="database file")
    parser.add_argument("--period", choices=REPORT_PERIODS, default="day")
    parser.add_argument("--date", default="", help="a day of the period, YYYY-MM-DD (today)")
    parser.add_argument(
        "--fcr-window-h",
        type=float,
        default=72.0,
        help="a call counts as resolved at first contact with no repeat call this soon (72)",
    )
    parser.add_argument("--json", action="store_true", help="JSON (keys in docs/figures.md)")
    return parser


def _text(report: dict[str, Any]) -> str:
    p, t, s = report["period"], report["totals"], report["satisfaction"]
    rows = [
        f"{p['kind']} {p['first_day']} – {p['last_day']} ({p['timezone']})",
        f"offered {t['offered']}  answered {t['answered']}  abandoned {t['abandoned']}"
        f"  self-served {t['self_served']}",
        f"service level {_share(t['service_level'])}  answer rate {_share(t['answer_rate'])}",
        f"satisfaction {s['mean_score'] or '—'} ({s['responses']} of {s['answered_calls']})",
    ]
    rows += [f"{a['agent_id']} {a['name']}: answered {a['answered']}" for a in report["agents"]]
    return "\n".join(rows)


def _share(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f} %"


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        day = dt.date.fromisoformat(args.date) if args.date else None
    except ValueError:
        print(f"depotline report: --date {args.date!r} is not YYYY-MM-DD", file=sys.stderr)
        return EX_USAGE

    async def run() -> dict[str, Any]:
        store = await Store.open(args.db)
        try:
            return await PeriodReports(store).as_json(
                args.period, day, time.time(), fcr_window_s=args.fcr_window_h * 3600
            )
        finally:
            await store.close()

    try:
        report = asyncio.run(run())
    except StoreError as error:
        print(f"depotline report: {error}", file=sys.stderr)
        return EX_IOERR
    print(json.dumps(report, ensure_ascii=False, indent=1) if args.json else _text(report))
    return 0
