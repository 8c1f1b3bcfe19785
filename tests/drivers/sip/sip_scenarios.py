"""SIP call scenarios against real peers, each run in its own process (pjsua2 allows one
endpoint per process and aborts the process on misuse): `python sip_scenarios.py NAME` plays
the engine's part in reaction to the driver's events and prints what happened as JSON."""

from __future__ import annotations

import array
import asyncio
import collections
import contextlib
import json
import logging
import os
import socket
import sys
import time
import wave
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sip_peers import Baresip, Sipp, make_tone_wav

from drivers.roles import (
    AnswerLine,
    CallArrived,
    CallerHungUp,
    Connect,
    DialFailed,
    DialOut,
    DigitPressed,
    Disconnect,
    HangUpLine,
    HangUpPosition,
    HoldCaller,
    JoinSupervisor,
    LineAnswered,
    LineAudio,
    LineFaulted,
    LineInService,
    ListenMode,
    MuteCaller,
    PlayMusic,
    PlayPrompt,
    PlayTone,
    PositionAnswered,
    PositionDigitPressed,
    PositionFaulted,
    PositionInService,
    PositionRejected,
    PromptFinished,
    RecordingFinished,
    RecordMessage,
    RefuseCall,
    RingPosition,
    StartRecording,
    StopRecording,
    StopRinging,
    Tone,
)
from drivers.sip import (
    PositionMode,
    SipGateway,
    SipLines,
    SipMediaBridge,
    SipPosition,
    SipPositions,
    SipStack,
)

ROOT = Path(__file__).resolve().parents[3]
BOX = "127.0.0.1"
GATEWAY = "127.0.0.2"
AGENT1 = "127.0.0.3"
AGENT2 = "127.0.0.4"
STRANGER = "127.0.0.9"
BOX_PORT = 5060
WAIT_S = 10.0


class EngineStandIn:
    """Collects the driver's events in order and lets a script wait for the next one it needs."""

    def __init__(self) -> None:
        self.events: list[Any] = []
        self._changed = asyncio.Event()

    def sink(self, event: Any) -> None:
        self.events.append(event)
        self._changed.set()

    async def wait_for(
        self, kind: type, timeout_s: float = WAIT_S, after: int = 0, **fields: object
    ) -> Any:
        """The first event of `kind` with these fields, among the events from index `after`."""

        async def find() -> Any:
            while True:
                for event in self.events[after:]:
                    if isinstance(event, kind) and all(
                        getattr(event, k) == v for k, v in fields.items()
                    ):
                        return event
                self._changed.clear()
                await self._changed.wait()

        try:
            return await asyncio.wait_for(find(), timeout_s)
        except TimeoutError:
            raise AssertionError(
                f"no {kind.__name__} {fields} within {timeout_s} s; events: {self.names()}"
            ) from None

    async def next_change(self, timeout_s: float) -> None:
        """Return when an event arrives or after `timeout_s` (the shell's timer resolution)."""
        self._changed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout_s)

    async def wait_until(
        self, check: Callable[[], Awaitable[bool]], timeout_s: float = WAIT_S
    ) -> None:
        async def poll() -> None:
            while not await check():
                await asyncio.sleep(0.05)

        try:
            await asyncio.wait_for(poll(), timeout_s)
        except TimeoutError:
            raise AssertionError(
                f"condition not met within {timeout_s} s: {self.names()} {check}"
            ) from None

    def names(self) -> list[str]:
        return [
            type(e).__name__ + "(" + getattr(e, "line", getattr(e, "position", "")) + ")"
            for e in self.events
        ]


def wav_energy(path: Path) -> dict[str, float]:
    with wave.open(str(path)) as wav:
        frames = wav.readframes(wav.getnframes())
        rate = wav.getframerate()
    samples = array.array("h", frames)
    loud = sum(1 for s in samples if abs(s) > 1000)
    return {"seconds": len(samples) / rate, "loud_share": loud / max(1, len(samples))}


class Rig:
    """The stack with its three faces, running, with events going to an EngineStandIn."""

    def __init__(
        self,
        workdir: Path,
        gateways: list[SipGateway],
        positions: list[SipPosition],
        max_calls: int | None = None,
        line_audio: dict[str, LineAudio] | None = None,
    ):
        prompts = workdir / "prompts"
        make_tone_wav(prompts / "en" / "greeting.wav", 0.4, 500, encoding="u-law")
        make_tone_wav(prompts / "en" / "menu_cargo.wav", 0.4, 600)
        make_tone_wav(prompts / "en" / "menu_orders.wav", 5.0, 700)
        make_tone_wav(prompts / "music" / "hold.wav", 3.0, 300, encoding="u-law")
        self.workdir = workdir
        self.stack = SipStack(
            listen=BOX,
            port=BOX_PORT,
            rtp_port=20000,
            gateways=gateways,
            positions=positions,
            prompt_dirs=[str(workdir / "own_recordings"), str(prompts)],
            prompt_cache_dir=str(workdir / "prompt_cache"),
            wire_logging=bool(os.environ.get("SIP_WIRE")),
            max_calls=max_calls,
            line_audio=line_audio,
        )
        self.lines = SipLines(self.stack)
        self.positions = SipPositions(self.stack)
        self.bridge = SipMediaBridge(self.stack)
        self.engine = EngineStandIn()
        self._tasks: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> Rig:
        self._tasks = [
            asyncio.create_task(self.lines.run(self.engine.sink)),
            asyncio.create_task(self.positions.run(self.engine.sink)),
        ]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


