"""Reports (S4): a day, week or month of calls by queue, by hour (with a chart) and by agent,
each table as CSV; staffing (S7): agents needed per hour by Erlang C for a target."""

from __future__ import annotations

import csv
import datetime as dt
import io

from aiohttp import web

from appliance.desk import PERIOD_DAYS
from web_ui.site.charts import bar_chart
from web_ui.site.i18n import request_language, translate
from web_ui.site.security import (
    DEPOT_KEY,
    DESK_KEY,
    SECURITY_HEADERS,
    SUPERVISOR,
    error_page,
    render,
    requires,
)

routes = web.RouteTableDef()
CSV_TABLES = ("queues", "hours", "agents", "days", "faults")


def _period(request: web.Request) -> tuple[str, dt.date | None]:
    period = request.query.get("period", "day")
    if period not in PERIOD_DAYS:
        return period, None
    text = request.query.get("day", "")
    if not text:
        desk = request.app[DESK_KEY]
        return period, desk.reports.today(request.app[DEPOT_KEY].now())
    try:
        return period, dt.date.fromisoformat(text)
    except ValueError:
        return period, None


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}"


@routes.get("/reports")
@requires(SUPERVISOR)
async def report_page(request: web.Request) -> web.Response:
    period, last_day = _period(request)
    if last_day is None:
        return error_page(request, 400, "error.field_invalid")
    service = request.app[DEPOT_KEY]
    figures = await request.app[DESK_KEY].reports.report(
        last_day, PERIOD_DAYS[period], service.now()
    )
    language = request_language(request)
    chart = bar_chart(
        [(str(hour), float(f.offered)) for hour, f in figures.by_hour],
        title=translate(language, "reports.by_hour"),
    )
    reports = request.app[DESK_KEY].reports
    days = await reports.by_day(last_day, PERIOD_DAYS[period], service.now())
    sl_chart = bar_chart(
        [(f"{d.day.month}/{d.day.day}", round((d.service_level or 0.0) * 100)) for d in days],
        title=translate(language, "reports.sl_by_day"),
    )
    return render(
        request,
        "report.html",
        figures=figures,
        days=days,
        sl_chart=sl_chart,
        faults=await reports.faults(last_day, PERIOD_DAYS[period]),
        period=period,
        periods=tuple(PERIOD_DAYS),
        day=last_day.isoformat(),
        chart=chart,
        csv_tables=CSV_TABLES,
    )


@routes.get("/reports.csv")
@requires(SUPERVISOR)
async def report_csv(request: web.Request) -> web.StreamResponse:
    period, last_day = _period(request)
    table = request.query.get("table", "")
    if last_day is None or table not in CSV_TABLES:
        return error_page(request, 400, "error.field_invalid")
    figures = await request.app[DESK_KEY].reports.report(
        last_day, PERIOD_DAYS[period], request.app[DEPOT_KEY].now()
    )
    out = io.StringIO()
    writer = csv.writer(out)
    call_columns = [
        "offered",
        "answered",
        "abandoned",
        "service_level_pct",
        "answer_rate_pct",
        "abandon_rate_pct",
        "asa_s",
        "aht_s",
    ]
    reports = request.app[DESK_KEY].reports
    if table == "days":
        writer.writerow(
            ["day", "offered", "answered", "abandoned", "service_level_pct", "answer_rate_pct"]
        )
        now_s = request.app[DEPOT_KEY].now()
        for d in await reports.by_day(last_day, PERIOD_DAYS[period], now_s):
            writer.writerow(
                [
                    d.day.isoformat(),
                    d.offered,
                    d.answered,
                    d.abandoned,
                    _rate(d.service_level),
                    _rate(d.answer_rate),
                ]
            )
    elif table == "faults":
        writer.writerow(["device", "reason", "started_s", "cleared_s"])
        for fault in await reports.faults(last_day, PERIOD_DAYS[period]):
            cleared = "" if fault.cleared_s is None else f"{fault.cleared_s:.0f}"
            writer.writerow([fault.device, fault.reason, f"{fault.started_s:.0f}", cleared])
    elif table == "agents":
        writer.writerow(
            [
                "agent",
                "answered",
                "talk_s",
                "wrap_s",
                "aht_s",
                "missed_offers",
                "transfers",
                "logged_in_s",
                "paused_s",
                "occupancy_pct",
            ]
        )
        for agent in figures.by_agent:
            writer.writerow(
                [
                    agent.agent,
                    agent.answered,
                    f"{agent.talk_s:.0f}",
                    f"{agent.wrap_s:.0f}",
                    _seconds(agent.aht_s),
                    agent.missed_offers,
                    agent.transfers,
                    f"{agent.logged_in_s:.0f}",
                    f"{agent.paused_s:.0f}",
                    _rate(agent.occupancy),
                ]
            )
    else:
        rows = figures.by_queue if table == "queues" else figures.by_hour
        writer.writerow([table[:-1], *call_columns])
        for key, f in rows:
            writer.writerow(
                [
                    key,
                    f.offered,
                    f.answered,
                    f.abandoned,
                    _rate(f.service_level),
                    _rate(f.answer_rate),
                    _rate(f.abandon_rate),
                    _seconds(f.asa_s),
                    _seconds(f.aht_s),
                ]
            )
    name = f"depotline-{table}-{period}-{last_day.isoformat()}.csv"
    return web.Response(
        # a byte-order mark so spreadsheet programs read the Chinese names as UTF-8
        body=("\ufeff" + out.getvalue()).encode("utf-8"),
        content_type="text/csv",
        charset="utf-8",
        headers={**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'},
    )


@routes.get("/reports/staffing")
@requires(SUPERVISOR)
async def staffing_page(request: web.Request) -> web.Response:
    try:
        target_pct = float(request.query.get("target", "80"))
    except ValueError:
        target_pct = -1.0
    if not 1.0 <= target_pct <= 99.0:
        return error_page(request, 400, "error.field_invalid")
    staffing = await request.app[DESK_KEY].reports.staffing(
        request.app[DEPOT_KEY].now(), target=target_pct / 100.0
    )
    return render(request, "staffing.html", staffing=staffing, target_pct=target_pct)
