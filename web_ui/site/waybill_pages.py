"""Waybills (运单号): the search by waybill across its tracking status, records, calls and
tickets, and the tracking export upload (from the settings page)."""

from __future__ import annotations

from aiohttp import web

from appliance.desk import FormError
from appliance.desk.csv_rows import CSV_MAX_BYTES
from appliance.desk.tracking_export import WAYBILL_STATUSES
from appliance.desk.waybills import ImportSummary
from web_ui.site.security import AGENT, DESK_KEY, SUPERVISOR, render, requires, signed_in

routes = web.RouteTableDef()


async def _waybills_page(
    request: web.Request,
    *,
    error: FormError | None = None,
    imported: ImportSummary | None = None,
) -> web.Response:
    desk = request.app[DESK_KEY]
    query = request.query.get("q", "")[:40].strip()
    found = None
    if query and error is None:
        try:
            found = await desk.waybills.search(query)
        except FormError as bad:
            error = bad
    return render(
        request,
        "waybills.html",
        status=400 if error is not None else 200,
        query=query,
        found=found,
        statuses=WAYBILL_STATUSES,
        known=await desk.waybills.count(),
        imported=imported,
        error=error,
    )


@routes.get("/waybills")
@requires(AGENT)
async def waybills(request: web.Request) -> web.Response:
    return await _waybills_page(request)


@routes.post("/supervisor/waybills/import")
@requires(SUPERVISOR)
async def import_export(request: web.Request) -> web.StreamResponse:
    """The tracking export (CSV: waybill, status, place, time), checked whole before loading."""
    form = await request.post()
    upload = form.get("file")
    try:
        if not isinstance(upload, web.FileField) or not upload.filename:
            raise FormError("file", "required")
        data = upload.file.read(CSV_MAX_BYTES + 1)
        summary = await request.app[DESK_KEY].waybills.import_upload(
            signed_in(request), upload.filename, data
        )
    except FormError as error:
        return await _waybills_page(request, error=error)
    return await _waybills_page(request, imported=summary)
