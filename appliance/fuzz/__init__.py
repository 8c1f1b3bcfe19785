"""`depotline fuzz`: property-based targets run for longer than CI runs them, each from a seed
it prints, so a failure found overnight is replayed by that seed. Hypothesis is a test
dependency (`pip install depotline[test]`); a target module imports it only when it runs.

A target is a function (seed, max_examples) -> None that raises on a broken property; add one
to TARGETS under a short name (parsers of other areas go here too)."""

from __future__ import annotations

import importlib
from collections.abc import Callable

FuzzTarget = Callable[[int, int], None]

_PARSERS = "appliance.fuzz.parsers"

# name: (module, function, what it checks)
TARGETS: dict[str, tuple[str, str, str]] = {
    "engine": (
        "appliance.fuzz.engine_machine",
        "run_engine_machine",
        "the engine over random event sequences: returns, records every call once, truly",
    ),
    "caller-id": (_PARSERS, "caller_id", "modem caller-ID blocks: kept as sent or dropped"),
    "at-results": (_PARSERS, "at_results", "modem result-code lines"),
    "modem-stream": (_PARSERS, "modem_stream", "a modem's lines, DLE events and audio, cut"),
    "dle-audio": (_PARSERS, "dle_audio", "DLE unshielding: no byte lost or invented"),
    "wallboard-frames": (_PARSERS, "wallboard_frames", "link frames: round trip, after noise"),
    "wallboard-link": (_PARSERS, "wallboard_link", "the Pi's link fed whatever a board sends"),
    "wallboard-figures": (_PARSERS, "wallboard_figures", "figures payloads: round trip, cut"),
    "sip-edge": (
        "appliance.fuzz.sip_edge",
        "sip_edge",
        "the SIP edge fed mutated requests over UDP: refused, never accepted, still serving",
    ),
    "web-forms": (
        "appliance.fuzz.form_checks",
        "run_web_forms",
        "every web form's parsing: keeps its rules or refuses naming a field",
    ),
}


def load(name: str) -> FuzzTarget:
    module, function, _what = TARGETS[name]
    target: FuzzTarget = getattr(importlib.import_module(module), function)
    return target
