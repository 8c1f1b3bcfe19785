"""TV screens: the wallboard opened without a sign-in through a per-screen display link
(/screen/<secret>), which an admin creates and revokes on /admin/screens. The screen shows the
figures only, never a caller."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from appliance.desk import FormError
from appliance.service import DepotService
from web_ui.figures import FIGURE_FIELDS, FigureField, figures_json, format_figure
from web_ui.site.live import stream
from web_ui.site.security import (
    ADMIN,
    DEPOT_KEY,
    DESK_KEY,
    form_of,
    render,
    requires,
    signed_in,
)

routes = web.RouteTableDef()


async def _known_screen(request: web.Request) -> str:
    """The link's secret when an admin made it and has not revoked it; otherwise 404."""
    token = request.match_info["token"]
    if not await request.app[DESK_KEY].displays.valid(token):
        raise web.HTTPNotFound()
    return token


QUEUE_FIELDS = (  # per queue on the wallboard, with the LED board's thresholds for the first two
    FigureField("calls_waiting", "排队", "Waiting", "count"),
    FigureField("longest_wait_s", "最长等待", "Longest wait", "duration"),
    FigureField("agents_ready", "空闲", "Ready", "count"),
    FigureField("agents_on_call", "通话", "On call", "count"),
)


def wallboard_picture(service: DepotService) -> dict[str, Any]:
    """The LED board's figures and levels, and the same per queue."""
    picture = figures_json(service.figures())
    picture["queues"] = {
        queue_id: {
            field.name: {
                "text": format_figure(getattr(figures, field.name), field.kind),
                "level": figures.level(field.name).value,
            }
            for field in QUEUE_FIELDS
        }
        for queue_id, figures in service.queue_figures().items()
    }
    return picture


def wallboard_page(request: web.Request, *, live_url: str, screen: bool) -> web.Response:
    """The LED board's figures and alert levels (the same thresholds) and the figures per
    queue, filling a 1920×1080 TV."""
    return render(
        request,
        "wallboard.html",
        fields=[field.name for field in FIGURE_FIELDS],
        queue_fields=[field.name for field in QUEUE_FIELDS],
        figures=wallboard_picture(request.app[DEPOT_KEY]),
        live_url=live_url,
        screen=screen,
    )


async def figures_stream(request: web.Request) -> web.StreamResponse:
    service = request.app[DEPOT_KEY]

    async def picture() -> dict[str, Any]:
        return wallboard_picture(service)

    return await stream(request, service, picture, event="figures")


@routes.get("/screen/{token}")
async def screen(request: web.Request) -> web.Response:
    token = await _known_screen(request)
    return wallboard_page(request, live_url=f"/screen/{token}/live", screen=True)


@routes.get("/screen/{token}/live")
async def screen_live(request: web.Request) -> web.StreamResponse:
    await _known_screen(request)
    return await figures_stream(request)


async def _screens_page(
    request: web.Request,
    *,
    error: FormError | None = None,
    new_link: str = "",
    typed_name: str = "",
) -> web.Response:
    return render(
        request,
        "screens.html",
        status=400 if error else 200,
        error=error,
        screens=await request.app[DESK_KEY].displays.every(),
        new_link=new_link,
        typed_name=typed_name,
    )


@routes.get("/admin/screens")
@requires(ADMIN)
async def screens(request: web.Request) -> web.Response:
    return await _screens_page(request)


@routes.post("/admin/screens")
@requires(ADMIN)
async def change_screens(request: web.Request) -> web.StreamResponse:
    form = await form_of(request)
    desk = request.app[DESK_KEY]
    try:
        if form.get("action") == "add":
            token = await desk.displays.create(signed_in(request), form.get("name", ""))
            # shown once: only its hash is kept
            return await _screens_page(request, new_link=f"{request.url.origin()}/screen/{token}")
        if form.get("action") == "revoke":
            await desk.displays.revoke(signed_in(request), form.get("link_id", ""))
            raise web.HTTPSeeOther("/admin/screens")
        raise FormError("action", "choice")
    except FormError as error:
        return await _screens_page(request, error=error, typed_name=form.get("name", ""))
