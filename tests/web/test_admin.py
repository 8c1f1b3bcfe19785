"""Admin and supervisor housekeeping over HTTP: users and roles, backup download, callback task
assignment — each refused for the wrong role and kept in the audit log."""

from __future__ import annotations

import asyncio
import sqlite3
import struct
from pathlib import Path

import aiohttp
from web_depot import (
    ADMIN_ID,
    ADMIN_PASSWORD,
    AGENT_ID,
    AGENT_PASSWORD,
    SUPERVISOR_ID,
    SUPERVISOR_PASSWORD,
    running_depot,
)
from web_http import Browserish

from appliance.engine.records import CallbackRequested


def new_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


def test_admin_changes_role_resets_password_removes_user_and_downloads_backup(
    tmp_path: Path,
) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            async with new_session() as s1, new_session() as s2:
                admin, agent = Browserish(depot.url, s1), Browserish(depot.url, s2)
                await admin.sign_in(ADMIN_ID, ADMIN_PASSWORD)
                await agent.sign_in(AGENT_ID, AGENT_PASSWORD)
                assert (await agent.page("/supervisor/monitor"))[0] == 403
                token = await admin.csrf("/admin/users")
                change = {"csrf_token": token, "action": "change", "agent_id": AGENT_ID}
                assert (await admin.post("/admin/users", {**change, "role": "supervisor"}))[
                    0
                ] == 303
                assert (await agent.page("/supervisor/monitor"))[0] == 303  # the role ended it
                await agent.sign_in(AGENT_ID, AGENT_PASSWORD)
                assert (await agent.page("/supervisor/monitor"))[0] == 200
                status, page = await admin.post("/admin/users", {**change, "password": "short"})
                assert status == 400 and 'data-field="password"' in page
                status, page = await admin.post(
                    "/admin/users", {**change, "agent_id": ADMIN_ID, "role": "agent"}
                )
                assert status == 400 and 'data-field="role"' in page  # not on oneself
                await admin.post("/admin/users", {**change, "password": "new-password-1001"})
                async with new_session() as s3:
                    again = Browserish(depot.url, s3)
                    assert (await again.sign_in(AGENT_ID, AGENT_PASSWORD)).status == 401
                    assert (await again.sign_in(AGENT_ID, "new-password-1001")).status == 303
                assert (await agent.page("/desk"))[0] == 303  # the new password ended it
                await agent.sign_in(AGENT_ID, "new-password-1001")
                remove = {"csrf_token": token, "action": "remove", "agent_id": AGENT_ID}
                assert (await admin.post("/admin/users", remove))[0] == 303
                assert (await agent.page("/desk"))[0] == 303  # their session ended with them
                async with s1.post(
                    f"{depot.url}/admin/backup", data={"csrf_token": token}
                ) as response:
                    assert response.status == 200
                    assert "attachment" in response.headers["Content-Disposition"]
                    body = await response.read()
                assert body.startswith(b"SQLite format 3\x00")
                assert int(response.headers["Content-Length"]) == len(body)
                (tmp_path / "downloaded.db").write_bytes(body)
                with sqlite3.connect(tmp_path / "downloaded.db") as copy:
                    ids = {row[0] for row in copy.execute("SELECT agent_id FROM users")}
                assert ADMIN_ID in ids and AGENT_ID not in ids  # as it was when downloaded
                assert not list(tmp_path.glob(".depotline-download-*"))  # the copy is gone
            actions = [(e.action, e.target) for e in reversed(await depot.desk.audit_log())]
            assert ("user.role", AGENT_ID) in actions
            assert ("user.password", AGENT_ID) in actions
            assert ("user.remove", AGENT_ID) in actions
            assert any(action == "backup.download" for action, _target in actions)

    asyncio.run(main())


def test_supervisor_assigns_callback_task_to_an_agent(tmp_path: Path) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            now_s = depot.service.now()
            await depot.runtime.store.record(
                [
                    CallbackRequested(
                        "t1", "13600001111", "刘洋", "abandoned", "c1", "cargo", now_s, now_s + 600
                    )
                ]
            )
            async with new_session() as session:
                supervisor = Browserish(depot.url, session)
                await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
                status, page = await supervisor.page("/supervisor/tasks")
                assert status == 200 and "13600001111" in page
                token = await supervisor.csrf("/supervisor/tasks")
                status, page = await supervisor.post(
                    "/supervisor/tasks",
                    {"csrf_token": token, "task_id": "t1", "agent_id": "nobody"},
                )
                assert status == 400 and 'data-field="agent_id"' in page
                status, _ = await supervisor.post(
                    "/supervisor/tasks",
                    {"csrf_token": token, "task_id": "t1", "agent_id": AGENT_ID},
                )
                assert status == 303
            (task,) = await depot.service.callback_tasks()
            assert task.assigned_agent == AGENT_ID
            assert ("task.assign", "t1") in [
                (e.action, e.target) for e in await depot.desk.audit_log()
            ]

    asyncio.run(main())


