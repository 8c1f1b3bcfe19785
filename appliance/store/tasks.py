"""Callback tasks (回访): one row per task with its current status, and every attempt appended
to callback_attempts (an attempt, once saved, is never edited). One open task per number: a
customer who misses again adds to it, and their own later call that an agent answers settles
it; both are written in the task's history with an empty agent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import aiosqlite

from appliance.engine.records import CallbackRequested, CallbackSettled
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


CALLED_AGAIN = "called_again"  # history: the customer missed again (note: reason, call id)
CALLED_IN = "customer_called_in"  # history: the customer's own call was answered (note: call id)


async def insert(connection: aiosqlite.Connection, tasks: Sequence[CallbackRequested]) -> None:
    """New tasks; a number with an open task gets no second one: the request is added to the
    open task's history and makes it due no later than the new request."""
    for t in tasks:
        open_row = None
        if t.number:
            open_row = await fetch_one(
                connection,
                "SELECT task_id FROM callback_tasks WHERE number = ? AND status = 'open'"
                " ORDER BY created_s LIMIT 1",
                (t.number,),
            )
        if open_row is None or open_row[0] == t.task_id:
            # the same task requested twice (a replayed step) keeps the first
            await connection.execute(
                "INSERT OR IGNORE INTO callback_tasks"
                " (task_id, number, name, reason, call_id, queue, created_s, due_s, entered_s)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    t.task_id, t.number, t.name, t.reason, t.call_id, t.queue, t.created_s,
                    t.due_s, t.entered_s,
                ),
            )  # fmt: skip
            continue
        task_id = str(open_row[0])
        await connection.execute(
            "UPDATE callback_tasks SET due_s = min(due_s, ?) WHERE task_id = ?",
            (t.due_s, task_id),
        )
        await _history(connection, task_id, t.created_s, CALLED_AGAIN, f"{t.reason} {t.call_id}")


async def settle(connection: aiosqlite.Connection, settled: Sequence[CallbackSettled]) -> None:
    """The customer's own call was answered: their open task of a missed call is done. A task
    the desk made or gave a ticket (a complaint's follow-up, a key customer, a campaign) stays
    open: the call it asks for has something to say that the customer's own call did not."""
    for s in settled:
        rows = await connection.execute_fetchall(
            "SELECT task_id FROM callback_tasks WHERE number = ? AND status = 'open'"
            " AND created_by = '' AND ticket_id = ''",
            (s.number,),
        )
        for (task_id,) in rows:
            await connection.execute(
                "UPDATE callback_tasks SET status = 'done', outcome = ?, closed_as = 'reached',"
                " closed_s = ? WHERE task_id = ?",
                (CALLED_IN, s.time_s, task_id),
            )
            await _history(connection, str(task_id), s.time_s, CALLED_IN, s.call_id)


async def _history(
    connection: aiosqlite.Connection, task_id: str, time_s: float, outcome: str, note: str
) -> None:
    await connection.execute(
        "INSERT INTO callback_attempts (task_id, time_s, agent, outcome, note)"
        " VALUES (?, ?, '', ?, ?)",
        (task_id, time_s, outcome, note),
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
