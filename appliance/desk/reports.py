"""Reports for the web (S4) and staffing by Erlang C (S7), rebuilt from the queue log in the
store with the same reducer as the live figures, so a report and the wallboard agree."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass

from appliance.stats.erlang import agents_needed, erlang_c_prediction
from appliance.stats.figures import SUMS_VERSION, Figures, FigureSet
from appliance.store import Fault, ReportDay, Store

log = logging.getLogger(__name__)

PERIOD_DAYS = {"day": 1, "week": 7, "month": 30}
STAFFING_HISTORY_DAYS = 28
FOLD_BATCH = 500  # entries folded between two awaits (~10 ms): the engine's events wait no longer


@dataclass(frozen=True, slots=True)
class DayFigures:
    day: dt.date
    offered: int
    answered: int
    abandoned: int
    self_served: int  # by the keypad waybill self-service, never offered
    service_level: float | None
    answer_rate: float | None


@dataclass(frozen=True, slots=True)
class StaffingHour:
    """Agents needed in one hour of the day for the target, from the box's own history."""

    hour: int
    calls_per_hour: float  # mean offered calls in this hour over the history's days
    aht_s: float
    agents: int  # 0 when no calls come in this hour
    service_level: float | None  # predicted with `agents`
    asa_s: float | None


@dataclass(frozen=True, slots=True)
class Staffing:
    days: int  # how many days of history the means come from
    sl_threshold_s: float
    target: float
    hours: tuple[StaffingHour, ...]
    # agents needed by hour, Monday first, from that weekday's days of the history only: a
    # weekday nobody calls on (the depot's day off) needs nobody
    by_weekday: tuple[tuple[int, ...], ...]


REPORT_SETTLE_S = 2.0  # entries younger than this may still be on their way to the disk
CLOCK_BACK_TOLERANCE_S = 60.0  # the clock going back more than this since the last asking
PREPARE_DAYS = 35  # kept ready from the start: a monthly report and the staffing history
WARM_UP_S = 2 * 86_400.0  # with no daemon start found before a day, who was logged in and
# which calls were going on is learnt from this much of the log before it


def report_days_key(timezone: str, sl_threshold_s: float) -> str:
    """What kept days were folded with: rows with another key are folded again."""
    return f"{timezone} sl={sl_threshold_s:g}s sums=v{SUMS_VERSION}"


@dataclass
class _Live:
    """The days not kept yet, folded as far as `horizon_s`: `figures` holds what is going on
    now and what folding since the start of `first_day` added."""

    key: str
    figures: Figures
    first_day: dt.date
    horizon_s: float
    folded: int = 0  # entries folded, so an unchanged report is not put together twice


@dataclass
class _Assembled:
    key: tuple[str, dt.date, dt.date, int, int]
    figures: Figures
    start_s: float
    as_of_s: float