async def settled_links(rig: Rig, want: set[tuple[str, str]]) -> list[list[str]]:
    """The bridge's links once they equal `want` (or what they are after 3 s)."""
    links: set[tuple[str, str]] = set()

    async def reached() -> bool:
        nonlocal links
        links = await rig.stack.bridge_links()
        return links == want

    with contextlib.suppress(AssertionError):
        await rig.engine.wait_until(reached, timeout_s=3)
    return sorted([a, b] for a, b in links)


def agent(workdir: Path, name: str, host: str, scenario: str = "") -> Sipp:
    args = [
        "-i",
        host,
        "-p",
        "5060",
        "-mi",
        host,
        "-mp",
        "30000",
        "-trace_msg",
        "-message_file",
        str(workdir / f"{name}_messages.log"),
    ]
    # the built-in answering phone echoes audio; a scripted phone handles one call and exits
    args = [*args, "-m", "1"] if scenario else ["-sn", "uas", "-rtp_echo", *args]
    return Sipp(workdir, name, args, scenario=scenario)


def gateway_keepalive(workdir: Path) -> Sipp:
    return Sipp(
        workdir, "gateway_options", ["-i", GATEWAY, "-p", "5060"], scenario="gateway_options.xml"
    )


def caller(workdir: Path, scenario: str, hold_ms: int, host: str = GATEWAY) -> Sipp:
    args = [
        "-i",
        host,
        "-p",
        "5062",
        "-mi",
        host,
        "-mp",
        "40000",
        "-m",
        "1",
        "-d",
        str(hold_ms),
        f"{BOX}:{BOX_PORT}",
    ]
    return Sipp(workdir, f"caller_{scenario}", args, scenario=scenario)


GW = SipGateway(
    id="gw1",
    host=GATEWAY,
    port=5060,
    channels=2,
    options_interval_s=0.5,
    options_timeout_s=0.4,
    options_misses_before_fault=2,
)
# sipp's built-in answering phone does not answer OPTIONS: these phones are not watched
POS1 = SipPosition(id="pos1", uri=f"sip:agent1@{AGENT1}:5060", options_interval_s=0)
POS2 = SipPosition(id="pos2", uri=f"sip:agent2@{AGENT2}:5060", options_interval_s=0)


async def full_call(workdir: Path) -> dict[str, object]:
    """Greeting, menu key, music, agent 1, hold, transfer to agent 2, caller hangs up."""
    peers = [
        gateway_keepalive(workdir),
        agent(workdir, "agent1", AGENT1),
        agent(workdir, "agent2", AGENT2),
    ]
    result: dict[str, object] = {}
    recording = workdir / "rec" / "call1.wav"
    async with Rig(workdir, [GW], [POS1, POS2]) as rig:
        engine, lines, positions, bridge = rig.engine, rig.lines, rig.positions, rig.bridge
        await engine.wait_for(LineInService, line="gw1-1")
        await engine.wait_for(PositionInService, position="pos2")
        call = caller(workdir, "gateway_caller.xml", hold_ms=7000)
        arrived = await engine.wait_for(CallArrived)
        line = arrived.line
        result["caller"] = [arrived.caller.number, arrived.caller.name]
        await lines.perform(AnswerLine(line))
        await engine.wait_for(LineAnswered, line=line)
        await bridge.perform(StartRecording(line, str(recording)))
        await lines.perform(PlayPrompt(line, ("greeting", "menu_cargo"), "en", play_id=1))
        first = await engine.wait_for(PromptFinished, play_id=1)
        await lines.perform(PlayPrompt(line, ("menu_orders",), "en", play_id=2, barge_in=True))
        digit = await engine.wait_for(DigitPressed, line=line)
        second = await engine.wait_for(PromptFinished, play_id=2)
        result["prompts"] = [first.interrupted, second.interrupted, digit.digit]
        await lines.perform(PlayMusic(line))
        await positions.perform(RingPosition("pos1", call_id="c1", caller=arrived.caller))
        await engine.wait_for(PositionAnswered, position="pos1")
        await bridge.perform(Connect(line, "pos1"))

        async def agent_hears(position: str, packets: int) -> bool:
            counts = await rig.stack.audio_packets()
            result["last_packets"] = counts
            return counts.get(position, (0, 0))[0] >= packets and counts[line][0] >= packets

        await engine.wait_until(lambda: agent_hears("pos1", 50))
        await bridge.perform(HoldCaller(line, "pos1"))
        await bridge.perform(Connect(line, "pos1"))
        await positions.perform(RingPosition("pos2", call_id="c1", caller=arrived.caller))
        await engine.wait_for(PositionAnswered, position="pos2")
        await bridge.perform(Disconnect(line, "pos1"))
        await positions.perform(HangUpPosition("pos1"))
        await bridge.perform(Connect(line, "pos2"))
        await engine.wait_until(lambda: agent_hears("pos2", 50))
        result["packets"] = await rig.stack.audio_packets()
        hung_up = await engine.wait_for(CallerHungUp, line=line, timeout_s=15)
        result["hangup_cause"] = hung_up.cause.value
        await bridge.perform(Disconnect(line, "pos2"))
        await bridge.perform(StopRecording(line))
        await positions.perform(HangUpPosition("pos2"))
        result["caller_exit"] = call.wait()
        agent_log = (workdir / "agent1_messages.log").read_text(errors="replace")
        result["agent_saw_from"] = [
            line.strip() for line in agent_log.splitlines() if line.startswith("From:")
        ][:1]
        result["caller_errors"] = call.errors()
    result["recording"] = wav_energy(recording)
    result["events"] = rig.engine.names()
    for peer in peers:
        peer.stop()
    return result


