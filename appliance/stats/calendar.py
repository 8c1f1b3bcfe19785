"""Local days and hours of the depot's time zone for epoch times, cached per day because the
reducer asks for every queue-log entry."""

from __future__ import annotations

import bisect
import datetime as dt
from zoneinfo import ZoneInfo


class DepotCalendar:
    """Maps epoch seconds to the depot's local date and hour of day (DST-correct: a day can
    have 23 or 25 hours; the repeated hour counts under its first hour number)."""

    def __init__(self, timezone: str) -> None:
        self.zone = ZoneInfo(timezone)
        self._day = dt.date(1970, 1, 1)
        self._start_s = 0.0
        self._end_s = -1.0
        self._hour_starts: list[float] = []
        self._hour_numbers: list[int] = []

    def day_of(self, time_s: float) -> dt.date:
        if not self._start_s <= time_s < self._end_s:
            self._load(time_s)
        return self._day

    def day_and_hour(self, time_s: float) -> tuple[dt.date, int]:
        if not self._start_s <= time_s < self._end_s:
            self._load(time_s)
        index = bisect.bisect_right(self._hour_starts, time_s) - 1
        return self._day, self._hour_numbers[index]

    def day_and_end(self, time_s: float) -> tuple[dt.date, float]:
        """The local date holding `time_s` and when that day ends (epoch seconds)."""
        if not self._start_s <= time_s < self._end_s:
            self._load(time_s)
        return self._day, self._end_s

    def start_of(self, day: dt.date) -> float:
        return dt.datetime.combine(day, dt.time(), self.zone).timestamp()

    def _load(self, time_s: float) -> None:
        day = dt.datetime.fromtimestamp(time_s, self.zone).date()
        start_s = self.start_of(day)
        end_s = self.start_of(day + dt.timedelta(days=1))
        starts: list[float] = []
        numbers: list[int] = []
        moment = start_s
        while moment < end_s:
            hour = dt.datetime.fromtimestamp(moment, self.zone).hour
            if not numbers or numbers[-1] != hour:
                starts.append(moment)
                numbers.append(hour)
            moment += 3600.0
        self._day, self._start_s, self._end_s = day, start_s, end_s
        self._hour_starts, self._hour_numbers = starts, numbers
