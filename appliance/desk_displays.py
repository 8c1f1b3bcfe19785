"""TV display links: an admin names a screen and gets a link that shows the wallboard (figures
only, no caller) without a sign-in, until the admin revokes it. Only the link's hash is kept."""

from __future__ import annotations

import hashlib
import secrets

from appliance.desk_forms import FormError, clean_text
from appliance.store import display_links
from appliance.store.desk_store import DeskStore
from appliance.store.display_links import DisplayLink

SCREEN_NAME_MAX_CHARS = 40
__all__ = ["SCREEN_NAME_MAX_CHARS", "DisplayLink", "create", "every", "revoke", "valid"]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


async def create(db: DeskStore, name: str, now_s: float, created_by: str) -> str:
    """A new screen's link secret (shown to the admin once); FormError for a bad name."""
    name = clean_text("screen_name", name, required=True, max_chars=SCREEN_NAME_MAX_CHARS)
    token = secrets.token_urlsafe(24)
    token_hash = _hash(token)
    await db.write(lambda c: display_links.insert(c, token_hash, name, now_s, created_by))
    return token


async def every(db: DeskStore) -> list[DisplayLink]:
    return await db.read(display_links.every)


async def revoke(db: DeskStore, link_id: str) -> str:
    """The revoked screen's name; FormError when there is no such link."""
    if not link_id.isascii() or not link_id.isdigit():
        raise FormError("link_id", "not_found")
    name = await db.write(lambda c: display_links.remove(c, int(link_id)))
    if name is None:
        raise FormError("link_id", "not_found")
    return name


async def valid(db: DeskStore, token: str) -> bool:
    if not token or len(token) > 64:
        return False
    token_hash = _hash(token)
    return await db.read(lambda c: display_links.known(c, token_hash))
