"""Tickets (工单, S5) with an owner and a clock: the agent who recorded the complaint owns it
until it closes (首问负责); its holder — the department, the shift lead, the manager — has until
the deadline of the category's limit; the depot escalates by itself when a deadline passes;
anyone appends chase notes (催单) and replies; resolving makes the follow-up 回访 task, and the
ticket closes when that call reaches the customer, or when a supervisor closes it with a reason."""

from __future__ import annotations

import logging

import aiosqlite

from appliance.desk.audit import AuditTrail, SignedIn
from appliance.desk.forms import (
    COMPLAINT_CATEGORIES,
    FormError,
    ascii_digits,
    clean_text,
    clean_waybill,
)
from appliance.desk.tasks import TaskDesk
from appliance.desk.ticket_limits import (
    ESCALATION_LEVELS,
    LEVEL_ROLES,
    LIMITS_OPTION,
    TicketLimits,
    limits_from_form,
)
from appliance.service import DepotService
from appliance.store import CallbackAttempt, desk_options, tasks, tickets
from appliance.store.desk_records import DeskRecord
from appliance.store.desk_store import DeskStore
from appliance.store.tickets import Ticket, TicketFilter, TicketNotice, TicketStep

log = logging.getLogger(__name__)

NOTE_ACTIONS = ("chase", "reply")
TICKET_STATES = ("open", "resolved", "closed")
DEPOT_AUTHOR = "depotline"  # the author of the steps the depot takes by itself


