"""Strict parsing at the SIP edge (the pjsua2 source build's strict-edge patch): malformed
requests get 400 or 413 and a log line naming where they came from; none is answered 200 or
becomes a call. Then the same edge fed Hypothesis' mutated requests (drivers/sip/edge_fuzz.py)."""

from __future__ import annotations

from typing import Any

from sip_peers import run_scenario


def test_sip_malformed_invites_get_400_or_413_logged_with_source_and_no_call() -> None:
    result: Any = run_scenario("malformed_requests_refused")
    assert result["statuses"] == {
        "content_length_500_too_long": 400,
        "cut_off_before_blank_line": 400,
        "cut_off_in_a_header": 400,
        "max_forwards_not_a_number": 400,
        "headers_9_kb": 413,
        "headers_60_kb": 413,
        "cseq_method_mismatch": 400,
        "call_id_twice": 400,
        "cseq_twice": 400,
        "from_twice": 400,
    }
    assert result["events"] == []
    # one log line per request, in order, naming its source and the status it got
    assert result["refusals_logged"] == list(result["statuses"].values())


def test_sip_edge_fuzzed_requests_never_accepted_always_well_answered_calls_still_arrive() -> None:
    """Hypothesis' requests (edge_fuzz.py): the stack never aborts (the scenario's process
    exits 0), no malformed request gets 1xx or 2xx, every answer is a well-formed response, an
    OPTIONS after each is answered 200, no call arrives and no agent's phone is touched, and a
    well-formed INVITE afterwards still becomes a call."""
    result: Any = run_scenario("fuzzed_requests", timeout_s=120)
    assert result["requests"] >= 2000