async def agent_rejects(workdir: Path) -> dict[str, object]:
    peers = [agent(workdir, "agent1", AGENT1, scenario="agent_rejects.xml")]
    async with Rig(workdir, [], [POS1]) as rig:
        await rig.engine.wait_for(PositionInService, position="pos1")
        await rig.positions.perform(RingPosition("pos1", call_id="c1"))
        rejected = await rig.engine.wait_for(PositionRejected, position="pos1")
    for peer in peers:
        peer.stop()
    return {"reason": rejected.reason, "events": rig.engine.names()}


async def agent_never_answers(workdir: Path) -> dict[str, object]:
    """The engine gives up on a ringing phone (its own ring time-out) and at once offers the
    next call to the same phone: CANCEL for the first, a new INVITE for the second."""
    phone = Sipp(
        workdir,
        "agent1",
        ["-i", AGENT1, "-p", "5060", "-m", "2"],
        scenario="agent_never_answers.xml",
    )
    async with Rig(workdir, [], [POS1]) as rig:
        await rig.engine.wait_for(PositionInService, position="pos1")
        for call_id in ("c1", "c2"):
            await rig.positions.perform(RingPosition("pos1", call_id=call_id))
            await rig.positions.perform(StopRinging("pos1"))
        phone_exit = await asyncio.to_thread(phone.wait, 10)
    return {"phone_exit": phone_exit, "phone_errors": phone.errors(), "events": rig.engine.names()}


async def caller_gives_up(workdir: Path) -> dict[str, object]:
    peers = [
        gateway_keepalive(workdir),
        agent(workdir, "agent1", AGENT1, scenario="agent_never_answers.xml"),
    ]
    async with Rig(workdir, [GW], [POS1]) as rig:
        await rig.engine.wait_for(LineInService, line="gw1-1")
        call = caller(workdir, "caller_gives_up.xml", hold_ms=1500)
        arrived = await rig.engine.wait_for(CallArrived)
        await rig.positions.perform(RingPosition("pos1", call_id="c1", caller=arrived.caller))
        hung_up = await rig.engine.wait_for(CallerHungUp, line=arrived.line)
        await rig.positions.perform(StopRinging("pos1"))
        caller_exit = await asyncio.to_thread(call.wait, 10)
    for peer in peers:
        peer.stop()
    return {
        "caller": arrived.caller.number,
        "cause": hung_up.cause.value,
        "caller_exit": caller_exit,
        "events": rig.engine.names(),
    }


async def stranger_and_garbage(workdir: Path) -> dict[str, object]:
    """A request from an unknown address gets 403 and no event; garbage is dropped; then a
    real call still arrives."""
    peers = [gateway_keepalive(workdir)]
    async with Rig(workdir, [GW], []) as rig:
        await rig.engine.wait_for(LineInService, line="gw1-2")
        stranger = caller(workdir, "stranger.xml", hold_ms=0, host=STRANGER)
        stranger_exit = await asyncio.to_thread(stranger.wait, 15)
        events_after_stranger = rig.engine.names()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind((GATEWAY, 0))
            for garbage in (
                b"\x00\xff garbage \r\n\r\n",
                b"INVITE sip:x SIP/2.0\r\nVia: ;;\r\n\r\n",
                os.urandom(600),
            ):
                sock.sendto(garbage, (BOX, BOX_PORT))
        call = caller(workdir, "caller_gives_up.xml", hold_ms=300)
        arrived = await rig.engine.wait_for(CallArrived)
        await rig.engine.wait_for(CallerHungUp, line=arrived.line)
        caller_exit = await asyncio.to_thread(call.wait, 10)
    for peer in peers:
        peer.stop()
    return {
        "stranger_exit": stranger_exit,
        "stranger_errors": stranger.errors(),
        "events_after_stranger": events_after_stranger,
        "caller_exit": caller_exit,
        "events": rig.engine.names(),
    }


async def gateway_lost_and_back(workdir: Path) -> dict[str, object]:
    keepalive = gateway_keepalive(workdir)
    async with Rig(workdir, [GW], []) as rig:
        await rig.engine.wait_for(LineInService, line="gw1-1")
        keepalive.stop()
        faulted = await rig.engine.wait_for(LineFaulted, line="gw1-1")
        count_before = len(rig.engine.events)
        keepalive = gateway_keepalive(workdir)

        async def back_in_service() -> bool:
            return any(isinstance(e, LineInService) for e in rig.engine.events[count_before:])

        await rig.engine.wait_until(back_in_service)
        keepalive.stop()
    return {"reason": faulted.reason, "events": rig.engine.names()}


