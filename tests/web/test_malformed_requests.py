"""Malformed requests get a 4xx with a message, never a 500 or no reply (issue 15): non-ASCII
tokens, broken multipart bodies, a 200 kB part header line, a restore upload that stalls."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest
from lan_helpers import new_session, raw_request, with_depot
from web_depot import (
    ADMIN_ID,
    ADMIN_PASSWORD,
    AGENT_ID,
    SUPERVISOR_ID,
    SUPERVISOR_PASSWORD,
    Depot,
)
from web_http import Browserish

from web_ui.site import security

# -- malformed requests -----------------------------------------------------------------------


def test_non_ascii_csrf_and_login_tokens_refused_403_not_500(tmp_path: Path) -> None:
    async def test(depot: Depot) -> None:
        async with new_session() as session:
            supervisor = Browserish(depot.url, session)
            await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
            status, _ = await supervisor.post(
                "/supervisor/notices", {"csrf_token": "令牌令牌", "text": "x"}
            )
            assert status == 403
            async with session.post(
                f"{depot.url}/supervisor/notices",
                data={"text": "x"},
                headers={"X-CSRF-Token": "é" * 43},
            ) as response:
                assert response.status == 403
        async with new_session() as session:
            async with session.get(f"{depot.url}/login"):
                pass
            session.cookie_jar.update_cookies({"depotline_login": "ascii-cookie"})
            async with session.post(
                f"{depot.url}/login",
                data={"login_token": "登录令牌", "agent_id": AGENT_ID, "password": "x"},
            ) as response:
                assert response.status == 403
        assert await depot.desk.notices.notices() == []

    with_depot(tmp_path, test)


MALFORMED_MULTIPART = (
    # no boundary at all
    ("multipart/form-data", b"csrf_token=x"),
    # a boundary that never comes
    ("multipart/form-data; boundary=zzz", b"--zzz\r\nContent-Disposition: form-data; name=a\r\n"),
    # a part with no headers' end and a broken disposition
    ("multipart/form-data; boundary=zzz", b"--zzz\r\nContent-Disposition: ;;;\r\n\r\nx\r\n--zzz--"),
    # a part header line of 200 kB
    (
        "multipart/form-data; boundary=zzz",
        b"--zzz\r\nContent-Disposition: form-data; name=x\r\nX-Long: "
        + b"a" * 200_000
        + b"\r\n\r\nx\r\n--zzz--\r\n",
    ),
)


async def post_raw(
    session: aiohttp.ClientSession, url: str, content_type: str, body: bytes
) -> tuple[int, str]:
    async with session.post(url, data=body, headers={"Content-Type": content_type}) as response:
        return response.status, await response.text()


def test_malformed_multipart_on_login_and_prompts_is_400_with_a_message(tmp_path: Path) -> None:
    async def test(depot: Depot) -> None:
        async with new_session() as session:
            for content_type, body in MALFORMED_MULTIPART:
                status, text = await post_raw(session, f"{depot.url}/login", content_type, body)
                assert status == 400, (body, status)
                assert "form" in text.lower() or "表单" in text
        async with new_session() as session:
            supervisor = Browserish(depot.url, session)
            await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
            token = await supervisor.csrf("/supervisor/settings")
            for content_type, body in MALFORMED_MULTIPART:
                async with session.post(
                    f"{depot.url}/supervisor/prompts",
                    data=body,
                    headers={"Content-Type": content_type, "X-CSRF-Token": token},
                ) as response:
                    assert response.status == 400, (body, response.status)

    with_depot(tmp_path, test)


def test_restore_upload_with_a_200_kb_header_line_is_4xx(tmp_path: Path) -> None:
    async def test(depot: Depot) -> None:
        async with new_session() as session:
            admin = Browserish(depot.url, session)
            await admin.sign_in(ADMIN_ID, ADMIN_PASSWORD)
            token = await admin.csrf("/admin/status")
            body = (
                b"--zzz\r\nContent-Disposition: form-data; name=csrf_token\r\n\r\n"
                + token.encode()
                + b"\r\n--zzz\r\nContent-Disposition: form-data; name=backup; filename=b.db\r\n"
                + b"X-Long: "
                + b"a" * 200_000
                + b"\r\n\r\nSQLite format 3\0\r\n--zzz--\r\n"
            )
            status, text = await post_raw(
                session, f"{depot.url}/admin/restore", "multipart/form-data; boundary=zzz", body
            )
            assert status in (400, 413), status
            assert "Traceback" not in text

    with_depot(tmp_path, test)


def test_restore_upload_declaring_3_gib_then_stalling_gets_a_reply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def test(depot: Depot) -> None:
        async with new_session() as session:
            admin = Browserish(depot.url, session)
            await admin.sign_in(ADMIN_ID, ADMIN_PASSWORD)
            cookie = session.cookie_jar.filter_cookies(depot.url)["depotline_session"].value
            token = await admin.csrf("/admin/status")
        host, port = depot.url.removeprefix("http://").split(":")
        for declared, first_bytes in (
            (3 * 1024**3, b"--zzz\r\n"),
            (
                4096,
                b"--zzz\r\nContent-Disposition: form-data; name=csrf_token\r\n\r\n"
                + token.encode()
                + b"\r\n--zzz\r\n",
            ),
        ):
            head = (
                f"POST /admin/restore HTTP/1.1\r\nHost: {host}:{port}\r\n"
                f"Cookie: depotline_session={cookie}\r\n"
                "Content-Type: multipart/form-data; boundary=zzz\r\n"
                f"Content-Length: {declared}\r\n\r\n"
            ).encode()
            status, reply = await raw_request(depot, head, first_bytes)  # then nothing more
            # a stall after the token is a timeout; 3 GiB may be refused as too large at once
            expected = {408} if declared < 1024**3 else {408, 413}
            assert status in expected, (declared, reply[:200])
            assert b"Traceback" not in reply
        assert not await depot.desk.restore_staged()

    monkeypatch.setattr(security, "UPLOAD_STALL_S", 0.5)  # a short stall for the test
    with_depot(tmp_path, test)
