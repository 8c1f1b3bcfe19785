"""The reports page by calendar period on hand-worked calls (Asia/Shanghai): a calendar month
from its first to its last day, a Monday–Sunday week across a month's end, the month so far;
agent names beside 工号; satisfaction from the post-call survey."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
from web_depot import SUPERVISOR_ID, SUPERVISOR_PASSWORD, running_depot
from web_http import Browserish

from appliance.demo_history import PastCall, call_items, login_items
from appliance.engine.records import CallEnded, QueueLogEntry
from appliance.store import roster

ZONE = ZoneInfo("Asia/Shanghai")


def _at(text: str) -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=ZONE).timestamp()


def _time_of(item: QueueLogEntry | CallEnded) -> float:
    return item.time_s if isinstance(item, QueueLogEntry) else item.record.ended_s


def test_reports_page_by_calendar_month_week_and_month_so_far(tmp_path: Path) -> None:
    calls = (
        ("x0", "2026-02-28 23:59:00", "1001", None),  # February
        ("x1", "2026-03-01 00:00:30", "1001", 5),
        ("x2", "2026-03-15 12:00:00", "1001", 4),
        ("x3", "2026-03-31 23:50:00", "1002", 2),
        ("x4", "2026-04-01 00:10:00", "1002", None),  # April, the same week as x3
    )
    items: list[QueueLogEntry | CallEnded] = []
    # 1001 rostered 09:00–11:00 on 2 March and logged in 09:00–10:00: adherence 50 %
    items += login_items("1001", "pos1", _at("2026-03-02 09:00"), _at("2026-03-02 10:00"))
    for call_id, local, agent, score in calls:
        items += call_items(
            PastCall(call_id, _at(local), "cargo", "13800138000", agent, 5, 120, 30, score)
        )

    async def main() -> None:
        jar = aiohttp.CookieJar(unsafe=True)
        async with (
            running_depot(tmp_path / "depot.db") as depot,
            aiohttp.ClientSession(cookie_jar=jar) as session,
        ):
            await depot.runtime.store.record(sorted(items, key=_time_of))
            shift = {("1001", dt.date(2026, 3, 2)): ((540, 660),)}
            await depot.runtime.store.in_transaction(lambda c: roster.put(c, shift))
            supervisor = Browserish(depot.url, session)
            await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
            status, page = await supervisor.page("/reports?period=month&day=2026-03-09")
            assert status == 200 and "2026-03-01 – 2026-03-31" in page
            totals = page.split('id="totals"')[1].split("</table>")[0]
            assert "<td>3</td><td>3</td><td>0</td>" in totals  # x1, x2, x3
            survey = page.split('id="satisfaction"')[1].split("</table>")[0]
            assert "<td>3.67</td><td>66.7%</td><td>3 / 3</td><td>100.0%</td>" in survey
            agent = page.split('id="by-agent"')[1].split('data-agent="1001">')[1]
            assert agent.startswith("<td>1001</td><td>王芳</td><td>2</td>")
            assert "<td>4.50 (2)</td><td>50.0%</td>" in agent.split("</tr>")[0]
            assert 'data-agent="1002"><td>1002</td><td>李强</td>' in page

            # x1 and x2 from the same number 14 days apart, x3 called again within 72 h by x4
            assert (
                "<td>66.7% (2 / 3)</td>"
                in page.split('id="records-figures"')[1].split("</table>")[0]
            )
            status, page = await supervisor.page("/reports?period=week&day=2026-04-02")
            assert "2026-03-30 – 2026-04-05" in page
            assert "<td>2</td><td>2</td><td>0</td>" in page.split('id="totals"')[1]

            status, page = await supervisor.page("/reports?period=month_to_date&day=2026-03-15")
            assert "2026-03-01 – 2026-03-15" in page
            assert "<td>2</td><td>2</td><td>0</td>" in page.split('id="totals"')[1]
            status, _ = await supervisor.page("/reports?period=month&day=2026-02-30")
            assert status == 400

    asyncio.run(main())


def test_reports_csv_reads_back_in_the_pages_language_with_names(tmp_path: Path) -> None:
    items = call_items(
        PastCall("y1", _at("2026-03-02 09:30"), "cargo", "13800138000", "1001", 5, 120, 30, 5)
    )

    async def main() -> None:
        jar = aiohttp.CookieJar(unsafe=True)
        async with (
            running_depot(tmp_path / "depot.db") as depot,
            aiohttp.ClientSession(cookie_jar=jar) as session,
        ):
            await depot.runtime.store.record(sorted(items, key=_time_of))
            supervisor = Browserish(depot.url, session)
            await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
            query = "period=month&day=2026-03-02"
            for language, heads, queue, extras in (
                (
                    "en",
                    ["Agent id", "Name", "Answered"],
                    "Cargo tracking",
                    ["Satisfaction (1–5)", "Survey responses", "Login adherence (%)"],
                ),
                (
                    "zh-CN",
                    ["工号", "姓名", "接听"],
                    "货物查询",
                    ["满意度（1–5）", "评价数", "签入遵从率（%）"],
                ),
            ):
                async with session.get(f"{depot.url}/lang/{language}?next=/reports") as r:
                    assert r.status == 200
                async with session.get(f"{depot.url}/reports.csv?table=agents&{query}") as r:
                    body = await r.read()
                assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel and WPS
                rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
                assert rows[0][:3] == heads and rows[1][:3] == ["1001", "王芳", "1"]
                # the page's satisfaction and adherence columns too (1001 has no roster: empty)
                assert rows[0][-3:] == extras and rows[1][-3:] == ["5.00", "1", ""]
                async with session.get(f"{depot.url}/reports.csv?table=queues&{query}") as r:
                    rows = list(csv.reader(io.StringIO((await r.read()).decode("utf-8-sig"))))
                assert rows[1][0] == queue

    asyncio.run(main())
