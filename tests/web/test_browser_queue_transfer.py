"""In headless Chromium, in zh-CN and English (issue 15): the phone bar transfers the caller to
a queue chosen from the transfer list, and the queue's required call summary holds the
wrap-up — the bar says so until the summary is saved."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from test_browser import CHROMIUM, sign_in, wait_until
from test_browser_phone_bar import browser  # noqa: F401  (the fixture)
from web_depot import AGENT_ID, AGENT_PASSWORD, POSITION, DepotThread

from drivers.roles import CallerId

playwright_sync = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")

QUEUE_TEXT = {"zh-CN": "队列 · 下单", "en-GB": "Queue · "}


@pytest.mark.parametrize("locale", ["zh-CN", "en-GB"])
def test_browser_transfer_to_queue_then_wrap_up_waits_for_the_summary(
    tmp_path: Path,
    browser: object,  # noqa: F811
    locale: str,
) -> None:
    expect = playwright_sync.expect
    depot_thread = DepotThread(tmp_path / "depot.db")
    with depot_thread as depot:
        run = depot_thread.run
        setup = depot.service.setup()
        queues = tuple(
            dataclasses.replace(q, summary_required=q.id == "cargo") for q in setup.queues
        )
        run(depot.service.change_setup(dataclasses.replace(setup, queues=queues)))

        def state_of(agent_id: str) -> str:
            agents = depot_thread.call(depot.service.snapshot).agents
            return str(next(a for a in agents if a.id == agent_id).state.value)

        context = browser.new_context(locale=locale)  # type: ignore[attr-defined]
        page = context.new_page()
        sign_in(page, depot.url, AGENT_ID, AGENT_PASSWORD)
        page.goto(f"{depot.url}/desk")
        bar = page.locator("#phone-bar")
        run(depot.service.log_in(AGENT_ID, POSITION))
        run(depot.service.ready(AGENT_ID))
        assert depot_thread.call(depot.lines.incoming_call, "L1", CallerId("13800138000", ""))
        wait_until(lambda: bool(depot_thread.call(depot.service.snapshot).calls), "the call")
        wait_until(
            lambda: depot_thread.call(depot.service.snapshot).calls[0].stage.value == "greeting",
            "the greeting",
        )
        depot_thread.call(depot.lines.press, "L1", "1")
        wait_until(
            lambda: depot_thread.call(depot.positions.state, POSITION).value == "ringing",
            "the agent's phone ringing",
        )
        assert depot_thread.call(depot.positions.answer, POSITION)
        expect(bar).to_have_attribute("data-state", "on_call")
        option = bar.locator('#phone-to option[value="queue:orders"]')
        expect(option).to_contain_text(QUEUE_TEXT[locale])
        bar.locator("#phone-to").select_option("queue:orders")
        bar.locator("button#phone-transfer").click()
        expect(bar).to_have_attribute("data-state", "wrap_up")
        wait_until(
            lambda: depot_thread.call(depot.service.snapshot).calls[0].queue == "orders",
            "the caller in the orders line",
        )
        expect(bar.locator("#phone-summary-pending")).to_be_visible()
        page.locator("#summary-text").fill("转订单组处理退款")
        page.locator("#summary-save").click()
        expect(bar.locator("#phone-summary-pending")).to_be_hidden()
        assert state_of(AGENT_ID) == "wrap_up"  # its countdown still runs: no longer held
        context.close()
