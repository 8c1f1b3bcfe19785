"""The report_days table: for each finished local day, the sums folding that day's queue-log
entries added and the figures reducer's state at its end (appliance/desk/reports.py), so a
report over a month adds thirty rows instead of folding half a million entries. Rows are
rebuilt from the queue log whenever they are missing; `key` names the settings they were
folded with (time zone, service-level threshold)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import aiosqlite


@dataclass(frozen=True, slots=True)
class ReportDay:
    day: dt.date
    sums: dict[str, object]  # Figures.sums()
    state: dict[str, object]  # Figures.state_at(the day's end)


async def save(connection: aiosqlite.Connection, key: str, kept: ReportDay) -> None:
    await connection.execute(
        "INSERT OR REPLACE INTO report_days (key, day, sums, state) VALUES (?, ?, ?, ?)",
        (key, kept.day.isoformat(), json.dumps(kept.sums), json.dumps(kept.state)),
    )


async def forget_other_keys(connection: aiosqlite.Connection, key: str) -> None:
    """Rows folded with other settings are never read again."""
    await connection.execute("DELETE FROM report_days WHERE key != ?", (key,))


async def forget_from(connection: aiosqlite.Connection, key: str, first: dt.date) -> None:
    await connection.execute(
        "DELETE FROM report_days WHERE key = ? AND day >= ?", (key, first.isoformat())
    )


async def between(
    connection: aiosqlite.Connection, key: str, first: dt.date, last: dt.date
) -> list[ReportDay]:
    rows = await connection.execute_fetchall(
        "SELECT day, sums, state FROM report_days WHERE key = ? AND day BETWEEN ? AND ?"
        " ORDER BY day",
        (key, first.isoformat(), last.isoformat()),
    )
    return [
        ReportDay(dt.date.fromisoformat(day), json.loads(sums), json.loads(state))
        for day, sums, state in rows
    ]


async def days_kept(
    connection: aiosqlite.Connection, key: str, first: dt.date, last: dt.date
) -> set[dt.date]:
    rows = await connection.execute_fetchall(
        "SELECT day FROM report_days WHERE key = ? AND day BETWEEN ? AND ?",
        (key, first.isoformat(), last.isoformat()),
    )
    return {dt.date.fromisoformat(day) for (day,) in rows}
