"""Restore by upload (admin): the backup streamed to disk and checked, a confirmation page with
what it holds, then the depot restarts and swaps it in (docs/backup.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from appliance.desk import RestoreRefused
from web_ui.site.security import (
    ADMIN,
    DESK_KEY,
    error_page,
    render,
    requires,
    signed_in,
    upload_parts,
    upload_stall_timeout,
)
from web_ui.site.supervisor_pages import status_page

routes = web.RouteTableDef()

UPLOAD_CHUNK_BYTES = 256 * 1024
BACKUP_FIELD = "backup"


async def _chunks(part: BodyPartReader | None) -> AsyncIterator[bytes]:
    while part is not None:
        async with upload_stall_timeout():
            chunk = await part.read_chunk(UPLOAD_CHUNK_BYTES)
        if not chunk:
            return
        yield chunk


@routes.post("/admin/restore")
@requires(ADMIN, streamed_upload=True)
async def upload_backup(request: web.Request) -> web.StreamResponse:
    """The backup file, after the CSRF token: streamed beside the database, never in memory
    (the app's client_max_size only bounds forms read whole; this route keeps its own limit)."""
    try:
        async with upload_stall_timeout():
            part = await upload_parts(request).next()
    except (ValueError, HttpProcessingError):  # a malformed body: no file in it
        part = None
    except TimeoutError:
        return error_page(request, 408, "error.upload_stalled")
    if not isinstance(part, BodyPartReader) or part.name != BACKUP_FIELD:
        part = None
    name = part.filename or "" if part is not None else ""
    try:
        await request.app[DESK_KEY].receive_restore(
            signed_in(request), name, _chunks(part), request.content_length
        )
    except RestoreRefused as refused:
        return await status_page(request, restore_error=refused)
    except TimeoutError:
        return error_page(request, 408, "error.upload_stalled")
    except (ValueError, HttpProcessingError):  # the file part's framing broke off
        return error_page(request, 400, "error.unreadable_form")
    raise web.HTTPSeeOther("/admin/restore")


@routes.get("/admin/restore")
@requires(ADMIN)
async def confirm_page(request: web.Request) -> web.StreamResponse:
    """What the uploaded backup holds, with "restore now" and "cancel"."""
    staged = await request.app[DESK_KEY].staged_restore()
    if staged is None:
        raise web.HTTPSeeOther("/admin/status")
    return render(request, "restore.html", staged=staged, started=False, restarts=False)


@routes.post("/admin/restore/confirm")
@requires(ADMIN)
async def restore_now(request: web.Request) -> web.StreamResponse:
    try:
        restarts = await request.app[DESK_KEY].confirm_restore(signed_in(request))
    except RestoreRefused as refused:
        return await status_page(request, restore_error=refused)
    return render(request, "restore.html", staged=None, started=True, restarts=restarts)


@routes.post("/admin/restore/cancel")
@requires(ADMIN)
async def cancel(request: web.Request) -> web.StreamResponse:
    await request.app[DESK_KEY].cancel_restore(signed_in(request))
    raise web.HTTPSeeOther("/admin/status")
