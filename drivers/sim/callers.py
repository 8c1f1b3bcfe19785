"""Simulated callers: Poisson arrivals at a rate by hour of day, numbers from a pool (VIPs and
blacklisted numbers included), menu choices with weights, patience while waiting, hang-ups, and
waybill numbers keyed in the keypad self-service."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import string
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from drivers.roles import (
    CallerId,
    Clock,
    Connect,
    Disconnect,
    HangUpLine,
    MediaAction,
    PlayPrompt,
    RefuseCall,
)
from drivers.sim.lines import BoxDid, SimulatedLines, prompt_duration_s
from drivers.sim.positions import SimulatedBridge
from drivers.sim.transcript import Transcript

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CallerTraffic:
    """How callers behave. Times are simulated seconds."""

    calls_per_hour: tuple[float, ...] = (60.0,) * 24  # by local hour of day, 24 entries
    numbers: tuple[tuple[str, str], ...] = (("13800138000", "张伟"),)  # (number, name) pool
    menu_weights: tuple[tuple[str, float], ...] = (("1", 0.5), ("2", 0.3), ("3", 0.2))
    mean_patience_s: float = 120.0  # waiting in the queue before hanging up (exponential)
    mean_talk_s: float = 400.0  # the caller's own limit once talking; agents usually end first
    key_delay_s: tuple[float, float] = (0.5, 2.5)  # from hearing the menu to pressing
    virtual_hold_share: float = 0.1  # take the virtual-hold offer
    survey_share: float = 0.7  # answer the survey
    menu_mistake_share: float = 0.03  # press a key that is not on the menu
    max_call_s: float = 3600.0  # a simulated caller never stays longer than this
    # waybill numbers the depot's tracking export knows, keyed when the box asks for one; with
    # none, the caller keys nothing and the box puts them through to an agent
    waybills: tuple[str, ...] = ()
    # what a caller asked for a waybill does: key a known one and hang up after hearing it
    # ("served"), key a known one and press 0 after hearing it ("agent"), key an unknown one
    waybill_choices: tuple[tuple[str, float], ...] = (
        ("served", 0.6),
        ("agent", 0.2),
        ("unknown", 0.2),
    )

    def __post_init__(self) -> None:
        if len(self.calls_per_hour) != 24:
            raise ValueError("calls_per_hour needs 24 entries, one per hour of the day")
        if not self.numbers:
            raise ValueError("callers need at least one number")


@dataclass(frozen=True, slots=True)
class CallOutcome:
    number: str
    line: str
    result: str  # "busy", "refused", "abandoned", "talked", "self_served", "ended_by_box"


class SimulatedCallers:
    """Makes calls ring on simulated lines and plays the caller's part in each."""

    def __init__(
        self,
        lines: SimulatedLines,
        bridge: SimulatedBridge,
        traffic: CallerTraffic,
        *,
        clock: Clock,
        speed: float = 1.0,
        timezone: str = "Asia/Shanghai",
        seed: int = 0,
        transcript: Transcript | None = None,
        max_outcomes: int = 1000,
    ) -> None:
        self._lines = lines
        self._traffic = traffic
        self._clock = clock
        self._speed = speed
        self._zone = ZoneInfo(timezone)
        self._random = random.Random(seed)
        self._calls: dict[str, asyncio.Queue[object]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.transcript = transcript if transcript is not None else lines.transcript
        self.outcomes: list[CallOutcome] = []
        self._max_outcomes = max_outcomes
        self.placed = 0
        lines.listen(self._heard_line)
        bridge.listen(self._heard_bridge)

    def rate_per_hour(self, time_s: float) -> float:
        hour = dt.datetime.fromtimestamp(time_s, self._zone).hour
        return self._traffic.calls_per_hour[hour]

    async def run(self) -> None:
        """Place calls until cancelled; calls in progress hang up when cancelled."""
        try:
            while True:
                rate = self.rate_per_hour(self._clock())
                if rate <= 0:
                    await self._sleep(60.0)
                    continue
                await self._sleep(self._random.expovariate(rate / 3600.0))
                self.place_call()
        finally:
            for task in tuple(self._tasks):
                task.cancel()

    def place_call(self, number: str = "", name: str = "", *, line: str = "") -> None:
        """Ring one call now: from the pool unless a number is given, on a free line."""
        if not number:
            number, name = self._random.choice(self._traffic.numbers)
        free = self._lines.free_lines()
        target = line or (self._random.choice(free) if free else "")
        self.placed += 1
        if not target or target in self._calls:
            self._note(CallOutcome(number, target, "busy"))
            return
        queue: asyncio.Queue[object] = asyncio.Queue()
        self._calls[target] = queue
        if not self._lines.incoming_call(target, CallerId(number, name)):
            del self._calls[target]
            self._note(CallOutcome(number, target, "busy"))
            return
        task = asyncio.create_task(self._call(target, number, queue))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @property
    def calls_in_progress(self) -> int:
        return len(self._calls)

    # -----------------------------------------------------------------------------------------

    async def _call(self, line: str, number: str, heard: asyncio.Queue[object]) -> None:
        traffic = self._traffic
        started_s = self._clock()
        patience_s = self._random.expovariate(1.0 / traffic.mean_patience_s)
        talk_s = self._random.expovariate(1.0 / traffic.mean_talk_s)
        wait_until_s: float | None = None  # set once the caller has chosen from the menu
        talk_until_s: float | None = None
        heard_until_s: float | None = None  # set once a served caller hears their waybill
        waybill_plan = ""
        result = "ended_by_box"
        try:
            while True:
                now = self._clock()
                limits = [started_s + traffic.max_call_s]
                if talk_until_s is not None:
                    limits.append(talk_until_s)
                elif heard_until_s is not None:
                    limits.append(heard_until_s)
                elif wait_until_s is not None:
                    limits.append(wait_until_s)
                timeout_s = max(0.0, min(limits) - now) / self._speed
                try:
                    news = await asyncio.wait_for(heard.get(), timeout_s)
                except TimeoutError:
                    result = "talked" if talk_until_s is not None else "abandoned"
                    if talk_until_s is None and heard_until_s is not None:
                        result = "self_served"
                    self._lines.hang_up(line)
                    return
                match news:
                    case RefuseCall():
                        result = "refused"
                        return
                    case HangUpLine():
                        return
                    case PlayPrompt(prompts=prompts) if "waybill_enter" in prompts:
                        wait_until_s = None  # keying a number is not waiting in line
                        waybill_plan = await self._key_waybill(line)
                    case PlayPrompt(prompts=prompts) if "waybill_agent_key" in prompts:
                        # the read-back: listen to the end, then hang up or ask for an agent
                        listened_s = prompt_duration_s(prompts) + 0.5
                        if waybill_plan != "agent":
                            heard_until_s = self._clock() + listened_s
                            continue
                        await self._sleep(listened_s)
                        self._lines.press(line, "0")
                        wait_until_s = self._clock() + patience_s
                    case PlayPrompt(prompts=prompts) if "waybill_unknown" in prompts:
                        wait_until_s = self._clock() + patience_s
                    case PlayPrompt(prompts=prompts):
                        key = self._answer_prompt(prompts)
                        if key:
                            await self._sleep(self._random.uniform(*traffic.key_delay_s))
                            self._lines.press(line, key)
                            if wait_until_s is None and key.isdigit():
                                wait_until_s = self._clock() + patience_s
                    case Connect():
                        talk_until_s = self._clock() + talk_s
                    case Disconnect():
                        talk_until_s = None
                        wait_until_s = self._clock() + patience_s
        finally:
            self._calls.pop(line, None)
            self._note(CallOutcome(number, line, result))

    def _answer_prompt(self, prompts: tuple[str, ...]) -> str:
        """The key this caller presses after hearing these prompts, or "" for none."""
        traffic = self._traffic
        if any(p.startswith("menu_") and p not in ("menu_invalid",) for p in prompts):
            if self._random.random() < traffic.menu_mistake_share:
                return "7"
            digits, weights = zip(*traffic.menu_weights, strict=True)
            return self._random.choices(digits, weights)[0]
        if "virtual_hold_press" in prompts and self._random.random() < traffic.virtual_hold_share:
            return _key_named(prompts[prompts.index("virtual_hold_press") + 1])
        if "survey" in prompts and self._random.random() < traffic.survey_share:
            return self._random.choices("54321", (50, 30, 10, 5, 5))[0]
        return ""

    async def _key_waybill(self, line: str) -> str:
        """Key a waybill number and #, as the caller's plan says; the plan, "" for none."""
        traffic = self._traffic
        if not traffic.waybills:
            return ""
        plans, weights = zip(*traffic.waybill_choices, strict=True)
        plan = self._random.choices(plans, weights)[0]
        known = [w.lstrip(string.ascii_letters) for w in traffic.waybills]  # keys are digits
        digits = self._random.choice(known)
        while plan == "unknown" and digits in known:
            digits = "".join(self._random.choices("0123456789", k=10))
        await self._sleep(self._random.uniform(*traffic.key_delay_s))
        for key in digits + "#":
            self._lines.press(line, key)
            await self._sleep(self._random.uniform(0.2, 0.6))
        return plan

    def _heard_line(self, news: BoxDid) -> None:
        queue = self._calls.get(news.line)
        if queue is not None:
            queue.put_nowait(news.action)

    def _heard_bridge(self, action: MediaAction) -> None:
        line = getattr(action, "line", "")
        queue = self._calls.get(line)
        if queue is not None:
            queue.put_nowait(action)

    def _note(self, outcome: CallOutcome) -> None:
        where = outcome.line or "-"
        self.transcript.add(f"call from {outcome.number} on {where}: {outcome.result}")
        self.outcomes.append(outcome)
        if len(self.outcomes) > self._max_outcomes:
            del self.outcomes[: len(self.outcomes) - self._max_outcomes]

    async def _sleep(self, sim_s: float) -> None:
        await asyncio.sleep(sim_s / self._speed)


def _key_named(prompt: str) -> str:
    """The phone key a key prompt says ("num_2" → "2", "key_star" → "*")."""
    return {"key_star": "*", "key_hash": "#"}.get(prompt, prompt.removeprefix("num_"))
