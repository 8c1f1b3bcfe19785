"""Reports (S4) and staffing (S7) from the queue log of calls the running depot took."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import datetime as dt
import io
import sqlite3
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
from web_depot import POSITION, SUPERVISOR_ID, SUPERVISOR_PASSWORD, Depot, running_depot
from web_http import Browserish

from appliance.desk.reports import report_days_key
from appliance.engine.records import FaultRecorded, QueueLogEntry, Verb
from drivers.roles import CallerId

AGENT_ID = "1001"


async def until(condition: object, what: str, timeout_s: float = 10.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.02)


async def take_one_call(depot: Depot, number: str) -> None:
    """A caller picks 1 (cargo), the agent answers, talks, hangs up."""

    def agent_state() -> str:
        return next(a for a in depot.service.snapshot().agents if a.id == AGENT_ID).state.value

    assert depot.lines.incoming_call("L1", CallerId(number, ""))
    await until(
        lambda: any(c.stage.value == "greeting" for c in depot.service.snapshot().calls),
        "the greeting",
    )
    depot.lines.press("L1", "1")
    await until(lambda: agent_state() == "ringing", "the agent's phone ringing")
    depot.positions.answer(POSITION)
    await until(lambda: agent_state() == "on_call", "the call connected")
    depot.positions.hang_up(POSITION)
    await until(lambda: agent_state() == "wrap_up", "wrap-up")
    await depot.service.ready(AGENT_ID)


ZONE = "Asia/Shanghai"  # running_depot's time zone


def test_reports_count_the_calls_taken_and_export_csv(tmp_path: Path) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            await depot.service.log_in(AGENT_ID, POSITION)
            await depot.service.ready(AGENT_ID)
            await take_one_call(depot, "13800138000")
            await take_one_call(depot, "13912345678")
            depot.clock.offset_s += 5  # reports take entries once they are REPORT_SETTLE_S old
            jar = aiohttp.CookieJar(unsafe=True)
            async with aiohttp.ClientSession(
                cookie_jar=jar, headers={"Accept-Language": "zh-CN"}
            ) as session:
                supervisor = Browserish(depot.url, session)
                await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
                status, page = await supervisor.page("/reports")
                assert status == 200
                assert "<svg" in page and "货物查询" in page
                async with session.get(f"{depot.url}/reports.csv?table=queues") as response:
                    assert response.status == 200
                    assert response.headers["Content-Type"].startswith("text/csv")
                    assert "attachment" in response.headers["Content-Disposition"]
                    rows = list(csv.reader(io.StringIO((await response.text()).lstrip("\ufeff"))))
                # in the page's language (zh-CN for a browser that asks for none), queue names
                assert rows[0][:4] == ["队列", "呼入", "接听", "放弃"]
                assert [row[:4] for row in rows[1:]] == [["货物查询", "2", "2", "0"]]
                async with session.get(f"{depot.url}/reports.csv?table=agents") as response:
                    rows = list(csv.reader(io.StringIO((await response.text()).lstrip("\ufeff"))))
                assert [row[:3] for row in rows[1:]] == [[AGENT_ID, "王芳", "2"]]
                # asked again after another call, the cached report folds only the new entries
                await take_one_call(depot, "13600001111")
                depot.clock.offset_s += 5
                async with session.get(f"{depot.url}/reports.csv?table=queues") as response:
                    rows = list(csv.reader(io.StringIO((await response.text()).lstrip("\ufeff"))))
                assert [row[:4] for row in rows[1:]] == [["货物查询", "3", "3", "0"]]
                await depot.runtime.store.record(
                    [FaultRecorded("fxo1", "modem does not answer", depot.service.now() - 60)]
                )
                status, page = await supervisor.page("/reports?period=week")
                assert status == 200
                by_day = page[page.index('id="by-day"') : page.index('id="by-queue"')]
                # a row per day of this Monday–Sunday week so far
                local = dt.datetime.fromtimestamp(depot.service.now(), ZoneInfo("Asia/Shanghai"))
                week_so_far = local.weekday() + 1
                assert by_day.count("<tr><td>") == week_so_far
                today_row = (
                    '<td>3</td><td>3</td><td>0</td><td class="self-served">0</td><td>100.0%</td>'
                )
                assert today_row in by_day
                faults = page[page.index('id="faults"') :]
                assert "fxo1" in faults and "仍未恢复" in faults
                async with session.get(
                    f"{depot.url}/reports.csv?table=days&period=week"
                ) as response:
                    rows = list(csv.reader(io.StringIO((await response.text()).lstrip("\ufeff"))))
                assert rows[0][:4] == ["日期", "呼入", "接听", "放弃"]
                assert len(rows) == week_so_far + 1 and rows[-1][1:4] == ["3", "3", "0"]
                async with session.get(f"{depot.url}/reports.csv?table=faults") as response:
                    rows = list(csv.reader(io.StringIO((await response.text()).lstrip("\ufeff"))))
                assert [row[:2] for row in rows[1:]] == [["fxo1", "modem does not answer"]]
                status, page = await supervisor.page("/reports/staffing?target=90")
                assert status == 200
                assert page.count("<tr><td>") == 24
                assert (await supervisor.page("/reports/staffing?target=250"))[0] == 400
                assert (await supervisor.page("/reports?day=yesterday"))[0] == 400

    asyncio.run(main())


def test_report_days_are_folded_again_in_the_background_after_the_threshold_changes(
    tmp_path: Path,
) -> None:
    """The days a monthly report adds up are kept at start and, after a supervisor changes
    the service-level threshold, kept again with it before anyone asks for a report."""
    database = tmp_path / "depot.db"

    def kept_with() -> dict[str, int]:
        """How many days are kept with each key."""
        with sqlite3.connect(database) as connection:
            rows = connection.execute("SELECT key, count(*) FROM report_days GROUP BY key")
            return dict(rows.fetchall())

    async def until(what: str, condition: Callable[[], bool]) -> None:
        async with asyncio.timeout(20.0):
            while not condition():
                await asyncio.sleep(0.05)
        assert condition(), what

    async def main() -> None:
        async with running_depot(database, reports_ready_every_s=0.1) as depot:
            await until(
                "days kept at start", lambda: kept_with() == {report_days_key(ZONE, 20.0): 35}
            )
            setup = depot.service.setup()
            stricter = tuple(dataclasses.replace(q, sl_threshold_s=45.0) for q in setup.queues)
            await depot.service.change_setup(dataclasses.replace(setup, queues=stricter))
            await until("days kept again", lambda: kept_with() == {report_days_key(ZONE, 45.0): 35})

    asyncio.run(main())


def test_reports_count_calls_served_by_the_waybill_self_service(tmp_path: Path) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            now = depot.service.now() - 60
            await depot.runtime.store.record(
                [
                    QueueLogEntry(now, "s1", "", "", Verb.INBOUND, ("13800138000", "")),
                    QueueLogEntry(
                        now + 5, "s1", "cargo", "", Verb.WAYBILL, ("8000123456", "found")
                    ),
                    QueueLogEntry(now + 20, "s1", "", "", Verb.HANGUP, ("self_served",)),
                ]
            )
            depot.clock.offset_s += 5  # reports take entries once they are REPORT_SETTLE_S old
            async with aiohttp.ClientSession(
                cookie_jar=aiohttp.CookieJar(unsafe=True), headers={"Accept-Language": "zh-CN"}
            ) as session:
                supervisor = Browserish(depot.url, session)
                await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
                status, page = await supervisor.page("/reports")
                assert status == 200
                totals = page[
                    page.index('id="totals"') : page.index("</table>", page.index('id="totals"'))
                ]
                assert "自助查询" in totals
                assert '<td>0</td><td>0</td><td>0</td><td class="self-served">1</td>' in totals
                by_queue = page[page.index('id="by-queue"') :]
                assert '<td class="self-served">1</td>' in by_queue
                today = dt.datetime.fromtimestamp(now, ZoneInfo(ZONE)).date().isoformat()
                for period in ("week", "month"):
                    status, page = await supervisor.page(f"/reports?period={period}")
                    assert status == 200
                    by_day = page[page.index('id="by-day"') : page.index('id="by-queue"')]
                    assert "<th>自助查询</th>" in by_day
                    # today: nobody offered to an agent, one caller served by the keypad
                    served = '<td>0</td><td>0</td><td>0</td><td class="self-served">1</td>'
                    assert f"<tr><td>{today}</td>{served}" in by_day
                zh_days = await report_csv(session, depot, "days&period=week")
                assert zh_days[0][:5] == ["日期", "呼入", "接听", "放弃", "自助查询"]
                assert zh_days[-1][:5] == [today, "0", "0", "0", "1"]
                zh_queues = await report_csv(session, depot, "queues")
                assert zh_queues[0][:5] == ["队列", "呼入", "接听", "放弃", "自助查询"]
                assert zh_queues[1:] == [["货物查询", "0", "0", "0", "1", "", "", "", "", ""]]
            async with aiohttp.ClientSession(
                cookie_jar=aiohttp.CookieJar(unsafe=True), headers={"Accept-Language": "en"}
            ) as session:
                await Browserish(depot.url, session).sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
                en_hours = await report_csv(session, depot, "hours&period=month")
                assert en_hours[0][:5] == ["Hour", "Offered", "Answered", "Abandoned",
                                           "Self-served (keypad)"]  # fmt: skip
                hour = dt.datetime.fromtimestamp(now + 20, ZoneInfo(ZONE)).hour
                served = [row for row in en_hours[1:] if row[4] != "0"]
                assert served == [[f"{hour:02d}:00", "0", "0", "0", "1", "", "", "", "", ""]]
                en_days = await report_csv(session, depot, "days&period=month")
                assert en_days[0][4] == "Self-served (keypad)" and en_days[-1][4] == "1"

    asyncio.run(main())


async def report_csv(session: aiohttp.ClientSession, depot: Depot, table: str) -> list[list[str]]:
    """A CSV file of the reports page as a spreadsheet program reads it: UTF-8 with a BOM."""
    async with session.get(f"{depot.url}/reports.csv?table={table}") as response:
        assert response.status == 200
        body = await response.read()
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
