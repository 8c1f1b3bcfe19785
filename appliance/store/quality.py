"""The quality_checks table (质检): scores a supervisor gives a recorded call."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

QUALITY_CRITERIA = ("greeting", "accuracy", "attitude")


@dataclass(frozen=True, slots=True)
class QualityCheck:
    call_id: str
    time_s: float
    checker: str
    agent: str
    greeting: int  # 1–5
    accuracy: int
    attitude: int
    note: str


_COLUMNS = "call_id, time_s, checker, agent, greeting, accuracy, attitude, note"


async def add(connection: aiosqlite.Connection, check: QualityCheck) -> None:
    await connection.execute(
        f"INSERT INTO quality_checks ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            check.call_id,
            check.time_s,
            check.checker,
            check.agent,
            check.greeting,
            check.accuracy,
            check.attitude,
            check.note,
        ),
    )


async def for_calls(
    connection: aiosqlite.Connection, call_ids: list[str]
) -> dict[str, list[QualityCheck]]:
    found: dict[str, list[QualityCheck]] = {}
    for start in range(0, len(call_ids), 500):
        chunk = call_ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        rows = await connection.execute_fetchall(
            f"SELECT {_COLUMNS} FROM quality_checks WHERE call_id IN ({marks}) ORDER BY time_s",
            chunk,
        )
        for r in rows:
            check = QualityCheck(
                str(r[0]),
                float(r[1]),
                str(r[2]),
                str(r[3]),
                int(r[4]),
                int(r[5]),
                int(r[6]),
                str(r[7]),
            )
            found.setdefault(check.call_id, []).append(check)
    return found
