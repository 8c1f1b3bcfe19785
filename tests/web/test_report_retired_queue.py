"""Reports of a period in which a since-retired or since-renamed queue had calls name it, on
the page, in the CSV (the page's language) and in `depotline report --json` (issue 17): a
retired queue by the last name it had, a renamed one by today's name, an unknown code as is."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import datetime as dt
import io
import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from test_queue_speech_forms import supervisor_at

from appliance.cli import main
from appliance.demo_history import PastCall, call_items
from appliance.engine.records import CallEnded, QueueLogEntry
from appliance.engine.setup import DepotSetup, Queue
from appliance.seed import demo_setup
from appliance.store import Store

ZONE = ZoneInfo("Asia/Shanghai")
# the three generations of the depot's queues: rescue added, renamed, then retired while
# orders was renamed
NAMED = {
    "zh-CN": {"rescue": "道路救援", "orders": "网上下单", "cargo": "货物查询", "ghost": "ghost"},
    "en": {
        "rescue": "Road rescue",
        "orders": "Online orders",
        "cargo": "Cargo tracking",
        "ghost": "ghost",
    },
}


def _at(text: str) -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=ZONE).timestamp()


def _renamed(setup: DepotSetup, queue_id: str, name_zh: str, name_en: str) -> DepotSetup:
    queues = tuple(
        dataclasses.replace(q, name_zh=name_zh, name_en=name_en) if q.id == queue_id else q
        for q in setup.queues
    )
    return dataclasses.replace(setup, queues=queues)


def generations(setup: DepotSetup) -> list[DepotSetup]:
    """The setups the depot went through after `setup`, one change each."""
    added = dataclasses.replace(setup, queues=(*setup.queues, Queue("rescue", "救援", "Rescue")))
    renamed = _renamed(added, "rescue", "道路救援", "Road rescue")
    orders_renamed = _renamed(renamed, "orders", "网上下单", "Online orders")
    retired = dataclasses.replace(
        orders_renamed, queues=tuple(q for q in orders_renamed.queues if q.id != "rescue")
    )
    return [added, renamed, retired]


def march_calls() -> list[QueueLogEntry | CallEnded]:
    """One answered call in each of rescue, orders, cargo and a queue no setup held."""
    items: list[QueueLogEntry | CallEnded] = []
    for n, queue in enumerate(("rescue", "orders", "cargo", "ghost")):
        arrival = _at(f"2026-03-0{n + 2} 10:00")
        items += call_items(PastCall(f"m{n}", arrival, queue, "13800138000", "1001", 5, 60, 10))
    return sorted(
        items, key=lambda i: i.time_s if isinstance(i, QueueLogEntry) else i.record.ended_s
    )


def test_reports_name_a_retired_queue_by_its_last_name_on_the_page_and_in_the_csv(
    tmp_path: Path,
) -> None:
    async def main() -> None:
        for language in ("zh-CN", "en"):
            folder = tmp_path / language
            folder.mkdir()
            async with supervisor_at(folder, language=language) as (
                depot,
                session,
                supervisor,
                _,
            ):
                for setup in generations(depot.service.setup()):
                    await depot.service.change_setup(setup)
                assert "rescue" not in [q.id for q in depot.service.setup().queues]
                await depot.runtime.store.record(march_calls())
                _, page = await supervisor.page("/reports?period=month&day=2026-03-31")
                table = page.split('id="by-queue"')[1].split("</table>")[0]
                shown = re.findall(r"<tr><td>([^<]*)</td><td>1</td>", table)
                assert sorted(shown) == sorted(NAMED[language].values()), language
                query = "table=queues&period=month&day=2026-03-31"
                async with session.get(f"{depot.url}/reports.csv?{query}") as response:
                    body = (await response.read()).decode("utf-8-sig")
                rows = list(csv.reader(io.StringIO(body)))
                assert sorted(row[0] for row in rows[1:]) == sorted(NAMED[language].values())

    asyncio.run(main())


def test_report_json_names_a_retired_queue_in_both_languages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "depot.db"

    async def fill() -> None:
        store = await Store.open(database)
        try:
            first = demo_setup()
            await store.save_setup(first, saved_s=_at("2026-02-01 08:00"))
            for day, setup in enumerate(generations(first), start=10):
                await store.save_setup(setup, saved_s=_at(f"2026-03-{day} 08:00"))
            await store.record(march_calls())
        finally:
            await store.close()

    asyncio.run(fill())
    args = ["report", "--db", str(database), "--json", "--period", "month", "--date", "2026-03-31"]
    assert main(args) == 0
    queues = json.loads(capsys.readouterr().out)["queues"]
    named = {q["queue"]: (q["name"], q["name_en"], q["offered"]) for q in queues}
    assert named == {code: (NAMED["zh-CN"][code], NAMED["en"][code], 1) for code in NAMED["zh-CN"]}
