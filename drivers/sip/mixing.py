"""Who hears whom on the conference bridge, worked out from the state of the calls: a pure
function from a `MixPlan` to the set of (source, sink) port names that must be transmitting.
The bridge applies the difference to pjsua2, so no action can leave a stray connection."""

from __future__ import annotations

from dataclasses import dataclass, field

from drivers.roles import ListenMode

Edge = tuple[str, str]


def line_port(line: str) -> str:
    return f"line:{line}"


def position_port(position: str) -> str:
    return f"pos:{position}"


def line_player_port(line: str) -> str:
    """The prompt player, music player or tone generator currently feeding a line's caller."""
    return f"play:line:{line}"


def position_player_port(position: str) -> str:
    """The zip tone generator announcing a call to a persistent position."""
    return f"play:pos:{position}"


def recorder_port(line: str) -> str:
    return f"rec:{line}"


@dataclass(slots=True)
class Talk:
    """An agent's position joined to a line's caller."""

    held: bool = False  # caller hears music, agent hears nothing
    muted: bool = False  # agent does not hear the caller (静音)


@dataclass(frozen=True, slots=True)
class Supervision:
    agent_position: str
    supervisor_position: str
    mode: ListenMode


@dataclass(slots=True)
class MixPlan:
    line_players: set[str] = field(default_factory=set)  # lines with a player feeding the caller
    position_players: set[str] = field(default_factory=set)
    talks: dict[str, dict[str, Talk]] = field(default_factory=dict)  # line → position → Talk
    supervisions: dict[str, list[Supervision]] = field(default_factory=dict)  # by line
    recorded_lines: set[str] = field(default_factory=set)

    def talk(self, line: str, position: str) -> Talk | None:
        return self.talks.get(line, {}).get(position)

    def lines_of(self, position: str) -> list[str]:
        return [line for line, talks in self.talks.items() if position in talks]


def wanted_edges(plan: MixPlan) -> set[Edge]:
    edges: set[Edge] = set()
    for line in plan.line_players:
        edges.add((line_player_port(line), line_port(line)))
    for position in plan.position_players:
        edges.add((position_player_port(position), position_port(position)))
    for line, talks in plan.talks.items():
        caller = line_port(line)
        live = [p for p, talk in talks.items() if not talk.held]
        for position in live:
            agent = position_port(position)
            edges.add((agent, caller))
            if not talks[position].muted:
                edges.add((caller, agent))
            # A three-way call: the agents on one caller hear each other too.
            edges.update((agent, position_port(other)) for other in live if other != position)
        for sup in plan.supervisions.get(line, []):
            supervisor = position_port(sup.supervisor_position)
            agent = position_port(sup.agent_position)
            edges.add((caller, supervisor))
            edges.add((agent, supervisor))
            if sup.mode in (ListenMode.WHISPER, ListenMode.BARGE):
                edges.add((supervisor, agent))
            if sup.mode is ListenMode.BARGE:
                edges.add((supervisor, caller))
    for line in plan.recorded_lines:
        edges.add((line_port(line), recorder_port(line)))
        talks = plan.talks.get(line, {})
        live = [p for p, talk in talks.items() if not talk.held]
        # A supervisor who barged in is part of the conversation, and of its recording.
        live += [
            sup.supervisor_position
            for sup in plan.supervisions.get(line, [])
            if sup.mode is ListenMode.BARGE
        ]
        edges.update((position_port(p), recorder_port(line)) for p in live)
    return edges
