"""`depotline bench engine`: events per second, routing-decision latency at a depot and at a
large centre, and the demo daemon's resident memory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from appliance.simulate import START_S, SimulationOptions, VirtualDepot, run_simulation

# events_per_s            engine events handled per second, a busy depot in virtual time
# decision_p99_ms_depot   p99 time of a handle() call that makes an offer, 8 lines / 12 agents
# decision_p99_ms_large   the same with 500 agents and 1 000 callers waiting
# demo_rss_mb             resident memory of `depotline demo` after 10 simulated hours

DEMO_SPEED = 1200
DEMO_DURATION_S = 30  # × 1200 = 10 simulated hours


def _p99_ms(samples_s: list[float]) -> float:
    if not samples_s:
        raise RuntimeError("no routing decision was timed")
    ordered = sorted(samples_s)
    return 1000.0 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def events_per_s() -> float:
    """A busy depot (8 agents, 150 calls an hour, 20 s wrap-up) for 20 000 calls."""
    result = run_simulation(
        SimulationOptions(
            agents=8, calls_per_hour=150, aht_s=160, calls=20_000, seed=3, wrap_up_s=20.0
        )
    )
    return result.engine_events / result.engine_s


def decision_p99_ms_depot() -> float:
    """8 lines, 12 agents, 10 Erlangs offered: lines and agents both often all busy."""
    result = run_simulation(
        SimulationOptions(agents=12, calls_per_hour=200, aht_s=180, calls=20_000, seed=5, lines=8),
        time_decisions=True,
    )
    return _p99_ms(result.offer_decisions_s)


def decision_p99_ms_large(decisions: int = 2000) -> float:
    """500 agents all talking and 1 000 callers waiting; each time a call ends, the freed agent
    is offered the next caller in the same handle() call. That call is timed."""
    depot = VirtualDepot(
        SimulationOptions(agents=500, calls_per_hour=3600, aht_s=3600, calls=0),
        time_decisions=True,
    )
    depot.staff()
    now_s = START_S
    caller = 0
    for _ in range(1500):
        now_s += 0.01
        caller += 1
        depot.arrive(now_s, f"1{caller:010d}")
    talking = sorted(depot.connected)
    assert len(talking) == 500, "all 500 agents should be talking"
    depot.offer_decisions_s.clear()
    for _ in range(decisions):
        now_s += 0.5
        depot.hang_up(now_s, talking.pop(0))
        talking = [call for call in talking if call in depot.connected]
        newly = sorted(depot.connected.difference(talking))
        talking.extend(newly)
        caller += 1
        depot.arrive(now_s, f"1{caller:010d}")  # keeps 1 000 waiting
    return _p99_ms(depot.offer_decisions_s)


def _demo_command() -> list[str] | None:
    installed = shutil.which("depotline", path=str(Path(sys.executable).parent))
    if installed is None:
        return None
    return [installed]


def demo_rss_mb() -> float | None:
    """Resident memory of the demo daemon just before it stops after 10 simulated hours;
    None if the demo command is not available."""
    command = _demo_command()
    if command is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        demo = subprocess.Popen(
            [
                *command,
                "demo",
                "--speed",
                str(DEMO_SPEED),
                "--duration-s",
                str(DEMO_DURATION_S),
                "--no-web",
                "--no-console",
                "--db",
                os.path.join(folder, "demo.db"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        last_kb: int | None = None
        status = Path(f"/proc/{demo.pid}/status")
        deadline = time.monotonic() + DEMO_DURATION_S + 60
        while demo.poll() is None and time.monotonic() < deadline:
            try:
                for line in status.read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        last_kb = int(line.split()[1])
            except (FileNotFoundError, ProcessLookupError):
                break
            time.sleep(0.25)  # sampling memory, not waiting for an event
        if demo.poll() is None:
            demo.kill()
        _, errors = demo.communicate(timeout=30)
        if demo.returncode != 0 or last_kb is None:
            raise RuntimeError(
                f"depotline demo failed (exit {demo.returncode}): {errors.decode()[-500:]}"
            )
        return last_kb / 1024.0


def run_benchmark() -> dict[str, float | int | str | None]:
    rss = demo_rss_mb()
    return {
        "events_per_s": round(events_per_s()),
        "decision_p99_ms_depot": round(decision_p99_ms_depot(), 4),
        "decision_p99_ms_large": round(decision_p99_ms_large(), 4),
        "demo_rss_mb": None if rss is None else round(rss, 1),
    }
