"""The agent's phone bar in headless Chromium (issue 15), in zh-CN and English: the state and
its timer, hold and the mute countdown shown, a pause asked for during a call shown as such,
buttons enabled only when they can act, three-way (三通) with a ready colleague."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, shot, sign_in, wait_until
from web_depot import AGENT_ID, AGENT_PASSWORD, POSITION, DepotThread

from drivers.roles import CallerId

playwright_sync = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")
COLLEAGUE = "1002"  # 李强, at pos2
PHONE = {"width": 390, "height": 844}

TEXTS = {
    "zh-CN": {
        "on_call": "通话中",
        "hold": "保持中",
        "muted": "静音中",
        "after": "本次通话后暂停",
        "lunch": "用餐",
        "ready": "就绪",
    },
    "en-GB": {
        "on_call": "On call",
        "hold": "On hold",
        "muted": "Muted",
        "after": "Pause after this call",
        "lunch": "Lunch",
        "ready": "Ready",
    },
}


@pytest.fixture
def browser() -> Iterator[object]:
    with playwright_sync.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.mark.parametrize("locale", ["zh-CN", "en-GB"])
def test_browser_phone_bar_states_hold_mute_pause_and_three_way(
    tmp_path: Path, browser: object, locale: str
) -> None:
    expect = playwright_sync.expect
    text = TEXTS[locale]
    depot_thread = DepotThread(tmp_path / "depot.db")
    with depot_thread as depot:
        run = depot_thread.run

        def stage() -> str:
            calls = depot_thread.call(depot.service.snapshot).calls
            return calls[0].stage.value if calls else "none"

        # zh-CN on a phone (390×844), English on a desk PC
        viewport = PHONE if locale == "zh-CN" else {"width": 1366, "height": 768}
        context = browser.new_context(locale=locale, viewport=viewport)  # type: ignore[attr-defined]
        page = context.new_page()
        sign_in(page, depot.url, AGENT_ID, AGENT_PASSWORD)
        page.goto(f"{depot.url}/desk")
        bar = page.locator("#phone-bar")
        for action in ("hold", "unhold", "mute", "hang_up", "transfer", "three_way"):
            expect(bar.locator(f"#phone-{action}")).to_be_disabled()  # no call: nothing to do
        run(depot.service.log_in(AGENT_ID, POSITION))
        run(depot.service.ready(AGENT_ID))
        assert depot_thread.call(depot.lines.incoming_call, "L1", CallerId("13800138000", ""))
        wait_until(lambda: stage() == "greeting", "the greeting")
        depot_thread.call(depot.lines.press, "L1", "1")
        wait_until(lambda: stage() == "offered", "the offer")
        wait_until(
            lambda: depot_thread.call(depot.positions.state, POSITION).value == "ringing",
            "the agent's phone ringing",
        )
        assert depot_thread.call(depot.positions.answer, POSITION)
        run(depot.service.log_in(COLLEAGUE, "pos2"))  # free for a three-way once we talk
        run(depot.service.ready(COLLEAGUE))
        expect(bar.locator("#phone-state")).to_have_text(text["on_call"])
        expect(page.locator("#pop-number")).to_have_text("13800138000")
        pop = page.locator("#pop-card").bounding_box()
        assert pop is not None and pop["y"] < viewport["height"] * 0.75  # on the first screen
        expect(bar.locator("#phone-on-hold")).to_be_hidden()
        expect(bar.locator("#phone-unhold")).to_be_disabled()
        bar.locator("#phone-hold").click()
        expect(bar.locator("#phone-on-hold")).to_be_visible()
        expect(bar.locator("button#phone-unhold")).to_be_enabled()
        expect(bar.locator("button#phone-mute")).to_be_disabled()  # not while on hold
        bar.locator("button#phone-unhold").click()
        expect(bar.locator("#phone-on-hold")).to_be_hidden()
        bar.locator("button#phone-mute").click()
        expect(bar.locator("#phone-muted")).to_be_visible()
        expect(bar.locator("#phone-muted")).to_contain_text(text["muted"])
        expect(bar.locator("button#phone-mute")).to_be_disabled()  # counting down
        run(depot.service.pause(AGENT_ID, "lunch"))
        expect(bar.locator("#phone-pause")).to_contain_text(f"{text['after']}: {text['lunch']}")
        expect(bar.locator("#phone-state")).to_have_text(text["on_call"])
        option = bar.locator(f'#phone-to option[value="{COLLEAGUE}"]')
        expect(option).to_contain_text(text["ready"])
        bar.locator("#phone-to").select_option(COLLEAGUE)
        shot(page, f"phone-bar-{locale}")
        bar.locator("button#phone-three_way").click()
        wait_until(
            lambda: (
                next(
                    a for a in depot_thread.call(depot.service.snapshot).agents if a.id == COLLEAGUE
                ).state.value
                in ("ringing", "on_call")
            ),
            "the colleague brought in",
        )
        expect(bar.locator("#phone-refused")).to_be_hidden()
        context.close()
