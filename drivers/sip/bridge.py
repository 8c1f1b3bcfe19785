"""The media bridge (Q6, Q8): callers, agents, supervisors, music and recorders on pjsua2's
conference bridge, as a `MediaBridge`."""

from __future__ import annotations

from drivers.roles import MediaAction
from drivers.sip.stack import SipStack


class SipMediaBridge:
    """Carries out Connect, Disconnect, HoldCaller, MuteCaller, JoinSupervisor, StartRecording
    and StopRecording; needs the stack running (through SipLines or SipPositions)."""

    def __init__(self, stack: SipStack) -> None:
        self._stack = stack

    async def perform(self, action: MediaAction) -> None:
        await self._stack.perform_media(action)
