"""The live agent monitor (座席监控, S3): every agent's state in colour with how long, an alert
when a call or a pause runs over, a dead phone shown as such, and the supervisor's buttons:
listen, whisper, barge, force a pause, force a sign-out."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from aiohttp import web

from appliance.desk import FormError
from appliance.service import AgentState, DepotService, ListenMode
from web_ui.site.live import stream
from web_ui.site.privacy import number_for
from web_ui.site.security import (
    DEPOT_KEY,
    DESK_KEY,
    SUPERVISOR,
    form_of,
    render,
    requires,
    signed_in,
)

routes = web.RouteTableDef()

PAUSE_ALERT_S = {"lunch": 3600.0, "training": 7200.0, "meeting": 7200.0}
PAUSE_ALERT_DEFAULT_S = 900.0  # a break, the restroom, a missed call: a quarter of an hour
MONITOR_ACTIONS = ("listen", "whisper", "barge", "stop_listening", "pause", "ready", "sign_out")


def _over_time(state: AgentState, in_state_s: float, talk_limit_s: float, reason: str) -> bool:
    if state is AgentState.ON_CALL:
        return talk_limit_s > 0 and in_state_s >= talk_limit_s
    if state is AgentState.PAUSED:
        return in_state_s >= PAUSE_ALERT_S.get(reason, PAUSE_ALERT_DEFAULT_S)
    return False


def monitor_picture(
    service: DepotService, number_text: Callable[[str], str] = str
) -> dict[str, Any]:
    """Every agent's state, position, current call and how long (座席监控); callers' numbers
    through `number_text` (masked as the configuration says)."""
    snapshot = service.snapshot()
    setup = service.setup()
    talk_limits = {queue.id: queue.talk_time_limit_s for queue in setup.queues}
    down = set(service.figures().faults)
    calls = {call.id: call for call in snapshot.calls}
    agents = []
    for agent in snapshot.agents:
        call = calls.get(agent.call_id) if agent.call_id else None
        # never signed in since the depot started: no state began, so no time in it
        in_state_s = None if agent.since_s <= 0 else max(0, round(snapshot.time_s - agent.since_s))
        agents.append(
            {
                "id": agent.id,
                "name": agent.name,
                "state": agent.state.value,
                "position": agent.position,
                "phone_down": bool(agent.position) and agent.position in down,
                "pause_reason": agent.pause_reason,
                "in_state_s": in_state_s,
                "over_time": in_state_s is not None
                and _over_time(
                    agent.state,
                    in_state_s,
                    talk_limits.get(call.queue, 0.0) if call is not None else 0.0,
                    agent.pause_reason,
                ),
                "number": number_text(call.number) if call is not None else "",
                "calls_today": agent.calls_today,
                "talk_s_today": round(agent.talk_s_today),
            }
        )
    waiting = [
        {
            "number": number_text(call.number),
            "queue": call.queue,
            "wait_s": round(snapshot.time_s - (call.enqueued_s or call.arrived_s)),
        }
        for call in snapshot.calls
        if call.stage.value in ("queued", "offered")
    ]
    return {"agents": agents, "waiting": waiting}


def _monitor_number_text(request: web.Request) -> Callable[[str], str]:
    role = signed_in(request).role
    return functools.partial(number_for, request, role, "monitor")


def _monitor_page(
    request: web.Request, *, error: FormError | None = None, refused: str = ""
) -> web.Response:
    return render(
        request,
        "monitor.html",
        status=400 if error is not None or refused else 200,
        picture=monitor_picture(request.app[DEPOT_KEY], _monitor_number_text(request)),
        error=error,
        refused=refused,
    )


@routes.get("/supervisor/monitor")
@requires(SUPERVISOR)
async def monitor(request: web.Request) -> web.Response:
    return _monitor_page(request)


@routes.get("/supervisor/monitor/live")
@requires(SUPERVISOR)
async def monitor_live(request: web.Request) -> web.StreamResponse:
    service = request.app[DEPOT_KEY]
    number_text = _monitor_number_text(request)

    async def picture() -> dict[str, Any]:
        return monitor_picture(service, number_text)

    return await stream(request, service, picture, event="monitor")


@routes.post("/supervisor/monitor")
@requires(SUPERVISOR)
async def act_on_agent(request: web.Request) -> web.StreamResponse:
    """Listen / whisper / barge into an agent's call (from the supervisor's own phone), pause
    or sign out an agent who walked away, or make ready an agent held in wrap-up (by a call
    summary the queue requires, or paused)."""
    user = signed_in(request)
    service = request.app[DEPOT_KEY]
    form = await form_of(request)
    action, agent_id = form.get("action", ""), form.get("agent_id", "").strip()
    if action not in MONITOR_ACTIONS:
        return _monitor_page(request, error=FormError("action", "choice"))
    if action != "stop_listening" and agent_id not in {a.id for a in service.snapshot().agents}:
        return _monitor_page(request, error=FormError("agent_id", "not_found"))
    try:
        if action in ("listen", "whisper", "barge"):
            await service.listen_in(user.agent_id, agent_id, ListenMode(action))
        elif action == "stop_listening":
            await service.stop_listening(user.agent_id)
        elif action == "pause":  # forced: also ends a wrap-up waiting for a call summary
            await service.force_pause(agent_id, "meeting", by=user.agent_id)
        elif action == "ready":
            await service.force_ready(agent_id, by=user.agent_id)
        else:
            await service.log_out(agent_id)
    except (ValueError, LookupError) as refused:
        return _monitor_page(request, refused=f"monitor.refused_{action}" if str(refused) else "")
    await request.app[DESK_KEY].audit(user, f"monitor.{action}", agent_id)
    raise web.HTTPSeeOther("/supervisor/monitor")
