"""Sign-in and browser sessions: hashed cookie tokens, idle expiry, and login throttling by
agent id and by address. Runs on the wall clock, which attackers live by."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections import deque
from collections.abc import Callable

import aiosqlite

from appliance.desk.audit import AuditTrail, SignedIn
from appliance.store import Store, web_sessions
from appliance.store.desk_store import DeskStore
from appliance.store.web_sessions import WebSession

log = logging.getLogger(__name__)

SESSION_IDLE_S = 8 * 3600.0
LOGIN_WINDOW_S = 60.0
LOGIN_FAILURES_ALLOWED = 5  # the next wrong try within the window is refused unchecked
LOGIN_KEYS_KEPT = 10_000  # ids and addresses with recent failures remembered at most
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
        self._failures: dict[str, deque[float]] = {}

    def _throttle_wait_s(self, keys: tuple[str, ...], now_s: float) -> float:
        wait_s = 0.0
        for key in keys:
            failures = self._failures.get(key)
            if failures is None:
                continue
            while failures and failures[0] <= now_s - LOGIN_WINDOW_S:
                failures.popleft()
            if len(failures) >= LOGIN_FAILURES_ALLOWED:
                wait_s = max(wait_s, failures[0] + LOGIN_WINDOW_S - now_s)
        return wait_s

    def _forget_old_failures(self, now_s: float) -> None:
        """Keep the memory bounded when someone guesses across many ids or addresses."""
        for key in [
            k for k, times in self._failures.items() if times[-1] <= now_s - LOGIN_WINDOW_S
        ]:
            del self._failures[key]

    async def sign_in(self, agent_id: str, password: str, address: str) -> tuple[str, SignedIn]:
        """A new session's cookie token and who it is. LoginThrottled after too many wrong
        passwords for this id or from this address; DeskError for a wrong id or password."""
        now_s = self._wall_clock()
        keys = (f"id:{agent_id}", f"address:{address}")
        wait_s = self._throttle_wait_s(keys, now_s)
        if wait_s > 0:
            log.warning("login throttled for agent id %r from %s", agent_id, address)
            raise LoginThrottled(wait_s)
        user = await self._store.check_password(agent_id, password) if agent_id else None
        if user is None:
            if len(self._failures) >= LOGIN_KEYS_KEPT:
                self._forget_old_failures(now_s)
            for key in keys:
                self._failures.setdefault(key, deque()).append(now_s)
            log.info("wrong agent id or password for %r from %s", agent_id, address)
            raise DeskError("wrong agent id or password")
        self._failures.pop(keys[0], None)
        token = secrets.token_urlsafe(32)
        session = WebSession(
            _token_hash(token), user.agent_id, secrets.token_urlsafe(32), now_s, now_s
        )

        async def work(connection: aiosqlite.Connection) -> None:
            await web_sessions.remove_idle(connection, now_s - self.session_idle_s)
            await web_sessions.insert(connection, session)

        await self._db.write(work)
        signed_in = SignedIn(user.agent_id, user.name, user.role, session.csrf_token, now_s)
        if signed_in.is_supervisor:
            await self._audit(signed_in, "sign_in", user.agent_id)
        return token, signed_in

    async def session(self, token: str) -> SignedIn | None:
        """Who holds this cookie, or None when it is unknown or idle too long (then gone)."""
        if not token:
            return None
        token_hash = _token_hash(token)
        session = await self._db.read(lambda c: web_sessions.one(c, token_hash))
        if session is None:
            return None
        now_s = self._wall_clock()
        if now_s - session.last_seen_s > self.session_idle_s:
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