def test_supervisor_changes_queue_and_agent_settings_engine_uses_them(tmp_path: Path) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            async with new_session() as session:
                supervisor = Browserish(depot.url, session)
                await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
                token = await supervisor.csrf("/supervisor/settings")
                queue_form = {
                    "csrf_token": token,
                    "action": "queue",
                    "queue_id": "complaints",
                    "strategy": "ringall",
                    "ring_timeout_s": "20",
                    "wrap_up_s": "60",
                    "max_wait_s": "240",
                    "talk_time_limit_s": "300",
                    "sl_threshold_s": "30",
                    "tier_escalation_s": "30",
                    "leave_when_no_agents": "on",
                    "queue_switches": "complaints",
                }
                status, page = await supervisor.post(
                    "/supervisor/settings", {**queue_form, "wrap_up_s": "-5"}
                )
                assert status == 400 and 'data-field="wrap_up_s"' in page
                assert (await supervisor.post("/supervisor/settings", queue_form))[0] == 303
                agent_form = {
                    "csrf_token": token,
                    "action": "agent",
                    "agent_id": "1006",
                    "name": "周婷",
                    "tier_complaints": "2",
                    "tier_cargo": "1",
                    "tier_orders": "",
                }
                status, page = await supervisor.post(
                    "/supervisor/settings", {**agent_form, "tier_cargo": "9"}
                )
                assert status == 400 and 'data-field="tier_cargo"' in page
                assert "技能等级 · 队列 cargo: " in page and "⟦" not in page
                assert (await supervisor.post("/supervisor/settings", agent_form))[0] == 303
            setup = depot.service.setup()
            complaints = next(q for q in setup.queues if q.id == "complaints")
            assert (complaints.strategy.value, complaints.wrap_up_s) == ("ringall", 60.0)
            assert complaints.talk_time_limit_s == 300.0
            new = next(a for a in setup.agents if a.id == "1006")
            assert [(q, int(t)) for q, t in new.skills] == [("cargo", 1), ("complaints", 2)]
            assert await depot.runtime.store.load_setup() == setup  # kept
            await depot.service.log_in("1006", "pos2")  # the engine knows the new agent
            assert any(a.id == "1006" for a in depot.service.snapshot().agents)
            actions = [e.action for e in await depot.desk.audit_log()]
            assert "settings.queue" in actions and "settings.agent" in actions

    asyncio.run(main())


