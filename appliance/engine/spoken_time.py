"""A waybill's update time as prompt pieces, the way each language says it: Mandarin
"十二月六日十五点五分", English "at three oh five p.m. today"."""

from __future__ import annotations

import datetime as dt

from appliance.engine.prompts import number_prompts


def time_prompts(when: dt.datetime, today: dt.date, language: str) -> tuple[str, ...]:
    """The pieces that say `when` (local time) to a caller whose local date is `today`."""
    if language == "en":
        return (*_english_clock(when), *_english_date(when.date(), today))
    return (
        *number_prompts(when.month, language),
        "time_month",
        *number_prompts(when.day, language),
        "time_day",
        *number_prompts(when.hour, language),
        "time_hour",
        *number_prompts(when.minute, language),
        "time_minute",
    )


def _english_clock(when: dt.datetime) -> tuple[str, ...]:
    """The clock: at midnight, at noon, at three p.m., at twelve oh five a.m."""
    if when.minute == 0 and when.hour in (0, 12):
        return ("time_at", "time_midnight" if when.hour == 0 else "time_noon")
    hour = when.hour % 12 or 12
    minute: tuple[str, ...] = ()
    if 0 < when.minute < 10:
        minute = ("time_oh", *number_prompts(when.minute, "en"))
    elif when.minute:
        minute = number_prompts(when.minute, "en")
    return (
        "time_at",
        *number_prompts(hour, "en"),
        *minute,
        "time_am" if when.hour < 12 else "time_pm",
    )


def _english_date(day: dt.date, today: dt.date) -> tuple[str, ...]:
    """The day: today, yesterday, or on the sixth of December."""
    if day == today:
        return ("date_today",)
    if day == today - dt.timedelta(days=1):
        return ("date_yesterday",)
    return ("date_on_the", *ordinal_prompts(day.day), "date_of", f"month_{day.month}")


def ordinal_prompts(n: int) -> tuple[str, ...]:
    """A day of the month (1–31) as ordinal pieces: "ord_21" is "twenty" + "first"."""
    if n < 20 or n % 10 == 0:
        return (f"ord_{n}",)
    return (f"num_{n - n % 10}", f"ord_{n % 10}")
