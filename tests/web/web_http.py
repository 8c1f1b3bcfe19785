"""A small aiohttp client for the security tests: signs in like a browser (login page token,
cookies) and reads the CSRF token from the pages it gets."""

from __future__ import annotations

import re

import aiohttp

_INPUT = re.compile(r'name="(csrf_token|login_token)" value="([^"]*)"')


def hidden_token(html: str, name: str = "csrf_token") -> str:
    for found_name, value in _INPUT.findall(html):
        if found_name == name:
            return value
    raise AssertionError(f"no {name} on the page")


class Browserish:
    def __init__(self, url: str, session: aiohttp.ClientSession) -> None:
        self.url = url
        self.session = session

    async def sign_in(self, agent_id: str, password: str) -> aiohttp.ClientResponse:
        async with self.session.get(f"{self.url}/login") as page:
            token = hidden_token(await page.text(), "login_token")
        response = await self.session.post(
            f"{self.url}/login",
            data={"login_token": token, "agent_id": agent_id, "password": password},
            allow_redirects=False,
        )
        await response.read()
        return response

    async def page(self, path: str) -> tuple[int, str]:
        async with self.session.get(
            f"{self.url}{path}", headers={"Accept": "text/html"}, allow_redirects=False
        ) as response:
            return response.status, await response.text()

    async def csrf(self, path: str = "/desk") -> str:
        status, html = await self.page(path)
        assert status == 200, (path, status)
        return hidden_token(html)

    async def post(self, path: str, data: dict[str, str]) -> tuple[int, str]:
        async with self.session.post(
            f"{self.url}{path}", data=data, allow_redirects=False
        ) as response:
            return response.status, await response.text()
