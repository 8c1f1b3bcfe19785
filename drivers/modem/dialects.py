"""What differs between voice modems: how to recognise them (ATI, AT+VSM=?), how to switch on
caller ID, which sample format to use. One entry per dialect; the config adds commands."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from drivers.modem.audio import SampleFormat
from drivers.modem.protocol import CompressionMethod


class Dialect(enum.Enum):
    USR = "usr"  # USRobotics USR5637 (0baf:0303)
    CONEXANT = "conexant"  # CX93010 / CX93001 dongles (0572:1340, 0572:1349)
    GENERIC = "generic"  # any other ITU-T V.253 voice modem


@dataclass(frozen=True, slots=True)
class InitCommand:
    command: str
    required: bool = False  # an ERROR to a required command means "not a usable voice modem"


def detect_dialect(identity: str, methods: list[CompressionMethod]) -> Dialect:
    """From the ATI/ATI3 text and the AT+VSM=? list."""
    text = identity.upper()
    if "ROBOTICS" in text or "USR" in text or any(m.id == 128 for m in methods):
        return Dialect.USR
    if "CONEXANT" in text or "CX93" in text or "CX930" in text:
        return Dialect.CONEXANT
    return Dialect.GENERIC


def base_commands(country_code: str) -> list[InitCommand]:
    """After ATZ, before asking the modem what it is: plain answers, country, voice mode."""
    commands = [InitCommand("ATE0", required=True), InitCommand("ATV1", required=True)]
    if country_code:
        commands.append(InitCommand(f"AT+GCI={country_code}"))
    commands.append(InitCommand("AT+FCLASS=8", required=True))
    return commands


def dialect_commands(dialect: Dialect, silence_s: float) -> list[InitCommand]:
    """Caller ID, timers and on-hook, as this dialect wants them (modems forget settings, so
    this runs after every open and reset)."""
    tenths = max(1, min(255, round(silence_s * 10)))
    if dialect is Dialect.CONEXANT:
        # -STE=3: report loop-current and polarity changes as DLE l / DLE L
        commands = [InitCommand("AT-SCID=1"), InitCommand("AT+VCID=1"), InitCommand("AT-STE=3")]
    else:
        commands = [InitCommand("AT+VCID=1")]
    return [
        *commands,
        InitCommand("AT+VIT=0"),  # no inactivity timer: the driver decides when to hang up
        # dialling out: ATD answers OK once ringback has been gone 5 s (the far end picked up;
        # longer than the 4 s gap between US ringback bursts) or never came within 10 s
        InitCommand("AT+VRA=50"),
        InitCommand("AT+VRN=10"),
        InitCommand(f"AT+VSD=128,{tenths}"),
        InitCommand("AT+VLS=0"),
    ]


def choose_sample_format(
    dialect: Dialect, methods: list[CompressionMethod]
) -> tuple[str, SampleFormat]:
    """The AT+VSM argument and the format it selects. 8-bit formats only: they pace at 8000
    bytes a second and cost nothing to convert."""
    by_id = {m.id: m for m in methods}
    if dialect is Dialect.USR and (128 in by_id or not methods):
        return "128,8000", SampleFormat.UNSIGNED_LINEAR
    for method in methods:
        if method.bits == 8 and "UNSIGNED" in method.name:
            return f"{method.id},8000,0,0", SampleFormat.UNSIGNED_LINEAR
    for method in methods:
        if "ULAW" in method.name.replace("-", "") or "G.711U" in method.name or method.id == 4:
            return f"{method.id},8000,0,0", SampleFormat.ULAW
    for method in methods:
        if "ALAW" in method.name.replace("-", "") or "G.711A" in method.name or method.id == 5:
            return f"{method.id},8000,0,0", SampleFormat.ALAW
    for method in methods:
        if method.bits == 8 and "SIGNED" in method.name:
            return f"{method.id},8000,0,0", SampleFormat.SIGNED_LINEAR
    # Nothing recognisable: V.253 id 1 is 8-bit unsigned PCM on every modem seen so far.
    return "1,8000,0,0", SampleFormat.UNSIGNED_LINEAR