def _wav(rate: int, format_tag: int = 7, bits: int = 8, frames: bytes = b"\xff" * 800) -> bytes:
    fmt = struct.pack("<HHIIHH", format_tag, 1, rate, rate * bits // 8, bits // 8, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + b"data"
    body += struct.pack("<I", len(frames)) + frames
    return b"RIFF" + struct.pack("<I", len(body)) + body


def test_prompt_upload_checked_for_type_and_size_then_kept(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    real = (Path(__file__).resolve().parents[2] / "appliance/prompts/en/greeting.wav").read_bytes()

    async def main() -> None:
        async with running_depot(tmp_path / "depot.db", prompts_dir=str(prompts)) as depot:
            async with new_session() as session:
                supervisor = Browserish(depot.url, session)
                await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
                token = await supervisor.csrf("/supervisor/settings")

                async def upload(
                    name: str, data: bytes, prompt: str = "greeting"
                ) -> tuple[int, str]:
                    form = aiohttp.FormData()
                    form.add_field("csrf_token", token)
                    form.add_field("language", "en")
                    form.add_field("name", prompt)
                    form.add_field("file", data, filename=name, content_type="audio/wav")
                    async with session.post(
                        f"{depot.url}/supervisor/prompts", data=form, allow_redirects=False
                    ) as response:
                        return response.status, await response.text()

                for name, data, prompt in (
                    ("greeting.wav", _wav(44100, 1, 16), "greeting"),  # CD rate
                    ("greeting.wav", b"ID3\x03 not a wav at all", "greeting"),
                    ("greeting.txt", real, "greeting"),
                    ("greeting.wav", real, "../../etc/passwd"),
                ):
                    status, page = await upload(name, data, prompt)
                    assert status == 400, name
                    assert 'data-field="file"' in page or 'data-field="name"' in page
                status, _ = await upload("big.wav", _wav(8000, frames=b"\xff" * 3_000_000))
                assert status == 413
                assert not prompts.exists() or list(prompts.rglob("*.wav")) == []
                status, _ = await upload("my-greeting.wav", real)
                assert status == 303
            assert (prompts / "en" / "greeting.wav").read_bytes() == real
            assert [p.name for p in prompts.rglob("*")] == ["en", "greeting.wav"]
            assert ("prompt.upload", "en/greeting") in [
                (e.action, e.target) for e in await depot.desk.audit_log()
            ]

    asyncio.run(main())


def test_supervisor_sets_opening_hours_and_holidays_and_bad_times_are_named(
    tmp_path: Path,
) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            async with new_session() as session:
                supervisor = Browserish(depot.url, session)
                await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
                token = await supervisor.csrf("/supervisor/settings")
                form = {
                    "csrf_token": token,
                    "action": "hours",
                    **{f"day_{d}": "08:00-12:00, 13:00-20:00" for d in range(6)},
                    "day_6": "",
                    "holidays": "2026-10-01\n2026-10-02\n",
                }
                status, page = await supervisor.post(
                    "/supervisor/settings", {**form, "day_2": "13:00-12:00"}
                )
                assert status == 400 and 'data-field="day_2"' in page
                status, page = await supervisor.post(
                    "/supervisor/settings", {**form, "holidays": "National Day"}
                )
                assert status == 400 and 'data-field="holidays"' in page
                assert (await supervisor.post("/supervisor/settings", form))[0] == 303
                status, page = await supervisor.page("/supervisor/settings")
                assert 'value="08:00-12:00, 13:00-20:00"' in page
                status, page = await supervisor.post(
                    "/supervisor/settings",
                    {"csrf_token": token, "action": "vips", "vip_numbers": "13900000001\nboss"},
                )
                assert status == 400 and 'data-field="vip_numbers"' in page
                status, _ = await supervisor.post(
                    "/supervisor/settings",
                    {
                        "csrf_token": token,
                        "action": "vips",
                        "vip_numbers": "13900000001\n\n13800138000\n13900000001",
                    },
                )
                assert status == 303
            assert depot.service.setup().vip_numbers == ("13900000001", "13800138000")
            hours = depot.service.setup().hours
            assert hours.weekly[0] == ((480, 720), (780, 1200)) and hours.weekly[6] == ()
            assert [d.isoformat() for d in hours.holidays] == ["2026-10-01", "2026-10-02"]
            assert hours.always_open is False

    asyncio.run(main())


def test_supervisor_blocks_and_unblocks_a_number_engine_follows(tmp_path: Path) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            async with new_session() as session:
                supervisor = Browserish(depot.url, session)
                await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
                token = await supervisor.csrf("/supervisor/blacklist")
                status, page = await supervisor.post(
                    "/supervisor/blacklist", {"csrf_token": token, "number": "138-abc"}
                )
                assert status == 400 and 'data-field="number"' in page
                await supervisor.post(
                    "/supervisor/blacklist", {"csrf_token": token, "number": "13011112222"}
                )
                assert "13011112222" in depot.service.setup().blacklist
                assert "13011112222" in await depot.service.blacklist()
                await supervisor.post(
                    "/supervisor/blacklist", {"csrf_token": token, "unblock": "13011112222"}
                )
                status, page = await supervisor.post(
                    "/supervisor/blacklist", {"csrf_token": token, "unblock": "13011112222"}
                )
                assert status == 400  # not on the list any more
            assert "13011112222" not in depot.service.setup().blacklist
            assert "13011112222" not in await depot.service.blacklist()
            actions = [(e.action, e.target) for e in await depot.desk.audit_log()]
            assert ("blacklist.remove", "13011112222") in actions

    asyncio.run(main())


def test_backup_copy_left_by_a_stop_mid_download_is_deleted_at_start(tmp_path: Path) -> None:
    left = tmp_path / ".depotline-download-0123456789abcdef"
    left.write_bytes(b"SQLite format 3\x00 cut off")

    async def main() -> None:
        async with running_depot(tmp_path / "depot.db"):
            assert not left.exists()

    asyncio.run(main())
