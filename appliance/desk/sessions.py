"""Sign-in and browser sessions: hashed cookie tokens, idle expiry, and login throttling by
agent id and by address. Runs on the wall clock, which attackers live by."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable

import aiosqlite

from appliance.desk.audit import AuditTrail, SignedIn
from appliance.login_throttle import LoginThrottle
from appliance.store import Store, web_sessions
from appliance.store.desk_store import DeskStore
from appliance.store.web_sessions import WebSession

log = logging.getLogger(__name__)

SESSION_IDLE_S = 8 * 3600.0
SESSION_MAX_S = 12 * 3600.0  # a session ends this long after sign-in, in use or not
SESSION_TOUCH_S = 60.0  # a session's last-seen time is written at most this often


class DeskError(Exception):
    """A request the desk refuses, with a message for the person who made it."""


class LoginThrottled(DeskError):
    def __init__(self, retry_after_s: float) -> None:
        super().__init__(f"too many wrong passwords; try again in {retry_after_s:.0f} s")
        self.retry_after_s = retry_after_s


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


class Sessions:
    def __init__(
        self,
        store: Store,
        desk_store: DeskStore,
        audit: AuditTrail,
        *,
        session_idle_s: float,
        wall_clock: Callable[[], float],
    ) -> None:
        self._store = store
        self._db = desk_store
        self._audit = audit
        self.session_idle_s = session_idle_s
        self._wall_clock = wall_clock
        self._throttle = LoginThrottle()

    async def sign_in(self, agent_id: str, password: str, address: str) -> tuple[str, SignedIn]:
        """A new session's cookie token and who it is. LoginThrottled after too many attempts
        for this id or from this address (counted before the password is checked); DeskError
        for a wrong id or password, which the audit log keeps."""
        now_s = self._wall_clock()
        id_key, address_key = f"id:{agent_id}", f"address:{address}"
        wait_s = self._throttle.admit((id_key, address_key), now_s)
        if wait_s > 0:
            log.warning("login throttled for agent id %r from %s", agent_id, address)
            raise LoginThrottled(wait_s)
        user = await self._store.check_password(agent_id, password) if agent_id else None
        if user is None:
            log.info("wrong agent id or password for %r from %s", agent_id, address)
            await self._audit.failed_sign_in(agent_id, address)
            raise DeskError("wrong agent id or password")
        self._throttle.succeeded(id_key, address_key)
        token = secrets.token_urlsafe(32)
        session = WebSession(
            _token_hash(token), user.agent_id, secrets.token_urlsafe(32), now_s, now_s
        )

        async def work(connection: aiosqlite.Connection) -> None:
            await web_sessions.remove_stale(
                connection, now_s - self.session_idle_s, now_s - SESSION_MAX_S
            )
            await web_sessions.insert(connection, session)

        await self._db.write(work)
        signed_in = SignedIn(user.agent_id, user.name, user.role, session.csrf_token, now_s)
        if signed_in.is_supervisor:
            await self._audit(signed_in, "sign_in", user.agent_id)
        return token, signed_in

    async def session(self, token: str) -> SignedIn | None:
        """Who holds this cookie, or None when it is unknown, idle too long or older than
        SESSION_MAX_S (then gone)."""
        if not token:
            return None
        token_hash = _token_hash(token)
        session = await self._db.read(lambda c: web_sessions.one(c, token_hash))
        if session is None:
            return None
        now_s = self._wall_clock()
        if (
            now_s - session.last_seen_s > self.session_idle_s
            or now_s - session.created_s > SESSION_MAX_S
        ):
            await self._db.write(lambda c: web_sessions.remove(c, token_hash))
            return None
        user = await self._store.user(session.agent_id)
        if user is None:  # the user was removed: the session ends with them
            await self._db.write(lambda c: web_sessions.remove(c, token_hash))
            return None
        if now_s - session.last_seen_s >= SESSION_TOUCH_S:
            await self._db.write(lambda c: web_sessions.touch(c, token_hash, now_s))
        return SignedIn(user.agent_id, user.name, user.role, session.csrf_token, session.created_s)

    async def sign_out(self, token: str) -> None:
        token_hash = _token_hash(token)
        await self._db.write(lambda c: web_sessions.remove(c, token_hash))
