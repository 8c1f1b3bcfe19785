"""The unions of everything that goes into the engine and everything that comes out."""

from __future__ import annotations

from appliance.engine.commands import Command
from appliance.engine.records import (
    AgentNotice,
    CallbackRequested,
    CallbackSettled,
    CallEnded,
    CheckKeypadLogin,
    FaultCleared,
    FaultRecorded,
    LookUpWaybill,
    NumberBlocked,
    QueueLogEntry,
)
from drivers.roles import (
    ButtonPressed,
    LineAction,
    LineEvent,
    MediaAction,
    PositionAction,
    PositionEvent,
)

Event = LineEvent | PositionEvent | ButtonPressed | Command
Action = (
    LineAction
    | PositionAction
    | MediaAction
    | QueueLogEntry
    | CallEnded
    | CallbackRequested
    | CallbackSettled
    | NumberBlocked
    | FaultRecorded
    | FaultCleared
    | CheckKeypadLogin
    | LookUpWaybill
    | AgentNotice
)
