"""The site in headless Chromium against a running depot (real store, engine, simulated lines
and phones): an agent takes a call with a screen pop and writes a complaint; a day later (virtual
time) the supervisor finds it overdue and escalates it; the wallboard follows live. Screenshots
of every page go to test-artifacts/web/."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from web_depot import (
    ADMIN_ID,
    ADMIN_PASSWORD,
    AGENT_ID,
    AGENT_PASSWORD,
    POSITION,
    SUPERVISOR_ID,
    SUPERVISOR_PASSWORD,
    DepotThread,
)

from appliance.desk import SignedIn
from appliance.engine.records import CallbackRequested, CallEnded, CallRecord, EndReason
from appliance.store import Role
from drivers.roles import CallerId

playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
CALLER = "13800138000"
DAY_S = 24 * 3600.0

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")


@pytest.fixture
def browser() -> Iterator[object]:
    with playwright_sync.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def wait_until(condition: Callable[[], bool], what: str, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def ring_for_cargo(depot_thread: DepotThread, caller: CallerId) -> None:
    """A call comes in on L1 and the caller picks 1 (cargo) in the menu."""
    depot = depot_thread.depot
    assert depot is not None
    assert depot_thread.call(depot.lines.incoming_call, "L1", caller)
    wait_until(
        lambda: any(
            c.stage.value == "greeting" for c in depot_thread.call(depot.service.snapshot).calls
        ),
        "the greeting",
    )
    depot_thread.call(depot.lines.press, "L1", "1")


def sign_in(page: object, url: str, agent_id: str, password: str) -> None:
    page.goto(f"{url}/login")  # type: ignore[attr-defined]
    page.fill("input[name=agent_id]", agent_id)  # type: ignore[attr-defined]
    page.fill("input[name=password]", password)  # type: ignore[attr-defined]
    page.click("#sign-in")  # type: ignore[attr-defined]


def test_browser_agent_call_complaint_then_supervisor_escalates_overdue_ticket(
    tmp_path: Path, browser: object
) -> None:
    expect = playwright_sync.expect
    depot_thread = DepotThread(tmp_path / "depot.db")
    with depot_thread as depot:
        run = depot_thread.run
        # what the caller did before: a call last week and a consultation record
        earlier_s = depot.clock.now() - 7 * DAY_S
        past = CallRecord(
            "past-1",
            "L1",
            "in",
            CALLER,
            "张伟",
            earlier_s,
            earlier_s + 200,
            EndReason.ANSWERED,
            queue="cargo",
            agent="1002",
            connected_s=earlier_s + 10,
            wait_s=10,
            talk_s=190,
        )
        run(depot.runtime.store.record([CallEnded(past)]))
        clerk = SignedIn("1002", "李强", Role.AGENT, "", 0.0)
        run(
            depot.desk.records.save_record(
                clerk,
                "consultation",
                "past-1",
                CALLER,
                {
                    "topic": "查询运单 SF123",
                    "answered": "yes",
                    "customer_name": "张伟",
                    "customer_type": "company",
                },
            )
        )

        agent_context = browser.new_context(locale="zh-CN")  # type: ignore[attr-defined]
        agent = agent_context.new_page()
        agent.goto(f"{depot.url}/desk")
        expect(agent).to_have_url(f"{depot.url}/login?next=/desk")
        shot(agent, "zh-login")
        sign_in(agent, depot.url, AGENT_ID, AGENT_PASSWORD)
        expect(agent.locator("#state")).to_have_text("未签入")
        agent.fill("#position", POSITION)
        agent.click("#log-in")
        expect(agent.locator("#ready")).to_be_visible()
        agent.click("#ready")
        expect(agent.locator("#state")).to_have_text("就绪")
        shot(agent, "zh-desk-ready")

        # a call rings in; the caller picks 1 (cargo) in the menu
        ring_for_cargo(depot_thread, CallerId(CALLER, "张伟"))
        expect(agent.locator("#state")).to_have_text("振铃")
        expect(agent.locator("#pop-number")).to_have_text(CALLER)
        expect(agent.locator("#pop-name")).to_have_text("张伟")
        expect(agent.locator("#pop-type")).to_have_text("企业")
        expect(agent.locator("#pop-calls")).to_contain_text("货物查询")
        expect(agent.locator("#pop-records")).to_contain_text("咨询")
        shot(agent, "zh-desk-screen-pop")
        assert depot_thread.call(depot.positions.answer, POSITION)
        expect(agent.locator("#state")).to_have_text("通话中")

        # the agent writes a complaint about this call
        agent.click("#new-complaint")
        agent.select_option("select[name=category]", "delay")
        agent.select_option("select[name=department]", "cargo")
        agent.fill("textarea[name=details]", "货物延误三天，客户要求赔偿")
        shot(agent, "zh-record-form")
        agent.click("#save-record")
        expect(agent.locator("#record-id")).to_have_text(re.compile(r"^R[0-9A-F]{10}$"))
        expect(agent.locator("dl.fields")).to_contain_text("延误")
        shot(agent, "zh-record")
        tickets = run(depot.desk.tickets.open_tickets())
        assert len(tickets) == 1 and tickets[0].number == CALLER
        ticket_id = tickets[0].ticket_id
        assert depot_thread.call(depot.positions.hang_up, POSITION)
        agent.goto(f"{depot.url}/desk")
        expect(agent.locator("#state")).to_have_text(re.compile("话后整理|就绪"))

        # a day passes (virtual time): the ticket is overdue for the shift lead
        supervisor_context = browser.new_context(locale="en-GB")  # type: ignore[attr-defined]
        supervisor = supervisor_context.new_page()
        sign_in(supervisor, depot.url, SUPERVISOR_ID, SUPERVISOR_PASSWORD)
        supervisor.goto(f"{depot.url}/tickets/overdue")
        expect(supervisor.locator(f"tr[data-ticket='{ticket_id}']")).to_have_count(0)
        depot.clock.offset_s += DAY_S + 60
        supervisor.goto(f"{depot.url}/tickets/overdue")
        expect(supervisor.locator(f"tr[data-ticket='{ticket_id}']")).to_contain_text("Overdue")
        shot(supervisor, "en-overdue")
        supervisor.click(f"tr[data-ticket='{ticket_id}'] a")
        supervisor.fill("input[name=note]", "No reply from cargo for a day")
        supervisor.click("#escalate")
        expect(supervisor.locator("#ticket-holder")).to_have_text("Shift lead")
        shot(supervisor, "en-ticket-escalated")
        supervisor.goto(f"{depot.url}/tickets/overdue")
        expect(supervisor.locator(f"tr[data-ticket='{ticket_id}']")).to_have_count(0)
        assert run(depot.desk.tickets.ticket(ticket_id)).escalation_level == 1  # type: ignore[union-attr]

        # the wallboard follows a change within a second
        supervisor.goto(f"{depot.url}/supervisor/wallboard")
        paused = supervisor.locator("#fig-agents_paused .value")
        expect(paused).to_have_text("0")
        run(depot.service.pause(AGENT_ID, "lunch"))
        supervisor.wait_for_function(
            "document.querySelector('#fig-agents_paused .value').textContent === '1'",
            timeout=1000,
        )
        shot(supervisor, "en-wallboard")
        # and so does the agent's desk
        expect(agent.locator("#state")).to_have_text("暂停", timeout=1000)
        # and the agent monitor
        supervisor.goto(f"{depot.url}/supervisor/monitor")
        row = supervisor.locator(f"#agents tr[data-agent='{AGENT_ID}']")
        expect(row).to_contain_text("Paused (Lunch)")
        run(depot.service.ready(AGENT_ID))
        expect(row).to_contain_text("Ready", timeout=1000)
        shot(supervisor, "en-monitor")
        agent_context.close()
        supervisor_context.close()


def test_browser_every_page_in_both_languages_on_desk_phone_and_tv(
    tmp_path: Path, browser: object
) -> None:
    """Every page renders in zh-CN and English with no missing translation (screenshots kept);
    the desk and the wallboard fit a phone's width and fill a TV."""
    depot_thread = DepotThread(tmp_path / "depot.db")
    with depot_thread as depot:
        lead = SignedIn(SUPERVISOR_ID, "孙主管", Role.SUPERVISOR, "", 0.0)
        clerk = SignedIn(AGENT_ID, "王芳", Role.AGENT, "", 0.0)
        record = depot_thread.run(
            depot.desk.records.save_record(
                clerk,
                "complaint",
                "",
                CALLER,
                {"category": "damage", "department": "cargo", "details": "外包装破损"},
            )
        )
        ticket_id = depot_thread.run(depot.desk.tickets.open_tickets())[0].ticket_id
        depot_thread.run(depot.desk.notices.add_notice(lead, "今天下午三点开会"))
        depot_thread.run(depot.desk.notices.add_handover(lead, "L2 线路噪音，已报修"))
        depot_thread.run(depot.desk.scripts.add_script(lead, "0", "货物查询", "请提供运单号。"))
        pages = [
            "desk",
            "records",
            f"records/{record.record_id}",
            "records/new?kind=rescue",
            "customers",
            "tickets",
            f"tickets/{ticket_id}",
            "tickets/overdue",
            "scripts",
            "reports",
            "reports/staffing",
            "supervisor/wallboard",
            "supervisor/monitor",
            "supervisor/notices",
            "supervisor/handover",
            "supervisor/blacklist",
            "supervisor/tasks",
            "supervisor/settings",
            "supervisor/recordings",
            "admin/users",
            "admin/audit",
            "admin/status",
        ]
        for language, locale in (("zh-CN", "zh-CN"), ("en", "en-US")):
            context = browser.new_context(locale=locale)  # type: ignore[attr-defined]
            page = context.new_page()
            sign_in(page, depot.url, ADMIN_ID, ADMIN_PASSWORD)
            for path in pages:
                page.goto(f"{depot.url}/{path}")
                assert page.get_attribute("html", "lang") == language
                assert "⟦" not in page.inner_text("body"), (language, path)
                name = path.replace("/", "-").replace("?", "-").replace("=", "-")
                shot(page, f"{language}-page-{name}")
            for width, height, kind in ((390, 844, "phone"), (1920, 1080, "tv")):
                page.set_viewport_size({"width": width, "height": height})
                for path in ("desk", "supervisor/wallboard", "tickets"):
                    page.goto(f"{depot.url}/{path}")
                    overflow = page.evaluate(
                        "document.documentElement.scrollWidth - window.innerWidth"
                    )
                    assert overflow <= 0, (kind, path, overflow)
                    # every wallboard figure fits inside its tile (a clipped "0:00" misleads)
                    spilling = page.evaluate(
                        "[...document.querySelectorAll('.figure .value')]"
                        ".filter(v => v.scrollWidth > v.parentElement.clientWidth)"
                        ".map(v => v.textContent)"
                    )
                    assert spilling == [], (kind, path, spilling)
                    shot(page, f"{language}-{kind}-{path.replace('/', '-')}")
            context.close()


