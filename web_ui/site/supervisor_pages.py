"""Supervisor pages: the full-screen live wallboard (S2), the live agent monitor (S3), notices,
the shift handover log (S6), the blacklist; admin pages: users and the audit log."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

from aiohttp import web

from appliance.desk import FormError, RestoreRefused, Role
from appliance.service import DepotService
from web_ui.figures import FIGURE_FIELDS, figures_json
from web_ui.site.live import stream
from web_ui.site.security import (
    ADMIN,
    DEPOT_KEY,
    DESK_KEY,
    SECURITY_HEADERS,
    SUPERVISOR,
    form_of,
    render,
    requires,
    signed_in,
)

routes = web.RouteTableDef()


DOWNLOAD_PIECE_BYTES = 1 << 20


@routes.get("/supervisor/wallboard")
@requires(SUPERVISOR)
async def wallboard(request: web.Request) -> web.Response:
    """The LED board's figures and alert levels (the same thresholds), full screen."""
    figures = figures_json(request.app[DEPOT_KEY].figures())
    return render(
        request,
        "wallboard.html",
        fields=[field.name for field in FIGURE_FIELDS],
        figures=figures,
    )


@routes.get("/supervisor/wallboard/live")
@requires(SUPERVISOR)
async def wallboard_live(request: web.Request) -> web.StreamResponse:
    service = request.app[DEPOT_KEY]

    async def picture() -> dict[str, Any]:
        return figures_json(service.figures())

    return await stream(request, service, picture, event="figures")


def monitor_picture(service: DepotService) -> dict[str, Any]:
    """Every agent's state, position, current call and how long (座席监控)."""
    snapshot = service.snapshot()
    calls = {call.id: call for call in snapshot.calls}
    agents = []
    for agent in snapshot.agents:
        call = calls.get(agent.call_id) if agent.call_id else None
        agents.append(
            {
                "id": agent.id,
                "name": agent.name,
                "state": agent.state.value,
                "position": agent.position,
                "pause_reason": agent.pause_reason,
                "in_state_s": round(snapshot.time_s - agent.since_s),
                "number": call.number if call is not None else "",
                "calls_today": agent.calls_today,
                "talk_s_today": round(agent.talk_s_today),
            }
        )
    waiting = [
        {
            "number": call.number,
            "queue": call.queue,
            "wait_s": round(snapshot.time_s - (call.enqueued_s or call.arrived_s)),
        }
        for call in snapshot.calls
        if call.stage.value in ("queued", "offered")
    ]
    return {"agents": agents, "waiting": waiting}


@routes.get("/supervisor/monitor")
@requires(SUPERVISOR)
async def monitor(request: web.Request) -> web.Response:
    return render(request, "monitor.html", picture=monitor_picture(request.app[DEPOT_KEY]))


@routes.get("/supervisor/monitor/live")
@requires(SUPERVISOR)
async def monitor_live(request: web.Request) -> web.StreamResponse:
    service = request.app[DEPOT_KEY]

    async def picture() -> dict[str, Any]:
        return monitor_picture(service)

    return await stream(request, service, picture, event="monitor")


async def _notices_page(request: web.Request, *, error: FormError | None = None) -> web.Response:
    return render(
        request,
        "notices.html",
        status=400 if error is not None else 200,
        notices=await request.app[DESK_KEY].notices.notices(),
        error=error,
    )


@routes.get("/supervisor/notices")
@requires(SUPERVISOR)
async def notices(request: web.Request) -> web.Response:
    return await _notices_page(request)


@routes.post("/supervisor/notices")
@requires(SUPERVISOR)
async def change_notices(request: web.Request) -> web.StreamResponse:
    desk = request.app[DESK_KEY]
    form = await form_of(request)
    try:
        if form.get("withdraw"):
            await desk.notices.withdraw_notice(signed_in(request), form["withdraw"])
        else:
            await desk.notices.add_notice(signed_in(request), form.get("text", ""))
    except FormError as error:
        return await _notices_page(request, error=error)
    raise web.HTTPSeeOther("/supervisor/notices")


async def _handover_page(request: web.Request, *, error: FormError | None = None) -> web.Response:
    return render(
        request,
        "handover.html",
        status=400 if error is not None else 200,
        entries=await request.app[DESK_KEY].notices.handovers(),
        error=error,
    )


@routes.get("/supervisor/handover")
@requires(SUPERVISOR)
async def handover(request: web.Request) -> web.Response:
    return await _handover_page(request)


