"""What the engine's parts share: the live state of calls, agents, lines and queues, the
actions of the event being handled, and the small steps every part takes (log a queue-log
row, tell an agent's desk, set a timer, play a prompt)."""

from __future__ import annotations

import random
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from appliance.engine.agents import AgentBoard, AgentSeat
from appliance.engine.announce import HandleTimeAverage
from appliance.engine.calls import TALKING, Call, Offer
from appliance.engine.devices import LineState, PositionState
from appliance.engine.records import AgentNotice, NoticeKind, QueueLogEntry, Verb
from appliance.engine.refusals import CommandChecks
from appliance.engine.routing import RoundRobinMemory
from appliance.engine.setup import DepotSetup, Queue
from appliance.engine.timers import TimerQueue
from appliance.engine.types import Action
from appliance.engine.waiting import WaitingList
from drivers.roles import PlayPrompt

if TYPE_CHECKING:
    from appliance.engine.arrival import Arrival
    from appliance.engine.call_control import CallControl
    from appliance.engine.ending import Ending
    from appliance.engine.offers import Offering
    from appliance.engine.outbound import Outbound
    from appliance.engine.queueing import Queueing
    from appliance.engine.staffing import Staffing


def sends_home_at_closing(setup: DepotSetup) -> bool:
    """Whether closing time ends the wait of callers in line or still in the menu."""
    hours = setup.hours
    return not hours.always_open and not hours.serve_waiting_after_close


def file_in(folder: str, name: str) -> str:
    """A recording's path; just the name when no folder is set (never the file-system root)."""
    return f"{folder}/{name}" if folder else name


class EngineState:
    """The one state object every part of the engine reads and changes. `out` collects the
    actions of the event being handled; `now` is that event's (or due timer's) time."""

    def __init__(
        self, setup: DepotSetup, *, seed: int, recordings_dir: str, voicemail_dir: str
    ) -> None:
        self.setup = setup
        self.closing_sends_home = sends_home_at_closing(setup)
        self.rng = random.Random(seed)
        self.recordings_dir = recordings_dir.rstrip("/")
        self.voicemail_dir = voicemail_dir.rstrip("/")
        self.timers = TimerQueue()
        self.board = AgentBoard(setup.agents)
        self.queues: dict[str, Queue] = {queue.id: queue for queue in setup.queues}
        self.retired_queues: dict[str, Queue] = {}
        self.waiting: dict[str, WaitingList] = {queue.id: WaitingList() for queue in setup.queues}
        self.calls: dict[str, Call] = {}
        self.lines: dict[str, LineState] = {}
        self.positions: dict[str, PositionState] = {}
        self.faulted_positions: set[str] = set()
        self.offers: dict[str, Offer] = {}  # agent id -> the call ringing at that agent
        self.blacklist: set[str] = set(setup.blacklist)
        self.vips: set[str] = set(setup.vip_numbers)
        self.line_queues: dict[str, str] = dict(setup.line_queues)
        self.round_robin = RoundRobinMemory()
        self.handle_times = HandleTimeAverage()
        self.seq = 0
        self.offer_seq = 0
        # Queues to route once the event (or timer) being handled is done: an agent freed by
        # an event is offered the next caller only after the whole event is recorded.
        self.dispatch_due: set[str] = set()
        self.play_seq = 0
        self.out: list[Action] = []
        self.now = 0.0
        self.day_ends_s = float("-inf")  # the first event learns when today ends
        self.checks = CommandChecks(self.board, self.positions, self.calls, self.offers)

    def log(self, call_id: str, queue: str, agent: str, verb: Verb, *data: str) -> None:
        self.out.append(
            QueueLogEntry(self.now, call_id or "NONE", queue or "NONE", agent or "NONE", verb, data)
        )

    def notice(
        self, seat: AgentSeat, kind: NoticeKind, call: Call | None = None, detail: str = ""
    ) -> None:
        if call is None:
            self.out.append(AgentNotice(seat.id, kind, self.now, detail=detail))
        else:
            caller = call.caller
            self.out.append(
                AgentNotice(
                    seat.id,
                    kind,
                    self.now,
                    call.id,
                    caller.number,
                    caller.name,
                    call.queue,
                    detail,
                    call.waybill,
                )
            )

    def schedule(self, delay_s: float, kind: str, subject: Hashable) -> int:
        return self.timers.schedule(self.now + delay_s, kind, subject)

    def cancel(self, handle: int) -> None:
        if handle:
            self.timers.cancel(handle)

    def play(self, call: Call, prompts: Iterable[str], after: str, barge_in: bool = False) -> None:
        self.play_seq += 1
        call.play_id = self.play_seq
        call.after_prompt = after
        self.out.append(
            PlayPrompt(call.line, tuple(prompts), call.language, self.play_seq, barge_in)
        )

    def queue(self, queue_id: str) -> Queue:
        queue = self.queues.get(queue_id)
        if queue is None:
            queue = self.retired_queues[queue_id]
        return queue

    def known_queue(self, queue_id: str) -> Queue | None:
        """The queue's settings, old ones if settings removed it while callers still wait."""
        return self.queues.get(queue_id) or self.retired_queues.get(queue_id)

    def line(self, line_id: str) -> LineState:
        line = self.lines.get(line_id)
        if line is None:
            line = self.lines[line_id] = LineState(line_id)
        return line

    def call_on(self, line_id: str) -> Call | None:
        line = self.lines.get(line_id)
        if line is None or not line.call_id:
            return None
        return self.calls.get(line.call_id)

    def seat_at(self, position_id: str) -> AgentSeat | None:
        position = self.positions.get(position_id)
        if position is None or not position.agent:
            return None
        return self.board.seats.get(position.agent)

    def position(self, position_id: str) -> PositionState:
        position = self.positions.get(position_id)
        if position is None:
            position = self.positions[position_id] = PositionState(position_id)
        return position

    def wait_s(self, call: Call) -> float:
        """The wait the queue log gives (CONNECT, ABANDON, exits): from the first queue entry,
        or — back in line after an agent had the caller — from this entry (that queue's wait)."""
        if call.entered_s is None:
            return 0.0
        return self.now - (call.entered_s if call.connected_s is None else call.queue_entered_s)

    def leg_talk_s(self, call: Call) -> float:
        return self.now - call.leg_connected_s if call.stage in TALKING else 0.0

    def idle(self, seat: AgentSeat) -> None:
        seat.activity = None
        seat.call_id = ""
        seat.wrap_up_until_s = None
        seat.summary_call_id = ""


@dataclass(slots=True)
class EngineParts:
    """The engine's parts, one per concern; each is handed the others once, after all exist."""

    arrival: Arrival
    queueing: Queueing
    offering: Offering
    ending: Ending
    staffing: Staffing
    control: CallControl
    outbound: Outbound
