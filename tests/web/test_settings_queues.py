"""Queues the depot adds, renames and retires on the settings page (issue 17): the code checked
by one rule, names in both languages, the code kept for good, retiring refused with the reason
while callers are still sent to the queue, everything audited and kept."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import aiohttp
from test_settings_menu import (
    live_call_lands_in,
    menu_form,
    new_session,
    queue_form,
    queue_section,
    until,
)
from test_settings_more import REAL_WAV
from web_depot import (
    ADMIN_ID,
    ADMIN_PASSWORD,
    SUPERVISOR_ID,
    SUPERVISOR_PASSWORD,
    Depot,
    running_depot,
)
from web_http import Browserish

from appliance.desk.queue_forms import QUEUE_ID_PATTERN, is_queue_id
from appliance.engine.records import Verb
from drivers.roles import CallerId


def add_form(token: str, queue_id: str, name_zh: str, name_en: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "action": "add_queue",
        "new_queue_id": queue_id,
        "name_zh": name_zh,
        "name_en": name_en,
    }


async def settings_as_supervisor(
    depot: Depot, session: aiohttp.ClientSession
) -> tuple[Browserish, str]:
    """A supervisor signed in, with the settings page's form token."""
    supervisor = Browserish(depot.url, session)
    await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
    return supervisor, await supervisor.csrf("/supervisor/settings")


def call_stages(depot: Depot) -> list[tuple[str, str]]:
    """(queue, stage) of every call, as the monitor lists them."""
    return sorted((c.queue, c.stage.value) for c in depot.service.snapshot().calls)


def test_supervisor_adds_and_renames_a_queue_code_kept_audited_offered_in_menu(
    tmp_path: Path,
) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            async with new_session() as session:
                supervisor, token = await settings_as_supervisor(depot, session)
                form = add_form(token, "rescue", "救援", "Rescue")
                assert (await supervisor.post("/supervisor/settings", form))[0] == 303
                _, page = await supervisor.page("/supervisor/settings")
                assert 'data-queue="rescue"' in page  # its own settings form
                assert '<option value="rescue">救援</option>' in page  # menu, lines, overflow
                rename = {
                    "csrf_token": token,
                    "action": "rename_queue",
                    "queue_id": "rescue",
                    "name_zh": "道路救援",
                    "name_en": "Road rescue",
                }
                assert (await supervisor.post("/supervisor/settings", rename))[0] == 303
                rows = [("1", "cargo", "menu_cargo"), ("5", "rescue", "menu_cargo")]
                menu = menu_form(token, rows)
                assert (await supervisor.post("/supervisor/settings", menu))[0] == 303
                _, page = await supervisor.page("/supervisor/settings")
                assert '<option value="rescue" selected>道路救援</option>' in page
            rescue = depot.service.setup().queue("rescue")
            assert (rescue.id, rescue.name_zh, rescue.name_en) == (
                "rescue",
                "道路救援",
                "Road rescue",
            )
            assert await depot.runtime.store.load_setup() == depot.service.setup()
            audit = [(e.action, e.target, e.detail) for e in await depot.desk.audit_log()]
            assert ("settings.queue_add", "rescue", "救援 Rescue") in audit
            assert (
                "settings.queue_rename",
                "rescue",
                "救援 Rescue → 道路救援 Road rescue",
            ) in audit
            # give agent 1003 a level in the new queue: a caller pressing 5 is offered to them
            agent = depot.service.setup().agent("1003")
            async with new_session() as session:
                supervisor, token = await settings_as_supervisor(depot, session)
                agent_form = {
                    "csrf_token": token,
                    "action": "agent",
                    "agent_id": agent.id,
                    "name": agent.name,
                    **{f"tier_{queue}": str(int(tier)) for queue, tier in agent.skills},
                    "tier_rescue": "1",
                }
                assert (await supervisor.post("/supervisor/settings", agent_form))[0] == 303
            await live_call_lands_in(depot, "5", "rescue")

    asyncio.run(main())


