"""Tickets (工单, S5): a complaint's ticket, escalated from the department to the shift lead
(班长) and the manager as it ages by the depot's clock, closed after the follow-up call."""

from __future__ import annotations

import aiosqlite

from appliance.desk.audit import AuditTrail, SignedIn
from appliance.desk.forms import FormError, clean_text
from appliance.service import DepotService
from appliance.store import tickets
from appliance.store.desk_store import DeskStore
from appliance.store.tickets import Ticket, TicketStep

ESCALATE_AFTER_S = 24 * 3600.0  # open this long: the shift lead (班长); twice as long: manager
ESCALATION_LEVELS = ("department", "shift_lead", "manager")


class TicketDesk:
    def __init__(self, desk_store: DeskStore, service: DepotService, audit: AuditTrail) -> None:
        self._db = desk_store
        self.service = service
        self._audit = audit

    def due_level(self, ticket: Ticket) -> int:
        """Who should hold the ticket by now: 0 department, 1 shift lead after 24 h, 2
        manager after 48 h (by the depot's clock)."""
        age_s = self.service.now() - ticket.created_s
        return min(int(age_s // ESCALATE_AFTER_S), len(ESCALATION_LEVELS) - 1)

    def is_overdue(self, ticket: Ticket) -> bool:
        return ticket.status == "open" and self.due_level(ticket) > ticket.escalation_level

    async def ticket(self, ticket_id: str) -> Ticket | None:
        return await self._db.read(lambda c: tickets.one(c, ticket_id))

    async def ticket_steps(self, ticket_id: str) -> list[TicketStep]:
        return await self._db.read(lambda c: tickets.steps(c, ticket_id))

    async def open_tickets(self) -> list[Ticket]:
        return await self._db.read(tickets.open_tickets)

    async def recent_tickets(self, *, limit: int = 200) -> list[Ticket]:
        return await self._db.read(lambda c: tickets.newest(c, limit))

    async def overdue_tickets(self) -> list[Ticket]:
        return [t for t in await self.open_tickets() if self.is_overdue(t)]

    async def escalate_ticket(self, who: SignedIn, ticket_id: str, note: str = "") -> Ticket:
        """Hand the ticket one level up (shift lead, then manager)."""
        note = clean_text("note", note, required=False, max_chars=4000)
        ticket = await self.ticket(ticket_id)
        if ticket is None or ticket.status != "open":
            raise FormError("ticket_id", "not_found")
        if ticket.escalation_level >= len(ESCALATION_LEVELS) - 1:
            raise FormError("ticket_id", "at_top")
        level = ticket.escalation_level + 1
        step = TicketStep(self.service.now(), who.agent_id, "escalated", note)

        async def work(connection: aiosqlite.Connection) -> None:
            await tickets.set_escalation(connection, ticket_id, level)
            await tickets.append_step(connection, ticket_id, step)

        await self._db.write(work)
        await self._audit(who, "ticket.escalate", ticket_id, ESCALATION_LEVELS[level])
        updated = await self.ticket(ticket_id)
        assert updated is not None
        return updated

    async def close_ticket(self, who: SignedIn, ticket_id: str, follow_up: str) -> None:
        """Closed once the caller was called back; the follow-up call's note is required."""
        follow_up = clean_text("follow_up", follow_up, required=True, max_chars=4000)
        step = TicketStep(self.service.now(), who.agent_id, "closed", follow_up)

        async def work(connection: aiosqlite.Connection) -> bool:
            if not await tickets.close(connection, ticket_id, step.time_s):
                return False
            await tickets.append_step(connection, ticket_id, step)
            return True

        if not await self._db.write(work):
            raise FormError("ticket_id", "not_found")
        await self._audit(who, "ticket.close", ticket_id)
