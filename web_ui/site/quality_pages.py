"""质检 pages: call recordings with a player that plays or says why not (Q8), the checker's
month (to-do list from the sampling plan, per-agent summary, appeals to answer), the weighted
form, the check of one call, and the agent's own scores with one appeal per check."""

from __future__ import annotations

from aiohttp import web

from appliance.desk import FormError
from appliance.desk.periods import day_named, month_named
from appliance.desk.quality import MAX_ITEMS
from web_ui.site.security import (
    AGENT,
    DEPOT_KEY,
    DESK_KEY,
    SECURITY_HEADERS,
    SUPERVISOR,
    error_page,
    form_of,
    render,
    requires,
    signed_in,
)

routes = web.RouteTableDef()


def _timezone(request: web.Request) -> str:
    return request.app[DEPOT_KEY].setup().hours.timezone


def _now(request: web.Request) -> float:
    return float(request.app[DEPOT_KEY].now())


async def _names(request: web.Request) -> dict[str, str]:
    return {user.agent_id: user.name for user in await request.app[DESK_KEY].users()}


@routes.get("/supervisor/recordings")
@requires(SUPERVISOR)
async def recordings(request: web.Request) -> web.Response:
    quality = request.app[DESK_KEY].quality
    try:
        day = day_named(request.query.get("day", ""), _now(request), _timezone(request))
    except FormError:
        return error_page(request, 400, "error.field_invalid")
    start_s, end_s = request.app[DESK_KEY].reports.day_bounds(day)
    return render(
        request,
        "recordings.html",
        calls=await quality.recorded_calls(start_s, end_s),
        day=day.isoformat(),
        names=await _names(request),
    )


@routes.get("/supervisor/recordings/{call_id}/audio")
@requires(SUPERVISOR)
async def audio(request: web.Request) -> web.StreamResponse:
    try:
        path = await request.app[DESK_KEY].quality.recording_file(
            signed_in(request), request.match_info["call_id"]
        )
    except FormError:
        return error_page(request, 404, "error.not_found")
    return web.FileResponse(path, headers={**SECURITY_HEADERS, "Content-Type": "audio/wav"})


async def _month_page(request: web.Request, *, error: FormError | None = None) -> web.Response:
    quality = request.app[DESK_KEY].quality
    try:
        period = month_named(request.query.get("month", ""), _now(request), _timezone(request))
    except FormError:
        return error_page(request, 400, "error.field_invalid")
    names = await _names(request)
    return render(
        request,
        "quality.html",
        status=400 if error is not None else 200,
        error=error,
        month=period.key,
        plan=await quality.plan(),
        to_do=await quality.to_do(period),
        summary=await quality.month_summary(period, names),
        appeals=await quality.open_appeals(),
        names=names,
    )


@routes.get("/supervisor/quality")
@requires(SUPERVISOR)
async def month(request: web.Request) -> web.Response:
    return await _month_page(request)


@routes.post("/supervisor/quality/appeals/{check_id}")
@requires(SUPERVISOR)
async def answer(request: web.Request) -> web.StreamResponse:
    try:
        await request.app[DESK_KEY].quality.answer(
            signed_in(request), request.match_info["check_id"], await form_of(request)
        )
    except FormError as error:
        return await _month_page(request, error=error)
    raise web.HTTPSeeOther("/supervisor/quality")


async def _form_page(
    request: web.Request, *, error: FormError | None = None, form: dict[str, str] | None = None
) -> web.Response:
    plan = await request.app[DESK_KEY].quality.plan()
    rows = ([(name, str(points)) for name, points in plan.items] + [("", "")] * 3)[:MAX_ITEMS]
    if form is not None:  # a refused form comes back as it was typed
        rows = [
            (form.get(f"item_name_{n}", ""), form.get(f"item_points_{n}", ""))
            for n in range(MAX_ITEMS)
        ]
    return render(
        request,
        "quality_form.html",
        status=400 if error is not None else 200,
        error=error,
        rows=rows,
        per_month=form.get("checks_per_agent_month", "") if form else plan.checks_per_agent_month,
    )


@routes.get("/supervisor/quality/form")
@requires(SUPERVISOR)
async def plan_form(request: web.Request) -> web.Response:
    return await _form_page(request)


@routes.post("/supervisor/quality/form")
@requires(SUPERVISOR)
async def save_plan(request: web.Request) -> web.StreamResponse:
    form = await form_of(request)
    try:
        await request.app[DESK_KEY].quality.save_plan(signed_in(request), form)
    except FormError as error:
        return await _form_page(request, error=error, form=form)
    raise web.HTTPSeeOther("/supervisor/quality")


async def _check_page(request: web.Request, *, error: FormError | None = None) -> web.Response:
    desk = request.app[DESK_KEY]
    recorded = await desk.quality.recorded_call(request.match_info["call_id"])
    if recorded is None:
        return error_page(request, 404, "error.not_found")
    return render(
        request,
        "quality_check.html",
        status=400 if error is not None else 200,
        error=error,
        item=recorded,
        plan=await desk.quality.plan(),
        names=await _names(request),
    )


@routes.get("/supervisor/quality/calls/{call_id}")
@requires(SUPERVISOR)
async def check_form(request: web.Request) -> web.Response:
    return await _check_page(request)


@routes.post("/supervisor/quality/calls/{call_id}")
@requires(SUPERVISOR)
async def check(request: web.Request) -> web.StreamResponse:
    try:
        await request.app[DESK_KEY].quality.check_call(
            signed_in(request), request.match_info["call_id"], await form_of(request)
        )
    except FormError as error:
        return await _check_page(request, error=error)
    raise web.HTTPSeeOther("/supervisor/quality")


async def _own_page(request: web.Request, *, error: FormError | None = None) -> web.Response:
    desk, agent = request.app[DESK_KEY], signed_in(request).agent_id
    try:
        period = month_named(request.query.get("month", ""), _now(request), _timezone(request))
    except FormError:
        return error_page(request, 400, "error.field_invalid")
    return render(
        request,
        "my_quality.html",
        status=400 if error is not None else 200,
        error=error,
        month=period.key,
        checks=await desk.quality.own_checks(agent, period),
        progress=await desk.targets.progress(period, agent),
    )


@routes.get("/desk/quality")
@requires(AGENT)
async def own(request: web.Request) -> web.Response:
    return await _own_page(request)


@routes.post("/desk/quality/{check_id}/appeal")
@requires(AGENT)
async def appeal(request: web.Request) -> web.StreamResponse:
    try:
        await request.app[DESK_KEY].quality.appeal(
            signed_in(request).agent_id, request.match_info["check_id"], await form_of(request)
        )
    except FormError as error:
        return await _own_page(request, error=error)
    raise web.HTTPSeeOther("/desk/quality")
