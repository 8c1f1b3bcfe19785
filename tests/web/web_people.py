"""People signed in to a running depot's pages, each with their own cookies, for the tests of
the follow-up loops (回访, 工单, 运单号)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import aiohttp
from web_http import Browserish


@contextlib.asynccontextmanager
async def signed_in(url: str, *accounts: tuple[str, str]) -> AsyncIterator[list[Browserish]]:
    """One browser-like client per (agent id, password), signed in."""
    async with contextlib.AsyncExitStack() as stack:
        people = []
        for agent_id, password in accounts:
            session = await stack.enter_async_context(
                aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
            )
            person = Browserish(url, session)
            await person.sign_in(agent_id, password)
            people.append(person)
        yield people


async def post(who: Browserish, path: str, data: dict[str, str]) -> tuple[int, str]:
    """A form posted with the CSRF token of the person's desk page."""
    token = await who.csrf("/desk")
    return await who.post(path, {"csrf_token": token, **data})


async def upload(
    who: Browserish, path: str, data: bytes, fields: dict[str, str], *, name: str = "file.csv"
) -> tuple[int, str]:
    """A CSV file posted as a multipart form with its other fields."""
    form = aiohttp.FormData()
    form.add_field("csrf_token", await who.csrf("/desk"))
    for key, value in fields.items():
        form.add_field(key, value)
    form.add_field("file", data, filename=name, content_type="text/csv")
    return await who.post(path, form)  # type: ignore[arg-type]