async def persistent_agent(workdir: Path) -> dict[str, object]:
    """An agent dials in from baresip, logs in by keypad, takes a call announced by zip tone,
    stays connected after it, and finally hangs up."""
    spec = SipPosition(id="pos1", uri=f"sip:agent1@{AGENT1}:5060", mode=PositionMode.PERSISTENT)
    peers: list[Any] = [gateway_keepalive(workdir)]
    result: dict[str, object] = {}
    async with Rig(workdir, [GW], [spec]) as rig:
        engine = rig.engine
        await engine.wait_for(LineInService, line="gw1-1")
        phone = Baresip(workdir, AGENT1, 5060, 4444, "agent1")
        peers.append(phone)
        phone.command("dial", f"sip:depot@{BOX}:{BOX_PORT}")
        await engine.wait_for(PositionInService, position="pos1", persistent=True)
        for key in "42#":
            phone.command("sndcode", key)
            await engine.wait_for(PositionDigitPressed, position="pos1", digit=key)
        call = caller(workdir, "gateway_caller.xml", hold_ms=2500)
        arrived = await engine.wait_for(CallArrived)
        await rig.lines.perform(AnswerLine(arrived.line))
        await engine.wait_for(LineAnswered, line=arrived.line)
        await rig.positions.perform(RingPosition("pos1", call_id="c1", caller=arrived.caller))
        await engine.wait_for(PositionAnswered, position="pos1")
        await rig.bridge.perform(Connect(arrived.line, "pos1"))

        async def both_hear() -> bool:
            counts = await rig.stack.audio_packets()
            return min(counts.get("pos1", (0, 0)) + counts.get(arrived.line, (0, 0))) >= 50

        await engine.wait_until(both_hear)
        await engine.wait_for(CallerHungUp, line=arrived.line)
        await rig.bridge.perform(Disconnect(arrived.line, "pos1"))
        await rig.positions.perform(HangUpPosition("pos1"))
        result["caller_exit"] = await asyncio.to_thread(call.wait, 10)
        result["still_connected"] = "pos1" in await rig.stack.audio_packets()
        phone.command("hangup")
        faulted = await engine.wait_for(PositionFaulted, position="pos1")
        result["fault"] = faulted.reason
    for peer in peers:
        peer.stop()
    result["events"] = [n for n in rig.engine.names() if not n.startswith("LineInService")]
    return result


async def dial_out(workdir: Path) -> dict[str, object]:
    """Outbound calls (L3): one answered by the far end, one refused busy."""
    answering = SipGateway(id="gwa", host="127.0.0.5", options_interval_s=0)
    busy = SipGateway(id="gwb", host="127.0.0.6", options_interval_s=0)
    peers = [
        Sipp(
            workdir,
            "far_end",
            [
                "-sn",
                "uas",
                "-rtp_echo",
                "-i",
                "127.0.0.5",
                "-p",
                "5060",
                "-mi",
                "127.0.0.5",
                "-mp",
                "30000",
                "-m",
                "1",
            ],
        ),
        agent(workdir, "busy_far_end", "127.0.0.6", scenario="agent_rejects.xml"),
    ]
    async with Rig(workdir, [answering, busy], []) as rig:
        engine = rig.engine
        await engine.wait_for(LineInService, line="gwb")
        await rig.lines.perform(DialOut("gwa", number="4001"))
        await engine.wait_for(LineAnswered, line="gwa")

        async def audio_flows() -> bool:
            return min((await rig.stack.audio_packets()).get("gwa", (0, 0))) >= 25

        await engine.wait_until(audio_flows)
        await rig.lines.perform(HangUpLine("gwa"))
        far_end_exit = await asyncio.to_thread(peers[0].wait, 10)
        await rig.lines.perform(DialOut("gwb", number="4002"))
        failed = await engine.wait_for(DialFailed, line="gwb")
    for peer in peers:
        peer.stop()
    return {
        "far_end_exit": far_end_exit,
        "far_end_errors": peers[0].errors(),
        "failed": failed.reason,
        "events": rig.engine.names(),
    }


async def trunk_registration(workdir: Path) -> dict[str, object]:
    """Two SIP trunks register with digest authentication: one with the right password comes
    into service, one with a wrong password is a line fault saying what to check."""
    good = SipGateway(
        id="trunk1",
        host="127.0.0.7",
        registrar="127.0.0.7:5060",
        username="trunkuser",
        password="s3cret",
    )
    bad = SipGateway(
        id="trunk2",
        host="127.0.0.8",
        registrar="127.0.0.8:5060",
        username="trunkuser",
        password="wrong",
    )
    registrars = [
        Sipp(
            workdir,
            f"registrar{n}",
            ["-i", host, "-p", "5060", "-m", "1"],
            scenario="registrar.xml",
        )
        for n, host in ((1, "127.0.0.7"), (2, "127.0.0.8"))
    ]
    async with Rig(workdir, [good, bad], []) as rig:
        await rig.engine.wait_for(LineInService, line="trunk1")
        faulted = await rig.engine.wait_for(LineFaulted, line="trunk2")
        exits = [await asyncio.to_thread(r.wait, 10) for r in registrars]
    return {
        "exits": exits,
        "errors": [r.errors() for r in registrars],
        "reason": faulted.reason,
        "events": sorted(rig.engine.names()),
    }


