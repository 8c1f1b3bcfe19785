"""The tickets table (S5): a complaint classified, assigned to a department, escalated, and
closed with a follow-up call; every step is appended to ticket_history."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite

from appliance.store.database import fetch_one


@dataclass(frozen=True, slots=True)
class Ticket:
    ticket_id: str
    record_id: str  # the complaint it came from
    number: str
    category: str
    department: str
    created_s: float
    escalation_level: int  # 0 department, 1 shift lead (班长), 2 manager (主管)
    status: str  # "open" or "closed"
    closed_s: float | None


@dataclass(frozen=True, slots=True)
class TicketStep:
    time_s: float
    author: str
    action: str  # opened, escalated, note, closed
    note: str


_COLUMNS = (
    "ticket_id, record_id, number, category, department, created_s, escalation_level, status,"
    " closed_s"
)


def _ticket(row: aiosqlite.Row | tuple[object, ...]) -> Ticket:
    return Ticket(
        str(row[0]),
        str(row[1]),
        str(row[2]),
        str(row[3]),
        str(row[4]),
        float(str(row[5])),
        int(str(row[6])),
        str(row[7]),
        float(str(row[8])) if row[8] is not None else None,
    )


async def insert(connection: aiosqlite.Connection, ticket: Ticket) -> None:
    await connection.execute(
        f"INSERT INTO tickets ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            ticket.ticket_id,
            ticket.record_id,
            ticket.number,
            ticket.category,
            ticket.department,
            ticket.created_s,
            ticket.escalation_level,
            ticket.status,
            ticket.closed_s,
        ),
    )


async def one(connection: aiosqlite.Connection, ticket_id: str) -> Ticket | None:
    row = await fetch_one(
        connection, f"SELECT {_COLUMNS} FROM tickets WHERE ticket_id = ?", (ticket_id,)
    )
    return _ticket(row) if row is not None else None


async def open_tickets(connection: aiosqlite.Connection) -> list[Ticket]:
    rows = await connection.execute_fetchall(
        f"SELECT {_COLUMNS} FROM tickets WHERE status = 'open' ORDER BY created_s"
    )
    return [_ticket(row) for row in rows]


async def newest(connection: aiosqlite.Connection, limit: int) -> list[Ticket]:
    rows = await connection.execute_fetchall(
        f"SELECT {_COLUMNS} FROM tickets ORDER BY created_s DESC LIMIT ?", (limit,)
    )
    return [_ticket(row) for row in rows]


async def for_number(connection: aiosqlite.Connection, number: str) -> list[Ticket]:
    rows = await connection.execute_fetchall(
        f"SELECT {_COLUMNS} FROM tickets WHERE number = ? AND status = 'open' ORDER BY created_s",
        (number,),
    )
    return [_ticket(row) for row in rows]


async def set_escalation(connection: aiosqlite.Connection, ticket_id: str, level: int) -> bool:
    cursor = await connection.execute(
        "UPDATE tickets SET escalation_level = ? WHERE ticket_id = ? AND status = 'open'",
        (level, ticket_id),
    )
    return cursor.rowcount == 1


async def close(connection: aiosqlite.Connection, ticket_id: str, closed_s: float) -> bool:
    cursor = await connection.execute(
        "UPDATE tickets SET status = 'closed', closed_s = ? WHERE ticket_id = ?"
        " AND status = 'open'",
        (closed_s, ticket_id),
    )
    return cursor.rowcount == 1


async def append_step(connection: aiosqlite.Connection, ticket_id: str, step: TicketStep) -> None:
    await connection.execute(
        "INSERT INTO ticket_history (ticket_id, time_s, author, action, note)"
        " VALUES (?, ?, ?, ?, ?)",
        (ticket_id, step.time_s, step.author, step.action, step.note),
    )


async def steps(connection: aiosqlite.Connection, ticket_id: str) -> list[TicketStep]:
    rows = await connection.execute_fetchall(
        "SELECT time_s, author, action, note FROM ticket_history WHERE ticket_id = ?"
        " ORDER BY time_s, id",
        (ticket_id,),
    )
    return [TicketStep(float(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]
