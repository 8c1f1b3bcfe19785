"""What the LAN sees without signing in, and who sees callers' numbers (issue 15): the TV
wallboard only by a display link an admin made, numbers masked where not needed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lan_helpers import new_session, until, with_depot
from web_depot import (
    ADMIN_ID,
    ADMIN_PASSWORD,
    AGENT_ID,
    AGENT_PASSWORD,
    POSITION,
    SUPERVISOR_ID,
    SUPERVISOR_PASSWORD,
    Depot,
    running_depot,
)
from web_http import Browserish

from appliance.config import ConfigError, parse
from appliance.desk import Role, SignedIn
from appliance.engine.records import CallEnded, CallRecord, EndReason
from drivers.roles import CallerId

CALLER_NUMBER, CALLER_NAME = "15000005555", "黄敏"


# -- the TV wallboard's display link ----------------------------------------------------------


def test_tv_screen_opens_only_through_a_display_link_the_admin_can_revoke(tmp_path: Path) -> None:
    async def test(depot: Depot) -> None:
        async with new_session() as tv, new_session() as jar, new_session() as super_jar:
            anonymous = Browserish(depot.url, tv)
            assert (await anonymous.page("/supervisor/wallboard"))[0] == 303
            assert (await anonymous.page("/screen/made-up-link"))[0] == 404
            supervisor = Browserish(depot.url, super_jar)
            await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
            status, _ = await supervisor.post(
                "/admin/screens",
                {"csrf_token": await supervisor.csrf(), "action": "add", "name": "大屏"},
            )
            assert status == 403
            admin = Browserish(depot.url, jar)
            await admin.sign_in(ADMIN_ID, ADMIN_PASSWORD)
            token = await admin.csrf("/admin/screens")
            status, page = await admin.post(
                "/admin/screens", {"csrf_token": token, "action": "add", "name": "x" * 41}
            )
            assert status == 400 and 'data-field="screen_name"' in page
            assert 'value="' + "x" * 41 + '"' in page  # what was typed is kept
            status, page = await admin.post(
                "/admin/screens", {"csrf_token": token, "action": "add", "name": "调度室大屏"}
            )
            assert status == 200
            link = page.split('id="new-link" readonly size="70" value="')[1].split('"')[0]
            path = link.removeprefix(depot.url)
            assert path.startswith("/screen/")
            status, screen = await anonymous.page(path)
            assert status == 200 and 'id="fig-calls_waiting"' in screen
            assert "/logout" not in screen and 'class="wallboard-page screen"' in screen
            async with tv.get(f"{depot.url}{path}/live") as live:
                assert live.status == 200
                assert (await live.content.readline()).startswith(b"event: figures")
            assert (await admin.page("/admin/screens"))[1].count("调度室大屏") == 1
            link_id = (await depot.desk.displays.every())[0].link_id
            status, _ = await admin.post(
                "/admin/screens", {"csrf_token": token, "action": "revoke", "link_id": str(link_id)}
            )
            assert status == 303
            assert (await anonymous.page(path))[0] == 404
            async with tv.get(f"{depot.url}{path}/live") as live:
                assert live.status == 404
        actions = [(e.action, e.target) for e in await depot.desk.audit_log()]
        assert ("screen.add", "调度室大屏") in actions and (
            "screen.revoke",
            "调度室大屏",
        ) in actions

    with_depot(tmp_path, test)


# -- numbers masked where they are not needed --------------------------------------------------


def test_monitor_masks_a_waiting_callers_number_by_default_page_and_stream(
    tmp_path: Path,
) -> None:
    async def test(depot: Depot) -> None:
        await depot.service.log_in(AGENT_ID, POSITION)
        await depot.service.ready(AGENT_ID)
        assert depot.lines.incoming_call("L1", CallerId(CALLER_NUMBER, CALLER_NAME))
        await until(
            lambda: any(c.stage.value == "greeting" for c in depot.service.snapshot().calls)
        )
        depot.lines.press("L1", "1")
        await until(lambda: any(c.stage.value == "offered" for c in depot.service.snapshot().calls))
        async with new_session() as session:
            supervisor = Browserish(depot.url, session)
            await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
            status, page = await supervisor.page("/supervisor/monitor")
            assert status == 200 and "150****5555" in page and CALLER_NUMBER not in page
            async with session.get(f"{depot.url}/supervisor/monitor/live") as live:
                await live.content.readline()
                data = (await live.content.readline()).decode()
                assert "150****5555" in data and CALLER_NUMBER not in data

    with_depot(tmp_path, test)


def test_mask_numbers_setting_masks_customers_for_agents_only(tmp_path: Path) -> None:
    config = parse('[web]\nmask_numbers = ["agent:customers"]\n')

    async def main() -> None:
        async with running_depot(tmp_path / "depot.db", config=config) as depot:
            lead = SignedIn(SUPERVISOR_ID, "孙主管", Role.SUPERVISOR, "", 0.0)
            form = {"topic": "运费", "answered": "yes", "customer_name": "张伟"}
            await depot.desk.records.save_record(lead, "consultation", "", CALLER_NUMBER, form)
            for who, password, shown in (
                (AGENT_ID, AGENT_PASSWORD, "150****5555"),
                (SUPERVISOR_ID, SUPERVISOR_PASSWORD, CALLER_NUMBER),
            ):
                async with new_session() as session:
                    client = Browserish(depot.url, session)
                    await client.sign_in(who, password)
                    status, page = await client.page("/customers")
                    assert status == 200 and f"<td>{shown}</td>" in page, who
                    monitor_open = (await client.page("/supervisor/monitor"))[0] == 200
                    assert monitor_open == (who == SUPERVISOR_ID)

    asyncio.run(main())


def test_mask_numbers_setting_with_an_unknown_page_names_key_and_choices() -> None:
    with pytest.raises(ConfigError) as error:
        parse('[web]\nmask_numbers = ["agent:wallboard"]\n')
    assert "web.mask_numbers" in str(error.value) and "monitor" in str(error.value)


def test_quality_check_page_masks_the_caller_like_the_recordings_list(tmp_path: Path) -> None:
    """The 质检 check page (merged in beside the masking) names the call it scores: by default
    the supervisor sees it masked there as on the recordings list."""

    async def test(depot: Depot) -> None:
        arrived_s = depot.service.now() - 600
        record = CallRecord(
            "qc1",
            "L1",
            "in",
            CALLER_NUMBER,
            "",
            arrived_s,
            arrived_s + 200,
            EndReason.ANSWERED,
            queue="cargo",
            agent=AGENT_ID,
            connected_s=arrived_s + 10,
            talk_s=190,
            recording_path="qc1.wav",  # missing: the page says why instead of a player
        )
        await depot.runtime.store.record([CallEnded(record)])
        async with new_session() as session:
            supervisor = Browserish(depot.url, session)
            await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
            status, page = await supervisor.page("/supervisor/quality/calls/qc1")
            assert status == 200 and "150****5555" in page and CALLER_NUMBER not in page

    with_depot(tmp_path, test)
