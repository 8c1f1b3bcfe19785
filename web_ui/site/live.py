"""Server-sent events for the live pages: each stream sends a JSON picture whenever it changes,
checked on every depot update and at least every LIVE_POLL_S (calls ring and timers run
between updates)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from appliance.service import DepotService
from web_ui.site.security import SECURITY_HEADERS

LIVE_POLL_S = 0.25
KEEPALIVE_S = 15.0


async def stream(
    request: web.Request,
    service: DepotService,
    picture: Callable[[], Awaitable[dict[str, Any]]],
    *,
    event: str,
) -> web.StreamResponse:
    """Send `picture()` as `event` now and again whenever it differs from the last one sent."""
    response = web.StreamResponse(
        headers={
            **SECURITY_HEADERS,
            "Content-Type": "text/event-stream",
            "X-Accel-Buffering": "no",
        }
    )
    await response.prepare(request)
    updates = service.subscribe()
    changed = asyncio.Event()

    async def watch() -> None:
        async for _update in updates:
            changed.set()

    watcher = asyncio.create_task(watch())
    last_sent = ""
    idle_s = 0.0
    try:
        while not watcher.done():
            text = json.dumps(await picture(), ensure_ascii=False, sort_keys=True)
            if text != last_sent:
                await response.write(f"event: {event}\ndata: {text}\n\n".encode())
                last_sent = text
                idle_s = 0.0
            elif idle_s >= KEEPALIVE_S:
                await response.write(b": keep-alive\n\n")
                idle_s = 0.0
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(LIVE_POLL_S):
                    await changed.wait()
            changed.clear()
            idle_s += LIVE_POLL_S
    except ConnectionResetError:
        pass  # the browser went away
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await watcher
        close = getattr(updates, "aclose", None)  # an async generator: end its subscription
        if close is not None:
            with contextlib.suppress(Exception):
                await close()
    return response
