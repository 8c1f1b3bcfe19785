"""What subscribers of the running depot (the web UI) are told: figures changed, a notice for an
agent, a call ended. Frozen data only."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.engine.records import AgentNotice, CallRecord
from drivers.roles import WallboardFigures


@dataclass(frozen=True, slots=True)
class FiguresChanged:
    figures: WallboardFigures


@dataclass(frozen=True, slots=True)
class NoticeIssued:
    notice: AgentNotice


@dataclass(frozen=True, slots=True)
class CallLogged:
    """A call ended and its record is saved."""

    record: CallRecord


Update = FiguresChanged | NoticeIssued | CallLogged
