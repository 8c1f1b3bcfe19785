"""`depotline run` as a subprocess on two simulated voice modems (USR full-duplex, Conexant
half-duplex) and a baresip softphone as the agent's SIP position: the agent signs in on the web
desk, a caller rings, hears the greeting, presses 1, hears its place in the queue, is answered
by the agent and hears the agent's voice, then hangs up; the CDR and queue log agree."""

from __future__ import annotations

import array
import asyncio
import contextlib
import dataclasses
import json
import math
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import wave
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path

import aiohttp

from appliance import seed
from appliance.prompts import PROMPTS_DIR
from appliance.store import Role, Store
from drivers.modem import audio
from drivers.modem.sim import ModemSimulator

HOST = "127.0.0.1"
TIMEZONE = "Asia/Shanghai"
CALLER = ("13800138000", "ZHANG SAN")
AGENT_ID, AGENT_PASSWORD = "1001", "agent-pass-1001"
AGENT_VOICE_HZ = 800.0  # the softphone "talks" with a steady tone the caller must hear
CALLER_VOICE_HZ = 600.0  # and the caller with another the agent must hear
SAMPLE_RATE = 8000
WAIT_S = 20.0
_HIDDEN = re.compile(r'name="(csrf_token|login_token)" value="([^"]*)"')


def _free_port(kind: socket.SocketKind) -> int:
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _usr_form(name: str) -> bytes:
    """A prompt as the USR modem plays it (8-bit unsigned linear)."""
    samples = audio.read_wav(PROMPTS_DIR / "zh-CN" / f"{name}.wav")
    return audio.encode(samples, audio.SampleFormat.UNSIGNED_LINEAR)


def _tone_share(samples: Sequence[int], frequency_hz: float, rate_hz: int) -> float:
    """Share of the signal's energy at `frequency_hz` (Goertzel): about 1 for a pure tone,
    near 0 for silence, prompts, hold music or another tone."""
    energy = sum(x * x for x in samples)
    if not samples or energy == 0:
        return 0.0
    coefficient = 2 * math.cos(2 * math.pi * frequency_hz / rate_hz)
    s1 = s2 = 0.0
    for x in samples:
        s1, s2 = x + coefficient * s1 - s2, s1
    power = s1 * s1 + s2 * s2 - coefficient * s1 * s2
    return 2 * power / (len(samples) * energy)


