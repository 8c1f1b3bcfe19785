"""The world around the depot in `depotline soak`: callers on phone lines and agents at their
phones, in virtual time. It plays the drivers' side as `appliance.simulate` does (lines
answer, prompts finish, phones are picked up at once or after a human delay) and takes the
faults the soak injects: a line unplugged, a phone dead, every call dropped by a killed daemon,
the box's clock stepped at a start or while the daemon runs."""

from __future__ import annotations

import heapq
import random
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from appliance.clock import ShellClock
from appliance.engine.types import Event
from appliance.engine.views import CallStage, EngineSnapshot
from drivers.roles import (
    AnswerLine,
    CallArrived,
    CallerHungUp,
    CallerId,
    DialOut,
    HangUpLine,
    HangUpPosition,
    LineAction,
    LineAnswered,
    LineEventSink,
    LineFaulted,
    LineInService,
    PlayPrompt,
    PositionAction,
    PositionAnswered,
    PositionEventSink,
    PositionFaulted,
    PositionHungUp,
    PositionInService,
    PromptFinished,
    RecordingFinished,
    RecordMessage,
    RefuseCall,
    RingPosition,
    StopRinging,
)

# what happens next in the world (kinds of timeline entries)
ARRIVE, GIVE_UP, END_TALK, ANSWER, RECORDED, REPAIRED = range(6)
PICK_UP_S = (1.0, 9.0)  # an agent picks up a ringing phone after this long
NO_ANSWER_SHARE = 0.05  # offers left ringing (the agent is away)
RECORDING_S = 8.0  # a caller leaving a message speaks this long
REPAIR_S = (60.0, 900.0)  # a line plugged back, a phone replaced after this long
# stages in which a caller no longer runs out of patience
WITH_AN_AGENT = (CallStage.CONNECTED, CallStage.ON_HOLD, CallStage.SURVEY)


class VirtualClock(ShellClock):
    """The box's clock in the soak: the world's time plus the steps the faults gave it."""

    def __init__(self, world: World) -> None:
        super().__init__(1.0)
        self._world = world

    def now(self) -> float:
        return self._world.box_now()


@dataclass(slots=True)
class _Talk:
    offer_id: str
    ends_s: float


