"""`depotline simulate`: the real engine in virtual time with Poisson callers and N agents,
printing the figures (from the queue log, by the stats reducer) beside the Erlang C prediction
(Erlang A when callers have a patience)."""

from __future__ import annotations

import argparse
import heapq
import json
import math
import random
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import cast

from appliance.engine.commands import LogIn, Tick
from appliance.engine.engine import Engine
from appliance.engine.records import CallEnded, QueueLogEntry, Verb
from appliance.engine.setup import (
    Agent,
    DepotSetup,
    Menu,
    OpeningHours,
    Queue,
    Strategy,
    Tier,
)
from appliance.engine.types import Event
from appliance.stats.counters import SlVariant
from appliance.stats.erlang import Prediction, erlang_a_prediction, erlang_c_prediction
from appliance.stats.figures import Figures, FigureSet
from drivers.roles import (
    AnswerLine,
    CallArrived,
    CallerHungUp,
    CallerId,
    LineAnswered,
    LineInService,
    PlayPrompt,
    PositionAnswered,
    PositionInService,
    PromptFinished,
    RingPosition,
)

# This module plays the drivers' side: it answers lines and offers at once, finishes prompts at
# once, and hangs the caller up after the handle time or when their patience runs out.

QUEUE_ID = "sim"
START_S = 1_767_571_200.0  # 2026-01-05 00:00 UTC, a Monday
# the entries the simulated callers react to (compared by identity: hashing an enum is slow)
CONNECT, ENTERQUEUE, INBOUND = Verb.CONNECT, Verb.ENTERQUEUE, Verb.INBOUND
HANDLE_DISTRIBUTIONS = ("exponential", "fixed", "lognormal", "uniform")


@dataclass(frozen=True, slots=True)
class SimulationOptions:
    agents: int = 3
    calls_per_hour: float = 30.0
    aht_s: float = 180.0
    calls: int = 1000
    seed: int = 1
    sl_threshold_s: float = 20.0
    patience_s: float | None = None  # mean of an exponential patience; None = never give up
    strategy: Strategy = Strategy.LONGEST_IDLE
    handle_distribution: str = "exponential"
    handle_cv: float = 1.0  # coefficient of variation, for lognormal
    wrap_up_s: float = 0.0
    lines: int = 0  # phone lines; 0 = as many as callers need. A caller finding all busy
    # hears the exchange's busy tone and never reaches the depot (counted in `lines_busy`)


@dataclass(slots=True)
class SimulationResult:
    options: SimulationOptions
    figures: FigureSet
    calls_ended: int
    engine_events: int  # events handed to Engine.handle(), ticks included
    engine_s: float  # wall-clock seconds spent inside Engine.handle()
    wall_s: float
    virtual_s: float
    lines_busy: int = 0
    offer_decisions_s: list[float] = field(default_factory=list)


def build_setup(options: SimulationOptions) -> DepotSetup:
    """One queue that measures the queue itself: no menu, no announcements, no time limits."""
    queue = Queue(
        id=QUEUE_ID,
        name_zh="模拟",
        name_en="Simulation",
        strategy=options.strategy,
        ring_timeout_s=15.0,
        retry_s=0.0,
        wrap_up_s=options.wrap_up_s,
        max_wait_s=0.0,
        max_length=0,
        join_when_no_agents=True,
        leave_when_no_agents=False,
        tier_escalation_s=0.0,
        announce_every_s=0.0,
        talk_time_limit_s=0.0,
        sl_threshold_s=options.sl_threshold_s,
    )
    agents = tuple(
        Agent(id=f"a{i + 1}", name=f"Agent {i + 1}", skills=((QUEUE_ID, Tier.GENERAL),))
        for i in range(options.agents)
    )
    return DepotSetup(
        queues=(queue,),
        agents=agents,
        menu=Menu(default_queue=QUEUE_ID),
        hours=OpeningHours(timezone="UTC", always_open=True),
        callback_due_s=3 * 24 * 3600.0,
    )