def test_bad_new_queue_refused_naming_the_field_nothing_changes(tmp_path: Path) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            before = depot.service.setup()
            async with new_session() as session:
                supervisor, token = await settings_as_supervisor(depot, session)
                for queue_id, name_zh, name_en, field, shown in (
                    ("Rescue", "救援", "Rescue", "new_queue_id", "以小写字母开头"),
                    ("r", "救援", "Rescue", "new_queue_id", "以小写字母开头"),
                    ("1rescue", "救援", "Rescue", "new_queue_id", "以小写字母开头"),
                    ("res cue", "救援", "Rescue", "new_queue_id", "以小写字母开头"),
                    ("救援", "救援", "Rescue", "new_queue_id", "以小写字母开头"),
                    ("cargo", "救援", "Rescue", "new_queue_id", "已被使用"),
                    ("rescue", "", "Rescue", "name_zh", "必填"),
                    ("rescue", "救援", "", "name_en", "必填"),
                    ("rescue", "救" * 21, "Rescue", "name_zh", "内容过长"),
                ):
                    form = add_form(token, queue_id, name_zh, name_en)
                    status, page = await supervisor.post("/supervisor/settings", form)
                    assert status == 400, queue_id
                    assert f'data-field="{field}"' in page, queue_id
                    assert shown in page, queue_id
                rename = {
                    "csrf_token": token,
                    "action": "rename_queue",
                    "queue_id": "nowhere",
                    "name_zh": "x",
                    "name_en": "x",
                }
                assert (await supervisor.post("/supervisor/settings", rename))[0] == 400
                rename = {**rename, "queue_id": "cargo", "name_zh": ""}
                status, page = await supervisor.post("/supervisor/settings", rename)
                assert status == 400 and 'data-field="name_zh"' in page
            assert depot.service.setup() == before
            assert await depot.runtime.store.load_setup() == before

    asyncio.run(main())


def test_queue_code_rule_is_the_pages_pattern() -> None:
    assert all(is_queue_id(code) for code in ("cargo", "rescue_2", "ab", "a" * 20))
    assert not any(is_queue_id(code) for code in ("a", "a" * 21, "Cargo", "_a", "a-b", "预约"))
    assert QUEUE_ID_PATTERN == "[a-z][a-z0-9_]{1,19}"


def test_retiring_a_queue_refused_while_callers_are_sent_to_it_then_retired(
    tmp_path: Path,
) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            async with new_session() as session:
                supervisor, token = await settings_as_supervisor(depot, session)
                retire = {"csrf_token": token, "action": "retire_queue", "queue_id": "orders"}
                status, page = await supervisor.post("/supervisor/settings", retire)
                assert status == 400
                assert 'data-field="retire_queue" data-queue="orders"' in page
                assert "语音导航菜单仍有按键指向该队列" in page
                # the menu no longer leads to orders: now it is refused only for the overflow
                rows = [("1", "cargo", "menu_cargo"), ("3", "complaints", "menu_complaints")]
                assert (await supervisor.post("/supervisor/settings", menu_form(token, rows)))[
                    0
                ] == 303
                status, page = await supervisor.post("/supervisor/settings", retire)
                assert status == 400 and "另一个队列溢出到该队列" in page
                overflow = queue_form(token, "cargo", overflow_kind="callback")
                assert (await supervisor.post("/supervisor/settings", overflow))[0] == 303
                before = depot.service.setup()
                assert any(q.id == "orders" for q in before.queues)
                assert any(dict(a.skills).get("orders") for a in before.agents)
                assert (await supervisor.post("/supervisor/settings", retire))[0] == 303
                _, page = await supervisor.page("/supervisor/settings")
                assert 'data-queue="orders"' not in page
                assert 'value="orders"' not in page
                last = {**retire, "queue_id": "cargo"}
                status, page = await supervisor.post("/supervisor/settings", last)
                assert status == 400 and "语音导航菜单仍有按键指向该队列" in page
            setup = depot.service.setup()
            assert [q.id for q in setup.queues] == ["cargo", "complaints"]
            assert not any("orders" in dict(a.skills) for a in setup.agents)
            assert await depot.runtime.store.load_setup() == setup
            audit = [(e.action, e.target) for e in await depot.desk.audit_log()]
            assert ("settings.queue_retire", "orders") in audit
            assert ("settings.queue_retire", "cargo") not in audit
            async with new_session() as session:
                admin = Browserish(depot.url, session)
                await admin.sign_in(ADMIN_ID, ADMIN_PASSWORD)
                _, page = await admin.page("/admin/audit")
                assert ">停用队列<" in page and ">settings.queue_retire<" not in page

    asyncio.run(main())


