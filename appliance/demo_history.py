"""28 days of believable past for a new demo database — calls with wrap-up, survey scores and
some recordings, callers served by the keypad waybill self-service, agents logging in for their
shifts, the roster they worked — so the staffing, roster, quality, ranking and report pages
show real numbers on the demo's first start."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from appliance.engine.records import CallEnded, CallRecord, EndReason, QueueLogEntry, Verb
from appliance.engine.setup import DepotSetup
from appliance.store import Store, roster
from appliance.store.roster import Shifts
from drivers.sim.positions import write_stand_in_recording

HISTORY_DAYS = 28
OPEN_HOURS = range(8, 20)  # the depot's real hours, Monday to Saturday
EARLY: Shifts = ((8 * 60, 14 * 60),)
LATE: Shifts = ((14 * 60, 20 * 60),)
# calls an hour through the working day (the demo's profile from 08:00, halved: the history is
# the quieter months before)
CALLS_PER_HOUR = (18, 25, 30, 28, 22, 18, 22, 28, 25, 20, 18, 12)
DEMO_CALLERS = ("13800138000", "13912345678", "13600001111", "13700002222", "15800003333")
SELF_SERVED_SHARE = 0.25  # callers a self-service queue had besides its offered calls
# one answered call in this many of a recording queue keeps a stand-in recording for 质检 (the
# box records them all; the demo's folder stays a few megabytes)
RECORDED_EVERY = 25


@dataclass(frozen=True, slots=True)
class PastCall:
    """One call of the past: answered by `agent` after `wait_s`, or abandoned ("")."""

    call_id: str
    arrived_s: float
    queue: str
    number: str
    agent: str
    wait_s: float
    talk_s: float = 0.0
    wrap_s: float = 0.0
    survey_score: int | None = None
    recording_path: str = ""


def call_items(call: PastCall) -> list[QueueLogEntry | CallEnded]:
    """The queue-log rows and the call record the depot would have written for the call."""
    entered_s = call.arrived_s + 8.0  # the greeting and menu
    gone_s = entered_s + call.wait_s
    ended_s = gone_s + call.talk_s
    rows: list[QueueLogEntry | CallEnded] = [
        QueueLogEntry(call.arrived_s, call.call_id, "NONE", "L1", Verb.INBOUND, (call.number, "")),
        QueueLogEntry(
            entered_s, call.call_id, call.queue, "NONE", Verb.ENTERQUEUE, ("", call.number, "0")
        ),
    ]
    if call.agent:
        wait = f"{call.wait_s:.0f}"
        rows += [
            QueueLogEntry(gone_s - 3.0, call.call_id, call.queue, call.agent, Verb.OFFER),
            QueueLogEntry(
                gone_s, call.call_id, call.queue, call.agent, Verb.CONNECT, (wait, "", "3")
            ),
            QueueLogEntry(
                ended_s,
                call.call_id,
                call.queue,
                call.agent,
                Verb.COMPLETECALLER,
                (wait, f"{call.talk_s:.0f}", "1"),
            ),
            QueueLogEntry(
                ended_s, call.call_id, call.queue, call.agent, Verb.HANGUP, ("answered",)
            ),
            QueueLogEntry(
                ended_s, "NONE", call.queue, call.agent, Verb.WRAPUPSTART, (f"{call.wrap_s:.0f}",)
            ),
            QueueLogEntry(
                ended_s + call.wrap_s,
                "NONE",
                call.queue,
                call.agent,
                Verb.WRAPUPEND,
                (f"{call.wrap_s:.0f}",),
            ),
        ]
        reason = EndReason.ANSWERED
    else:
        reason = EndReason.ABANDONED_IN_QUEUE
        rows += [
            QueueLogEntry(
                gone_s,
                call.call_id,
                call.queue,
                "NONE",
                Verb.ABANDON,
                ("1", "1", f"{call.wait_s:.0f}"),
            ),
            QueueLogEntry(gone_s, call.call_id, call.queue, "NONE", Verb.HANGUP, (reason.value,)),
        ]
    record = CallRecord(
        call.call_id,
        "L1",
        "in",
        call.number,
        "",
        call.arrived_s,
        ended_s,
        reason,
        queue=call.queue,
        enqueued_s=entered_s,
        agent=call.agent,
        connected_s=gone_s if call.agent else None,
        wait_s=call.wait_s,
        talk_s=call.talk_s,
        survey_score=call.survey_score,
        recording_path=call.recording_path,
    )
    return [*rows, CallEnded(record)]


def self_served_items(
    call_id: str, arrived_s: float, queue: str, number: str, waybill: str
) -> list[QueueLogEntry | CallEnded]:
    """A caller who keyed a waybill in `queue`'s self-service, heard it and hung up."""
    keyed_s = arrived_s + 20.0  # the greeting, the menu and the number keyed
    ended_s = keyed_s + 25.0  # the read-back
    reason = EndReason.SELF_SERVED
    record = CallRecord(call_id, "L1", "in", number, "", arrived_s, ended_s, reason)
    return [
        QueueLogEntry(arrived_s, call_id, "NONE", "L1", Verb.INBOUND, (number, "")),
        QueueLogEntry(keyed_s, call_id, queue, "NONE", Verb.WAYBILL, (waybill, "found")),
        QueueLogEntry(ended_s, call_id, "NONE", "NONE", Verb.HANGUP, (reason.value,)),
        CallEnded(record),
    ]