def handle_time_sampler(options: SimulationOptions, rng: random.Random) -> Callable[[], float]:
    mean_s = options.aht_s
    kind = options.handle_distribution
    if kind == "exponential":
        return lambda: rng.expovariate(1.0 / mean_s)
    if kind == "fixed":
        return lambda: mean_s
    if kind == "uniform":
        return lambda: rng.uniform(0.0, 2.0 * mean_s)
    if kind == "lognormal":
        sigma = math.sqrt(math.log(1.0 + options.handle_cv**2))
        mu = math.log(mean_s) - sigma**2 / 2.0
        return lambda: rng.lognormvariate(mu, sigma)
    raise ValueError(f"unknown handle-time distribution {kind!r}")


class VirtualDepot:
    """The simulated world around the engine: callers, lines and agents' phones. `run` plays
    a whole simulation; benchmarks drive `arrive` and `hang_up` themselves."""

    _ARRIVE, _HANG_UP, _GIVE_UP = 0, 1, 2

    def __init__(self, options: SimulationOptions, *, time_decisions: bool) -> None:
        self.options = options
        self.engine = Engine(build_setup(options), seed=options.seed)
        self.figures = Figures(
            timezone="UTC",
            sl_threshold_s=options.sl_threshold_s,
            sl_variant=SlVariant.COUNT_ABANDONS,
            short_abandon_s=0.0,
        )
        self.rng = random.Random(options.seed)
        self.handle_time = handle_time_sampler(options, random.Random(options.seed + 7919))
        self.patience_rng = random.Random(options.seed + 104729)
        self.time_decisions = time_decisions
        self.offer_decisions_s: list[float] = []
        self.timeline: list[tuple[float, int, int, str]] = []  # (time, seq, kind, call id)
        self.arriving_line = ""
        self.seq = 0
        self.free_lines: list[str] = []
        self.line_count = 0
        self.call_on_line: dict[str, str] = {}  # line -> call id
        self.line_of_call: dict[str, str] = {}
        self.connected: set[str] = set()  # call ids talking to an agent
        self.now_s = START_S
        self.events = 0
        self.engine_s = 0.0
        self.calls_ended = 0
        self.lines_busy = 0
        self.pending: deque[Event] = deque()

    def at(self, time_s: float, kind: int, call_id: str = "") -> None:
        self.seq += 1
        heapq.heappush(self.timeline, (time_s, self.seq, kind, call_id))

    def feed(self, event: Event) -> None:
        """Hand one event to the engine and everything it causes at once (answers, prompts
        finishing, phones picked up) until the depot is quiet again."""
        pending = self.pending
        pending.append(event)
        handle = self.engine.handle
        clock = time.perf_counter
        fold = self.figures.fold
        observe = self._observe
        while pending:
            current = pending.popleft()
            started = clock()
            actions = handle(current)
            took = clock() - started
            self.engine_s += took
            self.events += 1
            for action in actions:
                kind = type(action)
                if kind is QueueLogEntry:
                    entry = cast(QueueLogEntry, action)
                    fold(entry)
                    verb = entry.verb
                    if verb is CONNECT or verb is ENTERQUEUE or verb is INBOUND:
                        observe(entry)
                elif kind is AnswerLine:
                    pending.append(LineAnswered(self.now_s, cast(AnswerLine, action).line))
                elif kind is PlayPrompt:
                    prompt = cast(PlayPrompt, action)
                    pending.append(PromptFinished(self.now_s, prompt.line, prompt.play_id))
                elif kind is RingPosition:
                    ring = cast(RingPosition, action)
                    pending.append(PositionAnswered(self.now_s, ring.position))
                elif kind is CallEnded:
                    self._call_ended(cast(CallEnded, action))
            if self.time_decisions and any(
                type(a) is QueueLogEntry and a.verb is Verb.OFFER for a in actions
            ):
                self.offer_decisions_s.append(took)

    def _observe(self, entry: QueueLogEntry) -> None:
        call_id = entry.call_id
        if entry.verb is Verb.ENTERQUEUE and self.options.patience_s is not None:
            if call_id in self.line_of_call:
                patience_s = self.patience_rng.expovariate(1.0 / self.options.patience_s)
                self.at(entry.time_s + patience_s, self._GIVE_UP, call_id)
        elif entry.verb is Verb.CONNECT:
            if call_id in self.line_of_call and call_id not in self.connected:
                self.connected.add(call_id)
                self.at(entry.time_s + self.handle_time(), self._HANG_UP, call_id)
        elif entry.verb is Verb.INBOUND:
            line = self.arriving_line
            self.call_on_line[line] = entry.call_id
            self.line_of_call[entry.call_id] = line

    def _call_ended(self, ended: CallEnded) -> None:
        self.calls_ended += 1
        call_id = ended.record.call_id
        line = self.line_of_call.pop(call_id, None)
        self.connected.discard(call_id)
        if line is not None and self.call_on_line.get(line) == call_id:
            del self.call_on_line[line]
            self.free_lines.append(line)

    def free_line(self) -> str | None:
        if self.free_lines:
            return self.free_lines.pop()
        if self.options.lines and self.line_count >= self.options.lines:
            return None
        self.line_count += 1
        line = f"sim{self.line_count}"
        self.feed(LineInService(self.now_s, line))
        return line

    def staff(self) -> None:
        """Every agent's phone in service and the agent logged in."""
        for i in range(self.options.agents):
            position = f"p{i + 1}"
            self.feed(PositionInService(self.now_s, position))
            self.feed(LogIn(self.now_s, f"a{i + 1}", position))

    def arrive(self, time_s: float, number: str) -> bool:
        """A caller rings; False if every line was busy."""
        self.now_s = time_s
        line = self.free_line()
        if line is None:
            self.lines_busy += 1
            return False
        self.arriving_line = line
        self.feed(CallArrived(time_s, line, CallerId(number=number)))
        return True

    def hang_up(self, time_s: float, call_id: str) -> None:
        """The caller of `call_id` hangs up (if the call is still going)."""
        line = self.line_of_call.get(call_id)
        if line is not None:
            self.now_s = time_s
            self.feed(CallerHungUp(time_s, line))

    def run(self, time_limit_s: float | None) -> None:
        options = self.options
        self.staff()
        arrival_rate = options.calls_per_hour / 3600.0
        arrived = 0
        if options.calls > 0:
            self.at(self.now_s + self.rng.expovariate(arrival_rate), self._ARRIVE)
        started = time.perf_counter()
        while self.timeline or self.engine.next_deadline() is not None:
            deadline = self.engine.next_deadline()
            if self.timeline and (deadline is None or self.timeline[0][0] < deadline):
                time_s, _, kind, call_id = heapq.heappop(self.timeline)
                self.now_s = time_s
                if kind == self._ARRIVE:
                    arrived += 1
                    if arrived < options.calls:
                        self.at(time_s + self.rng.expovariate(arrival_rate), self._ARRIVE)
                    self.arrive(time_s, f"1380000{arrived:05d}")
                elif kind == self._HANG_UP or call_id not in self.connected:
                    self.hang_up(time_s, call_id)
            else:
                assert deadline is not None
                self.now_s = max(self.now_s, deadline)
                self.feed(Tick(self.now_s))
            if time_limit_s is not None and time.perf_counter() - started > time_limit_s:
                break


