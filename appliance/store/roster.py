"""排班: each agent's shifts of a local day, as minutes after the day's midnight."""

from __future__ import annotations

import datetime as dt
import json

import aiosqlite

Shifts = tuple[tuple[int, int], ...]  # (start_min, end_min) in order, end ≤ 1440


async def shifts_between(
    connection: aiosqlite.Connection, first_day: dt.date, last_day: dt.date
) -> dict[tuple[str, dt.date], Shifts]:
    rows = await connection.execute_fetchall(
        "SELECT agent, day, shifts_json FROM roster_shifts WHERE day >= ? AND day <= ?",
        (first_day.isoformat(), last_day.isoformat()),
    )
    return {
        (str(r[0]), dt.date.fromisoformat(str(r[1]))): tuple(
            (int(start), int(end)) for start, end in json.loads(str(r[2]))
        )
        for r in rows
    }


async def put(connection: aiosqlite.Connection, shifts: dict[tuple[str, dt.date], Shifts]) -> None:
    """Each (agent, day) gets the shifts given; no shifts is a day off (the row goes)."""
    for (agent, day), ranges in shifts.items():
        await connection.execute(
            "DELETE FROM roster_shifts WHERE agent = ? AND day = ?", (agent, day.isoformat())
        )
        if ranges:
            await connection.execute(
                "INSERT INTO roster_shifts (agent, day, shifts_json) VALUES (?, ?, ?)",
                (agent, day.isoformat(), json.dumps(ranges)),
            )
