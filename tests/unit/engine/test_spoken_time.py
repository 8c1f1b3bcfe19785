"""A waybill's update time read back in English as an English speaker says it ("at three oh
five p.m. today", "on the sixth of December"), in Mandarin as before (十二月六日十五点五分)."""

from __future__ import annotations

import datetime as dt

import pytest

from appliance.engine.prompts import PROMPT_TEXTS
from appliance.engine.spoken_time import time_prompts

TODAY = dt.date(2026, 12, 7)


def at(month: int, day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute)


def english(pieces: tuple[str, ...]) -> str:
    return " ".join(PROMPT_TEXTS[name][1] for name in pieces)


@pytest.mark.parametrize(
    ("when", "pieces", "said"),
    [
        (at(12, 7, 0, 0), ("time_at", "time_midnight", "date_today"), "at midnight today."),
        (at(12, 7, 12, 0), ("time_at", "time_noon", "date_today"), "at noon today."),
        (
            at(12, 7, 12, 5),
            ("time_at", "num_12", "time_oh", "num_5", "time_pm", "date_today"),
            "at twelve oh five p.m. today.",
        ),
        (
            at(12, 7, 0, 5),
            ("time_at", "num_12", "time_oh", "num_5", "time_am", "date_today"),
            "at twelve oh five a.m. today.",
        ),
        (
            at(12, 6, 15, 5),
            ("time_at", "num_3", "time_oh", "num_5", "time_pm", "date_yesterday"),
            "at three oh five p.m. yesterday.",
        ),
        (
            at(12, 7, 9, 0),
            ("time_at", "num_9", "time_am", "date_today"),
            "at nine a.m. today.",
        ),
        (
            at(12, 7, 21, 47),
            ("time_at", "num_9", "num_40", "num_7", "time_pm", "date_today"),
            "at nine forty seven p.m. today.",
        ),
        (
            at(12, 7, 8, 10),
            ("time_at", "num_8", "num_10", "time_am", "date_today"),
            "at eight ten a.m. today.",
        ),
    ],
)
def test_english_time_of_today_and_yesterday_reads_like_a_clock(
    when: dt.datetime, pieces: tuple[str, ...], said: str
) -> None:
    assert time_prompts(when, TODAY, "en") == pieces
    assert english(pieces) == said


@pytest.mark.parametrize(
    ("when", "said"),
    [
        (at(11, 21, 18, 2), "at six oh two p.m. on the twenty first of November"),
        (at(12, 5, 16, 30), "at four thirty p.m. on the fifth of December"),
        (at(10, 30, 7, 15), "at seven fifteen a.m. on the thirtieth of October"),
        (at(9, 1, 0, 0), "at midnight on the first of September"),
        (at(8, 12, 12, 0), "at noon on the twelfth of August"),
        (at(1, 20, 10, 45), "at ten forty five a.m. on the twentieth of January"),
    ],
)
def test_english_time_of_another_day_says_the_day_and_the_month(
    when: dt.datetime, said: str
) -> None:
    assert english(time_prompts(when, TODAY, "en")) == said


def test_english_time_of_the_day_before_yesterday_is_not_yesterday() -> None:
    pieces = time_prompts(at(12, 5, 9, 0), TODAY, "en")
    assert pieces[-4:] == ("date_on_the", "ord_5", "date_of", "month_12")


def test_mandarin_time_is_month_day_hour_minute_whatever_the_day() -> None:
    assert time_prompts(at(12, 6, 15, 5), TODAY, "zh-CN") == (
        "num_12", "time_month", "num_6", "time_day",
        "num_15", "time_hour", "num_5", "time_minute",
    )  # fmt: skip
    assert time_prompts(at(12, 7, 0, 0), TODAY, "zh-CN") == (
        "num_12", "time_month", "num_7", "time_day", "num_0", "time_hour", "num_0", "time_minute",
    )  # fmt: skip
