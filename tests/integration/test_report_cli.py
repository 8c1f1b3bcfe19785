"""`depotline report --json` on hand-worked calls around March 2026 (Asia/Shanghai): calendar
month edges, a Monday–Sunday week across the month's end, a call offered before midnight and
answered after it, month so far, agent names beside 工号, satisfaction."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import aiosqlite
import pytest

from appliance.cli import main
from appliance.demo_history import PastCall, call_items
from appliance.engine.records import CallEnded, QueueLogEntry
from appliance.seed import demo_setup
from appliance.store import Role, Store

ZONE = ZoneInfo("Asia/Shanghai")


def _at(text: str) -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=ZONE).timestamp()


CALLS = (
    # call, arrival (the queue is entered 8 s later), agent ("" abandoned), wait s, survey
    ("x0", "2026-02-28 23:59:00", "1002", 5.0, 1),  # February
    ("x1", "2026-03-01 00:00:30", "1001", 5.0, 5),  # the month's first minute
    ("x2", "2026-03-15 12:00:00", "1001", 30.0, 4),  # answered, not within 20 s
    ("x3", "2026-03-20 10:00:00", "", 50.0, None),  # a long abandon
    ("x4", "2026-03-31 23:59:20", "1002", 40.0, 2),  # offered 23:59:28, answered 00:00:08
    ("x5", "2026-04-01 00:10:00", "1002", 5.0, 5),  # April, the same week (W14) as x4
)


async def _desk_work(connection: aiosqlite.Connection) -> None:
    """March: two complaints (one ticket closed in an hour, one left open) and a consultation;
    three 回访 tasks (done in 2 days, done in 4 days, left open); an outbound call."""
    for record_id, kind, created in (
        ("r1", "complaint", "2026-03-05 10:00"),
        ("r2", "complaint", "2026-03-25 10:00"),
        ("r3", "consultation", "2026-03-26 10:00"),
        ("r4", "complaint", "2026-04-02 10:00"),  # April
    ):
        await connection.execute(
            "INSERT INTO desk_records VALUES (?, ?, '', '1', '1001', ?, '[]')",
            (record_id, kind, _at(created)),
        )
    for ticket_id, record_id, category, department, created, closed in (
        ("t1", "r1", "damage", "cargo", "2026-03-05 10:00", "2026-03-05 11:00"),
        ("t2", "r2", "delay", "dispatch", "2026-03-25 10:00", None),
        ("t4", "r4", "delay", "dispatch", "2026-04-02 10:00", None),
    ):
        await connection.execute(
            "INSERT INTO tickets (ticket_id, record_id, number, category, department, created_s,"
            " status, closed_s) VALUES (?, ?, '1', ?, ?, ?, ?, ?)",
            (
                ticket_id,
                record_id,
                category,
                department,
                _at(created),
                "open" if closed is None else "closed",
                None if closed is None else _at(closed),
            ),
        )
    for task_id, created, done in (
        ("k1", "2026-03-10 09:00", "2026-03-12 09:00"),
        ("k2", "2026-03-11 09:00", "2026-03-15 09:00"),
        ("k3", "2026-03-12 09:00", None),
    ):
        await connection.execute(
            "INSERT INTO callback_tasks (task_id, number, name, reason, call_id, queue,"
            " created_s, due_s, status) VALUES (?, '1', '', 'missed', '', 'cargo', ?, ?, ?)",
            (task_id, _at(created), _at(created), "open" if done is None else "done"),
        )
        if done is not None:
            await connection.execute(
                "INSERT INTO callback_attempts (task_id, time_s, agent, outcome, note)"
                " VALUES (?, ?, '1002', 'done', '')",
                (task_id, _at(done)),
            )
    await connection.execute(
        "INSERT INTO queue_log (time_s, call_id, queue, agent, verb, data) VALUES"
        " (?, 'NONE', 'NONE', '1001', 'PAUSE', '[\"lunch\"]'),"
        " (?, 'NONE', 'NONE', '1001', 'UNPAUSE', '[]')",
        (_at("2026-03-16 12:00"), _at("2026-03-16 12:30")),
    )
    await connection.execute(
        "INSERT INTO calls VALUES ('o1', 'L1', 'out', '13900000009', '', ?, ?, 'answered',"
        " '', NULL, '1001', ?, 0, 60, 0, '', '', NULL, 0, '')",
        (_at("2026-03-16 10:00"), _at("2026-03-16 10:01"), _at("2026-03-16 10:00:10")),
    )


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "depot.db"
    items: list[QueueLogEntry | CallEnded] = []
    for call_id, local, agent, wait_s, score in CALLS:
        past = PastCall(call_id, _at(local), "cargo", "13800138000", agent, wait_s)
        if agent:
            past = PastCall(
                call_id, _at(local), "cargo", "13800138000", agent, wait_s, 120, 30, score
            )
        items += call_items(past)

    async def fill() -> None:
        store = await Store.open(path)
        try:
            await store.save_setup(demo_setup())
            await store.add_user("1001", "王芳", Role.AGENT, "agent-pass-1001")
            await store.in_transaction(_desk_work)
            await store.record(
                sorted(
                    items,
                    key=lambda i: i.time_s if isinstance(i, QueueLogEntry) else i.record.ended_s,
                )
            )
        finally:
            await store.close()

    asyncio.run(fill())
    return path


def report(database: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main(["report", "--db", str(database), "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_report_calendar_month_counts_calls_offered_in_it(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    got = report(database, capsys, "--period", "month", "--date", "2026-03-09")
    assert got["period"] == {
        "kind": "month",
        "first_day": "2026-03-01",
        "last_day": "2026-03-31",
        "timezone": "Asia/Shanghai",
        "sl_threshold_s": 20.0,
    }
    totals = got["totals"]
    assert isinstance(totals, dict)
    assert (totals["offered"], totals["answered"], totals["abandoned"]) == (4, 3, 1)
    assert totals["service_level"] == pytest.approx(
        1 / 4
    )  # x1 only, of 3 answered + 1 long abandon
    assert totals["answer_rate"] == pytest.approx(3 / 4)
    assert got["satisfaction"] == {
        "answered_calls": 3,
        "responses": 3,
        "response_rate": 1.0,
        "mean_score": pytest.approx(11 / 3),
        "share_4_5": pytest.approx(2 / 3),
    }
    agents = {a["agent_id"]: a for a in got["agents"]}  # type: ignore[attr-defined]
    assert (agents["1001"]["name"], agents["1001"]["answered"]) == ("王芳", 2)
    assert agents["1002"]["name"] == "李强"  # from the setup: 1002 has no sign-in
    assert agents["1002"]["satisfaction"]["mean_score"] == 2
    assert agents["1001"]["adherence"] is None  # no roster: nothing scheduled
    assert got["records"] == {
        "by_kind": {"complaint": 2, "consultation": 1},
        "complaints": [
            {"category": "damage", "department": "cargo", "tickets": 1},
            {"category": "delay", "department": "dispatch", "tickets": 1},
        ],
        "tickets_on_time": {"on_time": 1, "counted": 2, "share": 0.5},
        "callbacks_on_time": {"on_time": 1, "counted": 3, "share": pytest.approx(1 / 3)},
    }
    # x1, x2, x4 from 13800138000; x5 calls again 11 minutes after x4: 2 of 3 resolved
    assert got["first_contact_resolution"] == {
        "window_h": 72.0,
        "resolved": 2,
        "counted": 3,
        "share": pytest.approx(2 / 3),
    }
    assert got["outbound"] == {"calls": 1, "answered": 1}
    assert got["paused_s_by_reason"] == {"lunch": 1800.0}
    assert [d["day"] for d in got["days"]] == [
        "2026-03-01",
        "2026-03-15",
        "2026-03-20",
        "2026-03-31",
    ]  # type: ignore[attr-defined]


def test_report_week_runs_monday_to_sunday_across_the_months_end(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    got = report(database, capsys, "--period", "week", "--date", "2026-04-02")
    assert (got["period"]["first_day"], got["period"]["last_day"]) == ("2026-03-30", "2026-04-05")  # type: ignore[index]
    totals = got["totals"]
    assert (totals["offered"], totals["answered"], totals["service_level"]) == (2, 2, 0.5)  # type: ignore[index]
    assert [(d["day"], d["offered"]) for d in got["days"]] == [("2026-03-31", 1), ("2026-04-01", 1)]  # type: ignore[attr-defined]


def test_report_day_counts_a_call_across_midnight_on_the_day_it_was_offered(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    last = report(database, capsys, "--period", "day", "--date", "2026-03-31")["totals"]
    first = report(database, capsys, "--period", "day", "--date", "2026-04-01")["totals"]
    assert (last["offered"], last["answered"]) == (1, 1)  # type: ignore[index]
    assert (first["offered"], first["answered"]) == (1, 1)  # type: ignore[index]
    so_far = report(database, capsys, "--period", "month_to_date", "--date", "2026-03-15")
    assert so_far["period"]["last_day"] == "2026-03-15"  # type: ignore[index]
    assert so_far["totals"]["offered"] == 2  # type: ignore[index]


def test_report_first_contact_window_is_configurable(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    got = report(
        database, capsys, "--period", "month", "--date", "2026-03-09", "--fcr-window-h", "0.1"
    )
    assert got["first_contact_resolution"]["resolved"] == 3  # type: ignore[index]


def test_report_refuses_a_bad_date(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--db", str(database), "--date", "2026-13-01"]) == 64
    assert "YYYY-MM-DD" in capsys.readouterr().err


def _key_names(value: object, data_keyed: frozenset[str]) -> set[str]:
    """Every key of the JSON, in lists and nested objects; the keys of `data_keyed` objects
    are data (a record kind, a pause reason), not names."""
    names: set[str] = set()
    if isinstance(value, list):
        for item in value:
            names |= _key_names(item, data_keyed)
    elif isinstance(value, dict):
        for key, inner in value.items():
            names.add(key)
            if key not in data_keyed:
                names |= _key_names(inner, data_keyed)
    return names


def test_report_json_keys_are_the_ones_docs_figures_md_documents(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = (Path(__file__).parents[2] / "docs" / "figures.md").read_text(encoding="utf-8")
    section = docs.split("## `depotline report`")[1].split("### Queue names")[0]
    got = report(database, capsys, "--period", "month", "--date", "2026-03-09")
    printed = _key_names(got, frozenset({"by_kind", "paused_s_by_reason"}))
    undocumented = sorted(name for name in printed if f"`{name}`" not in section)
    assert undocumented == []
    table_keys = [line.split("`")[1] for line in section.splitlines() if line.startswith("| `")]
    assert sorted(table_keys) == sorted(got)