def run_simulation(
    options: SimulationOptions,
    *,
    time_decisions: bool = False,
    time_limit_s: float | None = None,
) -> SimulationResult:
    started = time.perf_counter()
    depot = VirtualDepot(options, time_decisions=time_decisions)
    depot.run(time_limit_s)
    report = depot.figures.report(depot.now_s, since_s=START_S)
    return SimulationResult(
        options=options,
        figures=report,
        calls_ended=depot.calls_ended,
        engine_events=depot.events,
        engine_s=depot.engine_s,
        wall_s=time.perf_counter() - started,
        virtual_s=depot.now_s - START_S,
        lines_busy=depot.lines_busy,
        offer_decisions_s=depot.offer_decisions_s,
    )


def prediction(options: SimulationOptions) -> Prediction:
    """The model's figures. An agent is busy for the talk and the wrap-up after it, so the
    model's handle time is both: Erlang C of the talk alone promises a depot it does not get."""
    handle_s = options.aht_s + options.wrap_up_s
    if options.patience_s is None:
        return erlang_c_prediction(
            options.agents, options.calls_per_hour, handle_s, options.sl_threshold_s
        )
    return erlang_a_prediction(
        options.agents, options.calls_per_hour, handle_s, options.sl_threshold_s, options.patience_s
    )


