"""What people ask of the engine — agents, supervisors, the shell — as events with a time.
The web UI and desk buttons reach the engine only as these (through appliance.service)."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.engine.setup import DepotSetup
from drivers.roles import ListenMode


@dataclass(frozen=True, slots=True)
class Command:
    time_s: float


@dataclass(frozen=True, slots=True)
class Tick(Command):
    """Time has passed; the engine fires whatever timers are due by `time_s`."""


@dataclass(frozen=True, slots=True)
class BoxStopping(Command):
    """The box is stopping (SIGTERM): every call ends now with the end reason box_shutdown,
    the lines are hung up, and callers cut off get a callback task saying why."""


@dataclass(frozen=True, slots=True)
class SetupChanged(Command):
    """New call-handling settings; calls in progress keep their queue."""

    setup: DepotSetup


@dataclass(frozen=True, slots=True)
class LogIn(Command):
    agent: str
    position: str


@dataclass(frozen=True, slots=True)
class LogOut(Command):
    agent: str


@dataclass(frozen=True, slots=True)
class Pause(Command):
    """`by`: the supervisor who forced it ("" = the agent); a forced pause also ends a wrap-up
    that waits for the call summary."""

    agent: str
    reason: str = "break"
    by: str = ""


@dataclass(frozen=True, slots=True)
class Ready(Command):
    """Unpause, or end wrap-up early. `by`: the supervisor who forced it ("" = the agent);
    only a forced Ready ends a wrap-up that waits for the call summary."""

    agent: str
    by: str = ""


@dataclass(frozen=True, slots=True)
class SummarySaved(Command):
    """The desk saved the call summary (通话小结) of `call_id`: a wrap-up waiting for it (the
    queue's summary_required) may end. Never refused: a summary of an older call changes
    nothing."""

    agent: str
    call_id: str


@dataclass(frozen=True, slots=True)
class KeypadLoginChecked(Command):
    """The shell's answer to a CheckKeypadLogin: the PIN the agent keyed in was right or wrong."""

    position: str
    agent: str
    accepted: bool


@dataclass(frozen=True, slots=True)
class WaybillFound(Command):
    """The shell's answer to a LookUpWaybill: the waybill's latest tracking row. `status` is
    the export's status code (tracking_export.WAYBILL_STATUSES), `updated_s` its time."""

    call_id: str
    status: str
    place: str
    updated_s: float


@dataclass(frozen=True, slots=True)
class WaybillUnknown(Command):
    """The shell's answer to a LookUpWaybill: no tracking row has that number."""

    call_id: str


@dataclass(frozen=True, slots=True)
class Hold(Command):
    agent: str


@dataclass(frozen=True, slots=True)
class Unhold(Command):
    agent: str


@dataclass(frozen=True, slots=True)
class Mute(Command):
    """静音: the agent stops hearing the caller for the setup's mute_s seconds."""

    agent: str


@dataclass(frozen=True, slots=True)
class Transfer(Command):
    """转机: hand the caller to another online agent (re-bridged in the box, one CDR chain)."""

    agent: str
    to_agent: str


@dataclass(frozen=True, slots=True)
class TransferToQueue(Command):
    """转队列: send the caller into another queue's line (blind); the agent's leg ends and the
    agent wraps up. The caller keeps their first queue entry (place and longest wait)."""

    agent: str
    queue: str


@dataclass(frozen=True, slots=True)
class ThreeWay(Command):
    """三通: bring another agent into the call; the caller and both agents hear each other."""

    agent: str
    with_agent: str


@dataclass(frozen=True, slots=True)
class HangUp(Command):
    """The agent ends the call from the desk page."""

    agent: str


@dataclass(frozen=True, slots=True)
class Block(Command):
    """闭塞: the agent blocks the nuisance caller on the current call: busy tone, hang up,
    number on the blacklist."""

    agent: str


@dataclass(frozen=True, slots=True)
class Listen(Command):
    """监听: a supervisor joins an agent's call in a listen, whisper or barge mode."""

    supervisor: str
    agent: str
    mode: ListenMode = ListenMode.LISTEN


@dataclass(frozen=True, slots=True)
class StopListening(Command):
    supervisor: str


@dataclass(frozen=True, slots=True)
class PlaceCall(Command):
    """Click-to-dial, a callback task (回访) or a rescue dispatch (救援通知): ring the agent
    first, then dial out on a free line. `task_id` links a callback task."""

    agent: str
    number: str
    purpose: str = "click_to_dial"  # "callback", "rescue_dispatch", "click_to_dial"
    task_id: str = ""


class CommandRefused(ValueError):
    """A person's command that cannot apply now (unknown agent, not logged in, no call to
    hold, colleague not free …). The engine raises it before changing anything; the message
    says why, for the person who asked."""
