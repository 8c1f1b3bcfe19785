"""Calendar periods of the depot's time zone — a day, a Monday–Sunday week, a calendar month,
the month so far — as local days and epoch-second bounds, and the period a page's query names."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from appliance.desk.forms import FormError
from appliance.stats.calendar import DepotCalendar


@dataclass(frozen=True, slots=True)
class Period:
    """[start_s, end_s) of local days first_day … last_day; `key` names it (2026-12, 2026-W49)."""

    kind: str  # "month" or "week"
    key: str
    first_day: dt.date
    last_day: dt.date
    start_s: float
    end_s: float


def month_of(day: dt.date, timezone: str) -> Period:
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return _period("month", first.strftime("%Y-%m"), first, following, timezone)


def week_of(day: dt.date, timezone: str) -> Period:
    monday = day - dt.timedelta(days=day.weekday())
    year, week, _ = monday.isocalendar()
    return _period("week", f"{year}-W{week:02d}", monday, monday + dt.timedelta(days=7), timezone)


def _period(kind: str, key: str, first: dt.date, following: dt.date, timezone: str) -> Period:
    calendar = DepotCalendar(timezone)
    return Period(
        kind,
        key,
        first,
        following - dt.timedelta(days=1),
        calendar.start_of(first),
        calendar.start_of(following),
    )


def days_of(first: dt.date, last: dt.date, timezone: str) -> Period:
    """The local days first … last as one period (a report's)."""
    return _period(
        "days",
        f"{first.isoformat()}/{last.isoformat()}",
        first,
        last + dt.timedelta(days=1),
        timezone,
    )


def today(now_s: float, timezone: str) -> dt.date:
    return DepotCalendar(timezone).day_of(now_s)


def month_named(text: str, now_s: float, timezone: str) -> Period:
    """The month a page asks for (`2026-12`), this month when empty."""
    if not text:
        return month_of(today(now_s, timezone), timezone)
    try:
        first = dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise FormError("month", "invalid") from None
    return month_of(first, timezone)


def day_named(text: str, now_s: float, timezone: str) -> dt.date:
    """The day a page asks for (`2026-12-07`), today when empty."""
    if not text:
        return today(now_s, timezone)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise FormError("day", "invalid") from None


REPORT_PERIODS = ("day", "week", "month", "month_to_date")


def report_days(period: str, day: dt.date, timezone: str, now_s: float) -> tuple[dt.date, dt.date]:
    """First and last local day of the report period holding `day`; never past today."""
    if period == "week":
        week = week_of(day, timezone)
        first, last = week.first_day, week.last_day
    elif period == "month":
        month = month_of(day, timezone)
        first, last = month.first_day, month.last_day
    elif period == "month_to_date":
        first, last = day.replace(day=1), day
    else:
        first, last = day, day
    return first, min(last, max(first, today(now_s, timezone)))
