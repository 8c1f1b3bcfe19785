"""The web UI's first page: the live wallboard (updated over server-sent events from the
depot's updates) and today's call log. Served in-process by aiohttp through an AppRunner."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web

from appliance.config import Config
from appliance.desk import DeskService
from appliance.service import (
    CallLogged,
    CallRecord,
    DepotService,
    DepotSetup,
    FiguresChanged,
)
from web_ui.figures import FIGURE_FIELDS, figures_json, format_figure
from web_ui.site import UPLOAD_MAX_BYTES, add_site
from web_ui.site.catalog_codes import CODE_MESSAGES
from web_ui.site.security import add_security_headers

log = logging.getLogger(__name__)

SERVICE_KEY = web.AppKey("service", DepotService)
SITE_KEY = web.AppKey("site", bool)
TEMPLATES_KEY = web.AppKey("templates", jinja2.Environment)
_HERE = Path(__file__).resolve().parent
SSE_KEEPALIVE_S = 15.0


def _both_languages(texts: tuple[str, str] | None, code: str) -> str:
    """The first page is in both languages at once: 中文 English."""
    return f"{texts[1]} {texts[0]}" if texts is not None else code


def call_json(record: CallRecord, zone: ZoneInfo, setup: DepotSetup) -> dict[str, Any]:
    """A row of the public call log: anyone on the LAN may read it, so it names no caller (no
    number, no name); the desk's pages, behind a sign-in, show who called."""
    queue = next((q for q in setup.queues if q.id == record.queue), None)
    return {
        "call_id": record.call_id,
        "time": dt.datetime.fromtimestamp(record.arrived_s, zone).strftime("%H:%M:%S"),
        "line": record.line,
        "queue": f"{queue.name_zh} {queue.name_en}" if queue is not None else record.queue,
        "agent": record.agent,
        "wait": format_figure(record.wait_s, "duration"),
        "talk": format_figure(record.talk_s, "duration") if record.agent else "",
        "result": _both_languages(
            CODE_MESSAGES.get(f"end.{record.end_reason.value}"), record.end_reason.value
        ),
        "vip": record.vip,
    }


async def index(request: web.Request) -> web.Response:
    service = request.app[SERVICE_KEY]
    zone = ZoneInfo(service.setup().hours.timezone)
    figures = service.figures()
    calls = await service.calls_today(limit=100)
    template = request.app[TEMPLATES_KEY].get_template("index.html")
    html = template.render(
        depot_name=service.depot_name,
        fields=[
            (
                field.name,
                field.label_zh,
                field.label_en,
                format_figure(getattr(figures, field.name), field.kind),
                figures.level(field.name).value,
            )
            for field in FIGURE_FIELDS
        ],
        faults=figures.faults,
        ticker=figures.ticker,  # notices and the latest 周之星 / 金话筒, as the LED ticker scrolls
        closed=figures.closed,
        site=request.app[SITE_KEY],
        calls=[call_json(record, zone, service.setup()) for record in calls],
    )
    return web.Response(text=html, content_type="text/html")


async def figures_api(request: web.Request) -> web.Response:
    return web.json_response(figures_json(request.app[SERVICE_KEY].figures()))


async def calls_api(request: web.Request) -> web.Response:
    service = request.app[SERVICE_KEY]
    zone = ZoneInfo(service.setup().hours.timezone)
    calls = await service.calls_today(limit=100)
    return web.json_response([call_json(record, zone, service.setup()) for record in calls])


async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: `figures` whenever they change, `call` when a call is logged."""
    service = request.app[SERVICE_KEY]
    zone = ZoneInfo(service.setup().hours.timezone)
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    )
    await response.prepare(request)
    updates = service.subscribe()
    try:
        while True:
            try:
                update = await asyncio.wait_for(anext(updates), SSE_KEEPALIVE_S)
            except TimeoutError:
                await response.write(b": keep-alive\n\n")
                continue
            except StopAsyncIteration:
                break
            if isinstance(update, FiguresChanged):
                payload = ("figures", figures_json(update.figures))
            elif isinstance(update, CallLogged):
                payload = ("call", call_json(update.record, zone, service.setup()))
            else:
                continue
            data = json.dumps(payload[1], ensure_ascii=False)
            await response.write(f"event: {payload[0]}\ndata: {data}\n\n".encode())
    except ConnectionResetError:
        log.debug("a live page went away")
    finally:
        await updates.aclose()
    return response


def make_app(
    service: DepotService, desk: DeskService | None = None, *, config: Config | None = None
) -> web.Application:
    """The wallboard page and its live feed; with a desk, the whole site beside it (sign-in,
    agent desk, records, tickets, supervisor and admin pages)."""
    app = web.Application(client_max_size=UPLOAD_MAX_BYTES)
    app.on_response_prepare.append(add_security_headers)
    app[SERVICE_KEY] = service
    app[SITE_KEY] = desk is not None
    if desk is not None:
        add_site(app, desk, service, config=config)
    app[TEMPLATES_KEY] = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_HERE / "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
    )
    app.add_routes(
        [
            web.get("/", index),
            web.get("/api/figures", figures_api),
            web.get("/api/calls", calls_api),
            web.get("/events", events),
            web.static("/static", _HERE / "static"),
        ]
    )
    return app


async def start_web(
    service: DepotService,
    host: str,
    port: int,
    *,
    desk: DeskService | None = None,
    config: Config | None = None,
) -> web.AppRunner:
    """Serve the web UI; the caller calls `await runner.cleanup()` to stop it. With the
    configuration, the first-boot page shows the box's wiring."""
    runner = web.AppRunner(make_app(service, desk, config=config), shutdown_timeout=2.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise OSError(
            exc.errno, f"cannot serve the web UI on {host}:{port}: {exc.strerror}"
        ) from exc
    return runner
