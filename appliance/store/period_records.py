"""What the desk recorded in a period, for the reports: records (咨询 投诉 救援 预约 回访) by
kind, complaint tickets by category and department, and callback-task timeliness."""

from __future__ import annotations

import aiosqlite


async def records_by_kind(
    connection: aiosqlite.Connection, since_s: float, until_s: float
) -> dict[str, int]:
    rows = await connection.execute_fetchall(
        "SELECT kind, count(*) FROM desk_records WHERE created_s >= ? AND created_s < ?"
        " GROUP BY kind ORDER BY kind",
        (since_s, until_s),
    )
    return {str(r[0]): int(r[1]) for r in rows}


async def complaints(
    connection: aiosqlite.Connection, since_s: float, until_s: float
) -> list[tuple[str, str, int]]:
    """(category, department, tickets) of the complaint tickets opened in the period."""
    rows = await connection.execute_fetchall(
        "SELECT category, department, count(*) FROM tickets WHERE created_s >= ? AND created_s < ?"
        " GROUP BY category, department ORDER BY count(*) DESC, category, department",
        (since_s, until_s),
    )
    return [(str(r[0]), str(r[1]), int(r[2])) for r in rows]


async def callback_timeliness(
    connection: aiosqlite.Connection, since_s: float, until_s: float, on_time_s: float, now_s: float
) -> tuple[int, int]:
    """(回访 tasks of the period done within `on_time_s` of their creation, tasks counted):
    done ones, and open ones already past that time (late); open ones inside it wait. A task
    closed as a duplicate (a second open task for a number, closed by the upgrade to one open
    task a number) was never a callback of its own and is left out."""
    rows = await connection.execute_fetchall(
        "SELECT t.created_s, t.status,"
        " (SELECT max(a.time_s) FROM callback_attempts a WHERE a.task_id = t.task_id)"
        " FROM callback_tasks t WHERE t.created_s >= ? AND t.created_s < ?"
        " AND t.closed_as != 'duplicate'",
        (since_s, until_s),
    )
    on_time = counted = 0
    for created_s, status, last_s in rows:
        if status == "done":
            counted += 1
            on_time += last_s is not None and float(last_s) - float(created_s) <= on_time_s
        elif now_s - float(created_s) > on_time_s:
            counted += 1
    return on_time, counted
