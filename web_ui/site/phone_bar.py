"""The agent's phone bar on the desk: one strip with the state and its timer, hold, the mute
countdown, a pause's reason and the wrap-up's countdown (or its wait for the call summary)
shown; each button enabled only when it can act; transfer to a colleague who is signed in,
listed with their state, or to a queue; three-way (三通) with a colleague."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from appliance.desk import FormError
from appliance.service import AgentState, AgentView, CallStage, DepotService
from web_ui.site.live import stream
from web_ui.site.security import (
    AGENT,
    DEPOT_KEY,
    DESK_KEY,
    form_of,
    json_response,
    requires,
    signed_in,
)

routes = web.RouteTableDef()

PHONE_ACTIONS = ("hold", "unhold", "mute", "hang_up", "transfer", "three_way", "summary")
QUEUE_CHOICE = "queue:"  # the transfer list's value for a queue
_MUTED_UNTIL_KEY = web.AppKey("muted_until_s", dict[str, float])  # agent → depot time
_SUMMARISED_KEY = web.AppKey("summarised_calls", set[str])  # call ids with a 通话小结


def keep_phone_state(app: web.Application) -> None:
    """The phone bar's memory, set up before the app starts (a started app's state is fixed):
    who is muted until when, and the calls summarised since the start (a wrap-up is short: one
    lost by a restart is only asked for again)."""
    app[_MUTED_UNTIL_KEY] = {}
    app[_SUMMARISED_KEY] = set()


def _muted_until(app: web.Application) -> dict[str, float]:
    return app[_MUTED_UNTIL_KEY]


def _summarised(app: web.Application) -> set[str]:
    return app[_SUMMARISED_KEY]


def phone_bar_picture(
    service: DepotService,
    agent_id: str,
    muted_until_s: float = 0.0,
    summarised: frozenset[str] | set[str] = frozenset(),
) -> dict[str, Any]:
    """The strip's state, timer and extras, which buttons can act, and who can take a call."""
    snapshot = service.snapshot()
    me: AgentView | None = next((a for a in snapshot.agents if a.id == agent_id), None)
    state = me.state if me is not None else AgentState.LOGGED_OUT
    call = next((c for c in snapshot.calls if me is not None and c.id == me.call_id), None)
    on_hold = call is not None and call.stage is CallStage.ON_HOLD
    talking = state is AgentState.ON_CALL and call is not None
    muted_s = max(0.0, muted_until_s - snapshot.time_s) if talking else 0.0
    colleagues = [
        {"id": a.id, "name": a.name, "state": a.state.value}
        for a in snapshot.agents
        if a.id != agent_id and a.state is not AgentState.LOGGED_OUT
    ]
    queues = [queue.id for queue in service.setup().queues]
    colleague_free = talking and any(c["state"] == "ready" for c in colleagues)
    wrapping_up = me is not None and state is AgentState.WRAP_UP
    wrap_up_left_s = (
        round(max(0.0, me.wrap_up_until_s - snapshot.time_s))
        if wrapping_up and me is not None and me.wrap_up_until_s is not None
        else None
    )
    return {
        "state": state.value,
        "elapsed_s": None if me is None or me.since_s <= 0 else round(snapshot.time_s - me.since_s),
        "pause_reason": me.pause_reason if me is not None else "",
        "on_hold": on_hold,
        "muted_s": round(muted_s),
        "can": {
            "hold": talking and not on_hold,
            "unhold": on_hold,
            "mute": talking and not on_hold and muted_s <= 0,
            "hang_up": talking,
            "transfer": colleague_free or (talking and bool(queues)),
            "three_way": colleague_free and not on_hold,
        },
        "colleagues": colleagues,
        "queues": queues,  # a caller can be transferred to a queue too ("queue:<id>")
        # the wrap-up's countdown, and whether it waits for the call summary past it
        "wrap_up_left_s": wrap_up_left_s,
        "summary_pending": wrapping_up and me is not None and me.summary_pending,
        # the call just ended, whose summary is asked for in wrap-up ("" = none to ask for)
        "summary_call_id": me.call_id
        if me is not None and state is AgentState.WRAP_UP and me.call_id not in summarised
        else "",
    }


