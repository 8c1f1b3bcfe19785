"""Lines and positions as the engine knows them: in service or not, and who or what is on
them."""

from __future__ import annotations

import functools

from drivers.roles import (
    AnswerLine,
    Connect,
    Disconnect,
    HangUpLine,
    HangUpPosition,
    MediaCapability,
    PlayMusic,
    StopMedia,
    StopRinging,
)

# The frequent driver actions that name nothing but a line, a position or both are frozen
# values, so one instance per id (or pair) serves every call. Building them afresh for each
# call was a measurable share of the engine's time: a frozen dataclass sets every field
# through object.__setattr__. Bounded in case a driver names its lines per call.
_SHARED_ACTIONS = 1024
answer_line_action = functools.lru_cache(maxsize=_SHARED_ACTIONS)(AnswerLine)
hang_up_line_action = functools.lru_cache(maxsize=_SHARED_ACTIONS)(HangUpLine)
play_music_action = functools.lru_cache(maxsize=_SHARED_ACTIONS)(PlayMusic)
stop_media_action = functools.lru_cache(maxsize=_SHARED_ACTIONS)(StopMedia)
stop_ringing_action = functools.lru_cache(maxsize=_SHARED_ACTIONS)(StopRinging)
hang_up_position_action = functools.lru_cache(maxsize=_SHARED_ACTIONS)(HangUpPosition)
connect_action = functools.lru_cache(maxsize=_SHARED_ACTIONS)(Connect)
disconnect_action = functools.lru_cache(maxsize=_SHARED_ACTIONS)(Disconnect)


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