def login_items(agent: str, position: str, start_s: float, end_s: float) -> list[QueueLogEntry]:
    return [
        QueueLogEntry(start_s, "NONE", "NONE", agent, Verb.AGENTLOGIN, (position,)),
        QueueLogEntry(
            end_s, "NONE", "NONE", agent, Verb.AGENTLOGOFF, (position, f"{end_s - start_s:.0f}")
        ),
    ]


def demo_history(
    setup: DepotSetup,
    today: dt.date,
    shifts: dict[tuple[str, dt.date], Shifts],
    *,
    days: int = HISTORY_DAYS,
    seed: int = 1,
    recordings_dir: str = "",
) -> Iterator[list[QueueLogEntry | CallEnded]]:
    """The `days` days before `today`, one day's queue log and call records at a time (a
    month at once would stay in the demo's memory), and this week's roster into `shifts`:
    agents alternate early and late shifts Monday to Saturday, log in a few minutes late, and
    answer the calls that come while they are on shift. With `recordings_dir`, some answered
    calls of the queues that record name a recording there, as the engine names one."""
    rng = random.Random(seed)
    zone = ZoneInfo(setup.hours.timezone)
    agents = [a for a in setup.agents if not a.supervisor]
    queues = [q.id for q in setup.queues]
    self_service = [q.id for q in setup.queues if q.waybill_self_service]
    recording = {q.id for q in setup.queues if q.record_calls} if recordings_dir else set()
    this_monday = today - dt.timedelta(days=today.weekday())
    for n in range(days, -7, -1):
        day = today - dt.timedelta(days=n)
        if day >= this_monday + dt.timedelta(days=7):
            break
        if day.weekday() == 6:
            continue
        on_shift = {}
        for index, agent in enumerate(agents):
            early = (index + day.toordinal() // 7) % 2 == 0
            shifts[(agent.id, day)] = EARLY if early else LATE
            on_shift[agent.id] = early
        if day >= today:
            continue  # the rest of this week: its roster, no history yet
        midnight = dt.datetime.combine(day, dt.time(), zone).timestamp()
        items: list[QueueLogEntry | CallEnded] = []
        for index, agent in enumerate(agents):
            start_h = 8 if on_shift[agent.id] else 14
            late_s = rng.choice((0, 0, 60, 180, 600))
            start_s = midnight + start_h * 3600 + late_s
            items += login_items(agent.id, f"pos{index + 1}", start_s, start_s - late_s + 6 * 3600)
        for hour, rate in zip(OPEN_HOURS, CALLS_PER_HOUR, strict=True):
            staff = [a.id for a in agents if on_shift[a.id] == (hour < 14)]
            for k in range(rate + rng.randint(-3, 3)):
                arrived_s = midnight + hour * 3600 + rng.uniform(0, 3600 - 900)
                wait_s = rng.expovariate(1 / 15.0)
                queue = queues[k % len(queues)]
                call_id = f"past-{day.isoformat()}-{hour:02d}-{k}"
                # one caller in ten is a regular (and calls again); the rest call once
                number = (
                    DEMO_CALLERS[k % len(DEMO_CALLERS)]
                    if rng.random() < 0.1
                    else f"13{rng.randrange(10**9):09d}"
                )
                if wait_s > 90.0 or not staff:
                    items += call_items(PastCall(call_id, arrived_s, queue, number, "", wait_s))
                    continue
                score = rng.choice((None, None, 5, 5, 4, 3)) if queue == "complaints" else None
                talk_s, wrap_s = rng.uniform(60.0, 300.0), rng.uniform(15.0, 45.0)
                agent_id = staff[k % len(staff)]
                recorded = queue in recording and (k + hour + day.day) % RECORDED_EVERY == 0
                past = PastCall(
                    call_id,
                    arrived_s,
                    queue,
                    number,
                    agent_id,
                    wait_s,
                    talk_s,
                    wrap_s,
                    score,
                    os.path.join(recordings_dir, f"{call_id}.wav") if recorded else "",
                )
                items += call_items(past)
            for queue in self_service:
                for k in range(round(rate * SELF_SERVED_SHARE)):
                    arrived_s = midnight + hour * 3600 + rng.uniform(0, 3600 - 60)
                    call_id = f"past-{day.isoformat()}-{hour:02d}-self-{queue}-{k}"
                    number = f"13{rng.randrange(10**9):09d}"
                    waybill = f"{rng.randrange(10**10):010d}"
                    items += self_served_items(call_id, arrived_s, queue, number, waybill)
        items.sort(key=_time_of)
        yield items


def _time_of(item: QueueLogEntry | CallEnded) -> float:
    return item.time_s if isinstance(item, QueueLogEntry) else item.record.ended_s


async def seed_history(
    store: Store,
    setup: DepotSetup,
    now_s: float,
    *,
    days: int = HISTORY_DAYS,
    recordings_dir: str = "",
) -> None:
    today = dt.datetime.fromtimestamp(now_s, ZoneInfo(setup.hours.timezone)).date()
    shifts: dict[tuple[str, dt.date], Shifts] = {}
    for items in demo_history(setup, today, shifts, days=days, recordings_dir=recordings_dir):
        recorded = [
            item.record.recording_path
            for item in items
            if isinstance(item, CallEnded) and item.record.recording_path
        ]
        await asyncio.to_thread(_write_recordings, recorded)
        await store.record(items)
    await store.in_transaction(lambda c: roster.put(c, shifts))


def _write_recordings(paths: list[str]) -> None:
    """The live demo's stand-in recording, once, then copied for the day's other calls."""
    for path in paths[:1]:
        write_stand_in_recording(path)
    for path in paths[1:]:
        shutil.copyfile(paths[0], path)
