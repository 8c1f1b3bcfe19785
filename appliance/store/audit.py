"""The audit_log table: every supervisor and admin action (who, what, when, on what); rows are
only ever appended."""

from __future__ import annotations

from dataclasses import dataclass

import aiosqlite


@dataclass(frozen=True, slots=True)
class AuditEntry:
    time_s: float
    actor: str  # agent id (工号) of who did it
    role: str
    action: str  # e.g. "ticket.escalate"
    target: str  # what it was done to (ticket id, number, agent id …)
    detail: str = ""


async def append(connection: aiosqlite.Connection, entry: AuditEntry) -> None:
    await connection.execute(
        "INSERT INTO audit_log (time_s, actor, role, action, target, detail)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (entry.time_s, entry.actor, entry.role, entry.action, entry.target, entry.detail),
    )


async def newest(connection: aiosqlite.Connection, limit: int) -> list[AuditEntry]:
    rows = await connection.execute_fetchall(
        "SELECT time_s, actor, role, action, target, detail FROM audit_log"
        " ORDER BY id DESC LIMIT ?",
        (limit,),
    )
    return [
        AuditEntry(float(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5])) for r in rows
    ]
