"""Opening hours in the depot's time zone, and the timer heap's cancellation."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from appliance.engine.hours import is_open, next_midnight_s
from appliance.engine.setup import OpeningHours
from appliance.engine.timers import TimerQueue

SHANGHAI = ZoneInfo("Asia/Shanghai")
NINE_TO_FIVE = (*(((9 * 60, 17 * 60),) for _ in range(5)), (), ())


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> float:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).timestamp()


def test_open_from_start_minute_until_before_end_minute() -> None:
    hours = OpeningHours(weekly=NINE_TO_FIVE)
    assert not is_open(hours, at(2025, 11, 24, 8, 59))
    assert is_open(hours, at(2025, 11, 24, 9, 0))
    assert is_open(hours, at(2025, 11, 24, 16, 59))
    assert not is_open(hours, at(2025, 11, 24, 17, 0))


def test_weekend_without_ranges_is_closed() -> None:
    assert not is_open(OpeningHours(weekly=NINE_TO_FIVE), at(2025, 11, 29, 12))


def test_hours_are_local_to_the_setup_time_zone() -> None:
    hours = OpeningHours(timezone="Europe/London", weekly=NINE_TO_FIVE)
    # 17:30 in Shanghai is 09:30 in London
    assert is_open(hours, at(2025, 11, 24, 17, 30))


def test_holiday_closes_a_weekday_and_always_open_wins() -> None:
    holiday = OpeningHours(weekly=NINE_TO_FIVE, holidays=(dt.date(2025, 11, 24),))
    assert not is_open(holiday, at(2025, 11, 24, 12))
    assert is_open(OpeningHours(always_open=True, holidays=holiday.holidays), at(2025, 11, 24, 3))


def test_next_midnight_is_local_midnight() -> None:
    assert next_midnight_s(at(2025, 11, 24, 23, 59), "Asia/Shanghai") == at(2025, 11, 25, 0)


def test_timer_queue_pops_in_time_order_and_skips_cancelled() -> None:
    timers = TimerQueue()
    late = timers.schedule(30.0, "b", "late")
    early = timers.schedule(10.0, "a", "early")
    timers.schedule(20.0, "c", "middle")
    timers.cancel(early)
    assert timers.next_due() == 20.0
    assert timers.pop_due(15.0) is None
    due = timers.pop_due(40.0)
    assert due is not None and due[3] == "middle"
    timers.cancel(late)
    assert timers.pop_due(40.0) is None
    assert timers.next_due() is None
