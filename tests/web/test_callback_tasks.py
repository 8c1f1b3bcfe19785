"""回访 tasks through the web pages on a running depot: a dial's outcome is an attempt, reached
closes the task, failed attempts close it as unreachable, the desk shows my tasks and the
pool's due today once a number, supervisors make tasks one by one or from a CSV, the calling
window and a call in progress refuse a dial in place."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from web_depot import (
    AGENT_ID,
    AGENT_PASSWORD,
    POSITION,
    SUPERVISOR_ID,
    SUPERVISOR_PASSWORD,
    Depot,
    running_depot,
)
from web_http import Browserish
from web_people import post, signed_in
from web_people import upload as upload_file

from appliance.engine.records import CallbackRequested, CallbackSettled
from drivers.roles import CallerId

ZONE = ZoneInfo("Asia/Shanghai")
ALWAYS = {"calling_window": "00:00-24:00", "failed_attempts": "3", "due_days": "3"}


async def until(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not condition():
            await asyncio.sleep(0.02)


def with_people(
    tmp_path: Path, test: Callable[[Depot, Browserish, Browserish], Awaitable[None]]
) -> None:
    async def main() -> None:
        async with running_depot(tmp_path / "depot.db") as depot:
            accounts = ((AGENT_ID, AGENT_PASSWORD), (SUPERVISOR_ID, SUPERVISOR_PASSWORD))
            async with signed_in(depot.url, *accounts) as (agent, lead):
                await test(depot, agent, lead)

    asyncio.run(main())


async def new_task(lead: Browserish, number: str, **fields: str) -> None:
    status, page = await post(lead, "/supervisor/tasks/new", {"number": number, **fields})
    assert status == 303, page


def task_ids(page: str) -> list[str]:
    return re.findall(r'data-task="([^"]+)"', page)


def desk_numbers(page: str) -> list[str]:
    table = page.split('id="desk-tasks"')[1].split("</table>")[0]
    return re.findall(r'data-number="([^"]+)"', table)


def missed_calls(depot: Depot, number: str, count: int) -> list[CallbackRequested]:
    """`count` callers from `number` hung up waiting: the first makes the task (ab0)."""
    now_s = depot.service.now()
    return [
        CallbackRequested(f"ab{n}", number, "", "abandoned", f"c{n}", "cargo", now_s, now_s)
        for n in range(count)
    ]


def move_to(depot: Depot, hour: int, minute: int = 0) -> None:
    """Move the depot's clock forward to the next hour:minute in the depot's time zone."""
    now = dt.datetime.fromtimestamp(depot.service.now(), ZONE)
    target = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if target <= now:
        target += dt.timedelta(days=1)
    depot.clock.offset_s += target.timestamp() - now.timestamp()


def test_callback_task_reached_outcome_closes_it_and_failed_attempts_close_unreachable(
    tmp_path: Path,
) -> None:
    async def test(depot: Depot, agent: Browserish, lead: Browserish) -> None:
        assert (await post(lead, "/supervisor/tasks/rules", {**ALWAYS, "failed_attempts": "2"}))[
            0
        ] == 303
        await new_task(lead, "13800000001", name="李先生", reason="key_customer")
        await new_task(lead, "13800000002", name="王女士")
        first, second = [t for t in await depot.desk.tasks.open_tasks()]
        _status, desk = await agent.page("/desk")
        # due in 3 days: not today's work yet
        assert desk_numbers(desk) == []
        depot.clock.offset_s += 3 * 86_400.0
        _status, desk = await agent.page("/desk")
        assert sorted(desk_numbers(desk)) == ["13800000001", "13800000002"]
        assert "已超期" in desk or "overdue" in desk

        status, _ = await post(
            agent,
            f"/tasks/{first.task_id}/attempt",
            {"outcome": "reached_resolved", "note": "满意"},
        )
        assert status == 303
        _status, page = await agent.page(f"/tasks/{first.task_id}")
        assert 'data-state="reached"' in page and "满意" in page
        for outcome in ("no_answer", "busy"):
            status, _ = await post(agent, f"/tasks/{second.task_id}/attempt", {"outcome": outcome})
            assert status == 303
        _status, page = await agent.page(f"/tasks/{second.task_id}")
        assert 'data-state="unreachable"' in page
        assert "无人接听" in page and "占线" in page
        _status, desk = await agent.page("/desk")
        assert desk_numbers(desk) == []
        # a closed task takes no more attempts
        status, page = await post(agent, f"/tasks/{second.task_id}/attempt", {"outcome": "busy"})
        assert status == 400 and 'data-field="task_id"' in page

    with_people(tmp_path, test)


def test_desk_shows_mine_and_the_pools_due_today_each_number_once(tmp_path: Path) -> None:
    async def test(depot: Depot, agent: Browserish, lead: Browserish) -> None:
        await depot.runtime.store.record(missed_calls(depot, "13900000009", 4))
        await new_task(lead, "13900000001", agent_id="1002")  # someone else's
        await new_task(lead, "13900000002", agent_id=AGENT_ID)
        await new_task(lead, "13900000003")  # the pool's, due in 3 days
        status, page = await post(lead, "/supervisor/tasks/new", {"number": "13900000002"})
        assert status == 400 and 'data-field="number"' in page  # one open task a number
        depot.clock.offset_s += 2 * 86_400.0
        _status, desk = await agent.page("/desk")
        assert desk_numbers(desk) == ["13900000009"]
        depot.clock.offset_s += 1 * 86_400.0 + 60
        _status, desk = await agent.page("/desk")
        assert desk_numbers(desk) == ["13900000009", "13900000002", "13900000003"]
        _status, overdue = await lead.page("/supervisor/tasks?view=overdue")
        assert len(task_ids(overdue)) == 4

    with_people(tmp_path, test)


def test_task_history_names_a_repeat_miss_and_the_customers_own_call_in_words(
    tmp_path: Path,
) -> None:
    async def test(depot: Depot, agent: Browserish, lead: Browserish) -> None:
        now_s = depot.service.now()
        await depot.runtime.store.record(missed_calls(depot, "13900000007", 2))
        await depot.runtime.store.record([CallbackSettled("13900000007", "in-1", now_s + 60)])
        _status, page = await agent.page("/tasks/ab0")
        history = page.split('id="attempts"')[1]
        assert "再次未接通" in history and "客户来电已接听" in history
        assert "called_again" not in history and "customer_called_in" not in history
        assert "排队放弃 c1" in history and "abandoned" not in history  # the repeat's reason

    with_people(tmp_path, test)


def test_dial_refused_in_place_not_logged_in_on_a_call_and_outside_the_window(
    tmp_path: Path,
) -> None:
    async def test(depot: Depot, agent: Browserish, lead: Browserish) -> None:
        await post(
            lead,
            "/supervisor/tasks/rules",
            {**ALWAYS, "calling_window": "09:00-12:00, 14:00-20:00"},
        )
        await new_task(lead, "13700000001")
        (task,) = await depot.desk.tasks.open_tasks()
        move_to(depot, 11)
        dial = {"number": "13700000001", "task_id": task.task_id}
        status, page = await post(agent, "/desk/dial", dial)
        assert status == 409 and 'data-reason="not_logged_in"' in page and "请先签入座席" in page
        assert 'id="desk-tasks"' in page  # the desk itself, not an error page
        await post(agent, "/desk/state", {"action": "login", "position": POSITION})
        await post(agent, "/desk/state", {"action": "ready"})
        assert depot.lines.incoming_call("L1", CallerId("13500000000", ""))
        await until(
            lambda: any(c.stage.value == "greeting" for c in depot.service.snapshot().calls)
        )
        depot.lines.press("L1", "1")
        await until(lambda: any(c.stage.value == "offered" for c in depot.service.snapshot().calls))
        depot.positions.answer(POSITION)
        await until(
            lambda: any(c.stage.value == "connected" for c in depot.service.snapshot().calls)
        )
        status, page = await post(agent, "/desk/dial", dial)
        assert status == 409 and 'data-reason="on_call"' in page and "您正在通话中" in page
        await post(agent, "/desk/call", {"action": "hang_up"})
        await until(lambda: not depot.service.snapshot().calls)
        move_to(depot, 21, 30)
        _status, desk = await agent.page("/desk")
        assert 'id="window-closed"' in desk and "09:00" in desk
        status, page = await post(agent, "/desk/dial", dial)
        assert status == 409 and 'data-reason="outside_window"' in page and "09:00" in page
        assert not [c for c in depot.service.snapshot().calls if c.direction == "out"]

    with_people(tmp_path, test)


def test_dial_of_a_number_in_full_width_digits_is_refused_and_nothing_is_dialled(
    tmp_path: Path,
) -> None:
    async def test(depot: Depot, agent: Browserish, lead: Browserish) -> None:
        await post(lead, "/supervisor/tasks/rules", ALWAYS)
        await post(agent, "/desk/state", {"action": "login", "position": POSITION})
        await post(agent, "/desk/state", {"action": "ready"})
        status, _page = await post(agent, "/desk/dial", {"number": "１３７００００００００１"})
        assert status == 400
        assert not [c for c in depot.service.snapshot().calls if c.direction == "out"]

    with_people(tmp_path, test)


def test_key_customer_csv_with_a_bad_row_names_line_and_column_and_keeps_nothing(
    tmp_path: Path,
) -> None:
    async def test(depot: Depot, agent: Browserish, lead: Browserish) -> None:
        await new_task(lead, "13600000002")

        async def upload(text: bytes) -> tuple[int, str]:
            fields = {"reason": "key_customer", "note": "双十一重点客户"}
            return await upload_file(lead, "/supervisor/tasks/import", text, fields)

        bad = "号码,姓名,备注\n13600000001,张三,大客户\n1360000x003,李四,\n".encode("gb18030")
        status, page = await upload(bad)
        assert status == 400
        assert 'data-csv-line="3"' in page and 'data-csv-column="1"' in page
        assert "第 3 行" in page
        assert len(await depot.desk.tasks.open_tasks()) == 1
        good = "number,name,note\n13600000001,张三,大客户\n\n13600000002,王五,\n".encode()
        status, page = await upload(good)
        assert status == 200 and "<strong>1</strong>" in page and "13600000002" in page
        tasks = {t.number: t for t in await depot.desk.tasks.open_tasks()}
        assert tasks["13600000001"].reason == "key_customer"
        assert tasks["13600000001"].note == "双十一重点客户 · 大客户"

    with_people(tmp_path, test)
