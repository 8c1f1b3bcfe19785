"""Restore by upload on the admin status page: only an admin with the session's token may
upload; a file that is not a usable depotline backup is refused by name with nothing changed;
a good backup is staged, confirmed, swapped in at the next start, and the old database kept."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
import pytest
from web_depot import (
    ADMIN_ID,
    ADMIN_PASSWORD,
    AGENT_ID,
    AGENT_PASSWORD,
    SUPERVISOR_ID,
    SUPERVISOR_PASSWORD,
    Depot,
    free_port,
    running_depot,
)
from web_http import Browserish

from appliance.cli import EX_RESTART
from appliance.demo import DemoOptions, run_demo
from appliance.desk import restore as desk_restore
from appliance.seed import DEMO_SUPERVISOR
from appliance.store import Role
from appliance.store.backup import apply_pending_restore
from appliance.store.schema import SCHEMA_VERSION
from web_ui.site.i18n import MISSING_MARK

DEPOTLINE = Path(sys.executable).with_name("depotline")
BACKUP_ONLY_ID = "7777"  # a user only the backup has
LIVE_ONLY_ID = "8888"  # a user only the live database has


def new_session(language: str = "en") -> aiohttp.ClientSession:
    session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    session.cookie_jar.update_cookies({"depotline_lang": language})
    return session


async def upload(
    client: Browserish, token: str, content: bytes, name: str = "depotline-backup.db"
) -> tuple[int, str, str]:
    """Posts the restore form as a browser does (token first); status, page, Location."""
    form = aiohttp.FormData()
    form.add_field("csrf_token", token)
    form.add_field("backup", content, filename=name, content_type="application/octet-stream")
    async with client.session.post(
        f"{client.url}/admin/restore", data=form, allow_redirects=False
    ) as response:
        return response.status, await response.text(), response.headers.get("Location", "")


def restore_leftovers(folder: Path) -> list[str]:
    """Staged, pending or half-uploaded restore files in the database's folder."""
    return sorted(
        path.name
        for path in folder.iterdir()
        if ".restore-" in path.name or ".upload-" in path.name
    )


def user_ids(database: Path) -> set[str]:
    with contextlib.closing(sqlite3.connect(database)) as connection:
        return {str(row[0]) for row in connection.execute("SELECT agent_id FROM users")}


def audit_actions(database: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(database)) as connection:
        return [str(row[0]) for row in connection.execute("SELECT action FROM audit_log")]


async def make_backup(folder: Path) -> bytes:
    """A depot with a record of its own, backed up by the admin page's own backup code."""
    folder.mkdir()
    async with running_depot(folder / "source.db") as depot:
        await depot.runtime.store.add_user(BACKUP_ONLY_ID, "备份里的人", Role.AGENT, "pass-7777-x")
        _token, admin = await depot.desk.sign_in(ADMIN_ID, ADMIN_PASSWORD, "127.0.0.1")
        await depot.desk.notices.add_handover(admin, "来自备份的交接班记录")
        async with depot.desk.backup_copy(admin) as copy:
            return Path(copy).read_bytes()


async def admin_client(depot: Depot, session: aiohttp.ClientSession) -> tuple[Browserish, str]:
    admin = Browserish(depot.url, session)
    await admin.sign_in(ADMIN_ID, ADMIN_PASSWORD)
    return admin, await admin.csrf("/admin/status")


