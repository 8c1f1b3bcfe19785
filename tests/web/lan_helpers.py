"""Helpers for the tests that try the site as a hostile neighbour would (issue 15)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
from web_depot import Depot, running_depot


def new_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


def with_depot(tmp_path: Path, test: Callable[[Depot], Awaitable[None]]) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            await test(depot)

    asyncio.run(main())


async def raw_request(depot: Depot, head: bytes, body: bytes = b"") -> tuple[int, bytes]:
    """Sends bytes no well-behaved client would; the status and what came back."""
    host, port = depot.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(head + body)
        await writer.drain()
        reply = await reader.read(65536)
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
    status = int(reply.split(b" ", 2)[1])
    return status, reply


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(10):
        while not condition():
            await asyncio.sleep(0.02)