async def voicemail(workdir: Path) -> dict[str, object]:
    """A caller leaves a message after the beep and hangs up: RecordingFinished, audio kept."""
    peers = [gateway_keepalive(workdir)]
    message = workdir / "voicemail" / "msg1.wav"
    async with Rig(workdir, [GW], []) as rig:
        engine = rig.engine
        await engine.wait_for(LineInService, line="gw1-1")
        call = caller(workdir, "gateway_caller.xml", hold_ms=2500)
        arrived = await engine.wait_for(CallArrived)
        await rig.lines.perform(AnswerLine(arrived.line))
        await engine.wait_for(LineAnswered, line=arrived.line)
        await rig.lines.perform(PlayTone(arrived.line, Tone.BEEP, duration_s=0.4))
        await rig.lines.perform(RecordMessage(arrived.line, path=str(message), max_s=30))
        finished = await engine.wait_for(RecordingFinished, line=arrived.line, timeout_s=15)
        await engine.wait_for(CallerHungUp, line=arrived.line)
        caller_exit = await asyncio.to_thread(call.wait, 10)
    for peer in peers:
        peer.stop()
    return {
        "path": finished.path,
        "duration_s": finished.duration_s,
        "audio": wav_energy(message),
        "caller_exit": caller_exit,
        "events": [n for n in rig.engine.names() if not n.startswith("LineInService")],
    }


async def modem_line_bridged(workdir: Path) -> dict[str, object]:
    """A full-duplex modem line's 20 ms frames reach an agent and the agent's audio (an echo)
    comes back as frames for the modem to play."""
    tone = make_tone_wav(workdir / "modem_caller.wav", 1.0, 1000)
    with wave.open(str(tone)) as wav:
        pcm = wav.readframes(wav.getnframes())
    frames = [pcm[i : i + 320] for i in range(0, len(pcm) - 319, 320)]
    taken = [0]
    heard: collections.deque[bytes] = collections.deque()

    def take_received() -> bytes | None:
        taken[0] += 1
        return frames[taken[0] % len(frames)]

    audio = LineAudio(take_received=take_received, put_to_send=heard.append)
    phone = agent(workdir, "agent1", AGENT1)
    rig = Rig(workdir, [], [POS1])
    rig.stack = SipStack(
        listen=BOX,
        port=BOX_PORT,
        rtp_port=20000,
        positions=[POS1],
        line_audio={"fxo0": audio},
        prompt_dirs=[str(workdir / "prompts")],
        prompt_cache_dir=str(workdir / "prompt_cache"),
    )
    rig.positions, rig.bridge = SipPositions(rig.stack), SipMediaBridge(rig.stack)
    rig.lines = SipLines(rig.stack)
    async with rig:
        await rig.positions.perform(RingPosition("pos1", call_id="m1"))
        await rig.engine.wait_for(PositionAnswered, position="pos1")
        await rig.bridge.perform(Connect("fxo0", "pos1"))

        async def echo_heard() -> bool:
            loud = [f for f in list(heard) if max(array.array("h", f), default=0) > 5000]
            return len(loud) >= 25

        await rig.engine.wait_until(echo_heard)
        await rig.bridge.perform(HoldCaller("fxo0", "pos1"))
        held_links = await settled_links(rig, {("play:line:fxo0", "line:fxo0")})
        await rig.bridge.perform(Connect("fxo0", "pos1"))
        talk_links = await settled_links(
            rig, {("line:fxo0", "pos:pos1"), ("pos:pos1", "line:fxo0")}
        )
        await rig.bridge.perform(Disconnect("fxo0", "pos1"))
        await rig.positions.perform(HangUpPosition("pos1"))
        frames_after_disconnect = len(heard)
    phone.stop()
    return {
        "held_links": held_links,
        "talk_links": talk_links,
        "frames_taken": taken[0],
        "frames_heard": len(heard),
        "frame_sizes": sorted({len(f) for f in heard}),
        "stopped": len(heard) - frames_after_disconnect <= 2,
        "events": rig.engine.names(),
    }


