"""Targets and rankings over HTTP on a hand-worked March 2026: answer targets with progress on
the supervisor's page and the agent's own, 金话筒 and 周之星 from weighted figures with the
formula beside them, kept per period when announced on the ticker and the wallboard page."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import aiosqlite
from web_depot import AGENT_ID, AGENT_PASSWORD, SUPERVISOR_ID, SUPERVISOR_PASSWORD, running_depot
from web_http import Browserish

from appliance.demo_history import PastCall, call_items, login_items
from appliance.engine.records import QueueLogEntry
from appliance.store import quality, roster
from appliance.store.quality import QualityCheck

ZONE = ZoneInfo("Asia/Shanghai")


def _at(text: str) -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=ZONE).timestamp()


def _call(call_id: str, local: str, agent: str, score: int | None = None) -> list[object]:
    return list(
        call_items(PastCall(call_id, _at(local), "cargo", "13800138000", agent, 5, 120, 30, score))
    )


async def _month_of_work(connection: aiosqlite.Connection) -> None:
    """Tickets (1001: one closed within 24 h, one left open) and 回访 tasks (1002: one done in
    2 days, one assigned and left undone)."""
    for record_id, agent, created in (
        ("r1", "1001", "2026-03-05 10:00"),
        ("r2", "1001", "2026-03-25 10:00"),
    ):
        await connection.execute(
            "INSERT INTO desk_records VALUES (?, 'complaint', '', '13800138000', ?, ?, '[]')",
            (record_id, agent, _at(created)),
        )
    await connection.execute(
        "INSERT INTO tickets (ticket_id, record_id, number, category, department, created_s,"
        " status, closed_s) VALUES ('t1', 'r1', '1', 'damage', 'cargo', ?, 'closed', ?)",
        (_at("2026-03-05 10:00"), _at("2026-03-05 11:00")),
    )
    await connection.execute(
        "INSERT INTO tickets (ticket_id, record_id, number, category, department, created_s)"
        " VALUES ('t2', 'r2', '1', 'damage', 'cargo', ?)",
        (_at("2026-03-25 10:00"),),
    )
    for task_id, created, status, assigned in (
        ("k1", "2026-03-10 09:00", "done", ""),
        ("k2", "2026-03-20 09:00", "open", "1002"),
    ):
        await connection.execute(
            "INSERT INTO callback_tasks (task_id, number, name, reason, call_id, queue,"
            " created_s, due_s, status, assigned_agent) VALUES (?, '1', '', 'missed', '',"
            " 'cargo', ?, ?, ?, ?)",
            (task_id, _at(created), _at(created), status, assigned),
        )
    await connection.execute(
        "INSERT INTO callback_attempts (task_id, time_s, agent, outcome, note)"
        " VALUES ('k1', ?, '1002', 'done', '')",
        (_at("2026-03-12 09:00"),),
    )
    check = QualityCheck(
        0, "a3", _at("2026-03-11 09:00"), "9001", "1001", (("服务用语", 100, 90),), ""
    )
    await quality.add_check(connection, check)
    await roster.put(connection, {("1001", dt.date(2026, 3, 2)): ((540, 660),)})


def test_targets_and_rankings_on_a_hand_worked_month(tmp_path: Path) -> None:
    items = [
        *_call("a1", "2026-03-02 09:30", "1001", 5),
        *_call("a2", "2026-03-03 10:00", "1001", 4),
        *_call("a3", "2026-03-10 11:00", "1001"),
        *_call("a4", "2026-03-20 15:00", "1001"),
        *_call("b0", "2026-02-28 23:59", "1002", 1),  # February
        *_call("b1", "2026-03-15 12:00", "1002"),
        *_call("b2", "2026-03-31 23:50", "1002", 3),  # the month's last minutes
        *_call("b3", "2026-04-01 00:10", "1002"),  # April, but the same week (W14) as b2
        *login_items("1001", "pos1", _at("2026-03-02 09:00"), _at("2026-03-02 10:00")),
    ]

    def time_of(item: object) -> float:
        return item.time_s if isinstance(item, QueueLogEntry) else item.record.ended_s  # type: ignore[attr-defined]

    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            store = depot.runtime.store
            await store.record(sorted(items, key=time_of))  # type: ignore[arg-type]
            await store.in_transaction(_month_of_work)
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as s1:
                supervisor = Browserish(depot.url, s1)
                await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
                token = await supervisor.csrf("/supervisor/targets")
                form = {
                    "csrf_token": token,
                    "target_tier_2": "100",  # 李强: general in cargo, skilled in orders
                    f"target_agent_{AGENT_ID}": "4",
                }
                assert (await supervisor.post("/supervisor/targets", form))[0] == 303
                status, page = await supervisor.page("/supervisor/targets?day=2026-03-15")
                assert "<td>1001</td><td>王芳</td>" in page
                row = page.split('data-agent="1001">')[1].split("</tr>")[0]
                assert "<td>4 (个人)</td><td>4</td>" in row and "100%" in row
                row = page.split('data-agent="1002">')[1].split("</tr>")[0]
                assert "<td>100 (按等级)</td><td>2</td>" in row and "2%" in row

                status, page = await supervisor.page(
                    "/supervisor/rankings?kind=month&day=2026-03-15"
                )
                assert status == 200 and "金话筒 · 2026-03" in page
                assert (
                    "得分 = (30 × 接听量 + 30 × 质检得分 + 20 × 满意度 + 10 × 工单处理及时率"
                    " + 5 × 回访及时率 + 5 × 签入遵从率) ÷ 100" in page
                )
                table = page.split('id="ranking"')[1].split("</table>")[0]
                order = [chunk.split('"')[0] for chunk in table.split('data-agent="')[1:]]
                assert order == ["1001", "1002", "1003", "1004", "1005"]  # no 2001: shift lead
                first = table.split('data-agent="1001">')[1].split("</tr>")[0]
                # 30×100 + 30×90 + 20×90 + 10×50 + 5×0 + 5×50 = 8250
                assert first.startswith("<td>1</td><td>1001</td><td>王芳</td><td>82.5</td>")
                assert "<td>50.0 <span" in first and "1/2" in first  # one ticket of two on time
                second = table.split('data-agent="1002">')[1].split("</tr>")[0]
                # 30×50 + 20×60 + 5×50 = 2950
                assert second.startswith("<td>2</td><td>1002</td><td>李强</td><td>29.5</td>")

                status, page = await supervisor.page(
                    "/supervisor/rankings?kind=week&day=2026-04-01"
                )
                assert "周之星 · 2026-W14" in page
                table = page.split('id="ranking"')[1].split("</table>")[0]
                week_first = table.split('data-agent="')[1]
                assert week_first.startswith(
                    '1002"><td>1</td><td>1002</td><td>李强</td><td>42.0</td>'
                )

                path = "/supervisor/rankings/announce?kind=month&day=2026-03-15"
                assert (await supervisor.post(path, {"csrf_token": token}))[0] == 303
                assert "金话筒 2026-03: 王芳 (1001) 82.5" in depot.service.figures().ticker
                status, page = await supervisor.page("/supervisor/wallboard")
                assert "金话筒 2026-03: 王芳 (1001) 82.5" in page
                weights = {
                    f"weight_{n}": "0"
                    for n in ("quality", "satisfaction", "tickets", "callbacks", "adherence")
                }
                status, _ = await supervisor.post(
                    "/supervisor/rankings/weights?kind=month",
                    {"csrf_token": token, "weight_answered": "100", **weights},
                )
                assert status == 303
                status, page = await supervisor.page(
                    "/supervisor/rankings?kind=month&day=2026-03-15"
                )
                assert "得分 = (100 × 接听量 + 0 × 质检得分" in page
                assert 'data-agent="1002"><td>2</td><td>1002</td><td>李强</td><td>50.0</td>' in page
                # kept as announced: the weights of then, the winner of then
                kept = page.split('id="kept"')[1].split("</p>")[0]
                assert "王芳 (1001) 82.5" in kept
                assert (
                    "得分 = (30 × 接听量 + 30 × 质检得分 + 20 × 满意度 + 10 × 工单处理及时率"
                    " + 5 × 回访及时率 + 5 × 签入遵从率) ÷ 100" in kept
                )
                history = page.split('id="ranking-history"')[1].split("</table>")[0]
                assert (
                    '<tr data-period="2026-03"><td>2026-03</td><td>王芳 (1001)</td><td>82.5</td>'
                    "<td>得分 = (30 × 接听量 + 30 × 质检得分 + 20 × 满意度 + 10 × 工单处理及时率"
                    " + 5 × 回访及时率 + 5 × 签入遵从率) ÷ 100</td></tr>" in history
                )
                status, page = await supervisor.post(
                    "/supervisor/rankings/weights?kind=month",
                    {"csrf_token": token, "weight_answered": "0", **weights},
                )
                assert status == 400 and "至少一项权重大于 0" in page

            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as s2:
                agent = Browserish(depot.url, s2)
                await agent.sign_in(AGENT_ID, AGENT_PASSWORD)
                status, page = await agent.page("/desk/quality?month=2026-03")
                assert "已接听 4 / 指标 4" in page and "100%" in page
                # this month's progress on the desk itself (no call yet this month)
                status, page = await agent.page("/desk")
                progress = page.split('id="my-target"')[1].split("</p>")[0]
                assert "已接听 0 / 指标 4" in progress and "0%" in progress

    asyncio.run(main())


def test_notices_scroll_on_the_ticker_until_withdrawn(tmp_path: Path) -> None:
    """Nothing set the LED ticker before: a notice now scrolls there and on the wallboard
    page, and goes when withdrawn."""

    async def main() -> None:
        jar = aiohttp.CookieJar(unsafe=True)
        async with (
            running_depot(tmp_path / "depot.db") as depot,
            aiohttp.ClientSession(cookie_jar=jar) as session,
        ):
            supervisor = Browserish(depot.url, session)
            await supervisor.sign_in(SUPERVISOR_ID, SUPERVISOR_PASSWORD)
            token = await supervisor.csrf("/supervisor/notices")
            form = {"csrf_token": token, "text": "暴雨预警 今天下午线路繁忙"}
            assert (await supervisor.post("/supervisor/notices", form))[0] == 303
            assert depot.service.figures().ticker == "暴雨预警 今天下午线路繁忙"
            _status, page = await supervisor.page("/supervisor/wallboard")
            assert '<p class="ticker" id="ticker">暴雨预警 今天下午线路繁忙</p>' in page
            async with (
                aiohttp.ClientSession() as anyone,  # the wallboard at /, no sign-in
                anyone.get(f"{depot.url}/") as response,
            ):
                board = await response.text()
            assert '<p id="ticker" class="ticker">暴雨预警 今天下午线路繁忙</p>' in board
            notice_id = (await depot.desk.notices.notices())[0].notice_id
            withdraw = {"csrf_token": token, "withdraw": str(notice_id)}
            assert (await supervisor.post("/supervisor/notices", withdraw))[0] == 303
            assert depot.service.figures().ticker == ""

    asyncio.run(main())
