"""The hours in which customers may be called back (避免在客户休息时打扰): minute-of-day ranges
in the depot's time zone; outside them the desk says when calling may start again."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

DEFAULT_CALLING_WINDOW = ((9 * 60, 12 * 60), (14 * 60, 20 * 60))


def next_opening_s(
    now_s: float, timezone: str, window: tuple[tuple[int, int], ...]
) -> float | None:
    """None while calling is allowed now; otherwise when it next is (today or a later day).
    An empty window never closes."""
    if not window:
        return None
    zone = ZoneInfo(timezone)
    now = dt.datetime.fromtimestamp(now_s, zone)
    minute = now.hour * 60 + now.minute
    if any(start <= minute < end for start, end in window):
        return None
    midnight = dt.datetime.combine(now.date(), dt.time(), zone)
    for day in (0, 1):
        for start, _end in window:
            opening = midnight + dt.timedelta(days=day, minutes=start)
            if opening > now:
                return opening.timestamp()
    raise AssertionError("a window opens within a day")


def end_of_day_s(now_s: float, timezone: str) -> float:
    """The coming midnight in the depot's time zone: tasks due before it are today's."""
    zone = ZoneInfo(timezone)
    today = dt.datetime.fromtimestamp(now_s, zone).date()
    return dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), zone).timestamp()