async def real_engine(workdir: Path) -> dict[str, object]:
    """The real Engine between the SIP lines and positions, as the shell wires it: a caller
    picks cargo by key 1, agent a1 on pos1 is rung, answers, talks; the caller hangs up."""
    from engine_loop import EngineLoop

    from appliance.engine.commands import LogIn
    from appliance.engine.engine import Engine
    from appliance.engine.records import CallEnded, QueueLogEntry
    from appliance.engine.setup import (
        Agent,
        DepotSetup,
        Menu,
        MenuOption,
        OpeningHours,
        Queue,
        Tier,
    )

    setup = DepotSetup(
        queues=(Queue("cargo", "货物查询", "Cargo"),),
        agents=(Agent("a1", "Agent One", (("cargo", Tier.GENERAL),)),),
        menu=Menu(options=(MenuOption("1", "cargo", "menu_cargo"),), default_queue="cargo"),
        hours=OpeningHours(always_open=True),
        language="en",
    )
    engine = Engine(setup, recordings_dir=str(workdir / "rec"))
    peers = [gateway_keepalive(workdir), agent(workdir, "agent1", AGENT1)]
    rig = Rig(workdir, [GW], [POS1])
    rig.stack.prompt_dirs = (*rig.stack.prompt_dirs, str(ROOT / "appliance" / "prompts"))
    talk_packets: dict[str, tuple[int, int]] = {}

    async def note_packets() -> None:
        talk_packets.update(await rig.stack.audio_packets())

    def on_media(action: Any) -> None:
        if isinstance(action, Connect):
            asyncio.get_running_loop().call_later(
                1.5, lambda: asyncio.ensure_future(note_packets())
            )

    loop = EngineLoop(rig, engine, on_media)
    records, performed = loop.records, loop.performed
    async with rig:
        await rig.engine.wait_for(LineInService, line="gw1-2")
        await rig.engine.wait_for(PositionInService, position="pos1")
        await loop.carry_out(LogIn(time.time(), agent="a1", position="pos1"))
        call = caller(workdir, "gateway_caller.xml", hold_ms=5000)
        await loop.run_until(lambda: any(isinstance(r, CallEnded) for r in records))
        caller_exit = await asyncio.to_thread(call.wait, 10)
    for peer in peers:
        peer.stop()
    verbs = [r.verb.name for r in records if isinstance(r, QueueLogEntry)]
    ended = [r for r in records if isinstance(r, CallEnded)]
    return {
        "verbs": verbs,
        "performed": performed,
        "caller_exit": caller_exit,
        "talk_packets": talk_packets,
        "ended": len(ended),
        "events": rig.engine.names(),
    }


async def headset_position(workdir: Path) -> dict[str, object]:
    """The box's own headset as a position, here on the null sound device (no USB headset on
    this machine): always in service, rung by zip tone, bridged to a caller."""
    peers = [gateway_keepalive(workdir)]
    rig = Rig(workdir, [GW], [])
    rig.stack = SipStack(
        listen=BOX, port=BOX_PORT, rtp_port=20000, gateways=[GW], headset_position="usb"
    )
    rig.lines, rig.positions = SipLines(rig.stack), SipPositions(rig.stack)
    rig.bridge = SipMediaBridge(rig.stack)
    async with rig:
        engine = rig.engine
        await engine.wait_for(LineInService, line="gw1-1")
        call = caller(workdir, "gateway_caller.xml", hold_ms=1500)
        arrived = await engine.wait_for(CallArrived)
        await rig.lines.perform(AnswerLine(arrived.line))
        await engine.wait_for(LineAnswered, line=arrived.line)
        await rig.positions.perform(RingPosition("usb", call_id="h1", caller=arrived.caller))
        await engine.wait_for(PositionAnswered, position="usb")
        await rig.bridge.perform(Connect(arrived.line, "usb"))
        await engine.wait_for(CallerHungUp, line=arrived.line)
        await rig.bridge.perform(Disconnect(arrived.line, "usb"))
        await rig.positions.perform(HangUpPosition("usb"))
        caller_exit = await asyncio.to_thread(call.wait, 10)
    for peer in peers:
        peer.stop()
    return {
        "caller_exit": caller_exit,
        "positions": list(rig.positions.position_ids),
        "events": [n for n in rig.engine.names() if not n.startswith("LineInService")],
    }


async def sip_info_key(workdir: Path) -> dict[str, object]:
    peers = [gateway_keepalive(workdir)]
    async with Rig(workdir, [GW], []) as rig:
        await rig.engine.wait_for(LineInService, line="gw1-1")
        call = caller(workdir, "caller_info_dtmf.xml", hold_ms=500)
        arrived = await rig.engine.wait_for(CallArrived)
        await rig.lines.perform(AnswerLine(arrived.line))
        digit = await rig.engine.wait_for(DigitPressed, line=arrived.line)
        await rig.engine.wait_for(CallerHungUp, line=arrived.line)
        caller_exit = await asyncio.to_thread(call.wait, 10)
    for peer in peers:
        peer.stop()
    return {"digit": digit.digit, "caller_exit": caller_exit, "errors": call.errors()}


