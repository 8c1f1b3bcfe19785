"""Opening hours and the depot's calendar day, in the setup's time zone (zoneinfo is pure)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from appliance.engine.setup import OpeningHours


@lru_cache(maxsize=8)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_time(time_s: float, timezone: str) -> dt.datetime:
    return dt.datetime.fromtimestamp(time_s, zone(timezone))


def is_open(hours: OpeningHours, time_s: float) -> bool:
    """Open unless a holiday or outside every range of that weekday; `always_open` wins."""
    if hours.always_open:
        return True
    local = local_time(time_s, hours.timezone)
    if local.date() in hours.holidays:
        return False
    minute = local.hour * 60 + local.minute
    ranges = hours.weekly[local.weekday()] if local.weekday() < len(hours.weekly) else ()
    return any(start <= minute < end for start, end in ranges)


def next_close_s(hours: OpeningHours, time_s: float) -> float:
    """The next end of an opening range after `time_s` (infinity when always open). An end
    where another range begins is returned too: whoever asks checks is_open then."""
    if hours.always_open:
        return float("inf")
    tz = zone(hours.timezone)
    today = local_time(time_s, hours.timezone).date()
    for days_ahead in range(8):
        day = today + dt.timedelta(days=days_ahead)
        if day in hours.holidays or day.weekday() >= len(hours.weekly):
            continue
        for end in sorted(end for _start, end in hours.weekly[day.weekday()]):
            midnight = dt.datetime.combine(day, dt.time(), tz)
            close_s = (midnight + dt.timedelta(minutes=end)).timestamp()
            if close_s > time_s:
                return close_s
    return float("inf")


def next_midnight_s(time_s: float, timezone: str) -> float:
    """When the depot's next calendar day begins: "today" counters reset then."""
    local = local_time(time_s, timezone)
    tomorrow = local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, dt.time(), zone(timezone)).timestamp()
