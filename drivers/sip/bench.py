"""SIP benchmark: time from a gateway's INVITE to the agent phone's INVITE, CPU per bridged call,
idle CPU and memory, against sipp peers on 127.0.0.1 (`depotline bench sip`), at the depot's
size (8 lines, 12 agents, every line busy) and beyond (50 calls bridged at once). Needs sipp and
the pjsua2 source build (image_build/pjsua2/build.sh)."""

from __future__ import annotations

import asyncio
import datetime
import json
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from drivers.roles import (
    AnswerLine,
    CallArrived,
    CallerHungUp,
    CallTurnedAway,
    Connect,
    Disconnect,
    HangUpPosition,
    LineEvent,
    LineInService,
    PositionAnswered,
    PositionEvent,
    RingPosition,
)
from drivers.sip.bridge import SipMediaBridge
from drivers.sip.errors import SipError
from drivers.sip.lines import SipLines
from drivers.sip.positions import SipPositions
from drivers.sip.settings import SipGateway, SipPosition
from drivers.sip.stack import SipStack

HOST = "127.0.0.1"
IDLE_S = 3.0
# (calls, talk ms, calls at once, agent phones, new calls per second)
DEPOT = (24, 6000, 8, 12, 8)
STRESS = (100, 12000, 50, 50, 20)

