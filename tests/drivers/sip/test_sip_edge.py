"""Strict parsing at the SIP edge (the pjsua2 source build's strict-edge patch): malformed
requests get 400 or 413 and a log line naming where they came from; none is answered 200 or
becomes a call."""

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
    }
    assert result["events"] == []
    assert result["refusals_logged"] == 7