@routes.post("/supervisor/handover")
@requires(SUPERVISOR)
async def add_handover(request: web.Request) -> web.StreamResponse:
    form = await form_of(request)
    try:
        await request.app[DESK_KEY].notices.add_handover(signed_in(request), form.get("text", ""))
    except FormError as error:
        return await _handover_page(request, error=error)
    raise web.HTTPSeeOther("/supervisor/handover")


async def _blacklist_page(request: web.Request, *, error: FormError | None = None) -> web.Response:
    return render(
        request,
        "blacklist.html",
        status=400 if error is not None else 200,
        numbers=await request.app[DEPOT_KEY].blacklist(),
        error=error,
    )


@routes.get("/supervisor/blacklist")
@requires(SUPERVISOR)
async def blacklist(request: web.Request) -> web.Response:
    return await _blacklist_page(request)


@routes.post("/supervisor/blacklist")
@requires(SUPERVISOR)
async def block(request: web.Request) -> web.StreamResponse:
    form = await form_of(request)
    try:
        if form.get("unblock"):
            await request.app[DESK_KEY].unblock_number(signed_in(request), form["unblock"])
        else:
            await request.app[DESK_KEY].block_number(signed_in(request), form.get("number", ""))
    except FormError as error:
        return await _blacklist_page(request, error=error)
    raise web.HTTPSeeOther("/supervisor/blacklist")


@routes.get("/admin/audit")
@requires(ADMIN)
async def audit_log(request: web.Request) -> web.Response:
    return render(request, "audit.html", entries=await request.app[DESK_KEY].audit_log())


async def _users_page(request: web.Request, *, error: FormError | None = None) -> web.Response:
    desk = request.app[DESK_KEY]
    return render(
        request,
        "users.html",
        status=400 if error is not None else 200,
        users=await desk.users(),
        with_pin=await desk.users_with_pin(),
        roles=[role.value for role in Role],
        error=error,
    )


@routes.get("/admin/users")
@requires(ADMIN)
async def users(request: web.Request) -> web.Response:
    return await _users_page(request)


@routes.post("/admin/users")
@requires(ADMIN)
async def change_users(request: web.Request) -> web.StreamResponse:
    desk = request.app[DESK_KEY]
    who = signed_in(request)
    form = await form_of(request)
    action = form.get("action", "add")
    agent_id = form.get("agent_id", "")
    try:
        if action == "add":
            await desk.add_user(
                who,
                agent_id,
                form.get("name", ""),
                form.get("role", ""),
                form.get("password", ""),
                pin=form.get("pin", ""),
            )
        elif action == "change":
            await desk.change_user(
                who,
                agent_id,
                role=form.get("role", ""),
                password=form.get("password", ""),
                pin=form.get("pin", ""),
            )
        elif action == "clear_pin":
            await desk.change_user(who, agent_id, clear_pin=True)
        elif action == "remove":
            await desk.remove_user(who, agent_id)
        else:
            raise FormError("action", "choice")
    except FormError as error:
        return await _users_page(request, error=error)
    raise web.HTTPSeeOther("/admin/users")


@routes.post("/admin/backup")
@requires(ADMIN)
async def backup(request: web.Request) -> web.StreamResponse:
    """Download a consistent copy of the whole database (taken while the depot runs)."""
    service = request.app[DEPOT_KEY]
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(service.now()))
    name = f"depotline-{stamp}.db"
    async with request.app[DESK_KEY].backup_copy(signed_in(request)) as copy:
        response = web.StreamResponse(
            headers={**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
        )
        response.content_type = "application/vnd.sqlite3"
        response.content_length = os.path.getsize(copy)
        await response.prepare(request)
        with open(copy, "rb") as source:  # in pieces: a year of calls is hundreds of MB
            while piece := await asyncio.to_thread(source.read, DOWNLOAD_PIECE_BYTES):
                await response.write(piece)
        await response.write_eof()
    return response


async def status_page(
    request: web.Request, *, restore_error: RestoreRefused | None = None
) -> web.Response:
    """The status page, with the restore form and why the last upload was refused."""
    desk = request.app[DESK_KEY]
    return render(
        request,
        "status.html",
        status=400 if restore_error is not None else 200,
        system=await desk.system_status(),
        restore_staged=await desk.restore_staged(),
        restore_max_mib=desk.restore_max_bytes // 1024**2,
        restore_error=restore_error,
    )


@routes.get("/admin/status")
@requires(ADMIN)
async def status(request: web.Request) -> web.Response:
    return await status_page(request)
