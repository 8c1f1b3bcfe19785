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


def next_midnight_s(time_s: float, timezone: str) -> float:
    """When the depot's next calendar day begins: "today" counters reset then."""
    local = local_time(time_s, timezone)
    tomorrow = local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, dt.time(), zone(timezone)).timestamp()
