"""A call as the engine follows it from the first ring to the call record, and an offer of a
call ringing at one agent's position."""

from __future__ import annotations

from dataclasses import dataclass, field

from appliance.engine.records import CallRecord, EndReason
from appliance.engine.views import CallStage, CallView
from appliance.engine.waiting import WaitKey
from drivers.roles import CallerId

WAITING = (CallStage.QUEUED, CallStage.OFFERED)  # in a queue's waiting line
TALKING = (CallStage.CONNECTED, CallStage.ON_HOLD)  # in a conversation with an agent


def seconds_text(seconds: float) -> str:
    """Seconds as queue-log data: "12.500"."""
    return f"{seconds:.3f}"


@dataclass(slots=True, eq=False)
class Call:
    id: str
    line: str
    caller: CallerId
    direction: str  # "in" or "out"
    arrived_s: float
    language: str
    vip: bool
    seq: int
    stage: CallStage = CallStage.RINGING_LINE
    closed: bool = False  # arrived outside opening hours: the closed prompt, then hang up
    # prompts: the id of the prompt playing now and what happens when it finishes
    play_id: int = 0
    after_prompt: str = ""
    ending_reason: EndReason = EndReason.OVERFLOWED  # for a hang-up after a last prompt
    menu_plays: int = 0
    chosen_queue: str = ""
    # keypad self-service: the waybill keyed, and the step ("keying", "looking_up", "heard")
    waybill: str = ""
    waybill_step: str = ""
    # queue
    queue: str = ""
    entered_s: float | None = None  # first queue entry; kept when overflowing to a queue
    queue_entered_s: float = 0.0  # entry into the current queue (its max wait counts from here)
    orig_position: int = 0
    left_queue_s: float | None = None  # when the caller last left a queue (wait ends there)
    wait_key: WaitKey | None = None
    visited_queues: list[str] = field(default_factory=list)
    ringing: list[str] = field(default_factory=list)  # agents whose phones ring for it
    tried: set[str] = field(default_factory=set)  # agents offered since the last full round
    not_before_s: float = 0.0  # retry pause after an unanswered offer
    returning: bool = False
    virtual_hold_offered: bool = False  # an announcement told this caller the key
    # timers (handles; 0 = none)
    menu_timer: int = 0
    max_wait_timer: int = 0
    announce_timer: int = 0
    escalate_timer: int = 0
    retry_timer: int = 0
    talk_timer: int = 0
    survey_timer: int = 0
    dial_timer: int = 0
    # conversation
    agent: str = ""
    position: str = ""
    connected_s: float | None = None  # first connection to an agent
    leg_connected_s: float = 0.0  # connection to the current agent
    talk_ended_s: float | None = None  # the conversation ended (a survey may follow)
    connect_wait_s: float = 0.0
    hold_started_s: float | None = None
    hold_s: float = 0.0
    # waiting in a queue again after an agent had the caller (transferred to a queue, or back
    # in line after the agent's phone failed): wait in the call record, not talk
    rewait_s: float = 0.0
    recording_path: str = ""
    recording: bool = False
    survey_score: int | None = None
    extras: list[str] = field(default_factory=list)  # three-way agents
    listeners: dict[str, str] = field(default_factory=dict)  # supervisor -> position
    talk_warned: bool = False
    # voicemail
    voicemail_path: str = ""
    voicemail_started_s: float | None = None
    voicemail_logged: bool = False
    # outbound
    purpose: str = ""
    task_id: str = ""

    def end_hold(self, now_s: float) -> None:
        """The hold (if any) ends with this agent's leg: its time adds up into hold_s."""
        if self.hold_started_s is not None:
            self.hold_s += now_s - self.hold_started_s
            self.hold_started_s = None

    @property
    def number(self) -> str:
        return self.caller.number

    @property
    def can_be_called_back(self) -> bool:
        return bool(self.caller.number) and not self.caller.withheld

    def record(self, ended_s: float, reason: EndReason) -> CallRecord:
        """The call detail record. Wait: first queue entry until connected (or until the caller
        left the queues), plus any wait in a queue again after an agent had the caller; talk:
        first connection until the conversation ended, holds included, without that second
        wait (a survey after it is not talk)."""
        talk_s = 0.0
        if self.connected_s is not None:
            talk_end_s = ended_s if self.talk_ended_s is None else self.talk_ended_s
            talk_s = talk_end_s - self.connected_s - self.rewait_s
        if self.connected_s is not None:
            wait_s = self.connect_wait_s + self.rewait_s
        elif self.entered_s is not None:
            wait_end_s = ended_s if self.left_queue_s is None else self.left_queue_s
            wait_s = wait_end_s - self.entered_s
        else:
            wait_s = 0.0
        return CallRecord(
            call_id=self.id,
            line=self.line,
            direction=self.direction,
            number=self.caller.number,
            name=self.caller.name,
            arrived_s=self.arrived_s,
            ended_s=ended_s,
            end_reason=reason,
            queue=self.queue,
            enqueued_s=self.entered_s,
            agent=self.agent,
            connected_s=self.connected_s,
            wait_s=wait_s,
            talk_s=talk_s,
            hold_s=self.hold_s,
            recording_path=self.recording_path,
            survey_score=self.survey_score,
            vip=self.vip,
            withheld=self.caller.withheld,
        )

    def view(self, place_in_queue: int) -> CallView:
        return CallView(
            id=self.id,
            line=self.line,
            number=self.caller.number,
            name=self.caller.name,
            stage=self.stage,
            arrived_s=self.arrived_s,
            queue=self.queue,
            enqueued_s=self.entered_s,
            position_in_queue=place_in_queue,
            agent=self.agent,
            connected_s=self.connected_s,
            vip=self.vip,
            language=self.language,
            waybill=self.waybill,
        )


@dataclass(slots=True, eq=False)
class Offer:
    """A call ringing at an agent: a queue offer, a transfer or three-way invitation, or the
    agent's own phone ringing first for an outbound call."""

    id: str  # unique per offer; the driver echoes it on this leg's answer, reject and hang-up
    call_id: str
    kind: str  # "queue", "transfer", "three_way", "outbound"
    started_s: float
    timer: int
