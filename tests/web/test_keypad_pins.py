"""Keypad PINs from the web: an admin sets, changes and clears an agent's PIN on /admin/users,
the first-boot page gives the first agents theirs; the rule is the CLI's (4 to 8 digits), the
PIN is never shown, logged or audited, and an agent at a desk phone logs in with it."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest
from test_first_boot import FULL_FORM, SETUP_CODE, post_setup, setup_token, user_ids, with_fresh_box
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

from appliance import users_cli
from appliance.engine.records import Verb
from appliance.engine.views import AgentState
from appliance.store import Store

PIN = "4826"
BAD_PINS = ("123", "12a4", "123456789", "１２３４")  # the last: full-width digits, no keypad's


def new_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        cookie_jar=aiohttp.CookieJar(unsafe=True), headers={"Accept-Language": "en"}
    )


async def until(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not condition():
            await asyncio.sleep(0.02)


async def signed_in_admin(depot: Depot, session: aiohttp.ClientSession) -> tuple[Browserish, str]:
    admin = Browserish(depot.url, session)
    assert (await admin.sign_in(ADMIN_ID, ADMIN_PASSWORD)).status == 303
    return admin, await admin.csrf("/admin/users")


def pin_cell(html: str, agent_id: str) -> str:
    """The keypad-PIN cell of a user's row on the users page."""
    row = html.split(f'<tr data-user="{agent_id}">', 1)[1].split("</tr>", 1)[0]
    return row.split("data-pin=", 1)[1].split("</td>", 1)[0]


