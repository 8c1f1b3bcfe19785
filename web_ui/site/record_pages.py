"""Records linked to calls (A5: 咨询 投诉 救援 预约 回访) with their appended history and the
ticket a complaint opened, and the customer directory."""

from __future__ import annotations

from aiohttp import web

from appliance.desk import RECORD_KINDS, FormError
from web_ui.site.security import (
    AGENT,
    DESK_KEY,
    error_page,
    form_of,
    render,
    requires,
    signed_in,
)

routes = web.RouteTableDef()


def _record_form(
    request: web.Request, kind: str, values: dict[str, str], *, error: FormError | None = None
) -> web.Response:
    return render(
        request,
        "record_form.html",
        status=400 if error is not None else 200,
        kind=kind,
        kinds=tuple(RECORD_KINDS),
        specs=RECORD_KINDS[kind],
        values=values,
        error=error,
    )


@routes.get("/records/new")
@requires(AGENT)
async def new_record(request: web.Request) -> web.Response:
    kind = request.query.get("kind", "consultation")
    if kind not in RECORD_KINDS:
        kind = "consultation"
    values = {
        key: request.query.get(key, "")[:64]
        for key in ("number", "call_id", "customer_name", "waybill")
    }
    return _record_form(request, kind, values)


@routes.post("/records")
@requires(AGENT)
async def save_record(request: web.Request) -> web.StreamResponse:
    form = await form_of(request)
    kind = form.get("kind", "")
    if kind not in RECORD_KINDS:
        return error_page(request, 400, "error.field_choice")
    try:
        record = await request.app[DESK_KEY].records.save_record(
            signed_in(request), kind, form.get("call_id", ""), form.get("number", ""), form
        )
    except FormError as error:
        return _record_form(request, kind, form, error=error)
    raise web.HTTPSeeOther(f"/records/{record.record_id}")


@routes.get("/records")
@requires(AGENT)
async def records_list(request: web.Request) -> web.Response:
    return render(
        request, "records.html", records=await request.app[DESK_KEY].records.recent_records()
    )


@routes.get("/records/{record_id}")
@requires(AGENT)
async def record_page(request: web.Request) -> web.Response:
    return await _record_page(request)


async def _record_page(request: web.Request, *, error: FormError | None = None) -> web.Response:
    desk = request.app[DESK_KEY]
    record_id = request.match_info["record_id"]
    record = await desk.records.record(record_id)
    if record is None:
        return error_page(request, 404, "error.not_found")
    return render(
        request,
        "record.html",
        status=400 if error is not None else 200,
        record=record,
        history=await desk.records.record_history(record_id),
        tickets=await desk.tickets.for_record(record_id),
        error=error,
    )


@routes.post("/records/{record_id}/append")
@requires(AGENT)
async def append_to_record(request: web.Request) -> web.StreamResponse:
    record_id = request.match_info["record_id"]
    form = await form_of(request)
    try:
        await request.app[DESK_KEY].records.append_to_record(
            signed_in(request), record_id, form.get("note", "")
        )
    except FormError as error:
        if error.field == "record_id":
            return error_page(request, 404, "error.not_found")
        return await _record_page(request, error=error)
    raise web.HTTPSeeOther(f"/records/{record_id}")


@routes.get("/customers")
@requires(AGENT)
async def customers(request: web.Request) -> web.Response:
    search = request.query.get("q", "")[:40]
    return render(
        request,
        "customers.html",
        customers=await request.app[DESK_KEY].records.customers(search),
        search=search,
    )