CALLER_SCENARIO = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="bench caller">
  <send retrans="500"><![CDATA[
INVITE sip:depot@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:1380013[call_number]@[local_ip]:[local_port]>;tag=[pid]b[call_number]
To: <sip:depot@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:caller@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

v=0
o=gw 1 1 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 8 101
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
]]></send>
  <recv response="100" optional="true" />
  <recv response="180" optional="true" />
  <recv response="200" />
  <send><![CDATA[
ACK sip:depot@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:1380013[call_number]@[local_ip]:[local_port]>;tag=[pid]b[call_number]
To: <sip:depot@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>
  <nop><action><exec play_pcap_audio="/usr/share/sip-tester/g711a.pcap" /></action></nop>
  <pause />
  <send retrans="500"><![CDATA[
BYE sip:depot@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:1380013[call_number]@[local_ip]:[local_port]>;tag=[pid]b[call_number]
To: <sip:depot@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 BYE
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200" crlf="true" />
</scenario>
"""

_STAMP = re.compile(r"^-{10,} (\d{4}-\d\d-\d\d\s+\d\d:\d\d:\d\d\.\d+)")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def invite_times(trace: Path, direction: str) -> list[float]:
    """When each call's first INVITE was sent or received, from a sipp -trace_msg file, in time
    order. An INVITE sent again (no answer within 500 ms) keeps its Call-ID and counts once:
    otherwise every later caller's INVITE would be paired with the wrong agent's."""
    times: dict[str, float] = {}
    stamp = 0.0
    pending = invite = False
    lines = trace.read_text(errors="replace").splitlines() if trace.exists() else []
    for line in lines:
        match = _STAMP.match(line)
        if match:
            text = match.group(1).replace("  ", " ")
            stamp = datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f").timestamp()
            pending = invite = False
        elif line.startswith(f"UDP message {direction}"):
            pending = True
        elif pending and line.startswith("INVITE "):
            pending, invite = False, True
        elif invite and line.lower().startswith(("call-id:", "i:")):
            times.setdefault(line.split(":", 1)[1].strip(), stamp)
            invite = False
    return sorted(times.values())


async def _run(
    workdir: Path, calls: int, talk_ms: int, at_once: int, agents: int, rate: int
) -> dict[str, float | int | str]:
    box_port, agent_port, gw_port = _free_port(), _free_port(), _free_port()
    scenario = workdir / "caller.xml"
    scenario.write_text(CALLER_SCENARIO)
    agent = subprocess.Popen(
        [
            "sipp",
            "-sn",
            "uas",
            "-rtp_echo",
            "-i",
            HOST,
            "-p",
            str(agent_port),
            "-mi",
            HOST,
            "-mp",
            str(_free_port()),
            "-nostdin",
            "-trace_msg",
            "-message_file",
            str(workdir / "agent.log"),
            "-timeout",
            "120s",
        ],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    gateway = SipGateway(id="gw", host=HOST, port=gw_port, channels=at_once, options_interval_s=0)
    positions = [
        SipPosition(id=f"p{n}", uri=f"sip:agent{n}@{HOST}:{agent_port}", options_interval_s=0)
        for n in range(agents)
    ]
    stack = SipStack(
        listen=HOST,
        port=box_port,
        rtp_port=_free_port() & ~1,
        gateways=[gateway],
        positions=positions,
    )
    lines, phones, bridge = SipLines(stack), SipPositions(stack), SipMediaBridge(stack)
    queue: asyncio.Queue[LineEvent | PositionEvent] = asyncio.Queue()
    tasks = [
        asyncio.create_task(lines.run(queue.put_nowait)),
        asyncio.create_task(phones.run(queue.put_nowait)),
    ]
    free = [p.id for p in positions]
    on_call: dict[str, str] = {}  # position → line
    ringing: dict[str, str] = {}
    connected_at: dict[str, float] = {}
    bridged_s = 0.0
    bridged_calls = max_bridged = 0
    ended = 0
    caller = None
    try:
        while not isinstance(await asyncio.wait_for(queue.get(), 10), LineInService):
            pass
        idle_cpu_start, idle_wall_start = time.process_time(), time.monotonic()
        await asyncio.sleep(IDLE_S)  # idle baseline: the bridge clock and the waiting thread
        idle_pct = (
            100 * (time.process_time() - idle_cpu_start) / (time.monotonic() - idle_wall_start)
        )
        caller = subprocess.Popen(
            [
                "sipp",
                "-sf",
                str(scenario),
                "-i",
                HOST,
                "-p",
                str(_free_port()),
                "-mi",
                HOST,
                "-mp",
                str(_free_port()),
                "-m",
                str(calls),
                "-l",
                str(at_once),
                "-r",
                str(rate),
                "-d",
                str(talk_ms),
                "-nostdin",
                "-trace_msg",
                "-message_file",
                str(workdir / "caller.log"),
                "-timeout",
                "120s",
                f"{HOST}:{box_port}",
            ],
            cwd=workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        cpu_start, wall_start = time.process_time(), time.monotonic()
        while ended < calls:
            event = await asyncio.wait_for(queue.get(), 30)
            if isinstance(event, CallArrived):
                position = free.pop(0)
                ringing[position] = event.line
                await lines.perform(AnswerLine(event.line))
                await phones.perform(
                    RingPosition(position, call_id=event.line, offer_id=event.line)
                )
            elif isinstance(event, PositionAnswered):
                line = ringing.pop(event.position)
                on_call[event.position] = line
                await bridge.perform(Connect(line, event.position))
                connected_at[line] = time.monotonic()
                bridged_calls += 1
                max_bridged = max(max_bridged, len(connected_at))  # counted, not assumed
            elif isinstance(event, CallTurnedAway):
                ended += 1  # refused by the admission rule: counted in calls_lost
            elif isinstance(event, CallerHungUp):
                ended += 1
                bridged_s += time.monotonic() - connected_at.pop(event.line, time.monotonic())
                for position, line in list(on_call.items()):
                    if line == event.line:
                        await bridge.perform(Disconnect(line, position))
                        await phones.perform(HangUpPosition(position))
                        del on_call[position]
                        free.append(position)
        cpu_s = time.process_time() - cpu_start
        wall_s = time.monotonic() - wall_start
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for process in (caller, agent):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(5)
    sent = invite_times(workdir / "caller.log", "sent")
    received = invite_times(workdir / "agent.log", "received")
    latencies_ms = sorted(1000 * (b - a) for a, b in zip(sent, received, strict=False))
    if len(latencies_ms) < calls // 2:
        raise SipError("the SIP benchmark saw too few calls: is sipp working on 127.0.0.1?")
    net_cpu_pct = 100 * cpu_s / wall_s - idle_pct
    mean_bridged = bridged_s / wall_s
    return {
        "calls": len(latencies_ms),
        "invite_to_agent_invite_p50_ms": round(statistics.median(latencies_ms), 2),
        "invite_to_agent_invite_p99_ms": round(
            latencies_ms[min(len(latencies_ms) - 1, int(0.99 * len(latencies_ms)))], 2
        ),
        "cpu_pct_per_bridged_call": round(net_cpu_pct / mean_bridged, 2) if mean_bridged else 0,
        "cpu_pct_idle": round(idle_pct, 2),
        "mean_bridged_calls": round(mean_bridged, 2),
        "rss_mb": round(rss_mb, 1),
        "max_concurrent_bridged": max_bridged,
        "calls_lost": calls - bridged_calls,
    }


def measure(
    calls: int, talk_ms: int, at_once: int, agents: int, rate: int = 10
) -> dict[str, float | int | str]:
    """One run: `calls` gateway calls, `at_once` at most, on as many lines, to `agents` phones."""
    if shutil.which("sipp") is None:
        raise SipError("the SIP benchmark needs sipp (Debian package sip-tester)")
    with tempfile.TemporaryDirectory() as workdir:
        return asyncio.run(_run(Path(workdir), calls, talk_ms, at_once, agents, rate))


def run_benchmark() -> dict[str, object]:
    """The depot's size (8 lines, 12 agents, all lines busy), then 50 calls bridged at once."""
    return {"depot_8_lines_12_agents": measure(*DEPOT), "stress_50_at_once": measure(*STRESS)}


if __name__ == "__main__":
    # python -m drivers.sip.bench [CALLS TALK_MS AT_ONCE AGENTS [RATE]]: one run
    numbers = [int(arg) for arg in sys.argv[1:6]]
    print(json.dumps(measure(*numbers) if numbers else run_benchmark()))
