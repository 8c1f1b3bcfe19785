"""The systemd units as systemd itself reads them (systemd-analyze verify), and the settings a
reviewer of an appliance service expects to find in them."""

from __future__ import annotations

import array
import configparser
import re
import shutil
import subprocess
import sys
import wave
from pathlib import Path

import pytest

SYSTEMD = Path(__file__).resolve().parents[2] / "systemd"
UNITS = [
    "depotline.service",
    "depotline-backup.service",
    "depotline-backup.timer",
    "depotline-firstboot.service",
    "depotline-issue.path",
    "depotline-issue.service",
]
# The one error verify may report here: the programs live in the image, not on this machine.
# tests/box/test_image_stage.py verifies the same units inside a root where they exist.
MISSING_BINARY = "is not executable: No such file or directory"


def _unit(name: str) -> dict[str, dict[str, list[str]]]:
    """Section → key → every value (systemd keys repeat, so configparser alone will not do)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in (SYSTEMD / name).read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key, []).append(value)
    return sections


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze missing")
def test_systemd_analyze_verify_units_report_no_error_but_the_absent_program() -> None:
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(SYSTEMD / unit) for unit in UNITS)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    messages = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    unexpected = [line for line in messages if MISSING_BINARY not in line]
    assert unexpected == [], "\n".join(unexpected)
    # exactly the three ExecStart programs are missing here, nothing else
    assert len(messages) == 3


def test_service_is_notify_with_watchdog_and_no_restart_on_config_error() -> None:
    service = _unit("depotline.service")["Service"]
    assert service["Type"] == ["notify"]
    assert int(service["WatchdogSec"][0]) > 0
    assert service["Restart"] == ["always"]
    assert service["RestartPreventExitStatus"] == ["78"]
    assert service["ExecStart"] == [
        "/opt/depotline/venv/bin/depotline run --config /etc/depotline/depotline.toml"
    ]


def test_first_boot_writes_the_setup_code_before_any_login_screen_is_drawn() -> None:
    """Every getty (tty1 on HDMI, a serial console) waits for getty-pre.target: the first-boot
    service must be done before it, or the login screen is drawn without the setup code and
    keeps it off until someone presses Enter (seen on the emulated Pi's serial console)."""
    unit = _unit("depotline-firstboot.service")["Unit"]
    before = " ".join(unit["Before"]).split()
    wants = " ".join(unit.get("Wants", [])).split()
    assert "getty-pre.target" in before
    assert "getty-pre.target" in wants  # a passive target: in the boot only when wanted
    assert "depotline.service" in before


def test_login_screen_is_redrawn_when_the_setup_page_rewrites_its_note() -> None:
    """The setup page rewrites the note the login screen shows (appliance/first_boot.py); agetty
    only redraws when told, which the sandboxed daemon cannot do, so a path unit does."""
    from appliance import first_boot

    watched = _unit("depotline-issue.path")["Path"]["PathChanged"]
    assert watched == [f"/var/lib/depotline/{first_boot.ISSUE}"]
    assert _unit("depotline-issue.service")["Service"]["ExecStart"] == ["/sbin/agetty --reload"]
    enable = (
        SYSTEMD.parent / "image_build/stage-depotline/01-depotline/01-run-chroot.sh"
    ).read_text()
    assert "depotline-issue.path" in enable


def test_service_runs_unprivileged_in_the_device_groups() -> None:
    service = _unit("depotline.service")["Service"]
    assert service["User"] == ["depotline"]
    assert service["SupplementaryGroups"][0].split() == ["dialout", "gpio", "audio"]
    assert service["CapabilityBoundingSet"] == [""]
    assert service["StateDirectory"] == ["depotline"]
    assert service["CacheDirectory"] == ["depotline"]  # converted prompts survive a restart
    assert service["ConfigurationDirectory"] == ["depotline"]


def test_service_hardening_is_complete() -> None:
    service = _unit("depotline.service")["Service"]
    for key in (
        "NoNewPrivileges",
        "PrivateTmp",
        "ProtectHome",
        "ProtectKernelTunables",
        "ProtectKernelModules",
        "ProtectKernelLogs",
        "ProtectControlGroups",
        "RestrictNamespaces",
        "LockPersonality",
        "MemoryDenyWriteExecute",
    ):
        assert service[key] == ["yes"], key
    assert service["ProtectSystem"] == ["strict"]
    assert service["RestrictAddressFamilies"][0].split() == [
        "AF_UNIX",
        "AF_INET",
        "AF_INET6",
        "AF_NETLINK",
    ]
    assert "@system-service" in service["SystemCallFilter"]
    assert service["DevicePolicy"] == ["closed"]
    allowed = {entry.split()[0] for entry in service["DeviceAllow"]}
    assert {"char-ttyACM", "char-ttyUSB", "char-gpiochip", "char-alsa"} <= allowed


def test_backup_timer_is_nightly_and_catches_up_after_power_off() -> None:
    timer = _unit("depotline-backup.timer")["Timer"]
    assert timer["OnCalendar"] == ["*-*-* 03:15:00"]
    assert timer["Persistent"] == ["yes"]
    backup = _unit("depotline-backup.service")["Service"]
    assert backup["Type"] == ["oneshot"]
    assert "--nightly" in backup["ExecStart"][0].split()
    assert "--keep" in backup["ExecStart"][0].split()


def test_tmpfiles_and_sysusers_create_the_state_directories_and_user() -> None:
    tmpfiles = (SYSTEMD / "depotline.tmpfiles").read_text()
    rows = [line.split() for line in tmpfiles.splitlines() if line and not line.startswith("#")]
    paths = {row[1]: row for row in rows}
    assert paths["/var/lib/depotline"][3:5] == ["depotline", "depotline"]
    assert paths["/var/lib/depotline/backups"][2] == "0750"
    sysusers = (SYSTEMD / "depotline.sysusers").read_text().splitlines()
    assert any(line.startswith("u depotline ") for line in sysusers)
    for group in ("dialout", "gpio", "audio"):
        assert f"m depotline {group}" in sysusers


def test_unit_files_are_plain_ini_with_known_sections() -> None:
    for unit in UNITS:
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        parser.read_string((SYSTEMD / unit).read_text())
        assert set(parser.sections()) <= {"Unit", "Service", "Timer", "Path", "Install"}, unit


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze missing")
def test_service_exposure_score_is_low() -> None:
    # systemd's own review of the sandbox: 0 is fully locked down, 10 is unprotected; a
    # service that must reach serial ports, GPIO, sound and the LAN cannot reach 0
    result = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", str(SYSTEMD / "depotline.service")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    score = re.search(r"Overall exposure level for depotline.service: ([\d.]+)", result.stdout)
    assert score, result.stdout + result.stderr
    assert float(score[1]) <= 2.0


def test_pjsua2_media_runs_where_writable_executable_memory_is_refused(tmp_path: Path) -> None:
    # depotline.service sets MemoryDenyWriteExecute=yes; systemd is not PID 1 here, so the
    # kernel's equivalent (PR_SET_MDWE) is applied to a process running the SIP stack set-up
    # and a tone through the conference bridge into a recording
    wav_path = tmp_path / "tone.wav"
    result = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("pjsua2_under_mdwe.py")), str(wav_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=SYSTEMD.parent,
    )
    if "PR_SET_MDWE not supported" in result.stdout + result.stderr:
        pytest.skip("this kernel has no PR_SET_MDWE (Linux 6.3+)")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "recorded" in result.stdout
    with wave.open(str(wav_path)) as recording:
        samples = array.array("h", recording.readframes(recording.getnframes()))
    assert len(samples) >= 8000  # a second at 8 kHz
    assert max(samples) > 1000  # the DTMF tones, not silence