class World:
    """Lines, phones, callers and agents. `inbox` holds the drivers' events of this instant;
    `timeline` what happens later (in world time, which faults never step)."""

    def __init__(
        self,
        *,
        lines: tuple[str, ...],
        positions: tuple[str, ...],
        rng: random.Random,
        start_s: float,
        calls_per_day: float,
        aht_s: float,
        patience_s: float,
        numbers: tuple[str, ...],
    ) -> None:
        self.lines = lines
        self.positions = positions
        self.rng = rng
        self.world_s = start_s
        self.clock_step_s = 0.0
        self.stepped_forward_s = 0.0  # the clock's steps forward in this life of the daemon
        self.arrival_rate = calls_per_day / 86_400.0
        self.aht_s = aht_s
        self.patience_s = patience_s
        self.numbers = numbers
        self.inbox: deque[Event] = deque()
        self.timeline: list[tuple[float, int, int, str, str]] = []
        self._seq = 0
        self.caller_on: dict[str, int] = {}  # line -> the call's generation
        self._generation = 0
        self.unplugged: set[str] = set()
        self.dead: set[str] = set()
        self.ringing: dict[str, str] = {}  # position -> offer id
        self.talking: dict[str, _Talk] = {}
        self.turned_away = 0  # callers who found every line busy or unplugged
        self.snapshot: Callable[[], EngineSnapshot] | None = None  # the running depot's

    # -- time -----------------------------------------------------------------------------

    def box_now(self) -> float:
        return self.world_s + self.clock_step_s

    def step_clock(self, step_s: float) -> None:
        """NTP steps the box's clock while the daemon runs: what happens next carries the
        new time, and calls in progress span the step."""
        self.clock_step_s += step_s
        self.stepped_forward_s += max(0.0, step_s)

    def at(self, world_s: float, kind: int, target: str = "", data: str = "") -> None:
        self._seq += 1
        heapq.heappush(self.timeline, (world_s, self._seq, kind, target, data))

    def next_s(self) -> float | None:
        return self.timeline[0][0] if self.timeline else None

    def start(self) -> None:
        self.at(self.world_s + self.rng.expovariate(self.arrival_rate), ARRIVE)

    def fire_next(self) -> None:
        """The next thing in the timeline happens (its events go to `inbox`)."""
        world_s, _seq, kind, target, data = heapq.heappop(self.timeline)
        self.world_s = max(self.world_s, world_s)
        if kind == ARRIVE:
            self.at(self.world_s + self.rng.expovariate(self.arrival_rate), ARRIVE)
            self._arrive()
        elif kind == GIVE_UP:
            self._give_up(target, int(data))
        elif kind == END_TALK:
            self._end_talk(target, data)
        elif kind == ANSWER:
            if self.ringing.get(target) == data and target not in self.dead:
                del self.ringing[target]
                self.talking[target] = _Talk(
                    data, self.world_s + self.rng.expovariate(1 / self.aht_s)
                )
                self.at(self.talking[target].ends_s, END_TALK, target, data)
                self.inbox.append(PositionAnswered(self.box_now(), target, data))
        elif kind == RECORDED:
            line, generation = target.split("|")
            if self.caller_on.get(line) == int(generation):
                self.inbox.append(RecordingFinished(self.box_now(), line, data, RECORDING_S))
        elif kind == REPAIRED:
            self._repair(target)

    # -- callers --------------------------------------------------------------------------

    def _arrive(self) -> None:
        free = [
            line for line in self.lines if line not in self.caller_on and line not in self.unplugged
        ]
        if not free:
            self.turned_away += 1
            return
        line = self.rng.choice(free)
        self._generation += 1
        self.caller_on[line] = self._generation
        number = self.rng.choice(self.numbers)
        self.inbox.append(CallArrived(self.box_now(), line, CallerId(number=number)))
        patience_s = self.rng.expovariate(1.0 / self.patience_s)
        self.at(self.world_s + patience_s, GIVE_UP, line, str(self._generation))

    def _give_up(self, line: str, generation: int) -> None:
        """The caller's patience ran out: they hang up unless an agent has them."""
        if self.caller_on.get(line) != generation or self.snapshot is None:
            return
        call = next((c for c in self.snapshot().calls if c.line == line), None)
        if call is None or call.stage not in WITH_AN_AGENT:
            del self.caller_on[line]
            self.inbox.append(CallerHungUp(self.box_now(), line))

    def _end_talk(self, position: str, offer_id: str) -> None:
        """The conversation is over: the caller or (as often) the agent hangs up."""
        talk = self.talking.get(position)
        if talk is None or talk.offer_id != offer_id or self.snapshot is None:
            return
        del self.talking[position]
        snapshot = self.snapshot()
        agent = next((a for a in snapshot.agents if a.position == position), None)
        call = next((c for c in snapshot.calls if agent and c.id == agent.call_id), None)
        if call is not None and call.line in self.caller_on and self.rng.random() < 0.5:
            del self.caller_on[call.line]
            self.inbox.append(CallerHungUp(self.box_now(), call.line))
        else:
            self.inbox.append(PositionHungUp(self.box_now(), position, offer_id))

    async def perform_line(self, action: LineAction) -> None:
        line = action.line
        if line in self.unplugged:
            return
        if isinstance(action, AnswerLine) and line in self.caller_on:
            self.inbox.append(LineAnswered(self.box_now(), line))
        elif isinstance(action, PlayPrompt) and line in self.caller_on:
            self.inbox.append(PromptFinished(self.box_now(), line, action.play_id))
        elif isinstance(action, HangUpLine | RefuseCall):
            self.caller_on.pop(line, None)
        elif isinstance(action, RecordMessage) and line in self.caller_on:
            self.at(
                self.world_s + RECORDING_S, RECORDED, f"{line}|{self.caller_on[line]}", action.path
            )
        elif isinstance(action, DialOut):
            self._generation += 1
            self.caller_on[line] = self._generation
            self.inbox.append(LineAnswered(self.box_now(), line))

    # -- agents' phones -------------------------------------------------------------------

    async def perform_position(self, action: PositionAction) -> None:
        position = action.position
        if position in self.dead:
            return
        if isinstance(action, RingPosition):
            self.ringing[position] = action.offer_id
            if self.rng.random() >= NO_ANSWER_SHARE:
                self.at(
                    self.world_s + self.rng.uniform(*PICK_UP_S), ANSWER, position, action.offer_id
                )
        elif isinstance(action, StopRinging):
            self.ringing.pop(position, None)
        elif isinstance(action, HangUpPosition):
            self.ringing.pop(position, None)
            self.talking.pop(position, None)

    # -- faults ---------------------------------------------------------------------------

    def in_service(self) -> None:
        """A (re)started daemon finds every line and phone that works."""
        now = self.box_now()
        self.inbox.extend(
            LineInService(now, line) for line in self.lines if line not in self.unplugged
        )
        self.inbox.extend(
            PositionInService(now, position)
            for position in self.positions
            if position not in self.dead
        )

    def daemon_died(self) -> None:
        """Every call drops with the daemon: modems go on-hook, SIP legs end."""
        self.stepped_forward_s = 0.0  # no call outlives the daemon
        self.caller_on.clear()
        self.ringing.clear()
        self.talking.clear()
        self.inbox.clear()

    def unplug(self) -> str | None:
        working = [line for line in self.lines if line not in self.unplugged]
        if not working:
            return None
        line = self.rng.choice(working)
        self.unplugged.add(line)
        self.caller_on.pop(line, None)
        self.inbox.append(LineFaulted(self.box_now(), line, "unplugged"))
        self.at(self.world_s + self.rng.uniform(*REPAIR_S), REPAIRED, line)
        return line

    def kill_phone(self) -> str | None:
        working = [position for position in self.positions if position not in self.dead]
        if not working:
            return None
        position = self.rng.choice(working)
        self.dead.add(position)
        self.ringing.pop(position, None)
        self.talking.pop(position, None)
        self.inbox.append(PositionFaulted(self.box_now(), position, "no answer from the phone"))
        self.at(self.world_s + self.rng.uniform(*REPAIR_S), REPAIRED, position)
        return position

    def _repair(self, device: str) -> None:
        if device in self.unplugged:
            self.unplugged.discard(device)
            self.inbox.append(LineInService(self.box_now(), device))
        elif device in self.dead:
            self.dead.discard(device)
            self.inbox.append(PositionInService(self.box_now(), device))


class _Devices:
    """The world seen as a line driver and a position driver (appliance.runtime.DeviceSet)."""

    def __init__(self, ids: tuple[str, ...], perform: Callable[[object], Awaitable[None]]) -> None:
        self._ids = ids
        self._perform = perform

    @property
    def line_ids(self) -> tuple[str, ...]:
        return self._ids

    @property
    def position_ids(self) -> tuple[str, ...]:
        return self._ids

    async def run(self, emit: LineEventSink | PositionEventSink) -> None:
        """The soak hands events to the runtime itself; nothing runs in the background."""

    async def perform(self, action: object) -> None:
        await self._perform(action)


def line_driver(world: World) -> _Devices:
    return _Devices(world.lines, world.perform_line)  # type: ignore[arg-type]


def position_driver(world: World) -> _Devices:
    return _Devices(world.positions, world.perform_position)  # type: ignore[arg-type]
