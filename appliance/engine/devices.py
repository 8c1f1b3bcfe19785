"""Lines and positions as the engine knows them: in service or not, and who or what is on
them."""

from __future__ import annotations

from drivers.roles import MediaCapability


class LineState:
    __slots__ = ("call_id", "fault", "id", "in_service", "media")

    def __init__(self, line_id: str) -> None:
        self.id = line_id
        self.in_service = True
        self.media = MediaCapability.FULL_DUPLEX
        self.call_id = ""
        self.fault = ""


class PositionState:
    __slots__ = ("agent", "id", "in_service", "keypad", "persistent")

    def __init__(self, position_id: str) -> None:
        self.id = position_id
        self.in_service = False
        self.persistent = False
        self.agent = ""  # the agent logged in here
        self.keypad = ""  # digits of a keypad login being typed
