"""P3 web security against a running depot over real HTTP: roles checked on the server, CSRF
tokens, login throttling, session expiry, cookie flags, the audit log, form validation."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
from web_depot import (
    ADMIN_ID,
    ADMIN_PASSWORD,
    AGENT_ID,
    AGENT_PASSWORD,
    SUPERVISOR_ID,
    SUPERVISOR_PASSWORD,
    Depot,
    running_depot,
)
from web_http import Browserish

from appliance.desk import SESSION_IDLE_S

SUPERVISOR_PAGES = (
    "/tickets/overdue",
    "/supervisor/wallboard",
    "/supervisor/monitor",
    "/supervisor/notices",
    "/supervisor/handover",
    "/supervisor/blacklist",
    "/supervisor/wallboard/live",
    "/supervisor/monitor/live",
    "/supervisor/tasks",
    "/supervisor/settings",
    "/supervisor/recordings",
    "/reports",
    "/reports.csv?table=queues",
    "/reports/staffing",
)
ADMIN_PAGES = ("/admin/users", "/admin/audit", "/admin/status")


def with_depot(
    tmp_path: Path, test: Callable[[Depot, aiohttp.ClientSession], Awaitable[None]]
) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1
            async with aiohttp.ClientSession(cookie_jar=jar) as session:
                await test(depot, session)

    asyncio.run(main())


def test_web_agent_cannot_reach_supervisor_or_admin_pages_403(tmp_path: Path) -> None:
    async def test(depot: Depot, session: aiohttp.ClientSession) -> None:
        agent = Browserish(depot.url, session)
        assert (await agent.sign_in(AGENT_ID, AGENT_PASSWORD)).status == 303
        for path in SUPERVISOR_PAGES + ADMIN_PAGES:
            status, html = await agent.page(path)
            assert status == 403, path
            assert "无权访问" in html or "may not open" in html
        token = await agent.csrf()
        for path, data in (
            ("/supervisor/notices", {"text": "agents may not post notices"}),
            ("/supervisor/blacklist", {"number": "13800000000"}),
            ("/admin/users", {"agent_id": "7", "name": "x", "role": "admin", "password": "x" * 9}),
            ("/tickets/T1/escalate", {}),
            ("/supervisor/tasks", {"task_id": "t1", "agent_id": AGENT_ID}),
            ("/admin/backup", {}),
            ("/supervisor/settings", {"action": "remove_agent", "agent_id": "1002"}),
            ("/scripts", {"action": "add", "parent_id": "0", "title": "x", "body": "y"}),
        ):
            status, _html = await agent.post(path, {"csrf_token": token, **data})
            assert status == 403, path
        assert await depot.desk.notices.notices() == []
        assert await depot.desk.scripts.script_tree() == []
        assert await depot.service.blacklist() == ["17000000000"] or "13800000000" not in (
            await depot.service.blacklist()
        )
        assert [u.agent_id for u in await depot.desk.users()] == [AGENT_ID, SUPERVISOR_ID, ADMIN_ID]

    with_depot(tmp_path, test)


def test_web_supervisor_cannot_reach_admin_pages_403(tmp_path: Path) -> None:
    async def test(depot: Depot, session: aiohttp.ClientSession) -> None:
        supervisor = Browserish(depot.url, session)
        await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
        for path in ADMIN_PAGES:
            assert (await supervisor.page(path))[0] == 403, path
        assert (await supervisor.page("/supervisor/monitor"))[0] == 200

    with_depot(tmp_path, test)


def test_web_forged_or_missing_csrf_token_refused_and_nothing_changes(tmp_path: Path) -> None:
    async def test(depot: Depot, session: aiohttp.ClientSession) -> None:
        supervisor = Browserish(depot.url, session)
        await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
        real = await supervisor.csrf("/supervisor/notices")
        for forged in ("forged-token", real[:-1] + ("A" if real[-1] != "A" else "B"), ""):
            status, html = await supervisor.post(
                "/supervisor/notices", {"csrf_token": forged, "text": "forged notice"}
            )
            assert status == 403
            assert "未做任何更改" in html or "nothing was changed" in html
        status, _ = await supervisor.post("/supervisor/notices", {"text": "no token at all"})
        assert status == 403
        assert await depot.desk.notices.notices() == []
        assert await depot.desk.audit_log() == [
            entry for entry in await depot.desk.audit_log() if entry.action == "sign_in"
        ]
        # the real token works
        status, _ = await supervisor.post("/supervisor/notices", {"csrf_token": real, "text": "ok"})
        assert status == 303
        assert [n.text for n in await depot.desk.notices.notices()] == ["ok"]

    with_depot(tmp_path, test)


def test_web_login_forged_login_token_refused(tmp_path: Path) -> None:
    async def test(depot: Depot, session: aiohttp.ClientSession) -> None:
        response = await session.post(
            f"{depot.url}/login",
            data={"login_token": "made-up", "agent_id": AGENT_ID, "password": AGENT_PASSWORD},
            allow_redirects=False,
        )
        assert response.status == 403
        assert "depotline_session" not in response.cookies

    with_depot(tmp_path, test)


def test_web_sixth_wrong_password_in_a_minute_throttled_429(tmp_path: Path) -> None:
    async def test(depot: Depot, session: aiohttp.ClientSession) -> None:
        client = Browserish(depot.url, session)
        for _ in range(5):
            response = await client.sign_in(AGENT_ID, "wrong-password")
            assert response.status == 401
        response = await client.sign_in(AGENT_ID, "wrong-password")
        assert response.status == 429
        text = await response.text()
        assert "次数过多" in text or "Too many wrong passwords" in text
        assert int(response.headers["Retry-After"]) > 0
        # even the right password is refused while throttled
        assert (await client.sign_in(AGENT_ID, AGENT_PASSWORD)).status == 429
        depot.wall.time_s += 61
        assert (await client.sign_in(AGENT_ID, AGENT_PASSWORD)).status == 303

    with_depot(tmp_path, test)


def test_web_wrong_passwords_for_many_ids_from_one_address_throttled(tmp_path: Path) -> None:
    async def test(depot: Depot, session: aiohttp.ClientSession) -> None:
        client = Browserish(depot.url, session)
        for n in range(5):
            assert (await client.sign_in(f"80{n}", "guess")).status == 401
        assert (await client.sign_in("8099", "guess")).status == 429

    with_depot(tmp_path, test)


def test_web_idle_session_expires_and_page_sends_to_login(tmp_path: Path) -> None:
    async def test(depot: Depot, session: aiohttp.ClientSession) -> None:
        agent = Browserish(depot.url, session)
        await agent.sign_in(AGENT_ID, AGENT_PASSWORD)
        assert (await agent.page("/desk"))[0] == 200
        depot.wall.time_s += SESSION_IDLE_S - 60
        assert (await agent.page("/desk"))[0] == 200  # in use: the idle time starts again
        depot.wall.time_s += SESSION_IDLE_S + 1
        async with session.get(
            f"{depot.url}/desk", headers={"Accept": "text/html"}, allow_redirects=False
        ) as response:
            assert response.status == 303
            assert response.headers["Location"] == "/login?next=/desk"
        async with session.post(f"{depot.url}/desk/state", data={}) as response:
            assert response.status == 401

    with_depot(tmp_path, test)


def test_web_session_cookie_httponly_samesite_strict_and_signout_ends_it(tmp_path: Path) -> None:
    async def test(depot: Depot, session: aiohttp.ClientSession) -> None:
        agent = Browserish(depot.url, session)
        response = await agent.sign_in(AGENT_ID, AGENT_PASSWORD)
        cookie = response.cookies["depotline_session"]
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Strict"
        assert cookie.value not in response.headers.get("Location", "")
        token = await agent.csrf()
        status, _ = await agent.post("/logout", {"csrf_token": token})
        assert status == 303
        assert (await agent.page("/desk"))[0] == 303

    with_depot(tmp_path, test)


def test_web_audit_log_records_every_supervisor_action(tmp_path: Path) -> None:
    async def test(depot: Depot, session: aiohttp.ClientSession) -> None:
        agent_session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        async with agent_session:
            agent = Browserish(depot.url, agent_session)
            await agent.sign_in(AGENT_ID, AGENT_PASSWORD)
            token = await agent.csrf()
            await agent.post(
                "/records",
                {
                    "csrf_token": token,
                    "kind": "complaint",
                    "number": "13800138000",
                    "category": "delay",
                    "department": "cargo",
                    "details": "货物延误三天",
                },
            )
        ticket = (await depot.desk.tickets.open_tickets())[0]
        supervisor = Browserish(depot.url, session)
        await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
        token = await supervisor.csrf()
        actions = (
            ("/supervisor/notices", {"text": "今天下午三点开会"}),
            ("/supervisor/handover", {"text": "L2 线路噪音，已报修"}),
            ("/supervisor/blacklist", {"number": "13011112222"}),
            (f"/tickets/{ticket.ticket_id}/escalate", {"note": "客户再次来电"}),
            (f"/tickets/{ticket.ticket_id}/close", {"reason": "客户已撤诉"}),
        )
        for path, data in actions:
            status, _ = await supervisor.post(path, {"csrf_token": token, **data})
            assert status == 303, path
        entries = [e for e in await depot.desk.audit_log() if e.actor == SUPERVISOR_ID]
        assert [(e.action, e.target) for e in reversed(entries)] == [
            ("sign_in", SUPERVISOR_ID),
            ("notice.add", "1"),
            ("handover.add", SUPERVISOR_ID),
            ("blacklist.add", "13011112222"),
            ("ticket.escalate", ticket.ticket_id),
            ("ticket.close", ticket.ticket_id),
        ]
        assert all(e.role == "supervisor" for e in entries)
        assert not [e for e in await depot.desk.audit_log() if e.actor == AGENT_ID]
        admin_session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        async with admin_session:
            admin = Browserish(depot.url, admin_session)
            await admin.sign_in(ADMIN_ID, ADMIN_PASSWORD)
            status, html = await admin.page("/admin/audit")
            assert status == 200
            assert "ticket.escalate" in html and "13011112222" in html

    with_depot(tmp_path, test)


def test_web_half_sent_record_names_field_and_keeps_nothing(tmp_path: Path) -> None:
    async def test(depot: Depot, session: aiohttp.ClientSession) -> None:
        agent = Browserish(depot.url, session)
        await agent.sign_in(AGENT_ID, AGENT_PASSWORD)
        token = await agent.csrf()
        base = {"csrf_token": token, "kind": "rescue", "number": "13800138000"}
        status, html = await agent.post(
            "/records",
            {
                **base,
                "vehicle_type": "厢式货车",
                "plate": "沪A12345",
                "contact": "张伟",
                "place": "G60 120 km",
            },
        )
        assert status == 400
        assert 'data-field="fault"' in html
        status, html = await agent.post(
            "/records",
            {
                **base,
                "kind": "complaint",
                "category": "not-a-category",
                "department": "cargo",
                "details": "x",
            },
        )
        assert status == 400
        assert 'data-field="category"' in html
        assert await depot.desk.records.recent_records() == []
        assert await depot.desk.tickets.open_tickets() == []
        assert await depot.desk.records.customers() == []

    with_depot(tmp_path, test)
