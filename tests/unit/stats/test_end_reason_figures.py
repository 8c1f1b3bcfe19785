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


def timed_out_call(call: str, enter_s: float, wait_s: float) -> list[object]:
    return [
        entry(enter_s - 10, call, "NONE", "NONE", Verb.INBOUND, "139", ""),
        entry(enter_s, call, "cargo", "NONE", Verb.ENTERQUEUE, "", "139", "0"),
        entry(enter_s + wait_s, call, "cargo", "NONE", Verb.EXITWITHTIMEOUT, 1, 1, wait_s),
        entry(enter_s + wait_s, call, "cargo", "NONE", Verb.OVERFLOW, "callback", ""),
        entry(enter_s + wait_s + 5, call, "cargo", "NONE", Verb.HANGUP, "overflowed"),
    ]


def test_callers_sent_on_after_max_wait_count_against_service_level() -> None:
    log = answered_call("a", "1001", 100, 10, 100, 20)
    for i in range(4):
        log += timed_out_call(f"t{i}", 200 + i * 10, 300)
    totals = folded(sorted(log, key=lambda e: e.time_s)).report(T0 + 2000).totals  # type: ignore[arg-type, attr-defined]
    assert (totals.offered, totals.answered, totals.timed_out) == (5, 1, 4)
    assert totals.answer_rate == 0.2
    assert totals.service_level == 0.2


def test_longest_wait_keeps_first_entry_across_overflow() -> None:
    log = [
        entry(0, "o", "NONE", "NONE", Verb.INBOUND, "139", ""),
        entry(0, "o", "cargo", "NONE", Verb.ENTERQUEUE, "", "139", "0"),
        entry(120, "o", "cargo", "NONE", Verb.EXITWITHTIMEOUT, 1, 1, 120),
        entry(120, "o", "cargo", "NONE", Verb.OVERFLOW, "queue", "orders"),
        entry(120, "o", "orders", "NONE", Verb.ENTERQUEUE, "", "139", "0"),
    ]
    figures = folded(log)  # type: ignore[arg-type]
    assert figures.wallboard(T0 + 130).longest_wait_s == 130.0


def test_caller_back_in_queue_after_phone_fault_who_hangs_up_counts_once() -> None:
    log = [
        entry(0, "r", "NONE", "NONE", Verb.INBOUND, "139", ""),
        entry(0, "r", "cargo", "NONE", Verb.ENTERQUEUE, "", "139", "0"),
        entry(5, "r", "cargo", "1001", Verb.CONNECT, 5, "", 1),
        entry(60, "r", "cargo", "1001", Verb.COMPLETEAGENT, 5, 55, 1),
        entry(60, "r", "cargo", "NONE", Verb.ENTERQUEUE, "", "139", "2"),
        entry(90, "r", "cargo", "NONE", Verb.ABANDON, 1, 1, 90),
        entry(90, "r", "cargo", "NONE", Verb.HANGUP, "answered"),
    ]
    totals = folded(log).report(T0 + 100).totals  # type: ignore[arg-type]
    assert (totals.offered, totals.answered, totals.abandoned) == (1, 1, 0)


def test_hang_up_in_overflow_prompt_moves_call_from_timed_out_to_abandoned() -> None:
    log = timed_out_call("v", 0, 120)[:-1]
    log += [
        entry(123, "v", "cargo", "NONE", Verb.ABANDON, 0, 1, 120),
        entry(123, "v", "cargo", "NONE", Verb.HANGUP, "abandoned_in_queue"),
    ]
    totals = folded(log).report(T0 + 200).totals  # type: ignore[arg-type]
    assert (totals.offered, totals.abandoned, totals.timed_out) == (1, 1, 0)
    assert totals.mean_abandon_wait_s == 120.0
