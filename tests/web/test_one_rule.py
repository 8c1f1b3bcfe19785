"""Positions and 工号 checked by one rule everywhere (issue 15): no signing in at a position the
box is not wired with; a 工号 is digits on the users page, the settings, the first-boot page
and `depotline users`, as on a phone's keypad."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
from web_depot import ADMIN_ID, ADMIN_PASSWORD, AGENT_ID, AGENT_PASSWORD, running_depot
from web_http import Browserish

from appliance.store import is_agent_id


def test_agent_cannot_sign_in_at_a_position_the_box_does_not_have(tmp_path: Path) -> None:
    async def main() -> None:
        async with (
            running_depot(tmp_path / "depot.db") as depot,
            aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as s,
        ):
            agent = Browserish(depot.url, s)
            await agent.sign_in(AGENT_ID, AGENT_PASSWORD)
            status, page = await agent.page("/desk")
            assert '<option value="pos1"' in page and '<option value="pos2"' in page
            token = await agent.csrf()
            status, _ = await agent.post(
                "/desk/state", {"csrf_token": token, "action": "login", "position": "座席9"}
            )
            assert status == 400
            me = next(a for a in depot.service.snapshot().agents if a.id == AGENT_ID)
            assert me.state.value == "logged_out" and me.position == ""

    asyncio.run(main())


def test_users_page_refuses_a_work_number_that_is_not_digits(tmp_path: Path) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as s:
                admin = Browserish(depot.url, s)
                await admin.sign_in(ADMIN_ID, ADMIN_PASSWORD)
                token = await admin.csrf("/admin/users")
                for bad in ("王五", "１２３", "12a", "1" * 21):
                    form = {
                        "csrf_token": token,
                        "action": "add",
                        "agent_id": bad,
                        "name": "王五",
                        "role": "agent",
                        "password": "long-enough-1",
                    }
                    status, page = await admin.post("/admin/users", form)
                    assert status == 400 and 'data-field="agent_id"' in page, bad
            assert {u.agent_id for u in await depot.desk.users()} == {AGENT_ID, "9001", ADMIN_ID}

    asyncio.run(main())


def test_work_number_rule_is_ascii_digits_up_to_20() -> None:
    assert is_agent_id("1001") and is_agent_id("0" * 20)
    for bad in ("", "王五", "１２３", "²", "12a", " 12", "1" * 21):
        assert not is_agent_id(bad), bad


def test_desk_of_an_agent_the_box_has_not_seen_shows_no_state_timer(tmp_path: Path) -> None:
    # a fresh box: the agent has never logged in to a position, so "since when" is unknown; the
    # desk showed the time since 1970 (499141:30:01) on the page and in its live picture
    async def main() -> None:
        async with (
            running_depot(tmp_path / "depot.db") as depot,
            aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as s,
        ):
            agent = Browserish(depot.url, s)
            await agent.sign_in(AGENT_ID, AGENT_PASSWORD)
            _, page = await agent.page("/desk")
            assert '<span id="timer" class="timer">—</span>' in page
            token = await agent.csrf()
            status, body = await agent.post(
                "/desk/state", {"csrf_token": token, "action": "login", "position": "pos1"}
            )
            assert status == 303, body  # back to the desk
            _, page = await agent.page("/desk")
            assert '<span id="timer" class="timer">0:00:0' in page

    asyncio.run(main())
