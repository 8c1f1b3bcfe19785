"""Calls served by the 货物查询 keypad self-service count as self-served: not offered, not
abandoned, in no rate; one who asked for an agent after the read-back is an offered call."""

from __future__ import annotations

from test_figures import T0, answered_call, entry, folded

from appliance.engine.records import Verb


def self_served_call(call: str, at_s: float) -> list[object]:
    return [
        entry(at_s, call, "NONE", "NONE", Verb.INBOUND, "139", ""),
        entry(at_s + 15, call, "cargo", "NONE", Verb.WAYBILL, "8000123456", "found"),
        entry(at_s + 40, call, "NONE", "NONE", Verb.HANGUP, "self_served"),
    ]


def test_self_served_calls_counted_not_offered_nor_abandoned() -> None:
    log = answered_call("a", "1001", 100, 10, 100, 20)
    log += self_served_call("s1", 300)
    log += self_served_call("s2", 400)
    figures = folded(sorted(log, key=lambda e: e.time_s))  # type: ignore[arg-type, attr-defined]
    report = figures.report(T0 + 1000)
    assert report.totals.self_served == 2
    assert report.totals.offered == 1
    assert report.totals.abandoned == 0
    assert report.totals.answer_rate == 1.0
    assert dict(report.by_queue)["cargo"].self_served == 2


def test_waybill_caller_who_asked_for_agent_is_offered_not_self_served() -> None:
    log: list[object] = [
        entry(300, "w", "NONE", "NONE", Verb.INBOUND, "139", ""),
        entry(315, "w", "cargo", "NONE", Verb.WAYBILL, "8000123456", "unknown"),
        entry(320, "w", "cargo", "NONE", Verb.ENTERQUEUE, "", "139", "0"),
        entry(330, "w", "cargo", "NONE", Verb.ABANDON, 1, 1, 10),
        entry(330, "w", "cargo", "NONE", Verb.HANGUP, "abandoned_in_queue"),
    ]
    report = folded(log).report(T0 + 1000)  # type: ignore[arg-type]
    assert report.totals.self_served == 0
    assert report.totals.offered == 1
    assert report.totals.abandoned == 1
