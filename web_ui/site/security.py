"""Who is asking and may they: the session cookie, the CSRF token every state-changing request
carries, the role each page needs, and the page renderer that puts them in every form."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hmac
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import BodyPartReader, MultipartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from appliance.desk import DeskService, Role, SignedIn
from appliance.service import DepotService
from web_ui.site import codes
from web_ui.site.catalog import MESSAGES
from web_ui.site.i18n import LANGUAGES, request_language, translate
from web_ui.site.privacy import number_for

log = logging.getLogger(__name__)

DESK_KEY = web.AppKey("desk", DeskService)
DEPOT_KEY = web.AppKey("depot_service", DepotService)
SITE_TEMPLATES_KEY = web.AppKey("site_templates", jinja2.Environment)
SESSION_COOKIE = "depotline_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_USER = web.RequestKey("depotline_user", SignedIn)
_UPLOAD = web.RequestKey("depotline_upload", MultipartReader)
CSRF_MAX_BYTES = 256  # a token is 43 characters; a longer first part is not one
UPLOAD_STALL_S = 60.0  # a streamed upload that sends nothing this long is answered 408
_HERE = Path(__file__).resolve().parent

SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self';"
    " script-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "Cache-Control": "no-store",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

AGENT = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
SUPERVISOR = (Role.SUPERVISOR, Role.ADMIN)
ADMIN = (Role.ADMIN,)


def templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(_HERE / "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )


def safe_next(path: str) -> str:
    """Only a path on this site (no open redirect to another host). Control characters go
    first: browsers drop tabs and newlines from a Location, so `/\t/evil.example` would
    become `//evil.example`."""
    path = "".join(c for c in path if c.isprintable())
    if path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return "/desk"


def same_token(sent: str, expected: str) -> bool:
    """A token compared in constant time; whatever was sent (non-ASCII too) is only unequal."""
    return bool(sent) and hmac.compare_digest(
        sent.encode("utf-8", "surrogateescape"), expected.encode("utf-8", "surrogateescape")
    )


async def add_security_headers(_request: web.Request, response: web.StreamResponse) -> None:
    """On every response, pages, streams, static files and aiohttp's own errors alike."""
    for name, value in SECURITY_HEADERS.items():
        if name != "Cache-Control":  # static files may be cached
            response.headers.setdefault(name, value)


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_STREAMED_UPLOAD = "depotline_streamed_upload"  # a handler attribute: its body is not read whole