def phone_bar_for(request: web.Request, agent_id: str) -> dict[str, Any]:
    """The bar as the desk page draws it first."""
    muted = _muted_until(request.app).get(agent_id, 0.0)
    return phone_bar_picture(request.app[DEPOT_KEY], agent_id, muted, _summarised(request.app))


@routes.get("/desk/phone/live")
@requires(AGENT)
async def phone_bar_live(request: web.Request) -> web.StreamResponse:
    user = signed_in(request)
    service = request.app[DEPOT_KEY]
    muted = _muted_until(request.app)
    summarised = _summarised(request.app)

    async def picture() -> dict[str, Any]:
        return phone_bar_picture(service, user.agent_id, muted.get(user.agent_id, 0.0), summarised)

    return await stream(request, service, picture, event="phone")


@routes.post("/desk/phone")
@requires(AGENT)
async def phone_action(request: web.Request) -> web.StreamResponse:
    """A button of the bar (JSON back for the page's script; a redirect without script)."""
    user = signed_in(request)
    service = request.app[DEPOT_KEY]
    form = await form_of(request)
    action, to_agent = form.get("action", ""), form.get("to_agent", "").strip()
    if action not in PHONE_ACTIONS:
        return json_response({"refused": "error.field_choice"}, status=400)
    # the transfer list names a colleague by id, a queue as "queue:<id>" (three-way: colleagues)
    to_queue = to_agent.removeprefix(QUEUE_CHOICE) if to_agent.startswith(QUEUE_CHOICE) else ""
    if action in ("transfer", "three_way") and not to_agent:
        return json_response({"refused": "phone.choose_colleague"}, status=400)
    if action == "three_way" and to_queue:
        return json_response({"refused": "phone.choose_colleague"}, status=400)
    if action == "summary":
        return await _save_summary(request, form)
    try:
        if action == "hold":
            await service.hold(user.agent_id)
        elif action == "unhold":
            await service.unhold(user.agent_id)
        elif action == "mute":
            await service.mute(user.agent_id)
            _muted_until(request.app)[user.agent_id] = service.now() + service.setup().mute_s
        elif action == "hang_up":
            await service.hang_up(user.agent_id)
        elif action == "transfer" and to_queue:
            await service.transfer_to_queue(user.agent_id, to_queue)
        elif action == "transfer":
            await service.transfer(user.agent_id, to_agent)
        else:
            await service.three_way(user.agent_id, to_agent)
    except (ValueError, LookupError):
        refusal = "phone.queue_refused" if to_queue else "desk.no_call_refused"
        return json_response({"refused": refusal}, status=409)
    audited = "transfer_queue" if to_queue else action
    await request.app[DESK_KEY].audit(user, f"call.{audited}", user.agent_id, to_queue or to_agent)
    return _answer(request, user.agent_id)


def _answer(request: web.Request, agent_id: str) -> web.StreamResponse:
    if request.headers.get("Accept", "").startswith("application/json"):
        return json_response(phone_bar_for(request, agent_id))
    raise web.HTTPSeeOther("/desk")


async def _save_summary(request: web.Request, form: dict[str, str]) -> web.StreamResponse:
    """The 通话小结 of the call the agent is wrapping up, kept as a record of that call."""
    user = signed_in(request)
    service = request.app[DEPOT_KEY]
    call_id = phone_bar_for(request, user.agent_id)["summary_call_id"]
    if not call_id:
        return json_response({"refused": "desk.no_call_refused"}, status=409)
    # a caller transferred to a queue is still on the line; others have their record
    live = next((c.number for c in service.snapshot().calls if c.id == call_id), "")
    ended = next((c for c in await service.calls_today(limit=500) if c.call_id == call_id), None)
    number = live or (ended.number if ended is not None else "") or "—"
    try:
        await request.app[DESK_KEY].records.save_record(
            user, "summary", call_id, number, {"summary": form.get("summary", "")}
        )
    except FormError as error:
        return json_response({"refused": f"problem.{error.problem}"}, status=400)
    _summarised(request.app).add(call_id)
    # a queue that requires the summary held the agent's wrap-up for it
    await service.summary_saved(user.agent_id, call_id)
    return _answer(request, user.agent_id)
