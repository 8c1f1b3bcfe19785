"""P6: every page renders in zh-CN and in English with no untranslated string; the browser's
Accept-Language picks the language until the switch sets one."""

from __future__ import annotations

import asyncio
import dataclasses
import html as html_module
import re
from pathlib import Path

import aiohttp
from web_depot import ADMIN_ID, ADMIN_PASSWORD, AGENT_ID, AGENT_PASSWORD, Depot, running_depot
from web_http import Browserish

from appliance.desk import SignedIn
from appliance.engine.records import EndReason
from appliance.engine.setup import MenuOption, Queue
from appliance.store import Role
from drivers.roles import CallerId
from web_ui.site.catalog import MESSAGES
from web_ui.site.i18n import MISSING_MARK, negotiate

SITE = Path(__file__).resolve().parents[2] / "web_ui" / "site"
_TAG = re.compile(r"<script.*?</script>|<[^>]+>", re.S)


def visible_text(page: str) -> str:
    return html_module.unescape(_TAG.sub(" ", page))


def test_every_end_reason_reads_in_both_languages() -> None:
    # a call log or the first page shows each call's end in words, never `box_full`
    assert [r.value for r in EndReason if f"end.{r.value}" not in MESSAGES] == []


def test_every_audited_action_reads_in_both_languages() -> None:
    # the audit page names each action in words: every action the code writes has an entry
    written = set()
    for source in [*SITE.parents[1].joinpath("appliance").rglob("*.py"), *SITE.glob("*.py")]:
        written |= set(re.findall(r'audit\(\s*\w+,\s*"([a-z_.]+)"', source.read_text()))
    assert written and sorted(a for a in written if f"act.{a}" not in MESSAGES) == []


def test_catalog_has_every_literal_key_in_both_languages() -> None:
    used: set[str] = set()
    for source in [*SITE.glob("templates/*.html"), *SITE.glob("*.py")]:
        used |= set(re.findall(r'_\("([a-z]+\.[a-zA-Z_.\-]+)"\)', source.read_text()))
        used |= set(re.findall(r'"((?:error|login|desk)\.[a-z_]+)"', source.read_text()))
    used -= {"error.html", "login.html", "desk.html"}
    missing = sorted(key for key in used if key not in MESSAGES)
    assert missing == []
    for key, (english, chinese) in MESSAGES.items():
        assert english.strip() and chinese.strip(), key


def test_negotiate_follows_accept_language_q_values() -> None:
    assert negotiate("en-GB,en;q=0.9,zh-CN;q=0.8") == "en"
    assert negotiate("zh-CN,zh;q=0.9,en;q=0.8") == "zh-CN"
    assert negotiate("fr-FR,en;q=0.5,zh;q=0.7") == "zh-CN"
    assert negotiate("de") == "zh-CN"
    assert negotiate("") == "zh-CN"


async def _seed(depot: Depot) -> tuple[str, str, str]:
    agent = SignedIn(AGENT_ID, "王芳", Role.AGENT, "", 0.0)
    form = {
        "category": "damage",
        "department": "cargo",
        "details": "外包装破损",
        "customer_name": "张伟",
        "customer_type": "company",
    }
    record = await depot.desk.records.save_record(agent, "complaint", "", "13800138000", form)
    ticket = (await depot.desk.tickets.open_tickets())[0]
    lead = SignedIn("9001", "孙主管", Role.SUPERVISOR, "", 0.0)
    top = await depot.desk.scripts.add_script(lead, "0", "货物查询", "您好，请提供运单号。")
    await depot.desk.scripts.add_script(lead, str(top), "运单号格式", "运单号为 12 位数字。")
    # a queue of the depot's own on key 4: the settings page lists its menu entry's prompt
    # (set straight on the service: the audit page's raw targets are another matter)
    setup = depot.service.setup()
    entry = MenuOption("4", "rescue", "menu_q_rescue")
    await depot.service.change_setup(
        dataclasses.replace(
            setup,
            queues=(*setup.queues, Queue("rescue", "救援", "Rescue")),
            menu=dataclasses.replace(setup.menu, options=(*setup.menu.options, entry)),
        )
    )
    # a 回访 task with a failed attempt: its page names the reason and the outcome
    task = await depot.desk.tasks.create_task(
        lead, {"number": "13900000001", "name": "李先生", "reason": "key_customer"}
    )
    await depot.desk.tasks.record_attempt(agent, task.task_id, "no_answer", "")
    return record.record_id, ticket.ticket_id, task.task_id


def every_page(record_id: str, ticket_id: str, task_id: str) -> list[str]:
    return [
        "/desk",
        "/desk/pop?number=13800138000&call_id=c1&name=%E5%BC%A0%E4%BC%9F&waybill=8000123456",
        "/records",
        *(
            f"/records/new?kind={kind}"
            for kind in ("consultation", "complaint", "rescue", "appointment", "callback")
        ),
        f"/records/{record_id}",
        "/customers",
        "/tickets",
        "/tickets/overdue",
        f"/tickets/{ticket_id}",
        "/supervisor/wallboard",
        "/supervisor/monitor",
        "/supervisor/notices",
        "/supervisor/handover",
        "/supervisor/blacklist",
        "/admin/users",
        "/admin/audit",
        "/reports",
        "/reports?period=week",
        "/reports?period=month",
        "/reports/staffing",
        "/supervisor/tasks",
        "/supervisor/tasks?view=overdue",
        f"/tasks/{task_id}",
        "/waybills",
        "/waybills?q=SF1234567890",
        "/supervisor/settings",
        "/admin/status",
        "/admin/screens",
        "/supervisor/recordings",
        "/supervisor/quality",
        "/supervisor/quality/form",
        "/desk/quality",
        "/supervisor/roster",
        "/supervisor/targets",
        "/supervisor/rankings?kind=week",
        "/supervisor/rankings?kind=month",
        "/scripts",
        "/scripts?q=%E8%BF%90%E5%8D%95",
        "/scripts/lookup?q=%E8%BF%90%E5%8D%95",
    ]


