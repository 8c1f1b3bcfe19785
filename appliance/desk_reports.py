"""Reports for the web (S4) and staffing by Erlang C (S7), rebuilt from the queue log in the
store with the same reducer as the live figures, so a report and the wallboard agree."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass

from appliance.stats.erlang import agents_needed, erlang_c_prediction
from appliance.stats.figures import Figures, FigureSet
from appliance.store import Fault, Store

PERIOD_DAYS = {"day": 1, "week": 7, "month": 30}
STAFFING_HISTORY_DAYS = 28


@dataclass(frozen=True, slots=True)
class DayFigures:
    day: dt.date
    offered: int
    answered: int
    abandoned: int
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


REPORT_SETTLE_S = 2.0  # entries younger than this may still be on their way to the disk
REPORTS_CACHED = 8


@dataclass
class _Folded:
    figures: Figures
    horizon_s: float  # every queue-log entry before this time is folded in


class ReportCache:
    """Folded reducers of recent reports, so asking again folds only what came since (the
    reducer is incremental: entries are folded in log order, once)."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.folded: dict[tuple[str, float, dt.date, dt.date], _Folded] = {}


class DepotReports:
    """Reports over whole local days of the depot's time zone."""

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

    def _figures(self) -> Figures:
        return Figures(timezone=self.timezone, sl_threshold_s=self.sl_threshold_s)

    def today(self, now_s: float) -> dt.date:
        return self._figures().calendar.day_of(now_s)

    def day_bounds(self, day: dt.date) -> tuple[float, float]:
        """When the local day starts and ends (epoch seconds)."""
        calendar = self._figures().calendar
        return calendar.start_of(day), calendar.start_of(day + dt.timedelta(days=1))

    async def report(self, last_day: dt.date, days: int, now_s: float) -> FigureSet:
        """Figures for `days` local days ending with `last_day` (up to now if it is today)."""
        first_day = last_day - dt.timedelta(days=days - 1)
        key = (self.timezone, self.sl_threshold_s, first_day, last_day)
        async with self._cache.lock:
            folded = self._cache.folded.pop(key, None)
            if folded is None:
                figures = self._figures()
                folded = _Folded(figures, figures.calendar.start_of(first_day))
            start_s = folded.figures.calendar.start_of(first_day)
            day_end_s = folded.figures.calendar.start_of(last_day + dt.timedelta(days=1))
            horizon_s = min(now_s - REPORT_SETTLE_S, day_end_s)
            if horizon_s > folded.horizon_s:
                async for entries in self._store.iter_queue_log(folded.horizon_s, horizon_s):
                    folded.figures.fold_all(entries)
                folded.horizon_s = horizon_s
            self._cache.folded[key] = folded
            while len(self._cache.folded) > REPORTS_CACHED:
                del self._cache.folded[next(iter(self._cache.folded))]
            as_of_s = max(start_s, min(now_s, day_end_s) - 0.001)
            return folded.figures.report(as_of_s, since_s=start_s)

    async def by_day(self, last_day: dt.date, days: int, now_s: float) -> list[DayFigures]:
        """Each day's service level, answer rate and counts over the period (the folded
        reducer of `report` keeps one bucket per day, so this folds nothing new)."""
        await self.report(last_day, days, now_s)
        first_day = last_day - dt.timedelta(days=days - 1)
        key = (self.timezone, self.sl_threshold_s, first_day, last_day)
        async with self._cache.lock:
            figures = self._cache.folded[key].figures
            result = []
            for n in range(days):
                day = first_day + dt.timedelta(days=n)
                start_s = figures.calendar.start_of(day)
                if start_s > now_s:
                    break
                end_s = figures.calendar.start_of(day + dt.timedelta(days=1))
                totals = figures.report(min(now_s, end_s - 0.001), since_s=start_s).totals
                result.append(
                    DayFigures(
                        day,
                        totals.offered,
                        totals.answered,
                        totals.abandoned,
                        totals.service_level,
                        totals.answer_rate,
                    )
                )
            return result

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
        last `days` whole days, the overall AHT, Erlang C for the service-level target."""
        today = self.today(now_s)
        history = await self.report(today - dt.timedelta(days=1), days, now_s)
        aht_s = history.totals.aht_s or 180.0
        hours = []
        for hour, figures in history.by_hour:
            calls_per_hour = figures.offered / days
            if calls_per_hour <= 0:
                hours.append(StaffingHour(hour, 0.0, aht_s, 0, None, None))
                continue
            agents = agents_needed(calls_per_hour, aht_s, self.sl_threshold_s, target)
            predicted = erlang_c_prediction(agents, calls_per_hour, aht_s, self.sl_threshold_s)
            hours.append(
                StaffingHour(
                    hour, calls_per_hour, aht_s, agents, predicted.service_level, predicted.asa_s
                )
            )
        return Staffing(days, self.sl_threshold_s, target, tuple(hours))
