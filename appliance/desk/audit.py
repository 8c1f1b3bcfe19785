"""Who is signed in, and the audit log of what supervisors and admins did; an agent's own work
is kept in its records instead."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from appliance.store import Role, audit
from appliance.store.audit import AuditEntry
from appliance.store.desk_store import DeskStore


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who a browser session belongs to."""

    agent_id: str
    name: str
    role: Role
    csrf_token: str
    signed_in_s: float

    @property
    def is_supervisor(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.ADMIN)


class AuditTrail:
    """The audit log, stamped by the wall clock (the time the supervisor really acted)."""

    def __init__(self, desk_store: DeskStore, wall_clock: Callable[[], float]) -> None:
        self._db = desk_store
        self._wall_clock = wall_clock

    async def __call__(self, who: SignedIn, action: str, target: str, detail: str = "") -> None:
        """Keep a supervisor's or admin's action; an agent's own work is kept in its records."""
        if not who.is_supervisor:
            return
        entry = AuditEntry(self._wall_clock(), who.agent_id, who.role.value, action, target, detail)
        await self._db.write(lambda c: audit.append(c, entry))

    async def newest(self, limit: int) -> list[AuditEntry]:
        return await self._db.read(lambda c: audit.newest(c, limit))
