"""A small driver for engine tests: feeds events in virtual time and keeps every action.
(Imported by the tests as `engine_harness`; the fixture lives in conftest.py.)"""

from __future__ import annotations

from typing import Any, TypeVar

from appliance.engine.commands import LogIn, Tick
from appliance.engine.engine import Engine
from appliance.engine.records import CallEnded, QueueLogEntry, Verb
from appliance.engine.setup import (
    Agent,
    DepotSetup,
    Menu,
    MenuOption,
    OpeningHours,
    Queue,
    Tier,
)
from appliance.engine.types import Action, Event
from drivers.roles import (
    CallArrived,
    CallerHungUp,
    CallerId,
    DigitPressed,
    LineAnswered,
    LineInService,
    MediaCapability,
    PlayPrompt,
    PositionAnswered,
    PositionInService,
    PromptFinished,
    RingPosition,
)

T0 = 1_763_971_200.0  # Monday 2025-11-24 16:00 in Asia/Shanghai (08:00 UTC)

A = TypeVar("A")

MENU = Menu(
    options=(
        MenuOption("1", "cargo", "menu_cargo"),
        MenuOption("2", "orders", "menu_orders"),
        MenuOption("3", "complaints", "menu_complaints"),
    ),
    default_queue="cargo",
)


def queue(queue_id: str = "cargo", **fields: Any) -> Queue:
    defaults: dict[str, Any] = dict(
        wrap_up_s=10.0,
        announce_every_s=0.0,
        tier_escalation_s=0.0,
        max_wait_s=0.0,
        talk_time_limit_s=0.0,
        paused_is_empty=False,  # the tests park callers in line by pausing every agent
    )
    defaults.update(fields)
    return Queue(queue_id, queue_id, queue_id, **defaults)


def agent(agent_id: str, *queues: str, tier: Tier = Tier.GENERAL, **fields: Any) -> Agent:
    return Agent(agent_id, f"Agent {agent_id}", tuple((q, tier) for q in queues), **fields)


def make_setup(
    queues: tuple[Queue, ...] | None = None,
    agents: tuple[Agent, ...] | None = None,
    **fields: Any,
) -> DepotSetup:
    queues = queues or (queue("cargo"), queue("orders"), queue("complaints"))
    agents = agents or (agent("a1", "cargo"), agent("a2", "cargo"), agent("a3", "cargo"))
    fields.setdefault("hours", OpeningHours(always_open=True))
    fields.setdefault("menu", MENU)
    return DepotSetup(queues=queues, agents=agents, **fields)


class Harness:
    """Drives one Engine. `now` only moves forward; every action is kept in `actions`."""

    def __init__(self, setup: DepotSetup, seed: int = 0) -> None:
        self.engine = Engine(
            setup, seed=seed, recordings_dir="/rec", voicemail_dir="/vm", strict=True
        )
        self.now = T0
        self.actions: list[Action] = []

    # time and events

    def send(self, event: Event) -> list[Action]:
        self.now = max(self.now, event.time_s)
        out = self.engine.handle(event)
        self.actions.extend(out)
        return out

    def ev(self, cls: type[Any], **fields: Any) -> list[Action]:
        return self.send(cls(time_s=self.now, **fields))

    def advance(self, seconds: float) -> list[Action]:
        self.now += seconds
        return self.send(Tick(self.now))

    def at_offset(self, seconds: float) -> None:
        self.now = T0 + seconds

    # set-up shortcuts

    def lines(self, *line_ids: str, media: MediaCapability = MediaCapability.FULL_DUPLEX) -> None:
        for line_id in line_ids:
            self.ev(LineInService, line=line_id, media=media)

    def login(self, agent_id: str, position: str | None = None) -> list[Action]:
        position = position or f"pos_{agent_id}"
        self.ev(PositionInService, position=position)
        return self.ev(LogIn, agent=agent_id, position=position)

    # caller shortcuts

    def arrive(self, line: str = "l1", number: str = "13800000001", name: str = "") -> str:
        out = self.ev(CallArrived, line=line, caller=CallerId(number, name))
        entry = first(out, QueueLogEntry)
        assert entry.verb is Verb.INBOUND
        return entry.call_id

    def last_prompt(self, line: str) -> PlayPrompt:
        prompts = [a for a in self.actions if isinstance(a, PlayPrompt) and a.line == line]
        assert prompts, f"no prompt played on {line}"
        return prompts[-1]

    def finish_prompt(self, line: str, interrupted: bool = False) -> list[Action]:
        play_id = self.last_prompt(line).play_id
        return self.ev(PromptFinished, line=line, play_id=play_id, interrupted=interrupted)

    def answer(self, line: str = "l1") -> list[Action]:
        return self.ev(LineAnswered, line=line)

    def press(self, line: str, digit: str) -> list[Action]:
        return self.ev(DigitPressed, line=line, digit=digit)

    def call_into_queue(
        self, line: str = "l1", number: str = "13800000001", digit: str = "1"
    ) -> str:
        """A caller arrives, hears the menu and picks a queue by `digit`."""
        call_id = self.arrive(line, number)
        self.answer(line)
        self.press(line, digit)
        return call_id

    def hang_up(self, line: str = "l1") -> list[Action]:
        return self.ev(CallerHungUp, line=line)

    def pick_up(self, position: str, offer_id: str | None = None) -> list[Action]:
        """The agent answers; the driver echoes the offer id of the last ring (or `offer_id`)."""
        if offer_id is None:
            offer_id = self.last_offer_id(position)
        return self.ev(PositionAnswered, position=position, offer_id=offer_id)

    def last_offer_id(self, position: str) -> str:
        rings = [a for a in self.actions if isinstance(a, RingPosition) and a.position == position]
        return rings[-1].offer_id if rings else ""

    # reading what happened

    def log(self, call_id: str | None = None) -> list[QueueLogEntry]:
        entries = [a for a in self.actions if isinstance(a, QueueLogEntry)]
        if call_id is not None:
            entries = [e for e in entries if e.call_id == call_id]
        return entries

    def verbs(self, call_id: str | None = None) -> list[Verb]:
        return [e.verb for e in self.log(call_id)]

    def agent_log(self, agent_id: str) -> list[QueueLogEntry]:
        return [e for e in self.log() if e.agent == agent_id]

    def of(self, cls: type[A]) -> list[A]:
        return [a for a in self.actions if isinstance(a, cls)]

    def rung(self) -> list[str]:
        """Positions rung so far, in order."""
        return [a.position for a in self.of(RingPosition)]

    def record(self, call_id: str) -> Any:
        records = [e.record for e in self.of(CallEnded) if e.record.call_id == call_id]
        assert len(records) == 1, records
        return records[0]

    def clear(self) -> None:
        self.actions.clear()


def first(actions: list[Action], cls: type[A]) -> A:
    for action in actions:
        if isinstance(action, cls):
            return action
    raise AssertionError(f"no {cls.__name__} in {actions}")
