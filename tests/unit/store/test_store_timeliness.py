"""回访 timeliness on a box upgraded to one open task a number: a second open task for the same
number, closed by the upgrade as a duplicate, is not a callback anyone owed, so it counts
neither in the report's figure nor in an agent's ranking."""

from __future__ import annotations

import asyncio
from pathlib import Path

from old_database import database_before

from appliance.store import Store, period_records, targets

DAY_S = 86_400.0
ON_TIME_S = 3 * DAY_S
T0 = 1_000_000.0


def test_callback_timeliness_after_upgrade_leaves_duplicate_tasks_out(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with database_before(path, "ADD COLUMN closed_as") as connection:
        # k1 done the next day; k2 and k3 the same number, both still open, assigned to 1001
        for task_id, number, status in (
            ("k1", "13900000001", "done"),
            ("k2", "13900000002", "open"),
            ("k3", "13900000002", "open"),
        ):
            connection.execute(
                "INSERT INTO callback_tasks (task_id, number, name, reason, call_id, queue,"
                " created_s, due_s, status, assigned_agent)"
                " VALUES (?, ?, '', 'abandoned', '', 'cargo', ?, ?, ?, '1001')",
                (task_id, number, T0, T0 + ON_TIME_S, status),
            )
        connection.execute(
            "INSERT INTO callback_attempts (task_id, time_s, agent, outcome, note)"
            " VALUES ('k1', ?, '1001', 'reached_resolved', '')",
            (T0 + DAY_S,),
        )
    connection.close()
    now_s = T0 + 5 * DAY_S

    async def main() -> tuple[tuple[int, int], dict[str, tuple[int, int]]]:
        store = await Store.open(path)
        try:
            report = await store.reading(
                lambda c: period_records.callback_timeliness(c, 0.0, now_s, ON_TIME_S, now_s)
            )
            ranking = await store.reading(
                lambda c: targets.callback_timeliness(c, 0.0, now_s, ON_TIME_S, now_s)
            )
            return report, ranking
        finally:
            await store.close()

    report, ranking = asyncio.run(main())
    # k1 on time; k2 open past 3 days, late; k3 the upgrade's duplicate of k2
    assert report == (1, 2)
    assert ranking == {"1001": (1, 2)}
