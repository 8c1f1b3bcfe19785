"""What the box's pjsua2 build can carry at once — call legs, players, recorders, conference
ports, sockets — and what a depot's configuration can need of it. The build records its limits
(image_build/pjsua2/build.sh writes the module `pjsua2_build`); the admission rule answers a
caller only while that caller's agent leg and media can still be placed, and check-config
compares a configuration's worst case with the same figures. Pure: no pjsua2 calls here."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BuildLimits:
    max_calls: int  # PJSUA_MAX_CALLS: call legs, callers and agent phones alike
    max_players: int  # PJSUA_MAX_PLAYERS: prompts, music, tones
    max_recorders: int  # PJSUA_MAX_RECORDERS: call recordings and messages
    max_conf_ports: int  # PJSUA_MAX_CONF_PORTS: every leg, player and recorder on the bridge
    ioqueue_handles: int  # PJ_IOQUEUE_MAX_HANDLES: sockets (RTP and RTCP per leg, SIP)

    @classmethod
    def from_mapping(cls, figures: Mapping[str, object]) -> BuildLimits:
        def number(key: str) -> int:
            value = figures.get(key)
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"the pjsua2 build's limits have no positive {key}: {value!r}")
            return value

        return cls(
            max_calls=number("max_calls"),
            max_players=number("max_players"),
            max_recorders=number("max_recorders"),
            max_conf_ports=number("max_conf_ports"),
            ioqueue_handles=number("ioqueue_handles"),
        )

    def capped(self, max_calls: int | None) -> BuildLimits:
        """These limits with fewer call legs (uaConfig.maxCalls below the build's)."""
        if max_calls is None or max_calls >= self.max_calls:
            return self
        return BuildLimits(
            max_calls,
            self.max_players,
            self.max_recorders,
            self.max_conf_ports,
            self.ioqueue_handles,
        )


# pjproject's own defaults: what a pjsua2 without depotline's build record (the PyPI wheel)
# is taken to allow.
UPSTREAM_LIMITS = BuildLimits(
    max_calls=4, max_players=32, max_recorders=32, max_conf_ports=254, ioqueue_handles=64
)


def installed_limits() -> BuildLimits | None:
    """The limits of the installed pjsua2 build; UPSTREAM_LIMITS for a pjsua2 without a build
    record; None when pjsua2 is not installed at all."""
    try:
        record = importlib.import_module("pjsua2_build")
    except ImportError:
        try:
            importlib.import_module("pjsua2")
        except ImportError:
            return None
        return UPSTREAM_LIMITS
    return BuildLimits.from_mapping(record.LIMITS)


# One call slot is always kept free: pjsua answers 486 itself, before the box sees the INVITE,
# when every slot is taken, and such a caller would go unrecorded. In the spare slot the box
# hears the caller it must turn away, refuses them and records it.
TURN_AWAY_SLOTS = 1
# What one caller on a SIP line can hold at once besides its own leg and the agent phone's: one
# player (prompt, music or tone) and one recorder (the call's recording, or a message left
# instead of talking to an agent).
RECORDERS_PER_LINE = 1
# SIP's own UDP socket and pjsua's spare; each leg holds RTP and RTCP.
SOCKETS_FIXED = 2
SOCKETS_PER_LEG = 2


@dataclass(frozen=True, slots=True)
class BoxUse:
    """What is placed on the bridge right now (pjsua thread's view)."""

    legs: int  # every pjsua call, refused ones until their ACK included
    callers_without_agent_leg: int  # answered or ringing line calls still to be offered
    players: int
    recorders: int


def admits_caller(use: BoxUse, limits: BuildLimits, agent_leg_needed: bool) -> bool:
    """Whether a new caller on a line may be taken. `use.legs` already counts the new caller's
    leg (pjsua allocates it before asking). Every caller already taken keeps room for their
    agent leg, so taking one more can never leave a caller that cannot be put through; and one
    slot stays free to hear (and record) the next caller who must be turned away."""
    per_caller_agent_leg = 1 if agent_leg_needed else 0
    legs = use.legs + (use.callers_without_agent_leg + 1) * per_caller_agent_leg
    return (
        legs <= limits.max_calls - TURN_AWAY_SLOTS
        and use.players + 1 <= limits.max_players
        and use.recorders + RECORDERS_PER_LINE <= limits.max_recorders
    )


@dataclass(frozen=True, slots=True)
class DepotNeeds:
    """The most a configuration can hold at once: every line busy, every position in a call."""

    calls: int
    players: int
    recorders: int
    conf_ports: int
    sockets: int
    calls_from: str = ""  # what the call legs are, for a person cutting them down

    def shortfalls(self, limits: BuildLimits) -> list[Shortfall]:
        """Every limit the configuration can exceed, with both numbers."""
        checks = [
            ("call legs", self.calls, limits.max_calls, "PJSUA_MAX_CALLS", True, self.calls_from),
            ("players", self.players, limits.max_players, "PJSUA_MAX_PLAYERS", False, ""),
            ("recorders", self.recorders, limits.max_recorders, "PJSUA_MAX_RECORDERS", False, ""),
            (
                "conference ports",
                self.conf_ports,
                limits.max_conf_ports,
                "PJSUA_MAX_CONF_PORTS",
                True,
                "",
            ),
            ("sockets", self.sockets, limits.ioqueue_handles, "PJ_IOQUEUE_MAX_HANDLES", True, ""),
        ]
        return [
            Shortfall(what, need, limit, setting, blocking, detail)
            for what, need, limit, setting, blocking, detail in checks
            if need > limit
        ]


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A limit of the build the configuration can exceed. `blocking`: callers would be turned
    away while lines are free (legs, ports, sockets); otherwise prompts or recordings fail."""

    what: str
    need: int
    limit: int
    setting: str
    blocking: bool
    detail: str = ""  # what the need is made of

    def __str__(self) -> str:
        text = (
            f"the configuration can need {self.need} {self.what} at once but the pjsua2 build"
            f" allows {self.limit} ({self.setting} in image_build/pjsua2/config_site.h)"
        )
        return f"{text}: {self.detail}" if self.detail else text


def depot_needs(
    sip_lines: int, sip_positions: int, bridged_modem_lines: int, other_positions: int
) -> DepotNeeds:
    """Worst case of a configuration. Listen-in and three-way add no legs: a supervisor listens
    from their own position's leg, and a three-way colleague joins from theirs."""
    calls = sip_lines + sip_positions + TURN_AWAY_SLOTS
    players = sip_lines + bridged_modem_lines + sip_positions + other_positions
    recorders = RECORDERS_PER_LINE * sip_lines
    # +1: the sound device (headset or the null device clocking the bridge) is port 0
    conf_ports = calls + players + recorders + bridged_modem_lines + 1
    sockets = SOCKETS_FIXED + SOCKETS_PER_LEG * calls
    calls_from = (
        f"{sip_lines} SIP line channels + {sip_positions} SIP phones"
        f" + {TURN_AWAY_SLOTS} kept free to turn callers away"
    )
    return DepotNeeds(calls, players, recorders, conf_ports, sockets, calls_from)
