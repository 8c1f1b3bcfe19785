"""Scripts and FAQ (A6, 话术脚本): the tree with search for everyone, quick lookup from the
desk, and editing for supervisors."""

from __future__ import annotations

from aiohttp import web

from appliance.desk import FormError
from web_ui.site.security import (
    AGENT,
    DESK_KEY,
    SUPERVISOR,
    form_of,
    render,
    requires,
    signed_in,
)

routes = web.RouteTableDef()


async def _scripts_page(request: web.Request, *, error: FormError | None = None) -> web.Response:
    desk = request.app[DESK_KEY]
    words = request.query.get("q", "")[:60]
    return render(
        request,
        "scripts.html",
        status=400 if error is not None else 200,
        tree=await desk.scripts.script_tree(),
        found=await desk.scripts.search_scripts(words),
        words=words,
        error=error,
    )


@routes.get("/scripts")
@requires(AGENT)
async def scripts_page(request: web.Request) -> web.Response:
    return await _scripts_page(request)


@routes.get("/scripts/lookup")
@requires(AGENT)
async def lookup(request: web.Request) -> web.Response:
    """The desk's quick lookup: matching scripts as a fragment."""
    words = request.query.get("q", "")[:60]
    found = await request.app[DESK_KEY].scripts.search_scripts(words, limit=5)
    return render(request, "script_lookup.html", found=found, words=words)


@routes.post("/scripts")
@requires(SUPERVISOR)
async def change_scripts(request: web.Request) -> web.StreamResponse:
    desk = request.app[DESK_KEY]
    who = signed_in(request)
    form = await form_of(request)
    action = form.get("action", "")
    try:
        if action == "add":
            await desk.scripts.add_script(
                who, form.get("parent_id", "0"), form.get("title", ""), form.get("body", "")
            )
        elif action == "change":
            await desk.scripts.change_script(
                who, form.get("script_id", ""), form.get("title", ""), form.get("body", "")
            )
        elif action == "remove":
            await desk.scripts.remove_script(who, form.get("script_id", ""))
        else:
            raise FormError("action", "choice")
    except FormError as error:
        return await _scripts_page(request, error=error)
    raise web.HTTPSeeOther("/scripts")