def test_restore_upload_refused_for_agent_supervisor_and_a_forged_token(tmp_path: Path) -> None:
    async def main() -> None:
        backup = await make_backup(tmp_path / "made")
        live = tmp_path / "live" / "depot.db"
        live.parent.mkdir()
        async with running_depot(live) as depot:
            for agent_id, password in (
                (AGENT_ID, AGENT_PASSWORD),
                (SUPERVISOR_ID, SUPERVISOR_PASSWORD),
            ):
                async with new_session() as session:
                    someone = Browserish(depot.url, session)
                    await someone.sign_in(agent_id, password)
                    token = await someone.csrf("/desk")
                    status, _page, _where = await upload(someone, token, backup)
                    assert status == 403, agent_id
                    assert (await someone.page("/admin/status"))[0] == 403
                    assert (await someone.post("/admin/restore/confirm", {"csrf_token": token}))[
                        0
                    ] == 403
            async with new_session() as session:
                admin, token = await admin_client(depot, session)
                status, page, _where = await upload(admin, "forged-" + token[7:], backup)
                assert status == 403 and "did not come from this site" in page
                form = aiohttp.FormData()  # the file before the token: refused unread
                form.add_field("backup", backup, filename="b.db")
                form.add_field("csrf_token", token)
                async with session.post(
                    f"{depot.url}/admin/restore", data=form, allow_redirects=False
                ) as response:
                    assert response.status == 403
            async with new_session() as session:
                stranger = Browserish(depot.url, session)
                status, _page, _where = await upload(stranger, "", backup)
                assert status == 401
            assert restore_leftovers(live.parent) == []
            assert "restore.upload" not in [e.action for e in await depot.desk.audit_log()]
        assert BACKUP_ONLY_ID not in user_ids(live)

    asyncio.run(main())


def corrupt_copy(backup: bytes, folder: Path) -> bytes:
    """The backup with an index whose entries no longer match its table: intact as a file,
    but PRAGMA integrity_check reports it."""
    path = folder / "corrupt.db"
    path.write_bytes(backup)
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE spare (label TEXT)")
        connection.execute("CREATE INDEX spare_by_label ON spare (label)")
        connection.executemany(
            "INSERT INTO spare VALUES (?)", [(f"aaaa{n:04d}",) for n in range(50)]
        )
        connection.commit()
        root = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'spare_by_label'"
        ).fetchone()[0]
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(path.read_bytes())
    start, end = (root - 1) * page_size, root * page_size
    data[start:end] = data[start:end].replace(b"aaaa", b"zzzz")
    return bytes(data)


def newer_copy(backup: bytes, folder: Path) -> bytes:
    path = folder / "newer.db"
    path.write_bytes(backup)
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    return path.read_bytes()


def copy_without_tickets(backup: bytes, folder: Path) -> bytes:
    path = folder / "no-tickets.db"
    path.write_bytes(backup)
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("DROP TABLE tickets")
    return path.read_bytes()


def other_program_database(folder: Path) -> bytes:
    path = folder / "other.db"
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE contacts (name TEXT)")
    return path.read_bytes()


def test_restore_upload_refuses_bad_files_by_name_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(desk_restore, "RESTORE_MAX_BYTES", 256 * 1024)

    async def main() -> None:
        made = tmp_path / "made"
        backup = await make_backup(made)
        assert len(backup) < 256 * 1024  # the good one fits under the lowered limit
        live = tmp_path / "live" / "depot.db"
        live.parent.mkdir()
        cases = [
            ("not_sqlite", b"name,number\n" * 100, "not an SQLite database file"),
            ("not_sqlite", b"SQLite", "not an SQLite database file"),  # too short
            ("too_large", backup + b"\0" * 100 * 1024, "larger than allowed"),  # streamed
            ("too_large", backup + b"\0" * 2 * 1024**2, "larger than allowed"),  # by its length
            ("damaged", corrupt_copy(backup, made), "damaged"),
            ("newer", newer_copy(backup, made), "newer depotline"),
            ("not_depot", other_program_database(made), "not a depotline database"),
            ("not_depot", copy_without_tickets(backup, made), "(tickets)"),
            ("not_database", b"SQLite format 3\0" + b"\xff" * 4096, "cannot be read"),
        ]
        async with running_depot(live) as depot:
            await depot.runtime.store.add_user(LIVE_ONLY_ID, "现在的人", Role.AGENT, "pass-8888-x")
            async with new_session() as session:
                admin, token = await admin_client(depot, session)
                for problem, content, message in cases:
                    status, page, _where = await upload(admin, token, content)
                    assert status == 400, problem
                    assert f'data-problem="{problem}"' in page
                    assert "Backup file: " in page and message in page, problem
                    assert restore_leftovers(live.parent) == [], problem
                    assert (await admin.page("/admin/restore"))[0] == 303  # nothing to confirm
                status, page, _where = await upload(admin, token, b"", name="")
                assert status == 400 and 'data-problem="no_file"' in page
            async with new_session("zh-CN") as session:
                admin, token = await admin_client(depot, session)
                status, page, _where = await upload(admin, token, newer_copy(backup, made))
                assert status == 400 and "请先升级 depotline" in page
                assert MISSING_MARK.format("")[0] not in page
            assert await depot.runtime.store.user(LIVE_ONLY_ID) is not None
            assert await depot.runtime.store.user(BACKUP_ONLY_ID) is None
            refused = [
                e.detail for e in await depot.desk.audit_log() if e.action == "restore.refused"
            ]
            assert sorted(refused) == sorted([case[0] for case in cases] + ["no_file", "newer"])
        assert user_ids(live) >= {LIVE_ONLY_ID} and BACKUP_ONLY_ID not in user_ids(live)
        assert restore_leftovers(live.parent) == []

    asyncio.run(main())


