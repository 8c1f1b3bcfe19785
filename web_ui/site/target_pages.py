"""Targets and rankings pages: monthly answer targets per agent or tier with progress, 周之星
and 金话筒 with their formula beside them, the weights, announcing, and the kept rankings."""

from __future__ import annotations

from aiohttp import web

from appliance.desk import FormError
from appliance.desk.targets import FIGURES, KINDS
from web_ui.site.security import (
    DESK_KEY,
    SUPERVISOR,
    error_page,
    form_of,
    render,
    requires,
    signed_in,
)

routes = web.RouteTableDef()


async def _targets_page(request: web.Request, *, error: FormError | None = None) -> web.Response:
    desk = request.app[DESK_KEY]
    try:
        period = desk.targets.period("month", request.query.get("day", ""))
    except FormError:
        return error_page(request, 400, "error.field_invalid")
    return render(
        request,
        "targets.html",
        status=400 if error is not None else 200,
        error=error,
        period=period,
        progress=await desk.targets.progress(period),
        targets=await desk.targets.targets(),
    )


@routes.get("/supervisor/targets")
@requires(SUPERVISOR)
async def targets_page(request: web.Request) -> web.Response:
    return await _targets_page(request)


@routes.post("/supervisor/targets")
@requires(SUPERVISOR)
async def save_targets(request: web.Request) -> web.StreamResponse:
    try:
        await request.app[DESK_KEY].targets.save_targets(signed_in(request), await form_of(request))
    except FormError as error:
        return await _targets_page(request, error=error)
    raise web.HTTPSeeOther("/supervisor/targets")


def _kind(request: web.Request) -> str:
    kind = request.query.get("kind", "week")
    return kind if kind in KINDS else ""


async def _rankings_page(request: web.Request, *, error: FormError | None = None) -> web.Response:
    desk = request.app[DESK_KEY]
    kind = _kind(request)
    try:
        period = desk.targets.period(kind, request.query.get("day", ""))
    except FormError:
        kind = ""
    if not kind:
        return error_page(request, 400, "error.field_invalid")
    return render(
        request,
        "rankings.html",
        status=400 if error is not None else 200,
        error=error,
        kind=kind,
        day=request.query.get("day", ""),
        ranking=await desk.targets.ranking(kind, period),
        kept=await desk.targets.kept(kind),
        figures=FIGURES,
    )


@routes.get("/supervisor/rankings")
@requires(SUPERVISOR)
async def rankings_page(request: web.Request) -> web.Response:
    return await _rankings_page(request)


@routes.post("/supervisor/rankings/weights")
@requires(SUPERVISOR)
async def save_weights(request: web.Request) -> web.StreamResponse:
    try:
        await request.app[DESK_KEY].targets.save_weights(signed_in(request), await form_of(request))
    except FormError as error:
        return await _rankings_page(request, error=error)
    raise web.HTTPSeeOther(f"/supervisor/rankings?kind={_kind(request) or 'week'}")


@routes.post("/supervisor/rankings/announce")
@requires(SUPERVISOR)
async def announce(request: web.Request) -> web.StreamResponse:
    desk = request.app[DESK_KEY]
    kind, day = _kind(request), request.query.get("day", "")
    try:
        if not kind:
            raise FormError("kind", "choice")
        await desk.targets.announce(signed_in(request), kind, desk.targets.period(kind, day))
    except FormError as error:
        if not kind:
            return error_page(request, 400, "error.field_invalid")
        return await _rankings_page(request, error=error)
    raise web.HTTPSeeOther(f"/supervisor/rankings?kind={kind}&day={day}")
