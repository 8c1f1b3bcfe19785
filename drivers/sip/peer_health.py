"""Whether a gateway or an agent's phone is there, judged from its answers to keep-alives (and a
trunk's registrations): in service on any answer, out of service after N unanswered keep-alives
in a row. Each change is reported once, so a flapping peer does not flood the fault log."""

from __future__ import annotations


class PeerHealth:
    def __init__(self, misses_before_fault: int = 2) -> None:
        self.misses_before_fault = max(1, misses_before_fault)
        self.in_service: bool | None = None  # None: not known yet
        self.misses = 0
        self._waiting = False

    def asked(self) -> None:
        """A keep-alive went out."""
        self._waiting = True

    def answered(self) -> bool:
        """Any answer (or a call, or a registration): True if it just came into service."""
        self._waiting, self.misses = False, 0
        if self.in_service is True:
            return False
        self.in_service = True
        return True

    def heard(self) -> None:
        """An answer that proves the peer is there but not that it is usable (a trunk's
        registrar: the trunk is usable once registered): no miss, no change of service."""
        self._waiting, self.misses = False, 0

    def deadline(self) -> bool:
        """The keep-alive's time is up: True if this miss takes it out of service."""
        if not self._waiting:
            return False
        self._waiting = False
        self.misses += 1
        if self.misses < self.misses_before_fault:
            return False
        return self.lost()

    def lost(self) -> bool:
        """It is gone (time-outs, a failed registration): True if it just went out of service."""
        if self.in_service is False:
            return False
        self.in_service = False
        return True