@web.middleware
async def refuse_unreadable_forms(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A posted form that cannot be read (malformed multipart, bad encoding) is a 400 with a
    message, before any page sees it; a page reading the form later gets the parsed copy."""
    route_handler = request.match_info.handler
    if (
        request.method == "POST"
        and request.content_type in _FORM_TYPES
        and not getattr(route_handler, _STREAMED_UPLOAD, False)
    ):
        try:
            await request.post()
        except (ValueError, UnicodeDecodeError, HttpProcessingError) as error:
            log.info("unreadable form sent to %s: %s", request.path, error)
            return error_page(request, 400, "error.unreadable_form")
    return await handler(request)


def signed_in(request: web.Request) -> SignedIn:
    user = request.get(_USER)
    if user is None:
        raise RuntimeError("signed_in() used on a page that does not require a role")
    return user


async def _csrf_ok(request: web.Request, user: SignedIn) -> bool:
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        form = await request.post()
        value = form.get(CSRF_FIELD, "")
        sent = value if isinstance(value, str) else ""
    return same_token(sent, user.csrf_token)


async def _csrf_first_part(request: web.Request, user: SignedIn) -> bool:
    """A streamed upload's token: the multipart form's first part (browsers send the fields in
    page order), checked before a byte of the file is read. The rest waits in upload_parts."""
    if request.content_type != "multipart/form-data":
        return False
    try:
        async with upload_stall_timeout():
            reader = await request.multipart()
            part = await reader.next()
            if not isinstance(part, BodyPartReader) or part.name != CSRF_FIELD:
                return False
            sent = b""
            while chunk := await part.read_chunk(CSRF_MAX_BYTES):
                sent += chunk
                if len(sent) > CSRF_MAX_BYTES:
                    return False
    except (ValueError, HttpProcessingError):  # not a well-formed multipart body
        return False
    request[_UPLOAD] = reader
    return same_token(sent.decode("utf-8", "surrogateescape"), user.csrf_token)


def upload_stall_timeout() -> asyncio.Timeout:
    """Around each read of a streamed upload: TimeoutError when the sender stalls."""
    return asyncio.timeout(UPLOAD_STALL_S)


def upload_parts(request: web.Request) -> MultipartReader:
    """The rest of a streamed upload's form, after the CSRF token `requires` checked."""
    return request[_UPLOAD]


def requires(
    roles: tuple[Role, ...], *, streamed_upload: bool = False
) -> Callable[[Handler], Handler]:
    """The page needs a live session with one of `roles`; a POST needs the session's CSRF
    token. No session → the login page (401 for scripts); wrong role or token → 403.
    `streamed_upload`: a multipart form too big for memory, whose first field must be the
    token (408 when it does not come within UPLOAD_STALL_S); the handler reads the rest
    from upload_parts(request)."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def checked(request: web.Request) -> web.StreamResponse:
            desk = request.app[DESK_KEY]
            user = await desk.session(request.cookies.get(SESSION_COOKIE, ""))
            if user is None:
                if request.method == "GET" and "text/html" in request.headers.get("Accept", ""):
                    target = quote(safe_next(request.path_qs), safe="/?=&")
                    raise web.HTTPSeeOther(f"/login?next={target}")
                return error_page(request, 401, "error.signed_out")
            if user.role not in roles:
                log.warning(
                    "%s (%s) refused %s %s",
                    user.agent_id,
                    user.role.value,
                    request.method,
                    request.path,
                )
                return error_page(request, 403, "error.forbidden", user=user)
            check_csrf = _csrf_first_part if streamed_upload else _csrf_ok
            try:
                csrf_ok = request.method in ("GET", "HEAD", "OPTIONS") or await check_csrf(
                    request, user
                )
            except TimeoutError:
                log.warning("%s's upload to %s stalled", user.agent_id, request.path)
                return error_page(request, 408, "error.upload_stalled", user=user)
            if not csrf_ok:
                log.warning("%s sent a bad CSRF token to %s", user.agent_id, request.path)
                return error_page(request, 403, "error.csrf", user=user)
            request[_USER] = user
            return await handler(request)

        setattr(checked, _STREAMED_UPLOAD, streamed_upload)
        return checked

    return wrap


def _formatters(request: web.Request, language: str) -> dict[str, Any]:
    service = request.app[DEPOT_KEY]
    setup = service.setup()
    zone = ZoneInfo(setup.hours.timezone)
    queue_names = {
        queue.id: queue.name_zh if language == "zh-CN" else queue.name_en for queue in setup.queues
    }

    def queue_name(queue_id: str) -> str:
        return queue_names.get(queue_id, queue_id)

    def time_text(time_s: float | None) -> str:
        if time_s is None:
            return "—"
        return dt.datetime.fromtimestamp(time_s, zone).strftime("%Y-%m-%d %H:%M")

    def duration_text(seconds: float | None) -> str:
        if seconds is None:
            return "—"
        whole = max(0, round(seconds))
        return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"

    return {
        "time_text": time_text,
        "duration_text": duration_text,
        "queue_name": queue_name,
        "queue_names": queue_names,
        "action_text": functools.partial(codes.action_text, language),
        "target_text": functools.partial(codes.target_text, language),
        "detail_text": functools.partial(codes.detail_text, language),
        "prompt_label": functools.partial(codes.prompt_label, language),
        "end_reason_text": functools.partial(codes.code_word, language, prefixes=("end.",)),
    }


def render(
    request: web.Request,
    template: str,
    *,
    status: int = 200,
    user: SignedIn | None = None,
    **context: Any,
) -> web.Response:
    language = request_language(request)
    if user is None:
        user = request.get(_USER)
    role = user.role if user is not None else None

    def number_text(number: str, page: str) -> str:
        return number_for(request, role, page, number)

    html = (
        request.app[SITE_TEMPLATES_KEY]
        .get_template(template)
        .render(
            _=functools.partial(translate, language),
            lang=language,
            languages=LANGUAGES,
            user=user,
            csrf_token=user.csrf_token if user is not None else "",
            depot_name=request.app[DEPOT_KEY].depot_name,
            wired_positions=request.app[DEPOT_KEY].position_ids(),
            path=request.path_qs,
            known_keys=MESSAGES,
            number_text=number_text,
            **_formatters(request, language),
            **context,
        )
    )
    return web.Response(
        text=html, status=status, content_type="text/html", headers=SECURITY_HEADERS
    )


def error_page(
    request: web.Request, status: int, message_key: str, *, user: SignedIn | None = None
) -> web.Response:
    return render(request, "error.html", status=status, user=user, message_key=message_key)


def json_response(data: Any, *, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, headers=SECURITY_HEADERS)


async def form_of(request: web.Request) -> dict[str, str]:
    """The posted form's text fields (file parts left out)."""
    form = await request.post()
    return {key: value for key, value in form.items() if isinstance(value, str)}