async def upload_and_confirm(depot: Depot, backup: bytes, *, language: str = "en") -> str:
    """Uploads a good backup, checks the confirmation page, confirms; the page after it."""
    async with new_session(language) as session:
        admin, token = await admin_client(depot, session)
        status, _page, where = await upload(admin, token, backup)
        assert (status, where) == (303, "/admin/restore")
        status, page = await admin.page("/admin/restore")
        assert status == 200
        assert 'data-table="users"' in page and 'data-table="handover_log"' in page
        assert 'id="restore-now"' in page and 'id="restore-cancel"' in page
        cut = "calls in progress are cut" if language == "en" else "正在进行的通话会被中断"
        assert cut in page and MISSING_MARK.format("")[0] not in page
        status, page = await admin.page("/admin/status")
        assert 'id="restore-staged"' in page
        status, page = await admin.post("/admin/restore/confirm", {"csrf_token": token})
        assert status == 200
        return page


def test_good_backup_is_staged_confirmed_and_swapped_in_with_the_old_one_kept(
    tmp_path: Path,
) -> None:
    restarts: list[bool] = []
    live = tmp_path / "live" / "depot.db"
    live.parent.mkdir()

    async def main() -> None:
        backup = await make_backup(tmp_path / "made")
        async with running_depot(live, restart=lambda: restarts.append(True)) as depot:
            await depot.runtime.store.add_user(LIVE_ONLY_ID, "现在的人", Role.AGENT, "pass-8888-x")
            page = await upload_and_confirm(depot, backup)
            assert "restarts in a few seconds; calls in progress are cut" in page
            assert restarts == [True]
            assert restore_leftovers(live.parent) == ["depot.db.restore-pending"]
            # still the live records until the depot starts again
            assert await depot.runtime.store.user(BACKUP_ONLY_ID) is None
            actions = [e.action for e in await depot.desk.audit_log()]
            assert "restore.upload" in actions and "restore.confirm" in actions

    asyncio.run(main())
    check, kept = apply_pending_restore(live)
    assert kept is not None and kept.name.startswith("depot.db.before-restore-")
    assert BACKUP_ONLY_ID in user_ids(live) and LIVE_ONLY_ID not in user_ids(live)
    with contextlib.closing(sqlite3.connect(live)) as connection:
        handover = [row[0] for row in connection.execute("SELECT text FROM handover_log")]
    assert handover == ["来自备份的交接班记录"]
    assert LIVE_ONLY_ID in user_ids(kept) and BACKUP_ONLY_ID not in user_ids(kept)
    assert {"restore.upload", "restore.confirm"} <= set(audit_actions(kept))
    assert sum(check.row_counts.values()) > 0
    assert restore_leftovers(live.parent) == []  # the pending file went in
    assert not Path(f"{kept}-wal").exists()  # checkpointed: the kept copy is whole on its own


