"""The engine's properties over random event sequences (Hypothesis stateful testing; the
machine and its checks are appliance/fuzz/engine_machine.py and engine_checks.py): handle()
always returns, every call ends once with a reason matching its cause, CDR and queue log
agree, an answer connects only its caller, nobody is on two calls, and the figures agree.
Bounded here; `depotline fuzz --minutes N` runs it longer."""

from __future__ import annotations

from appliance.fuzz.engine_machine import run_engine_machine


def test_engine_properties_hold_over_random_event_sequences() -> None:
    run_engine_machine(run_seed=12, max_examples=40, steps=60)