def test_admin_sets_changes_and_clears_a_pin_never_shown_logged_or_audited(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot, new_session() as session:
            store = depot.runtime.store
            admin, token = await signed_in_admin(depot, session)
            status, html = await admin.page("/admin/users")
            assert pin_cell(html, AGENT_ID).startswith('"no">no')
            change = {"csrf_token": token, "action": "change", "agent_id": AGENT_ID}
            status, html = await admin.post("/admin/users", {**change, "pin": PIN})
            assert status == 303
            assert await store.check_pin(AGENT_ID, PIN)
            assert not await store.check_pin(AGENT_ID, "4827")
            status, html = await admin.page("/admin/users")
            assert pin_cell(html, AGENT_ID).startswith('"yes">yes')
            assert PIN not in html

            assert (await admin.post("/admin/users", {**change, "pin": "13579"}))[0] == 303
            assert await store.check_pin(AGENT_ID, "13579")
            assert not await store.check_pin(AGENT_ID, PIN)

            clear = {"csrf_token": token, "action": "clear_pin", "agent_id": AGENT_ID}
            assert (await admin.post("/admin/users", clear))[0] == 303
            assert not await store.check_pin(AGENT_ID, "13579")
            status, html = await admin.page("/admin/users")
            assert pin_cell(html, AGENT_ID).startswith('"no">no')

            add = {
                "csrf_token": token,
                "action": "add",
                "agent_id": "1201",
                "name": "陈静",
                "role": "agent",
                "password": "agent-pass-1201",
                "pin": "90817",
            }
            assert (await admin.post("/admin/users", add))[0] == 303
            assert await store.check_pin("1201", "90817")
            add_without = {**add, "agent_id": "1202", "pin": ""}
            assert (await admin.post("/admin/users", add_without))[0] == 303
            assert "1202" not in await depot.desk.users_with_pin()
            assert not await store.check_pin("1202", "")

            pin_entries = [
                (e.action, e.target, e.detail)
                for e in reversed(await depot.desk.audit_log())
                if e.action == "user.pin"
            ]
            assert pin_entries == [
                ("user.pin", AGENT_ID, "set"),
                ("user.pin", AGENT_ID, "set"),
                ("user.pin", AGENT_ID, "cleared"),
                ("user.pin", "1201", "set"),
            ]
            status, html = await admin.page("/admin/audit")
            for secret in (PIN, "13579", "90817"):
                assert secret not in html
                assert secret not in caplog.text

    with caplog.at_level(logging.DEBUG):
        asyncio.run(main())


def test_a_bad_pin_is_refused_naming_the_field_and_changes_nothing(tmp_path: Path) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot, new_session() as session:
            store = depot.runtime.store
            admin, token = await signed_in_admin(depot, session)
            change = {"csrf_token": token, "action": "change", "agent_id": AGENT_ID}
            assert (await admin.post("/admin/users", {**change, "pin": PIN}))[0] == 303
            audited = len(await depot.desk.audit_log())
            for bad in BAD_PINS:
                status, html = await admin.post(
                    "/admin/users", {**change, "pin": bad, "role": "supervisor"}
                )
                assert status == 400, bad
                assert 'data-field="pin"' in html
                assert "4 to 8 digits — nothing was saved" in html
                assert bad not in html
                add = {
                    "csrf_token": token,
                    "action": "add",
                    "agent_id": "1201",
                    "name": "陈静",
                    "role": "agent",
                    "password": "agent-pass-1201",
                    "pin": bad,
                }
                status, html = await admin.post("/admin/users", add)
                assert status == 400 and 'data-field="pin"' in html, bad
            assert await store.check_pin(AGENT_ID, PIN)  # the PIN set before is still it
            user = await store.user(AGENT_ID)
            assert user is not None and user.role.value == "agent"  # nor did the role change
            assert "1201" not in {u.agent_id for u in await store.users()}
            assert len(await depot.desk.audit_log()) == audited

    asyncio.run(main())


def test_agents_and_supervisors_cannot_set_pins(tmp_path: Path) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            for who, password in ((AGENT_ID, AGENT_PASSWORD), (SUPERVISOR_ID, SUPERVISOR_PASSWORD)):
                async with new_session() as session:
                    person = Browserish(depot.url, session)
                    assert (await person.sign_in(who, password)).status == 303
                    token = await person.csrf("/desk")
                    for action in ("change", "clear_pin"):
                        status, _html = await person.post(
                            "/admin/users",
                            {
                                "csrf_token": token,
                                "action": action,
                                "agent_id": AGENT_ID,
                                "pin": PIN,
                            },
                        )
                        assert status == 403, (who, action)
            assert not await depot.runtime.store.check_pin(AGENT_ID, PIN)
            assert not any(e.action == "user.pin" for e in await depot.desk.audit_log())

    asyncio.run(main())


def test_a_pin_set_on_the_web_logs_the_agent_in_at_a_desk_phone(tmp_path: Path) -> None:
    async def main() -> None:
        async with (
            running_depot(tmp_path / "depot.db", persistent=frozenset({"pos1", "pos2"})) as depot,
            new_session() as session,
        ):

            def state() -> AgentState:
                return next(a.state for a in depot.service.snapshot().agents if a.id == AGENT_ID)

            assert state() is AgentState.LOGGED_OUT
            admin, token = await signed_in_admin(depot, session)
            change = {"csrf_token": token, "action": "change", "agent_id": AGENT_ID}
            assert (await admin.post("/admin/users", {**change, "pin": PIN}))[0] == 303
            for digit in f"{AGENT_ID}#1234#":  # the demo setup's PIN: only the store's counts
                depot.positions.press("pos1", digit)
            for digit in f"{AGENT_ID}#{PIN}#":
                depot.positions.press("pos2", digit)
            await until(lambda: state() is AgentState.READY)
            agent = next(a for a in depot.service.snapshot().agents if a.id == AGENT_ID)
            assert agent.position == "pos2"
            logins: list[tuple[str, tuple[str, ...]]] = []
            async with asyncio.timeout(10.0):
                while not logins:  # the queue log is written after the state changes
                    logins = [
                        (e.agent, e.data)
                        for e in await depot.runtime.store.queue_log(0.0)
                        if e.verb is Verb.AGENTLOGIN
                    ]
                    await asyncio.sleep(0.02)
            assert logins == [(AGENT_ID, ("pos2",))]  # not at pos1, with the wrong PIN

    asyncio.run(main())


def test_first_boot_agents_get_their_pins_and_a_bad_one_names_its_row(tmp_path: Path) -> None:
    async def test(depot: Depot, session: aiohttp.ClientSession, flag: Path) -> None:
        store = depot.runtime.store
        before = await user_ids(depot)
        for bad in ("12", "12345678901", "12 34"):
            token = await setup_token(depot, session)
            form = {"setup_token": token, "setup_code": SETUP_CODE, **FULL_FORM}
            status, html, _response = await post_setup(
                depot, session, {**form, "agent_pin_1": "2468", "agent_pin_2": bad}
            )
            assert status == 400, bad
            assert 'data-field="agent_row_pin"' in html
            assert "客服代表行 2" in html and "须为 4 至 8 位数字" in html
            assert "2468" not in html and (len(bad) < 4 or bad not in html)  # typed again
            assert await user_ids(depot) == before
            assert flag.exists()
        token = await setup_token(depot, session)
        form = {"setup_token": token, "setup_code": SETUP_CODE, **FULL_FORM}
        status, _html, _response = await post_setup(depot, session, {**form, "agent_pin_1": "2468"})
        assert status == 303
        assert await store.check_pin("1101", "2468")
        assert not await store.check_pin("1101", "2469")
        assert "1102" not in await depot.desk.users_with_pin()  # the PIN is optional
        assert not any("2468" in e.detail for e in await depot.desk.audit_log())

    with_fresh_box(tmp_path, test)


def test_the_cli_keeps_the_same_pin_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = str(tmp_path / "depot.db")

    def add(agent_id: str, pin: str) -> int:
        monkeypatch.setattr("sys.stdin", io.StringIO("agent-pass-1301\n"))
        return users_cli.main(
            ["--db", database, "add", agent_id, "--name", "周敏", "--pin", pin, "--password-stdin"]
        )

    for bad in BAD_PINS:
        assert add("1301", bad) == users_cli.EX_DATAERR, bad
        error = capsys.readouterr().err
        assert "the PIN must be 4 to 8 digits; nothing was added" in error
        assert bad not in error
    assert add("1301", "2580") == 0

    async def check() -> tuple[bool, bool]:
        store = await Store.open(database)
        try:
            return await store.check_pin("1301", "2580"), await store.check_pin("1301", "2581")
        finally:
            await store.close()

    assert asyncio.run(check()) == (True, False)
