"""The supervisor's console in headless Chromium (issue 15): the TV wallboard opened by its
display link fills a 1920×1080 screen with the figures and each queue's, live; the agent
monitor shows each state in its colour, times right, buttons enabled only where they act, in
zh-CN and English. Screenshots go to test-artifacts/web/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, shot, sign_in, wait_until
from web_depot import ADMIN_ID, AGENT_ID, POSITION, SUPERVISOR_ID, SUPERVISOR_PASSWORD, DepotThread

from appliance.desk import SignedIn
from appliance.store import Role
from drivers.roles import CallerId

playwright_sync = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")
ADMIN = SignedIn(ADMIN_ID, "Admin", Role.ADMIN, "", 0.0)
TV = {"width": 1920, "height": 1080}


@pytest.fixture
def browser() -> Iterator[object]:
    with playwright_sync.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def test_browser_tv_wallboard_by_display_link_fills_1920x1080_with_queues_live(
    tmp_path: Path, browser: object
) -> None:
    depot_thread = DepotThread(tmp_path / "depot.db")
    with depot_thread as depot:
        token = depot_thread.run(depot.desk.displays.create(ADMIN, "调度室大屏"))
        context = browser.new_context(locale="zh-CN", viewport=TV)  # type: ignore[attr-defined]
        tv = context.new_page()
        tv.goto(f"{depot.url}/screen/{token}")
        assert not tv.locator("header.top").is_visible()  # no bar, no sign-in
        board = tv.locator("#board").bounding_box()
        queues = tv.locator("#queues").bounding_box()
        assert board is not None and queues is not None
        assert board["width"] > 0.95 * TV["width"]
        assert board["height"] > 0.5 * TV["height"]  # not the top 30 %
        assert queues["y"] + queues["height"] <= TV["height"] + 1  # all on one screen
        assert queues["y"] + queues["height"] > 0.9 * TV["height"]
        # the thirteen figures, self-served today among them, in two rows
        tiles = [tile.bounding_box() for tile in tv.locator("#board .figure").all()]
        assert len(tiles) == 13 and len({round(t["y"]) for t in tiles if t}) == 2
        assert tv.locator("#fig-self_served_today .label").inner_text() == "今日自助"
        assert tv.locator('#queues tr[data-queue="cargo"] th').inner_text() == "货物查询"
        # a caller waits in the cargo queue: the TV shows it without a reload
        depot_thread.run(depot.service.log_in(AGENT_ID, POSITION))
        assert depot_thread.call(depot.lines.incoming_call, "L1", CallerId("13800138000", ""))
        wait_until(
            lambda: any(
                c.stage.value == "greeting" for c in depot_thread.call(depot.service.snapshot).calls
            ),
            "the greeting",
        )
        depot_thread.call(depot.lines.press, "L1", "1")
        cell = tv.locator('#queues tr[data-queue="cargo"] td[data-field="calls_waiting"]')
        playwright_sync.expect(cell).to_have_text("1")
        assert "13800138000" not in tv.content()
        shot(tv, "tv-wallboard-1920x1080")
        context.close()


def test_browser_monitor_colours_times_and_buttons_in_both_languages(
    tmp_path: Path, browser: object
) -> None:
    depot_thread = DepotThread(tmp_path / "depot.db")
    with depot_thread as depot:
        depot_thread.run(depot.service.log_in(AGENT_ID, POSITION))
        depot_thread.run(depot.service.ready(AGENT_ID))
        for locale, ready_text, paused_text in (
            ("zh-CN", "就绪", "暂停"),
            ("en-GB", "Ready", "Paused"),
        ):
            context = browser.new_context(locale=locale)  # type: ignore[attr-defined]
            page = context.new_page()
            sign_in(page, depot.url, SUPERVISOR_ID, SUPERVISOR_PASSWORD)
            page.goto(f"{depot.url}/supervisor/monitor")
            row = page.locator(f'#agents tr[data-agent="{AGENT_ID}"]')
            playwright_sync.expect(row.locator(".state")).to_have_text(ready_text)
            colour = row.locator(".state").evaluate("cell => getComputedStyle(cell).color")
            assert colour == "rgb(21, 128, 61)"  # green: ready
            assert row.locator("button[value=listen]").is_disabled()  # no call to listen to
            assert row.locator("button[value=pause]").is_enabled()
            never = page.locator('#agents tr[data-agent="1005"] .in-state')
            assert never.inner_text() == "—"
            assert page.locator(
                '#agents tr[data-agent="1005"] button[value=sign_out]'
            ).is_disabled()
            # the agent pauses: the row turns amber live, the pause button goes grey
            depot_thread.run(depot.service.pause(AGENT_ID, "lunch"))
            playwright_sync.expect(row.locator(".state")).to_contain_text(paused_text)
            colour = row.locator(".state").evaluate("cell => getComputedStyle(cell).color")
            assert colour == "rgb(180, 83, 9)"
            playwright_sync.expect(row.locator("button[value=pause]")).to_be_disabled()
            shot(page, f"monitor-{locale}")
            depot_thread.run(depot.service.ready(AGENT_ID))
            context.close()


def test_browser_lead_listens_in_from_the_monitor(tmp_path: Path, browser: object) -> None:
    depot_thread = DepotThread(tmp_path / "depot.db")
    with depot_thread as depot:
        run = depot_thread.run
        run(depot.runtime.store.add_user("2001", "赵敏", Role.SUPERVISOR, "lead-pass-2001"))
        run(depot.service.log_in(AGENT_ID, POSITION))
        run(depot.service.ready(AGENT_ID))

        def stage() -> str:
            calls = depot_thread.call(depot.service.snapshot).calls
            return calls[0].stage.value if calls else "none"

        assert depot_thread.call(depot.lines.incoming_call, "L1", CallerId("13800138000", ""))
        wait_until(lambda: stage() == "greeting", "the greeting")
        depot_thread.call(depot.lines.press, "L1", "1")
        wait_until(
            lambda: depot_thread.call(depot.positions.state, POSITION).value == "ringing",
            "the agent's phone ringing",
        )
        assert depot_thread.call(depot.positions.answer, POSITION)
        context = browser.new_context(locale="zh-CN")  # type: ignore[attr-defined]
        page = context.new_page()
        sign_in(page, depot.url, "2001", "lead-pass-2001")
        page.goto(f"{depot.url}/supervisor/monitor")
        row = page.locator(f'#agents tr[data-agent="{AGENT_ID}"]')
        playwright_sync.expect(row.locator("button[value=listen]")).to_be_enabled()
        row.locator("button[value=listen]").click()  # not at a position yet: refused, said why
        playwright_sync.expect(page.locator("p.error")).to_contain_text("请先登录到座席")
        run(depot.service.log_in("2001", "pos2"))
        page.goto(f"{depot.url}/supervisor/monitor")
        row.locator("button[value=listen]").click()
        playwright_sync.expect(page.locator("p.error")).to_have_count(0)
        lead = next(a for a in depot_thread.call(depot.service.snapshot).agents if a.id == "2001")
        agent = next(
            a for a in depot_thread.call(depot.service.snapshot).agents if a.id == AGENT_ID
        )
        assert lead.call_id == agent.call_id != ""
        shot(page, "monitor-listening")
        context.close()