def model_note(options: SimulationOptions) -> str:
    """A word for the reader when the model does not fit the run: Erlang C and A assume
    exponential handle times, and a talk time plus a fixed wrap-up is not. "" when it fits."""
    if options.handle_distribution != "exponential":
        reason = f"this run's handle times are {options.handle_distribution}"
    elif options.wrap_up_s:
        reason = "this run's handle time is talk plus a fixed wrap-up, which varies less"
    else:
        return ""
    return (
        f"note: Erlang C and Erlang A assume exponential handle times; {reason},"
        " so the model column is an approximation"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="depotline simulate",
        description="Run the call engine in virtual time and compare with Erlang C / Erlang A.",
    )
    parser.add_argument("--agents", type=int, default=3, help="agents logged in (default 3)")
    parser.add_argument("--calls-per-hour", type=float, default=30.0, help="Poisson arrivals")
    parser.add_argument("--aht-s", type=float, default=180.0, help="mean handle time, seconds")
    parser.add_argument("--calls", type=int, default=1000, help="callers to simulate")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sl-threshold-s", type=float, default=20.0)
    parser.add_argument(
        "--patience-s",
        type=float,
        default=None,
        help="mean caller patience (exponential); without it nobody gives up",
    )
    parser.add_argument(
        "--strategy",
        choices=[strategy.value for strategy in Strategy],
        default=Strategy.LONGEST_IDLE.value,
    )
    parser.add_argument(
        "--handle-distribution", choices=HANDLE_DISTRIBUTIONS, default="exponential"
    )
    parser.add_argument(
        "--handle-cv", type=float, default=1.0, help="spread of lognormal handle times"
    )
    parser.add_argument("--wrap-up-s", type=float, default=0.0, help="after-call work per call")
    parser.add_argument(
        "--lines", type=int, default=0, help="phone lines (default: as many as needed)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def options_from(argv: Sequence[str]) -> SimulationOptions:
    return _parse(argv)[0]


def _parse(argv: Sequence[str]) -> tuple[SimulationOptions, bool]:
    """The simulation options and whether to print JSON; exits with usage on bad options."""
    parser = _parser()
    args = parser.parse_args(list(argv))
    if args.agents < 1:
        parser.error("--agents must be at least 1")
    if args.calls_per_hour <= 0 or args.aht_s <= 0:
        parser.error("--calls-per-hour and --aht-s must be positive")
    if args.calls < 0 or args.lines < 0:
        parser.error("--calls and --lines must not be negative")
    if args.patience_s is not None and args.patience_s <= 0:
        parser.error("--patience-s must be positive")
    if args.handle_cv <= 0 or args.wrap_up_s < 0 or args.sl_threshold_s < 0:
        parser.error("--handle-cv must be positive; --wrap-up-s and --sl-threshold-s not negative")
    options = SimulationOptions(
        agents=args.agents,
        calls_per_hour=args.calls_per_hour,
        aht_s=args.aht_s,
        calls=args.calls,
        seed=args.seed,
        sl_threshold_s=args.sl_threshold_s,
        patience_s=args.patience_s,
        strategy=Strategy(args.strategy),
        handle_distribution=args.handle_distribution,
        handle_cv=args.handle_cv,
        wrap_up_s=args.wrap_up_s,
        lines=args.lines,
    )
    return options, bool(args.json)


def result_json(result: SimulationResult, predicted: Prediction) -> dict[str, object]:
    totals = result.figures.totals
    model = "erlang_a" if result.options.patience_s is not None else "erlang_c"
    return {
        "calls": result.calls_ended,
        "lines_busy": result.lines_busy,
        "offered": totals.offered,
        "answered": totals.answered,
        "abandoned": totals.abandoned,
        "service_level": totals.service_level,
        "sl_threshold_s": result.options.sl_threshold_s,
        "asa_s": totals.asa_s,
        "aht_s": totals.aht_s,
        "abandon_rate": totals.abandon_rate,
        "answer_rate": totals.answer_rate,
        "occupancy": result.figures.occupancy,
        "virtual_hours": result.virtual_s / 3600.0,
        "engine_events": result.engine_events,
        "wall_s": result.wall_s,
        "model": model,
        "erlang_c": _prediction_json(prediction(replace(result.options, patience_s=None))),
        **({"erlang_a": _prediction_json(predicted)} if model == "erlang_a" else {}),
        "model_note": model_note(result.options),
    }


def _prediction_json(predicted: Prediction) -> dict[str, object]:
    return {
        "agents": predicted.agents,
        "traffic_erlangs": predicted.traffic_erlangs,
        "p_wait": predicted.p_wait,
        "service_level": predicted.service_level,
        "asa_s": predicted.asa_s if math.isfinite(predicted.asa_s) else None,
        "abandon_rate": predicted.abandon_rate,
        "occupancy": predicted.occupancy,
    }


def _share(value: float | None) -> str:
    return "—" if value is None else f"{100.0 * value:.1f} %"


def _seconds(value: float | None) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:.1f} s"


