"""Targets and rankings: monthly answer targets per agent or per tier, the ranking weights
(one row per saved version), the rankings kept per period (周之星 per week, 金话筒 per month),
and the period's ticket and callback timeliness per agent read from their tables."""

from __future__ import annotations

import json
from dataclasses import dataclass

import aiosqlite

from appliance.store.database import fetch_one

# figure → default weight (points out of the weights' sum)
DEFAULT_RANKING_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("answered", 30),
    ("quality", 30),
    ("satisfaction", 20),
    ("tickets", 10),
    ("callbacks", 5),
    ("adherence", 5),
)


@dataclass(frozen=True, slots=True)
class KeptRanking:
    """A ranking as it was kept for its period: the formula's weights and the rows in order
    (agent, name, score, then each figure's 0–100 value or None)."""

    kind: str  # "week" (周之星) or "month" (金话筒)
    period_key: str
    kept_s: float
    weights: tuple[tuple[str, int], ...]
    rows: tuple[tuple[str, str, float, tuple[float | None, ...]], ...]


async def targets(connection: aiosqlite.Connection) -> dict[tuple[str, str], int]:
    """(scope, key) → calls a month: scope "agent" (key 工号) or "tier" (key the tier's name)."""
    rows = await connection.execute_fetchall("SELECT scope, key, calls FROM answer_targets")
    return {(str(r[0]), str(r[1])): int(r[2]) for r in rows}


async def put_targets(
    connection: aiosqlite.Connection, changed: dict[tuple[str, str], int | None]
) -> None:
    """Set each target; None removes it."""
    for (scope, key), calls in changed.items():
        await connection.execute(
            "DELETE FROM answer_targets WHERE scope = ? AND key = ?", (scope, key)
        )
        if calls is not None:
            await connection.execute(
                "INSERT INTO answer_targets (scope, key, calls) VALUES (?, ?, ?)",
                (scope, key, calls),
            )


async def weights(connection: aiosqlite.Connection) -> tuple[tuple[str, int], ...]:
    row = await fetch_one(
        connection, "SELECT weights_json FROM ranking_weights ORDER BY id DESC LIMIT 1"
    )
    if row is None:
        return DEFAULT_RANKING_WEIGHTS
    return tuple((str(name), int(weight)) for name, weight in json.loads(str(row[0])))


async def save_weights(
    connection: aiosqlite.Connection, saved: tuple[tuple[str, int], ...], time_s: float, by: str
) -> None:
    await connection.execute(
        "INSERT INTO ranking_weights (saved_s, saved_by, weights_json) VALUES (?, ?, ?)",
        (time_s, by, json.dumps(saved)),
    )


async def keep_ranking(connection: aiosqlite.Connection, kept: KeptRanking) -> None:
    """The period's ranking as announced; announcing again replaces it."""
    await connection.execute(
        "INSERT OR REPLACE INTO rankings (kind, period_key, kept_s, weights_json, rows_json)"
        " VALUES (?, ?, ?, ?, ?)",
        (
            kept.kind,
            kept.period_key,
            kept.kept_s,
            json.dumps(kept.weights),
            json.dumps(kept.rows, ensure_ascii=False),
        ),
    )


async def kept_rankings(
    connection: aiosqlite.Connection, kind: str, *, limit: int = 12
) -> list[KeptRanking]:
    """The newest kept rankings of a kind, newest period first."""
    rows = await connection.execute_fetchall(
        "SELECT kind, period_key, kept_s, weights_json, rows_json FROM rankings"
        " WHERE kind = ? ORDER BY period_key DESC LIMIT ?",
        (kind, limit),
    )
    return [
        KeptRanking(
            str(r[0]),
            str(r[1]),
            float(r[2]),
            tuple((str(n), int(w)) for n, w in json.loads(str(r[3]))),
            tuple(
                (str(a), str(n), float(s), tuple(None if v is None else float(v) for v in values))
                for a, n, s, values in json.loads(str(r[4]))
            ),
        )
        for r in rows
    ]


async def ticket_timeliness(
    connection: aiosqlite.Connection, since_s: float, until_s: float, on_time_s: float, now_s: float
) -> dict[str, tuple[int, int]]:
    """Per agent (who saved the complaint record): (tickets handled within `on_time_s`, tickets
    of the period handled or past that time). Handled = resolved (the escalation clock stops;
    closing waits for the follow-up call), or closed without being resolved. A ticket still
    unhandled inside its time is not counted yet."""
    rows = await connection.execute_fetchall(
        "SELECT r.agent, t.created_s, COALESCE(t.resolved_s, t.closed_s) FROM tickets t"
        " JOIN desk_records r ON r.record_id = t.record_id"
        " WHERE t.created_s >= ? AND t.created_s < ?",
        (since_s, until_s),
    )
    found: dict[str, tuple[int, int]] = {}
    for agent, created_s, handled_s in rows:
        if handled_s is None and now_s - float(created_s) <= on_time_s:
            continue
        on_time = handled_s is not None and float(handled_s) - float(created_s) <= on_time_s
        done, counted = found.get(str(agent), (0, 0))
        found[str(agent)] = (done + on_time, counted + 1)
    return found


async def callback_timeliness(
    connection: aiosqlite.Connection, since_s: float, until_s: float, on_time_s: float, now_s: float
) -> dict[str, tuple[int, int]]:
    """Per agent: (回访 tasks of the period they finished within `on_time_s` of the task's
    creation, tasks counted). A finished task counts for the agent of its last attempt; an
    unfinished task past its time counts late for the agent it is assigned to."""
    rows = await connection.execute_fetchall(
        "SELECT t.created_s, t.status, t.assigned_agent,"
        " (SELECT a.agent FROM callback_attempts a WHERE a.task_id = t.task_id"
        "  ORDER BY a.time_s DESC LIMIT 1),"
        " (SELECT max(a.time_s) FROM callback_attempts a WHERE a.task_id = t.task_id)"
        " FROM callback_tasks t WHERE t.created_s >= ? AND t.created_s < ?"
        " AND t.closed_as != 'duplicate'",  # never a callback of its own (period_records)
        (since_s, until_s),
    )
    found: dict[str, tuple[int, int]] = {}
    for created_s, status, assigned, last_agent, last_s in rows:
        if status == "done" and last_agent:
            agent, on_time = str(last_agent), float(last_s) - float(created_s) <= on_time_s
        elif assigned and now_s - float(created_s) > on_time_s:
            agent, on_time = str(assigned), False
        else:
            continue
        done, counted = found.get(agent, (0, 0))
        found[agent] = (done + on_time, counted + 1)
    return found
