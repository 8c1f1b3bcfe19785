"""`depotline doctor`: what it says about devices it talks to over real serial ports (the modem
and wallboard simulators on ptys), about the USB devices sysfs lists, and about the config,
database and clock — one OK/WARN/FAIL line each, exit 1 when anything failed."""

from __future__ import annotations

import grp
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
import serial

from appliance import doctor
from appliance.doctor import checks
from appliance.store.schema import SCHEMA_VERSION
from drivers.modem.sim import ModemSimulator
from drivers.wallboard.board_sim import SimulatedBoard

FakeSysfs = Callable[[list[tuple[str, str, str, str]]], Path]
WRITER = Path(__file__).with_name("store_writer.py")


@pytest.fixture
def depot(tmp_path: Path) -> tuple[Path, Path]:
    """A valid config and a database with a few calls in it."""
    database = tmp_path / "depotline.db"
    subprocess.run(
        [sys.executable, str(WRITER), str(database), "3"], check=True, capture_output=True
    )
    config = tmp_path / "depotline.toml"
    config.write_text(f'[depot]\ndatabase = "{database}"\ntimezone = "UTC"\n')
    return config, database


def run_doctor(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    code = doctor.main(["--sysfs", "/nonexistent", *argv])
    return code, capsys.readouterr().out.splitlines()


def lines_about(lines: list[str], subject: str) -> list[str]:
    return [line for line in lines if line.split()[1:2] == [subject]]


@pytest.mark.parametrize(
    ("dialect", "expected"),
    [
        ("usr", "U.S. Robotics 56K FAX USB V1.2.23; 5601; voice formats 0,1,128,132"),
        ("conexant", "CX93001-EIS_V0.2002-V92; 56000; voice formats 0,1,4,5,140"),
    ],
)
def test_doctor_identifies_a_voice_modem_by_talking_to_it(
    capsys: pytest.CaptureFixture[str], depot: tuple[Path, Path], dialect: str, expected: str
) -> None:
    config, _ = depot
    with ModemSimulator(dialect) as modem:
        code, lines = run_doctor(capsys, "--config", str(config), "--device", modem.device)
        transcript = modem.transcript
    assert code == 0, lines
    assert f"OK    serial    {modem.device} is a modem: {expected}" in lines
    # it leaves the modem in data mode, as it found it
    exchange = [entry for entry in transcript if entry.startswith(("> ", "< "))]
    assert exchange[-2:] == ["> AT+FCLASS=0", "< OK"]


def test_doctor_identifies_the_wallboard_board_by_its_hello(
    capsys: pytest.CaptureFixture[str], depot: tuple[Path, Path], tmp_path: Path
) -> None:
    config, _ = depot
    board = SimulatedBoard(str(tmp_path / "board0"), modules_wide=16, modules_high=4)
    board.start()
    try:
        code, lines = run_doctor(capsys, "--config", str(config), "--device", board.path)
    finally:
        board.stop()
    assert code == 0, lines
    expected = f"OK    serial    {board.path} is a wallboard board: protocol 1, 128×32 pixels"
    assert expected in lines


def test_doctor_does_not_take_a_port_the_daemon_holds(
    capsys: pytest.CaptureFixture[str], depot: tuple[Path, Path]
) -> None:
    config, _ = depot
    with ModemSimulator("usr") as modem, serial.Serial(modem.device, exclusive=True):
        code, lines = run_doctor(capsys, "--config", str(config), "--device", modem.device)
        transcript = modem.transcript
    assert code == 0
    assert any("is in use by another program (the daemon?): not probed" in x for x in lines)
    assert not any(entry.startswith("> AT") for entry in transcript)


def test_doctor_says_a_silent_device_is_not_identified(
    capsys: pytest.CaptureFixture[str], depot: tuple[Path, Path]
) -> None:
    config, _ = depot
    with ModemSimulator("usr") as modem:
        modem.stop_answering()
        code, lines = run_doctor(capsys, "--config", str(config), "--device", modem.device)
    assert code == 0
    assert f"WARN  serial    {modem.device}: not identified (no AT reply, no hello frame)" in lines


def test_doctor_lists_usb_devices_and_asks_for_stable_names(
    capsys: pytest.CaptureFixture[str], depot: tuple[Path, Path], fake_sysfs: FakeSysfs
) -> None:
    config, _ = depot
    sysfs = fake_sysfs([("ttyACM0", "1-1.2", "0baf", "0303"), ("ttyUSB0", "1-1.4", "1a86", "7523")])
    code = doctor.main(["--sysfs", str(sysfs), "--no-probe", "--config", str(config)])
    lines = lines_about(capsys.readouterr().out.splitlines(), "serial")
    assert code == 0
    assert lines == [
        "OK    serial    /dev/ttyACM0 0baf:0303 USRobotics USR5637 voice modem, USB port 1-1.2:1.0",
        "WARN  serial    /dev/ttyACM0 has no name under /dev/depotline/; run"
        " `sudo depotline doctor udev-rules --write`",
        "OK    serial    /dev/ttyUSB0 1a86:7523 Maker Gadget, USB port 1-1.4:1.0",
    ]


def test_doctor_udev_rules_writes_a_rule_per_port(
    capsys: pytest.CaptureFixture[str], fake_sysfs: FakeSysfs, tmp_path: Path
) -> None:
    sysfs = fake_sysfs([("ttyACM0", "1-1.2", "0572", "1340"), ("ttyACM1", "1-1.3", "2e8a", "0005")])
    rules = tmp_path / "98-depotline-ports.rules"
    assert doctor.main(["udev-rules", "--write", "--rules", str(rules), "--sysfs", str(sysfs)]) == 0
    text = rules.read_text()
    assert 'KERNELS=="1-1.2:1.0"' in text and 'SYMLINK+="depotline/fxo0"' in text
    assert 'KERNELS=="1-1.3:1.0"' in text and 'SYMLINK+="depotline/board0"' in text
    assert f"wrote {rules}" in capsys.readouterr().out


def test_doctor_fails_on_a_config_error_with_its_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "depotline.toml"
    config.write_text('[depot]\ntimezone = "Mars/Olympus"\n')
    code, lines = run_doctor(capsys, "--config", str(config), "--db", str(tmp_path / "x.db"))
    assert code == 1
    [finding] = lines_about(lines, "config")
    assert finding.startswith("FAIL  config    ") and "Mars/Olympus" in finding
    assert lines[-1].startswith("1 failed")


def test_doctor_fails_on_a_modem_line_whose_device_is_missing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "depotline.toml"
    config.write_text(
        f'[depot]\ndatabase = "{tmp_path / "d.db"}"\n'
        '[[lines]]\nid = "fxo0"\ntype = "modem"\ndevice = "/dev/depotline/fxo9"\n'
    )
    code, lines = run_doctor(capsys, "--config", str(config))
    assert code == 1
    assert lines_about(lines, "device") == [
        "FAIL  device    line fxo0: /dev/depotline/fxo9 does not exist; plug the device in,"
        " then run `sudo depotline doctor udev-rules --write` and `sudo udevadm trigger`"
    ]


def test_doctor_checks_the_database_integrity_schema_and_journal(
    capsys: pytest.CaptureFixture[str], depot: tuple[Path, Path]
) -> None:
    config, database = depot
    code, lines = run_doctor(capsys, "--config", str(config))
    assert code == 0
    assert lines_about(lines, "database") == [
        f"OK    database  {database}: integrity ok, 3 call records",
        f"OK    database  schema version {SCHEMA_VERSION}",
        "OK    database  WAL journal (no record lost at power loss)",
    ]


def test_doctor_fails_on_a_damaged_database(
    capsys: pytest.CaptureFixture[str], depot: tuple[Path, Path]
) -> None:
    config, database = depot
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA journal_mode = DELETE")
    data = bytearray(database.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    data[page_size * 2 : page_size * 3] = b"\xa5" * page_size
    database.write_bytes(bytes(data))
    code, lines = run_doctor(capsys, "--config", str(config))
    assert code == 1
    failed = [line for line in lines_about(lines, "database") if line.startswith("FAIL")]
    assert failed and "restore" in failed[0]


def test_clock_check_fails_when_the_pi_booted_in_1970() -> None:
    [year, *_] = checks.check_clock(now_s=0.0)
    assert year.level == checks.FAIL
    assert "1970-01-01 00:00 UTC" in year.message and "NTP" in year.message
    [good, *_] = checks.check_clock(now_s=1_780_000_000.0)
    assert good == checks.Finding(checks.OK, "clock", "2026-05-28 20:26 UTC")


def test_doctor_warns_when_the_daemon_user_cannot_open_a_device(tmp_path: Path) -> None:
    node = tmp_path / "ttyACM0"
    node.touch()
    os.chown(node, 0, 0)
    node.chmod(0o600)  # as the kernel makes it when no udev rule gave it to dialout
    [finding] = doctor._access_findings(str(node))
    assert finding.level == checks.WARN
    assert "is -rw------- group root: the depotline user cannot open it" in finding.message
    os.chown(node, 0, grp.getgrnam("dialout").gr_gid)
    node.chmod(0o660)
    assert doctor._access_findings(str(node)) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to switch to the nobody user")
def test_udev_rules_write_without_root_says_to_use_sudo(tmp_path: Path) -> None:
    # like /etc/udev/rules.d: everyone may read, only root may write
    rules_dir = Path(tempfile.mkdtemp(prefix="depotline-rules-"))
    rules_dir.chmod(0o755)
    result = subprocess.run(
        [
            "setpriv",
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            sys.executable,
            "-m",
            "appliance.doctor",
            "udev-rules",
            "--write",
            "--rules",
            str(rules_dir / "98-depotline-ports.rules"),
            "--sysfs",
            "/nonexistent",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "run it as root (sudo depotline doctor udev-rules --write)" in result.stdout
    assert "Traceback" not in result.stderr
    rules_dir.rmdir()
