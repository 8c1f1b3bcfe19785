"""Signing in by agent id and password (工号/密码), signing out, and the language switch."""

from __future__ import annotations

import secrets

from aiohttp import web

from appliance.desk import DeskError, LoginThrottled
from web_ui.site.i18n import LANGUAGE_COOKIE, LANGUAGES
from web_ui.site.security import (
    AGENT,
    DESK_KEY,
    SESSION_COOKIE,
    form_of,
    render,
    requires,
    safe_next,
    same_token,
)

LOGIN_CSRF_COOKIE = "depotline_login"  # double-submit token: no signing in from another site
routes = web.RouteTableDef()


def _login_page(
    request: web.Request,
    *,
    status: int = 200,
    error_key: str = "",
    field: str = "",
    detail: str = "",
) -> web.Response:
    token = secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        status=status,
        login_token=token,
        next_path=safe_next(request.query.get("next", "/desk")),
        error_key=error_key,
        error_field=field,
        error_detail=detail,
    )
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="Strict", path="/login")
    return response


@routes.get("/login")
async def login_form(request: web.Request) -> web.Response:
    return _login_page(request)


@routes.post("/login")
async def login(request: web.Request) -> web.StreamResponse:
    form = await form_of(request)
    cookie_token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie_token or not same_token(form.get("login_token", ""), cookie_token):
        return _login_page(request, status=403, error_key="error.csrf")
    for field in ("agent_id", "password"):
        if not form.get(field, "").strip():
            return _login_page(request, status=400, error_key="error.field_required", field=field)
    address = request.remote or "unknown"
    try:
        token, _user = await request.app[DESK_KEY].sign_in(
            form["agent_id"].strip(), form["password"], address
        )
    except LoginThrottled as throttled:
        page = _login_page(
            request,
            status=429,
            error_key="login.throttled",
            detail=str(round(throttled.retry_after_s)),
        )
        page.headers["Retry-After"] = str(max(1, round(throttled.retry_after_s)))
        return page
    except DeskError:
        return _login_page(request, status=401, error_key="login.wrong")
    response = web.HTTPSeeOther(safe_next(form.get("next", "/desk")))
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="Strict", path="/")
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/login")
    raise response


@routes.post("/logout")
@requires(AGENT)
async def logout(request: web.Request) -> web.StreamResponse:
    await request.app[DESK_KEY].sign_out(request.cookies.get(SESSION_COOKIE, ""))
    response = web.HTTPSeeOther("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


@routes.get("/lang/{language}")
async def switch_language(request: web.Request) -> web.StreamResponse:
    """Only the display language changes (a cookie), so a plain link is enough."""
    language = request.match_info["language"]
    if language not in LANGUAGES:
        raise web.HTTPNotFound()
    response = web.HTTPSeeOther(safe_next(request.query.get("next", "/desk")))
    response.set_cookie(LANGUAGE_COOKIE, language, samesite="Strict", path="/", max_age=365 * 86400)
    raise response
