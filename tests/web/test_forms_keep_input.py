"""Forms that refuse a field keep what was typed in every field and say the limit (issue 15):
a 10 000-character notice is refused with its limit, never cut to 500."""

from __future__ import annotations

import asyncio
import html
from pathlib import Path

import aiohttp
from web_depot import ADMIN_ID, ADMIN_PASSWORD, SUPERVISOR_ID, SUPERVISOR_PASSWORD, running_depot
from web_http import Browserish

LONG_NOTICE = "今天下午三点开会。" * 1112  # 10 008 characters


def test_forms_refuse_too_long_text_keep_the_input_and_say_the_limit(tmp_path: Path) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            jar = aiohttp.CookieJar(unsafe=True)
            async with aiohttp.ClientSession(cookie_jar=jar) as session:
                supervisor = Browserish(depot.url, session)
                await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
                token = await supervisor.csrf("/supervisor/notices")
                status, page = await supervisor.post(
                    "/supervisor/notices", {"csrf_token": token, "text": LONG_NOTICE}
                )
                assert status == 400 and "内容过长 (最多 500 个字)" in page
                assert f">{LONG_NOTICE}</textarea>" in page  # all of it, to shorten
                assert await depot.desk.notices.notices() == []
                assert "maxlength" not in page  # the browser does not cut a paste silently
                status, page = await supervisor.post(
                    "/supervisor/handover", {"csrf_token": token, "text": "交" * 4001}
                )
                assert status == 400 and "最多 4000 个字" in page and "交" * 4001 in page
                hours = {
                    "csrf_token": token,
                    "action": "hours",
                    "day_0": "08:00-20:00",
                    "day_1": "8点到晚上",
                    "holidays": "2026-10-01",
                }
                status, page = await supervisor.post("/supervisor/settings", hours)
                assert status == 400 and 'data-field="day_1"' in page
                assert 'name="day_0" value="08:00-20:00"' in page
                assert 'name="day_1" value="8点到晚上"' in page
                assert ">2026-10-01</textarea>" in page
                agent = {
                    "csrf_token": token,
                    "action": "agent",
                    "agent_id": "1010",
                    "name": "李" * 61,
                    "tier_cargo": "2",
                }
                status, page = await supervisor.post("/supervisor/settings", agent)
                assert status == 400 and "最多 60 个字" in page
                assert 'name="agent_id" inputmode="numeric" required value="1010"' in page
                assert f'value="{"李" * 61}"' in page
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as s:
                admin = Browserish(depot.url, s)
                await admin.sign_in(ADMIN_ID, ADMIN_PASSWORD)
                token = await admin.csrf("/admin/users")
                form = {
                    "csrf_token": token,
                    "action": "add",
                    "agent_id": "1010",
                    "name": "A <b>" * 20,
                    "role": "agent",
                    "password": "long-enough-1",
                }
                status, page = await admin.post("/admin/users", form)
                assert status == 400 and "最多 60 个字" in page
                assert f'value="{html.escape("A <b>" * 20)}"' in page

    asyncio.run(main())
