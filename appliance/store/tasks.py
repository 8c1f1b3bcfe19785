"""Callback tasks (回访): one row per task with its current status, and every attempt appended
to callback_attempts (an attempt, once saved, is never edited). A number has at most one open
task: a new request for it brings the open task's due time forward instead."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import aiosqlite

from appliance.engine.records import CallbackRequested
from appliance.store.database import fetch_one


@dataclass(frozen=True, slots=True)
class CallbackTask:
    task_id: str
    number: str
    name: str
    reason: str  # "abandoned", "virtual_hold", "callback_request", "voicemail"
    call_id: str
    queue: str
    created_s: float
    due_s: float
    entered_s: float | None  # when the caller first joined a queue; keeps a virtual-hold place
    status: str  # "open" or "done"
    assigned_agent: str  # "" = the pool's
    attempts: int
    outcome: str  # of the last attempt
    closed_as: str = ""  # when done: reached, unreachable, closed (by a supervisor), duplicate
    closed_s: float | None = None
    note: str = ""  # why a supervisor made it (key customer, campaign, …)
    created_by: str = ""  # the supervisor who made it; "" = the depot itself
    ticket_id: str = ""  # the ticket whose resolution it follows up

    @property
    def state(self) -> str:
        """open, reached, unreachable, closed or duplicate."""
        return "open" if self.status == "open" else self.closed_as or "reached"


@dataclass(frozen=True, slots=True)
class CallbackAttempt:
    task_id: str
    time_s: float
    agent: str
    outcome: str  # e.g. "reached", "no_answer", "busy", "wrong_number"
    note: str


_TASK_COLUMNS = (
    "task_id, number, name, reason, call_id, queue, created_s, due_s, entered_s, status,"
    " assigned_agent, attempts, outcome, closed_as, closed_s, note, created_by, ticket_id"
)


async def insert(connection: aiosqlite.Connection, tasks: Sequence[CallbackRequested]) -> None:
    # the same task requested twice (a replayed step) keeps the first
    await connection.executemany(
        "INSERT OR IGNORE INTO callback_tasks"
        " (task_id, number, name, reason, call_id, queue, created_s, due_s, entered_s)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                t.task_id,
                t.number,
                t.name,
                t.reason,
                t.call_id,
                t.queue,
                t.created_s,
                t.due_s,
                t.entered_s,
            )
            for t in tasks
        ],
    )
    # a number already waiting for a callback keeps its one task, due by the sooner time
    await connection.executemany(
        "UPDATE callback_tasks SET due_s = MIN(due_s, ?) WHERE number = ? AND status = 'open'",
        [(t.due_s, t.number) for t in tasks],
    )


async def add(connection: aiosqlite.Connection, task: CallbackTask) -> bool:
    """A task a supervisor (or a resolved ticket) makes; False when the number already has an
    open task."""
    cursor = await connection.execute(
        f"INSERT OR IGNORE INTO callback_tasks ({_TASK_COLUMNS})"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            task.task_id,
            task.number,
            task.name,
            task.reason,
            task.call_id,
            task.queue,
            task.created_s,
            task.due_s,
            task.entered_s,
            task.status,
            task.assigned_agent,
            task.attempts,
            task.outcome,
            task.closed_as,
            task.closed_s,
            task.note,
            task.created_by,
            task.ticket_id,
        ),
    )
    return cursor.rowcount == 1


def _task(row: Sequence[object]) -> CallbackTask:
    return CallbackTask(*row)  # type: ignore[arg-type]


async def open_tasks(connection: aiosqlite.Connection) -> list[CallbackTask]:
    rows = await connection.execute_fetchall(
        f"SELECT {_TASK_COLUMNS} FROM callback_tasks WHERE status = 'open'"
        # a virtual-hold caller keeps the place they had in the queue
        " ORDER BY CASE WHEN reason = 'virtual_hold' AND entered_s IS NOT NULL"
        " THEN entered_s ELSE due_s END, created_s, task_id"
    )
    return [_task(tuple(row)) for row in rows]


async def for_desk(
    connection: aiosqlite.Connection, agent: str, due_before_s: float
) -> list[CallbackTask]:
    """Open tasks for an agent's desk: theirs and the pool's, due before the given time."""
    rows = await connection.execute_fetchall(
        f"SELECT {_TASK_COLUMNS} FROM callback_tasks WHERE status = 'open'"
        " AND assigned_agent IN ('', ?) AND due_s < ? ORDER BY due_s, created_s, task_id",
        (agent, due_before_s),
    )
    return [_task(tuple(row)) for row in rows]


async def overdue(connection: aiosqlite.Connection, now_s: float) -> list[CallbackTask]:
    rows = await connection.execute_fetchall(
        f"SELECT {_TASK_COLUMNS} FROM callback_tasks WHERE status = 'open' AND due_s < ?"
        " ORDER BY due_s, task_id",
        (now_s,),
    )
    return [_task(tuple(row)) for row in rows]


async def newest(connection: aiosqlite.Connection, limit: int) -> list[CallbackTask]:
    """Every task, open or done, newest first."""
    rows = await connection.execute_fetchall(
        f"SELECT {_TASK_COLUMNS} FROM callback_tasks ORDER BY created_s DESC, task_id LIMIT ?",
        (limit,),
    )
    return [_task(tuple(row)) for row in rows]


async def for_ticket(connection: aiosqlite.Connection, ticket_id: str) -> list[CallbackTask]:
    rows = await connection.execute_fetchall(
        f"SELECT {_TASK_COLUMNS} FROM callback_tasks WHERE ticket_id = ? ORDER BY created_s",
        (ticket_id,),
    )
    return [_task(tuple(row)) for row in rows]


async def one(connection: aiosqlite.Connection, task_id: str) -> CallbackTask | None:
    row = await fetch_one(
        connection, f"SELECT {_TASK_COLUMNS} FROM callback_tasks WHERE task_id = ?", (task_id,)
    )
    return _task(tuple(row)) if row is not None else None


async def assign(connection: aiosqlite.Connection, task_id: str, agent: str) -> bool:
    cursor = await connection.execute(
        "UPDATE callback_tasks SET assigned_agent = ? WHERE task_id = ?", (agent, task_id)
    )
    return cursor.rowcount == 1


async def add_attempt(
    connection: aiosqlite.Connection, attempt: CallbackAttempt, *, closed_as: str = ""
) -> bool:
    """Append the attempt; `closed_as` (reached, unreachable) closes the task with it. False
    when there is no such open task."""
    cursor = await connection.execute(
        "UPDATE callback_tasks SET attempts = attempts + 1, outcome = ?, status = ?,"
        " closed_as = ?, closed_s = ? WHERE task_id = ? AND status = 'open'",
        (
            attempt.outcome,
            "done" if closed_as else "open",
            closed_as,
            attempt.time_s if closed_as else None,
            attempt.task_id,
        ),
    )
    if cursor.rowcount != 1:
        return False
    await connection.execute(
        "INSERT INTO callback_attempts (task_id, time_s, agent, outcome, note)"
        " VALUES (?, ?, ?, ?, ?)",
        (attempt.task_id, attempt.time_s, attempt.agent, attempt.outcome, attempt.note),
    )
    return True


async def take_on_ticket(connection: aiosqlite.Connection, number: str, ticket_id: str) -> None:
    """The number's open task (one a number) becomes the follow-up of this ticket too."""
    await connection.execute(
        "UPDATE callback_tasks SET ticket_id = ? WHERE number = ? AND status = 'open'"
        " AND ticket_id = ''",
        (ticket_id, number),
    )


async def close(
    connection: aiosqlite.Connection, task_id: str, closed_as: str, closed_s: float
) -> bool:
    cursor = await connection.execute(
        "UPDATE callback_tasks SET status = 'done', closed_as = ?, closed_s = ?"
        " WHERE task_id = ? AND status = 'open'",
        (closed_as, closed_s, task_id),
    )
    return cursor.rowcount == 1


async def attempts(connection: aiosqlite.Connection, task_id: str) -> list[CallbackAttempt]:
    rows = await connection.execute_fetchall(
        "SELECT task_id, time_s, agent, outcome, note FROM callback_attempts"
        " WHERE task_id = ? ORDER BY id",
        (task_id,),
    )
    return [CallbackAttempt(*tuple(row)) for row in rows]
