"""Figures for a caller an agent transferred to another queue (TRANSFER, context "queue"):
one call in the totals, a new caller of the target queue, the longest wait from the first
entry."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from appliance.engine.records import QueueLogEntry, Verb
from appliance.stats.figures import Figures

ZONE = "Asia/Shanghai"
T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo(ZONE)).timestamp()


def entry(at_s: float, queue: str, agent: str, verb: Verb, *data: object) -> QueueLogEntry:
    return QueueLogEntry(T0 + at_s, "c1", queue, agent, verb, tuple(str(d) for d in data))


TRANSFERRED = [
    entry(0, "cargo", "NONE", Verb.ENTERQUEUE, "", "138", "0"),
    entry(10, "cargo", "1001", Verb.CONNECT, "10.000", "", "2"),
    entry(40, "cargo", "1001", Verb.TRANSFER, "orders", "queue", "10.000", "30.000"),
    entry(40, "orders", "NONE", Verb.ENTERQUEUE, "", "138", "0"),
]


def folded(log: list[QueueLogEntry]) -> Figures:
    figures = Figures(timezone=ZONE)
    figures.fold_all(log)
    return figures


def test_transferred_caller_waits_in_new_queue_from_their_first_entry() -> None:
    board = folded(TRANSFERRED).wallboard(T0 + 50)
    assert board.calls_waiting == 1
    assert board.longest_wait_s == pytest.approx(50)


def test_transferred_caller_answered_again_counts_once_in_totals_and_in_each_queue() -> None:
    figures = folded([*TRANSFERRED, entry(65, "orders", "1003", Verb.CONNECT, "25.000", "", "3")])
    report = figures.report(T0 + 70)
    assert (report.totals.offered, report.totals.answered) == (1, 1)
    queues = dict(report.by_queue)
    assert (queues["cargo"].offered, queues["cargo"].answered) == (1, 1)
    assert (queues["orders"].offered, queues["orders"].answered) == (1, 1)
    assert queues["orders"].asa_s == 25.0  # the new queue's own wait
    assert figures.wallboard(T0 + 70).calls_waiting == 0


def test_transferred_caller_hanging_up_in_line_is_an_abandon_of_that_queue_only() -> None:
    figures = folded([*TRANSFERRED, entry(52, "orders", "NONE", Verb.ABANDON, 1, 1, "12.000")])
    report = figures.report(T0 + 60)
    assert (report.totals.answered, report.totals.abandoned) == (1, 0)
    assert dict(report.by_queue)["orders"].abandoned == 1


def test_transferred_caller_state_survives_a_kept_state() -> None:
    figures = folded(TRANSFERRED)
    resumed = Figures(timezone=ZONE)
    resumed.resume(json.loads(json.dumps(figures.state_at(T0 + 45))))
    resumed.fold(entry(65, "orders", "1003", Verb.CONNECT, "25.000", "", "3"))
    assert dict(resumed.report(T0 + 70).by_queue)["orders"].answered == 1
