"""A caller served by the 货物查询 keypad self-service shows on the wallboards the depot reads:
the first page, its figures feed and the TV wallboard by display link, in both languages."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from pathlib import Path

import aiohttp
from web_depot import ADMIN_ID, Depot, running_depot, until

from appliance.desk.audit import SignedIn
from appliance.store import Role, waybills
from appliance.store.waybills import Waybill
from drivers.roles import CallerId

ADMIN = SignedIn(ADMIN_ID, "Admin", Role.ADMIN, "", 0.0)


def played(depot: Depot, prompt: str) -> bool:
    return any("box PlayPrompt L1" in t and prompt in t for t in depot.lines.transcript.texts())


async def hear_a_known_waybill(depot: Depot, place: str = "上海转运中心") -> None:
    """With the self-service on in 货物查询, a caller keys a waybill the tracking export knows
    (at `place`) and hears it read back."""
    setup = depot.service.setup()
    queues = tuple(
        dataclasses.replace(q, waybill_self_service=q.id == "cargo") for q in setup.queues
    )
    await depot.service.change_setup(dataclasses.replace(setup, queues=queues))
    row = Waybill("SF1234567890", "in_transit", place, depot.service.now() - 3600)
    await depot.runtime.store.in_transaction(lambda c: waybills.load(c, [row]))
    assert depot.lines.incoming_call("L1", CallerId("13800138000", "张伟"))
    await until(lambda: played(depot, "menu_cargo"))
    depot.lines.press("L1", "1")
    await until(lambda: played(depot, "waybill_enter"))
    for digit in "1234567890#":
        depot.lines.press("L1", digit)
    await until(lambda: played(depot, "waybill_status_in_transit"))


def figure_box(page: str, name: str) -> str:
    """The label and value of one figure box on a wallboard page, tags stripped."""
    found = re.search(rf'id="fig-{name}"[^>]*>(.*?)\n  </div>', page, re.S)
    assert found is not None, f"no figure box {name}"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_self_served_call_counts_on_the_wallboard_page_feed_and_tv_screen(
    tmp_path: Path,
) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            await hear_a_known_waybill(depot)
            depot.lines.hang_up("L1")
            await until(lambda: not depot.service.snapshot().calls)
            token = await depot.desk.displays.create(ADMIN, "调度室大屏")
            async with aiohttp.ClientSession() as session:
                async with session.get(f"{depot.url}/") as response:
                    first_page = await response.text()
                async with session.get(f"{depot.url}/api/figures") as response:
                    figures = await response.json()
                screens = {}
                for language in ("zh-CN", "en"):
                    async with session.get(
                        f"{depot.url}/screen/{token}", headers={"Accept-Language": language}
                    ) as response:
                        assert response.status == 200
                        screens[language] = await response.text()
            assert figure_box(first_page, "self_served_today") == "1 今日自助 Self-served today"
            assert figure_box(first_page, "answered_today") == "0 今日接听 Answered today"
            assert figures["fields"]["self_served_today"]["text"] == "1"
            assert figure_box(screens["zh-CN"], "self_served_today") == "今日自助 1"
            assert figure_box(screens["en"], "self_served_today") == "Self-served today 1"

    asyncio.run(main())
