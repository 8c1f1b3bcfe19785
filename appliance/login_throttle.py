"""Login throttling: every sign-in attempt is counted, per agent id and per address, before
its password is checked, so guesses sent all at once are throttled like guesses one by one."""

from __future__ import annotations

from collections import deque

LOGIN_WINDOW_S = 60.0
LOGIN_ATTEMPTS_ALLOWED = 5  # attempts in the window; the next is refused unchecked
LOGIN_KEYS_KEPT = 10_000  # ids and addresses with recent attempts remembered at most


class LoginThrottle:
    """The attempts of the last LOGIN_WINDOW_S per key (`id:…`, `address:…`). `admit` counts an
    attempt and says how long to wait when it is one too many; the check and the count are one
    step with no await between them, so concurrent requests cannot all pass the check."""

    def __init__(
        self,
        *,
        window_s: float = LOGIN_WINDOW_S,
        attempts_allowed: int = LOGIN_ATTEMPTS_ALLOWED,
        keys_kept: int = LOGIN_KEYS_KEPT,
    ) -> None:
        self._window_s = window_s
        self._attempts_allowed = attempts_allowed
        self._keys_kept = keys_kept
        self._attempts: dict[str, deque[float]] = {}

    def admit(self, keys: tuple[str, ...], now_s: float) -> float:
        """0 when the attempt may go on (it is counted now, under every key); otherwise the
        seconds until one of the keys may try again (the refused attempt is not counted)."""
        wait_s = 0.0
        for key in keys:
            attempts = self._attempts.get(key)
            if attempts is None:
                continue
            while attempts and attempts[0] <= now_s - self._window_s:
                attempts.popleft()
            if len(attempts) >= self._attempts_allowed:
                wait_s = max(wait_s, attempts[0] + self._window_s - now_s)
        if wait_s > 0:
            return wait_s
        if len(self._attempts) >= self._keys_kept:
            self._forget_old(now_s)
        for key in keys:
            self._attempts.setdefault(key, deque()).append(now_s)
        return 0.0

    def succeeded(self, id_key: str, address_key: str) -> None:
        """A right password: the id starts afresh, and the address gets back the attempt it
        spent (a room of agents signing in from one address is never throttled)."""
        self._attempts.pop(id_key, None)
        attempts = self._attempts.get(address_key)
        if attempts:
            attempts.pop()

    def _forget_old(self, now_s: float) -> None:
        """Keep the memory bounded when someone guesses across many ids or addresses."""
        for key in [
            k
            for k, times in self._attempts.items()
            if not times or times[-1] <= now_s - self._window_s
        ]:
            del self._attempts[key]
