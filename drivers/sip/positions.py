"""SIP positions (A1): agents' SIP phones and softphones, rung per call or dialled in, as a
`PositionDriver`."""

from __future__ import annotations

from drivers.roles import PositionAction, PositionEventSink
from drivers.sip.stack import SipStack


class SipPositions:
    def __init__(self, stack: SipStack) -> None:
        self._stack = stack

    @property
    def position_ids(self) -> tuple[str, ...]:
        return self._stack.position_ids

    async def run(self, emit: PositionEventSink) -> None:
        async with self._stack.running():
            self._stack.attach_positions(emit)
            try:
                await self._stack.until_failed()
            finally:
                self._stack.attach_positions(None)

    async def perform(self, action: PositionAction) -> None:
        await self._stack.perform_position(action)
