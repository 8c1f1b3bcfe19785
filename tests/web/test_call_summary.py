"""The call summary (通话小结) asked for on the phone bar in wrap-up (issue 15): refused empty,
then kept as a record of that call, and no longer asked for."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
from web_depot import (
    AGENT_ID,
    AGENT_PASSWORD,
    POSITION,
    agent_state,
    answered_call,
    running_depot,
    until,
)
from web_http import Browserish

CALLER = "13800138000"


def test_wrap_up_asks_for_a_summary_kept_as_a_record_of_the_call(tmp_path: Path) -> None:
    async def main() -> None:
        async with (
            running_depot(tmp_path / "depot.db") as depot,
            aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session,
        ):
            agent = Browserish(depot.url, session)
            await agent.sign_in(AGENT_ID, AGENT_PASSWORD)
            token = await agent.csrf()
            _status, page = await agent.page("/desk")
            assert 'id="summary-form" class="summary" hidden' in page  # no call: not asked

            call_id = await answered_call(depot, CALLER)
            depot.positions.hang_up(POSITION)
            await until(lambda: agent_state(depot) == "wrap_up")
            _status, page = await agent.page("/desk")
            assert 'id="summary-form" class="summary">' in page  # asked for now
            json = {"Accept": "application/json"}
            form = {"csrf_token": token, "action": "summary", "summary": "  "}
            async with session.post(f"{depot.url}/desk/phone", data=form, headers=json) as r:
                assert r.status == 400 and (await r.json())["refused"] == "problem.required"
            form["summary"] = "客户查询运单 SF123 的到货时间，已告知明天送达。"
            async with session.post(f"{depot.url}/desk/phone", data=form, headers=json) as r:
                assert r.status == 200 and (await r.json())["summary_call_id"] == ""
            records = await depot.desk.records.recent_records()
            assert [(r.kind, r.call_id, r.number) for r in records] == [
                ("summary", call_id, CALLER)
            ]
            assert records[0].field("summary").startswith("客户查询运单")

    asyncio.run(main())
