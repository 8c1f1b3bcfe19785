"""What `depotline soak` checks: lines and agents the engine holds busy while the world has no
call for them, and the records on disk — every call that came in ended once, with its CDR."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from appliance.engine.records import Verb
from appliance.engine.views import AgentState, EngineSnapshot
from appliance.soak_world import World
from appliance.store import Store

MAX_CALL_S = 3 * 3600.0  # no call in the soak lasts this long: one that does is stuck
DAY_S = 86_400.0


def stuck_lines(snapshot: EngineSnapshot, world: World) -> int:
    """Lines the engine holds a call on whose caller is gone, lines with a caller the engine
    does not know, and calls older than MAX_CALL_S (plus the clock's steps forward since the
    daemon started, which make a call look that much older)."""
    stuck = 0
    for line in snapshot.lines:
        with_caller = line.id in world.caller_on
        if bool(line.call_id) != with_caller:
            stuck += 1
    too_old_s = MAX_CALL_S + world.stepped_forward_s
    stuck += sum(snapshot.time_s - call.arrived_s > too_old_s for call in snapshot.calls)
    return stuck


def stuck_agents(snapshot: EngineSnapshot, world: World) -> int:
    """Agents ringing or on a call the engine no longer has or the phone knows nothing of,
    and agents whose wrap-up should have ended."""
    calls = {call.id for call in snapshot.calls}
    stuck = 0
    for agent in snapshot.agents:
        if agent.state in (AgentState.RINGING, AgentState.ON_CALL):
            at_phone = agent.position in world.ringing or agent.position in world.talking
            stuck += agent.call_id not in calls or not at_phone
        elif agent.state is AgentState.WRAP_UP and agent.wrap_up_until_s is not None:
            stuck += agent.wrap_up_until_s < snapshot.time_s - 1.0
    return stuck


def negative_durations(snapshot: EngineSnapshot) -> int:
    """Agents and calls whose time so far would show negative on the phone bar, the monitor
    and the wallboard: they started after the snapshot's instant (the clock was set back)."""
    started_s = [agent.since_s for agent in snapshot.agents]
    started_s += [call.enqueued_s or call.arrived_s for call in snapshot.calls]
    return sum(since_s > snapshot.time_s for since_s in started_s)


@dataclass(frozen=True, slots=True)
class DatabaseFindings:
    calls: int  # CDRs on disk
    lost: int  # calls without their one end and CDR, CDRs without an end


async def check_database(store: Store, since_s: float) -> DatabaseFindings:
    """Every INBOUND has exactly one HANGUP, every HANGUP its CDR and every CDR its HANGUP."""
    came_in: set[str] = set()
    ended: Counter[str] = Counter()
    newest_s = since_s
    async for batch in store.iter_queue_log(since_s):
        for entry in batch:
            newest_s = max(newest_s, entry.time_s)
            if entry.verb is Verb.INBOUND:
                came_in.add(entry.call_id)
            elif entry.verb is Verb.HANGUP:
                ended[entry.call_id] += 1
    recorded: set[str] = set()
    day_s = since_s
    while day_s <= newest_s:
        recorded.update(c.call_id for c in await store.calls(day_s, day_s + DAY_S, limit=10**6))
        day_s += DAY_S
    lost = len(came_in - set(ended)) + sum(count - 1 for count in ended.values())
    lost += len(set(ended) ^ recorded)
    return DatabaseFindings(len(recorded), lost)
