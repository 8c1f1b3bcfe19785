"""Pause time by reason over a report period, from the queue log."""

from __future__ import annotations

from appliance.desk.period_report import pause_by_reason
from appliance.engine.records import QueueLogEntry, Verb


def e(time_s: float, agent: str, verb: Verb, *data: str) -> QueueLogEntry:
    return QueueLogEntry(time_s, "NONE", "NONE", agent, verb, data)


def test_pauses_are_cut_to_the_period_and_end_at_unpause_logoff_restart_or_new_reason() -> None:
    entries = [
        e(900, "A", Verb.PAUSE, "lunch"),  # began before the period: 1000–1100 counts
        e(1100, "A", Verb.UNPAUSE),
        e(1200, "C", Verb.PAUSE, "break"),
        e(1250, "", Verb.QUEUESTART),  # a restart ends C's pause
        e(1500, "B", Verb.PAUSE, "break"),
        e(1600, "B", Verb.PAUSE, "meeting"),  # another reason while paused
        e(1700, "B", Verb.AGENTLOGOFF, "pos2", "3600"),
        e(1900, "A", Verb.PAUSE, "training"),  # still paused when the period ends
        e(1950, "D", Verb.UNPAUSE),  # no pause to end
    ]
    assert pause_by_reason(entries, 1000.0, 2000.0) == {
        "break": 150.0,
        "lunch": 100.0,
        "meeting": 100.0,
        "training": 100.0,
    }
