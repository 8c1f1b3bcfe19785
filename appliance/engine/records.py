"""What the engine asks the shell to keep or tell: queue-log entries, call detail records,
callback tasks, blacklist entries, faults, and notices for the agent desks.

The queue log has the meaning of Asterisk's queue_log: one line per thing that happened,
append-only; call records and every figure are derived from it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import NamedTuple


class Verb(enum.Enum):
    """Queue-log verbs. Asterisk's where they exist, with their data fields; depotline's own
    below. `data` holds the fields as strings in the order given."""

    # caller side
    INBOUND = "INBOUND"  # call arrived on a line: data (number, name)
    ENTERQUEUE = "ENTERQUEUE"  # data ("", number, priority)
    RINGNOANSWER = "RINGNOANSWER"  # agent did not answer the offer: data (ring_ms,)
    RINGREJECTED = "RINGREJECTED"  # agent's phone declined or was busy: data (reason,)
    RINGCANCELED = "RINGCANCELED"  # offer withdrawn (caller left, another agent took it)
    CONNECT = "CONNECT"  # data (wait_s, "", ring_s)
    COMPLETECALLER = "COMPLETECALLER"  # caller hung up: data (wait_s, talk_s, position)
    COMPLETEAGENT = "COMPLETEAGENT"  # agent hung up: data (wait_s, talk_s, position)
    TRANSFER = "TRANSFER"  # data (to_agent, "", wait_s, talk_s)
    ABANDON = "ABANDON"  # caller hung up waiting: data (position, orig_position, wait_s)
    EXITWITHTIMEOUT = "EXITWITHTIMEOUT"  # max wait reached: data (position, orig_pos, wait_s)
    EXITEMPTY = "EXITEMPTY"  # no agents logged in: data (position, orig_pos, wait_s)
    EXITFULL = "EXITFULL"  # max length reached, never queued: data ()
    EXITWITHKEY = "EXITWITHKEY"  # virtual hold: data (key, position, orig_pos, wait_s)
    # closing time came while the caller waited: data (position, orig_pos, wait_s)
    EXITCLOSED = "EXITCLOSED"
    # the box ended the call while the caller waited (line fault, call cap, shutdown, silent
    # line): data (end_reason, position, orig_pos, wait_s); never an abandon
    EXITINTERRUPTED = "EXITINTERRUPTED"
    OVERFLOW = "OVERFLOW"  # moved to another queue or to voicemail/callback: data (kind, target)
    CLOSED = "CLOSED"  # outside opening hours: data ()
    BLOCKED = "BLOCKED"  # blacklisted number refused, or blocked by an agent: data (by,)
    HOLD = "HOLD"
    UNHOLD = "UNHOLD"
    MUTE = "MUTE"  # data (seconds,)
    TALKWARNING = "TALKWARNING"  # 超时预警: data (talk_s,)
    # keypad self-service (货物查询): the caller keyed a waybill number: data (number, result)
    # with result "found", "unknown" or "not_answered" (the look-up got no answer in time)
    WAYBILL = "WAYBILL"
    SURVEY = "SURVEY"  # data (score,)
    VOICEMAIL = "VOICEMAIL"  # data (path, duration_s)
    CALLBACKREQUEST = "CALLBACKREQUEST"  # data (reason,)
    OUTBOUND = "OUTBOUND"  # data (number, purpose)
    HANGUP = "HANGUP"  # the call ended: data (end_reason,)
    # agent side
    AGENTLOGIN = "AGENTLOGIN"  # data (position,)
    AGENTLOGOFF = "AGENTLOGOFF"  # data (position, logged_in_s)
    PAUSE = "PAUSE"  # data (reason,)
    UNPAUSE = "UNPAUSE"
    WRAPUPSTART = "WRAPUPSTART"  # data (seconds,)
    WRAPUPEND = "WRAPUPEND"  # data (wrap_s,)
    OFFER = "OFFER"  # the agent's phone starts ringing for this call
    # devices
    LINEFAULT = "LINEFAULT"  # agent field holds the line or device: data (reason,)
    LINERESTORED = "LINERESTORED"
    # the daemon (re)started: every call and login before this entry is gone, as Asterisk's
    # QUEUESTART; the shell writes it once at start-up so figures rebuilt from the log agree
    QUEUESTART = "QUEUESTART"


class QueueLogEntry(NamedTuple):
    """One queue-log row. A named tuple, not a frozen dataclass: the engine writes one for
    nearly everything it does, and building a tuple costs a third of setting frozen fields."""

    time_s: float
    call_id: str  # "NONE" for agent and device entries, as in Asterisk
    queue: str  # "NONE" where no queue applies
    agent: str  # agent id, line or device; "NONE" if none
    verb: Verb
    data: tuple[str, ...] = ()


class EndReason(enum.Enum):
    """Why a call ended, true to its cause. Only the three ABANDONED_* are the caller's own
    hang-up before an agent answered; the box's own endings each have theirs (docs/engine.md,
    figures rules in docs/figures.md)."""

    ANSWERED = "answered"
    ABANDONED_IN_QUEUE = "abandoned_in_queue"  # caller hung up waiting in a queue
    ABANDONED_RINGING = "abandoned_ringing"  # caller left while an agent's phone rang
    ABANDONED_IN_MENU = "abandoned_in_menu"  # caller hung up before reaching a queue
    TIMED_OUT = "timed_out"
    OVERFLOWED = "overflowed"  # to voicemail, a callback request, or hung up
    CLOSED_HOURS = "closed_hours"
    BLOCKED = "blocked"
    LINE_FAULT = "line_fault"  # the line (or its device) failed under the call
    CALL_CAP = "call_cap"  # the line's longest call (max_call_s) was reached
    LINE_SILENT = "line_silent"  # the line went silent (no loop break, nobody there)
    SHUTDOWN = "box_shutdown"  # the box stopped (shut down, restarted or lost power)
    BOX_FULL = "box_full"  # refused: the box had no leg left to reach an agent
    MISSED_AT_LINE = "missed_at_line"  # rang at the line and stopped before the box answered
    LINES_BUSY = "lines_busy"  # refused: every line of the gateway it came on was busy
    VIRTUAL_HOLD = "virtual_hold"  # left the queue to be called back
    OUTBOUND_FAILED = "outbound_failed"
    # heard their waybill's status read back and hung up without asking for an agent: served
    # by the keypad, never an abandon
    SELF_SERVED = "self_served"


@dataclass(frozen=True, slots=True)
class CallRecord:
    """A call detail record, written once, when the call ends."""

    call_id: str
    line: str
    direction: str  # "in" or "out"
    number: str
    name: str
    arrived_s: float
    ended_s: float
    end_reason: EndReason
    queue: str = ""
    enqueued_s: float | None = None
    agent: str = ""
    connected_s: float | None = None
    wait_s: float = 0.0  # in queue until connected or gone
    talk_s: float = 0.0  # connected until the call ended, holds included
    hold_s: float = 0.0
    transferred_from: str = ""  # call_id of the leg this continues (transfer chain)
    recording_path: str = ""
    survey_score: int | None = None
    vip: bool = False
    # why there is no number: "private" or "unavailable" as the line said, "" otherwise
    withheld: str = ""


@dataclass(frozen=True, slots=True)
class CallEnded:
    record: CallRecord


@dataclass(frozen=True, slots=True)
class CallbackRequested:
    """A callback task (回访): every abandoned call, every virtual-hold caller, every
    voicemail and callback request."""

    task_id: str
    number: str
    name: str
    # "abandoned", "virtual_hold", "callback_request", "voicemail", or the end reason of a call
    # the box cut short or never took ("line_fault", "call_cap", "box_shutdown", "box_full",
    # "missed_at_line", "lines_busy")
    reason: str
    call_id: str
    queue: str
    created_s: float
    due_s: float
    # When the caller first joined a queue (None if they never did). A virtual-hold task is
    # due at once and keeps the caller's place: order open callbacks by this time.
    entered_s: float | None = None


@dataclass(frozen=True, slots=True)
class CallbackSettled:
    """A customer's own call was answered by an agent: their open callback task is done."""

    number: str
    call_id: str
    time_s: float