def test_agent_of_two_queues_is_offered_the_higher_priority_queues_caller_first(
    tmp_path: Path,
) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            async with new_session() as session:
                supervisor, token = await settings_as_supervisor(depot, session)
                for queue_id, weight in (("cargo", "0"), ("complaints", "5")):
                    form = queue_form(token, queue_id, weight=weight, join_when_no_agents="on")
                    assert (await supervisor.post("/supervisor/settings", form))[0] == 303
                _, page = await supervisor.page("/supervisor/settings")
                assert 'name="weight" type="number" min="0" max="9" step="1" value="5"' in (
                    queue_section(page, "complaints")
                )
                status, page = await supervisor.post(
                    "/supervisor/settings", queue_form(token, "cargo", weight="10")
                )
                assert status == 400 and 'data-field="weight"' in page
            assert depot.service.setup().queue("complaints").weight == 5

            # a cargo caller waits first, a complaints caller after; nobody is logged in
            assert depot.lines.incoming_call("L1", CallerId("13700001111", ""))
            await until(lambda: call_stages(depot) == [("", "greeting")])
            depot.lines.press("L1", "1")
            await until(lambda: call_stages(depot) == [("cargo", "queued")])
            assert depot.lines.incoming_call("L2", CallerId("13700002222", ""))
            await until(lambda: ("", "greeting") in call_stages(depot))
            depot.lines.press("L2", "3")
            await until(
                lambda: call_stages(depot) == [("cargo", "queued"), ("complaints", "queued")]
            )
            await depot.service.log_in("1003", "pos1")  # cargo and complaints
            await depot.service.ready("1003")
            await until(
                lambda: call_stages(depot) == [("cargo", "queued"), ("complaints", "offered")]
            )

    asyncio.run(main())


def test_new_queues_menu_key_announced_by_its_own_upload_page_says_what_is_missing(
    tmp_path: Path,
) -> None:
    prompts = tmp_path / "prompts"

    async def main() -> None:
        async with running_depot(tmp_path / "depot.db", prompts_dir=str(prompts)) as depot:
            async with new_session() as session:
                supervisor, token = await settings_as_supervisor(depot, session)
                form = add_form(token, "booking", "预约", "Appointments")
                assert (await supervisor.post("/supervisor/settings", form))[0] == 303
                rows = [("1", "cargo", "menu_cargo"), ("6", "booking", "menu_q_booking")]
                for wrong in ("menu_q_cargo", "menu_q_nowhere"):  # only the row's own queue's
                    bad = menu_form(token, [rows[0], ("6", "booking", wrong)])
                    status, page = await supervisor.post("/supervisor/settings", bad)
                    assert status == 400 and 'data-field="prompt_1"' in page, wrong
                menu = menu_form(token, rows)
                assert (await supervisor.post("/supervisor/settings", menu))[0] == 303
                _, page = await supervisor.page("/supervisor/settings")
                own = "预约：专用播报（录音或合成语音）"
                assert f'<option value="menu_q_booking" selected>{own}</option>' in page
                warning = re.search(r'<p class="alarm" data-key-without-prompt="6">(.*?)</p>', page)
                assert warning is not None
                assert "按键 6（预约）既没有录音也没有合成语音" in warning.group(1)
                assert "中文, English" in warning.group(1)

                async def upload(name: str) -> int:
                    data = aiohttp.FormData()
                    for field, value in (("csrf_token", token), ("language", "zh-CN")):
                        data.add_field(field, value)
                    data.add_field("name", name)
                    data.add_field("file", REAL_WAV.read_bytes(), filename="booking.wav")
                    async with session.post(
                        f"{depot.url}/supervisor/prompts", data=data, allow_redirects=False
                    ) as response:
                        return response.status

                assert await upload("menu_q_nowhere") == 400
                assert await upload("menu_q_booking") == 303
                _, page = await supervisor.page("/supervisor/settings")
                warning = re.search(r'<p class="alarm" data-key-without-prompt="6">(.*?)</p>', page)
                assert warning is not None and warning.group(1).endswith("缺少： English")
            assert (prompts / "zh-CN" / "menu_q_booking.wav").read_bytes() == REAL_WAV.read_bytes()
            assert not (prompts / "zh-CN" / "menu_q_nowhere.wav").exists()
            audit = [(e.action, e.target) for e in await depot.desk.audit_log()]
            assert ("prompt.upload", "zh-CN/menu_q_booking") in audit

    asyncio.run(main())


