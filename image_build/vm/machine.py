"""The emulated Pi as pi-check drives it (image_build/vm/check.py): qemu-system-aarch64 on the
virt machine with two network cards and two consoles, the network namespace it runs in, and
the consoles as a program reads and types into them."""

from __future__ import annotations

import re
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

WEB_PORT = 8080
BOX_LAN_IP = "10.0.2.15"  # qemu's user-mode network gives the guest this address
SIP_HOST_IP = "10.0.3.1"  # this side of the tap device: the gateway
SIP_BOX_IP = "10.0.3.2"  # the box's second network card (vm-only.sh)
SIP_AGENT_IP = "10.0.3.3"  # the agent phone of the box's wiring (vm-only.sh)


class Console:
    """A serial port of the emulator (a unix socket): everything it printed, kept in memory
    and in a log file, and what we type into it."""

    def __init__(self, path: Path, log: Path) -> None:
        self.sock = _connect_unix(path)
        self.log = log.open("ab")
        self.text = ""
        self.lock = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                data = self.sock.recv(4096)
            except OSError:
                return
            if not data:
                return
            self.log.write(data)
            self.log.flush()
            with self.lock:
                self.text += data.decode("utf-8", errors="replace").replace("\r", "")
                self.lock.notify_all()

    def wait_for(self, pattern: str, timeout_s: float, start: int = 0) -> re.Match[str] | None:
        deadline = time.monotonic() + timeout_s
        regex = re.compile(pattern)
        with self.lock:
            while True:
                match = regex.search(self.text, start)
                if match or time.monotonic() > deadline:
                    return match
                self.lock.wait(timeout=1.0)

    def type(self, text: str) -> None:
        self.sock.sendall(text.encode())


class Shell:
    """The root shell on hvc0: one command at a time, its output and exit status. The end marker
    is computed by the shell ($((n+1))), so the echo of the command line can never match it."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.count = 1000

    def wait_ready(self, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            self.console.type("stty -echo\n")
            self.count += 1
            self.console.type(f"echo ready$(({self.count}+1))\n")
            if self.console.wait_for(f"ready{self.count + 1}", 10.0):
                return True
        return False

    def run(self, command: str, timeout_s: float = 120.0) -> tuple[int, str]:
        self.count += 1
        start = len(self.console.text)
        self.console.type(f'{command}\nprintf "@@%s@@\\n" "$?:$(({self.count}+1))"\n')
        match = self.console.wait_for(rf"@@(\d+):{self.count + 1}@@", timeout_s, start)
        if match is None:
            return -1, self.console.text[start:]
        output = self.console.text[start : match.start()]
        return int(match.group(1)), output.strip()

    def value(self, command: str, timeout_s: float = 120.0) -> str:
        return self.run(command, timeout_s)[1].strip()

    def unit(self, name: str = "depotline") -> dict[str, str]:
        props = "ActiveState,SubState,Result,MainPID,NRestarts,ExecMainStatus"
        text = self.value(f"systemctl show {name} -p {props}")
        return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def _connect_unix(path: Path, timeout_s: float = 30.0) -> socket.socket:
    deadline = time.monotonic() + timeout_s
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(str(path))
            return sock
        except OSError:
            sock.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)  # qemu has not created its socket yet


def network_namespace() -> None:
    """Loopback up, and the tap the box's SIP card is attached to, with a route to the box's
    LAN address over it (the box's SIP stack may name that address in its SDP)."""
    for command in (
        "ip link set lo up",
        "ip tuntap add dev tap-box mode tap",
        f"ip addr add {SIP_HOST_IP}/24 dev tap-box",
        f"ip addr add {SIP_AGENT_IP}/24 dev tap-box",
        "ip link set tap-box up",
        f"ip route add {BOX_LAN_IP}/32 via {SIP_BOX_IP}",
    ):
        subprocess.run(command.split(), check=True)


def start_qemu(disk: Path, workdir: Path) -> subprocess.Popen[bytes]:
    overlay = workdir / "run.qcow2"
    subprocess.run(
        ["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", str(disk / "root.img"),
         str(overlay)],
        check=True,
    )  # fmt: skip
    command = [
        "qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a72", "-smp", "2", "-m", "1536",
        "-display", "none", "-monitor", "none", "-no-reboot",
        "-kernel", str(disk / "vmlinuz"), "-initrd", str(disk / "initrd.img"),
        "-append", "root=/dev/vda rw console=ttyAMA0 panic=-1",
        "-drive", f"file={overlay},if=virtio,format=qcow2",
        "-netdev", f"user,id=lan,hostfwd=tcp:127.0.0.1:{WEB_PORT}-:{WEB_PORT}",
        "-device", "virtio-net-pci,netdev=lan,mac=52:54:00:12:34:56",
        "-netdev", "tap,id=sip,ifname=tap-box,script=no,downscript=no",
        "-device", "virtio-net-pci,netdev=sip,mac=52:54:00:12:34:57",
        "-chardev", f"socket,id=uart,path={workdir / 'uart.sock'},server=on,wait=off",
        "-serial", "chardev:uart",
        "-device", "virtio-serial-device",
        "-chardev", f"socket,id=shell,path={workdir / 'shell.sock'},server=on,wait=off",
        "-device", "virtconsole,chardev=shell",
    ]  # fmt: skip
    return subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=workdir.joinpath(
            "qemu.err").open("wb")
    )  # fmt: skip


def poll(check: Callable[[], bool], timeout_s: float, every_s: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while True:
        if check():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(every_s)  # the emulated box changes state on its own time
