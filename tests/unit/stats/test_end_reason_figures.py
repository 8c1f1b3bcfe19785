"""Figures rules of the true end reasons (issue 12, findings 3 and 8): a call the box cut short
is not an abandon and stays out of the rates; callers sent on after the maximum wait count in
the service level; the longest wait keeps a caller's first entry across overflow; a caller put
back after a phone fault counts once."""

from __future__ import annotations

from test_figures import T0, answered_call, entry, folded

from appliance.engine.records import Verb


def interrupted_call(call: str, enter_s: float, wait_s: float, reason: str) -> list[object]:
    return [
        entry(enter_s - 10, call, "NONE", "NONE", Verb.INBOUND, "139", ""),
        entry(enter_s, call, "cargo", "NONE", Verb.ENTERQUEUE, "", "139", "0"),
        entry(enter_s + wait_s, call, "cargo", "NONE", Verb.EXITINTERRUPTED, reason, 1, 1, wait_s),
        entry(enter_s + wait_s, call, "cargo", "NONE", Verb.HANGUP, reason),
    ]


def test_call_cut_by_box_not_abandoned_and_out_of_answer_rate() -> None:
    log = answered_call("a", "1001", 100, 10, 100, 20)
    log += interrupted_call("b", 300, 40, "line_fault")
    log += interrupted_call("c", 400, 40, "box_shutdown")
    figures = folded(sorted(log, key=lambda e: e.time_s))  # type: ignore[arg-type, attr-defined]
    totals = figures.report(T0 + 1000).totals
    assert totals.offered == 3
    assert totals.abandoned == 0
    assert totals.interrupted == 2
    assert totals.answer_rate == 1.0
    assert totals.abandon_rate == 0.0
    assert totals.service_level == 1.0
