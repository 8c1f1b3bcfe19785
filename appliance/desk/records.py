"""Records about calls (咨询 投诉 救援 预约 回访), never edited once saved, with their appended
history; the customer directory they fill; the screen pop built from them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import aiosqlite

from appliance.desk.audit import AuditTrail, SignedIn
from appliance.desk.forms import RECORD_KINDS, FormError, clean_record_fields, clean_text
from appliance.desk.tickets import TicketDesk
from appliance.engine.records import CallRecord
from appliance.service import DepotService
from appliance.store import Store, desk_records, tickets
from appliance.store.desk_records import Customer, DeskRecord, HistoryEntry
from appliance.store.desk_store import DeskStore
from appliance.store.tickets import Ticket, TicketStep


@dataclass(frozen=True, slots=True)
class ScreenPop:
    """What an agent sees when a call rings: who it is and what happened before."""

    number: str
    customer: Customer | None
    past_calls: tuple[CallRecord, ...]
    records: tuple[DeskRecord, ...]
    open_tickets: tuple[Ticket, ...]


class RecordDesk:
    def __init__(
        self,
        store: Store,
        desk_store: DeskStore,
        service: DepotService,
        audit: AuditTrail,
        ticket_desk: TicketDesk,
    ) -> None:
        self._tickets = ticket_desk
        self._store = store
        self._db = desk_store
        self.service = service
        self._audit = audit

    async def save_record(
        self, who: SignedIn, kind: str, call_id: str, number: str, form: dict[str, str]
    ) -> DeskRecord:
        """Check and keep a record; a complaint opens a ticket in the same transaction.
        FormError (naming the field) and nothing kept when the form is incomplete."""
        if kind not in RECORD_KINDS:
            raise FormError("kind", "choice")
        number = clean_text("number", number, required=True, max_chars=32)
        call_id = clean_text("call_id", call_id, required=False, max_chars=64)
        fields = clean_record_fields(kind, form)
        now_s = self.service.now()
        record = DeskRecord(
            f"R{secrets.token_hex(5).upper()}", kind, call_id, number, who.agent_id, now_s, fields
        )
        ticket: Ticket | None = None
        if kind == "complaint":
            ticket = await self._tickets.new_ticket(f"T{secrets.token_hex(5).upper()}", record)

        async def work(connection: aiosqlite.Connection) -> None:
            await desk_records.insert(connection, record)
            await desk_records.upsert_customer(
                connection,
                number,
                record.field("customer_name"),
                record.field("customer_type"),
                now_s,
            )
            if ticket is not None:
                await tickets.insert(connection, ticket)
                step = TicketStep(now_s, who.agent_id, "opened", record.field("details"))
                await tickets.append_step(connection, ticket.ticket_id, step)

        await self._db.write(work)
        await self._audit(who, f"record.{kind}", record.record_id, number)
        return record

    async def append_to_record(self, who: SignedIn, record_id: str, note: str) -> None:
        """A reply or follow-up: appended to the record's history; the record stays as it was."""
        note = clean_text("note", note, required=True, max_chars=4000)
        if await self.record(record_id) is None:
            raise FormError("record_id", "not_found")
        entry = HistoryEntry(self.service.now(), who.agent_id, note)
        await self._db.write(lambda c: desk_records.append_history(c, record_id, entry))
        await self._audit(who, "record.append", record_id)

    async def record(self, record_id: str) -> DeskRecord | None:
        return await self._db.read(lambda c: desk_records.one(c, record_id))

    async def record_history(self, record_id: str) -> list[HistoryEntry]:
        return await self._db.read(lambda c: desk_records.history(c, record_id))

    async def recent_records(self, *, limit: int = 100) -> list[DeskRecord]:
        return await self._db.read(lambda c: desk_records.newest(c, limit))

    async def customers(self, search: str = "", *, limit: int = 200) -> list[Customer]:
        return await self._db.read(lambda c: desk_records.customers(c, search, limit))

    async def screen_pop(self, number: str) -> ScreenPop:
        """Caller number, customer name and type, past calls, records and open tickets."""
        if not number:
            return ScreenPop("", None, (), (), ())
        customer = await self._db.read(lambda c: desk_records.customer(c, number))
        past_calls = await self._store.calls_from(number, limit=10)
        records = await self._db.read(lambda c: desk_records.by_number(c, number, 10))
        open_tickets = await self._db.read(lambda c: tickets.for_number(c, number))
        return ScreenPop(number, customer, tuple(past_calls), tuple(records), tuple(open_tickets))
