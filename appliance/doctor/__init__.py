"""`depotline doctor`: finds the box's serial devices and asks them what they are, checks the
config, database, disk and clock, and prints one OK/WARN/FAIL line per finding with what to do.
`depotline doctor udev-rules` writes the per-port rules that give the devices stable names."""

from __future__ import annotations

import argparse
import grp
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

from appliance import config as depot_config
from appliance.doctor import checks, probe, udev, usb
from appliance.doctor.checks import FAIL, OK, WARN, Finding

LINK_DIR = Path("/dev/depotline")


def _stable_names(device_path: str, link_dir: Path = LINK_DIR) -> list[str]:
    if not link_dir.is_dir():
        return []
    target = os.path.realpath(device_path)
    return sorted(
        str(link.relative_to(link_dir))
        for link in link_dir.rglob("*")
        if link.is_symlink() and os.path.realpath(link) == target
    )


def _access_findings(device_path: str) -> list[Finding]:
    """The daemon reaches serial devices through the dialout group (99-depotline.rules)."""
    try:
        status = os.stat(device_path)
    except FileNotFoundError:
        return []  # udev has not made the node yet; the probe says whether it answers
    try:
        group = grp.getgrgid(status.st_gid).gr_name
    except KeyError:
        group = str(status.st_gid)
    if group != "dialout" or status.st_mode & stat.S_IRWXG != stat.S_IRGRP | stat.S_IWGRP:
        mode = stat.filemode(status.st_mode)
        return [
            Finding(
                WARN,
                "serial",
                f"{device_path} is {mode} group {group}: the depotline user cannot open it;"
                " install 99-depotline.rules and run `sudo udevadm trigger`",
            )
        ]
    return []


def _probe_findings(path: str, kind: str) -> list[Finding]:
    """Talks to one device; `kind` is modem, board, or unknown (try both)."""
    if kind in ("modem", "unknown"):
        try:
            modem = probe.identify_modem(path)
        except probe.DeviceBusy as busy:
            return [Finding(OK, "serial", f"{busy} (the daemon?): not probed")]
        except probe.NoAnswer as silent:
            if kind == "modem":
                return [
                    Finding(
                        FAIL,
                        "serial",
                        f"{silent}: the modem is not answering. Unplug it for ten seconds"
                        " and plug it back into the same USB socket",
                    )
                ]
        else:
            level = OK if modem.voice else WARN
            return [Finding(level, "serial", f"{path} is a modem: {modem.summary()}")]
    try:
        board = probe.identify_board(path)
    except probe.DeviceBusy as busy:
        return [Finding(OK, "serial", f"{busy} (the daemon?): not probed")]
    except (probe.NoAnswer, ImportError, AttributeError) as silent:
        if kind == "board":
            return [
                Finding(
                    WARN,
                    "serial",
                    f"{path}: wallboard board not identified ({silent}); flash the firmware"
                    " (depotline firmware flash)",
                )
            ]
        return [Finding(WARN, "serial", f"{path}: not identified (no AT reply, no hello frame)")]
    return [
        Finding(
            OK,
            "serial",
            f"{path} is a wallboard board: protocol {board.protocol_version},"
            f" {board.width}×{board.height} pixels",
        )
    ]


