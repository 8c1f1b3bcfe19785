"""After a power cut or a crash: calls the queue log shows as begun but never ended get their end
written (HANGUP, reason box_shutdown: the box stopped under them, the caller did not leave; a
caller still in a queue gets EXITINTERRUPTED first) with a call record, and the callers who never
reached an agent get a callback task saying why — so no call is forgotten."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from appliance.engine.records import (
    CallbackRequested,
    CallEnded,
    CallRecord,
    EndReason,
    QueueLogEntry,
    Verb,
)


@dataclass
class _Trace:
    call_id: str
    direction: str
    number: str
    name: str
    arrived_s: float
    last_s: float
    queue: str = ""
    enqueued_s: float | None = None
    agent: str = ""
    connected_s: float | None = None
    verbs: list[Verb] = field(default_factory=list)


def interrupted_calls(
    entries: Iterable[QueueLogEntry], *, now_s: float, callback_due_s: float
) -> list[QueueLogEntry | CallEnded | CallbackRequested]:
    """What to record for every call in `entries` that began (INBOUND or OUTBOUND) and has no
    HANGUP. Each call ends at the last moment the log saw it."""
    open_calls: dict[str, _Trace] = {}
    for entry in entries:
        if entry.verb in (Verb.INBOUND, Verb.OUTBOUND):
            number = entry.data[0] if entry.data else ""
            name = entry.data[1] if entry.verb is Verb.INBOUND and len(entry.data) > 1 else ""
            direction = "in" if entry.verb is Verb.INBOUND else "out"
            open_calls[entry.call_id] = _Trace(
                entry.call_id, direction, number, name, entry.time_s, entry.time_s
            )
            continue
        trace = open_calls.get(entry.call_id)
        if trace is None:
            continue
        if entry.verb is Verb.HANGUP:
            del open_calls[entry.call_id]
            continue
        trace.last_s = max(trace.last_s, entry.time_s)
        if entry.verb is Verb.ENTERQUEUE:
            trace.queue = entry.queue
            if trace.enqueued_s is None:
                trace.enqueued_s = entry.time_s
        elif entry.verb is Verb.CONNECT:
            trace.agent = entry.agent
            trace.connected_s = entry.time_s
    records: list[QueueLogEntry | CallEnded | CallbackRequested] = []
    reason = EndReason.SHUTDOWN
    for trace in open_calls.values():
        if trace.queue and trace.connected_s is None:
            # still waiting: out of the queue, not as an abandon (figures leave it out of rates)
            wait_s = f"{trace.last_s - (trace.enqueued_s or trace.last_s):.3f}"
            records.append(
                QueueLogEntry(
                    trace.last_s, trace.call_id, trace.queue, "NONE", Verb.EXITINTERRUPTED,
                    (reason.value, "0", "0", wait_s),
                )
            )  # fmt: skip
        records.append(
            QueueLogEntry(
                trace.last_s, trace.call_id, trace.queue or "NONE", trace.agent or "NONE",
                Verb.HANGUP, (reason.value,),
            )
        )  # fmt: skip
        waited_until_s = trace.connected_s if trace.connected_s is not None else trace.last_s
        records.append(
            CallEnded(
                CallRecord(
                    call_id=trace.call_id,
                    line="",  # the queue log does not say which line a call was on
                    direction=trace.direction,
                    number=trace.number,
                    name=trace.name,
                    arrived_s=trace.arrived_s,
                    ended_s=trace.last_s,
                    end_reason=reason,
                    queue=trace.queue,
                    enqueued_s=trace.enqueued_s,
                    agent=trace.agent,
                    connected_s=trace.connected_s,
                    wait_s=(
                        waited_until_s - trace.enqueued_s if trace.enqueued_s is not None else 0.0
                    ),
                    talk_s=trace.last_s - trace.connected_s if trace.connected_s else 0.0,
                )
            )
        )
        if trace.direction == "in" and trace.connected_s is None and trace.number:
            # cut off before an agent took the call: called back, saying why
            records.append(
                CallbackRequested(
                    task_id=f"{trace.call_id}-cut-off",
                    number=trace.number,
                    name=trace.name,
                    reason=reason.value,
                    call_id=trace.call_id,
                    queue=trace.queue,
                    created_s=now_s,
                    due_s=now_s + callback_due_s,
                )
            )
    return records