@dataclass(frozen=True, slots=True)
class NumberBlocked:
    number: str
    by_agent: str
    call_id: str
    time_s: float


@dataclass(frozen=True, slots=True)
class FaultRecorded:
    """故障记录: a line or device went out of service."""

    device: str
    reason: str
    time_s: float


@dataclass(frozen=True, slots=True)
class FaultCleared:
    device: str
    time_s: float


@dataclass(frozen=True, slots=True)
class LookUpWaybill:
    """A caller keyed a waybill number in the self-service; the shell reads the tracking rows
    in the store and answers with WaybillFound or WaybillUnknown."""

    call_id: str
    number: str


@dataclass(frozen=True, slots=True)
class CheckKeypadLogin:
    """An agent keyed agent id and PIN on a persistent position; the shell checks the PIN
    against the store and answers with KeypadLoginChecked."""

    position: str
    agent: str
    pin: str


class NoticeKind(enum.Enum):
    SCREEN_POP = "screen_pop"  # an offer is ringing at this agent
    CONNECTED = "connected"
    CALL_ENDED = "call_ended"
    TALK_TIME_WARNING = "talk_time_warning"
    STATE_CHANGED = "state_changed"


@dataclass(frozen=True, slots=True)
class AgentNotice:
    """Something an agent's desk page should show now."""

    agent: str
    kind: NoticeKind
    time_s: float
    call_id: str = ""
    number: str = ""
    name: str = ""
    queue: str = ""
    detail: str = ""
    waybill: str = ""  # keyed in the waybill self-service before the caller asked for an agent