def serial_findings(
    sysfs: Path, extra_devices: list[str], *, talk: bool, link_dir: Path = LINK_DIR
) -> list[Finding]:
    findings = []
    devices = usb.serial_devices(sysfs)
    if not devices and not extra_devices:
        findings.append(Finding(OK, "serial", "no USB serial devices plugged in"))
    for device in devices:
        where = f", USB port {device.usb_interface}" if device.usb_interface else ""
        ident = f" {device.usb_id}" if device.usb_id else ""
        findings.append(Finding(OK, "serial", f"{device.dev_path}{ident} {device.model}{where}"))
        if device.kind == "unknown":
            continue
        names = _stable_names(device.dev_path, link_dir)
        if names:
            findings.append(
                Finding(OK, "serial", f"{device.dev_path} is /dev/depotline/{', '.join(names)}")
            )
        else:
            findings.append(
                Finding(
                    WARN,
                    "serial",
                    f"{device.dev_path} has no name under /dev/depotline/; run"
                    " `sudo depotline doctor udev-rules --write`",
                )
            )
        findings.extend(_access_findings(device.dev_path))
        properties = usb.udev_properties(device, sysfs)
        if properties and properties.get("ID_MM_DEVICE_IGNORE") != "1":
            findings.append(
                Finding(
                    WARN,
                    "serial",
                    f"{device.dev_path}: ModemManager may probe it (install"
                    " 99-depotline.rules, or remove the modemmanager package)",
                )
            )
        if talk:
            findings.extend(_probe_findings(device.dev_path, device.kind))
    for path in extra_devices:
        findings.extend(_probe_findings(path, "unknown"))
    return findings


def run_checks(args: argparse.Namespace) -> list[Finding]:
    findings, loaded = checks.check_config(args.config)
    database = args.db or (loaded.depot.database if loaded else None)
    if loaded is not None:
        findings.extend(checks.check_configured_devices(loaded))
        findings.extend(checks.check_sip_capacity(loaded))
    findings.extend(serial_findings(Path(args.sysfs), args.device, talk=not args.no_probe))
    if database:
        findings.extend(checks.check_database_file(database))
        findings.extend(checks.check_disk(database))
    findings.extend(checks.check_clock())
    findings.extend(checks.check_service())
    return findings


def _write_rules(args: argparse.Namespace) -> int:
    path = Path(args.rules)
    try:
        existing = path.read_text() if path.exists() else ""
    except PermissionError:
        existing = ""  # only root can write it anyway; the write below says so
    text = udev.generate(usb.serial_devices(Path(args.sysfs)), existing)
    if not args.write:
        sys.stdout.write(text)
        return 0
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False) as temporary:
            temporary.write(text)
        os.chmod(temporary.name, 0o644)
        os.replace(temporary.name, path)
    except PermissionError:
        print(f"cannot write {path}: run it as root (sudo depotline doctor udev-rules --write)")
        return 1
    print(f"wrote {path}")
    if path == udev.RULES_PATH and shutil.which("udevadm"):
        subprocess.run(["udevadm", "control", "--reload"], check=False)
        subprocess.run(["udevadm", "trigger", "--action=add", "--subsystem-match=tty"], check=False)
        print("udev reloaded; the names appear under /dev/depotline/")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="depotline doctor",
        description="Check the box: devices, config, database, disk, clock.",
    )
    parser.add_argument("--config", default=depot_config.DEFAULT_PATH, help="depotline.toml")
    parser.add_argument("--db", help="database file (default: [depot] database of the config)")
    parser.add_argument(
        "--device", action="append", default=[], help="also ask this serial device what it is"
    )
    parser.add_argument(
        "--no-probe", action="store_true", help="list devices without talking to them"
    )
    parser.add_argument("--sysfs", default="/sys", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command")
    rules = sub.add_parser("udev-rules", help="print or write the per-port udev rules")
    rules.add_argument("--write", action="store_true", help="write the rules file")
    rules.add_argument("--rules", default=str(udev.RULES_PATH), help="rules file path")
    rules.add_argument("--sysfs", default="/sys", help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    """`depotline doctor ARGS`: argv is ARGS. Exit 0 when nothing failed, 1 otherwise."""
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.command == "udev-rules":
        return _write_rules(args)
    findings = run_checks(args)
    for finding in findings:
        print(finding.line())
    failed = sum(finding.level == FAIL for finding in findings)
    warned = sum(finding.level == WARN for finding in findings)
    print(f"{failed} failed, {warned} warnings, {len(findings) - failed - warned} ok")
    return 1 if failed else 0