def result_table(result: SimulationResult, predicted: Prediction) -> str:
    options = result.options
    totals = result.figures.totals
    model = "Erlang A" if options.patience_s is not None else "Erlang C"
    rows = [
        ("calls", str(result.calls_ended), ""),
        ("busy tone (all lines in use)", str(result.lines_busy), ""),
        ("answered", str(totals.answered), ""),
        ("abandoned", str(totals.abandoned), ""),
        (
            f"service level ({options.sl_threshold_s:g} s)",
            _share(totals.service_level),
            _share(predicted.service_level),
        ),
        ("ASA", _seconds(totals.asa_s), _seconds(predicted.asa_s)),
        ("abandon rate", _share(totals.abandon_rate), _share(predicted.abandon_rate)),
        ("occupancy", _share(result.figures.occupancy), _share(predicted.occupancy)),
        ("AHT", _seconds(totals.aht_s), _seconds(options.aht_s + options.wrap_up_s)),
    ]
    lines = [
        f"{options.agents} agents, {options.calls_per_hour:g} calls/h, mean handle"
        f" {options.aht_s:g} s ({options.handle_distribution})"
        f"{f' + {options.wrap_up_s:g} s wrap-up' if options.wrap_up_s else ''}, strategy"
        f" {options.strategy.value}, seed {options.seed}; {result.virtual_s / 3600:.1f} h"
        f" simulated in {result.wall_s:.2f} s",
        f"{'':28}{'simulated':>12}{model:>12}",
    ]
    lines += [f"{name:28}{simulated:>12}{model_value:>12}" for name, simulated, model_value in rows]
    note = model_note(options)
    if note:
        lines.append(note)
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    options, args_json = _parse(argv)
    result = run_simulation(options)
    predicted = prediction(options)
    if args_json:
        print(json.dumps(result_json(result, predicted)))
    else:
        print(result_table(result, predicted))
    return 0
