"""The first-boot setup page (/setup): whoever reads the setup code on the box's screen creates
the admin account and the first agents; then the flag is deleted and the page is gone (404)."""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from appliance.config import DEFAULT_PATH, Config
from appliance.desk import (
    LOGIN_FAILURES_ALLOWED,
    LOGIN_WINDOW_S,
    FormError,
    Role,
    SignedIn,
    is_keypad_pin,
)
from appliance.desk.forms import clean_text
from web_ui.site.security import DEPOT_KEY, DESK_KEY, form_of, render

log = logging.getLogger(__name__)

SETUP_CSRF_COOKIE = "depotline_setup"  # double-submit token, as on the login form
SETUP_CONFIG_KEY = web.AppKey("setup_config", Config)
AGENT_ROWS = 3  # first agents on the form; more are added later on /admin/users
PASSWORD_MIN_CHARS = 8
ADDRESSES_KEPT = 10_000  # addresses with recent wrong codes remembered at most
# A million codes at 20 a minute take weeks; the owner at the screen waits a minute at worst.
ALL_ADDRESSES_FAILURES_ALLOWED = 4 * LOGIN_FAILURES_ALLOWED
routes = web.RouteTableDef()


class SetupGate:
    """Wrong setup codes per address, limited like wrong passwords at the login, and from all
    addresses together (an IPv6 neighbour has addresses to spare); and one setup at a time,
    so two browsers cannot both create an admin."""

    def __init__(self) -> None:
        self._failures: dict[str, deque[float]] = {}
        self._all_failures: deque[float] = deque()
        self.finishing = asyncio.Lock()

    def wait_s(self, address: str, now_s: float) -> float:
        wait_s = 0.0
        for failures, allowed in (
            (self._failures.get(address, deque()), LOGIN_FAILURES_ALLOWED),
            (self._all_failures, ALL_ADDRESSES_FAILURES_ALLOWED),
        ):
            while failures and failures[0] <= now_s - LOGIN_WINDOW_S:
                failures.popleft()
            if len(failures) >= allowed:
                wait_s = max(wait_s, failures[0] + LOGIN_WINDOW_S - now_s)
        return wait_s

    def failed(self, address: str, now_s: float) -> None:
        if len(self._failures) >= ADDRESSES_KEPT:
            self._failures = {
                key: times
                for key, times in self._failures.items()
                if times and times[-1] > now_s - LOGIN_WINDOW_S
            }
        self._failures.setdefault(address, deque()).append(now_s)
        self._all_failures.append(now_s)


SETUP_GATE_KEY = web.AppKey("setup_gate", SetupGate)


@dataclass(frozen=True, slots=True)
class FirstAccount:
    agent_id: str
    name: str
    password: str
    role: Role
    row: int  # the agent row on the form; 0 for the admin
    pin: str = ""  # keypad PIN; "" = no keypad login yet


def _setup_code(flag: Path) -> str | None:
    """The code in the flag; None when there is no flag (the box is set up), "" when the flag
    has no code yet (depotline-firstboot has not run, so no code can match)."""
    try:
        text = flag.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "setup_code":
            return value.strip()
    return ""


async def _open_setup_code(request: web.Request) -> str:
    """The setup code while the box still waits for its admin; otherwise 404."""
    desk = request.app[DESK_KEY]
    code = _setup_code(Path(desk.setup_flag))
    if code is None or any(user.role is Role.ADMIN for user in await desk.users()):
        raise web.HTTPNotFound()
    return code


def _installation(request: web.Request) -> dict[str, Any]:
    """What was wired at install time, shown read-only (changed in the TOML, not here)."""
    config = request.app.get(SETUP_CONFIG_KEY)
    if config is None:
        return {
            "config_path": DEFAULT_PATH,
            "line_ids": [line.id for line in request.app[DEPOT_KEY].snapshot().lines],
            "position_ids": [],
            "wallboard": "",
            "wallboard_device": "",
            "wiring_known": False,
        }
    wallboard = config.wallboard
    return {
        "config_path": config.path or DEFAULT_PATH,
        "line_ids": list(config.line_ids),
        "position_ids": [position.id for position in config.positions],
        "wallboard": wallboard.type,
        "wallboard_device": wallboard.device if wallboard.type in ("board", "alpha") else "",
        "wiring_known": True,
    }


def _setup_page(
    request: web.Request,
    *,
    status: int = 200,
    code_accepted: str = "",
    form: dict[str, str] | None = None,
    error_key: str = "",
    error: FormError | None = None,
    error_row: int = 0,
    detail: str = "",
    code_ready: bool = True,
) -> web.Response:
    token = secrets.token_urlsafe(24)
    response = render(
        request,
        "setup.html",
        status=status,
        setup_token=token,
        setup_code=code_accepted,
        form=form or {},
        agent_rows=range(1, AGENT_ROWS + 1),
        error_key=error_key,
        error=error,
        error_row=error_row,
        error_detail=detail,
        min_chars=PASSWORD_MIN_CHARS,
        code_ready=code_ready,
        **_installation(request),
    )
    response.set_cookie(SETUP_CSRF_COOKIE, token, httponly=True, samesite="Strict", path="/setup")
    return response


