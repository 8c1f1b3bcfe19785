"""Boots the emulated Pi built by pi-check.sh and checks, from outside it, what a depot owner
sees on first boot (docs/box.md, "The emulated Pi"); prints one JSON object.

The emulator runs inside this process's own network namespace (pi-check.sh starts it under
`unshare -n`): the web port is forwarded to 127.0.0.1 there, and the SIP peers reach the box
over a tap device that exists only there, so no traffic leaves this machine. The login screen
is read on the first serial console (ttyAMA0); systemd is inspected through a root shell on the
second (hvc0), as a technician with a serial cable would."""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from machine import (
    SIP_AGENT_IP,
    SIP_BOX_IP,
    SIP_HOST_IP,
    WEB_PORT,
    Console,
    Shell,
    network_namespace,
    poll,
    start_qemu,
)

HERE = Path(__file__).resolve().parent
BOOT_TIMEOUT_S = 900.0
CONFIG = "/etc/depotline/depotline.toml"
OWNER_PASSWORD = "depot-owner-1"
AGENT_ID = "1001"
AGENT_PASSWORD = "agent-one-1"
SIPP = HERE.parents[1] / "tests" / "drivers" / "sip" / "sipp"  # the SIP tests' peers


class Web:
    """A browser's view of the box's web port: cookies kept, pages as text."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def fetch(self, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        url = f"http://127.0.0.1:{WEB_PORT}{path}"
        try:
            with self.opener.open(url, data=data, timeout=120) as response:
                return int(response.status), response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return int(error.code), error.read().decode(errors="replace")


def _token(page: str, field: str = "setup_token") -> str:
    match = re.search(rf'name="{field}" value="([^"]+)"', page)
    return match.group(1) if match else ""


def _sign_in(agent_id: str, password: str) -> Web:
    web = Web()
    _, page = web.fetch("/login")
    web.fetch(
        "/login",
        {"login_token": _token(page, "login_token"), "agent_id": agent_id, "password": password},
    )
    return web


def _agent_ready_at_pos1(result: dict[str, Any]) -> bool:
    """As the owner and the agent would on the web: the agent takes cargo calls, the depot is
    open whenever the check runs, and the agent logs in at pos1 and is ready."""
    owner = _sign_in("owner", OWNER_PASSWORD)
    _, page = owner.fetch("/supervisor/settings")
    csrf = _token(page, "csrf_token")
    steps = [
        owner.fetch(
            "/supervisor/settings",
            {"csrf_token": csrf, "action": "agent", "agent_id": AGENT_ID, "name": "Agent One",
             "tier_cargo": "1"},
        ),
        owner.fetch(
            "/supervisor/settings", {"csrf_token": csrf, "action": "hours", "always_open": "on"}
        ),
    ]  # fmt: skip
    agent = _sign_in(AGENT_ID, AGENT_PASSWORD)
    _, page = agent.fetch("/desk")
    csrf = _token(page, "csrf_token")
    for action in ({"action": "login", "position": "pos1"}, {"action": "ready"}):
        steps.append(agent.fetch("/desk/state", {"csrf_token": csrf, **action}))
    result["sip_agent_steps"] = [status for status, _ in steps]
    return all(status < 400 for status, _ in steps)


class SipPeers:
    """The FXO gateway's keep-alive side and the agent's phone (answers, echoes the audio, and
    answers the box's OPTIONS), up before the box boots, as on a real LAN; the caller later."""

    def __init__(self) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="pi-check-sip-"))
        self.keepalive = self.sipp(
            "gateway_options", "-sf", str(SIPP / "gateway_options.xml"), "-i", SIP_HOST_IP,
            "-p", "5060",
        )  # fmt: skip
        self.agent = self.sipp(
            "agent", "-sn", "uas", "-aa", "-rtp_echo", "-i", SIP_AGENT_IP, "-p", "5060",
            "-mi", SIP_AGENT_IP, "-mp", "30000",
        )  # fmt: skip

    def sipp(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            ["sipp", "-nostdin", "-trace_err", "-error_file",
             str(self.workdir / f"{name}_errors.log"), "-trace_msg", "-message_file",
             str(self.workdir / f"{name}_messages.log"), *args],
            cwd=self.workdir, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def call(self) -> int:
        caller = self.sipp(
            "caller", "-sf", str(SIPP / "gateway_caller.xml"), "-i", SIP_HOST_IP, "-p", "5062",
            "-mi", SIP_HOST_IP, "-mp", "32000", "-m", "1", "-d", "20000", "-timeout", "240s",
            f"{SIP_BOX_IP}:5060",
        )  # fmt: skip
        try:
            return caller.wait(300)
        except subprocess.TimeoutExpired:
            caller.kill()
            caller.wait(10)
            return -1

    def agent_was_rung(self) -> bool:
        log = self.workdir / "agent_messages.log"
        return log.exists() and "INVITE sip:pos1@" in log.read_text(errors="replace")

    def errors(self) -> list[str]:
        return [path.read_text(errors="replace")[-1500:] for path in self.workdir.glob("*_err*")]

    def stop(self) -> None:
        for peer in (self.keepalive, self.agent):
            if peer.poll() is None:
                peer.kill()
                peer.wait(10)


def check_sip_call(shell: Shell, peers: SipPeers, result: dict[str, Any]) -> None:
    """A caller on the gateway presses 1 (cargo); the box rings the agent's phone, which
    answers and echoes the audio; the caller hangs up. Bridged: the caller's call went through,
    the phone was rung, and the box's call record names the agent with a talk time."""
    if not _agent_ready_at_pos1(result):
        return
    caller_exit = peers.call()
    record = shell.value(
        "sqlite3 -separator ' ' /var/lib/depotline/depotline.db "
        '"SELECT agent, end_reason, round(talk_s) FROM calls ORDER BY arrived_s DESC LIMIT 1"'
    )
    fields = record.split()
    result["sip_call_record"] = record
    result["sip_caller_exit"] = caller_exit
    result["sip_call_bridged"] = (
        caller_exit == 0
        and peers.agent_was_rung()
        and fields[:1] == [AGENT_ID]
        and len(fields) == 3
        and float(fields[2]) > 0
    )
    if not result["sip_call_bridged"]:
        result["sip_errors"] = peers.errors()


def check_first_boot_page(uart: Console, result: dict[str, Any]) -> None:
    """The setup code shown on the login screen opens /setup and creates the admin; then the
    login screen says where the web pages are."""
    shown = uart.wait_for(r"setup code (\d{6})", 120.0)
    result["setup_code_on_console"] = bool(shown)
    if not shown:
        return
    web = Web()
    status, page = web.fetch("/setup")
    if status != 200:
        result["first_boot_page_error"] = f"GET /setup answered {status}"
        return
    status, page = web.fetch(
        "/setup", {"setup_token": _token(page), "step": "code", "setup_code": shown.group(1)}
    )
    if status != 200 or 'name="admin_id"' not in page:
        result["first_boot_page_error"] = f"the setup code was refused ({status})"
        return
    password = OWNER_PASSWORD
    status, page = web.fetch(
        "/setup",
        {
            "setup_token": _token(page),
            "step": "finish",
            "setup_code": shown.group(1),
            "admin_id": "owner",
            "admin_name": "Depot Owner",
            "admin_password": password,
            "admin_password_again": password,
            "agent_id_1": AGENT_ID,
            "agent_name_1": "Agent One",
            "agent_password_1": AGENT_PASSWORD,
        },
    )
    gone, _ = Web().fetch("/setup")
    result["first_boot_page"] = status < 400 and gone == 404
    if not result["first_boot_page"]:
        result["first_boot_page_error"] = f"finishing answered {status}, /setup then {gone}"
        return
    # the login screen is redrawn when someone presses Enter at it
    start = len(uart.text)
    uart.type("\r")
    where = uart.wait_for(r"depotline is set up: open (http://[\d.]+:\d+/)", 60.0, start)
    result["console_says_where"] = bool(where)
    if where:
        result["console_web_address"] = where.group(1)


def check_watchdog(shell: Shell, result: dict[str, Any]) -> None:
    """The daemon frozen with SIGSTOP stops pinging the watchdog: systemd kills and restarts it."""
    before = shell.unit()
    shell.run(f"kill -STOP {before['MainPID']}")
    frozen_at = time.monotonic()

    def restarted() -> bool:
        now = shell.unit()
        return (
            now.get("ActiveState") == "active"
            and now.get("MainPID") not in ("0", before["MainPID"])
            and int(now.get("NRestarts", "0")) > int(before["NRestarts"])
        )

    came_back = poll(restarted, 400.0, 5.0)
    journal = shell.value("journalctl -u depotline -b --no-pager | grep -c -i 'watchdog timeout'")
    result["watchdog_restart"] = came_back and journal.strip() not in ("", "0")
    result["watchdog_restart_s"] = round(time.monotonic() - frozen_at, 1)


def check_exit_78(shell: Shell, result: dict[str, Any]) -> None:
    """A broken configuration stops the daemon for good (exit 78, no restart) and the journal
    names the file and what is wrong in it."""
    shell.run(f"cp {CONFIG} {CONFIG}.good")
    shell.run(f"sed -i 's/^port = {WEB_PORT}$/port = \"eighty\"/' {CONFIG}")
    shell.run("systemctl restart --no-block depotline")

    def failed() -> bool:
        return shell.unit().get("ActiveState") == "failed"

    stopped = poll(failed, 300.0)
    first = shell.unit()
    time.sleep(20)  # RestartSec is 5 s: a restart would have happened by now
    later = shell.unit()
    journal = shell.value("journalctl -u depotline -b --no-pager -n 40")
    result["exit_78_status"] = first.get("ExecMainStatus")
    result["exit_78_no_restart"] = (
        stopped
        and first.get("ExecMainStatus") == "78"
        and later.get("ActiveState") == "failed"
        and later.get("NRestarts") == first.get("NRestarts")
        and "depotline.toml" in journal
    )
    result["exit_78_journal"] = [line for line in journal.splitlines() if "toml" in line][-2:]
    shell.run(f"mv {CONFIG}.good {CONFIG} && systemctl reset-failed depotline")


def _guarded(result: dict[str, Any], name: str, check: Callable[[], None]) -> None:
    """One check failing with an exception is that check failed; the others still run."""
    try:
        check()
    except Exception as error:  # reported in the result, so nothing is hidden
        result[f"{name}_error"] = f"{type(error).__name__}: {error}"


def run(disk: Path, started_s: float) -> dict[str, Any]:
    result: dict[str, Any] = {
        "arch": None,
        "systemd_pid1": False,
        "depotline_active": False,
        "watchdog_restart": False,
        "exit_78_no_restart": False,
        "first_boot_page": False,
        "console_says_where": False,
        "pjsua2_max_calls": None,
        "sip_call_bridged": False,
        "boot_to_ready_s": None,
        "wall_s": None,
    }
    # how long the cached pieces took to build, the last time they were built (pi-check.sh)
    for key, path in (
        ("base_build_s", disk.parent / "base_build_s"),
        ("pjsua2_cross_build_s", disk.parent / "pjsua2_cross_build_s"),
        ("disk_build_s", disk / "build_s"),
    ):
        if path.exists():
            result[key] = int(path.read_text())
    network_namespace()
    peers = SipPeers()
    workdir = Path(tempfile.mkdtemp(prefix="pi-check-"))
    qemu = start_qemu(disk, workdir)
    booted_at = time.monotonic()
    try:
        uart = Console(workdir / "uart.sock", workdir / "console.log")
        shell = Shell(Console(workdir / "shell.sock", workdir / "shell.log"))
        if not shell.wait_ready(BOOT_TIMEOUT_S):
            result["error"] = "the emulated box gave no shell on hvc0"
            return result
        result["arch"] = shell.value("uname -m")
        result["systemd_pid1"] = shell.value("cat /proc/1/comm") == "systemd"

        def ready() -> bool:
            return shell.unit().get("ActiveState") == "active"

        result["depotline_active"] = poll(ready, BOOT_TIMEOUT_S)
        result["boot_to_ready_s"] = round(time.monotonic() - booted_at, 1)
        if not result["depotline_active"]:
            result["error"] = shell.value("journalctl -u depotline -b --no-pager -n 30")
            return result
        max_calls = shell.value(
            "/opt/depotline/venv/bin/python -c "
            "'import pjsua2_build; print(pjsua2_build.LIMITS[\"max_calls\"])'"
        )
        result["pjsua2_max_calls"] = int(max_calls) if max_calls.isdigit() else max_calls
        _guarded(result, "first_boot_page", lambda: check_first_boot_page(uart, result))
        if result["first_boot_page"]:
            _guarded(result, "sip_call_bridged", lambda: check_sip_call(shell, peers, result))
        _guarded(result, "watchdog_restart", lambda: check_watchdog(shell, result))
        _guarded(result, "exit_78_no_restart", lambda: check_exit_78(shell, result))
        result["failed_units"] = shell.value("systemctl --failed --no-legend --plain | head")
    finally:
        peers.stop()
        qemu.terminate()
        try:
            qemu.wait(30)
        except subprocess.TimeoutExpired:
            qemu.kill()
        result["wall_s"] = round(time.time() - started_s, 1)
        result["console_log"] = str(workdir / "console.log")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--disk", type=Path, required=True)
    parser.add_argument("--started", type=float, default=time.time())
    parser.add_argument("--record", type=Path)
    args = parser.parse_args()
    if os.geteuid() != 0 or shutil.which("qemu-system-aarch64") is None:
        sys.exit("pi-check needs root and qemu-system-aarch64 (apt-get install qemu-system-arm)")
    result = run(args.disk, args.started)
    if args.record:
        recorded = {
            **{key: value for key, value in result.items() if key != "console_log"},
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.node()}",
        }
        args.record.write_text(json.dumps(recorded, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
