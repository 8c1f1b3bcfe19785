"""The demo's new database carries 28 days of past calls, logins and roster, so staffing and
the roster show real numbers on the first start."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from appliance.demo_history import HISTORY_DAYS, seed_history
from appliance.desk.reports import DepotReports
from appliance.seed import demo_setup
from appliance.store import Store, roster


def test_demo_history_gives_staffing_for_the_open_hours_and_this_weeks_roster(
    tmp_path: Path,
) -> None:
    setup = demo_setup()
    now_s = time.time()
    today = dt.datetime.fromtimestamp(now_s, ZoneInfo(setup.hours.timezone)).date()
    monday = today - dt.timedelta(days=today.weekday())

    async def main() -> None:
        store = await Store.open(tmp_path / "demo.db")
        try:
            await seed_history(store, setup, now_s)
            reports = DepotReports(store, timezone=setup.hours.timezone, sl_threshold_s=20.0)
            staffing = await reports.staffing(now_s)
            needed = {h.hour: h.agents for h in staffing.hours}
            assert staffing.days == HISTORY_DAYS
            assert all(needed[h] >= 2 for h in range(8, 20)), needed
            assert all(needed[h] == 0 for h in (*range(8), *range(20, 24))), needed
            week = await store.reading(
                lambda c: roster.shifts_between(c, monday, monday + dt.timedelta(days=6))
            )
            agents = {a.id for a in setup.agents if not a.supervisor}
            assert {agent for agent, _day in week} == agents
            assert {day for _agent, day in week} == {
                monday + dt.timedelta(days=n) for n in range(6)
            }
            calls = await store.calls(now_s - 86_400 * (HISTORY_DAYS + 1), now_s, limit=100_000)
            assert all(c.arrived_s < now_s and c.agent in agents | {""} for c in calls)
            assert any(c.survey_score is not None for c in calls)
        finally:
            await store.close()

    asyncio.run(main())


def test_demo_history_has_callers_served_by_the_waybill_self_service_each_working_day(
    tmp_path: Path,
) -> None:
    setup = demo_setup(waybill_self_service=True)
    now_s = time.time()
    today = dt.datetime.fromtimestamp(now_s, ZoneInfo(setup.hours.timezone)).date()

    async def main() -> None:
        store = await Store.open(tmp_path / "demo.db")
        try:
            await seed_history(store, setup, now_s, days=7)
            reports = DepotReports(store, timezone=setup.hours.timezone, sl_threshold_s=20.0)
            days = await reports.by_day(today - dt.timedelta(days=1), 7, now_s)
            served = {d.day.weekday(): d.self_served for d in days}
            # Monday to Saturday, the depot's working days: some callers heard their waybill
            assert all(served[weekday] > 0 for weekday in range(6)), served
            assert served[6] == 0
            figures = await reports.report(today - dt.timedelta(days=1), 7, now_s)
            assert [(queue, f.self_served > 0) for queue, f in figures.by_queue] == [
                ("cargo", True),
                ("complaints", False),
                ("orders", False),
            ]
        finally:
            await store.close()

    asyncio.run(main())