class ReportCache:
    """What the reports of one daemon share: today's reducer and the last report put
    together (reports over past days add up kept days, appliance/store/report_days.py)."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.live: _Live | None = None
        self.assembled: _Assembled | None = None


class DepotReports:
    """Reports over whole local days of the depot's time zone. Every finished day is kept in
    the store as its figure sums and end state, so a report over a month adds up kept days
    and folds only today's queue log."""

    def __init__(
        self,
        store: Store,
        *,
        timezone: str,
        sl_threshold_s: float,
        cache: ReportCache | None = None,
    ) -> None:
        self._store = store
        self.timezone = timezone
        self.sl_threshold_s = sl_threshold_s
        self._cache = cache if cache is not None else ReportCache()
        self.key = report_days_key(timezone, sl_threshold_s)

    def _figures(self) -> Figures:
        return Figures(timezone=self.timezone, sl_threshold_s=self.sl_threshold_s)

    def today(self, now_s: float) -> dt.date:
        return self._figures().calendar.day_of(now_s)

    def day_bounds(self, day: dt.date) -> tuple[float, float]:
        """When the local day starts and ends (epoch seconds)."""
        calendar = self._figures().calendar
        return calendar.start_of(day), calendar.start_of(day + dt.timedelta(days=1))

    async def prepare(self, now_s: float) -> None:
        """Keep every finished day of the last PREPARE_DAYS not kept yet and fold today, so
        the first report is quick (the desk runs this in the background every minute)."""
        async with self._cache.lock:
            await self._bring_up_to(now_s)

    async def report(self, last_day: dt.date, days: int, now_s: float) -> FigureSet:
        """Figures for `days` local days ending with `last_day` (up to now if it is today)."""
        async with self._cache.lock:
            assembled = await self._assemble(last_day, days, now_s)
            return assembled.figures.report(assembled.as_of_s, since_s=assembled.start_s)

    async def by_day(self, last_day: dt.date, days: int, now_s: float) -> list[DayFigures]:
        """Each day's service level, answer rate and counts over the period."""
        return [
            DayFigures(
                day,
                day_figures.totals.offered,
                day_figures.totals.answered,
                day_figures.totals.abandoned,
                day_figures.totals.self_served,
                day_figures.totals.service_level,
                day_figures.totals.answer_rate,
            )
            for day, day_figures in await self._each_day(last_day, days, now_s)
        ]

    async def _each_day(
        self, last_day: dt.date, days: int, now_s: float
    ) -> list[tuple[dt.date, FigureSet]]:
        """The figures of each day of the period up to now, on its own."""
        async with self._cache.lock:
            assembled = await self._assemble(last_day, days, now_s)
        figures = assembled.figures
        first_day = last_day - dt.timedelta(days=days - 1)
        result = []
        for n in range(days):
            day = first_day + dt.timedelta(days=n)
            start_s = figures.calendar.start_of(day)
            if start_s > now_s:
                break
            end_s = figures.calendar.start_of(day + dt.timedelta(days=1))
            result.append((day, figures.report(min(now_s, end_s - 0.001), since_s=start_s)))
        return result

    # -- putting a report together ---------------------------------------------------------------

    async def _assemble(self, last_day: dt.date, days: int, now_s: float) -> _Assembled:
        """Kept days of the period added up, with today's sums and what is going on now (or,
        for a period in the past, at its end). Call with the cache's lock held."""
        live = await self._bring_up_to(now_s)
        first_day = last_day - dt.timedelta(days=days - 1)
        one_day = dt.timedelta(days=1)
        # a call offered before midnight and answered after it counts on the day it was
        # offered: the day after the period adds to it too
        kept_until = min(last_day + one_day, live.first_day - one_day)
        key = (self.key, first_day, last_day, live.folded, live.first_day.toordinal())
        cached = self._cache.assembled
        if cached is not None and cached.key == key:
            return cached
        await self._keep_missing(first_day, kept_until)
        figures = self._figures()
        kept = await self._store.report_days(self.key, first_day, kept_until)
        for day in kept:
            figures.add_sums(day.sums, first_day, last_day)
        if last_day >= live.first_day - one_day:
            figures.add_sums(live.figures.sums(), first_day, last_day)
        if last_day >= live.first_day:
            figures.share_state(live.figures)
        else:
            figures.resume(next(day.state for day in kept if day.day == last_day))
        start_s = figures.calendar.start_of(first_day)
        day_end_s = figures.calendar.start_of(last_day + one_day)
        as_of_s = max(start_s, min(now_s, day_end_s) - 0.001)
        assembled = _Assembled(key, figures, start_s, as_of_s)
        self._cache.assembled = assembled
        return assembled

    # -- keeping finished days ---------------------------------------------------------------

    async def _bring_up_to(self, now_s: float) -> _Live:
        """Keep each day that has ended since the last asking and fold today up to now."""
        live = self._cache.live
        horizon_s = now_s - REPORT_SETTLE_S
        if live is not None and horizon_s < live.horizon_s - CLOCK_BACK_TOLERANCE_S:
            # the clock was set back (a Pi's clock corrected after booting ahead): days kept
            # as over may still get calls; fold them again when they are over
            today = live.figures.calendar.day_of(now_s)
            log.warning(
                "the clock went back to %s: report days from then on are folded again", today
            )
            await self._store.forget_report_days_from(self.key, today)
            live = None
        if live is None or live.key != self.key:
            self._cache.live = None
            self._cache.assembled = None
            live = await self._resume(now_s)
        calendar = live.figures.calendar
        try:
            while True:
                day_end_s = calendar.start_of(live.first_day + dt.timedelta(days=1))
                until_s = min(horizon_s, day_end_s)
                if until_s > live.horizon_s:
                    live.folded += await self._fold(live.figures, live.horizon_s, until_s)
                    live.horizon_s = until_s
                if day_end_s > horizon_s:
                    break
                await self._keep(live.figures, live.first_day)
                live.first_day += dt.timedelta(days=1)
        except BaseException:
            # folded part of the way: start again from what is kept when next asked
            self._cache.live = None
            self._cache.assembled = None
            raise
        self._cache.live = live
        return live

    async def _resume(self, now_s: float) -> _Live:
        """Today's reducer from the newest kept day's end, or a fresh start PREPARE_DAYS back
        (the days in between are then kept as `_bring_up_to` passes them)."""
        figures = self._figures()
        calendar = figures.calendar
        yesterday = calendar.day_of(now_s - REPORT_SETTLE_S) - dt.timedelta(days=1)
        oldest = yesterday - dt.timedelta(days=PREPARE_DAYS - 1)
        await self._store.forget_report_days_except(self.key)
        kept = await self._store.report_days_kept(self.key, oldest, yesterday)
        first_day = max(kept) + dt.timedelta(days=1) if kept else oldest
        await self._start_at(figures, first_day)
        return _Live(self.key, figures, first_day, calendar.start_of(first_day))

    async def _start_at(self, figures: Figures, day: dt.date) -> None:
        """Put `figures` in the state at the start of `day`, with no sums: from the kept day
        before, or by folding the log from the last daemon start before it (then nothing
        older is still going on)."""
        before = day - dt.timedelta(days=1)
        kept = await self._store.report_days(self.key, before, before)
        if kept:
            figures.resume(kept[0].state)
            return
        start_s = figures.calendar.start_of(day)
        since_s = await self._store.last_start_s(start_s)
        if since_s is None or since_s < start_s - WARM_UP_S:
            since_s = start_s - WARM_UP_S
        await self._fold(figures, since_s, start_s)
        figures.state_at(start_s)
        figures.clear_sums()

    async def _keep_missing(self, first_day: dt.date, last_day: dt.date) -> None:
        """Fold and keep the finished days of a period that are not kept (a period older than
        the days the daemon keeps ready: slow once, quick ever after)."""
        if last_day < first_day:
            return
        kept = await self._store.report_days_kept(self.key, first_day, last_day)
        day = first_day
        while day <= last_day:
            if day in kept:
                day += dt.timedelta(days=1)
                continue
            figures = self._figures()
            await self._start_at(figures, day)
            while day <= last_day and day not in kept:
                start_s = figures.calendar.start_of(day)
                end_s = figures.calendar.start_of(day + dt.timedelta(days=1))
                await self._fold(figures, start_s, end_s)
                await self._keep(figures, day)
                day += dt.timedelta(days=1)

    async def _keep(self, figures: Figures, day: dt.date) -> None:
        """Keep what folding `day` added and the state at its end; the sums start again."""
        end_s = figures.calendar.start_of(day + dt.timedelta(days=1))
        state = figures.state_at(end_s)
        await self._store.keep_report_day(self.key, ReportDay(day, figures.sums(), state))
        figures.clear_sums()

    async def _fold(self, figures: Figures, since_s: float, until_s: float) -> int:
        folded = 0
        async for entries in self._store.iter_queue_log(since_s, until_s, batch=FOLD_BATCH):
            figures.fold_all(entries)
            folded += len(entries)
        return folded

    async def faults(self, last_day: dt.date, days: int) -> list[Fault]:
        """Device faults that began in the period (故障统计)."""
        calendar = self._figures().calendar
        first_day = last_day - dt.timedelta(days=days - 1)
        return await self._store.faults(
            calendar.start_of(first_day), calendar.start_of(last_day + dt.timedelta(days=1))
        )

    async def staffing(
        self, now_s: float, *, target: float = 0.8, days: int = STAFFING_HISTORY_DAYS
    ) -> Staffing:
        """Agents needed per hour of the day: the mean offered calls of that hour over the
        last `days` whole days, the overall AHT, Erlang C for the service-level target; and
        the same for each weekday from the mean of that weekday's days."""
        last_day = self.today(now_s) - dt.timedelta(days=1)
        history = await self.report(last_day, days, now_s)
        aht_s = history.totals.aht_s or 180.0
        hours = tuple(
            self._staffing_hour(hour, figures.offered / days, aht_s, target)
            for hour, figures in history.by_hour
        )
        offered = [[0] * 24 for _weekday in range(7)]
        weekdays_seen = [0] * 7
        for day, figures in await self._each_day(last_day, days, now_s):
            weekdays_seen[day.weekday()] += 1
            for hour, by_hour in figures.by_hour:
                offered[day.weekday()][hour] += by_hour.offered
        by_weekday = tuple(
            tuple(
                self._staffing_hour(hour, calls / max(1, seen), aht_s, target).agents
                for hour, calls in enumerate(weekday)
            )
            for weekday, seen in zip(offered, weekdays_seen, strict=True)
        )
        return Staffing(days, self.sl_threshold_s, target, hours, by_weekday)

    def _staffing_hour(
        self, hour: int, calls_per_hour: float, aht_s: float, target: float
    ) -> StaffingHour:
        if calls_per_hour <= 0:
            return StaffingHour(hour, 0.0, aht_s, 0, None, None)
        agents = agents_needed(calls_per_hour, aht_s, self.sl_threshold_s, target)
        predicted = erlang_c_prediction(agents, calls_per_hour, aht_s, self.sl_threshold_s)
        return StaffingHour(
            hour, calls_per_hour, aht_s, agents, predicted.service_level, predicted.asa_s
        )
