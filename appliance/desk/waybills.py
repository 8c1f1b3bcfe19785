"""Waybills (运单号): the depot's tracking export loaded from an upload or picked up from the
tracking folder beside the database, and the search by waybill across its status, the records
that name it, their calls, the calls that keyed it in the self-service and the tickets about it."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from appliance.desk.audit import AuditTrail, SignedIn
from appliance.desk.csv_rows import CSV_MAX_BYTES, CsvProblem
from appliance.desk.forms import FormError, clean_waybill
from appliance.desk.tracking_export import in_words, read_export
from appliance.engine.records import CallRecord
from appliance.service import DepotService
from appliance.store import Store, desk_records, queue_log, tickets, waybills
from appliance.store.desk_records import DeskRecord
from appliance.store.desk_store import DeskStore
from appliance.store.tickets import Ticket, TicketFilter
from appliance.store.waybills import Waybill

log = logging.getLogger(__name__)

TRACKING_FOLDER = "tracking"  # beside the database: drop the nightly export here
LOADED_FOLDER = "loaded"
REFUSED_FOLDER = "refused"
FOUND_LIMIT = 50
SETTLE_S = 10.0  # a file written to less than this long ago may still be being written


@dataclass(frozen=True, slots=True)
class ImportSummary:
    rows: int  # waybills in the file
    changed: int  # added or brought up to date (an older row changes nothing)
    total: int  # waybills the depot knows now


@dataclass(frozen=True, slots=True)
class WaybillSearch:
    waybill: str
    tracking: Waybill | None
    records: tuple[DeskRecord, ...]
    calls: tuple[CallRecord, ...]
    tickets: tuple[Ticket, ...]


class WaybillDesk:
    def __init__(
        self,
        store: Store,
        desk_store: DeskStore,
        service: DepotService,
        audit: AuditTrail,
        *,
        tracking_folder: str,
    ) -> None:
        self._store = store
        self._db = desk_store
        self.service = service
        self._audit = audit
        self.tracking_folder = tracking_folder

    async def load_export(self, data: bytes, source: str) -> ImportSummary:
        """Check the whole file, then load it in one transaction (CsvProblem: nothing loaded)."""
        if len(data) > CSV_MAX_BYTES:
            raise CsvProblem(1, "file", 1, "too_large")
        rows = read_export(
            data,
            self.service.setup().hours.timezone,
            loaded_s=self.service.now(),
            source=source[:200],
        )
        changed = await self._db.write(lambda c: waybills.load(c, rows))
        total = await self._db.read(waybills.count)
        return ImportSummary(len(rows), changed, total)

    async def import_upload(self, who: SignedIn, name: str, data: bytes) -> ImportSummary:
        try:
            summary = await self.load_export(data, name)
        except CsvProblem as problem:
            await self._audit(who, "waybills.refused", name, str(problem))
            raise
        await self._audit(who, "waybills.import", name, f"{summary.rows} rows")
        return summary

    async def pick_up(self) -> list[str]:
        """Load every CSV waiting in the tracking folder, oldest name first; each moves to
        loaded/ or, refused, to refused/ with a `.error.txt` naming the line and column. A file
        changed in the last SETTLE_S seconds (by the file's own time) waits for the next round."""
        folder = Path(self.tracking_folder)
        await asyncio.to_thread(folder.mkdir, exist_ok=True)
        waiting = await asyncio.to_thread(_settled_exports, folder)
        handled = []
        for path in waiting:
            data = await asyncio.to_thread(path.read_bytes)
            try:
                summary = await self.load_export(data, path.name)
            except CsvProblem as problem:
                log.warning("tracking export %s refused: %s", path, in_words(problem))
                await asyncio.to_thread(_file_away, path, REFUSED_FOLDER, in_words(problem))
            else:
                log.info("tracking export %s: %d waybills", path, summary.rows)
                await asyncio.to_thread(_file_away, path, LOADED_FOLDER, "")
            handled.append(path.name)
        return handled

    async def waybill(self, number: str) -> Waybill | None:
        waybill = clean_waybill(number)
        if waybill is None:
            return None
        return await self._db.read(lambda c: waybills.one(c, waybill))

    async def search(self, text: str) -> WaybillSearch:
        """The waybill's status and everything the depot has about it."""
        asked = clean_waybill(text)
        if asked is None:
            raise FormError("waybill", "waybill_format")
        # the digits a caller keyed find the waybill too: the carrier's letters left out
        tracking = await self._db.read(lambda c: waybills.asked(c, asked))
        waybill = tracking.waybill if tracking is not None else asked
        records = await self._db.read(lambda c: desk_records.by_waybill(c, waybill, FOUND_LIMIT))
        about = TicketFilter(waybill=waybill)
        found_tickets = await self._db.read(lambda c: tickets.search(c, about, FOUND_LIMIT))
        digits = waybills.keyed_as(waybill)
        keyed = (
            await self._db.read(lambda c: queue_log.calls_keying(c, digits, FOUND_LIMIT))
            if digits
            else []
        )
        call_ids = dict.fromkeys([*keyed, *(r.call_id for r in records if r.call_id)])
        calls = [
            call for call_id in call_ids if (call := await self._store.call(call_id)) is not None
        ]
        calls.sort(key=lambda call: call.arrived_s, reverse=True)
        return WaybillSearch(waybill, tracking, tuple(records), tuple(calls), tuple(found_tickets))

    async def count(self) -> int:
        return await self._db.read(waybills.count)


def _settled_exports(folder: Path) -> list[Path]:
    settled_before = time.time() - SETTLE_S
    return sorted(path for path in folder.glob("*.csv") if path.stat().st_mtime < settled_before)


def _file_away(path: Path, folder_name: str, error: str) -> None:
    target = path.parent / folder_name
    target.mkdir(exist_ok=True)
    os.replace(path, target / path.name)
    if error:
        (target / f"{path.name}.error.txt").write_text(error + "\n", encoding="utf-8")
