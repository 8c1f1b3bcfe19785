"""How the depot handles calls: queues, agents, the caller menu, opening hours, VIPs and the
blacklist. Frozen data; the store keeps it, the web UI edits it, the engine reads it."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field


class Strategy(enum.Enum):
    """How a queue picks among ready agents of the tier it is trying (Asterisk app_queue's
    names where they exist)."""

    RING_ALL = "ringall"
    LONGEST_IDLE = "longest_idle"  # app_queue "leastrecent"
    ROUND_ROBIN = "round_robin"  # app_queue "rrmemory": carries on after the last one offered
    FEWEST_CALLS = "fewest_calls"
    LEAST_TALK_TIME = "least_talk_time"
    RANDOM = "random"
    LINEAR = "linear"  # always in the listed order


class Tier(enum.IntEnum):
    """Skill levels; a queue offers to the lowest tier first and escalates after a wait."""

    GENERAL = 1  # 普通
    SKILLED = 2  # 专业
    EXPERT = 3  # 专家
    LEAD = 4  # 主管


class OverflowKind(enum.Enum):
    QUEUE = "queue"  # move the caller to another queue, keeping the original entry time
    VOICEMAIL = "voicemail"
    CALLBACK = "callback"  # take a callback request and hang up
    HANG_UP = "hang_up"  # play "sorry, try later" and hang up


@dataclass(frozen=True, slots=True)
class Overflow:
    kind: OverflowKind = OverflowKind.CALLBACK
    target_queue: str = ""  # for OverflowKind.QUEUE


@dataclass(frozen=True, slots=True)
class Queue:
    id: str
    name_zh: str
    name_en: str
    strategy: Strategy = Strategy.LONGEST_IDLE
    ring_timeout_s: float = 15.0  # one offer to one agent
    retry_s: float = 2.0  # pause before the next offer after a timeout
    wrap_up_s: float = 30.0  # after-call work, per queue
    max_wait_s: float = 300.0  # then overflow; 0 = no limit
    max_length: int = 0  # callers waiting; 0 = no limit; a full queue overflows at once
    overflow: Overflow = field(default_factory=Overflow)
    # app_queue's weight: an agent free for several queues is offered to the waiting callers of
    # the heaviest queue first (a 救援 rescue line above the rest); equal weights go by the
    # callers' priority class and waiting time. 0 to QUEUE_WEIGHT_MAX.
    weight: int = 0
    join_when_no_agents: bool = False  # False: with nobody logged in, overflow at once
    leave_when_no_agents: bool = True  # everybody logs out while callers wait: overflow them
    # for the two rules above, agents logged in but all paused count as nobody (app_queue's
    # joinempty=paused / leavewhenempty=paused)
    paused_is_empty: bool = True
    tier_escalation_s: float = 30.0  # wait before the next tier is tried as well
    announce_every_s: float = 45.0  # position and estimated wait; 0 = never
    talk_time_limit_s: float = 600.0  # 超时预警; 0 = never
    record_calls: bool = False
    recording_retention_days: int = 90
    sl_threshold_s: float = 20.0
    virtual_hold_key: str = "1"  # press while waiting to keep the place and be called back
    survey: bool = False  # post-call 1–5 satisfaction survey (满意度调查)
    # keypad self-service: callers choosing this queue in the menu first key a waybill number
    # and hear its status read back (货物查询); 0 or an unknown number joins the queue
    waybill_self_service: bool = False
    # 通话小结 required: the agent's wrap-up ends only once the call's summary was saved
    summary_required: bool = False


@dataclass(frozen=True, slots=True)
class Agent:
    id: str  # 工号
    name: str
    skills: tuple[tuple[str, Tier], ...] = ()  # (queue id, tier); no entry = not in that queue
    max_missed_offers: int = 3  # then paused with reason "missed"
    supervisor: bool = False  # may listen in, whisper and barge

    def tier_in(self, queue_id: str) -> Tier | None:
        for queue, tier in self.skills:
            if queue == queue_id:
                return tier
        return None


@dataclass(frozen=True, slots=True)
class MenuOption:
    digit: str
    queue: str
    prompt: str  # name of the prompt that announces it ("menu_cargo")


@dataclass(frozen=True, slots=True)
class Menu:
    greeting_prompt: str = "greeting"
    options: tuple[MenuOption, ...] = ()
    timeout_s: float = 6.0  # no key after the menu: repeat it
    attempts: int = 2  # then the default queue
    default_queue: str = ""
    language_key: str = "9"  # switches the caller's prompts to English


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """Weekly hours in the depot's time zone. `weekly[0]` is Monday: a tuple of (start, end)
    minute-of-day ranges. Holidays are closed all day."""

    timezone: str = "Asia/Shanghai"
    weekly: tuple[tuple[tuple[int, int], ...], ...] = ((),) * 7
    holidays: tuple[dt.date, ...] = ()
    always_open: bool = False
    # False: at closing time callers still waiting hear "closed" and are called back later;
    # True: they keep waiting for an agent
    serve_waiting_after_close: bool = False


@dataclass(frozen=True, slots=True)
class DepotSetup:
    queues: tuple[Queue, ...]
    agents: tuple[Agent, ...]
    menu: Menu
    hours: OpeningHours = field(default_factory=OpeningHours)
    vip_numbers: tuple[str, ...] = ()  # jump ahead of everyone not a VIP
    blacklist: tuple[str, ...] = ()
    language: str = "zh-CN"  # callers' default prompt language
    line_queues: tuple[tuple[str, str], ...] = ()  # (line, queue): skip the menu on that line
    callback_due_s: float = 3 * 24 * 3600.0  # seed: callbacks within 3 days
    mute_s: float = 5.0
    # (place as the tracking export names it, prompt name): places with a recorded piece for
    # the waybill self-service; any other place is read with the generic "waybill_place_other"
    waybill_place_prompts: tuple[tuple[str, str], ...] = ()

    def queue(self, queue_id: str) -> Queue:
        for queue in self.queues:
            if queue.id == queue_id:
                return queue
        raise KeyError(queue_id)

    def agent(self, agent_id: str) -> Agent:
        for agent in self.agents:
            if agent.id == agent_id:
                return agent
        raise KeyError(agent_id)


QUEUE_WEIGHT_MAX = 9


class SetupInvalid(ValueError):
    """Settings the engine cannot run with; the message names the queue or agent, the field,
    the value and what is allowed."""


# Periods where 0 means "off" (never, no limit, no pause, every tier at once).
_QUEUE_PERIODS_ZERO_OFF = (
    "retry_s",
    "wrap_up_s",
    "max_wait_s",
    "tier_escalation_s",
    "announce_every_s",
    "talk_time_limit_s",
)
# Periods that must be longer than 0: at 0 a timer would fire at the instant it was set.
_QUEUE_PERIODS_POSITIVE = ("ring_timeout_s", "sl_threshold_s")


def setup_problems(setup: DepotSetup) -> list[str]:
    """What is wrong with `setup`, one sentence each; empty when the engine can run it."""
    problems: list[str] = []
    for queue in setup.queues:
        for name in _QUEUE_PERIODS_ZERO_OFF:
            value = getattr(queue, name)
            if not value >= 0:  # also refuses NaN
                problems.append(f"queue {queue.id}: {name} is {value}; 0 (off) or more")
        for name in _QUEUE_PERIODS_POSITIVE:
            value = getattr(queue, name)
            if not value > 0:
                problems.append(f"queue {queue.id}: {name} is {value}; more than 0")
        if not 0 <= queue.weight <= QUEUE_WEIGHT_MAX:
            problems.append(f"queue {queue.id}: weight is {queue.weight}; 0 to {QUEUE_WEIGHT_MAX}")
        if queue.max_length < 0:
            problems.append(f"queue {queue.id}: max_length is {queue.max_length}; 0 or more")
    menu = setup.menu
    if not menu.timeout_s > 0:
        problems.append(f"menu: timeout_s is {menu.timeout_s}; more than 0")
    if menu.attempts < 1:
        problems.append(f"menu: attempts is {menu.attempts}; 1 or more")
    if not setup.mute_s > 0:
        problems.append(f"mute_s is {setup.mute_s}; more than 0")
    if not setup.callback_due_s >= 0:
        problems.append(f"callback_due_s is {setup.callback_due_s}; 0 or more")
    for agent in setup.agents:
        if agent.max_missed_offers < 0:
            problems.append(f"agent {agent.id}: max_missed_offers is {agent.max_missed_offers}")
    return problems


def check_setup(setup: DepotSetup) -> None:
    """Raise SetupInvalid naming every problem of `setup`."""
    problems = setup_problems(setup)
    if problems:
        raise SetupInvalid("; ".join(problems))
