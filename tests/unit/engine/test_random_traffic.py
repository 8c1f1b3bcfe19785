"""Random traffic, seeded: callers, agents, supervisors and faults in every order. The engine
must never crash, must end every call exactly once, and its state must stay consistent with
itself and with what the figures reducer reads from its queue log."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace

import pytest
from engine_harness import Harness, agent, make_setup, queue

from appliance.engine.commands import (
    Block,
    CommandRefused,
    HangUp,
    Hold,
    KeypadLoginChecked,
    Listen,
    LogIn,
    LogOut,
    Mute,
    Pause,
    PlaceCall,
    Ready,
    StopListening,
    ThreeWay,
    Tick,
    Transfer,
    Unhold,
)
from appliance.engine.records import CallEnded, CheckKeypadLogin, QueueLogEntry, Verb
from appliance.engine.setup import Overflow, OverflowKind, Strategy, Tier
from appliance.engine.types import Action, Event
from appliance.engine.views import AgentState
from appliance.stats.figures import Figures
from drivers.roles import (
    AnswerLine,
    ButtonPressed,
    CallArrived,
    CallerHungUp,
    CallerId,
    DialFailed,
    DialOut,
    DigitPressed,
    LineAnswered,
    LineFaulted,
    LineInService,
    MediaCapability,
    PlayMusic,
    PlayPrompt,
    PositionAnswered,
    PositionDigitPressed,
    PositionFaulted,
    PositionHungUp,
    PositionInService,
    PositionRejected,
    PromptFinished,
    RecordingFinished,
    RecordMessage,
    RingPosition,
)

LINES = ("l1", "l2", "l3", "l4", "l5", "modem")  # "modem" is half-duplex
AGENTS = ("a1", "a2", "a3", "a4", "boss")


def busy_depot(strategy: Strategy) -> Harness:
    queues = (
        queue(
            "cargo",
            strategy=strategy,
            max_wait_s=90,
            max_length=3,
            announce_every_s=20,
            tier_escalation_s=15,
            talk_time_limit_s=60,
            overflow=Overflow(OverflowKind.QUEUE, "orders"),
            record_calls=True,
        ),
        queue(
            "orders",
            strategy=strategy,
            max_wait_s=60,
            survey=True,
            overflow=Overflow(OverflowKind.VOICEMAIL),
        ),
        queue("complaints", strategy=strategy, overflow=Overflow(OverflowKind.CALLBACK)),
    )
    agents = (
        agent("a1", "cargo", "orders"),
        agent("a2", "cargo", tier=Tier.SKILLED),
        agent("a3", "orders", "complaints", max_missed_offers=2),
        agent("a4", "complaints", "cargo", tier=Tier.EXPERT),
        agent("boss", "complaints", tier=Tier.LEAD, supervisor=True),
    )
    return Harness(
        make_setup(
            queues=queues,
            agents=agents,
            vip_numbers=("13900000001",),
            line_queues=(("l5", "complaints"),),
        )
    )


class Traffic:
    def __init__(self, seed: int, strategy: Strategy) -> None:
        self.rng = random.Random(seed)
        self.h = busy_depot(strategy)
        self.figures = Figures(timezone="Asia/Shanghai")
        self.folded = 0
        self.last_play: dict[str, int] = {}
        self.replies: list[Event] = []  # what the devices answer to the engine's actions
        self.refused = 0

    def send(self, event: Event) -> list[Action]:
        """Send; a refused command must leave the engine exactly as it was."""
        h = self.h
        before = (h.engine.snapshot(h.now), h.engine.next_deadline())
        try:
            return h.send(event)
        except CommandRefused:
            self.refused += 1
            assert (h.engine.snapshot(h.now), h.engine.next_deadline()) == before
            return []

    def step(self) -> None:
        """Either a device answers an earlier action (mostly), or something random happens."""
        h, rng = self.h, self.rng
        h.now += rng.choice((0.0, 0.5, 1.0, 3.0, 10.0, 30.0))
        if self.replies and rng.random() < 0.7:
            reply = self.replies.pop(rng.randrange(len(self.replies)))
            self.react(self.send(replace(reply, time_s=h.now)))
            return
        views = h.engine.snapshot(h.now).agents
        talking = [v.id for v in views if v.state is AgentState.ON_CALL]
        ready = [v.id for v in views if v.state is AgentState.READY]
        if talking and rng.random() < 0.3:
            agent_id = rng.choice(talking)
            colleague = rng.choice(ready) if ready else agent_id
            command = rng.choice(
                (
                    Hold(h.now, agent_id),
                    Unhold(h.now, agent_id),
                    Transfer(h.now, agent_id, colleague),
                    ThreeWay(h.now, agent_id, colleague),
                    Block(h.now, agent_id),
                    HangUp(h.now, agent_id),
                    PositionHungUp(h.now, f"pos_{agent_id}"),
                    Listen(h.now, "boss", agent_id),
                )
            )
            self.react(self.send(command))
            return
        line = rng.choice(LINES)
        agent_id = rng.choice(AGENTS)
        other = rng.choice(AGENTS)
        position = f"pos_{agent_id}"
        number = rng.choice(("13800000001", "13900000001", "13700000002", ""))
        events: list[Event] = [
            CallArrived(h.now, line, CallerId(number)),
            LineAnswered(h.now, line),
            PromptFinished(h.now, line, self.last_play.get(line, 0)),
            PromptFinished(h.now, line, self.last_play.get(line, 0)),
            DigitPressed(h.now, line, rng.choice("1239#7")),
            CallerHungUp(h.now, line),
            RecordingFinished(h.now, line, "x.wav", 4.0),
            DialFailed(h.now, line, "busy"),
            PositionAnswered(h.now, position),
            PositionAnswered(h.now, position),
            PositionRejected(h.now, position, "busy"),
            PositionHungUp(h.now, position),
            ButtonPressed(h.now, position, rng.random() < 0.2),
            LogIn(h.now, agent_id, position),
            LogOut(h.now, agent_id),
            Pause(h.now, agent_id),
            Ready(h.now, agent_id),
            Ready(h.now, agent_id),
            Hold(h.now, agent_id),
            Unhold(h.now, agent_id),
            Mute(h.now, agent_id),
            Transfer(h.now, agent_id, other),
            ThreeWay(h.now, agent_id, other),
            HangUp(h.now, agent_id),
            Block(h.now, agent_id) if rng.random() < 0.2 else Tick(h.now),
            Listen(h.now, "boss", agent_id),
            StopListening(h.now, "boss"),
            PlaceCall(h.now, agent_id, "13600000000"),
            LineFaulted(h.now, line, "unplugged") if rng.random() < 0.1 else Tick(h.now),
            LineInService(h.now, line),
            PositionFaulted(h.now, position) if rng.random() < 0.1 else Tick(h.now),
            PositionInService(h.now, position, rng.random() < 0.2),
            PositionDigitPressed(h.now, position, rng.choice(("#", "*", agent_id[-1], "a"))),
            Tick(h.now),
        ]
        self.react(self.send(rng.choice(events)))

    def react(self, actions: list[Action]) -> None:
        """The devices' side: lines answer, prompts end, phones are picked up (or not)."""
        rng, now = self.rng, self.h.now
        for action in actions:
            if isinstance(action, PlayPrompt):
                self.last_play[action.line] = action.play_id
                self.replies.append(PromptFinished(now, action.line, action.play_id))
                if action.prompts == ("survey",):
                    self.replies.append(DigitPressed(now, action.line, rng.choice("12345#")))
            elif isinstance(action, AnswerLine):
                self.replies.append(LineAnswered(now, action.line))
            elif isinstance(action, RingPosition) and rng.random() < 0.7:
                self.replies.append(PositionAnswered(now, action.position))
            elif isinstance(action, DialOut):
                if rng.random() < 0.7:
                    self.replies.append(LineAnswered(now, action.line))
                else:
                    self.replies.append(DialFailed(now, action.line, "busy"))
            elif isinstance(action, RecordMessage):
                self.replies.append(RecordingFinished(now, action.line, action.path, 5.0))
            elif isinstance(action, CheckKeypadLogin):
                accepted = rng.random() < 0.8
                self.replies.append(
                    KeypadLoginChecked(now, action.position, action.agent, accepted)
                )
            elif isinstance(action, PlayMusic) and rng.random() < 0.3:
                self.replies.append(DigitPressed(now, action.line, rng.choice("123")))

    def check(self) -> None:
        h = self.h
        engine = h.engine
        entries = [a for a in h.actions if isinstance(a, QueueLogEntry)]
        for entry in entries[self.folded :]:
            self.figures.fold(entry)
        self.folded = len(entries)
        snapshot = engine.snapshot(h.now)
        # the reducer sees the same agent states as the engine
        board = self.figures.wallboard(h.now)
        states = Counter(v.state for v in snapshot.agents)
        assert board.agents_ready == states[AgentState.READY]
        assert board.agents_on_call == states[AgentState.ON_CALL] + states[AgentState.RINGING]
        assert board.agents_wrap_up == states[AgentState.WRAP_UP]
        assert board.agents_paused == states[AgentState.PAUSED]
        # every call ends once, with HANGUP and its record together
        ended = [a.record.call_id for a in h.of(CallEnded)]
        hangups = [e.call_id for e in entries if e.verb is Verb.HANGUP]
        assert ended == hangups
        assert len(set(ended)) == len(ended)
        live = {c.id for c in snapshot.calls}
        assert not live & set(ended)
        # lines point at live calls; agents ringing or talking point at live calls
        for line in snapshot.lines:
            assert not line.call_id or line.call_id in live
        for view in snapshot.agents:
            if view.state in (AgentState.RINGING, AgentState.ON_CALL):
                assert view.call_id in live
            assert (view.wrap_up_until_s is not None) == (view.state is AgentState.WRAP_UP)
            if view.state is AgentState.LOGGED_OUT:
                assert not view.position and view.logged_in_since_s is None
        # one offer per agent: a phone rings for one call only
        ringing = [v.id for v in snapshot.agents if v.state is AgentState.RINGING]
        assert len(ringing) == len(set(ringing))
        # waiting callers have distinct places 1..n per queue
        by_queue: dict[str, list[int]] = {}
        for call in snapshot.calls:
            if call.position_in_queue:
                by_queue.setdefault(call.queue, []).append(call.position_in_queue)
        for places in by_queue.values():
            assert sorted(places) == list(range(1, len(places) + 1))


@pytest.mark.parametrize("strategy", list(Strategy))
@pytest.mark.parametrize("seed", [1, 2])
def test_random_traffic_keeps_engine_consistent(seed: int, strategy: Strategy) -> None:
    traffic = Traffic(seed, strategy)
    h = traffic.h
    for line in LINES:
        full = MediaCapability.FULL_DUPLEX
        h.ev(
            LineInService, line=line, media=MediaCapability.HALF_DUPLEX if line == "modem" else full
        )
    for agent_id in AGENTS:
        h.login(agent_id)
    for _ in range(600):
        traffic.step()
        traffic.check()
    h.advance(3600)
    traffic.check()
    assert traffic.refused > 0  # the random commands include ones that cannot apply