def test_confirmed_restore_is_swapped_in_when_the_depot_starts_again(tmp_path: Path) -> None:
    async def main() -> None:
        backup = await make_backup(tmp_path / "made")
        live = tmp_path / "live" / "depot.db"
        live.parent.mkdir()
        async with running_depot(live) as depot:
            await depot.runtime.store.add_user(LIVE_ONLY_ID, "现在的人", Role.AGENT, "pass-8888-x")
            page = await upload_and_confirm(depot, backup, language="zh-CN")
            assert "sudo systemctl restart depotline" in page  # no restart hook: say how
        async with running_depot(live) as depot:  # the start path every depot takes
            assert await depot.runtime.store.user(BACKUP_ONLY_ID) is not None
            assert await depot.runtime.store.user(LIVE_ONLY_ID) is None
            async with new_session() as session:
                admin, _token = await admin_client(depot, session)
                status, page = await admin.page("/supervisor/handover")
                assert status == 200 and "来自备份的交接班记录" in page
        kept = [p for p in live.parent.iterdir() if ".before-restore-" in p.name]
        assert len(kept) == 1 and LIVE_ONLY_ID in user_ids(kept[0])
        assert not (live.parent / "depot.db.restore-pending").exists()

    asyncio.run(main())


def test_cancelled_upload_is_dropped_and_never_restored(tmp_path: Path) -> None:
    async def main() -> None:
        backup = await make_backup(tmp_path / "made")
        live = tmp_path / "live" / "depot.db"
        live.parent.mkdir()
        async with running_depot(live) as depot:
            async with new_session() as session:
                admin, token = await admin_client(depot, session)
                assert (await upload(admin, token, backup))[0] == 303
                assert restore_leftovers(live.parent) == ["depot.db.restore-upload"]
                status, _page = await admin.post("/admin/restore/cancel", {"csrf_token": token})
                assert status == 303
                assert restore_leftovers(live.parent) == []
                status, page = await admin.post("/admin/restore/confirm", {"csrf_token": token})
                assert status == 400 and 'data-problem="nothing_staged"' in page
            assert "restore.cancel" in [e.action for e in await depot.desk.audit_log()]
        async with running_depot(live) as depot:
            assert await depot.runtime.store.user(BACKUP_ONLY_ID) is None

    asyncio.run(main())


def test_streamed_upload_stops_at_the_limit_without_a_declared_length(tmp_path: Path) -> None:
    written: list[int] = []

    async def endless() -> AsyncIterator[bytes]:
        yield b"SQLite format 3\0"
        while True:
            written.append(1)
            yield b"\0" * 4096

    async def main() -> None:
        with pytest.raises(desk_restore.RestoreRefused) as refused:
            await desk_restore.receive(str(tmp_path / "depot.db"), endless(), max_bytes=64 * 1024)
        assert refused.value.problem == "too_large"

    asyncio.run(main())
    assert len(written) <= 16
    assert list(tmp_path.iterdir()) == []


def test_upload_cut_off_by_a_stop_is_deleted_at_the_next_start(tmp_path: Path) -> None:
    live = tmp_path / "depot.db"
    partial = tmp_path / ".depot.db.upload-x1y2z3"

    async def main() -> None:
        async with running_depot(live):
            partial.write_bytes(b"SQLite format 3\0" + b"\0" * 1000)
        async with running_depot(live):
            assert not partial.exists()

    asyncio.run(main())


def test_pending_restore_that_fails_its_checks_leaves_the_database_alone(tmp_path: Path) -> None:
    async def main() -> None:
        live = tmp_path / "depot.db"
        async with running_depot(live) as depot:
            await depot.runtime.store.add_user(LIVE_ONLY_ID, "现在的人", Role.AGENT, "pass-8888-x")
        (tmp_path / "depot.db.restore-pending").write_bytes(b"SQLite format 3\0" + b"\xff" * 4096)
        async with running_depot(live) as depot:
            assert await depot.runtime.store.user(LIVE_ONLY_ID) is not None
        left = restore_leftovers(tmp_path)
        assert len(left) == 1 and left[0].startswith("depot.db.restore-failed-")

    asyncio.run(main())


def daemon_config(folder: Path, database: Path, port: int) -> Path:
    path = folder / "depotline.toml"
    path.write_text(
        f"""
[depot]
name = "restore test"
timezone = "Asia/Shanghai"
database = "{database}"
recordings_dir = "{folder / "recordings"}"

[web]
listen = "127.0.0.1"
port = {port}

[[lines]]
id = "sim"
type = "sim"
channels = 2

[[positions]]
id = "pos1"
type = "sim"
"""
    )
    return path


