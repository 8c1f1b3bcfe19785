"""A random queue log over several local days with everything that crosses midnight: agents
logged in, paused, talking and wrapping up across it, calls offered before it and answered
after it, a daemon restart and a line fault."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from appliance.engine.records import QueueLogEntry, Verb

ZONE = "Asia/Shanghai"
FIRST_DAY = dt.date(2026, 11, 18)
DAYS = 5
START_S = dt.datetime.combine(FIRST_DAY, dt.time(), ZoneInfo(ZONE)).timestamp()
NOW_S = START_S + (DAYS - 1) * 86_400.0 + 15 * 3600.0  # 15:00 on the last day
AGENTS = ("1001", "1002", "1003", "1004")
QUEUES = ("cargo", "orders")


def _entry(
    time_s: float, call: str, queue: str, agent: str, verb: Verb, *data: object
) -> QueueLogEntry:
    return QueueLogEntry(time_s, call, queue, agent, verb, tuple(str(d) for d in data))


def _agent(time_s: float, agent: str, verb: Verb, *data: object) -> QueueLogEntry:
    return _entry(time_s, "NONE", "NONE", agent, verb, *data)


def _shifts(rng: random.Random, agent: str, until_s: float) -> list[QueueLogEntry]:
    log = []
    time_s = START_S + rng.uniform(0, 6 * 3600.0)
    while time_s < until_s:
        log.append(_agent(time_s, agent, Verb.AGENTLOGIN, f"pos{agent}"))
        shift_end_s = time_s + rng.uniform(2, 14) * 3600.0
        pause_s = time_s + rng.uniform(600, 7200)
        while pause_s < shift_end_s - 600:
            log.append(_agent(pause_s, agent, Verb.PAUSE, "break"))
            log.append(_agent(pause_s + rng.uniform(60, 1800), agent, Verb.UNPAUSE))
            pause_s += rng.uniform(1800, 10_800)
        log.append(_agent(shift_end_s, agent, Verb.AGENTLOGOFF))
        time_s = shift_end_s + rng.uniform(1, 10) * 3600.0
    return log


def _call(rng: random.Random, call: str, arrived_s: float) -> list[QueueLogEntry]:
    queue = rng.choice(QUEUES)
    entered_s = arrived_s + 8.0
    log = [
        _entry(arrived_s, call, "NONE", "NONE", Verb.INBOUND, "138", ""),
        _entry(entered_s, call, queue, "NONE", Verb.ENTERQUEUE, "", "138", "0"),
    ]
    kind = rng.random()
    if kind < 0.1:  # moved to the other queue after a while, then answered there
        other = QUEUES[1 - QUEUES.index(queue)]
        log.append(_entry(entered_s + 30, call, queue, "NONE", Verb.OVERFLOW, "queue", other))
        log.append(_entry(entered_s + 30, call, other, "NONE", Verb.ENTERQUEUE, "", "138", "0"))
        queue = other
        kind = 0.5
    if kind < 0.25:
        wait_s = rng.uniform(1, 200)
        log.append(_entry(entered_s + wait_s, call, queue, "NONE", Verb.ABANDON, 1, 1, wait_s))
        log.append(_entry(entered_s + wait_s, call, queue, "NONE", Verb.HANGUP, "abandoned"))
    elif kind < 0.3:
        log.append(_entry(entered_s + 300, call, queue, "NONE", Verb.EXITWITHTIMEOUT, 1, 1, 300))
        log.append(_entry(entered_s + 300, call, queue, "NONE", Verb.OVERFLOW, "voicemail", ""))
        log.append(_entry(entered_s + 400, call, queue, "NONE", Verb.HANGUP, "voicemail"))
    else:
        agent = rng.choice(AGENTS)
        wait_s = rng.uniform(0, 120)
        connect_s = entered_s + wait_s
        talk_s = rng.expovariate(1 / 300) if rng.random() < 0.95 else rng.uniform(3600, 7200)
        end_s = connect_s + talk_s
        wrap_s = rng.uniform(0, 90)
        if rng.random() < 0.2:
            log.append(_entry(connect_s - 12, call, queue, "1004", Verb.OFFER))
            log.append(_entry(connect_s - 4, call, queue, "1004", Verb.RINGNOANSWER, 8000))
        log.append(_entry(connect_s - 3, call, queue, agent, Verb.OFFER))
        log.append(_entry(connect_s, call, queue, agent, Verb.CONNECT, round(wait_s), "", 3))
        if rng.random() < 0.1:
            log.append(
                _entry(
                    end_s,
                    call,
                    queue,
                    agent,
                    Verb.TRANSFER,
                    "1002",
                    "",
                    round(wait_s),
                    round(talk_s),
                )
            )
        else:
            log.append(
                _entry(
                    end_s, call, queue, agent, Verb.COMPLETECALLER, round(wait_s), round(talk_s), 1
                )
            )
        log.append(_entry(end_s, call, queue, agent, Verb.WRAPUPSTART, round(wrap_s)))
        log.append(_entry(end_s, call, queue, "NONE", Verb.HANGUP, "answered"))
        log.append(_agent(end_s + wrap_s, agent, Verb.WRAPUPEND, round(wrap_s)))
    return log


def many_days_log(seed: int = 5, until_s: float = NOW_S) -> list[QueueLogEntry]:
    """The log up to `until_s`, in time order (as the daemon writes it)."""
    rng = random.Random(seed)
    log = [_agent(START_S, "NONE", Verb.QUEUESTART)]
    for agent in AGENTS:
        log += _shifts(rng, agent, until_s)
    arrived_s = START_S
    n = 0
    while True:
        arrived_s += rng.expovariate(1 / 900)
        if arrived_s >= until_s:
            break
        log += _call(rng, f"call-{n}", arrived_s)
        n += 1
    # calls offered in the last minutes before a midnight, answered after it
    for day in range(1, DAYS):
        log += _call(rng, f"late-{day}", START_S + day * 86_400.0 - 100)
    # the daemon restarted on the third day; a line failed for an hour on the second
    restart_s = START_S + 2 * 86_400.0 + 13 * 3600.0
    log.append(_agent(restart_s, "NONE", Verb.QUEUESTART))
    log.append(
        _entry(START_S + 86_400.0 + 36_000, "NONE", "NONE", "L2", Verb.LINEFAULT, "no dial tone")
    )
    log.append(_entry(START_S + 86_400.0 + 39_600, "NONE", "NONE", "L2", Verb.LINERESTORED))
    return sorted((entry for entry in log if entry.time_s < until_s), key=lambda e: e.time_s)
