"""`depotline demo` shows the 货物查询 self-service loop: its callers key waybill numbers from
the demo's tracking export; some hear the status and hang up (self_served), others key an
unknown number or press 0 and reach an agent with the waybill keyed."""

from __future__ import annotations

import json
import signal
import string
from pathlib import Path

from depot_db import check_records_agree, count, free_port, query, start_demo, wait_until

from appliance import seed

SELF_SERVED = "SELECT count(*) FROM calls WHERE end_reason = 'self_served'"
# calls that keyed a waybill and were answered by an agent
AGENT_BOUND = """SELECT calls.call_id, calls.agent, queue_log.data FROM calls
    JOIN queue_log ON queue_log.call_id = calls.call_id AND queue_log.verb = 'WAYBILL'
    WHERE calls.end_reason = 'answered' AND calls.agent != ''"""


def keyed(db: Path, sql: str) -> list[tuple[str, str, str]]:
    """(call, agent, waybill result) for the calls `sql` picks, with their keyed waybill."""
    return [
        (str(call_id), str(agent), json.loads(str(data))[1])
        for call_id, agent, data in query(db, sql)
    ]


def test_demo_callers_key_waybills_some_self_served_others_reach_an_agent_with_it(
    tmp_path: Path,
) -> None:
    db = tmp_path / "demo.db"
    log = tmp_path / "demo.log"
    daemon = start_demo(
        db, log, "--speed", "50", "--port", str(free_port()), "--calls-per-hour", "300"
    )
    try:
        wait_until(
            lambda: (
                count(db, SELF_SERVED) >= 2
                and {result for _c, _a, result in keyed(db, AGENT_BOUND)} >= {"found", "unknown"}
            ),
            "self-served calls, and calls put through to an agent with a found and an unknown"
            " waybill",
            daemon,
            timeout_s=120.0,
        )
    finally:
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=30) == 0, log.read_text()
    check_records_agree(db)
    seeded_digits = {number.lstrip(string.ascii_letters) for number in seed.DEMO_WAYBILLS}
    served = query(
        db,
        """SELECT calls.call_id, queue_log.queue, calls.agent, queue_log.data FROM calls
        JOIN queue_log ON queue_log.call_id = calls.call_id AND queue_log.verb = 'WAYBILL'
        WHERE calls.end_reason = 'self_served'""",
    )
    assert len(served) >= 2
    for call_id, queue, agent, data in served:
        number, result = json.loads(str(data))
        # a number from the seeded tracking export, found in 货物查询 and read back; no agent
        # was rung
        assert (number in seeded_digits, result, queue, agent) == (True, "found", "cargo", "")
        assert count(db, "SELECT count(*) FROM queue_log WHERE call_id = ? AND verb IN"
                     " ('ENTERQUEUE', 'CONNECT')", call_id) == 0  # fmt: skip
    for call_id, agent, _result in keyed(db, AGENT_BOUND):
        ((number, result),) = [
            json.loads(str(data))
            for (data,) in query(
                db, "SELECT data FROM queue_log WHERE call_id = ? AND verb = 'WAYBILL'", call_id
            )
        ]
        # a found number went to an agent because the caller pressed 0, an unknown one at once
        assert (number in seeded_digits) == (result == "found")
        connects = query(
            db, "SELECT agent FROM queue_log WHERE call_id = ? AND verb = 'CONNECT'", call_id
        )
        assert (agent,) in connects
