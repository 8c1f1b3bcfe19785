"""Reports put together from kept days (each finished day's sums and end state) give the
figures of folding the whole log, for today, for past periods and for each day, also after a
restart, which then reads only today's log."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

from many_days import DAYS, FIRST_DAY, NOW_S, START_S, ZONE, many_days_log

from appliance.desk.reports import REPORT_SETTLE_S, DepotReports, ReportCache, report_days_key
from appliance.engine.records import QueueLogEntry
from appliance.engine.views import AgentState
from appliance.stats.figures import AgentFigures, Figures
from appliance.store import Store

THRESHOLD_S = 20.0
LAST_DAY = FIRST_DAY + dt.timedelta(days=DAYS - 1)


def rounded(value: object) -> object:
    """A figure set with floats rounded: kept days add the same seconds in another order."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return tuple(rounded(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, tuple | list):
        return tuple(rounded(item) for item in value)
    if isinstance(value, float):
        return round(value, 6)
    return value


def without_state(agent: AgentFigures) -> AgentFigures:
    return dataclasses.replace(agent, state=AgentState.LOGGED_OUT)


def whole_fold(log: list[QueueLogEntry], until_s: float) -> Figures:
    figures = Figures(timezone=ZONE, sl_threshold_s=THRESHOLD_S)
    figures.fold_all(entry for entry in log if entry.time_s < until_s)
    return figures


def start_of(day: dt.date) -> float:
    return Figures(timezone=ZONE).calendar.start_of(day)


def test_kept_days_add_up_to_the_whole_log() -> None:
    log = many_days_log()
    kept: list[dict[str, object]] = []
    figures = Figures(timezone=ZONE, sl_threshold_s=THRESHOLD_S)
    for n in range(DAYS - 1):
        day_end_s = start_of(FIRST_DAY + dt.timedelta(days=n + 1))
        figures.fold_all(e for e in log if start_of(FIRST_DAY) + 0 <= e.time_s < day_end_s
                         and e.time_s >= day_end_s - 86_400.0)  # fmt: skip
        state = json.loads(json.dumps(figures.state_at(day_end_s)))
        kept.append(json.loads(json.dumps(figures.sums())))
        figures = Figures(timezone=ZONE, sl_threshold_s=THRESHOLD_S)
        figures.resume(state)  # the next day starts from the kept state alone
    figures.fold_all(e for e in log if e.time_s >= start_of(LAST_DAY))
    assembled = Figures(timezone=ZONE, sl_threshold_s=THRESHOLD_S)
    for sums in kept:
        assembled.add_sums(sums, FIRST_DAY, LAST_DAY)
    assembled.add_sums(figures.sums(), FIRST_DAY, LAST_DAY)
    assembled.share_state(figures)
    whole = whole_fold(log, NOW_S)
    expected = whole.report(NOW_S, since_s=START_S)
    assert expected.totals.offered > 300 and expected.totals.answered > 150
    assert rounded(assembled.report(NOW_S, since_s=START_S)) == rounded(expected)
    assert rounded(assembled.wallboard(NOW_S)) == rounded(whole.wallboard(NOW_S))


class CountingStore(Store):
    """The real store, counting the queue-log entries read (to see what a report folds)."""

    entries_read = 0

    async def iter_queue_log(
        self, since_s: float, until_s: float | None = None, *, batch: int = 10_000
    ) -> AsyncIterator[list[QueueLogEntry]]:
        async for entries in super().iter_queue_log(since_s, until_s, batch=batch):
            CountingStore.entries_read += len(entries)
            yield entries


async def open_store(path: Path) -> CountingStore:
    opened = await Store.open(path)
    store = CountingStore(opened.path, opened._writer, opened._reader)
    return store


