"""The engine under Hypothesis' stateful testing: random sequences of line, position and
people's events — many at the same instant, settings changed mid-call, restarts — against a
strict engine, checking after every step what a depot would see (engine_checks.py).
tests/unit/engine/test_engine_properties.py runs it briefly; `depotline fuzz` for longer."""

from __future__ import annotations

from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

from appliance.engine.commands import (
    Block,
    BoxStopping,
    CommandRefused,
    HangUp,
    Hold,
    LogIn,
    LogOut,
    Mute,
    Pause,
    PlaceCall,
    Ready,
    SetupChanged,
    SummarySaved,
    ThreeWay,
    Tick,
    Transfer,
    TransferToQueue,
    Unhold,
    WaybillFound,
    WaybillUnknown,
)
from appliance.engine.engine import Engine
from appliance.engine.memory import agents_today
from appliance.engine.records import LookUpWaybill, QueueLogEntry, Verb
from appliance.engine.setup import (
    Agent,
    DepotSetup,
    Menu,
    MenuOption,
    OpeningHours,
    Overflow,
    OverflowKind,
    Queue,
    Strategy,
    Tier,
)
from appliance.engine.types import Action, Event
from appliance.fuzz.engine_checks import EngineChecks
from appliance.recovery import interrupted_calls
from drivers.roles import (
    CallArrived,
    CallerHungUp,
    CallerId,
    CallTurnedAway,
    DialFailed,
    DigitPressed,
    HangUpCause,
    LineAnswered,
    LineFaulted,
    LineInService,
    MediaCapability,
    OfferNotPlaced,
    PlayPrompt,
    PositionAnswered,
    PositionFaulted,
    PositionHungUp,
    PositionInService,
    PositionRejected,
    PromptFinished,
    RecordingFinished,
    RingPosition,
    TurnedAwayReason,
)

T0 = 1_763_971_200.0  # Monday 16:00 in Asia/Shanghai
LINES = ("l1", "l2", "l3")
AGENTS = ("a1", "a2", "a3")
NUMBERS = ("13800000001", "13800000002", "13900000003", "")
STEPS_S = (0.0, 0.0, 0.0, 0.1, 1.0, 3.0, 7.0, 16.0, 31.0, 61.0, 121.0)
RARELY = 8  # the box stopping or restarting: one draw in this many
COMMANDS = (
    "login", "logout", "pause", "ready", "hold", "unhold", "mute", "transfer", "three_way",
    "hang_up", "place_call", "block", "transfer_to_queue", "summary_saved", "forced_ready",
)  # fmt: skip


def depot_setup(variant: int) -> DepotSetup:
    """A small depot; `variant` changes what settings changes mid-call touch."""
    strategy = list(Strategy)[variant % len(Strategy)]
    overflow = list(OverflowKind)[variant % len(OverflowKind)]
    cargo = Queue(
        "cargo", "货运", "cargo", strategy=strategy, ring_timeout_s=5.0 + variant % 3 * 5,
        retry_s=float(variant % 3), wrap_up_s=float(variant % 2 * 10),
        max_wait_s=(0.0, 60.0, 120.0)[variant % 3],
        overflow=Overflow(overflow, "orders" if overflow is OverflowKind.QUEUE else ""),
        announce_every_s=(0.0, 15.0)[variant % 2], tier_escalation_s=(0.0, 20.0)[variant % 2],
        talk_time_limit_s=60.0, survey=variant % 2 == 1, max_length=(0, 2)[variant % 2],
        paused_is_empty=variant % 2 == 0, virtual_hold_key=("1", "2", "*")[variant % 3],
        summary_required=variant % 3 == 1, waybill_self_service=variant % 4 == 3,
    )  # fmt: skip
    orders = Queue("orders", "订单", "orders", ring_timeout_s=8.0, join_when_no_agents=True)
    agents = (
        Agent("a1", "A1", (("cargo", Tier.GENERAL), ("orders", Tier.GENERAL))),
        Agent("a2", "A2", (("cargo", Tier.SKILLED),), max_missed_offers=2),
        Agent("a3", "A3", (("orders", Tier.GENERAL), ("cargo", Tier.EXPERT)), supervisor=True),
    )
    menu = Menu(
        options=(MenuOption("1", "cargo", "menu_cargo"), MenuOption("2", "orders", "menu_orders")),
        default_queue="cargo", timeout_s=4.0,
    )  # fmt: skip
    # every other variant closes two minutes in: callers waiting then hear "closed"
    hours = OpeningHours(always_open=True)
    if variant % 2:
        hours = OpeningHours(weekly=tuple(((0, 16 * 60 + 2),) for _ in range(7)))
    queues = (cargo, orders) if variant != 3 else (cargo,)
    return DepotSetup(
        queues=queues, agents=agents, menu=menu, hours=hours, line_queues=(("l3", "cargo"),),
        vip_numbers=("13900000003",),
    )  # fmt: skip


class EngineMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = T0
        self.checks = EngineChecks(T0)
        self.engine = Engine(depot_setup(0), strict=True)
        self.play_ids: dict[str, int] = {}  # line -> last prompt id played on it
        self.rings: dict[str, str] = {}  # position -> offer id ringing there now
        self.past_offers: list[tuple[str, str]] = []  # (position, offer id)
        self.look_ups: list[str] = []  # calls whose waybill look-up the engine asked for
        self.started_since_s = T0
        self._bring_up()

    # -- plumbing --------------------------------------------------------------------------

    def _bring_up(self) -> None:
        for line in LINES:
            self._send(LineInService(self.now, line, media=MediaCapability.FULL_DUPLEX))
        for agent in AGENTS:
            self._send(PositionInService(self.now, f"pos_{agent}"))
            self._send(LogIn(self.now, agent, f"pos_{agent}"))

    def _send(self, event: Event) -> list[Action]:
        try:
            out = self.engine.handle(event)
        except CommandRefused:
            return []
        self._follow(out)
        self.checks.step(event, out, self.engine.snapshot(self.now))
        return out

    def _follow(self, out: list[Action]) -> None:
        """Keep what a driver would know: prompt ids, which offer rings where."""
        for action in out:
            if isinstance(action, PlayPrompt):
                self.play_ids[action.line] = action.play_id
            elif isinstance(action, RingPosition):
                self.rings[action.position] = action.offer_id
                self.past_offers.append((action.position, action.offer_id))
            elif isinstance(action, LookUpWaybill):
                self.look_ups.append(action.call_id)

    # -- time and lines --------------------------------------------------------------------

    @rule(step_s=st.sampled_from(STEPS_S))
    def time_passes(self, step_s: float) -> None:
        self.now += step_s
        self._send(Tick(self.now))

    @rule(line=st.sampled_from(LINES), number=st.sampled_from(NUMBERS), withheld=st.booleans())
    def call_arrives(self, line: str, number: str, withheld: bool) -> None:
        caller = CallerId("" if withheld else number, withheld="private" if withheld else "")
        self._send(CallArrived(self.now, line, caller=caller))

    @rule(
        line=st.sampled_from(LINES),
        number=st.sampled_from(NUMBERS),
        digit=st.sampled_from("1122*"),
        step_s=st.sampled_from((0.0, 0.5, 4.0)),
    )
    def caller_reaches_queue(self, line: str, number: str, digit: str, step_s: float) -> None:
        """The usual way in, in one rule: ring, answer, greeting heard, a menu key."""
        self._send(CallArrived(self.now, line, caller=CallerId(number)))
        self._send(LineAnswered(self.now, line))
        self.now += step_s
        self._send(PromptFinished(self.now, line, play_id=self.play_ids.get(line, 0)))
        self._send(DigitPressed(self.now, line, digit=digit))

    @rule(agent=st.sampled_from(AGENTS), talk_s=st.sampled_from((0.0, 2.0, 30.0, 90.0)))
    def agent_takes_call(self, agent: str, talk_s: float) -> None:
        """The usual way an offer goes: answered, a conversation, the agent hangs up."""
        position = f"pos_{agent}"
        offer_id = self.rings.get(position, "")
        self._send(PositionAnswered(self.now, position, offer_id))
        self.now += talk_s
        self._send(PositionHungUp(self.now, position, offer_id))

    @rule(line=st.sampled_from(LINES))
    def line_answers(self, line: str) -> None:
        self._send(LineAnswered(self.now, line))

    @rule(line=st.sampled_from(LINES), interrupted=st.booleans())
    def prompt_finishes(self, line: str, interrupted: bool) -> None:
        play_id = self.play_ids.get(line, 0)
        self._send(PromptFinished(self.now, line, play_id=play_id, interrupted=interrupted))

    @rule(found=st.booleans(), pick=st.integers(0, 50))
    def shell_answers_waybill_look_up(self, found: bool, pick: int) -> None:
        """Found or unknown, for any look-up asked so far: late and repeated answers too."""
        if not self.look_ups:
            return
        call_id = self.look_ups[pick % len(self.look_ups)]
        if found:
            self._send(WaybillFound(self.now, call_id, "in_transit", "广州", self.now - 3600))
        else:
            self._send(WaybillUnknown(self.now, call_id))

    @rule(line=st.sampled_from(LINES), digit=st.sampled_from("012349*#"))
    def caller_presses(self, line: str, digit: str) -> None:
        self._send(DigitPressed(self.now, line, digit=digit))

    @rule(line=st.sampled_from(LINES), cause=st.sampled_from(list(HangUpCause)))
    def caller_hangs_up(self, line: str, cause: HangUpCause) -> None:
        self._send(CallerHungUp(self.now, line, cause))

    @rule(line=st.sampled_from(LINES), back=st.booleans())
    def line_fails_or_returns(self, line: str, back: bool) -> None:
        if back:
            self._send(LineInService(self.now, line, media=MediaCapability.FULL_DUPLEX))
        else:
            self._send(LineFaulted(self.now, line, reason="fuzz"))

    @rule(
        line=st.sampled_from(LINES),
        number=st.sampled_from(NUMBERS),
        reason=st.sampled_from(list(TurnedAwayReason)),
    )
    def call_turned_away(self, line: str, number: str, reason: TurnedAwayReason) -> None:
        self._send(CallTurnedAway(self.now, line, caller=CallerId(number), reason=reason))

    @rule(line=st.sampled_from(LINES), answered=st.booleans())
    def dial_resolves(self, line: str, answered: bool) -> None:
        if answered:
            self._send(LineAnswered(self.now, line))
        else:
            self._send(DialFailed(self.now, line, reason="busy"))

    @rule(line=st.sampled_from(LINES))
    def recording_finishes(self, line: str) -> None:
        self._send(RecordingFinished(self.now, line, duration_s=4.0))

    # -- positions -------------------------------------------------------------------------

    @rule(agent=st.sampled_from(AGENTS), late=st.booleans(), pick=st.integers(0, 50))
    def agent_answers(self, agent: str, late: bool, pick: int) -> None:
        position = f"pos_{agent}"
        offer_id = self.rings.get(position, "")
        if late:  # an answer that crossed a withdrawal: an offer this phone had before
            earlier = [o for p, o in self.past_offers if p == position]
            offer_id = earlier[pick % len(earlier)] if earlier else ""
        self._send(PositionAnswered(self.now, position, offer_id))

    @rule(agent=st.sampled_from(AGENTS), how=st.integers(0, 2))
    def agent_phone_ends_leg(self, agent: str, how: int) -> None:
        position = f"pos_{agent}"
        offer_id = self.rings.get(position, "")
        if how == 0:
            self._send(PositionRejected(self.now, position, offer_id=offer_id, reason="busy"))
        elif how == 1:
            self._send(PositionHungUp(self.now, position, offer_id))
        else:
            self._send(OfferNotPlaced(self.now, position, offer_id=offer_id, reason="fuzz"))

    @rule(agent=st.sampled_from(AGENTS), back=st.booleans())
    def position_fails_or_returns(self, agent: str, back: bool) -> None:
        position = f"pos_{agent}"
        if back:
            self._send(PositionInService(self.now, position))
        else:
            self._send(PositionFaulted(self.now, position, reason="fuzz"))

    # -- people ----------------------------------------------------------------------------

    @rule(
        what=st.sampled_from(COMMANDS),
        agent=st.sampled_from(AGENTS),
        other=st.sampled_from(AGENTS),
        number=st.sampled_from(NUMBERS[:3]),
    )
    def person_commands(self, what: str, agent: str, other: str, number: str) -> None:
        now = self.now
        commands = {
            "login": lambda: LogIn(now, agent, f"pos_{agent}"),
            "logout": lambda: LogOut(now, agent),
            "pause": lambda: Pause(now, agent, reason="break"),
            "ready": lambda: Ready(now, agent),
            "hold": lambda: Hold(now, agent),
            "unhold": lambda: Unhold(now, agent),
            "mute": lambda: Mute(now, agent),
            "transfer": lambda: Transfer(now, agent, other),
            "three_way": lambda: ThreeWay(now, agent, other),
            "hang_up": lambda: HangUp(now, agent),
            "place_call": lambda: PlaceCall(now, agent, number),
            "block": lambda: Block(now, agent),
            "transfer_to_queue": lambda: TransferToQueue(
                now, agent, "orders" if other != "a3" else "cargo"
            ),
            "summary_saved": lambda: SummarySaved(now, agent, self._call_of(agent)),
            "forced_ready": lambda: Ready(now, agent, by=other),
        }
        self._send(commands[what]())

    def _call_of(self, agent: str) -> str:
        """The call the agent is on or wrapping up ("" when none)."""
        views = self.engine.snapshot(self.now).agents
        return next((view.call_id for view in views if view.id == agent), "")

    @rule(variant=st.integers(0, 5))
    def settings_change(self, variant: int) -> None:
        self._send(SetupChanged(self.now, depot_setup(variant)))

    # -- the box ---------------------------------------------------------------------------

    @rule(rarely=st.integers(0, RARELY))
    def box_stops(self, rarely: int) -> None:
        if rarely == 0:
            self._send(BoxStopping(self.now))

    @rule(variant=st.integers(0, 5), rarely=st.integers(0, RARELY))
    def daemon_restarts(self, variant: int, rarely: int) -> None:
        """A crash and a start: calls left open are ended by recovery, each agent's day comes
        back from the log, devices report in again."""
        if rarely:
            return
        self.now += 5.0  # a start takes seconds: call ids (start ms + sequence) stay unique
        since = [e for e in self.checks.log if e.time_s >= self.started_since_s]
        recovered = interrupted_calls(since, now_s=self.now, callback_due_s=3600.0)
        start = QueueLogEntry(self.now, "NONE", "NONE", "NONE", Verb.QUEUESTART)
        self.checks.restarted([*recovered, start])
        today = agents_today(self.checks.log)
        self.engine = Engine(depot_setup(variant), strict=True, agents_today=today)
        self.play_ids.clear()
        self.rings.clear()
        self.started_since_s = self.now
        self._bring_up()

    def teardown(self) -> None:
        self.now += 1.0
        self._send(BoxStopping(self.now))
        self.checks.every_call_ended_once()


def run_engine_machine(run_seed: int, max_examples: int, steps: int = 80) -> None:
    """Run the machine from `run_seed`; raises (with Hypothesis' shrunk steps) on a failure."""
    seeded = seed(run_seed)(type("SeededEngineMachine", (EngineMachine,), {}))
    run_state_machine_as_test(
        seeded,
        settings=settings(
            max_examples=max_examples,
            stateful_step_count=steps,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
