"""A ticket's deadline counts down live in headless Chromium (the browser's clock moved by
Playwright, not waited for), on the ticket page and the list, and turns to 已超时 when it
passes, in zh-CN and English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_browser import CHROMIUM, browser, sign_in  # noqa: F401 (browser: the fixture)
from web_depot import AGENT_ID, AGENT_PASSWORD, DepotThread

from appliance.desk import SignedIn
from appliance.store import Role

playwright_sync = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")
TEXTS = {"zh-CN": ("剩余", "已超时"), "en-GB": ("left", "late")}


def seconds(text: str) -> int:
    found = re.search(r"(\d+):(\d\d):(\d\d)", text)
    assert found is not None, text
    hours, minutes, secs = (int(part) for part in found.groups())
    return hours * 3600 + minutes * 60 + secs


@pytest.mark.parametrize("locale", ["zh-CN", "en-GB"])
def test_browser_ticket_deadline_counts_down_live_and_turns_late(
    tmp_path: Path,
    browser: object,  # noqa: F811
    locale: str,
) -> None:
    expect = playwright_sync.expect
    left, late = TEXTS[locale]
    depot_thread = DepotThread(tmp_path / "depot.db")
    with depot_thread as depot:
        clerk = SignedIn(AGENT_ID, "王芳", Role.AGENT, "", 0.0)
        fields = {"category": "delay", "department": "cargo", "details": "三天未到"}
        depot_thread.run(
            depot.desk.records.save_record(clerk, "complaint", "", "13800138000", fields)
        )
        ticket_id = depot_thread.run(depot.desk.tickets.open_tickets())[0].ticket_id

        context = browser.new_context(locale=locale)  # type: ignore[attr-defined]
        context.clock.install()
        page = context.new_page()
        sign_in(page, depot.url, AGENT_ID, AGENT_PASSWORD)
        for path in (f"/tickets/{ticket_id}", "/tickets"):
            page.goto(f"{depot.url}{path}")
            countdown = page.locator(".countdown").first
            expect(countdown).to_contain_text(left)
            before = seconds(countdown.inner_text())
            assert 23 * 3600 < before <= 24 * 3600, before
            page.clock.run_for(61_000)
            after = seconds(countdown.inner_text())
            assert before - after in (60, 61, 62), (before, after)
            page.clock.run_for((after + 30) * 1000)
            expect(countdown).to_contain_text(late)
            assert 28 <= seconds(countdown.inner_text()) <= 32
            expect(countdown).to_have_class(re.compile(r"\blate\b"))
        context.close()
