"""`depotline fuzz sip-edge`: the SIP edge fed mutated requests over loopback UDP
(drivers/sip/edge_fuzz_run.py). Each seed is one burst in a process of its own: pjsua2 allows
one endpoint per process, and a stack that aborts must be reported, not take the fuzzer down."""

from __future__ import annotations

import signal
import subprocess
import sys

REQUESTS_PER_EXAMPLE = (
    20  # a request and its probe take about a millisecond; the stack's start a second
)
BURST_TIMEOUT_S = 600.0


class EdgePromiseBroken(AssertionError):
    """The SIP edge broke a promise, or its process died, on the seed's burst."""


def sip_edge(seed: int, examples: int) -> None:
    requests = examples * REQUESTS_PER_EXAMPLE
    command = [sys.executable, "-m", "drivers.sip.edge_fuzz_run", "--seed", str(seed)]
    done = subprocess.run(
        [*command, "--requests", str(requests)],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=BURST_TIMEOUT_S,
    )
    if done.returncode < 0:
        name = signal.Signals(-done.returncode).name
        raise EdgePromiseBroken(
            f"the SIP stack died of {name} on seed {seed}: {done.stderr[-2000:]}"
        )
    if done.returncode != 0:
        why = [line for line in done.stderr.splitlines() if line.startswith(f"seed {seed}: ")]
        raise EdgePromiseBroken(why[-1] if why else done.stderr[-2000:])
