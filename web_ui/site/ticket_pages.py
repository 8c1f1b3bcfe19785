"""Tickets (工单, S5): the list with search and filters, the overdue list and the category
limits for supervisors, and a ticket's page — owner, holder, deadline with a live countdown,
history with chase notes (催单) and replies, resolve, close with a reason, escalate."""

from __future__ import annotations

from aiohttp import web

from appliance.desk import COMPLAINT_CATEGORIES, ESCALATION_LEVELS, FormError
from appliance.desk.tickets import NOTE_ACTIONS, TICKET_STATES
from web_ui.site.security import (
    AGENT,
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

SEARCH_FIELDS = ("number", "waybill", "owner", "state", "category", "overdue")


async def _list_page(
    request: web.Request, *, only_overdue: bool, error: FormError | None = None
) -> web.Response:
    desk = request.app[DESK_KEY]
    search = {key: request.query.get(key, "")[:40] for key in SEARCH_FIELDS}
    if only_overdue:
        found = await desk.tickets.overdue_tickets()
    else:
        found = await desk.tickets.search(search)
    return render(
        request,
        "tickets.html",
        status=400 if error is not None else 200,
        tickets=found,
        overdue={t.ticket_id for t in found if desk.tickets.is_overdue(t)},
        levels=ESCALATION_LEVELS,
        only_overdue=only_overdue,
        search=search,
        states=TICKET_STATES,
        categories=COMPLAINT_CATEGORIES,
        limits=await desk.tickets.limits() if only_overdue else None,
        now_s=request.app[DEPOT_KEY].now(),
        error=error,
    )


@routes.get("/tickets")
@requires(AGENT)
async def tickets_list(request: web.Request) -> web.Response:
    return await _list_page(request, only_overdue=False)


@routes.get("/tickets/overdue")
@requires(SUPERVISOR)
async def overdue_list(request: web.Request) -> web.Response:
    return await _list_page(request, only_overdue=True)


@routes.post("/tickets/limits")
@requires(SUPERVISOR)
async def change_limits(request: web.Request) -> web.StreamResponse:
    """Per category, the hours the department and then the shift lead have."""
    form = await form_of(request)
    try:
        await request.app[DESK_KEY].tickets.change_limits(signed_in(request), form)
    except FormError as error:
        return await _list_page(request, only_overdue=True, error=error)
    raise web.HTTPSeeOther("/tickets/overdue")


@routes.get("/tickets/{ticket_id}")
@requires(AGENT)
async def ticket_page(request: web.Request) -> web.Response:
    return await _ticket_page(request)


async def _ticket_page(request: web.Request, *, error: FormError | None = None) -> web.Response:
    desk = request.app[DESK_KEY]
    ticket_id = request.match_info["ticket_id"]
    ticket = await desk.tickets.ticket(ticket_id)
    if ticket is None:
        return error_page(request, 404, "error.not_found")
    return render(
        request,
        "ticket.html",
        status=400 if error is not None else 200,
        ticket=ticket,
        record=await desk.records.record(ticket.record_id),
        steps=await desk.tickets.ticket_steps(ticket_id),
        follow_ups=await desk.tickets.follow_up_tasks(ticket_id),
        overdue=desk.tickets.is_overdue(ticket),
        levels=ESCALATION_LEVELS,
        note_actions=NOTE_ACTIONS,
        now_s=request.app[DEPOT_KEY].now(),
        error=error,
    )


async def _ticket_action(request: web.Request, action: str) -> web.StreamResponse:
    ticket_id = request.match_info["ticket_id"]
    form = await form_of(request)
    tickets = request.app[DESK_KEY].tickets
    who = signed_in(request)
    try:
        if action == "note":
            await tickets.add_note(who, ticket_id, form.get("action", ""), form.get("note", ""))
        elif action == "resolve":
            await tickets.resolve(who, ticket_id, form.get("resolution", ""))
        elif action == "close":
            await tickets.close_ticket(who, ticket_id, form.get("reason", ""))
        else:
            await tickets.escalate_ticket(who, ticket_id, form.get("note", ""))
    except FormError as error:
        return await _ticket_page(request, error=error)
    raise web.HTTPSeeOther(f"/tickets/{ticket_id}")


@routes.post("/tickets/{ticket_id}/note")
@requires(AGENT)
async def add_note(request: web.Request) -> web.StreamResponse:
    """A chase note (催单) or a reply, by anyone."""
    return await _ticket_action(request, "note")


@routes.post("/tickets/{ticket_id}/resolve")
@requires(AGENT)
async def resolve(request: web.Request) -> web.StreamResponse:
    """The owner (or a supervisor) resolves it: the follow-up 回访 task is made."""
    return await _ticket_action(request, "resolve")


@routes.post("/tickets/{ticket_id}/close")
@requires(SUPERVISOR)
async def close(request: web.Request) -> web.StreamResponse:
    return await _ticket_action(request, "close")


@routes.post("/tickets/{ticket_id}/escalate")
@requires(SUPERVISOR)
async def escalate(request: web.Request) -> web.StreamResponse:
    return await _ticket_action(request, "escalate")
