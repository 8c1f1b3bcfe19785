"""Callback tasks (回访): who calls whom back, and the supervisor's assignment of them."""

from __future__ import annotations

from appliance.desk.audit import AuditTrail, SignedIn
from appliance.desk.forms import FormError
from appliance.service import DepotService
from appliance.store import Store


class TaskDesk:
    def __init__(self, store: Store, service: DepotService, audit: AuditTrail) -> None:
        self._store = store
        self.service = service
        self._audit = audit

    async def assign_callback_task(self, who: SignedIn, task_id: str, agent_id: str) -> None:
        if agent_id and agent_id not in {a.id for a in self.service.setup().agents}:
            raise FormError("agent_id", "not_found")
        if not await self._store.assign_callback_task(task_id, agent_id):
            raise FormError("task_id", "not_found")
        await self._audit(who, "task.assign", task_id, agent_id)