async def wait_for_web(url: str, running: Callable[[], bool]) -> None:
    async with aiohttp.ClientSession() as session:
        for _attempt in range(300):
            assert running(), "the depot stopped while starting"
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"{url}/login") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise AssertionError("the depot's web page did not come up")


def test_depotline_run_restarts_after_confirm_and_swaps_the_backup_in_at_start(
    tmp_path: Path,
) -> None:
    live = tmp_path / "live" / "depot.db"
    live.parent.mkdir()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    config = daemon_config(tmp_path, live, port)
    command = [str(DEPOTLINE), "run", "--config", str(config)]

    async def prepare() -> bytes:
        backup = await make_backup(tmp_path / "made")
        async with running_depot(live) as depot:  # the accounts the daemon's web page knows
            await depot.runtime.store.add_user(LIVE_ONLY_ID, "现在的人", Role.AGENT, "pass-8888-x")
        return backup

    async def restore(backup: bytes, process: subprocess.Popen[bytes]) -> None:
        await wait_for_web(url, lambda: process.poll() is None)
        async with new_session() as session:
            admin = Browserish(url, session)
            await admin.sign_in(ADMIN_ID, ADMIN_PASSWORD)
            token = await admin.csrf("/admin/status")
            assert (await upload(admin, token, backup))[0] == 303
            status, page = await admin.post("/admin/restore/confirm", {"csrf_token": token})
            assert status == 200 and "restarts in a few seconds" in page

    backup = asyncio.run(prepare())
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        asyncio.run(restore(backup, first))
        assert first.wait(timeout=60) == EX_RESTART  # Restart=always starts it again
    finally:
        if first.poll() is None:
            first.kill()
        first.communicate()
    again = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        asyncio.run(wait_for_web(url, lambda: again.poll() is None))
        again.send_signal(signal.SIGTERM)
        assert again.wait(timeout=60) == 0
    finally:
        if again.poll() is None:
            again.kill()
        output = again.communicate()[0].decode(errors="replace")
    assert "restored the backup confirmed on the web page" in output
    assert BACKUP_ONLY_ID in user_ids(live) and LIVE_ONLY_ID not in user_ids(live)
    kept = [p for p in live.parent.iterdir() if ".before-restore-" in p.name]
    assert len(kept) == 1 and LIVE_ONLY_ID in user_ids(kept[0])
    assert restore_leftovers(live.parent) == []


def test_demo_restarts_in_process_and_swaps_the_backup_in(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"

    async def main() -> None:
        backup = await make_backup(tmp_path / "made")
        stop = asyncio.Event()
        options = DemoOptions(database=str(tmp_path / "demo.db"), port=port, console=False)
        demo = asyncio.create_task(run_demo(options, stop))
        try:
            await wait_for_web(url, lambda: not demo.done())
            async with new_session() as session:
                admin = Browserish(url, session)
                demo_admin_id, _name, demo_password = DEMO_SUPERVISOR
                await admin.sign_in(demo_admin_id, demo_password)
                token = await admin.csrf("/admin/status")
                assert (await upload(admin, token, backup))[0] == 303
                status, page = await admin.post("/admin/restore/confirm", {"csrf_token": token})
                assert status == 200 and "restarts in a few seconds" in page
            async with new_session() as session:
                restored = Browserish(url, session)
                for _attempt in range(100):  # the demo stops, swaps and starts again
                    with contextlib.suppress(aiohttp.ClientError):
                        if (await restored.sign_in(BACKUP_ONLY_ID, "pass-7777-x")).status == 303:
                            break
                    await asyncio.sleep(0.1)
                else:
                    raise AssertionError("the backup's user cannot sign in to the restarted demo")
            assert not demo.done()
        finally:
            stop.set()
            await demo
        kept = [p for p in tmp_path.iterdir() if ".before-restore-" in p.name]
        assert len(kept) == 1 and DEMO_SUPERVISOR[0] in user_ids(kept[0])

    asyncio.run(main())
