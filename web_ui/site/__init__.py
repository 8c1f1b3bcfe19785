"""The depot's web site beside the shell's wallboard page: sign-in, the agent desk, records,
tickets, supervisor and admin pages, in zh-CN and English. `add_site` joins it to an app."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from appliance.config import Config
from appliance.desk import DeskService
from appliance.service import DepotService
from web_ui.site import (
    auth_pages,
    desk_pages,
    quality_pages,
    record_pages,
    report_pages,
    restore_pages,
    script_pages,
    settings_pages,
    setup_pages,
    supervisor_pages,
    task_pages,
    ticket_pages,
    waybill_pages,
)
from web_ui.site.security import DEPOT_KEY, DESK_KEY, SITE_TEMPLATES_KEY, templates

__all__ = ["STATIC_PREFIX", "add_site", "build_site_app"]

STATIC_PREFIX = "/site-static"
UPLOAD_MAX_BYTES = 2 * 1024 * 1024 + 64 * 1024  # a prompt upload and its form; more → 413
# (a restore upload streams its body in pieces, past this limit, under its own: docs/backup.md)
_HERE = Path(__file__).resolve().parent


def add_site(
    app: web.Application, desk: DeskService, service: DepotService, *, config: Config | None = None
) -> None:
    """Add the site's routes to `app` (before it starts). Its pages live under /login,
    /desk, /records, /customers, /tickets, /scripts, /reports, /supervisor, /admin, /setup
    (first boot only; `config` is the install-time wiring it shows) and /site-static."""
    app[DESK_KEY] = desk
    app[DEPOT_KEY] = service
    app[setup_pages.SETUP_GATE_KEY] = setup_pages.SetupGate()
    if config is not None:
        app[setup_pages.SETUP_CONFIG_KEY] = config
    app[SITE_TEMPLATES_KEY] = templates()
    app.router.add_routes(auth_pages.routes)
    app.router.add_routes(desk_pages.routes)
    app.router.add_routes(record_pages.routes)
    app.router.add_routes(task_pages.routes)
    app.router.add_routes(ticket_pages.routes)
    app.router.add_routes(waybill_pages.routes)
    app.router.add_routes(supervisor_pages.routes)
    app.router.add_routes(restore_pages.routes)
    app.router.add_routes(report_pages.routes)
    app.router.add_routes(script_pages.routes)
    app.router.add_routes(settings_pages.routes)
    app.router.add_routes(quality_pages.routes)
    app.router.add_routes(setup_pages.routes)
    app.router.add_static(STATIC_PREFIX, _HERE / "static")


def build_site_app(
    desk: DeskService, service: DepotService, *, config: Config | None = None
) -> web.Application:
    """The site alone, for its own tests."""
    app = web.Application(client_max_size=UPLOAD_MAX_BYTES)
    add_site(app, desk, service, config=config)
    return app
