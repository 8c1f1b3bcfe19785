"""排班 over HTTP on hand-worked data: the week's grid, agents on shift against the agents
needed by Erlang C with wrap-up from 28 days of history, short hours marked, adherence."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
from web_depot import SUPERVISOR_ID, SUPERVISOR_PASSWORD, running_depot
from web_http import Browserish

from appliance.demo_history import PastCall, call_items, login_items
from appliance.engine.records import CallEnded, QueueLogEntry
from appliance.store import Store

ZONE = ZoneInfo("Asia/Shanghai")


def _at(day: dt.date, hour: int, minute: int = 0) -> float:
    return dt.datetime.combine(day, dt.time(hour, minute), ZONE).timestamp()


def _time_of(item: QueueLogEntry | CallEnded) -> float:
    return item.time_s if isinstance(item, QueueLogEntry) else item.record.ended_s


def _row(page: str, table: str, key: str) -> str:
    return page.split(f'id="{table}"')[1].split(key)[1].split("</tr>")[0]


def test_roster_week_against_erlang_c_needs_marks_short_hours_and_adherence(
    tmp_path: Path,
) -> None:
    today = dt.datetime.now(ZONE).date()
    monday = today - dt.timedelta(days=today.weekday() + 14)  # a whole week in the past
    # each of the last 28 days: 10 calls between 09:00 and 09:50, talk 180 s + wrap-up 60 s
    # → 10 calls an hour, AHT 240 s, A = 2/3 erlang. Erlang C, 20 s, 80 %: one agent reaches
    # 35 % (C = A), two reach 85 % (C = 1/6, SL = 1 − e^(−(2 − 2/3)·20/240)/6): two needed.
    items: list[QueueLogEntry | CallEnded] = []
    for n in range(1, 29):
        day = today - dt.timedelta(days=n)
        for k in range(10):
            arrived_s = _at(day, 9, 5 * k)
            items += call_items(
                PastCall(f"h{n}-{k}", arrived_s, "cargo", "13800138000", "1001", 5.0, 180, 60)
            )
    # 1001 logged in on that Monday 09:00–15:00 only
    items += login_items("1001", "pos1", _at(monday, 9), _at(monday, 15))

    async def main() -> None:
        database = tmp_path / "depot.db"
        store = await Store.open(database)
        await store.record(sorted(items, key=_time_of))
        await store.close()
        async with running_depot(database) as depot:
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as s:
                supervisor = Browserish(depot.url, s)
                await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
                path = f"/supervisor/roster?day={monday + dt.timedelta(days=3)}"
                token = await supervisor.csrf(path)
                cells = {
                    f"shift_1001_{monday + dt.timedelta(days=n)}": "09:00-17:00" for n in range(5)
                }
                cells[f"shift_1002_{monday}"] = "08:00-10:00"
                bad = {**cells, f"shift_1003_{monday + dt.timedelta(days=1)}": "9-17"}
                status, page = await supervisor.post(path, {"csrf_token": token, **bad})
                assert status == 400 and 'data-field="shift"' in page and 'data-bad="1"' in page
                assert 'value="9-17"' in page
                status, page = await supervisor.page(path)
                assert 'value="09:00-17:00"' not in page  # nothing was saved
                status, _ = await supervisor.post(path, {"csrf_token": token, **cells})
                assert status == 303
                status, page = await supervisor.page(path)
                assert status == 200 and page.count('value="09:00-17:00"') == 5
                hour9 = _row(page, "roster-cover", 'data-hour="9">')
                assert hour9.startswith("<td>09:00</td><td>2 / 2</td>")
                assert hour9.count('class="short"') == 6 and hour9.count("▼1") == 4
                assert hour9.count("▼2") == 2
                hour8 = _row(page, "roster-cover", 'data-hour="8">')
                assert "short" not in hour8 and hour8.startswith("<td>08:00</td><td>1 / 0</td>")
                assert 'data-hour="16"' in page and 'data-hour="17"' not in page  # 1001 until 17:00
                adherence = _row(page, "roster-adherence", 'data-agent="1001">')
                assert "<td>40:00:00</td><td>6:00:00</td><td>15%</td>" in adherence
                assert "<td>2:00:00</td><td>0:00:00</td><td>0%</td>" in _row(
                    page, "roster-adherence", 'data-agent="1002">'
                )
                assert "<td>—</td>" in _row(page, "roster-adherence", 'data-agent="1003">')
            actions = [(e.action, e.target) for e in await depot.desk.audit_log()]
            assert (
                "roster.save",
                f"{monday.isocalendar()[0]}-W{monday.isocalendar()[1]:02d}",
            ) in actions

    asyncio.run(main())


def test_roster_needs_each_weekday_from_that_weekdays_history(tmp_path: Path) -> None:
    """Calls came on Mondays only (10 between 09:00 and 09:50, AHT 240 s): a Monday needs the
    2 agents of 10 calls an hour and the other days nobody. The mean over all 28 days (1.43
    calls an hour, one agent every day) left Monday looking staffed and a Sunday nobody ever
    calls short of staff."""
    today = dt.datetime.now(ZONE).date()
    monday = today - dt.timedelta(days=today.weekday() + 14)
    items: list[QueueLogEntry | CallEnded] = []
    for n in range(1, 29):
        day = today - dt.timedelta(days=n)
        if day.weekday() != 0:
            continue
        for k in range(10):
            items += call_items(
                PastCall(
                    f"m{n}-{k}", _at(day, 9, 5 * k), "cargo", "13800138000", "1001", 5.0, 180, 60
                )
            )

    async def main() -> None:
        database = tmp_path / "depot.db"
        store = await Store.open(database)
        await store.record(sorted(items, key=_time_of))
        await store.close()
        async with (
            running_depot(database) as depot,
            aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as s,
        ):
            supervisor = Browserish(depot.url, s)
            await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
            path = f"/supervisor/roster?day={monday}"
            token = await supervisor.csrf(path)
            cells = {f"shift_1001_{monday + dt.timedelta(days=n)}": "09:00-17:00" for n in range(6)}
            assert (await supervisor.post(path, {"csrf_token": token, **cells}))[0] == 303
            status, page = await supervisor.page(path)
            assert status == 200
            hour9 = _row(page, "roster-cover", 'data-hour="9">')
            days = [cell.split("</td>")[0] for cell in hour9.split("<td")[2:]]
            assert days[0] == ' class="short" title="人手不足">1 / 2 ▼1'
            assert days[1:] == [">1 / 0"] * 5 + [">0 / 0"]

    asyncio.run(main())
