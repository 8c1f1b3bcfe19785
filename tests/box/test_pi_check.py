"""The emulated Pi (image_build/vm/, `make pi-check`) in pieces fast enough for the suite: the
full run boots an arm64 machine under TCG and takes many minutes, so it is a separate command
whose last result is docs/pi-check.json. Here: its scripts are sound shell, it installs
depotline with the image's own stage scripts, its serial-console shell protocol returns each
command's output and status even with the terminal echoing, and the recorded result answers
every question of the issue."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import threading
from pathlib import Path
from types import ModuleType

import pytest

PROJECT = Path(__file__).resolve().parents[2]
VM = PROJECT / "image_build" / "vm"
SCRIPTS = sorted(VM.glob("*.sh"))
ISSUE_KEYS = {
    "arch",
    "systemd_pid1",
    "depotline_active",
    "watchdog_restart",
    "exit_78_no_restart",
    "first_boot_page",
    "console_says_where",
    "pjsua2_max_calls",
    "sip_call_bridged",
    "boot_to_ready_s",
    "wall_s",
}


def _machine_module() -> ModuleType:
    """image_build/vm/machine.py (not a package: its scripts run it from their folder)."""
    spec = importlib.util.spec_from_file_location("pi_check_machine", VM / "machine.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pi_check_scripts_pass_shellcheck() -> None:
    assert SCRIPTS, "image_build/vm/ has no scripts"
    shellcheck = shutil.which("shellcheck")
    assert shellcheck, "shellcheck is missing (.ci/setup-system installs it)"
    done = subprocess.run(
        [shellcheck, "-x", *map(str, SCRIPTS)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout


def test_pi_check_installs_depotline_with_the_image_stage_not_a_copy_of_it() -> None:
    pi_check = (VM / "pi-check.sh").read_text()
    assert '"$project/image_build/assemble-files.sh"' in pi_check
    assert '"$project/image_build/check-stage.sh"' in pi_check
    assert '"$here/cross-pjsua2.sh"' in pi_check
    assert '"$here/../pjsua2/build.sh"' in (VM / "cross-pjsua2.sh").read_text()
    # what the stage does is done only by the stage: none of its steps appear here
    stage_steps = ("systemd-sysusers", "systemctl enable", "requirements.lock", "depotline-*.whl")
    for script in SCRIPTS:
        text = script.read_text()
        assert not [step for step in stage_steps if step in text], script.name


def test_pi_check_runner_imports_its_machine_and_starts() -> None:
    done = subprocess.run(
        [str(PROJECT / ".venv/bin/python"), str(VM / "check.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "--disk" in done.stdout


def test_pi_check_is_its_own_make_target_outside_make_test() -> None:
    makefile = (PROJECT / "Makefile").read_text()
    target = re.search(r"^pi-check:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert target and "image_build/vm/pi-check.sh --record" in target.group(1)
    test_target = re.search(r"^test:(.*)$", makefile, re.M)
    assert test_target and "pi-check" not in test_target.group(1)


def test_pi_check_vm_additions_give_networks_and_the_technician_shell(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "etc/systemd/system/multi-user.target.wants").mkdir(parents=True)
    (root / "etc/depotline").mkdir()
    config = root / "etc/depotline/depotline.toml"
    shutil.copy(PROJECT / "image_build/files/depotline.toml", config)
    subprocess.run([str(VM / "vm-only.sh"), str(root)], check=True, timeout=30)
    checked = subprocess.run(
        [str(PROJECT / ".venv/bin/depotline"), "check-config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "OK — lines: gw1; positions: pos1" in checked.stdout, checked.stderr
    lan = (root / "etc/systemd/network/10-lan.network").read_text()
    sip = (root / "etc/systemd/network/20-sip.network").read_text()
    machine = _machine_module()
    assert "DHCP=ipv4" in lan
    assert f"Address={machine.SIP_BOX_IP}/24" in sip
    wants = root / "etc/systemd/system/multi-user.target.wants"
    assert (wants / "pi-check-shell.service").is_symlink()
    assert (wants / "systemd-networkd.service").is_symlink()
    shell_unit = (root / "etc/systemd/system/pi-check-shell.service").read_text()
    assert "TTYPath=/dev/hvc0" in shell_unit


@pytest.fixture
def echoing_shell(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A bash on a pseudo-terminal that echoes what is typed, reached through a unix socket
    the way check.py reaches the emulator's console."""
    machine = _machine_module()
    path = tmp_path / "console.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(1)
    master, slave = os.openpty()
    bash = subprocess.Popen(
        ["bash", "--noprofile", "--norc"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={"PATH": os.environ["PATH"], "PS1": "", "TERM": "dumb"},
        start_new_session=True,
    )
    os.close(slave)
    console = machine.Console(path, tmp_path / "console.log")
    connection, _ = server.accept()

    def pump(source: int | socket.socket, target: int | socket.socket) -> None:
        while True:
            try:
                data = (
                    source.recv(4096)
                    if isinstance(source, socket.socket)
                    else os.read(source, 4096)
                )
            except OSError:
                return
            if not data:
                return
            if isinstance(target, socket.socket):
                target.sendall(data)
            else:
                os.write(target, data)

    threading.Thread(target=pump, args=(connection, master), daemon=True).start()
    threading.Thread(target=pump, args=(master, connection), daemon=True).start()
    yield machine.Shell(console)
    bash.kill()
    bash.wait(10)
    connection.close()
    server.close()


def test_pi_check_shell_returns_output_and_status_despite_the_echo(echoing_shell) -> None:  # type: ignore[no-untyped-def]
    assert echoing_shell.wait_ready(30)
    status, output = echoing_shell.run("echo depot; ls /no-such-depot-file 2>/dev/null", 30)
    assert (status, output) == (2, "depot")
    assert echoing_shell.value("echo $((6 * 7))", 30) == "42"
    echoing_shell.run("printf 'ActiveState=active\\nMainPID=321\\nNRestarts=2\\n' > /dev/null")
    assert echoing_shell.run("true", 30) == (0, "")


def test_pi_check_record_answers_every_question_of_the_issue() -> None:
    record = json.loads((PROJECT / "docs" / "pi-check.json").read_text())
    assert record.keys() >= ISSUE_KEYS
    assert record["date"] and record["machine"]
    assert record["arch"] == "aarch64"