def _heard_tone(recording: Path, frequency_hz: float) -> float:
    """The best share of `frequency_hz` in any quarter second of a 16-bit WAV recording."""
    with wave.open(os.fspath(recording)) as wav:
        rate_hz = wav.getframerate()
        samples = array.array("h", wav.readframes(wav.getnframes()))
    window = rate_hz // 4
    return max(
        (
            _tone_share(samples[start : start + window], frequency_hz, rate_hz)
            for start in range(0, len(samples) - window + 1, window // 2)
        ),
        default=0.0,
    )


def _write_tone(path: Path, seconds: float, frequency_hz: float) -> None:
    frames = bytearray()
    for n in range(int(seconds * SAMPLE_RATE)):
        value = int(12000 * math.sin(2 * math.pi * frequency_hz * n / SAMPLE_RATE))
        frames += value.to_bytes(2, "little", signed=True)
    with wave.open(os.fspath(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(bytes(frames))


@contextlib.contextmanager
def _agent_softphone(home: Path, sip_port: int) -> Iterator[str]:
    """baresip answering every call at once and talking with a tone; yields its SIP URI."""
    home.mkdir(parents=True)
    _write_tone(home / "voice.wav", 60.0, AGENT_VOICE_HZ)
    control_port = _free_port(socket.SOCK_STREAM)
    (home / "accounts").write_text(f"<sip:agent1@{HOST}:{sip_port}>;regint=0;answermode=auto\n")
    (home / "config").write_text(
        "\n".join(
            [
                "module_path /usr/lib/baresip/modules",
                f"sip_listen {HOST}:{sip_port}",
                "audio_player alsa,null",
                f"audio_source aufile,{home / 'voice.wav'}",
                "audio_alert alsa,null",
                f"ctrl_tcp_listen {HOST}:{control_port}",
                "module_tmp uuid.so",
                "module_tmp account.so",
                "module g711.so",
                "module alsa.so",
                "module aufile.so",
                "module ctrl_tcp.so",
                "module sndfile.so",  # keeps what the agent heard as WAV files
                f"snd_path {home}",
                "module_app menu.so",
                "",
            ]
        )
    )
    phone = subprocess.Popen(
        ["baresip", "-f", os.fspath(home), "-n", HOST],
        cwd=home,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + WAIT_S
        while True:  # its control port opens once its SIP side is up
            with contextlib.suppress(OSError), socket.create_connection((HOST, control_port), 1):
                break
            assert phone.poll() is None, f"baresip exited ({phone.returncode})"
            assert time.monotonic() < deadline, "baresip did not start"
            time.sleep(0.05)
        yield f"sip:agent1@{HOST}:{sip_port}"
    finally:
        phone.terminate()
        try:
            phone.wait(5)
        except subprocess.TimeoutExpired:
            phone.kill()
            phone.wait(5)


async def _seed_database(database: Path) -> None:
    """The depot as its owner would have set it up on the web: the demo's queues, menu and
    agents, open round the clock, place in the queue told every 2 s; agent 1001 can sign in."""
    base = seed.demo_setup(TIMEZONE)
    # the caller waits through the agent's break (by default all paused means nobody to wait for)
    queues = tuple(
        dataclasses.replace(q, announce_every_s=2.0, paused_is_empty=False) for q in base.queues
    )
    store = await Store.open(database)
    try:
        await store.save_setup(dataclasses.replace(base, queues=queues))
        assert await store.add_user(AGENT_ID, "王芳", Role.AGENT, AGENT_PASSWORD)
    finally:
        await store.close()


def _config(tmp_path: Path, devices: tuple[str, str], agent_uri: str, web_port: int) -> Path:
    path = tmp_path / "depotline.toml"
    path.write_text(
        f"""
[depot]
name = "Run end-to-end"
timezone = "{TIMEZONE}"
database = "{tmp_path / "depotline.db"}"
recordings_dir = "{tmp_path / "recordings"}"

[web]
listen = "{HOST}"
port = {web_port}

[sip]
listen = "{HOST}"
port = {_free_port(socket.SOCK_DGRAM)}
rtp_port = {_free_port(socket.SOCK_DGRAM) & ~1}

[[lines]]
id = "fxo0"
type = "modem"
device = "{devices[0]}"

[[lines]]
id = "fxo1"
type = "modem"
device = "{devices[1]}"

[[positions]]
id = "pos1"
type = "sip"
uri = "{agent_uri}"

[wallboard]
type = "none"
"""
    )
    return path


@dataclasses.dataclass
class Daemon:
    """`depotline run` as a subprocess, its output in a log file the failures quote."""

    process: subprocess.Popen[bytes]
    log_path: Path

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    async def until(self, what: str, check: Callable[[], bool | Awaitable[bool]]) -> None:
        """Wait for `check()`; fail naming `what`, with the daemon's log."""
        deadline = time.monotonic() + WAIT_S
        while True:
            done = check()
            if not isinstance(done, bool):
                done = await done
            if done:
                return
            code = self.process.poll()
            assert code is None, f"depotline run exited ({code}) before {what}:\n{self.log_tail()}"
            assert time.monotonic() < deadline, f"no {what} in time:\n{self.log_tail()}"
            await asyncio.sleep(0.05)

    def stop(self) -> int:
        """SIGTERM, as systemd stops it; the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(WAIT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
            raise


class Desk:
    """The agent's browser on the web desk: signs in with the login token, posts with CSRF."""

    def __init__(self, url: str, session: aiohttp.ClientSession) -> None:
        self.url = url
        self.session = session

    async def up(self) -> bool:
        with contextlib.suppress(aiohttp.ClientError):
            async with self.session.get(f"{self.url}/login") as page:
                return page.status == 200
        return False

    async def sign_in(self) -> None:
        async with self.session.get(f"{self.url}/login") as page:
            token = dict(_HIDDEN.findall(await page.text()))["login_token"]
        form = {"login_token": token, "agent_id": AGENT_ID, "password": AGENT_PASSWORD}
        async with self.session.post(
            f"{self.url}/login", data=form, allow_redirects=False
        ) as answer:
            assert answer.status == 303, await answer.text()

    async def state(self, **form: str) -> dict[str, object]:
        async with self.session.get(f"{self.url}/desk", headers={"Accept": "text/html"}) as page:
            assert page.status == 200
            csrf = dict(_HIDDEN.findall(await page.text()))["csrf_token"]
        async with self.session.post(
            f"{self.url}/desk/state",
            data={"csrf_token": csrf, **form},
            headers={"Accept": "application/json"},
        ) as answer:
            assert answer.status == 200, await answer.text()
            picture: dict[str, object] = json.loads(await answer.text())
            return picture


def _rows(database: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10.0)
    try:
        return connection.execute(sql, args).fetchall()
    finally:
        connection.close()


async def _call(daemon: Daemon, usr: ModemSimulator, web_port: int, database: Path) -> None:
    """The agent signs in and takes a break; the caller rings, hears the greeting, presses 1,
    hears it is next; the agent gets ready, the call is bridged, the caller hears the agent
    and hangs up."""
    greeting = _usr_form("greeting")
    next_in_line = _usr_form("next_in_line")
    jar = aiohttp.CookieJar(unsafe=True)  # keep cookies from 127.0.0.1
    async with aiohttp.ClientSession(cookie_jar=jar) as session:
        desk = Desk(f"http://{HOST}:{web_port}", session)
        await daemon.until("web UI", desk.up)
        await desk.sign_in()
        picture = await desk.state(action="login", position="pos1")
        assert picture["position"] == "pos1"
        picture = await desk.state(action="pause", reason="break")
        assert picture["state"] == "paused"

        usr.incoming_call(*CALLER)
        await daemon.until("answer by the box", lambda: usr.offhook)
        await daemon.until("greeting", lambda: usr.heard.startswith(greeting[:4000]))
        usr.press("1")  # 货物查询请按1
        await daemon.until("您是下一位 (next in line)", lambda: next_in_line in usr.heard)
        picture = await desk.state(action="ready")
        assert picture["state"] in ("ready", "ringing", "on_call")

        # the softphone answers, and the modem streams both ways for the bridge
        await daemon.until("AT+VTR", lambda: "> AT+VTR" in usr.transcript)
        joined = len(usr.heard)
        await daemon.until("1.5 s of the agent's side", lambda: len(usr.heard) >= joined + 12000)
        voice = [byte - 128 for byte in usr.heard[joined + 8000 : joined + 12000]]  # unsigned
        assert _tone_share(voice, AGENT_VOICE_HZ, SAMPLE_RATE) > 0.5, "caller cannot hear agent"
        spoke_from_s = usr.caller_audio_sent_s
        usr.speak(1.0, CALLER_VOICE_HZ)
        await daemon.until(
            "the caller's words on the line", lambda: usr.caller_audio_sent_s > spoke_from_s + 1.5
        )
        usr.hang_up("loop_break")
        await daemon.until("on-hook", lambda: not usr.offhook)
        await daemon.until("call record", lambda: bool(_rows(database, "SELECT 1 FROM calls")))


def test_run_modem_caller_menu_position_sip_agent_and_records(tmp_path: Path) -> None:
    database = tmp_path / "depotline.db"
    asyncio.run(_seed_database(database))
    started_s = time.time()
    web_port = _free_port(socket.SOCK_STREAM)
    usr = ModemSimulator("usr", link=tmp_path / "fxo0", full_duplex=True, ring_interval_s=1.0)
    conexant = ModemSimulator("conexant", link=tmp_path / "fxo1", ring_interval_s=1.0)
    depotline = Path(sys.executable).with_name("depotline")
    log_path = tmp_path / "depotline.log"

    with (
        usr,
        conexant,
        _agent_softphone(tmp_path / "baresip", _free_port(socket.SOCK_DGRAM)) as agent_uri,
    ):
        config = _config(tmp_path, (usr.device, conexant.device), agent_uri, web_port)
        with log_path.open("wb") as log:
            daemon = Daemon(
                subprocess.Popen(
                    [os.fspath(depotline), "run", "--config", os.fspath(config)],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                ),
                log_path,
            )
        try:
            asyncio.run(_call(daemon, usr, web_port, database))
        finally:
            code = daemon.stop()
        assert code == 0, daemon.log_tail()
    finished_s = time.time()

    (agent_heard,) = (tmp_path / "baresip").glob("dump-*-dec.wav")
    assert _heard_tone(agent_heard, CALLER_VOICE_HZ) > 0.5, "the agent did not hear the caller"

    transcript = usr.transcript
    answer = transcript.index("> AT+VLS=1")
    assert transcript[answer - 1] == "< RING"
    assert any(CALLER[0] in entry for entry in transcript[:answer])
    assert "< <DTMF 1>" in transcript
    duplex = transcript.index("> AT+VTR", answer)
    loop_break = transcript.index("< <DLE l>", duplex)  # the caller hung up while talking
    assert "> AT+VLS=0" in transcript[loop_break:]  # and the box put the line on-hook
    assert transcript[answer:].count("> AT+VLS=0") == 1
    # the daemon recognised the other modem as a Conexant (its caller-ID commands) and left
    # that line on-hook
    assert "> AT-SCID=1" in conexant.transcript
    assert "> AT+VLS=1" not in conexant.transcript

    calls = _rows(
        database,
        "SELECT call_id, line, direction, number, name, queue, agent, end_reason,"
        " arrived_s, enqueued_s, connected_s, ended_s, wait_s, talk_s FROM calls",
    )
    assert len(calls) == 1
    (call_id, line, direction, number, name, queue, agent, end_reason, *times) = calls[0]
    arrived_s, enqueued_s, connected_s, ended_s, wait_s, talk_s = (float(str(t)) for t in times)
    assert (line, direction, number, name) == ("fxo0", "in", *CALLER)
    assert (queue, agent, end_reason) == ("cargo", AGENT_ID, "answered")
    assert started_s < arrived_s < enqueued_s < connected_s < ended_s < finished_s
    assert wait_s > 1.0 and talk_s > 1.0
    assert math.isclose(wait_s, connected_s - enqueued_s, abs_tol=0.01)
    assert math.isclose(talk_s, ended_s - connected_s, abs_tol=0.01)

    log_rows = _rows(
        database,
        "SELECT verb, queue, agent, data FROM queue_log WHERE call_id = ? ORDER BY id",
        call_id,
    )
    verbs = [str(verb) for verb, *_ in log_rows]
    expected = ["INBOUND", "ENTERQUEUE", "OFFER", "CONNECT", "COMPLETECALLER", "HANGUP"]
    assert [v for v in verbs if v in expected] == expected
    assert not {"RINGNOANSWER", "RINGREJECTED", "ABANDON"} & set(verbs)
    by_verb = {
        str(verb): (queue, agent, json.loads(str(data))) for verb, queue, agent, data in log_rows
    }
    assert by_verb["INBOUND"][2][:2] == list(CALLER)
    assert by_verb["CONNECT"][:2] == ("cargo", AGENT_ID)
    assert by_verb["HANGUP"][2][0] == "answered"