def test_reports_from_kept_days_equal_the_whole_fold_also_after_a_restart(
    tmp_path: Path,
) -> None:
    log = many_days_log()
    whole = whole_fold(log, NOW_S - REPORT_SETTLE_S)

    async def scenario() -> None:
        store = await open_store(tmp_path / "depot.db")
        try:
            await store.record(log)
            reports = DepotReports(store, timezone=ZONE, sl_threshold_s=THRESHOLD_S)
            await reports.prepare(NOW_S)
            report = await reports.report(LAST_DAY, DAYS, NOW_S)
            assert rounded(report) == rounded(whole.report(NOW_S - 0.001, since_s=START_S))
            by_day = await reports.by_day(LAST_DAY, DAYS, NOW_S)
            assert [d.day for d in by_day] == [
                FIRST_DAY + dt.timedelta(days=n) for n in range(DAYS)
            ]
            for day in by_day:
                end_s = min(NOW_S - 0.001, start_of(day.day + dt.timedelta(days=1)) - 0.001)
                totals = whole.report(end_s, since_s=start_of(day.day)).totals
                assert (day.offered, day.answered, day.abandoned) == (
                    totals.offered, totals.answered, totals.abandoned,
                )  # fmt: skip
                assert day.service_level == totals.service_level

            # a past period counts calls offered on its last day and answered after midnight
            last = FIRST_DAY + dt.timedelta(days=2)
            past = await reports.report(last, 2, NOW_S)
            after = whole_fold(log, start_of(last + dt.timedelta(days=2)))
            expected = after.report(start_of(last + dt.timedelta(days=1)) - 0.001,
                                    since_s=start_of(last - dt.timedelta(days=1)))  # fmt: skip
            for name in ("totals", "by_queue", "by_hour", "by_day", "occupancy"):
                assert rounded(getattr(past, name)) == rounded(getattr(expected, name)), name
            # each agent's work in the period (the state an agent is in is the one at its end)
            assert rounded([without_state(a) for a in past.by_agent]) == rounded(
                [without_state(a) for a in expected.by_agent]
            )
            assert sum(a.logged_in_s for a in past.by_agent) > 3600.0

            # after a restart the kept days are read back: only today's log is folded
            CountingStore.entries_read = 0
            restarted = DepotReports(
                store, timezone=ZONE, sl_threshold_s=THRESHOLD_S, cache=ReportCache()
            )
            again = await restarted.report(LAST_DAY, DAYS, NOW_S)
            assert rounded(again) == rounded(report)
            today = [e for e in log if start_of(LAST_DAY) <= e.time_s < NOW_S - REPORT_SETTLE_S]
            assert CountingStore.entries_read == len(today)
        finally:
            await store.close()

    asyncio.run(scenario())


def test_kept_days_follow_the_settings_they_were_folded_with(tmp_path: Path) -> None:
    """Another service-level threshold folds the days again; the old ones are forgotten."""
    log = many_days_log()

    async def scenario() -> None:
        store = await open_store(tmp_path / "depot.db")
        try:
            await store.record(log)
            cache = ReportCache()
            for threshold_s in (20.0, 60.0):
                reports = DepotReports(
                    store, timezone=ZONE, sl_threshold_s=threshold_s, cache=cache
                )
                report = await reports.report(LAST_DAY, DAYS, NOW_S)
                figures = Figures(timezone=ZONE, sl_threshold_s=threshold_s)
                figures.fold_all(e for e in log if e.time_s < NOW_S - REPORT_SETTLE_S)
                expected = figures.report(NOW_S - 0.001, since_s=START_S)
                assert report.totals.service_level == expected.totals.service_level
        finally:
            await store.close()
        with sqlite3.connect(tmp_path / "depot.db") as connection:
            keys = {key for (key,) in connection.execute("SELECT key FROM report_days")}
        assert keys == {report_days_key(ZONE, 60.0)}

    asyncio.run(scenario())


def test_days_kept_while_the_clock_was_ahead_are_folded_again_when_it_goes_back(
    tmp_path: Path,
) -> None:
    """A Pi's clock two days ahead at boot (10:00 today) kept today and tomorrow as over; once
    the clock is set back, the calls that come after count in the report."""
    log = many_days_log()
    booted_s = start_of(LAST_DAY) + 10 * 3600.0
    before = [e for e in log if e.time_s < booted_s]
    later = [e for e in log if e.time_s >= booted_s]

    async def scenario() -> None:
        store = await open_store(tmp_path / "depot.db")
        try:
            await store.record(before)
            reports = DepotReports(store, timezone=ZONE, sl_threshold_s=THRESHOLD_S)
            await reports.prepare(booted_s + 2 * 86_400.0)  # today "over" by the clock ahead
            await store.record(later)  # the clock is right again; the calls come
            report = await reports.report(LAST_DAY, DAYS, NOW_S)
            whole = whole_fold(log, NOW_S - REPORT_SETTLE_S)
            assert rounded(report) == rounded(whole.report(NOW_S - 0.001, since_s=START_S))
        finally:
            await store.close()

    asyncio.run(scenario())