def test_retiring_a_queue_moves_its_waiting_caller_on_by_its_overflow(tmp_path: Path) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            async with new_session() as session:
                supervisor, token = await settings_as_supervisor(depot, session)
                # orders takes callers with nobody logged in; its overflow is a callback request
                waits = queue_form(token, "orders", join_when_no_agents="on")
                assert (await supervisor.post("/supervisor/settings", waits))[0] == 303
                assert depot.lines.incoming_call("L1", CallerId("13700004444", ""))
                await until(
                    lambda: [c.stage.value for c in depot.service.snapshot().calls] == ["greeting"]
                )
                depot.lines.press("L1", "2")
                await until(
                    lambda: (
                        [(c.queue, c.stage.value) for c in depot.service.snapshot().calls]
                        == [("orders", "queued")]
                    )
                )
                rows = [("1", "cargo", "menu_cargo"), ("3", "complaints", "menu_complaints")]
                for form in (
                    menu_form(token, rows),
                    queue_form(token, "cargo", overflow_kind="callback"),
                    {"csrf_token": token, "action": "retire_queue", "queue_id": "orders"},
                ):
                    assert (await supervisor.post("/supervisor/settings", form))[0] == 303
                await until(
                    lambda: not any(c.queue == "orders" for c in depot.service.snapshot().calls)
                )
            async with asyncio.timeout(10):
                while not any(
                    e.verb is Verb.EXITEMPTY and e.queue == "orders"
                    for e in await depot.runtime.store.queue_log(0.0)
                ):
                    await asyncio.sleep(0.02)
            tasks = await depot.runtime.store.open_callback_tasks()
            assert [(t.number, t.queue) for t in tasks if t.number == "13700004444"] == [
                ("13700004444", "orders")
            ]

    asyncio.run(main())


def test_retiring_a_queue_a_line_goes_straight_to_refused_until_the_line_is_changed(
    tmp_path: Path,
) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            async with new_session() as session:
                supervisor, token = await settings_as_supervisor(depot, session)
                form = add_form(token, "rescue", "救援", "Rescue")
                assert (await supervisor.post("/supervisor/settings", form))[0] == 303
                lines = {"csrf_token": token, "action": "lines", "line_queue_L2": "menu"}
                to_rescue = {**lines, "line_queue_L1": "rescue"}
                assert (await supervisor.post("/supervisor/settings", to_rescue))[0] == 303
                retire = {"csrf_token": token, "action": "retire_queue", "queue_id": "rescue"}
                status, page = await supervisor.post("/supervisor/settings", retire)
                assert status == 400 and "有线路直达该队列" in page
                assert depot.service.setup().queue("rescue").name_zh == "救援"
                to_menu = {**lines, "line_queue_L1": "menu"}
                assert (await supervisor.post("/supervisor/settings", to_menu))[0] == 303
                assert (await supervisor.post("/supervisor/settings", retire))[0] == 303
            assert "rescue" not in [q.id for q in depot.service.setup().queues]

    asyncio.run(main())
