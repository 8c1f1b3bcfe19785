"""The tickets table (S5): a complaint classified, owned by the agent who took it, assigned to
a department, escalated as its deadlines pass, resolved, and closed after the follow-up call;
every step is appended to ticket_history, and each escalation is told on desks through
ticket_notices."""

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
    owner: str = ""  # the agent who recorded the complaint (首问负责)
    deadline_s: float | None = None  # when the current holder's time runs out
    resolved_s: float | None = None  # resolved, waiting for the follow-up call
    waybill: str = ""  # the waybill (运单号) the complaint is about

    @property
    def state(self) -> str:
        """open, resolved (waiting for the follow-up call) or closed."""
        if self.status != "open":
            return "closed"
        return "resolved" if self.resolved_s is not None else "open"


@dataclass(frozen=True, slots=True)
class TicketNotice:
    notice_id: int
    time_s: float
    ticket_id: str
    for_agent: str  # the owner, or "" for everyone in for_role
    for_role: str  # supervisor (the shift lead), admin (the manager), or ""
    level: int  # the escalation level it was raised to


@dataclass(frozen=True, slots=True)
class TicketFilter:
    """What the ticket list is narrowed to; empty fields do not narrow it."""

    number: str = ""
    waybill: str = ""
    owner: str = ""
    state: str = ""  # open, resolved, closed
    category: str = ""
    overdue_at_s: float | None = None  # only tickets past their deadline at this time


@dataclass(frozen=True, slots=True)
class TicketStep:
    time_s: float
    author: str
    action: str  # opened, escalated, chase (催单), reply, resolved, closed
    note: str


_COLUMNS = (
    "ticket_id, record_id, number, category, department, created_s, escalation_level, status,"
    " closed_s, owner, deadline_s, resolved_s, waybill"
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
        _time(row[8]),
        str(row[9]),
        _time(row[10]),
        _time(row[11]),
        str(row[12]),
    )


def _time(value: object) -> float | None:
    return float(str(value)) if value is not None else None


async def insert(connection: aiosqlite.Connection, ticket: Ticket) -> None:
    await connection.execute(
        f"INSERT INTO tickets ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            ticket.owner,
            ticket.deadline_s,
            ticket.resolved_s,
            ticket.waybill,
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


async def set_escalation(
    connection: aiosqlite.Connection, ticket_id: str, level: int, deadline_s: float | None
) -> bool:
    """Hand the ticket to `level`, whose time runs out at `deadline_s`; only from the level
    below (two escalations of the same step cannot both land)."""
    cursor = await connection.execute(
        "UPDATE tickets SET escalation_level = ?, deadline_s = ? WHERE ticket_id = ?"
        " AND status = 'open' AND escalation_level = ?",
        (level, deadline_s, ticket_id, level - 1),
    )
    return cursor.rowcount == 1


async def resolve(connection: aiosqlite.Connection, ticket_id: str, resolved_s: float) -> bool:
    cursor = await connection.execute(
        "UPDATE tickets SET resolved_s = ? WHERE ticket_id = ? AND status = 'open'"
        " AND resolved_s IS NULL",
        (resolved_s, ticket_id),
    )
    return cursor.rowcount == 1


async def past_deadline(connection: aiosqlite.Connection, now_s: float) -> list[Ticket]:
    """Open, unresolved tickets whose holder's time has run out."""
    rows = await connection.execute_fetchall(
        f"SELECT {_COLUMNS} FROM tickets WHERE status = 'open' AND resolved_s IS NULL"
        " AND deadline_s <= ? ORDER BY deadline_s",
        (now_s,),
    )
    return [_ticket(row) for row in rows]


async def search(
    connection: aiosqlite.Connection, found: TicketFilter, limit: int, *, ids: tuple[str, ...] = ()
) -> list[Ticket]:
    """Tickets matching every given part of `found` (and among `ids` when given), newest first."""
    where: list[str] = []
    values: list[object] = []
    for column, value in (
        ("number", found.number),
        ("waybill", found.waybill),
        ("owner", found.owner),
        ("category", found.category),
    ):
        if value:
            where.append(f"{column} = ?")
            values.append(value)
    if found.state == "closed":
        where.append("status = 'closed'")
    elif found.state == "resolved":
        where.append("status = 'open' AND resolved_s IS NOT NULL")
    elif found.state == "open":
        where.append("status = 'open' AND resolved_s IS NULL")
    if found.overdue_at_s is not None:
        where.append("status = 'open' AND resolved_s IS NULL AND deadline_s < ?")
        values.append(found.overdue_at_s)
    if ids:
        where.append(f"ticket_id IN ({', '.join('?' * len(ids))})")
        values.extend(ids)
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    rows = await connection.execute_fetchall(
        f"SELECT {_COLUMNS} FROM tickets{clause} ORDER BY created_s DESC LIMIT ?",
        (*values, limit),
    )
    return [_ticket(row) for row in rows]


async def for_record(connection: aiosqlite.Connection, record_id: str) -> list[Ticket]:
    rows = await connection.execute_fetchall(
        f"SELECT {_COLUMNS} FROM tickets WHERE record_id = ? ORDER BY created_s", (record_id,)
    )
    return [_ticket(row) for row in rows]


async def add_notice(
    connection: aiosqlite.Connection,
    time_s: float,
    ticket_id: str,
    level: int,
    *,
    for_agent: str = "",
    for_role: str = "",
) -> None:
    await connection.execute(
        "INSERT INTO ticket_notices (time_s, ticket_id, for_agent, for_role, level)"
        " VALUES (?, ?, ?, ?, ?)",
        (time_s, ticket_id, for_agent, for_role, level),
    )


async def notices_for(
    connection: aiosqlite.Connection, agent: str, role: str, limit: int
) -> list[TicketNotice]:
    """Unseen notices for this agent or their role, newest first."""
    rows = await connection.execute_fetchall(
        "SELECT id, time_s, ticket_id, for_agent, for_role, level FROM ticket_notices"
        " WHERE seen = 0 AND (for_agent = ? OR for_role = ?) ORDER BY time_s DESC, id DESC"
        " LIMIT ?",
        (agent, role, limit),
    )
    return [
        TicketNotice(int(r[0]), float(r[1]), str(r[2]), str(r[3]), str(r[4]), int(r[5]))
        for r in rows
    ]


async def notice_seen(
    connection: aiosqlite.Connection, notice_id: int, agent: str, role: str
) -> bool:
    cursor = await connection.execute(
        "UPDATE ticket_notices SET seen = 1 WHERE id = ? AND (for_agent = ? OR for_role = ?)",
        (notice_id, agent, role),
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
