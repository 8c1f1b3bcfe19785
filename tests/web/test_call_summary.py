"""The call summary (通话小结) asked for on the phone bar in wrap-up (issue 15): refused empty,
then kept as a record of that call, and no longer asked for."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import aiohttp
from web_depot import AGENT_ID, AGENT_PASSWORD, POSITION, running_depot
from web_http import Browserish

from drivers.roles import CallerId

CALLER = "13800138000"


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(10):
        while not condition():
            await asyncio.sleep(0.02)


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

            def state() -> str:
                me = next(a for a in depot.service.snapshot().agents if a.id == AGENT_ID)
                return me.state.value

            await depot.service.log_in(AGENT_ID, POSITION)
            await depot.service.ready(AGENT_ID)
            assert depot.lines.incoming_call("L1", CallerId(CALLER, ""))
            await until(lambda: bool(depot.service.snapshot().calls))
            await until(lambda: depot.service.snapshot().calls[0].stage.value == "greeting")
            depot.lines.press("L1", "1")
            await until(lambda: depot.positions.state(POSITION).value == "ringing")
            depot.positions.answer(POSITION)
            await until(lambda: state() == "on_call")
            call_id = depot.service.snapshot().calls[0].id
            depot.positions.hang_up(POSITION)
            await until(lambda: state() == "wrap_up")
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
