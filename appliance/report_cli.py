"""`depotline report`: the figures of a calendar day, Monday–Sunday week, calendar month or
month so far, with agent names beside 工号 and satisfaction, as JSON or text (keys in
docs/figures.md). The same reducer and kept days as the web reports."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import json
import sys
import time
from typing import Any

from appliance.desk_periods import month_of, today, week_of
from appliance.desk_reports import DepotReports
from appliance.engine.records import CallRecord
from appliance.stats.figures import CallFigures, FigureSet
from appliance.store import Store, StoreError

EX_USAGE = 64
EX_IOERR = 74
PERIODS = ("day", "week", "month", "month_to_date")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="depotline report", description="Print a calendar period's figures."
    )
    parser.add_argument("--db", required=True, help="database file")
    parser.add_argument("--period", choices=PERIODS, default="day")
    parser.add_argument("--date", default="", help="a day of the period, YYYY-MM-DD (today)")
    parser.add_argument("--json", action="store_true", help="JSON (keys in docs/figures.md)")
    return parser


def period_days(period: str, day: dt.date, timezone: str, now_s: float) -> tuple[dt.date, dt.date]:
    """First and last local day of the period holding `day`; never past today."""
    if period == "day":
        first, last = day, day
    elif period == "week":
        week = week_of(day, timezone)
        first, last = week.first_day, week.last_day
    elif period == "month":
        month = month_of(day, timezone)
        first, last = month.first_day, month.last_day
    else:
        first, last = day.replace(day=1), day
    return first, min(last, max(first, today(now_s, timezone)))


def _figures(figures: CallFigures) -> dict[str, Any]:
    return dataclasses.asdict(figures)


def satisfaction(calls: list[CallRecord]) -> dict[str, Any]:
    """Post-call survey (1–5) over the answered inbound calls."""
    answered = [c for c in calls if c.direction == "in" and c.agent and c.connected_s is not None]
    scores = [c.survey_score for c in answered if c.survey_score is not None]
    return {
        "answered_calls": len(answered),
        "responses": len(scores),
        "response_rate": len(scores) / len(answered) if answered else None,
        "mean_score": sum(scores) / len(scores) if scores else None,
        "share_4_5": sum(1 for s in scores if s >= 4) / len(scores) if scores else None,
    }


async def build_report(
    store: Store, period: str, day: dt.date | None, now_s: float
) -> dict[str, Any]:
    setup = await store.load_setup()
    if setup is None:
        raise StoreError("the database has no depot setup yet: start depotline on it once")
    timezone = setup.hours.timezone
    first, last = period_days(period, day or today(now_s, timezone), timezone, now_s)
    threshold_s = min((queue.sl_threshold_s for queue in setup.queues), default=20.0)
    reports = DepotReports(store, timezone=timezone, sl_threshold_s=threshold_s)
    figures: FigureSet = await reports.report(last, (last - first).days + 1, now_s)
    start_s, _ = reports.day_bounds(first)
    _, end_s = reports.day_bounds(last)
    calls = await store.calls(start_s, end_s, limit=10_000_000)
    names = {user.agent_id: user.name for user in await store.users()}
    names |= {agent.id: agent.name for agent in setup.agents}
    queue_names = {queue.id: queue.name_zh for queue in setup.queues}
    agents = []
    for agent in figures.by_agent:
        entry: dict[str, Any] = {"agent_id": agent.agent, "name": names.get(agent.agent, "")}
        entry |= {k: v for k, v in dataclasses.asdict(agent).items() if k not in ("agent", "state")}
        entry["satisfaction"] = satisfaction([c for c in calls if c.agent == agent.agent])
        agents.append(entry)
    return {
        "period": {
            "kind": period,
            "first_day": first.isoformat(),
            "last_day": last.isoformat(),
            "timezone": timezone,
            "sl_threshold_s": threshold_s,
        },
        "totals": _figures(figures.totals),
        "occupancy": figures.occupancy,
        "queues": [
            {"queue": queue, "name": queue_names.get(queue, queue), **_figures(f)}
            for queue, f in figures.by_queue
        ],
        "days": [{"day": d.isoformat(), **_figures(f)} for d, f in figures.by_day],
        "hours": [{"hour": h, **_figures(f)} for h, f in figures.by_hour],
        "agents": agents,
        "satisfaction": satisfaction(calls),
    }


def _text(report: dict[str, Any]) -> str:
    p, t, s = report["period"], report["totals"], report["satisfaction"]
    rows = [
        f"{p['kind']} {p['first_day']} – {p['last_day']} ({p['timezone']})",
        f"offered {t['offered']}  answered {t['answered']}  abandoned {t['abandoned']}",
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
            return await build_report(store, args.period, day, time.time())
        finally:
            await store.close()

    try:
        report = asyncio.run(run())
    except StoreError as error:
        print(f"depotline report: {error}", file=sys.stderr)
        return EX_IOERR
    print(json.dumps(report, ensure_ascii=False, indent=1) if args.json else _text(report))
    return 0
