"""Timeliness figures of the reports and rankings under the follow-up loops: a 回访 task the
upgrade to one open task a number closed as a duplicate is not a callback anyone owed; a 工单
is handled in time when it is resolved within 24 h (the escalation clock stops there), though
it closes only after the follow-up call reaches the customer."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiosqlite
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


def test_ticket_timeliness_counts_a_ticket_resolved_in_time_and_closed_after_its_follow_up(
    tmp_path: Path,
) -> None:
    hour_s = 3600.0
    now_s = T0 + 5 * DAY_S

    async def main() -> dict[str, tuple[int, int]]:
        store = await Store.open(tmp_path / "depot.db")
        try:

            async def complaints(connection: aiosqlite.Connection) -> None:
                # t1 resolved after 10 h, closed by the follow-up call after 30 h; t2 resolved
                # after 30 h; t3 still unresolved after 5 days
                for ticket_id, resolved_h, closed_h in (
                    ("t1", 10.0, 30.0),
                    ("t2", 30.0, 40.0),
                    ("t3", None, None),
                ):
                    await connection.execute(
                        "INSERT INTO desk_records (record_id, kind, call_id, number, agent,"
                        " created_s, fields_json) VALUES (?, 'complaint', '', '1', '1001', ?,"
                        " '{}')",
                        (f"r-{ticket_id}", T0),
                    )
                    await connection.execute(
                        "INSERT INTO tickets (ticket_id, record_id, number, category,"
                        " department, created_s, status, closed_s, owner, resolved_s)"
                        " VALUES (?, ?, '1', 'delay', 'ops', ?, ?, ?, '1001', ?)",
                        (
                            ticket_id,
                            f"r-{ticket_id}",
                            T0,
                            "open" if closed_h is None else "closed",
                            None if closed_h is None else T0 + closed_h * hour_s,
                            None if resolved_h is None else T0 + resolved_h * hour_s,
                        ),
                    )

            await store.in_transaction(complaints)
            return await store.reading(
                lambda c: targets.ticket_timeliness(c, 0.0, now_s, DAY_S, now_s)
            )
        finally:
            await store.close()

    assert asyncio.run(main()) == {"1001": (1, 3)}
