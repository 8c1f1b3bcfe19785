"""排班 page: the week's shifts per agent (Monday–Sunday grid) against the agents needed per
hour for the service-level target, short hours marked, and login adherence per agent."""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from appliance.desk import FormError
from appliance.desk.periods import day_named
from appliance.desk.roster import ShiftError
from web_ui.site.security import (
    DEPOT_KEY,
    DESK_KEY,
    SUPERVISOR,
    error_page,
    form_of,
    render,
    requires,
    signed_in,
)

routes = web.RouteTableDef()


def _target_pct(request: web.Request) -> float | None:
    try:
        target_pct = float(request.query.get("target", "80"))
    except ValueError:
        return None
    return target_pct if 1.0 <= target_pct <= 99.0 else None


async def _page(
    request: web.Request,
    *,
    error: FormError | None = None,
    typed: dict[str, str] | None = None,
) -> web.Response:
    depot = request.app[DEPOT_KEY]
    target_pct = _target_pct(request)
    try:
        day = day_named(request.query.get("day", ""), depot.now(), depot.setup().hours.timezone)
    except FormError:
        target_pct = None
    if target_pct is None:
        return error_page(request, 400, "error.field_invalid")
    desk = request.app[DESK_KEY]
    staffing = await desk.reports.staffing(depot.now(), target=target_pct / 100.0)
    week = await desk.roster.week(day, staffing)
    return render(
        request,
        "roster.html",
        status=400 if error is not None else 200,
        error=error,
        bad=(error.agent, error.day) if isinstance(error, ShiftError) else None,
        typed=typed or {},
        week=week,
        day=week.week.first_day.isoformat(),
        previous=(week.week.first_day - dt.timedelta(days=7)).isoformat(),
        following=(week.week.first_day + dt.timedelta(days=7)).isoformat(),
        target_pct=target_pct,
    )


@routes.get("/supervisor/roster")
@requires(SUPERVISOR)
async def roster_page(request: web.Request) -> web.Response:
    return await _page(request)


@routes.post("/supervisor/roster")
@requires(SUPERVISOR)
async def save_roster(request: web.Request) -> web.StreamResponse:
    depot = request.app[DEPOT_KEY]
    form = await form_of(request)
    try:
        day = day_named(request.query.get("day", ""), depot.now(), depot.setup().hours.timezone)
        await request.app[DESK_KEY].roster.save_week(signed_in(request), day, form)
    except FormError as error:
        return await _page(request, error=error, typed=form)
    raise web.HTTPSeeOther(f"/supervisor/roster?day={day.isoformat()}")
