"""The daemon as systemd runs it (Type=notify, WatchdogSec=): `depotline run` with
$NOTIFY_SOCKET pointing at a datagram socket of ours sends READY=1, keeps pinging WATCHDOG=1,
says STOPPING=1 on SIGTERM and exits 0; a config error exits 78, which the unit does not
restart. systemd itself is not running in this container, so the socket stands in for it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

DEPOTLINE = Path(sys.executable).with_name("depotline")
MESSAGE_TIMEOUT_S = 30.0


def sim_config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "depotline.toml"
    path.write_text(
        f"""
[depot]
name = "notify test"
timezone = "UTC"
database = "{tmp_path / "depotline.db"}"
recordings_dir = "{tmp_path / "recordings"}"
{extra}
[web]
enabled = false

[[lines]]
id = "sim"
type = "sim"
channels = 2

[[positions]]
id = "pos1"
type = "sim"
"""
    )
    return path


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    # AF_UNIX paths are limited to ~108 bytes; pytest's tmp_path can be longer
    path = f"/tmp/depotline-notify-{os.getpid()}-{tmp_path.name[-20:]}.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(path)
        sock.settimeout(MESSAGE_TIMEOUT_S)
        try:
            yield sock, path
        finally:
            os.unlink(path)


def _next_message(sock: socket.socket, process: subprocess.Popen[bytes]) -> list[str]:
    try:
        data = sock.recv(4096)
    except TimeoutError:
        process.kill()
        output = process.communicate()[0].decode(errors="replace")
        pytest.fail(f"no sd_notify message within {MESSAGE_TIMEOUT_S} s; daemon said:\n{output}")
    return data.decode().splitlines()


def test_run_reports_ready_pings_the_watchdog_and_says_stopping_on_sigterm(
    tmp_path: Path, notify_socket: tuple[socket.socket, str]
) -> None:
    sock, address = notify_socket
    environment = dict(os.environ, NOTIFY_SOCKET=address, WATCHDOG_USEC="1000000")
    environment.pop("WATCHDOG_PID", None)
    process = subprocess.Popen(
        [str(DEPOTLINE), "run", "--config", str(sim_config(tmp_path))],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    seen: list[str] = []
    try:
        # READY=1 once the lines are up, then watchdog pings keep coming after it
        while "READY=1" not in seen:
            seen += _next_message(sock, process)
        pings_after_ready = 0
        while pings_after_ready < 2:
            message = _next_message(sock, process)
            seen += message
            pings_after_ready += "WATCHDOG=1" in message
        process.send_signal(signal.SIGTERM)
        while "STOPPING=1" not in seen:
            seen += _next_message(sock, process)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
    ready = next(line for line in seen if line.startswith("STATUS="))
    assert "2 lines" in ready
    assert seen.index("READY=1") < seen.index("STOPPING=1")


def test_run_with_config_error_exits_78_naming_the_key(
    tmp_path: Path, notify_socket: tuple[socket.socket, str]
) -> None:
    sock, address = notify_socket
    config = sim_config(tmp_path, extra='colour = "blue"')
    result = subprocess.run(
        [str(DEPOTLINE), "run", "--config", str(config)],
        env=dict(os.environ, NOTIFY_SOCKET=address, WATCHDOG_USEC="1000000"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 78  # RestartPreventExitStatus=78 in depotline.service
    assert "colour" in result.stderr and str(config) in result.stderr
    # never READY: systemd reports the start as failed instead of "running"
    sock.settimeout(0.0)
    messages = []
    while True:
        try:
            messages.append(sock.recv(4096).decode())
        except BlockingIOError:
            break
    assert not any("READY=1" in message for message in messages)
