"""Over the web (issue 15): a queue set on the settings page to require the call summary holds
the agent's wrap-up until the phone bar's summary is saved (a supervisor can still make the
agent ready from the monitor); the phone bar transfers a caller to a queue, and a queue that
cannot take the caller is refused."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from test_settings_menu import queue_form
from web_depot import (
    AGENT_ID,
    AGENT_PASSWORD,
    POSITION,
    SUPERVISOR_ID,
    SUPERVISOR_PASSWORD,
    agent_state,
    answered_call,
    running_depot,
    until,
)
from web_http import Browserish

from appliance.engine.records import Verb

CALLER = "13800138000"
JSON = {"Accept": "application/json"}


def new_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def post_json(
    session: aiohttp.ClientSession, url: str, form: dict[str, str]
) -> tuple[int, Any]:
    async with session.post(url, data=form, headers=JSON) as response:
        return response.status, await response.json()


def test_summary_required_holds_wrap_up_until_the_summary_is_saved(tmp_path: Any) -> None:
    async def main() -> None:
        async with (
            running_depot(tmp_path / "depot.db") as depot,
            new_session() as boss_session,
            new_session() as agent_session,
        ):
            boss = Browserish(depot.url, boss_session)
            await boss.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
            boss_token = await boss.csrf("/supervisor/settings")
            form = queue_form(boss_token, "cargo", wrap_up_s="600", summary_required="on")
            status, _page = await boss.post("/supervisor/settings", form)
            assert status == 303
            _status, page = await boss.page("/supervisor/settings")
            assert 'name="summary_required" checked' in page
            assert depot.service.setup().queue("cargo").summary_required

            agent = Browserish(depot.url, agent_session)
            await agent.sign_in(AGENT_ID, AGENT_PASSWORD)
            token = await agent.csrf()
            call_id = await answered_call(depot, CALLER)
            depot.positions.hang_up(POSITION)
            await until(lambda: agent_state(depot) == "wrap_up")
            _status, page = await agent.page("/desk")
            assert 'id="phone-summary-pending">' in page  # shown, not hidden
            status, answer = await post_json(
                agent_session, f"{depot.url}/desk/state", {"csrf_token": token, "action": "ready"}
            )
            assert (status, answer["error"]) == (400, "phone.summary_first")
            assert agent_state(depot) == "wrap_up"
            summary = {"csrf_token": token, "action": "summary", "summary": "查询到货时间"}
            status, bar = await post_json(agent_session, f"{depot.url}/desk/phone", summary)
            assert status == 200 and not bar["summary_pending"] and bar["state"] == "wrap_up"
            status, _answer = await post_json(
                agent_session, f"{depot.url}/desk/state", {"csrf_token": token, "action": "ready"}
            )
            assert status == 200 and agent_state(depot) == "ready"
            records = await depot.desk.records.recent_records()
            assert [(r.kind, r.call_id) for r in records] == [("summary", call_id)]

            # the next call: the supervisor makes the agent ready without the summary
            await answered_call(depot, CALLER)
            depot.positions.hang_up(POSITION)
            await until(lambda: agent_state(depot) == "wrap_up")
            monitor_token = await boss.csrf("/supervisor/monitor")
            status, _page = await boss.post(
                "/supervisor/monitor",
                {"csrf_token": monitor_token, "action": "ready", "agent_id": AGENT_ID},
            )
            assert status == 303 and agent_state(depot) == "ready"

    asyncio.run(main())


def test_phone_bar_transfers_the_caller_to_a_queue_and_refuses_an_unknown_one(
    tmp_path: Any,
) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot, new_session() as session:
            agent = Browserish(depot.url, session)
            await agent.sign_in(AGENT_ID, AGENT_PASSWORD)
            token = await agent.csrf()
            call_id = await answered_call(depot, CALLER)
            _status, page = await agent.page("/desk")
            assert 'value="queue:orders"' in page and 'id="phone-to-queues"' in page
            url = f"{depot.url}/desk/phone"
            form = {"csrf_token": token, "action": "transfer", "to_agent": "queue:returns"}
            status, answer = await post_json(session, url, form)
            assert (status, answer["refused"]) == (409, "phone.queue_refused")
            assert agent_state(depot) == "on_call"
            form["to_agent"] = "queue:orders"
            status, bar = await post_json(session, url, form)
            assert status == 200 and bar["state"] == "wrap_up"
            waiting = depot.service.snapshot().calls[0]
            assert (waiting.id, waiting.queue, waiting.stage.value) == (call_id, "orders", "queued")
            log = await depot.runtime.store.queue_log(0.0)
            transfer = next(e for e in log if e.verb is Verb.TRANSFER)
            assert (transfer.queue, transfer.agent, transfer.data[:2]) == (
                "cargo",
                AGENT_ID,
                ("orders", "queue"),
            )
            entries = [e.queue for e in log if e.verb is Verb.ENTERQUEUE and e.call_id == call_id]
            assert entries == ["cargo", "orders"]

    asyncio.run(main())
