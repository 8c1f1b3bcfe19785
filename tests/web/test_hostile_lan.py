"""The site tried as a hostile neighbour on the depot's LAN would (issue 15): guesses sent all at
once, redirects with control characters, anonymous reads of callers, missing headers, sessions
that outlive a restore or a password, LIKE wildcards. Each test failed before its fix
(malformed requests: test_malformed_requests.py; display links and masking: test_privacy.py)."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path

import aiohttp
from lan_helpers import new_session, raw_request, until, with_depot
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
from web_http import Browserish, hidden_token

from appliance.desk import SESSION_MAX_S
from appliance.store.backup import restore_database
from drivers.roles import CallerId

CALLER_NUMBER, CALLER_NAME = "15000005555", "黄敏"

# -- login throttling -------------------------------------------------------------------------


def test_login_burst_of_30_wrong_passwords_then_right_one_is_throttled_429(tmp_path: Path) -> None:
    async def test(depot: Depot) -> None:
        async with new_session() as session:

            async def attempt(password: str) -> aiohttp.ClientResponse:
                response = await session.post(
                    f"{depot.url}/login",
                    data={"login_token": token, "agent_id": AGENT_ID, "password": password},
                    allow_redirects=False,
                )
                await response.read()
                return response

            async with session.get(f"{depot.url}/login") as page:
                token = hidden_token(await page.text(), "login_token")
            burst = await asyncio.gather(*(attempt(f"guess-{n}") for n in range(30)))
            statuses = [response.status for response in burst]
            assert statuses.count(401) == 5 and statuses.count(429) == 25
            async with session.get(f"{depot.url}/login") as page:
                token = hidden_token(await page.text(), "login_token")
            right = await attempt(AGENT_PASSWORD)
            assert right.status == 429
            assert "depotline_session" not in right.cookies
            assert (await Browserish(depot.url, session).page("/desk"))[0] == 303

    with_depot(tmp_path, test)


def test_failed_login_is_in_the_audit_log_with_id_and_address(tmp_path: Path) -> None:
    async def test(depot: Depot) -> None:
        async with new_session() as session:
            assert (await Browserish(depot.url, session).sign_in(AGENT_ID, "wrong")).status == 401
        failed = [e for e in await depot.desk.audit_log() if e.action == "sign_in.failed"]
        assert [(e.target, e.detail) for e in failed] == [(AGENT_ID, "127.0.0.1")]

    with_depot(tmp_path, test)


# -- redirects --------------------------------------------------------------------------------


def test_language_switch_with_control_characters_redirects_only_on_site(tmp_path: Path) -> None:
    async def test(depot: Depot) -> None:
        for control in ("%09", "%0d", "%0a", "%0d%0a", "%00", "%7f"):
            host, port = depot.url.removeprefix("http://").split(":")
            head = (
                f"GET /lang/en?next=/{control}/evil.example/phish HTTP/1.1\r\n"
                f"Host: {host}:{port}\r\nConnection: close\r\n\r\n"
            ).encode()
            status, reply = await raw_request(depot, head)
            location = next(
                line.split(b":", 1)[1].strip()
                for line in reply.split(b"\r\n")
                if line.lower().startswith(b"location:")
            )
            assert status == 303, control
            assert location.startswith(b"/") and not location.startswith(b"//"), location
            assert b"evil.example" not in location.split(b"/")[1], location

    with_depot(tmp_path, test)


def test_login_next_with_control_characters_redirects_only_on_site(tmp_path: Path) -> None:
    async def test(depot: Depot) -> None:
        for next_path in ("/\t/evil.example/phish", "/\r/evil.example", "/\n\n//evil.example"):
            async with new_session() as session:
                async with session.get(f"{depot.url}/login") as page:
                    token = hidden_token(await page.text(), "login_token")
                async with session.post(
                    f"{depot.url}/login",
                    data={
                        "login_token": token,
                        "agent_id": AGENT_ID,
                        "password": AGENT_PASSWORD,
                        "next": next_path,
                    },
                    allow_redirects=False,
                ) as response:
                    location = response.headers["Location"]
                    assert response.status == 303
                    assert location.startswith("/") and not location.startswith("//"), location
                    assert not any(ord(c) < 32 for c in location)

    with_depot(tmp_path, test)


# -- the public pages -------------------------------------------------------------------------


async def caller_hangs_up_in_the_greeting(depot: Depot, line: str, number: str, name: str) -> None:
    assert depot.lines.incoming_call(line, CallerId(number, name))
    await until(lambda: any(c.line == line for c in depot.service.snapshot().calls))
    depot.lines.hang_up(line)


def test_public_page_calls_api_and_stream_show_no_number_or_name(tmp_path: Path) -> None:
    async def test(depot: Depot) -> None:
        await caller_hangs_up_in_the_greeting(depot, "L1", CALLER_NUMBER, CALLER_NAME)
        async with asyncio.timeout(10):
            while not await depot.service.calls_today(limit=10):
                await asyncio.sleep(0.02)
        async with new_session() as session:
            for path in ("/", "/api/calls"):
                async with session.get(f"{depot.url}{path}") as response:
                    text = await response.text()
                    assert response.status in (200, 401), path
                    assert CALLER_NUMBER not in text and CALLER_NAME not in text, path
            async with session.get(f"{depot.url}/events") as stream:
                await caller_hangs_up_in_the_greeting(depot, "L2", "13900001111", "刘洋")
                seen = ""
                async with asyncio.timeout(10):
                    while "event: call\ndata:" not in seen:
                        seen += (await stream.content.readline()).decode()
                    seen += (await stream.content.readline()).decode()
                assert "13900001111" not in seen and "刘洋" not in seen

    with_depot(tmp_path, test)


def test_every_response_carries_the_security_headers(tmp_path: Path) -> None:
    async def test(depot: Depot) -> None:
        async with new_session() as session:
            for path in (
                "/",
                "/api/calls",
                "/api/figures",
                "/static/depotline.css",
                "/login",
                "/no-such-page",
                "/lang/en",
            ):
                async with session.get(f"{depot.url}{path}", allow_redirects=False) as response:
                    headers = response.headers
                    assert headers.get("X-Frame-Options") == "DENY", path
                    assert headers.get("X-Content-Type-Options") == "nosniff", path
                    assert headers.get("Referrer-Policy") == "same-origin", path
                    assert "frame-ancestors 'none'" in headers.get("Content-Security-Policy", "")
            async with session.get(f"{depot.url}/events") as stream:
                assert stream.headers.get("X-Frame-Options") == "DENY"

    with_depot(tmp_path, test)


# -- sessions ---------------------------------------------------------------------------------


def test_admin_password_reset_and_role_change_end_the_users_sessions(tmp_path: Path) -> None:
    async def test(depot: Depot) -> None:
        async with new_session() as agent_jar, new_session() as super_jar, new_session() as jar:
            agent = Browserish(depot.url, agent_jar)
            supervisor = Browserish(depot.url, super_jar)
            admin = Browserish(depot.url, jar)
            await agent.sign_in(AGENT_ID, AGENT_PASSWORD)
            await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
            await admin.sign_in(ADMIN_ID, ADMIN_PASSWORD)
            token = await admin.csrf("/admin/users")
            for who, change in (
                (AGENT_ID, {"password": "new-pass-1001"}),
                (SUPERVISOR_ID, {"role": "agent"}),
            ):
                status, _ = await admin.post(
                    "/admin/users",
                    {"csrf_token": token, "action": "change", "agent_id": who, **change},
                )
                assert status == 303, who
            assert (await agent.page("/desk"))[0] == 303
            assert (await supervisor.page("/desk"))[0] == 303
            assert (await admin.page("/admin/users"))[0] == 200

    with_depot(tmp_path, test)


def test_session_ends_after_its_absolute_lifetime_even_in_use(tmp_path: Path) -> None:
    async def test(depot: Depot) -> None:
        async with new_session() as session:
            agent = Browserish(depot.url, session)
            await agent.sign_in(AGENT_ID, AGENT_PASSWORD)
            for _ in range(int(SESSION_MAX_S // 3600)):
                depot.wall.time_s += 3600
                assert (await agent.page("/desk"))[0] == 200
            depot.wall.time_s += 3600
            assert (await agent.page("/desk"))[0] == 303

    with_depot(tmp_path, test)


def test_restore_ends_every_session_the_backup_holds(tmp_path: Path) -> None:
    live = tmp_path / "depot.db"
    backup = tmp_path / "backup.db"

    async def before(depot: Depot) -> str:
        async with new_session() as session:
            await Browserish(depot.url, session).sign_in(AGENT_ID, AGENT_PASSWORD)
            cookie = session.cookie_jar.filter_cookies(depot.url)["depotline_session"].value
            await depot.runtime.store.backup(str(backup))
            status, _ = await Browserish(depot.url, session).post(
                "/logout", {"csrf_token": await Browserish(depot.url, session).csrf()}
            )
            assert status == 303
        return cookie

    async def main() -> None:
        async with running_depot(live) as depot:
            cookie = await before(depot)
        restore_database(backup, live)
        with contextlib.closing(sqlite3.connect(live)) as connection:
            assert connection.execute("SELECT count(*) FROM web_sessions").fetchone() == (0,)
        async with running_depot(live) as depot, new_session() as session:
            session.cookie_jar.update_cookies({"depotline_session": cookie})
            assert (await Browserish(depot.url, session).page("/desk"))[0] == 303

    asyncio.run(main())


# -- searches ---------------------------------------------------------------------------------


def test_customer_search_for_a_wildcard_matches_only_that_character(tmp_path: Path) -> None:
    async def test(depot: Depot) -> None:
        async with new_session() as session:
            agent = Browserish(depot.url, session)
            await agent.sign_in(AGENT_ID, AGENT_PASSWORD)
            token = await agent.csrf()
            status, _ = await agent.post(
                "/records",
                {
                    "csrf_token": token,
                    "kind": "consultation",
                    "number": "13800138000",
                    "customer_name": "张伟",
                    "topic": "运费",
                    "answered": "yes",
                },
            )
            assert [c.number for c in await depot.desk.records.customers("")] == ["13800138000"], (
                status
            )
            for wildcard in ("%", "_", "1380_"):
                assert await depot.desk.records.customers(wildcard) == [], wildcard
                _status, html = await agent.page(f"/customers?q={wildcard.replace('%', '%25')}")
                assert "13800138000" not in html, wildcard

    with_depot(tmp_path, test)
