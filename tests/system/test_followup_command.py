"""`depotline tasks`, `depotline tickets` and `depotline waybills` as the depot's own scripts run
them on a database: the JSON keys the scripts rely on, the nightly tracking export loaded (a
bad one refused naming line and column, nothing loaded), a waybill shown."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

import aiosqlite

from appliance.seed import demo_setup
from appliance.store import Store, desk_records, tasks, tickets
from appliance.store.desk_records import DeskRecord
from appliance.store.desk_store import DeskStore
from appliance.store.tasks import CallbackTask
from appliance.store.tickets import Ticket

DEPOTLINE = Path(sys.executable).with_name("depotline")
EX_DATAERR = 65
HOUR_S = 3600.0


def depotline(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DEPOTLINE), *args], capture_output=True, text=True, timeout=60.0, check=False
    )


def make_database(path: Path) -> None:
    now_s = time.time()

    async def main() -> None:
        store = await Store.open(path)
        try:
            await store.save_setup(demo_setup())
            db = DeskStore(store)
            task = CallbackTask(
                "K1",
                "13800000001",
                "李先生",
                "key_customer",
                "",
                "",
                now_s,
                now_s + 3 * 24 * HOUR_S,
                None,
                "open",
                "1001",
                0,
                "",
            )
            late = Ticket(
                "T1",
                "R1",
                "13800000002",
                "delay",
                "cargo",
                now_s - 30 * HOUR_S,
                1,
                "open",
                None,
                owner="1002",
                deadline_s=now_s - 6 * HOUR_S,
                waybill="SF1234567890",
            )
            fresh = Ticket(
                "T2",
                "R2",
                "13800000003",
                "damage",
                "cargo",
                now_s,
                0,
                "open",
                None,
                owner="1001",
                deadline_s=now_s + 24 * HOUR_S,
            )

            async def work(connection: aiosqlite.Connection) -> None:
                await tasks.add(connection, task)
                for ticket in (late, fresh):
                    fields = (("category", ticket.category), ("details", "延误"))
                    record = DeskRecord(
                        ticket.record_id,
                        "complaint",
                        "",
                        ticket.number,
                        ticket.owner,
                        ticket.created_s,
                        fields,
                    )
                    await desk_records.insert(connection, record)
                    await tickets.insert(connection, ticket)

            await db.write(work)
        finally:
            await store.close()

    asyncio.run(main())


def test_tasks_and_tickets_listed_as_json_with_the_keys_scripts_use(tmp_path: Path) -> None:
    database = tmp_path / "depot.db"
    make_database(database)
    listed = depotline("tasks", "list", "--db", str(database), "--json")
    assert listed.returncode == 0, listed.stderr
    (task,) = json.loads(listed.stdout)
    assert set(task) == {"id", "number", "reason", "due", "state", "attempts", "assigned_to"}
    assert (task["id"], task["state"], task["attempts"], task["assigned_to"]) == (
        "K1",
        "open",
        0,
        "1001",
    )
    every = json.loads(depotline("tickets", "list", "--db", str(database), "--json").stdout)
    assert [t["id"] for t in every] == ["T2", "T1"]
    # the seven keys, and the ticket's waybill (运单号) that README lists beside them
    keys = {"id", "number", "owner", "category", "deadline", "escalation_level", "state"}
    assert set(every[0]) == keys | {"waybill"}
    assert every[1]["waybill"] == "SF1234567890" and every[0]["waybill"] == ""
    overdue = depotline("tickets", "list", "--db", str(database), "--json", "--overdue")
    assert [(t["id"], t["owner"], t["escalation_level"]) for t in json.loads(overdue.stdout)] == [
        ("T1", "1002", 1)
    ]


def test_waybills_import_refuses_a_bad_file_whole_then_loads_and_shows(tmp_path: Path) -> None:
    database = tmp_path / "depot.db"
    make_database(database)
    bad = tmp_path / "bad.csv"
    bad.write_text("SF1234567890,运输中,上海转运中心,2026-12-06 21:10\nYT1,已签收,杭州,x\n")
    refused = depotline("waybills", "import", str(bad), "--db", str(database))
    assert refused.returncode == EX_DATAERR
    assert "line 2, column 1 (waybill)" in refused.stderr and "nothing was loaded" in refused.stderr
    # the script's log says what is wrong with the cell in words, not the web UI's code
    assert "6 to 30 letters and digits" in refused.stderr, refused.stderr
    shown = depotline("waybills", "show", "SF1234567890", "--db", str(database), "--json")
    assert shown.returncode == 1 and shown.stdout.strip() == "null"
    good = tmp_path / "nightly.csv"
    good.write_text("运单号,状态,地点,时间\nSF1234567890,运输中,上海转运中心,2026-12-06 21:10\n")
    loaded = depotline("waybills", "import", str(good), "--db", str(database))
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.startswith("1 waybills in nightly.csv")
    shown = depotline("waybills", "show", "sf1234567890", "--db", str(database), "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) | {"loaded": ""} == {
        "waybill": "SF1234567890",
        "status": "in_transit",
        "place": "上海转运中心",
        "time": json.loads(shown.stdout)["time"],
        "loaded": "",
        "source": "nightly.csv",
    }
    assert json.loads(shown.stdout)["time"].startswith("2026-12-06T21:10:00")
    # the digits a caller keys (the carrier's letters left out) show the same waybill
    keyed = depotline("waybills", "show", "1234567890", "--db", str(database), "--json")
    assert keyed.returncode == 0 and json.loads(keyed.stdout)["waybill"] == "SF1234567890"


def test_waybills_import_names_what_a_bad_cell_should_be_and_keeps_what_was_loaded(
    tmp_path: Path,
) -> None:
    database = tmp_path / "depot.db"
    make_database(database)
    good = tmp_path / "monday.csv"
    good.write_text("SF1234567890,运输中,上海转运中心,2026-12-06 21:10\n")
    assert depotline("waybills", "import", str(good), "--db", str(database)).returncode == 0
    cases = {
        "SF1234567891,lost,上海,2026-12-07 10:00\n": ("line 1, column 2 (status)", "not a known"),
        "SF1234567891,已签收,上海,2026-13-07 10:00\n": ("line 1, column 4 (time)", "14:30"),
        "SF1234567891,已签收,上海\n": ("line 1, column 4 (time)", "empty"),
        "SF1234567891,已签收,上海,2026-12-07 10:00,x\n": ("line 1, column 5", "more columns"),
    }
    for text, (where, words) in cases.items():
        bad = tmp_path / "tuesday.csv"
        bad.write_text(text)
        refused = depotline("waybills", "import", str(bad), "--db", str(database))
        assert refused.returncode == EX_DATAERR
        assert where in refused.stderr and words in refused.stderr, (text, refused.stderr)
        shown = depotline("waybills", "show", "SF1234567890", "--db", str(database), "--json")
        assert json.loads(shown.stdout)["status"] == "in_transit"
