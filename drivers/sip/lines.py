"""SIP lines (L2): the channels of FXO gateways and SIP trunks, as `LineDriver`s."""

from __future__ import annotations

from drivers.roles import LineAction, LineEventSink
from drivers.sip.stack import SipStack


class SipLines:
    """Every channel of every gateway and trunk of the stack is one line id."""

    def __init__(self, stack: SipStack) -> None:
        self._stack = stack

    @property
    def line_ids(self) -> tuple[str, ...]:
        return self._stack.line_ids

    async def run(self, emit: LineEventSink) -> None:
        async with self._stack.running():
            self._stack.attach_lines(emit)
            try:
                await self._stack.until_failed()
            finally:
                self._stack.attach_lines(None)

    async def perform(self, action: LineAction) -> None:
        await self._stack.perform_line(action)