def test_browser_desk_tasks_once_a_number_dial_refused_in_place_outcome_closes_task(
    tmp_path: Path, browser: object
) -> None:
    expect = playwright_sync.expect
    depot_thread = DepotThread(tmp_path / "depot.db")
    with depot_thread as depot:
        run = depot_thread.run
        lead = SignedIn(SUPERVISOR_ID, "孙主管", Role.SUPERVISOR, "", 0.0)
        rules = {"calling_window": "00:00-24:00", "failed_attempts": "3", "due_days": "3"}
        run(depot.desk.tasks.change_rules(lead, rules))
        now_s = depot.clock.now()
        missed = [
            CallbackRequested(
                f"ab{n}", "13900000009", "", "abandoned", f"c{n}", "cargo", now_s, now_s
            )
            for n in range(3)
        ]
        run(depot.runtime.store.record(missed))
        run(depot.desk.tasks.create_task(lead, {"number": "13900000002", "agent_id": AGENT_ID}))
        run(depot.desk.tasks.create_task(lead, {"number": "13900000001", "agent_id": "1002"}))
        depot.clock.offset_s += 3 * DAY_S + 60

        context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})  # type: ignore[attr-defined]
        agent = context.new_page()
        sign_in(agent, depot.url, AGENT_ID, AGENT_PASSWORD)
        agent.fill("#position", POSITION)
        agent.click("#log-in")
        agent.click("#ready")
        expect(agent.locator("#state")).to_have_text("就绪")
        rows = agent.locator("#desk-tasks tbody tr[data-number]")
        expect(rows).to_have_count(2)
        assert sorted(rows.evaluate_all("rs => rs.map(r => r.dataset.number)")) == [
            "13900000002",
            "13900000009",
        ]
        # one line a row: every cell of a task keeps to one line
        heights = rows.evaluate_all("rs => rs.map(r => r.getBoundingClientRect().height)")
        assert max(heights) < 60, heights
        shot(agent, "zh-phone-desk-tasks")

        # on a call, a dial is refused on the desk itself, saying why
        ring_for_cargo(depot_thread, CallerId(CALLER, ""))
        expect(agent.locator("#state")).to_have_text("振铃")
        assert depot_thread.call(depot.positions.answer, POSITION)
        expect(agent.locator("#state")).to_have_text("通话中")
        agent.locator("tr[data-number='13900000002'] button.dial").click()
        expect(agent).to_have_url(re.compile(r"/desk/dial$"))
        expect(agent.locator("#dial-refusal")).to_contain_text("您正在通话中")
        expect(agent.locator("#desk-tasks")).to_be_visible()
        shot(agent, "zh-phone-desk-dial-refused")
        assert depot_thread.call(depot.positions.hang_up, POSITION)

        # the outcome closes the task: it leaves the desk
        agent.goto(f"{depot.url}/desk")
        row = agent.locator("tr[data-number='13900000002']")
        row.locator("select[name=outcome]").select_option("reached_resolved")
        row.locator("input[name=note]").fill("客户满意")
        row.locator("form.attempt button").click()
        expect(agent.locator("#desk-tasks tbody tr[data-number]")).to_have_count(1)
        context.close()
