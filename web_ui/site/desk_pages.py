"""The agent desk (A4): state buttons, live screen pop on ringing, call timer with the talk-time
warning, callers waiting, notices, today's callback tasks with click-to-dial (refused in place,
with the reason, while on a call or outside the calling window), own figures."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from appliance.desk import ESCALATION_LEVELS, FormError
from appliance.desk.forms import ascii_digits
from appliance.desk.periods import month_named
from appliance.desk.tasks import OUTCOMES, DialRefusal
from appliance.service import AgentState, AgentView, CallStage, DepotService
from web_ui.site.live import stream
from web_ui.site.phone_bar import phone_bar_for
from web_ui.site.security import (
    AGENT,
    DEPOT_KEY,
    DESK_KEY,
    form_of,
    json_response,
    render,
    requires,
    signed_in,
)

routes = web.RouteTableDef()

PAUSE_REASONS = ("break", "lunch", "meeting", "training", "restroom")
WAITING_STAGES = (CallStage.QUEUED, CallStage.OFFERED)
DIAL_PURPOSES = ("click_to_dial", "callback", "rescue_dispatch")


def _agent_view(service: DepotService, agent_id: str) -> AgentView | None:
    for agent in service.snapshot().agents:
        if agent.id == agent_id:
            return agent
    return None


def desk_picture(service: DepotService, agent_id: str) -> dict[str, Any]:
    """What the desk shows live: state and timer, the current call, waiting callers."""
    snapshot = service.snapshot()
    agent = next((a for a in snapshot.agents if a.id == agent_id), None)
    waiting = sum(1 for call in snapshot.calls if call.stage in WAITING_STAGES)
    picture: dict[str, Any] = {"waiting": waiting, "known": agent is not None}
    if agent is None:
        return picture
    call = next((c for c in snapshot.calls if agent.call_id and c.id == agent.call_id), None)
    limit_s = 0.0
    if call is not None:
        queue = next((q for q in service.setup().queues if q.id == call.queue), None)
        limit_s = queue.talk_time_limit_s if queue is not None else 0.0
    # an agent the box has not seen change state since it started has no "since when"
    elapsed_s = None if agent.since_s <= 0 else round(snapshot.time_s - agent.since_s)
    picture.update(
        state=agent.state.value,
        position=agent.position,
        pause_reason=agent.pause_reason,
        elapsed_s=elapsed_s,
        talk_warning=bool(
            agent.state is AgentState.ON_CALL
            and limit_s > 0
            and elapsed_s is not None
            and elapsed_s >= limit_s
        ),
        talk_limit_s=limit_s,
        calls_today=agent.calls_today,
        talk_s_today=round(agent.talk_s_today),
        call_id=agent.call_id,
        number=call.number if call is not None else "",
        caller_name=call.name if call is not None else "",
        queue=call.queue if call is not None else "",
        waybill=call.waybill if call is not None else "",
    )
    return picture


@routes.get("/desk")
@requires(AGENT)
async def desk_page(request: web.Request) -> web.Response:
    return await _desk_page(request)


async def _desk_page(
    request: web.Request, *, refusal: DialRefusal | None = None, status: int = 200
) -> web.Response:
    """The desk; `refusal` says in place why a dial was not placed."""
    user = signed_in(request)
    service = request.app[DEPOT_KEY]
    desk = request.app[DESK_KEY]
    return render(
        request,
        "desk.html",
        status=status,
        agent=_agent_view(service, user.agent_id),
        picture=desk_picture(service, user.agent_id),
        phone=phone_bar_for(request, user.agent_id),
        pause_reasons=PAUSE_REASONS,
        colleagues=[a for a in service.setup().agents if a.id != user.agent_id],
        notices=await desk.notices.notices(),
        ticket_notices=await desk.tickets.notices_for(user),
        levels=ESCALATION_LEVELS,
        tasks=await desk.tasks.desk_tasks(user.agent_id),
        # this month's answered calls against the agent's target (我的考核 has other months)
        progress=await desk.targets.progress(
            month_named("", service.now(), service.setup().hours.timezone), user.agent_id
        ),
        window_opens_s=await desk.tasks.window_opens_s(),
        outcomes=OUTCOMES,
        now_s=service.now(),
        refusal=refusal,
        error_key=request.query.get("error", ""),
    )


@routes.post("/desk/state")
@requires(AGENT)
async def change_state(request: web.Request) -> web.StreamResponse:
    """Log in to a position, ready, pause with a reason, log out (the engine's commands)."""
    user = signed_in(request)
    service = request.app[DEPOT_KEY]
    form = await form_of(request)
    action = form.get("action", "")
    try:
        if action == "login":
            position = form.get("position", "").strip()
            if not position:
                return _state_error(request, "error.field_required", "position")
            await service.log_in(user.agent_id, position)
        elif action == "ready":
            await service.ready(user.agent_id)
        elif action == "pause":
            reason = form.get("reason", "")
            if reason not in PAUSE_REASONS:
                return _state_error(request, "error.field_choice", "reason")
            await service.pause(user.agent_id, reason)
        elif action == "logout":
            await service.log_out(user.agent_id)
        else:
            return _state_error(request, "error.field_choice", "action")
    except (ValueError, LookupError):
        me = _agent_view(service, user.agent_id)
        if action == "ready" and me is not None and me.summary_pending:
            return _state_error(request, "phone.summary_first", "")
        return _state_error(request, "desk.refused", "")
    await request.app[DESK_KEY].audit(
        user, f"agent.{action}", user.agent_id, form.get("position", "") or form.get("reason", "")
    )
    if request.headers.get("Accept", "").startswith("application/json"):
        return json_response(desk_picture(service, user.agent_id))
    raise web.HTTPSeeOther("/desk")


def _state_error(request: web.Request, key: str, field: str) -> web.StreamResponse:
    if request.headers.get("Accept", "").startswith("application/json"):
        return json_response({"error": key, "field": field}, status=400)
    return render(request, "error.html", status=400, message_key=key, field=field)


@routes.post("/desk/ticket-notices/{notice_id}/seen")
@requires(AGENT)
async def ticket_notice_seen(request: web.Request) -> web.StreamResponse:
    """An escalation notice read: it leaves this desk."""
    try:
        await request.app[DESK_KEY].tickets.notice_seen(
            signed_in(request), request.match_info["notice_id"]
        )
    except FormError:
        return _state_error(request, "error.not_found", "notice_id")
    raise web.HTTPSeeOther("/desk")


@routes.get("/desk/live")
@requires(AGENT)
async def desk_live(request: web.Request) -> web.StreamResponse:
    user = signed_in(request)
    service = request.app[DEPOT_KEY]

    async def picture() -> dict[str, Any]:
        return desk_picture(service, user.agent_id)

    return await stream(request, service, picture, event="desk")


@routes.get("/desk/pop")
@requires(AGENT)
async def screen_pop(request: web.Request) -> web.Response:
    """The caller's history for the screen pop (a fragment the desk page puts in place)."""
    number = request.query.get("number", "")[:32]
    pop = await request.app[DESK_KEY].records.screen_pop(number)
    return render(
        request,
        "screen_pop.html",
        pop=pop,
        call_id=request.query.get("call_id", "")[:64],
        caller_name=request.query.get("name", "")[:60],
        waybill=request.query.get("waybill", "")[:40],
    )


@routes.post("/desk/dial")
@requires(AGENT)
async def dial(request: web.Request) -> web.StreamResponse:
    """Click-to-dial a callback task (回访) or a number."""
    user = signed_in(request)
    form = await form_of(request)
    number = form.get("number", "").strip()
    if not ascii_digits(number.replace("+", "")) or len(number) > 32:
        return _state_error(request, "error.field_invalid", "number")
    task_id = form.get("task_id", "")
    purpose = form.get("purpose", "callback" if task_id else "click_to_dial")
    if purpose not in DIAL_PURPOSES:
        return _state_error(request, "error.field_choice", "purpose")
    refusal = await request.app[DESK_KEY].tasks.dial_refusal(user.agent_id, task_id)
    if refusal is None:
        try:
            await request.app[DEPOT_KEY].place_call(
                user.agent_id, number, purpose=purpose, task_id=task_id
            )
        except (ValueError, LookupError):
            refusal = DialRefusal("not_free")
    if refusal is not None:
        if request.headers.get("Accept", "").startswith("application/json"):
            body = {"error": f"dial.{refusal.reason}", "opens_s": refusal.opens_s}
            return json_response(body, status=409)
        return await _desk_page(request, refusal=refusal, status=409)
    await request.app[DESK_KEY].audit(user, f"call.{purpose}", number, task_id)
    raise web.HTTPSeeOther("/desk")


CALL_ACTIONS = ("hold", "unhold", "mute", "hang_up", "block", "transfer")


@routes.post("/desk/call")
@requires(AGENT)
async def call_control(request: web.Request) -> web.StreamResponse:
    """Hold, take off hold, mute, hang up, 闭塞 (busy tone and blacklist), transfer (转机)."""
    user = signed_in(request)
    service = request.app[DEPOT_KEY]
    form = await form_of(request)
    action = form.get("action", "")
    if action not in CALL_ACTIONS:
        return _state_error(request, "error.field_choice", "action")
    to_agent = form.get("to_agent", "").strip()
    if action == "transfer" and not to_agent:
        return _state_error(request, "error.field_required", "to_agent")
    try:
        if action == "hold":
            await service.hold(user.agent_id)
        elif action == "unhold":
            await service.unhold(user.agent_id)
        elif action == "mute":
            await service.mute(user.agent_id)
        elif action == "hang_up":
            await service.hang_up(user.agent_id)
        elif action == "block":
            await service.block_caller(user.agent_id)
        else:
            await service.transfer(user.agent_id, to_agent)
    except (ValueError, LookupError):
        return _state_error(request, "desk.no_call_refused", "")
    await request.app[DESK_KEY].audit(user, f"call.{action}", user.agent_id, to_agent)
    if request.headers.get("Accept", "").startswith("application/json"):
        return json_response(desk_picture(service, user.agent_id))
    raise web.HTTPSeeOther("/desk")
