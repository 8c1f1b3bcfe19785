"""今日回访任务 in headless Chromium at a laptop's 1366x768, in zh-CN and English: a task's row
keeps to one line and its outcome form is there without scrolling sideways; outside the
calling window the dial button is greyed out and says from when it may be used."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_browser import CHROMIUM, browser, shot, sign_in  # noqa: F401 (browser: the fixture)
from test_callback_tasks import move_to
from web_depot import AGENT_ID, AGENT_PASSWORD, SUPERVISOR_ID, DepotThread

from appliance.desk import SignedIn
from appliance.store import Role

playwright_sync = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")
DAY_S = 24 * 3600.0
LAPTOP = {"width": 1366, "height": 768}
DIAL_FROM = {"zh-CN": "可于 09:00", "en-GB": "from 09:00"}


@pytest.mark.parametrize("locale", ["zh-CN", "en-GB"])
def test_browser_desk_task_row_fits_a_laptop_and_dial_waits_for_the_window(
    tmp_path: Path,
    browser: object,  # noqa: F811
    locale: str,
) -> None:
    expect = playwright_sync.expect
    depot_thread = DepotThread(tmp_path / "depot.db")
    with depot_thread as depot:
        run = depot_thread.run
        lead = SignedIn(SUPERVISOR_ID, "孙主管", Role.SUPERVISOR, "", 0.0)
        rules = {"calling_window": "09:00-12:00, 14:00-20:00", "failed_attempts": "3"}
        run(depot.desk.tasks.change_rules(lead, {**rules, "due_days": "3"}))
        task = {"number": "13900000002", "name": "欧阳先生", "agent_id": AGENT_ID}
        run(depot.desk.tasks.create_task(lead, task))
        depot.clock.offset_s += 3 * DAY_S
        move_to(depot, 21, 30)

        context = browser.new_context(locale=locale, viewport=LAPTOP)  # type: ignore[attr-defined]
        agent = context.new_page()
        sign_in(agent, depot.url, AGENT_ID, AGENT_PASSWORD)
        row = agent.locator("#desk-tasks tr[data-number='13900000002']")
        expect(row).to_have_count(1)
        assert row.evaluate("r => r.getBoundingClientRect().height") < 60
        # the whole row is in view: saving an outcome needs no sideways scroll in the card
        overflow = agent.evaluate(
            "(() => { const box = document.querySelector('#desk-tasks').parentElement;"
            " return box.scrollWidth - box.clientWidth; })()"
        )
        assert overflow <= 0, overflow
        save = row.locator("form.attempt button").bounding_box()
        assert save is not None and save["x"] + save["width"] <= LAPTOP["width"], save
        dial = row.locator("form[action='/desk/dial'] button")
        expect(dial).to_be_disabled()
        expect(dial).to_have_text(DIAL_FROM[locale])
        # greyed out like every other button that cannot act, not a live-looking blue one
        assert float(dial.evaluate("b => getComputedStyle(b).opacity")) < 0.5
        shot(agent, f"{locale}-laptop-desk-tasks-window-closed")
        context.close()
