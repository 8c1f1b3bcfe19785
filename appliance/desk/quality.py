"""Recorded calls and the supervisor's quality checks of them (质检)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from appliance.desk.audit import AuditTrail, SignedIn
from appliance.desk.forms import FormError, clean_text
from appliance.engine.records import CallRecord
from appliance.service import DepotService
from appliance.store import Store, quality
from appliance.store.desk_store import DeskStore
from appliance.store.quality import QUALITY_CRITERIA, QualityCheck


@dataclass(frozen=True, slots=True)
class RecordedCall:
    """A recorded call of a day with the quality checks it has had."""

    call: CallRecord
    checks: tuple[QualityCheck, ...]


class QualityDesk:
    def __init__(
        self,
        store: Store,
        desk_store: DeskStore,
        service: DepotService,
        audit: AuditTrail,
        *,
        recordings_dir: str,
    ) -> None:
        self._store = store
        self._db = desk_store
        self.service = service
        self._audit = audit
        self.recordings_dir = recordings_dir

    async def recorded_calls(self, since_s: float, until_s: float) -> list[RecordedCall]:
        recorded = [
            call
            for call in await self._store.calls(since_s, until_s, limit=100_000)
            if call.recording_path
        ]
        ids = [call.call_id for call in recorded]
        checks = await self._db.read(lambda c: quality.for_calls(c, ids))
        return [
            RecordedCall(call, tuple(checks.get(call.call_id, ())))
            for call in sorted(recorded, key=lambda c: c.arrived_s, reverse=True)
        ]

    async def recording_file(self, who: SignedIn, call_id: str) -> str:
        """The recording's path, only if it lies inside the recordings folder."""
        call = await self._store.call(call_id)
        if call is None or not call.recording_path or not self.recordings_dir:
            raise FormError("call_id", "not_found")
        folder = os.path.realpath(self.recordings_dir)
        path = os.path.realpath(os.path.join(folder, call.recording_path))
        if os.path.commonpath([folder, path]) != folder or not os.path.isfile(path):
            raise FormError("call_id", "not_found")
        await self._audit(who, "recording.play", call_id)
        return path

    async def check_quality(self, who: SignedIn, call_id: str, form: dict[str, str]) -> None:
        call = await self._store.call(call_id)
        if call is None or not call.recording_path:
            raise FormError("call_id", "not_found")
        scores = []
        for criterion in QUALITY_CRITERIA:
            value = form.get(criterion, "")
            if value not in ("1", "2", "3", "4", "5"):
                raise FormError(criterion, "choice")
            scores.append(int(value))
        note = clean_text("note", form.get("note", ""), required=False, max_chars=2000)
        greeting, accuracy, attitude = scores
        check = QualityCheck(
            call_id,
            self.service.now(),
            who.agent_id,
            call.agent,
            greeting,
            accuracy,
            attitude,
            note,
        )
        await self._db.write(lambda c: quality.add(c, check))
        await self._audit(who, "quality.check", call_id, "/".join(map(str, scores)))