def test_every_page_renders_in_both_languages_without_untranslated_strings(
    tmp_path: Path,
) -> None:
    english_only = sorted(
        {en for en, zh in MESSAGES.values() if en != zh and len(en) > 3}, key=len, reverse=True
    )

    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            record_id, ticket_id, task_id = await _seed(depot)
            for language in ("zh-CN", "en"):
                jar = aiohttp.CookieJar(unsafe=True)
                async with aiohttp.ClientSession(cookie_jar=jar) as session:
                    session.cookie_jar.update_cookies({"depotline_lang": language})
                    admin = Browserish(depot.url, session)
                    login_status, login_page = await admin.page("/login")
                    pages = {"/login": (login_status, login_page)}
                    await admin.sign_in(ADMIN_ID, ADMIN_PASSWORD)
                    for path in every_page(record_id, ticket_id, task_id):
                        pages[path] = await admin.page(path)
                    # an error page, as an agent
                    async with aiohttp.ClientSession(
                        cookie_jar=aiohttp.CookieJar(unsafe=True)
                    ) as s2:
                        s2.cookie_jar.update_cookies({"depotline_lang": language})
                        agent = Browserish(depot.url, s2)
                        await agent.sign_in(AGENT_ID, AGENT_PASSWORD)
                        pages["403"] = await agent.page("/admin/users")
                for path, (status, page) in pages.items():
                    assert status == (403 if path == "403" else 200), (language, path)
                    assert MISSING_MARK.format("")[0] not in page, (language, path)
                    if not path.startswith(
                        ("/desk/pop", "/scripts/lookup")
                    ):  # a fragment, not a page
                        assert f'<html lang="{language}">' in page
                    if language == "zh-CN":
                        text = visible_text(page)
                        leaked = [en for en in english_only if en in text]
                        assert leaked == [], (path, leaked)

    asyncio.run(main())


def test_accept_language_picks_english_until_switched(tmp_path: Path) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            jar = aiohttp.CookieJar(unsafe=True)
            async with aiohttp.ClientSession(
                cookie_jar=jar, headers={"Accept-Language": "en-US,en;q=0.9"}
            ) as session:
                client = Browserish(depot.url, session)
                assert "Sign in" in (await client.page("/login"))[1]
                async with session.get(f"{depot.url}/lang/zh-CN?next=/login") as response:
                    assert response.status == 200
                    assert "登录" in await response.text()
                assert "工号" in (await client.page("/login"))[1]

    asyncio.run(main())


_PATH = re.compile(r"\S*/\S*")
_CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\b[a-z]+\.[a-z_]+\b|\bgreeting\b")
# the audit page's column of what was changed: one-word codes as well (the first page, in both
# languages at once, may say "menu" in its English half)
_AUDIT_TARGET = re.compile(r'<td data-target="[^"]*">([^<]*)</td>')


def test_no_chinese_page_shows_an_untranslated_code(tmp_path: Path) -> None:
    """Prompt names, audit actions and details, queue ids and end reasons in Chinese."""

    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            record_id, ticket_id, task_id = await _seed(depot)
            admin = SignedIn(ADMIN_ID, "Admin", Role.ADMIN, "", 0.0)
            detail = "longest_idle tier_escalation_s=30 join_when_no_agents=True"
            for action, target, entry_detail in (
                ("settings.queue", "cargo", detail),
                ("settings.greeting", "menu", "greeting"),
                ("settings.hours", "hours", "2"),
                ("settings.lines", "line_queues", "L1=cargo"),
                ("settings.vips", "vip_numbers", "3"),
                ("settings.ticket_limits", "ticket_limits_h", "24"),
                ("quality.plan", "form", ""),
                ("ranking.weights", "weights", ""),
                ("targets.save", "answer_targets", "2"),
                ("user.pin", AGENT_ID, "set"),
                ("user.role", AGENT_ID, "supervisor"),
                ("ticket.escalate", ticket_id, "shift_lead"),
                ("monitor.barge", AGENT_ID, ""),
            ):
                await depot.desk.audit(admin, action, target, entry_detail)
            # a caller who hangs up in the menu: an end reason on the public page
            assert depot.lines.incoming_call("L1", CallerId("13700000000", ""))
            async with asyncio.timeout(10):
                while not depot.service.snapshot().calls:
                    await asyncio.sleep(0.02)
                depot.lines.hang_up("L1")
                while not await depot.service.calls_today():
                    await asyncio.sleep(0.02)
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as s:
                s.cookie_jar.update_cookies({"depotline_lang": "zh-CN"})
                client = Browserish(depot.url, s)
                assert (await client.sign_in(AGENT_ID, "a wrong password")).status == 401
                await client.sign_in(ADMIN_ID, ADMIN_PASSWORD)
                for path in ["/", *every_page(record_id, ticket_id, task_id), "/admin/screens"]:
                    status, page = await client.page(path)
                    assert status == 200, path
                    text = _PATH.sub(" ", visible_text(page))  # file paths are not codes
                    codes = sorted(set(_CODE.findall(text)))
                    assert codes == [], (path, codes)
                _, audit = await client.page("/admin/audit")
                targets = _AUDIT_TARGET.findall(audit)
                assert {
                    "语音菜单",
                    "营业时间",
                    "线路",
                    "质检评分表",
                    "排名权重",
                    "工单时限",
                } <= set(targets)
                sections = {"menu", "hours", "line_queues", "form", "weights", "ticket_limits_h"}
                assert sections & set(targets) == set()

    asyncio.run(main())
