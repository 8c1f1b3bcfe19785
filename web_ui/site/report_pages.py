"""Reports (S4): a day, week or month of calls by queue, by hour (with a chart) and by agent,
each table as CSV; staffing (S7): agents needed per hour by Erlang C for a target."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

from aiohttp import web

from appliance.desk import FormError
from appliance.desk.period_report import Satisfaction
from appliance.desk.periods import REPORT_PERIODS, day_named, days_of, report_days
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


def _period(request: web.Request) -> tuple[str, dt.date, int] | None:
    """The calendar period asked for: its name, its last day (never past today) and its
    number of days; None when the period or the day is not one."""
    period = request.query.get("period", "day")
    if period not in REPORT_PERIODS:
        return None
    depot = request.app[DEPOT_KEY]
    timezone = depot.setup().hours.timezone
    try:
        day = day_named(request.query.get("day", ""), depot.now(), timezone)
    except FormError:
        return None
    first, last = report_days(period, day, timezone, depot.now())
    return period, last, (last - first).days + 1


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def _satisfaction_cells(agent: Satisfaction | None) -> list[str]:
    """Mean score (two decimals, as on the page) and responses; empty without a response."""
    if agent is None or agent.mean_score is None:
        return ["", "0" if agent is None else str(agent.responses)]
    return [f"{agent.mean_score:.2f}", str(agent.responses)]


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}"


async def _agent_extras(
    request: web.Request, first_day: dt.date, last_day: dt.date
) -> tuple[Satisfaction, dict[str, Satisfaction], dict[str, float | None]]:
    """The period's satisfaction, each agent's, and each agent's login adherence."""
    desk = request.app[DESK_KEY]
    overall, by_agent = await desk.period_reports.satisfaction(desk.reports, first_day, last_day)
    timezone = request.app[DEPOT_KEY].setup().hours.timezone
    adherence = {
        a.agent: a.share
        for a in await desk.roster.adherence(days_of(first_day, last_day, timezone))
    }
    return overall, by_agent, adherence


@routes.get("/reports")
@requires(SUPERVISOR)
async def report_page(request: web.Request) -> web.Response:
    asked = _period(request)
    if asked is None:
        return error_page(request, 400, "error.field_invalid")
    period, last_day, days_in = asked
    service = request.app[DEPOT_KEY]
    desk = request.app[DESK_KEY]
    figures = await desk.reports.report(last_day, days_in, service.now())
    overall, by_agent, adherence = await _agent_extras(request, figures.first_day, last_day)
    recorded = await desk.period_reports.records(
        desk.reports, figures.first_day, last_day, service.now()
    )
    language = request_language(request)
    chart = bar_chart(
        [(f"{hour:02d}", float(f.offered)) for hour, f in figures.by_hour],
        title=translate(language, "reports.by_hour"),
        unit=translate(language, "unit.calls"),
    )
    reports = request.app[DESK_KEY].reports
    days = await reports.by_day(last_day, days_in, service.now())
    # a day without calls is a gap, not a service level of 0 %
    sl_chart = bar_chart(
        [
            (
                f"{d.day.month}/{d.day.day}",
                None if d.service_level is None else round(d.service_level * 100, 1),
            )
            for d in days
        ],
        title=translate(language, "reports.sl_by_day"),
        unit="%",
        top_value=100.0,
        gap_text=translate(language, "reports.no_calls"),
    )
    return render(
        request,
        "report.html",
        figures=figures,
        days=days,
        sl_chart=sl_chart,
        faults=await reports.faults(last_day, days_in),
        period=period,
        periods=REPORT_PERIODS,
        names=await desk.period_reports.names(),
        reported_queues=await desk.period_reports.queue_names(language),
        satisfaction=overall,
        agent_satisfaction=by_agent,
        adherence=adherence,
        recorded=recorded,
        day=last_day.isoformat(),
        chart=chart,
        csv_tables=CSV_TABLES,
    )


@routes.get("/reports.csv")
@requires(SUPERVISOR)
async def report_csv(request: web.Request) -> web.StreamResponse:
    asked = _period(request)
    table = request.query.get("table", "")
    if asked is None or table not in CSV_TABLES:
        return error_page(request, 400, "error.field_invalid")
    period, last_day, days_in = asked
    figures = await request.app[DESK_KEY].reports.report(
        last_day, days_in, request.app[DEPOT_KEY].now()
    )
    # the page's language: headings, queue names, local times (opens as is in Excel and WPS)
    language = request_language(request)
    setup = request.app[DEPOT_KEY].setup()
    zone = ZoneInfo(setup.hours.timezone)
    queue_names = await request.app[DESK_KEY].period_reports.queue_names(language)

    def heads(columns: list[str]) -> list[str]:
        return [translate(language, f"csv.{column}") for column in columns]

    def local_time(time_s: float) -> str:
        return dt.datetime.fromtimestamp(time_s, zone).strftime("%Y-%m-%d %H:%M:%S")

    out = io.StringIO()
    writer = csv.writer(out)
    call_columns = [
        "offered",
        "answered",
        "abandoned",
        "self_served",
        "service_level_pct",
        "answer_rate_pct",
        "abandon_rate_pct",
        "asa_s",
        "aht_s",
    ]
    reports = request.app[DESK_KEY].reports
    if table == "days":
        writer.writerow(heads(["day", *call_columns[:6]]))
        now_s = request.app[DEPOT_KEY].now()
        for d in await reports.by_day(last_day, days_in, now_s):
            writer.writerow(
                [
                    d.day.isoformat(),
                    d.offered,
                    d.answered,
                    d.abandoned,
                    d.self_served,
                    _rate(d.service_level),
                    _rate(d.answer_rate),
                ]
            )
    elif table == "faults":
        writer.writerow(heads(["device", "reason", "started", "cleared"]))
        for fault in await reports.faults(last_day, days_in):
            cleared = "" if fault.cleared_s is None else local_time(fault.cleared_s)
            writer.writerow([fault.device, fault.reason, local_time(fault.started_s), cleared])
    elif table == "agents":
        names = await request.app[DESK_KEY].period_reports.names()
        _overall, by_agent, adherence = await _agent_extras(request, figures.first_day, last_day)
        writer.writerow(
            heads(
                [
                    "agent",
                    "name",
                    "answered",
                    "talk_s",
                    "wrap_s",
                    "aht_s",
                    "missed_offers",
                    "transfers",
                    "logged_in_s",
                    "paused_s",
                    "occupancy_pct",
                    "satisfaction",
                    "survey_responses",
                    "adherence_pct",
                ]
            )
        )
        for agent in figures.by_agent:
            writer.writerow(
                [
                    agent.agent,
                    names.get(agent.agent, ""),
                    agent.answered,
                    f"{agent.talk_s:.0f}",
                    f"{agent.wrap_s:.0f}",
                    _seconds(agent.aht_s),
                    agent.missed_offers,
                    agent.transfers,
                    f"{agent.logged_in_s:.0f}",
                    f"{agent.paused_s:.0f}",
                    _rate(agent.occupancy),
                    *_satisfaction_cells(by_agent.get(agent.agent)),
                    _rate(adherence.get(agent.agent)),
                ]
            )
    else:
        rows = figures.by_queue if table == "queues" else figures.by_hour
        writer.writerow(heads([table[:-1], *call_columns]))
        for key, f in rows:
            writer.writerow(
                [
                    queue_names.get(str(key), str(key)) if table == "queues" else f"{key:02d}:00",
                    f.offered,
                    f.answered,
                    f.abandoned,
                    f.self_served,
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
