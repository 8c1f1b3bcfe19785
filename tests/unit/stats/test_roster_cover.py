"""排班 arithmetic: shift cells, agents on shift per hour against those needed, logged-in spans."""

from __future__ import annotations

import datetime as dt

import pytest

from appliance.desk.reports import Staffing, StaffingHour
from appliance.desk.roster import cover_by_hour, logged_in_spans, parse_shifts, shifts_text
from appliance.engine.records import QueueLogEntry, Verb


def test_shift_cells_parse_split_shifts_days_off_and_midnight() -> None:
    assert parse_shifts("14:00-18:00，08:00-12:00") == ((480, 720), (840, 1080))
    assert parse_shifts(" 休 ") == () and parse_shifts("") == () and parse_shifts("off") == ()
    assert parse_shifts("20:00-24:00") == ((1200, 1440),)
    assert shifts_text(((480, 720), (840, 1080))) == "08:00-12:00 14:00-18:00"


@pytest.mark.parametrize(
    "text", ["8-17", "17:00-08:00", "08:00-12:00 11:00-13:00", "08:60-09:00", "00:00-24:01", "早班"]
)
def test_shift_cells_that_are_not_shifts_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_shifts(text)


def test_cover_counts_agents_on_shift_at_half_past_against_agents_needed() -> None:
    monday = dt.date(2026, 11, 30)
    days = tuple(monday + dt.timedelta(days=n) for n in range(7))
    shifts = {
        ("1001", monday): ((540, 1020),),  # 09:00-17:00
        ("1002", monday): ((480, 570),),  # 08:00-09:30: on shift at 09:30? no — ends at 09:30
        ("1002", days[1]): ((480, 600),),  # 08:00-10:00
    }
    # 09:00 needs 2 agents Monday to Saturday and nobody on Sunday (the depot's day off)
    needs = tuple(
        tuple(2 if hour == 9 and weekday < 6 else 0 for hour in range(24)) for weekday in range(7)
    )
    hours = (StaffingHour(9, 10.0, 240.0, 2, 0.85, 5.0),)
    staffing = Staffing(28, 20.0, 0.8, hours, needs)
    cover = {h.hour: h for h in cover_by_hour(shifts, days, staffing)}
    assert cover[9].needed == (2, 2, 2, 2, 2, 2, 0)
    assert cover[9].scheduled == (1, 1, 0, 0, 0, 0, 0)
    assert cover[9].short == (True,) * 6 + (False,)
    assert cover[8].needed == (0,) * 7 and cover[8].scheduled == (1, 1, 0, 0, 0, 0, 0)
    assert cover[8].short == (False,) * 7
    assert cover[16].scheduled[0] == 1 and cover[17].scheduled[0] == 0


def test_logged_in_spans_end_at_logoff_at_a_restart_and_at_now() -> None:
    def e(time_s: float, agent: str, verb: Verb) -> QueueLogEntry:
        return QueueLogEntry(time_s, "NONE", "NONE", agent, verb)

    entries = [
        e(100, "1001", Verb.AGENTLOGIN),
        e(150, "1001", Verb.AGENTLOGIN),  # a second login while logged in changes nothing
        e(200, "1001", Verb.AGENTLOGOFF),
        e(300, "1002", Verb.AGENTLOGIN),
        e(400, "", Verb.QUEUESTART),
        e(500, "1002", Verb.AGENTLOGIN),
        e(550, "1003", Verb.AGENTLOGOFF),  # a logoff without a login is no span
    ]
    assert logged_in_spans(entries, 900.0) == {
        "1001": [(100, 200)],
        "1002": [(300, 400), (500, 900.0)],
    }
