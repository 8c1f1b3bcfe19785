"""Queue, menu and agent settings (supervisor): strategy, timers, tiers and overflow per queue,
the greeting and the caller menu, lines that skip the menu, agents with a tier per queue, the
waybill places with their own recorded piece. Saved as a new setup and handed to the running
engine."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from appliance.desk import FormError
from appliance.desk.place_prompts import (
    PLACE_PROMPT_MAX_CHARS,
    PLACE_PROMPT_PATTERN,
    recording_field,
)
from appliance.desk.prompts import (
    PROMPT_LANGUAGES,
    PROMPT_MAX_BYTES,
    known_prompts,
    queue_prompt,
)
from appliance.desk.queue_forms import QUEUE_ID_PATTERN, QUEUE_NAME_MAX_CHARS
from appliance.desk.setup_forms import (
    LINE_FIELD,
    LINE_MENU,
    MENU_KEYS,
    MENU_PROMPTS,
    MENU_ROWS,
    OVERFLOW_KINDS,
    QUEUE_SECONDS,
    QUEUE_WEIGHT_MAX,
    STRATEGIES,
    SWITCHES_MARKER,
    TIER_ESCALATION_LIMIT_S,
    TIERS,
    hours_text,
)
from appliance.desk.tracking_export import PLACE_MAX_CHARS
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


async def _settings_page(
    request: web.Request, *, error: FormError | None = None, typed: dict[str, str] | None = None
) -> web.Response:
    depot = request.app[DEPOT_KEY]
    setup = depot.setup()
    return render(
        request,
        "settings.html",
        status=400 if error is not None else 200,
        queues=setup.queues,
        agents=setup.agents,
        strategies=STRATEGIES,
        overflow_kinds=OVERFLOW_KINDS,
        menu=setup.menu,
        menu_rows=MENU_ROWS,
        menu_keys=MENU_KEYS,
        menu_prompts=MENU_PROMPTS,
        seconds_fields=QUEUE_SECONDS,
        queue_id_pattern=QUEUE_ID_PATTERN,
        queue_name_max_chars=QUEUE_NAME_MAX_CHARS,
        queue_weight_max=QUEUE_WEIGHT_MAX,
        switches_marker=SWITCHES_MARKER,
        tier_escalation_limit_s=int(TIER_ESCALATION_LIMIT_S),
        lines=depot.line_ids(),
        line_queues=dict(setup.line_queues),
        line_field=LINE_FIELD,
        line_menu=LINE_MENU,
        recorded_prompts=request.app[DESK_KEY].settings.recorded_prompts(),
        menu_key_prompts=request.app[DESK_KEY].settings.menu_key_prompts(),
        queue_prompt=queue_prompt,
        tiers=TIERS,
        hours=setup.hours,
        vip_numbers=setup.vip_numbers,
        hours_text=hours_text,
        prompt_names=known_prompts(),
        prompt_languages=PROMPT_LANGUAGES,
        prompt_max_kib=PROMPT_MAX_BYTES // 1024,
        places=setup.waybill_place_prompts,
        place_max_chars=PLACE_MAX_CHARS,
        place_prompt_pattern=PLACE_PROMPT_PATTERN,
        place_prompt_max_chars=PLACE_PROMPT_MAX_CHARS,
        recording_field=recording_field,
        uploaded=request.query.get("uploaded", "")[:80],
        typed=typed or {},
        error=error,
    )


@routes.get("/supervisor/settings")
@requires(SUPERVISOR)
async def settings(request: web.Request) -> web.Response:
    return await _settings_page(request)


@routes.post("/supervisor/settings")
@requires(SUPERVISOR)
async def change_settings(request: web.Request) -> web.StreamResponse:
    desk = request.app[DESK_KEY]
    who = signed_in(request)
    form = await form_of(request)
    action = form.get("action", "")
    try:
        if action == "queue":
            await desk.settings.change_queue(who, form.get("queue_id", ""), form)
        elif action == "add_queue":
            await desk.settings.add_queue(who, form)
        elif action == "rename_queue":
            await desk.settings.rename_queue(who, form.get("queue_id", ""), form)
        elif action == "retire_queue":
            await desk.settings.retire_queue(who, form.get("queue_id", ""))
        elif action == "generate_speech":
            await desk.settings.generate_menu_speech(who, form.get("queue_id", ""))
        elif action == "menu":
            await desk.settings.change_menu(who, form)
        elif action == "greeting":
            await desk.settings.change_greeting(who, form)
        elif action == "lines":
            await desk.settings.change_line_queues(who, form)
        elif action == "agent":
            await desk.settings.save_agent(who, form)
        elif action == "vips":
            await desk.settings.change_vips(who, form)
        elif action == "hours":
            await desk.settings.change_hours(who, form)
        elif action == "remove_agent":
            await desk.settings.remove_agent(who, form.get("agent_id", ""))
        else:
            raise FormError("action", "choice")
    except FormError as error:
        return await _settings_page(request, error=error, typed=form)
    raise web.HTTPSeeOther("/supervisor/settings")


@routes.post("/supervisor/prompts")
@requires(SUPERVISOR)
async def upload_prompt(request: web.Request) -> web.StreamResponse:
    """A recorded prompt (multipart form): checked for type and size before it is kept."""
    form = await request.post()
    upload = form.get("file")
    language, name = str(form.get("language", "")), str(form.get("name", ""))
    try:
        if not isinstance(upload, web.FileField) or not upload.filename:
            raise FormError("file", "required")
        if not upload.filename.lower().endswith(".wav"):
            raise FormError("file", "wav_format")
        data = upload.file.read(PROMPT_MAX_BYTES + 1)
        await request.app[DESK_KEY].settings.upload_prompt(signed_in(request), language, name, data)
    except FormError as error:
        return await _settings_page(request, error=error)
    raise web.HTTPSeeOther(f"/supervisor/settings?uploaded={quote(language)}/{quote(name)}")


@routes.post("/supervisor/places")
@requires(SUPERVISOR)
async def change_places(request: web.Request) -> web.StreamResponse:
    """A waybill place added with a recording per language (multipart form), or removed."""
    form = await request.post()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    settings = request.app[DESK_KEY].settings
    try:
        if fields.get("action") == "add_place":
            recordings = {}
            for language in PROMPT_LANGUAGES:
                upload = form.get(recording_field(language))
                if isinstance(upload, web.FileField) and upload.filename:
                    recordings[language] = upload.file.read(PROMPT_MAX_BYTES + 1)
            await settings.add_place(signed_in(request), fields, recordings)
        elif fields.get("action") == "remove_place":
            await settings.remove_place(signed_in(request), fields.get("place", ""))
        else:
            raise FormError("action", "choice")
    except FormError as error:
        return await _settings_page(request, error=error, typed=fields)
    raise web.HTTPSeeOther("/supervisor/settings#waybill-places")
