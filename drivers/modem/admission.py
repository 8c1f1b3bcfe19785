"""A modem line's question to the box before it answers a caller: is there room for their agent
leg? Asked only of a line bridged into SIP media with agent legs to place; others take all."""

from __future__ import annotations

import asyncio
import logging

from drivers.roles import CallerAdmission, CallerId

log = logging.getLogger(__name__)


class LineAdmission:
    """Holds the line's admission (if any) and whether the current caller was taken by it, so
    that every ending of the call gives the room back exactly once."""

    def __init__(self, line: str) -> None:
        self._line = line
        self._admission: CallerAdmission | None = None
        self._taken = False

    def use(self, admission: CallerAdmission) -> None:
        self._admission = admission

    @property
    def asks(self) -> bool:
        return self._admission is not None

    async def ask(self, caller: CallerId) -> bool:
        """Whether to answer the caller; a refusal (the box is full) is logged with why."""
        assert self._admission is not None
        try:
            answer = await self._admission.take()
        except asyncio.CancelledError:
            # the line stopped (a fault, shutdown) while asking: the box may have taken the
            # caller already, and nobody will end this call to give the room back
            self._admission.release()
            raise
        if answer.taken:
            self._taken = True
            return True
        log.warning(
            "line %s: not answering the caller %s (box_full): %s",
            self._line,
            caller.number or "(no number)",
            answer.why,
        )
        return False

    def release(self) -> None:
        if self._taken and self._admission is not None:
            self._taken = False
            self._admission.release()
