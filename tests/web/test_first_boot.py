"""The first-boot setup page against a running depot over real HTTP: only while the flag file
beside the database exists and no admin does, only with the setup code (throttled), CSRF
checked, every account checked before any is created; afterwards the new admin signs in."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
from aiohttp import web
from web_depot import ADMIN_ID, AGENT_ID, Depot, free_port, running_depot
from web_http import Browserish

from appliance.config import Config, SimLineConfig, SimPositionConfig, WallboardConfig
from appliance.desk import Role
from web_ui.site import build_site_app
from web_ui.site.setup_pages import SetupGate

SETUP_CODE = "482913"
_TOKEN = re.compile(r'name="setup_token" value="([^"]*)"')
FULL_FORM = {
    "step": "finish",
    "admin_id": "8000",
    "admin_name": "李站长",
    "admin_password": "owner-pass-8000",
    "admin_password_again": "owner-pass-8000",
    "agent_id_1": "1101",
    "agent_name_1": "张伟",
    "agent_password_1": "agent-pass-1101",
    "agent_id_2": "1102",
    "agent_name_2": "刘洋",
    "agent_password_2": "agent-pass-1102",
}

Test = Callable[[Depot, aiohttp.ClientSession, Path], Awaitable[None]]


def with_fresh_box(
    tmp_path: Path, test: Test, *, flag_text: str | None = f"setup_code={SETUP_CODE}\n"
) -> None:
    """A depot as a freshly flashed box has it: no admin, and (unless `flag_text` is None)
    the flag depotline-firstboot wrote, with setup.issue beside it."""

    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            assert await depot.runtime.store.remove_user(ADMIN_ID)
            flag = Path(depot.desk.setup_flag)
            assert flag == tmp_path / "first-boot"
            if flag_text is not None:
                flag.write_text(flag_text)
                (tmp_path / "setup.issue").write_text(f"setup code {SETUP_CODE}\n")
            jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1
            async with aiohttp.ClientSession(
                cookie_jar=jar, headers={"Accept-Language": "zh-CN"}
            ) as session:
                await test(depot, session, flag)

    asyncio.run(main())


async def setup_token(depot: Depot, session: aiohttp.ClientSession) -> str:
    async with session.get(f"{depot.url}/setup") as page:
        assert page.status == 200
        found = _TOKEN.search(await page.text())
    assert found is not None, "no setup_token on the page"
    return found.group(1)


async def post_setup(
    depot: Depot, session: aiohttp.ClientSession, data: dict[str, str]
) -> tuple[int, str, aiohttp.ClientResponse]:
    async with session.post(f"{depot.url}/setup", data=data, allow_redirects=False) as response:
        return response.status, await response.text(), response


async def user_ids(depot: Depot) -> set[str]:
    return {user.agent_id for user in await depot.desk.users()}


def test_first_boot_setup_without_flag_is_404(tmp_path: Path) -> None:
    async def test(depot: Depot, session: aiohttp.ClientSession, flag: Path) -> None:
        assert not flag.exists()
        async with session.get(f"{depot.url}/setup") as page:
            assert page.status == 404
        status, _html, _response = await post_setup(
            depot, session, {"setup_code": SETUP_CODE, **FULL_FORM}
        )
        assert status == 404
        assert "8000" not in await user_ids(depot)

    with_fresh_box(tmp_path, test, flag_text=None)


def test_first_boot_setup_with_flag_but_an_admin_already_is_404(tmp_path: Path) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:  # its admin 9999 exists
            (tmp_path / "first-boot").write_text(f"setup_code={SETUP_CODE}\n")
            async with (
                aiohttp.ClientSession() as session,
                session.get(f"{depot.url}/setup") as page,
            ):
                assert page.status == 404

    asyncio.run(main())


def test_first_boot_wrong_code_is_refused_and_creates_nothing(tmp_path: Path) -> None:
    async def test(depot: Depot, session: aiohttp.ClientSession, flag: Path) -> None:
        before = await user_ids(depot)
        token = await setup_token(depot, session)
        status, html, _response = await post_setup(
            depot, session, {"setup_token": token, "step": "code", "setup_code": "000000"}
        )
        assert status == 401
        assert "设置码错误" in html
        assert 'name="admin_password"' not in html  # the account form stays hidden
        token = await setup_token(depot, session)
        status, html, _response = await post_setup(
            depot, session, {"setup_token": token, "setup_code": "000001", **FULL_FORM}
        )
        assert status == 401
        assert await user_ids(depot) == before
        assert flag.exists()

    with_fresh_box(tmp_path, test)


def test_first_boot_sixth_wrong_code_in_a_minute_is_429_even_for_the_right_code(
    tmp_path: Path,
) -> None:
    async def test(depot: Depot, session: aiohttp.ClientSession, flag: Path) -> None:
        for n in range(5):
            token = await setup_token(depot, session)
            status, _html, _response = await post_setup(
                depot, session, {"setup_token": token, "step": "code", "setup_code": f"1{n:05d}"}
            )
            assert status == 401
        token = await setup_token(depot, session)
        status, html, response = await post_setup(
            depot, session, {"setup_token": token, "setup_code": SETUP_CODE, **FULL_FORM}
        )
        assert status == 429
        assert int(response.headers["Retry-After"]) >= 1
        assert "设置码错误次数过多" in html
        assert "8000" not in await user_ids(depot)
        assert flag.exists()

    with_fresh_box(tmp_path, test)


async def wrong_code_from(depot: Depot, address: str, code: str) -> int:
    """A wrong code from another loopback address (its own browser, so its own cookie)."""
    connector = aiohttp.TCPConnector(local_addr=(address, 0))
    async with aiohttp.ClientSession(
        connector=connector, cookie_jar=aiohttp.CookieJar(unsafe=True)
    ) as browser:
        token = await setup_token(depot, browser)
        status, _html, _response = await post_setup(
            depot, browser, {"setup_token": token, "step": "code", "setup_code": code}
        )
        return status


def test_first_boot_wrong_codes_throttle_per_address_then_for_all_addresses(
    tmp_path: Path,
) -> None:
    async def test(depot: Depot, session: aiohttp.ClientSession, flag: Path) -> None:
        for n in range(5):
            assert await wrong_code_from(depot, "127.0.0.2", f"2{n:05d}") == 401
        assert await wrong_code_from(depot, "127.0.0.2", "299999") == 429
        for host in ("127.0.0.3", "127.0.0.4", "127.0.0.5"):  # the neighbours still may try
            for n in range(5):
                assert await wrong_code_from(depot, host, f"3{n:05d}") == 401, host
        # 20 wrong codes in the minute from all addresses: now everybody waits
        assert await wrong_code_from(depot, "127.0.0.6", "400000") == 429

    with_fresh_box(tmp_path, test)


def test_setup_gate_lets_an_address_try_again_after_the_minute() -> None:
    gate = SetupGate()
    for n in range(5):
        assert gate.wait_s("192.0.2.7", 100.0 + n) == 0.0
        gate.failed("192.0.2.7", 100.0 + n)
    assert gate.wait_s("192.0.2.7", 105.0) == 55.0
    assert gate.wait_s("192.0.2.8", 105.0) == 0.0
    assert gate.wait_s("192.0.2.7", 160.5) == 0.0


def test_first_boot_right_code_creates_admin_and_agents_ends_setup_and_admin_signs_in(
    tmp_path: Path,
) -> None:
    async def test(depot: Depot, session: aiohttp.ClientSession, flag: Path) -> None:
        token = await setup_token(depot, session)
        status, html, _response = await post_setup(
            depot, session, {"setup_token": token, "step": "code", "setup_code": SETUP_CODE}
        )
        assert status == 200
        assert 'name="admin_password_again"' in html
        assert "depotline check-config" in html
        assert "/etc/depotline/depotline.toml" in html  # no wiring given: the default file
        assert "L1, L2" in html  # and the lines the depot runs
        assert "见配置文件" in html  # positions and wallboard: not guessed
        token_found = _TOKEN.search(html)
        assert token_found is not None
        status, _html, response = await post_setup(
            depot,
            session,
            {"setup_token": token_found.group(1), "setup_code": SETUP_CODE, **FULL_FORM},
        )
        assert status == 303
        assert response.headers["Location"] == "/login"
        roles = {user.agent_id: (user.name, user.role) for user in await depot.desk.users()}
        assert roles["8000"] == ("李站长", Role.ADMIN)
        assert roles["1101"] == ("张伟", Role.AGENT)
        assert roles["1102"] == ("刘洋", Role.AGENT)
        assert not flag.exists()
        # the console's login screen now says where the web pages are, with no setup code
        shown = (tmp_path / "setup.issue").read_text()
        assert shown.startswith(
            f"depotline is set up: open http://\\4:{depot.url.rsplit(':', 1)[1]}/"
        )
        assert SETUP_CODE not in shown
        audit = await depot.desk.audit_log()
        assert any(e.action == "first_boot.setup" and e.target == "8000" for e in audit)

        async with session.get(f"{depot.url}/setup") as page:
            assert page.status == 404
        admin = Browserish(depot.url, session)
        assert (await admin.sign_in("8000", "owner-pass-8000")).status == 303
        status, html = await admin.page("/admin/users")
        assert status == 200
        assert "1101" in html
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as other:
            agent = Browserish(depot.url, other)
            assert (await agent.sign_in("1101", "agent-pass-1101")).status == 303

    with_fresh_box(tmp_path, test)


def test_first_boot_half_filled_form_is_400_naming_the_field_and_creates_nothing(
    tmp_path: Path,
) -> None:
    async def test(depot: Depot, session: aiohttp.ClientSession, flag: Path) -> None:
        before = await user_ids(depot)
        for changes, field, text in (
            ({"admin_password_again": "owner-pass-8001"}, "admin_password_again", "不一致"),
            (
                {"admin_password": "short", "admin_password_again": "short"},
                "admin_password",
                "至少 8 个字符",
            ),
            ({"admin_id": ""}, "admin_id", "必填"),
            ({"agent_password_2": "short"}, "agent_row_password", "客服代表行 2"),
            ({"agent_name_1": ""}, "agent_row_name", "客服代表行 1"),
            ({"agent_id_2": "1101"}, "agent_row_id", "已被使用"),
            ({"admin_id": AGENT_ID}, "admin_id", "已被使用"),  # 王芳 has 1001
        ):
            token = await setup_token(depot, session)
            status, html, _response = await post_setup(
                depot,
                session,
                {"setup_token": token, "setup_code": SETUP_CODE, **FULL_FORM, **changes},
            )
            assert status == 400, field
            assert f'data-field="{field}"' in html, field
            assert text in html, field
            assert "owner-pass" not in html  # passwords are not sent back
            assert 'value="李站长"' in html  # the rest of the form is kept
            assert await user_ids(depot) == before, field
            assert flag.exists()

    with_fresh_box(tmp_path, test)


def test_first_boot_forged_or_missing_csrf_token_is_403_and_creates_nothing(
    tmp_path: Path,
) -> None:
    async def test(depot: Depot, session: aiohttp.ClientSession, flag: Path) -> None:
        before = await user_ids(depot)
        await setup_token(depot, session)  # the browser holds a real cookie
        status, html, _response = await post_setup(
            depot, session, {"setup_token": "forged", "setup_code": SETUP_CODE, **FULL_FORM}
        )
        assert status == 403
        assert "来源不明" in html
        async with aiohttp.ClientSession() as other:  # another site's form: no cookie at all
            status, _html, _response = await post_setup(
                depot, other, {"setup_token": "x", "setup_code": SETUP_CODE, **FULL_FORM}
            )
            assert status == 403
        assert await user_ids(depot) == before
        assert flag.exists()

    with_fresh_box(tmp_path, test)


def test_first_boot_flag_without_code_refuses_every_code_and_says_how_to_make_one(
    tmp_path: Path,
) -> None:
    async def test(depot: Depot, session: aiohttp.ClientSession, flag: Path) -> None:
        async with session.get(f"{depot.url}/setup") as page:
            assert page.status == 200
            assert "depotline-firstboot" in await page.text()
        token = await setup_token(depot, session)
        status, _html, _response = await post_setup(
            depot, session, {"setup_token": token, "step": "code", "setup_code": ""}
        )
        assert status == 401
        assert flag.exists()

    with_fresh_box(tmp_path, test, flag_text="")


def test_first_boot_page_shows_the_wiring_in_both_languages_without_untranslated_strings(
    tmp_path: Path,
) -> None:
    config = Config(
        path="/etc/depotline/test-box.toml",
        lines=(SimLineConfig("trunk", channels=2),),
        positions=(SimPositionConfig("desk-a"), SimPositionConfig("desk-b")),
        wallboard=WallboardConfig(type="alpha", device="/dev/depotline/sign0"),
    )

    async def test(depot: Depot, session: aiohttp.ClientSession, flag: Path) -> None:
        runner = web.AppRunner(build_site_app(depot.desk, depot.service, config=config))
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        url = f"http://127.0.0.1:{port}"
        try:
            for language, words in (("zh-CN", "初始设置"), ("en", "Set up this depot")):
                async with aiohttp.ClientSession(
                    cookie_jar=aiohttp.CookieJar(unsafe=True),
                    cookies={"depotline_lang": language},
                ) as browser:
                    async with browser.get(f"{url}/setup") as page:
                        first = await page.text()
                        found = _TOKEN.search(first)
                    assert found is not None
                    async with browser.post(
                        f"{url}/setup",
                        data={
                            "setup_token": found.group(1),
                            "step": "code",
                            "setup_code": SETUP_CODE,
                        },
                    ) as page:
                        assert page.status == 200
                        second = await page.text()
                for html in (first, second):
                    assert words in html
                    assert "⟦" not in html, language
                sign = "Alpha LED sign" if language == "en" else "Alpha LED 条屏"
                for shown in ("trunk-1", "trunk-2", "desk-a", "desk-b", sign, "sign0"):
                    assert shown in second, shown
                assert "/etc/depotline/test-box.toml" in second
        finally:
            await runner.cleanup()

    with_fresh_box(tmp_path, test)
