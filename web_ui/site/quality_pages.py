"""Call recordings with playback and a quality-check form per call (Q8, 质检)."""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from appliance.desk import QUALITY_CRITERIA, FormError
from web_ui.site.security import (
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


async def _recordings_page(request: web.Request, *, error: FormError | None = None) -> web.Response:
    desk = request.app[DESK_KEY]
    reports = desk.reports
    text = request.query.get("day", "")
    try:
        day = dt.date.fromisoformat(text) if text else reports.today(request.app[DEPOT_KEY].now())
    except ValueError:
        return error_page(request, 400, "error.field_invalid")
    start_s, end_s = reports.day_bounds(day)
    return render(
        request,
        "recordings.html",
        status=400 if error is not None else 200,
        calls=await desk.quality.recorded_calls(start_s, end_s),
        day=day.isoformat(),
        criteria=QUALITY_CRITERIA,
        error=error,
    )


@routes.get("/supervisor/recordings")
@requires(SUPERVISOR)
async def recordings(request: web.Request) -> web.Response:
    return await _recordings_page(request)


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


@routes.post("/supervisor/recordings/{call_id}/check")
@requires(SUPERVISOR)
async def check(request: web.Request) -> web.StreamResponse:
    form = await form_of(request)
    try:
        await request.app[DESK_KEY].quality.check_quality(
            signed_in(request), request.match_info["call_id"], form
        )
    except FormError as error:
        return await _recordings_page(request, error=error)
    day = request.query.get("day", "")
    raise web.HTTPSeeOther(f"/supervisor/recordings?day={day}" if day else "/supervisor/recordings")
