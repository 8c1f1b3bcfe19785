"""sd_notify datagrams reach a socket the way systemd listens for them: by path and in the
abstract namespace (a leading "@")."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from appliance.sd_notify import Notifier


def test_notifier_sends_ready_to_an_abstract_socket() -> None:
    name = f"depotline-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind("\0" + name)
        listener.settimeout(5)
        Notifier({"NOTIFY_SOCKET": "@" + name}).ready("4 lines")
        assert listener.recv(256) == b"READY=1\nSTATUS=4 lines"


def test_notifier_sends_watchdog_and_stopping_to_a_path_socket(tmp_path: Path) -> None:
    path = Path("/tmp") / f"dl-notify-{os.getpid()}.sock"
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
            listener.bind(str(path))
            listener.settimeout(5)
            notifier = Notifier({"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "20000000"})
            assert notifier.watchdog_interval_s == 10.0
            notifier.watchdog()
            notifier.stopping()
            assert listener.recv(64) == b"WATCHDOG=1"
            assert listener.recv(64) == b"STOPPING=1"
    finally:
        path.unlink(missing_ok=True)


def test_notifier_without_systemd_does_nothing_and_has_no_watchdog() -> None:
    notifier = Notifier({})
    assert not notifier.enabled
    assert notifier.watchdog_interval_s is None
    notifier.ready()  # no socket: nothing to send, nothing raised


def test_watchdog_meant_for_another_process_is_not_ours() -> None:
    notifier = Notifier({"NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"})
    assert notifier.watchdog_interval_s is None
