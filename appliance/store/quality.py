"""质检 tables: the weighted form and sampling plan the supervisor keeps, the checks of recorded
calls (each item's points, the total and the checker's comment) and one appeal per check."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

import aiosqlite

from appliance.store.database import fetch_one

# The manuals' items with their points, 100 in all (服务用语 … 业务准确).
DEFAULT_QUALITY_ITEMS: tuple[tuple[str, int], ...] = (
    ("服务用语", 15),
    ("服务态度", 20),
    ("语气语调", 15),
    ("归纳能力", 15),
    ("应变能力", 15),
    ("业务准确", 20),
)
DEFAULT_CHECKS_PER_AGENT_MONTH = 4
FORM_TOTAL_POINTS = 100


@dataclass(frozen=True, slots=True)
class QualityPlan:
    """The form's items (name, most points) and how many calls per agent a month are checked."""

    items: tuple[tuple[str, int], ...] = DEFAULT_QUALITY_ITEMS
    checks_per_agent_month: int = DEFAULT_CHECKS_PER_AGENT_MONTH


@dataclass(frozen=True, slots=True)
class QualityCheck:
    """One check of a recorded call: (item, most points, points given) per item."""

    check_id: int
    call_id: str
    time_s: float
    checker: str
    agent: str
    items: tuple[tuple[str, int, int], ...]
    comment: str

    @property
    def total(self) -> int:
        return sum(given for _name, _most, given in self.items)

    @property
    def most(self) -> int:
        return sum(most for _name, most, _given in self.items)


@dataclass(frozen=True, slots=True)
class QualityAppeal:
    """An agent's appeal (申诉) against a check, with the checker's answer once given."""

    check_id: int
    time_s: float
    agent: str
    reason: str
    answer: str = ""
    answered_by: str = ""
    answered_s: float | None = None


async def plan(connection: aiosqlite.Connection) -> QualityPlan:
    row = await fetch_one(
        connection,
        "SELECT items_json, checks_per_agent_month FROM quality_plans ORDER BY id DESC LIMIT 1",
    )
    if row is None:
        return QualityPlan()
    items = tuple((str(name), int(points)) for name, points in json.loads(str(row[0])))
    return QualityPlan(items, int(row[1]))


async def save_plan(
    connection: aiosqlite.Connection, saved: QualityPlan, time_s: float, by: str
) -> None:
    await connection.execute(
        "INSERT INTO quality_plans (saved_s, saved_by, items_json, checks_per_agent_month)"
        " VALUES (?, ?, ?, ?)",
        (time_s, by, json.dumps(saved.items, ensure_ascii=False), saved.checks_per_agent_month),
    )


async def add_check(connection: aiosqlite.Connection, check: QualityCheck) -> int:
    cursor = await connection.execute(
        "INSERT INTO quality_scores (call_id, time_s, checker, agent, items_json, total, comment)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            check.call_id,
            check.time_s,
            check.checker,
            check.agent,
            json.dumps(check.items, ensure_ascii=False),
            check.total,
            check.comment,
        ),
    )
    return int(cursor.lastrowid or 0)


_CHECK_COLUMNS = "check_id, call_id, time_s, checker, agent, items_json, comment"


def _check(row: sqlite3.Row) -> QualityCheck:
    items = tuple((str(n), int(m), int(g)) for n, m, g in json.loads(str(row[5])))
    return QualityCheck(
        int(row[0]), str(row[1]), float(row[2]), str(row[3]), str(row[4]), items, str(row[6])
    )


async def check(connection: aiosqlite.Connection, check_id: int) -> QualityCheck | None:
    row = await fetch_one(
        connection, f"SELECT {_CHECK_COLUMNS} FROM quality_scores WHERE check_id = ?", (check_id,)
    )
    return None if row is None else _check(row)


async def checks_between(
    connection: aiosqlite.Connection, since_s: float, until_s: float, agent: str = ""
) -> list[QualityCheck]:
    """Checks made in [since_s, until_s), oldest first; of one agent when `agent` is given."""
    rows = await connection.execute_fetchall(
        f"SELECT {_CHECK_COLUMNS} FROM quality_scores WHERE time_s >= ? AND time_s < ?"
        " AND (? = '' OR agent = ?) ORDER BY time_s",
        (since_s, until_s, agent, agent),
    )
    return [_check(r) for r in rows]


async def checks_of_calls(
    connection: aiosqlite.Connection, call_ids: list[str]
) -> dict[str, list[QualityCheck]]:
    found: dict[str, list[QualityCheck]] = {}
    for start in range(0, len(call_ids), 500):
        chunk = call_ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        rows = await connection.execute_fetchall(
            f"SELECT {_CHECK_COLUMNS} FROM quality_scores WHERE call_id IN ({marks})"
            " ORDER BY time_s",
            chunk,
        )
        for r in rows:
            found.setdefault(str(r[1]), []).append(_check(r))
    return found


async def add_appeal(connection: aiosqlite.Connection, appeal: QualityAppeal) -> bool:
    """False when the check already has its one appeal."""
    cursor = await connection.execute(
        "INSERT OR IGNORE INTO quality_appeals (check_id, time_s, agent, reason)"
        " VALUES (?, ?, ?, ?)",
        (appeal.check_id, appeal.time_s, appeal.agent, appeal.reason),
    )
    return cursor.rowcount == 1


async def answer_appeal(
    connection: aiosqlite.Connection, check_id: int, answer: str, by: str, time_s: float
) -> bool:
    """False when there is no appeal waiting for an answer on this check."""
    cursor = await connection.execute(
        "UPDATE quality_appeals SET answer = ?, answered_by = ?, answered_s = ?"
        " WHERE check_id = ? AND answered_s IS NULL",
        (answer, by, time_s, check_id),
    )
    return cursor.rowcount == 1


async def appeals(
    connection: aiosqlite.Connection, check_ids: list[int]
) -> dict[int, QualityAppeal]:
    found: dict[int, QualityAppeal] = {}
    for start in range(0, len(check_ids), 500):
        chunk = check_ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        rows = await connection.execute_fetchall(
            "SELECT check_id, time_s, agent, reason, answer, answered_by, answered_s"
            f" FROM quality_appeals WHERE check_id IN ({marks})",
            chunk,
        )
        for r in rows:
            found[int(r[0])] = QualityAppeal(
                int(r[0]),
                float(r[1]),
                str(r[2]),
                str(r[3]),
                str(r[4]),
                str(r[5]),
                None if r[6] is None else float(r[6]),
            )
    return found


async def open_appeals(connection: aiosqlite.Connection) -> list[QualityAppeal]:
    rows = await connection.execute_fetchall(
        "SELECT check_id, time_s, agent, reason FROM quality_appeals"
        " WHERE answered_s IS NULL ORDER BY time_s"
    )
    return [QualityAppeal(int(r[0]), float(r[1]), str(r[2]), str(r[3])) for r in rows]
