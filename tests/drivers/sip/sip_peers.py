"""Real SIP peers for the SIP driver's tests: sipp scenarios and baresip, each a subprocess
with bounded time, plus the test audio made with sox."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCENARIOS = HERE / "sipp"


def free_udp_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def make_tone_wav(
    path: Path, seconds: float, freq_hz: int = 440, encoding: str = "signed-integer"
) -> Path:
    """A sine tone WAV at 8 kHz mono: 16-bit PCM, or "u-law" / "a-law" like the prompt set."""
    path.parent.mkdir(parents=True, exist_ok=True)
    bits = "16" if encoding == "signed-integer" else "8"
    tone = ["synth", str(seconds), "sine", str(freq_hz), "vol", "0.5"]
    command = ["sox", "-n", "-r", "8000", "-c", "1", "-b", bits, "-e", encoding, str(path)]
    subprocess.run([*command, *tone], check=True, timeout=20)
    return path


class Sipp:
    """One sipp process; `wait` returns its exit code (0 = every call of the scenario passed)."""

    def __init__(
        self,
        workdir: Path,
        name: str,
        args: Sequence[str],
        *,
        scenario: str = "",
        timeout_s: float = 30.0,
    ) -> None:
        command = [
            "sipp",
            "-nostdin",
            "-timeout",
            f"{int(timeout_s)}s",
            "-trace_err",
            "-error_file",
            str(workdir / f"{name}_errors.log"),
        ]
        if scenario:
            command += ["-sf", str(SCENARIOS / scenario)]
        self.name = name
        self.process = subprocess.Popen(
            [*command, *args],
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.workdir = workdir

    def wait(self, timeout_s: float = 30.0) -> int:
        try:
            return self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.stop()
            return -999

    def errors(self) -> str:
        path = self.workdir / f"{self.name}_errors.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def run_scenario(name: str, timeout_s: float = 60.0, pjsua2_dir: str = "") -> dict[str, object]:
    """Run `sip_scenarios.py NAME` in a loopback-only network namespace when we are root (its
    SIP traffic cannot leak and its ports are free), else on 127.0.0.x; return its JSON.
    `pjsua2_dir`: another pjsua2 build to import instead of the venv's (make test's small one)."""
    root = HERE.parents[2]
    script = str(HERE / "sip_scenarios.py")
    python = str(root / ".venv" / "bin" / "python")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [pjsua2_dir, str(root)]))}
    if os.geteuid() == 0:
        command = [
            "unshare",
            "-n",
            "--",
            "sh",
            "-c",
            f'ip link set lo up && exec "{python}" "{script}" {name}',
        ]
    else:
        command = [python, script, name]
    with tempfile.TemporaryDirectory() as workdir:
        env["SIP_TEST_DIR"] = workdir
        started = time.monotonic()
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout_s, env=env, cwd=root
        )
        elapsed_s = time.monotonic() - started
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise AssertionError(
            f"scenario {name} failed (exit {done.returncode}, {elapsed_s:.1f} s):\n"
            f"{done.stdout[-3000:]}\n{done.stderr[-6000:]}"
        )
    result: dict[str, object] = json.loads(lines[-1])
    return result


class Baresip:
    """baresip as an agent's softphone, driven over its TCP control socket (netstring JSON)."""

    def __init__(self, workdir: Path, host: str, sip_port: int, ctrl_port: int, user: str):
        home = workdir / f"baresip_{user}"
        home.mkdir(parents=True, exist_ok=True)
        talk = make_tone_wav(home / "talk.wav", 30.0, 800)
        (home / "accounts").write_text(f"<sip:{user}@{host}:{sip_port}>;regint=0;answermode=auto\n")
        (home / "config").write_text(
            "\n".join(
                [
                    "module_path /usr/lib/baresip/modules",
                    f"sip_listen {host}:{sip_port}",
                    "audio_player alsa,null",
                    f"audio_source aufile,{talk}",
                    "audio_alert alsa,null",
                    f"ctrl_tcp_listen {host}:{ctrl_port}",
                    "module_tmp uuid.so",
                    "module_tmp account.so",
                    "module g711.so",
                    "module alsa.so",
                    "module aufile.so",
                    "module ctrl_tcp.so",
                    "module_app menu.so",
                    "",
                ]
            )
        )
        self.process = subprocess.Popen(
            ["baresip", "-f", str(home), "-n", host],
            cwd=home,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._address = (host, ctrl_port)
        self._socket = self._connect()
        self._token = 0

    def _connect(self, timeout_s: float = 10.0) -> socket.socket:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                return socket.create_connection(self._address, timeout=2)
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.05)  # baresip is still starting: poll its control port

    def command(self, name: str, params: str = "") -> None:
        self._token += 1
        body = json.dumps({"command": name, "params": params, "token": str(self._token)})
        self._socket.sendall(f"{len(body)}:{body},".encode())

    def stop(self) -> None:
        self._socket.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
