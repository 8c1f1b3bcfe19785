"""Each agent's day as the routing strategies remember it (fewest calls, least talk time),
rebuilt from today's queue log when the daemon starts, so a restart forgets nobody's day."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from appliance.engine.records import QueueLogEntry, Verb

THREE_WAY = "three_way"  # CONNECT data[3]: a colleague joined a conversation, not a call of theirs


@dataclass(slots=True)
class AgentDay:
    calls: int = 0  # conversations the agent led: CONNECT, not a three-way join
    talk_s: float = 0.0  # every leg's talk, three-way included (COMPLETE*, TRANSFER)


def agents_today(
    entries: Iterable[QueueLogEntry], days: dict[str, AgentDay] | None = None
) -> dict[str, AgentDay]:
    """Fold queue-log entries (today's, from the depot's midnight) into each agent's day;
    pass the result back in as `days` to go on with the next batch."""
    days = {} if days is None else days
    for entry in entries:
        verb = entry.verb
        if verb is Verb.CONNECT:
            if entry.data[3:4] != (THREE_WAY,):
                days.setdefault(entry.agent, AgentDay()).calls += 1
        elif verb is Verb.COMPLETECALLER or verb is Verb.COMPLETEAGENT:
            days.setdefault(entry.agent, AgentDay()).talk_s += _seconds(entry.data, 1)
        elif verb is Verb.TRANSFER:
            days.setdefault(entry.agent, AgentDay()).talk_s += _seconds(entry.data, 3)
    return days


def _seconds(data: tuple[str, ...], index: int) -> float:
    try:
        return float(data[index])
    except (IndexError, ValueError):
        return 0.0
