"""The supervisor's agent monitor (issue 15): time in state that is right (a never-signed-in
agent, 暂停→就绪), over-time alerts, a dead phone shown as such, and the supervisor's buttons."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
from web_depot import (
    AGENT_ID,
    POSITION,
    SUPERVISOR_ID,
    SUPERVISOR_PASSWORD,
    Depot,
    running_depot,
)
from web_http import Browserish

from appliance.store import Role
from drivers.roles import CallerId

LEAD_ID, LEAD_PASSWORD = "2001", "lead-pass-2001"  # 班长: a supervisor with a phone
NEVER_SIGNED_IN = "1005"


def agent_row(page: str, agent_id: str) -> str:
    found = re.search(rf'<tr data-agent="{agent_id}"[^>]*>.*?</tr>', page, re.S)
    assert found is not None, agent_id
    return found.group(0)


def cell(row: str, name: str) -> str:
    found = re.search(rf'<td class="{name}">(.*?)</td>', row, re.S)
    assert found is not None, name
    return found.group(1)


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(10):
        while not condition():
            await asyncio.sleep(0.02)


def with_supervisor(
    tmp_path: Path, test: Callable[[Depot, Browserish], Awaitable[None]], *, lead: bool = False
) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            jar = aiohttp.CookieJar(unsafe=True)
            async with aiohttp.ClientSession(cookie_jar=jar) as session:
                client = Browserish(depot.url, session)
                if lead:
                    await depot.runtime.store.add_user(
                        LEAD_ID, "赵敏", Role.SUPERVISOR, LEAD_PASSWORD
                    )
                    await client.sign_in(LEAD_ID, LEAD_PASSWORD)
                else:
                    await client.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
                await test(depot, client)

    asyncio.run(main())


def test_monitor_never_signed_in_agent_has_no_time_in_state(tmp_path: Path) -> None:
    async def test(depot: Depot, supervisor: Browserish) -> None:
        status, page = await supervisor.page("/supervisor/monitor")
        assert status == 200
        assert cell(agent_row(page, NEVER_SIGNED_IN), "in-state") == "—"

    with_supervisor(tmp_path, test)


def test_monitor_time_restarts_when_a_paused_agent_is_ready_again(tmp_path: Path) -> None:
    async def test(depot: Depot, supervisor: Browserish) -> None:
        await depot.service.log_in(AGENT_ID, POSITION)
        await depot.service.pause(AGENT_ID, "lunch")
        depot.clock.offset_s += 600
        await depot.service.ready(AGENT_ID)
        row = agent_row((await supervisor.page("/supervisor/monitor"))[1], AGENT_ID)
        assert 'data-state="ready"' in row
        assert cell(row, "in-state").startswith("0:00:"), row

    with_supervisor(tmp_path, test)


def test_monitor_pause_over_its_time_is_an_alert_and_a_dead_phone_shows(tmp_path: Path) -> None:
    async def test(depot: Depot, supervisor: Browserish) -> None:
        await depot.service.log_in(AGENT_ID, POSITION)
        await depot.service.pause(AGENT_ID, "break")
        row = agent_row((await supervisor.page("/supervisor/monitor"))[1], AGENT_ID)
        assert "over-time" not in row
        depot.clock.offset_s += 16 * 60
        row = agent_row((await supervisor.page("/supervisor/monitor"))[1], AGENT_ID)
        assert "over-time" in row and "超时" in cell(row, "state")
        depot.positions.unplug(POSITION)
        await until(lambda: POSITION in depot.service.figures().faults)
        row = agent_row((await supervisor.page("/supervisor/monitor"))[1], AGENT_ID)
        assert "phone-down" in row and "话机故障" in cell(row, "state")

    with_supervisor(tmp_path, test)


def test_monitor_force_pause_and_sign_out_act_on_the_agent_and_are_audited(
    tmp_path: Path,
) -> None:
    async def test(depot: Depot, supervisor: Browserish) -> None:
        await depot.service.log_in(AGENT_ID, POSITION)
        await depot.service.ready(AGENT_ID)
        token = await supervisor.csrf("/supervisor/monitor")

        def state() -> str:
            return next(a for a in depot.service.snapshot().agents if a.id == AGENT_ID).state.value

        for action, expected in (("pause", "paused"), ("sign_out", "logged_out")):
            status, _ = await supervisor.post(
                "/supervisor/monitor", {"csrf_token": token, "action": action, "agent_id": AGENT_ID}
            )
            assert status == 303, action
            assert state() == expected
        status, page = await supervisor.post(
            "/supervisor/monitor", {"csrf_token": token, "action": "pause", "agent_id": AGENT_ID}
        )
        assert status == 400 and "无法暂停" in page
        row = agent_row(page, AGENT_ID)
        assert row.count("disabled") == 6  # signed out: no button can act (ready included)
        actions = [(e.action, e.target) for e in await depot.desk.audit_log()]
        assert ("monitor.pause", AGENT_ID) in actions and ("monitor.sign_out", AGENT_ID) in actions

    with_supervisor(tmp_path, test)


def test_monitor_listen_needs_the_supervisors_own_phone_then_joins_the_call(
    tmp_path: Path,
) -> None:
    async def test(depot: Depot, lead: Browserish) -> None:
        await depot.service.log_in(AGENT_ID, POSITION)
        await depot.service.ready(AGENT_ID)
        assert depot.lines.incoming_call("L1", CallerId("13800138000", ""))
        await until(
            lambda: any(c.stage.value == "greeting" for c in depot.service.snapshot().calls)
        )
        depot.lines.press("L1", "1")
        await until(lambda: any(c.stage.value == "offered" for c in depot.service.snapshot().calls))
        depot.positions.answer(POSITION)
        await until(
            lambda: any(c.stage.value == "connected" for c in depot.service.snapshot().calls)
        )
        token = await lead.csrf("/supervisor/monitor")
        page = (await lead.page("/supervisor/monitor"))[1]
        assert 'value="listen" data-needs="on_call">' in agent_row(page, AGENT_ID)  # enabled
        form = {"csrf_token": token, "action": "listen", "agent_id": AGENT_ID}
        status, page = await lead.post("/supervisor/monitor", form)
        assert status == 400 and "请先登录到座席" in page
        await depot.service.log_in(LEAD_ID, "pos2")
        status, _ = await lead.post("/supervisor/monitor", form)
        assert status == 303
        call_id = next(a for a in depot.service.snapshot().agents if a.id == AGENT_ID).call_id
        lead_view = next(a for a in depot.service.snapshot().agents if a.id == LEAD_ID)
        assert lead_view.call_id == call_id

    with_supervisor(tmp_path, test, lead=True)
