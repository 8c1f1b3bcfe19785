"""TV display links: an admin names a screen and gets a link that shows the wallboard (figures
only, no caller) without a sign-in, until the admin revokes it. Only the link's hash is kept."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable

from appliance.desk.audit import AuditTrail, SignedIn
from appliance.desk.forms import FormError, clean_text
from appliance.store import display_links
from appliance.store.desk_store import DeskStore
from appliance.store.display_links import DisplayLink

SCREEN_NAME_MAX_CHARS = 40
__all__ = ["SCREEN_NAME_MAX_CHARS", "DisplayDesk", "DisplayLink"]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


class DisplayDesk:
    """The screens' links, stamped by the wall clock (the time the admin really made them)."""

    def __init__(
        self, desk_store: DeskStore, audit: AuditTrail, wall_clock: Callable[[], float]
    ) -> None:
        self._db = desk_store
        self._audit = audit
        self._wall_clock = wall_clock

    async def every(self) -> list[DisplayLink]:
        return await self._db.read(display_links.every)

    async def create(self, who: SignedIn, name: str) -> str:
        """The new screen's link secret (shown to the admin once); FormError for a bad name."""
        name = clean_text("screen_name", name, required=True, max_chars=SCREEN_NAME_MAX_CHARS)
        token = secrets.token_urlsafe(24)
        token_hash, now_s = _hash(token), self._wall_clock()
        await self._db.write(
            lambda c: display_links.insert(c, token_hash, name, now_s, who.agent_id)
        )
        await self._audit(who, "screen.add", name)
        return token

    async def revoke(self, who: SignedIn, link_id: str) -> None:
        """FormError when there is no such link."""
        if not link_id.isascii() or not link_id.isdigit():
            raise FormError("link_id", "not_found")
        name = await self._db.write(lambda c: display_links.remove(c, int(link_id)))
        if name is None:
            raise FormError("link_id", "not_found")
        await self._audit(who, "screen.revoke", name)

    async def valid(self, token: str) -> bool:
        if not token or len(token) > 64:
            return False
        token_hash = _hash(token)
        return await self._db.read(lambda c: display_links.known(c, token_hash))