class TicketDesk:
    def __init__(
        self, desk_store: DeskStore, service: DepotService, audit: AuditTrail, task_desk: TaskDesk
    ) -> None:
        self._db = desk_store
        self.service = service
        self._audit = audit
        self._tasks = task_desk

    # -- the clock ----------------------------------------------------------------------------

    async def limits(self) -> TicketLimits:
        return TicketLimits.from_saved(
            await self._db.read(lambda c: desk_options.read(c, LIMITS_OPTION))
        )

    async def change_limits(self, who: SignedIn, form: dict[str, str]) -> TicketLimits:
        limits = limits_from_form(form)
        await self._db.write(lambda c: desk_options.write(c, LIMITS_OPTION, limits.to_saved()))
        await self._audit(who, "settings.ticket_limits", LIMITS_OPTION, str(limits.to_saved()))
        return limits

    def is_overdue(self, ticket: Ticket) -> bool:
        """Open, not resolved, and past its holder's deadline by the depot's clock."""
        return (
            ticket.state == "open"
            and ticket.deadline_s is not None
            and self.service.now() > ticket.deadline_s
        )

    async def new_ticket(self, ticket_id: str, record: DeskRecord) -> Ticket:
        """The ticket a complaint record opens, owned by the agent who wrote it."""
        category = record.field("category")
        limits = await self.limits()
        return Ticket(
            ticket_id,
            record.record_id,
            record.number,
            category,
            record.field("department"),
            record.created_s,
            0,
            "open",
            None,
            owner=record.agent,
            deadline_s=limits.deadline_s(category, record.created_s, 0),
            waybill=record.field("waybill"),
        )

    async def escalate_due(self) -> list[str]:
        """Hand every ticket past its deadline one level up, as the depot itself; each step is
        in the history and on the desks of the owner and the new holder. The daemon runs this
        every minute."""
        now_s = self.service.now()
        limits = await self.limits()
        due = await self._db.read(lambda c: tickets.past_deadline(c, now_s))
        escalated = []
        for ticket in due:
            if ticket.escalation_level >= len(ESCALATION_LEVELS) - 1:
                continue
            if await self._escalate(ticket, DEPOT_AUTHOR, "", limits):
                escalated.append(ticket.ticket_id)
        if escalated:
            log.info("tickets escalated past their deadline: %s", " ".join(escalated))
        return escalated

    async def _escalate(self, ticket: Ticket, author: str, note: str, limits: TicketLimits) -> bool:
        now_s = self.service.now()
        level = ticket.escalation_level + 1
        deadline_s = limits.deadline_s(ticket.category, ticket.created_s, level)
        step = TicketStep(now_s, author, "escalated", note or ESCALATION_LEVELS[level])

        async def work(connection: aiosqlite.Connection) -> bool:
            if not await tickets.set_escalation(connection, ticket.ticket_id, level, deadline_s):
                return False  # someone else escalated it first
            await tickets.append_step(connection, ticket.ticket_id, step)
            if ticket.owner:
                await tickets.add_notice(
                    connection, now_s, ticket.ticket_id, level, for_agent=ticket.owner
                )
            await tickets.add_notice(
                connection, now_s, ticket.ticket_id, level, for_role=LEVEL_ROLES[level]
            )
            return True

        return await self._db.write(work)

    async def escalate_ticket(self, who: SignedIn, ticket_id: str, note: str = "") -> Ticket:
        """A supervisor hands the ticket one level up before its deadline."""
        note = clean_text("note", note, required=False, max_chars=4000)
        ticket = await self.ticket(ticket_id)
        if ticket is None or ticket.status != "open":
            raise FormError("ticket_id", "not_found")
        if ticket.escalation_level >= len(ESCALATION_LEVELS) - 1:
            raise FormError("ticket_id", "at_top")
        if not await self._escalate(ticket, who.agent_id, note, await self.limits()):
            raise FormError("ticket_id", "changed")
        await self._audit(
            who, "ticket.escalate", ticket_id, ESCALATION_LEVELS[ticket.escalation_level + 1]
        )
        updated = await self.ticket(ticket_id)
        assert updated is not None
        return updated

    # -- the history ---------------------------------------------------------------------------

    async def add_note(self, who: SignedIn, ticket_id: str, action: str, note: str) -> None:
        """A chase note (催单) or a reply, appended to the history."""
        if action not in NOTE_ACTIONS:
            raise FormError("action", "choice")
        note = clean_text("note", note, required=True, max_chars=4000)
        ticket = await self.ticket(ticket_id)
        if ticket is None or ticket.status != "open":
            raise FormError("ticket_id", "not_found")
        step = TicketStep(self.service.now(), who.agent_id, action, note)
        await self._db.write(lambda c: tickets.append_step(c, ticket_id, step))
        await self._audit(who, f"ticket.{action}", ticket_id)

    async def resolve(self, who: SignedIn, ticket_id: str, resolution: str) -> None:
        """The owner (or a supervisor) says how it was resolved; the follow-up 回访 task is made
        (or the number's open task takes it on) in the same transaction."""
        resolution = clean_text("resolution", resolution, required=True, max_chars=4000)
        ticket = await self.ticket(ticket_id)
        if ticket is None or ticket.state != "open":
            raise FormError("ticket_id", "not_found")
        if who.agent_id != ticket.owner and not who.is_supervisor:
            raise FormError("ticket_id", "not_owner")
        now_s = self.service.now()
        step = TicketStep(now_s, who.agent_id, "resolved", resolution)
        task = self._tasks.new_task(
            ticket.number, "", "ticket", resolution[:500], by=who.agent_id, ticket_id=ticket_id
        )

        async def work(connection: aiosqlite.Connection) -> bool:
            if not await tickets.resolve(connection, ticket_id, now_s):
                return False
            await tickets.append_step(connection, ticket_id, step)
            if not await tasks.add(connection, task):
                await tasks.take_on_ticket(connection, ticket.number, ticket_id)
            return True

        if not await self._db.write(work):
            raise FormError("ticket_id", "not_found")
        await self._audit(who, "ticket.resolve", ticket_id)

    async def close_ticket(self, who: SignedIn, ticket_id: str, reason: str) -> None:
        """A supervisor closes the ticket without (or before) the follow-up call, saying why;
        its open follow-up task closes with it."""
        if not who.is_supervisor:
            raise FormError("ticket_id", "not_owner")
        reason = clean_text("reason", reason, required=True, max_chars=4000)
        step = TicketStep(self.service.now(), who.agent_id, "closed", reason)

        async def work(connection: aiosqlite.Connection) -> bool:
            if not await tickets.close(connection, ticket_id, step.time_s):
                return False
            await tickets.append_step(connection, ticket_id, step)
            # its follow-up call is no longer wanted: nobody calls about a closed complaint
            for task in await tasks.for_ticket(connection, ticket_id):
                if task.status == "open":
                    closing = CallbackAttempt(
                        task.task_id, step.time_s, who.agent_id, "closed", reason
                    )
                    await tasks.add_attempt(connection, closing, closed_as="closed")
            return True

        if not await self._db.write(work):
            raise FormError("ticket_id", "not_found")
        await self._audit(who, "ticket.close", ticket_id, reason)

    # -- reading ----------------------------------------------------------------------------------

    async def ticket(self, ticket_id: str) -> Ticket | None:
        return await self._db.read(lambda c: tickets.one(c, ticket_id))

    async def ticket_steps(self, ticket_id: str) -> list[TicketStep]:
        return await self._db.read(lambda c: tickets.steps(c, ticket_id))

    async def open_tickets(self) -> list[Ticket]:
        return await self._db.read(tickets.open_tickets)

    async def recent_tickets(self, *, limit: int = 200) -> list[Ticket]:
        return await self._db.read(lambda c: tickets.newest(c, limit))

    async def overdue_tickets(self, *, limit: int = 500) -> list[Ticket]:
        found = TicketFilter(overdue_at_s=self.service.now())
        return await self._db.read(lambda c: tickets.search(c, found, limit))

    async def search(
        self, form: dict[str, str], *, ids: tuple[str, ...] = (), limit: int = 200
    ) -> list[Ticket]:
        """By number, waybill, owner, state, category and overdue (`overdue` = "1"); a value
        outside the lists is ignored rather than refused (it comes from a link)."""
        found = TicketFilter(
            number=form.get("number", "").strip()[:32],
            waybill=clean_waybill(form.get("waybill", "")) or "",
            owner=form.get("owner", "").strip()[:20],
            state=form.get("state", "") if form.get("state", "") in TICKET_STATES else "",
            category=c if (c := form.get("category", "")) in COMPLAINT_CATEGORIES else "",
            overdue_at_s=self.service.now() if form.get("overdue", "") == "1" else None,
        )
        return await self._db.read(lambda c: tickets.search(c, found, limit, ids=ids))

    async def for_record(self, record_id: str) -> list[Ticket]:
        return await self._db.read(lambda c: tickets.for_record(c, record_id))

    async def follow_up_tasks(self, ticket_id: str) -> list[tasks.CallbackTask]:
        return await self._db.read(lambda c: tasks.for_ticket(c, ticket_id))

    async def notices_for(self, who: SignedIn, *, limit: int = 20) -> list[TicketNotice]:
        """Escalations on this person's desk: of tickets they own, or raised to their role."""
        role = who.role.value
        return await self._db.read(lambda c: tickets.notices_for(c, who.agent_id, role, limit))

    async def notice_seen(self, who: SignedIn, notice_id: str) -> None:
        if not ascii_digits(notice_id):
            raise FormError("notice_id", "not_found")
        role = who.role.value
        if not await self._db.write(
            lambda c: tickets.notice_seen(c, int(notice_id), who.agent_id, role)
        ):
            raise FormError("notice_id", "not_found")
