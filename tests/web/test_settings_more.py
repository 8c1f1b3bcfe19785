"""The greeting, lines that skip the menu, and per queue the tier escalation wait and the
no-agents switches, changed on the settings page over HTTP: shown after a reload, kept, live in
the running engine, audited; a bad or half-sent form is refused naming the field and its queue
or line, and changes nothing; an agent is refused."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path

import aiohttp
from web_depot import (
    AGENT_ID,
    AGENT_PASSWORD,
    SUPERVISOR_ID,
    SUPERVISOR_PASSWORD,
    Depot,
    running_depot,
)
from web_http import Browserish

from drivers.roles import CallerId

SETTINGS = "/supervisor/settings"
REAL_WAV = Path(__file__).resolve().parents[2] / "appliance/prompts/zh-CN/please_hold.wav"


def new_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def until(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not condition():
            await asyncio.sleep(0.02)


def stage(depot: Depot) -> str:
    calls = depot.service.snapshot().calls
    return calls[0].stage.value if calls else "none"


def first_prompts_on(depot: Depot, line: str) -> str:
    """What the box played first to the caller on `line`, as the simulated line wrote it down."""
    played = [t for t in depot.lines.transcript.texts() if t.startswith(f"box PlayPrompt {line} ")]
    assert played, depot.lines.transcript.texts()
    found = re.search(r"'prompts': (\([^)]*\))", played[0])
    assert found is not None, played[0]
    return found.group(1)


def queue_form(token: str, queue_id: str, **changes: str) -> dict[str, str]:
    form = {
        "csrf_token": token,
        "action": "queue",
        "queue_id": queue_id,
        "queue_switches": queue_id,
        "strategy": "round_robin",
        "ring_timeout_s": "15",
        "wrap_up_s": "30",
        "max_wait_s": "300",
        "talk_time_limit_s": "600",
        "sl_threshold_s": "20",
        "max_length": "0",
        "overflow_kind": "callback",
        "overflow_target": "",
        "announce_every_s": "45",
        "virtual_hold_key": "1",
        "tier_escalation_s": "30",
        "leave_when_no_agents": "on",
    }
    return {**form, **changes}


def queue_section(page: str, queue_id: str) -> str:
    match = re.search(rf'<form[^>]*data-queue="{queue_id}".*?</form>', page, re.S)
    assert match is not None, queue_id
    return match.group(0)


async def signed_in_pair(
    depot: Depot, s1: aiohttp.ClientSession, s2: aiohttp.ClientSession
) -> tuple[Browserish, Browserish]:
    supervisor, agent = Browserish(depot.url, s1), Browserish(depot.url, s2)
    await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
    await agent.sign_in(AGENT_ID, AGENT_PASSWORD)
    return supervisor, agent


def test_greeting_chosen_among_box_prompts_caller_hears_it_bad_names_refused(
    tmp_path: Path,
) -> None:
    prompts = tmp_path / "prompts"

    async def main() -> None:
        async with running_depot(tmp_path / "depot.db", prompts_dir=str(prompts)) as depot:
            before = depot.service.setup()
            async with new_session() as s1, new_session() as s2:
                supervisor, agent = await signed_in_pair(depot, s1, s2)
                token = await supervisor.csrf(SETTINGS)
                upload = aiohttp.FormData()
                for name, value in (("csrf_token", token), ("language", "zh-CN")):
                    upload.add_field(name, value)
                upload.add_field("name", "please_hold")
                upload.add_field("file", REAL_WAV.read_bytes(), filename="hold.wav")
                async with s1.post(
                    f"{depot.url}/supervisor/prompts", data=upload, allow_redirects=False
                ) as response:
                    assert response.status == 303
                _, page = await supervisor.page(SETTINGS)
                assert (
                    '<option value="please_hold">正在为您转接，请稍候。 (已录音: zh-CN)</option>'
                    in page
                )
                assert '<option value="greeting" selected>您好，欢迎致电客服中心。</option>' in page

                form = {"csrf_token": token, "action": "greeting", "greeting_prompt": "please_hold"}
                agent_token = await agent.csrf("/desk")
                status, _ = await agent.post(SETTINGS, {**form, "csrf_token": agent_token})
                assert status == 403
                for bad in ("../etc/passwd", "", "no_such_prompt"):
                    status, page = await supervisor.post(SETTINGS, {**form, "greeting_prompt": bad})
                    assert status == 400, bad
                    assert 'data-field="greeting_prompt"' in page, bad
                    assert "欢迎语: 请从列表中选择" in page, bad
                assert depot.service.setup() == before
                assert await depot.runtime.store.load_setup() == before

                assert (await supervisor.post(SETTINGS, form))[0] == 303
                _, page = await supervisor.page(SETTINGS)
                chosen = '<option value="please_hold" selected>正在为您转接，请稍候。'
                assert f"{chosen} (已录音: zh-CN)</option>" in page
            assert depot.service.setup().menu.greeting_prompt == "please_hold"
            assert await depot.runtime.store.load_setup() == depot.service.setup()
            entries = [(e.action, e.target, e.detail) for e in await depot.desk.audit_log()]
            assert ("settings.greeting", "menu", "please_hold") in entries
            assert depot.lines.incoming_call("L1", CallerId("13700003333", ""))
            await until(lambda: stage(depot) == "greeting")
            assert first_prompts_on(depot, "L1").startswith("('please_hold', 'menu_cargo'")

    asyncio.run(main())


def test_line_set_to_a_queue_skips_the_menu_bad_lines_and_queues_refused(tmp_path: Path) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            before = depot.service.setup()
            assert before.line_queues == ()
            async with new_session() as s1, new_session() as s2:
                supervisor, agent = await signed_in_pair(depot, s1, s2)
                token = await supervisor.csrf(SETTINGS)
                form = {
                    "csrf_token": token,
                    "action": "lines",
                    "line_queue_L1": "menu",
                    "line_queue_L2": "orders",
                }
                agent_token = await agent.csrf("/desk")
                status, _ = await agent.post(SETTINGS, {**form, "csrf_token": agent_token})
                assert status == 403
                without_l1 = {key: value for key, value in form.items() if key != "line_queue_L1"}
                for bad, line, message in (
                    (
                        {**form, "line_queue_L2": "nowhere"},
                        "L2",
                        "线路 L2 · 来电去向: 请从列表中选择",
                    ),
                    ({**form, "line_queue_L2": ""}, "L2", "线路 L2 · 来电去向: 请从列表中选择"),
                    ({**form, "line_queue_L9": "orders"}, "L9", "线路 L9 · 来电去向: 未找到"),
                    (without_l1, "L1", "线路 L1 · 来电去向: 必填"),
                ):
                    status, page = await supervisor.post(SETTINGS, bad)
                    assert status == 400, bad
                    assert f'data-field="line_queue" data-line="{line}"' in page, bad
                    assert message in page, bad
                assert depot.service.setup() == before
                assert await depot.runtime.store.load_setup() == before
                assert not any(e.action == "settings.lines" for e in await depot.desk.audit_log())

                assert (await supervisor.post(SETTINGS, form))[0] == 303
                _, page = await supervisor.page(SETTINGS)
                lines_form = re.search(r'<form[^>]*id="lines-form".*?</form>', page, re.S)
                assert lines_form is not None
                l1 = re.search(r'name="line_queue_L1">.*?</select>', lines_form.group(0), re.S)
                l2 = re.search(r'name="line_queue_L2">.*?</select>', lines_form.group(0), re.S)
                assert l1 is not None and l2 is not None
                assert '<option value="menu" selected>' in l1.group(0)
                assert '<option value="orders" selected>' in l2.group(0)
                assert '<option value="menu" selected>' not in l2.group(0)
            assert depot.service.setup().line_queues == (("L2", "orders"),)
            assert await depot.runtime.store.load_setup() == depot.service.setup()
            entries = [(e.action, e.target, e.detail) for e in await depot.desk.audit_log()]
            assert ("settings.lines", "line_queues", "L1=menu L2=orders") in entries

            await depot.service.log_in(AGENT_ID, "pos1")  # cargo and orders
            await depot.service.ready(AGENT_ID)
            assert depot.lines.incoming_call("L2", CallerId("13700003333", ""))
            await until(lambda: stage(depot) == "offered")  # no key pressed
            assert depot.service.snapshot().calls[0].queue == "orders"  # the menu's default: cargo
            assert first_prompts_on(depot, "L2") == "('greeting',)"  # no menu prompts

    asyncio.run(main())


def test_queue_escalation_and_no_agent_switches_kept_and_live_half_sent_form_refused(
    tmp_path: Path,
) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            before = depot.service.setup()
            orders = before.queue("orders")
            assert (orders.join_when_no_agents, orders.leave_when_no_agents) == (False, True)
            async with new_session() as s1, new_session() as s2:
                supervisor, agent = await signed_in_pair(depot, s1, s2)
                token = await supervisor.csrf(SETTINGS)
                _, page = await supervisor.page(SETTINGS)
                orders_form = queue_section(page, "orders")
                assert '<input type="hidden" name="queue_switches" value="orders">' in orders_form
                assert 'name="leave_when_no_agents" checked' in orders_form
                form = queue_form(token, "orders", tier_escalation_s="90", join_when_no_agents="on")
                del form["leave_when_no_agents"]  # the box left unticked
                agent_token = await agent.csrf("/desk")
                status, _ = await agent.post(SETTINGS, {**form, "csrf_token": agent_token})
                assert status == 403
                half_sent = {k: v for k, v in form.items() if k != "queue_switches"}
                bad_wait = "队列 下单 · 升级到下一技能等级等待（秒）: 0 至 1800 秒"
                not_whole = "队列 下单 · 开关: 表单不完整"
                for bad, field, message in (
                    ({**form, "tier_escalation_s": "-1"}, "tier_escalation_s", bad_wait),
                    ({**form, "tier_escalation_s": "1801"}, "tier_escalation_s", bad_wait),
                    ({**form, "tier_escalation_s": "soon"}, "tier_escalation_s", bad_wait),
                    (half_sent, "queue_switches", not_whole),
                    ({**form, "queue_switches": "cargo"}, "queue_switches", not_whole),
                ):
                    status, page = await supervisor.post(SETTINGS, bad)
                    assert status == 400, bad
                    assert f'data-field="{field}" data-queue="orders"' in page, bad
                    assert message in page, bad
                assert depot.service.setup() == before  # leave_when_no_agents not flipped
                assert await depot.runtime.store.load_setup() == before

                assert (await supervisor.post(SETTINGS, form))[0] == 303
                _, page = await supervisor.page(SETTINGS)
                orders_form = queue_section(page, "orders")
                assert (
                    'name="tier_escalation_s" type="number" min="0" max="1800" step="1" value="90"'
                    in orders_form
                )
                assert 'name="join_when_no_agents" checked' in orders_form
                assert 'name="leave_when_no_agents" checked' not in orders_form
            orders = depot.service.setup().queue("orders")
            assert (orders.tier_escalation_s, orders.join_when_no_agents) == (90.0, True)
            assert orders.leave_when_no_agents is False
            assert depot.service.setup().queue("cargo") == before.queue("cargo")
            assert await depot.runtime.store.load_setup() == depot.service.setup()
            entries = [(e.action, e.target, e.detail) for e in await depot.desk.audit_log()]
            assert (
                "settings.queue",
                "orders",
                "round_robin tier_escalation_s=90 join_when_no_agents=True"
                " leave_when_no_agents=False",
            ) in entries

            # Nobody is logged in: before the change the caller was overflowed at once
            # (callback); now the caller waits in line.
            assert depot.lines.incoming_call("L1", CallerId("13700003333", ""))
            await until(lambda: stage(depot) == "greeting")
            depot.lines.press("L1", "2")
            await until(lambda: stage(depot) == "queued")
            call = depot.service.snapshot().calls[0]
            assert (call.queue, call.position_in_queue) == ("orders", 1)

    asyncio.run(main())
