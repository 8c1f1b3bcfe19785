"""Notices on every agent's desk and the shift handover log (交接班)."""

from __future__ import annotations

from appliance.desk.audit import AuditTrail, SignedIn
from appliance.desk.forms import FormError, clean_text
from appliance.service import DepotService
from appliance.store import notices
from appliance.store.desk_store import DeskStore
from appliance.store.notices import HandoverEntry, Notice


class NoticeDesk:
    def __init__(self, desk_store: DeskStore, service: DepotService, audit: AuditTrail) -> None:
        self._db = desk_store
        self.service = service
        self._audit = audit

    async def notices(self) -> list[Notice]:
        return await self._db.read(notices.active_notices)

    async def add_notice(self, who: SignedIn, text: str) -> None:
        text = clean_text("text", text, required=True, max_chars=500)
        now_s = self.service.now()
        notice_id = await self._db.write(lambda c: notices.add_notice(c, now_s, who.agent_id, text))
        await self._audit(who, "notice.add", str(notice_id), text)

    async def withdraw_notice(self, who: SignedIn, notice_id: str) -> None:
        if not notice_id.isdigit():
            raise FormError("notice_id", "not_found")
        if not await self._db.write(lambda c: notices.withdraw_notice(c, int(notice_id))):
            raise FormError("notice_id", "not_found")
        await self._audit(who, "notice.withdraw", notice_id)

    async def handovers(self, *, limit: int = 100) -> list[HandoverEntry]:
        return await self._db.read(lambda c: notices.handovers(c, limit))

    async def add_handover(self, who: SignedIn, text: str) -> None:
        text = clean_text("text", text, required=True, max_chars=4000)
        entry = HandoverEntry(self.service.now(), who.agent_id, text)
        await self._db.write(lambda c: notices.add_handover(c, entry))
        await self._audit(who, "handover.add", who.agent_id)
