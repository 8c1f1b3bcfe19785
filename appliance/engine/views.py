"""A frozen picture of the engine's live state, for the agent monitor (座席监控), the agent
desk and the wallboard's live counts. Built by Engine.snapshot(); safe to hand to the web UI."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class AgentState(enum.Enum):
    LOGGED_OUT = "logged_out"
    READY = "ready"
    RINGING = "ringing"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    PAUSED = "paused"


class CallStage(enum.Enum):
    RINGING_LINE = "ringing_line"  # arrived, not yet answered by the box
    GREETING = "greeting"  # greeting and menu
    QUEUED = "queued"
    OFFERED = "offered"  # waiting and an agent's phone rings
    CONNECTED = "connected"
    ON_HOLD = "on_hold"
    VOICEMAIL = "voicemail"
    SURVEY = "survey"
    DIALLING = "dialling"  # outbound
    ENDING = "ending"


@dataclass(frozen=True, slots=True)
class AgentView:
    id: str
    name: str
    state: AgentState
    since_s: float  # when the current state began
    position: str = ""
    pause_reason: str = ""
    call_id: str = ""
    wrap_up_until_s: float | None = None  # the countdown of WRAP_UP
    summary_pending: bool = False  # the wrap-up waits for the call summary (summary_required)
    calls_today: int = 0
    talk_s_today: float = 0.0
    logged_in_since_s: float | None = None
    missed_offers: int = 0


@dataclass(frozen=True, slots=True)
class CallView:
    id: str
    line: str
    number: str
    name: str
    stage: CallStage
    arrived_s: float
    queue: str = ""
    enqueued_s: float | None = None
    position_in_queue: int = 0  # 1 = next; 0 = not waiting
    agent: str = ""
    connected_s: float | None = None
    vip: bool = False
    language: str = "zh-CN"
    waybill: str = ""  # keyed in the self-service before the caller asked for an agent


@dataclass(frozen=True, slots=True)
class LineView:
    id: str
    in_service: bool
    full_duplex: bool
    call_id: str = ""
    fault: str = ""


@dataclass(frozen=True, slots=True)
class EngineSnapshot:
    time_s: float
    agents: tuple[AgentView, ...]
    calls: tuple[CallView, ...]
    lines: tuple[LineView, ...]
    open_now: bool