async def call_control(workdir: Path) -> dict[str, object]:
    """Q6 and Q8 on the live bridge: after each action, who hears whom as pjsua2 reports it."""
    sup = SipPosition(id="sup", uri=f"sip:sup@{AGENT2}:5060", options_interval_s=0)
    peers = [
        gateway_keepalive(workdir),
        agent(workdir, "agent1", AGENT1),
        agent(workdir, "sup", AGENT2),
    ]
    steps: dict[str, list[list[str]]] = {}
    async with Rig(workdir, [GW], [POS1, sup]) as rig:
        engine, bridge = rig.engine, rig.bridge
        await engine.wait_for(LineInService, line="gw1-1")
        call = caller(workdir, "gateway_caller.xml", hold_ms=20000)
        arrived = await engine.wait_for(CallArrived)
        line = arrived.line
        await rig.lines.perform(AnswerLine(line))
        await engine.wait_for(LineAnswered, line=line)
        for position in ("pos1", "sup"):
            await rig.positions.perform(RingPosition(position, call_id="c1"))
            await engine.wait_for(PositionAnswered, position=position)

        async def settle(step: str, *expected: tuple[str, str]) -> None:
            want = {(f"{a}", f"{b}") for a, b in expected}
            links: set[tuple[str, str]] = set()

            async def reached() -> bool:
                nonlocal links
                links = await rig.stack.bridge_links()
                return links == want

            with contextlib.suppress(AssertionError):
                await engine.wait_until(reached, timeout_s=3)
            steps[step] = sorted([a, b] for a, b in links)

        c, a, s_, music, rec = (
            f"line:{line}",
            "pos:pos1",
            "pos:sup",
            f"play:line:{line}",
            (f"rec:{line}"),
        )
        talk = ((c, a), (a, c))
        await bridge.perform(Connect(line, "pos1"))
        await settle("connect", *talk)
        await bridge.perform(HoldCaller(line, "pos1"))
        await settle("hold", (music, c))
        await bridge.perform(Connect(line, "pos1"))
        await settle("unhold", *talk)
        await bridge.perform(MuteCaller(line, "pos1", seconds=0.5))
        await settle("mute", (a, c))
        await settle("unmute", *talk)
        await bridge.perform(JoinSupervisor(line, "pos1", "sup", ListenMode.LISTEN))
        await settle("listen", *talk, (c, s_), (a, s_))
        await bridge.perform(JoinSupervisor(line, "pos1", "sup", ListenMode.WHISPER))
        await settle("whisper", *talk, (c, s_), (a, s_), (s_, a))
        await bridge.perform(JoinSupervisor(line, "pos1", "sup", ListenMode.BARGE))
        await settle("barge", *talk, (c, s_), (a, s_), (s_, a), (s_, c))
        await bridge.perform(StartRecording(line, str(workdir / "rec" / "c1.wav")))
        await settle(
            "record", *talk, (c, s_), (a, s_), (s_, a), (s_, c), (c, rec), (a, rec), (s_, rec)
        )
        await bridge.perform(Disconnect(line, "pos1"))
        await settle("disconnect", (c, rec))
        await bridge.perform(StopRecording(line))
        await settle("stop_recording")
        await bridge.perform(Connect(line, "pos1"))
        await bridge.perform(Connect(line, "sup"))  # a second agent joins: three-way (三通)
        await settle("three_way", *talk, (c, s_), (s_, c), (a, s_), (s_, a))
        await rig.lines.perform(HangUpLine(line))
        call.stop()
    for peer in peers:
        peer.stop()
    return {"steps": steps, "events": rig.engine.names()}


async def trunk_comes_back(workdir: Path) -> dict[str, object]:
    """A trunk whose registrar is down (503) is a line fault, and comes back by itself when the
    registrar answers again on the next retry."""
    trunk = SipGateway(
        id="trunk1",
        host="127.0.0.7",
        registrar="127.0.0.7:5060",
        username="trunkuser",
        password="s3cret",
        registration_retry_s=1,
    )
    down = Sipp(
        workdir,
        "registrar_down",
        ["-i", "127.0.0.7", "-p", "5060", "-m", "1"],
        scenario="registrar_unavailable.xml",
    )
    async with Rig(workdir, [trunk], []) as rig:
        faulted = await rig.engine.wait_for(LineFaulted, line="trunk1")
        down_exit = await asyncio.to_thread(down.wait, 10)
        up = Sipp(
            workdir,
            "registrar_up",
            ["-i", "127.0.0.7", "-p", "5060", "-m", "1"],
            scenario="registrar.xml",
        )
        await rig.engine.wait_for(LineInService, line="trunk1")
        up_exit = await asyncio.to_thread(up.wait, 10)
    return {"reason": faulted.reason, "exits": [down_exit, up_exit], "events": rig.engine.names()}


async def trunk_registrar_silent_and_back(workdir: Path) -> dict[str, object]:
    """A watched trunk whose registrar stops answering OPTIONS is a line fault long before its
    registration (an hour) runs out; when the registrar answers again the box registers at
    once instead of waiting for a refresh or retry."""
    trunk = SipGateway(
        id="trunk1",
        host="127.0.0.7",
        registrar="127.0.0.7:5060",
        username="trunkuser",
        password="s3cret",
        options_interval_s=0.5,
        options_timeout_s=0.4,
        registration_retry_s=600,
    )

    def registrar() -> Sipp:
        return Sipp(
            workdir,
            "registrar_watched",
            ["-i", "127.0.0.7", "-p", "5060"],
            scenario="registrar_watched.xml",
        )

    up = registrar()
    async with Rig(workdir, [trunk], []) as rig:
        await rig.engine.wait_for(LineInService, line="trunk1")
        up.stop()
        faulted = await rig.engine.wait_for(LineFaulted, line="trunk1")
        count = len(rig.engine.events)
        up = registrar()
        started = time.monotonic()

        async def back() -> bool:
            return any(isinstance(e, LineInService) for e in rig.engine.events[count:])

        await rig.engine.wait_until(back)
        back_after_s = time.monotonic() - started
        up.stop()
    return {"reason": faulted.reason, "back_after_s": back_after_s, "events": rig.engine.names()}


