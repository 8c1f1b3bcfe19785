"""Reading a depotline database from outside the daemon (real SQLite on disk), and starting the
demo daemon as a subprocess, for the integration tests."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

WAIT_S = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_demo(db: Path, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    """`depotline demo` on a database, logging to a file (a pipe could fill up and block)."""
    with log.open("ab") as stderr:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "appliance.cli",
                "demo",
                "--no-console",
                "--history-days",  # these runs count the calls they take themselves
                "0",
                "--db",
                str(db),
                *extra,
            ],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


def wait_until(
    condition: Callable[[], bool],
    what: str,
    process: subprocess.Popen[bytes] | None = None,
    timeout_s: float = WAIT_S,
) -> None:
    """Poll until `condition()` holds; fail naming `what` (and say if the daemon died)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the daemon exited ({process.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(0.05)


def query(db: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    if not db.exists():
        return []
    connection = sqlite3.connect(db, timeout=10.0)
    try:
        return connection.execute(sql, args).fetchall()
    except sqlite3.OperationalError:
        return []  # the schema is not there yet
    finally:
        connection.close()


def count(db: Path, sql: str, *args: object) -> int:
    rows = query(db, sql, *args)
    return int(str(rows[0][0])) if rows else 0


def answered_calls(db: Path) -> int:
    return count(db, "SELECT count(*) FROM calls WHERE end_reason = 'answered'")


def check_records_agree(db: Path) -> None:
    """Every call whose HANGUP is in the queue log has its CDR, and the CDRs say what the log
    says: same end reason, same agent for the answered ones, one CDR per ended call."""
    hangups = {
        str(call_id): json.loads(str(data))[0]
        for call_id, data in query(db, "SELECT call_id, data FROM queue_log WHERE verb = 'HANGUP'")
    }
    records = {
        str(call_id): (str(reason), str(agent))
        for call_id, reason, agent in query(db, "SELECT call_id, end_reason, agent FROM calls")
    }
    missing = sorted(set(hangups) - set(records))
    assert not missing, f"calls with HANGUP logged but no CDR: {missing[:5]}"
    unlogged = sorted(set(records) - set(hangups))
    assert not unlogged, f"CDRs without a HANGUP in the queue log: {unlogged[:5]}"
    for call_id, reason in hangups.items():
        assert records[call_id][0] == reason, (
            f"{call_id}: log says {reason}, CDR {records[call_id]}"
        )
    connects = {
        str(call_id): str(agent)
        for call_id, agent in query(
            db, "SELECT call_id, agent FROM queue_log WHERE verb = 'CONNECT'"
        )
    }
    for call_id, (reason, agent) in records.items():
        if reason == "answered":
            assert connects.get(call_id) == agent, (
                f"{call_id}: answered by {agent}, log: {connects.get(call_id)}"
            )


def integrity(db: Path) -> str:
    connection = sqlite3.connect(db)
    try:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        connection.close()