def _accounts(form: dict[str, str]) -> list[FirstAccount]:
    """The admin account, checked; FormError names the field."""
    admin_id = clean_text("admin_id", form.get("admin_id", ""), required=True, max_chars=20)
    admin_name = clean_text("admin_name", form.get("admin_name", ""), required=True, max_chars=60)
    password = form.get("admin_password", "")
    if len(password) < PASSWORD_MIN_CHARS:
        raise FormError("admin_password", "too_short")
    if form.get("admin_password_again", "") != password:
        raise FormError("admin_password_again", "mismatch")
    return [FirstAccount(admin_id, admin_name, password, Role.ADMIN, 0)]


def _agent(form: dict[str, str], row: int) -> FirstAccount | None:
    fields = (f"agent_id_{row}", f"agent_name_{row}", f"agent_password_{row}", f"agent_pin_{row}")
    if not any(form.get(field, "").strip() for field in fields):
        return None
    agent_id = clean_text("agent_row_id", form.get(fields[0], ""), required=True, max_chars=20)
    name = clean_text("agent_row_name", form.get(fields[1], ""), required=True, max_chars=60)
    password = form.get(fields[2], "")
    if len(password) < PASSWORD_MIN_CHARS:
        raise FormError("agent_row_password", "too_short")
    pin = form.get(fields[3], "")
    if pin and not is_keypad_pin(pin):
        raise FormError("agent_row_pin", "pin_digits")
    return FirstAccount(agent_id, name, password, Role.AGENT, row, pin)


@routes.get("/setup")
async def setup_form(request: web.Request) -> web.Response:
    code = await _open_setup_code(request)
    return _setup_page(request, code_ready=bool(code))


@routes.post("/setup")
async def setup(request: web.Request) -> web.StreamResponse:
    code = await _open_setup_code(request)
    form = await form_of(request)
    cookie_token = request.cookies.get(SETUP_CSRF_COOKIE, "")
    if not cookie_token or not hmac.compare_digest(
        cookie_token.encode(), form.get("setup_token", "").encode()
    ):
        return _setup_page(request, status=403, error_key="error.csrf")
    address = request.remote or "unknown"
    throttle = request.app[SETUP_GATE_KEY]
    now_s = time.monotonic()
    wait_s = throttle.wait_s(address, now_s)
    if wait_s > 0:
        log.warning("setup code throttled for %s", address)
        page = _setup_page(
            request, status=429, error_key="setup.throttled", detail=str(round(wait_s))
        )
        page.headers["Retry-After"] = str(max(1, round(wait_s)))
        return page
    sent = form.get("setup_code", "").strip()
    if not code or not sent or not hmac.compare_digest(sent.encode(), code.encode()):
        throttle.failed(address, now_s)
        log.warning("wrong setup code from %s", address)
        return _setup_page(request, status=401, error_key="setup.wrong_code", code_ready=bool(code))
    if form.get("step", "code") == "code":
        return _setup_page(request, code_accepted=sent)
    async with throttle.finishing:
        await _open_setup_code(request)  # a setup that finished while this one waited
        return await _finish(request, form, sent)


async def _finish(request: web.Request, form: dict[str, str], code: str) -> web.StreamResponse:
    """Check every account on the form, then create them all (or none), end first boot."""
    desk = request.app[DESK_KEY]
    row = 0
    try:
        accounts = _accounts(form)
        for row in range(1, AGENT_ROWS + 1):
            agent = _agent(form, row)
            if agent is not None:
                accounts.append(agent)
        row = 0
        taken = {user.agent_id for user in await desk.users()}
        for account in accounts:
            if account.agent_id in taken:
                row = account.row
                raise FormError(
                    "admin_id" if account.role is Role.ADMIN else "agent_row_id", "taken"
                )
            taken.add(account.agent_id)
    except FormError as error:
        shown = {  # secrets are typed again, never sent back
            key: value for key, value in form.items() if "password" not in key and "pin" not in key
        }
        return _setup_page(
            request, status=400, code_accepted=code, form=shown, error=error, error_row=row
        )
    admin = accounts[0]
    who = SignedIn(admin.agent_id, admin.name, Role.ADMIN, "", time.time())
    for account in accounts:
        await desk.add_user(
            who,
            account.agent_id,
            account.name,
            account.role.value,
            account.password,
            pin=account.pin,
        )
    await desk.close_first_boot(request.url.port or 80)
    await desk.audit(
        who,
        "first_boot.setup",
        admin.agent_id,
        f"{len(accounts) - 1} agents, from {request.remote}",
    )
    log.info("first-boot setup done from %s: admin %s", request.remote, admin.agent_id)
    raise web.HTTPSeeOther("/login")