async def gateway_by_name(workdir: Path) -> dict[str, object]:
    """A gateway configured by host name: its calls come from the address the name has."""
    named = SipGateway(id="gw1", host="localhost", options_interval_s=0)
    async with Rig(workdir, [named], []) as rig:
        await rig.engine.wait_for(LineInService, line="gw1")
        call = caller(workdir, "caller_gives_up.xml", hold_ms=300, host=BOX)
        arrived = await rig.engine.wait_for(CallArrived)
        await rig.engine.wait_for(CallerHungUp, line=arrived.line)
        caller_exit = await asyncio.to_thread(call.wait, 10)
    return {
        "caller": arrived.caller.number,
        "caller_exit": caller_exit,
        "events": rig.engine.names(),
    }


async def phone_lost_and_back(workdir: Path) -> dict[str, object]:
    """A ring-mode desk phone is offered calls only while it answers OPTIONS."""
    phone = SipPosition(
        id="pos1", uri=f"sip:agent1@{AGENT1}:5060", options_interval_s=0.5, options_timeout_s=0.4
    )

    def answering_phone() -> Sipp:
        return Sipp(
            workdir, "phone_options", ["-i", AGENT1, "-p", "5060"], scenario="gateway_options.xml"
        )

    alive = answering_phone()
    async with Rig(workdir, [], [phone]) as rig:
        await rig.engine.wait_for(PositionInService, position="pos1")
        alive.stop()
        faulted = await rig.engine.wait_for(PositionFaulted, position="pos1")
        count = len(rig.engine.events)
        alive = answering_phone()

        async def back() -> bool:
            return any(isinstance(e, PositionInService) for e in rig.engine.events[count:])

        await rig.engine.wait_until(back)
        alive.stop()
    return {"reason": faulted.reason, "events": rig.engine.names()}


async def refused_and_hash(workdir: Path) -> dict[str, object]:
    """RefuseCall gives the caller 486 Busy Here; a voicemail ends when the caller presses #."""
    peers = [gateway_keepalive(workdir)]
    message = workdir / "voicemail" / "msg2.wav"
    async with Rig(workdir, [GW], []) as rig:
        engine = rig.engine
        await engine.wait_for(LineInService, line="gw1-1")
        refused = caller(workdir, "caller_refused.xml", hold_ms=0)
        arrived = await engine.wait_for(CallArrived)
        await rig.lines.perform(RefuseCall(arrived.line))
        refused_exit = await asyncio.to_thread(refused.wait, 10)
        count = len(engine.events)
        call = caller(workdir, "caller_hash.xml", hold_ms=1000)

        async def second_call() -> bool:
            return any(isinstance(e, CallArrived) for e in engine.events[count:])

        await engine.wait_until(second_call)
        line = next(e for e in engine.events[count:] if isinstance(e, CallArrived)).line
        await rig.lines.perform(AnswerLine(line))
        await engine.wait_for(LineAnswered, line=line)
        await rig.lines.perform(RecordMessage(line, path=str(message), max_s=30))
        finished = await engine.wait_for(RecordingFinished, line=line)
        await rig.lines.perform(HangUpLine(line))
        call.stop()
    for peer in peers:
        peer.stop()
    return {
        "refused_exit": refused_exit,
        "refused_errors": refused.errors(),
        "finished_s": finished.duration_s,
        "message_s": wav_energy(message)["seconds"],
        "events": [n for n in engine.names() if not n.startswith("LineInService")],
    }


SCENARIOS: dict[str, Callable[[Path], Awaitable[dict[str, object]]]] = {
    "full_call": full_call,
    "agent_rejects": agent_rejects,
    "agent_never_answers": agent_never_answers,
    "caller_gives_up": caller_gives_up,
    "stranger_and_garbage": stranger_and_garbage,
    "gateway_lost_and_back": gateway_lost_and_back,
    "persistent_agent": persistent_agent,
    "dial_out": dial_out,
    "trunk_registration": trunk_registration,
    "voicemail": voicemail,
    "modem_line_bridged": modem_line_bridged,
    "real_engine": real_engine,
    "headset_position": headset_position,
    "sip_info_key": sip_info_key,
    "call_control": call_control,
    "trunk_comes_back": trunk_comes_back,
    "trunk_registrar_silent_and_back": trunk_registrar_silent_and_back,
    "gateway_by_name": gateway_by_name,
    "phone_lost_and_back": phone_lost_and_back,
    "refused_and_hash": refused_and_hash,
}


def main() -> None:
    logging.basicConfig(
        level=logging.DEBUG if os.environ.get("SIP_WIRE") else logging.INFO, stream=sys.stderr
    )
    workdir = Path(os.environ.get("SIP_TEST_DIR") or "/tmp")
    # scenarios joining other parts of depotline live in their own module (it imports this one)
    from capacity_scenarios import CAPACITY_SCENARIOS
    from depot_scenarios import DEPOT_SCENARIOS
    from edge_scenarios import EDGE_SCENARIOS
    from modem_bridge_scenario import MODEM_BRIDGE_SCENARIOS
    from modem_depot_scenario import MODEM_DEPOT_SCENARIOS

    async def scenario() -> dict[str, object]:
        every = {
            **SCENARIOS,
            **MODEM_BRIDGE_SCENARIOS,
            **CAPACITY_SCENARIOS,
            **EDGE_SCENARIOS,
            **DEPOT_SCENARIOS,
            **MODEM_DEPOT_SCENARIOS,
        }
        return await every[sys.argv[1]](workdir)

    result = asyncio.run(scenario())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
