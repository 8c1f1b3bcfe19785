"""The doctor's checks of the box itself: configuration, database, disk space, clock and the
systemd service. Each check returns findings; none of them changes anything."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from appliance import config as depot_config
from appliance.store.backup import BackupError, check_database
from appliance.store.schema import SCHEMA_VERSION

log = logging.getLogger(__name__)

OK, WARN, FAIL = "OK", "WARN", "FAIL"
# The image is built after this year; a Pi without an RTC battery boots in 1970 or at the
# last saved time until NTP answers.
EARLIEST_SANE_YEAR = 2025
DISK_FAIL_BYTES = 100 * 1024 * 1024
DISK_WARN_BYTES = 1024 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Finding:
    level: str  # OK, WARN or FAIL
    subject: str  # config, database, disk, clock, serial, service …
    message: str  # what was found, and for WARN/FAIL what to do

    def line(self) -> str:
        return f"{self.level:<4}  {self.subject:<9} {self.message}"


def check_config(path: str) -> tuple[list[Finding], depot_config.Config | None]:
    if not os.path.exists(path):
        return [Finding(FAIL, "config", f"{path} does not exist; write one (docs/box.md)")], None
    try:
        loaded = depot_config.load(path)
    except depot_config.ConfigError as error:
        return [Finding(FAIL, "config", str(error))], None
    lines = ", ".join(loaded.line_ids) or "none"
    return [Finding(OK, "config", f"{path} is valid; lines: {lines}")], loaded


def check_sip_capacity(loaded: depot_config.Config) -> list[Finding]:
    """The most call legs, players, recorders, bridge ports and sockets the configuration can
    hold at once, against the limits of the installed pjsua2 build."""
    from drivers.sip import capacity

    sip_lines = sum(
        line.channels for line in loaded.lines if isinstance(line, depot_config.SipLineConfig)
    )
    sip_positions = sum(isinstance(p, depot_config.SipPositionConfig) for p in loaded.positions)
    if not sip_lines and not sip_positions:
        return []
    modem_lines = sum(isinstance(line, depot_config.ModemLineConfig) for line in loaded.lines)
    headsets = sum(isinstance(p, depot_config.SoundDevicePositionConfig) for p in loaded.positions)
    needs = capacity.depot_needs(sip_lines, sip_positions, modem_lines, headsets)
    limits = capacity.installed_limits()
    if limits is None:
        return [
            Finding(
                WARN,
                "sip",
                f"pjsua2 is not installed: cannot check the {needs.calls} call legs the"
                " configuration can need against its build (`make pjsua2`, docs/sip.md)",
            )
        ]
    shortfalls = needs.shortfalls(limits)
    if not shortfalls:
        return [
            Finding(
                OK,
                "sip",
                f"up to {needs.calls} call legs of the build's {limits.max_calls},"
                f" {needs.sockets} sockets of {limits.ioqueue_handles}",
            )
        ]
    return [Finding(FAIL if s.blocking else WARN, "sip", str(s)) for s in shortfalls]


def log_sip_shortfalls(loaded: depot_config.Config) -> None:
    """The capacity findings check-config stops at, for a box started on such a file anyway:
    it turns away the callers beyond the build (box_full), and says why in the journal."""
    for finding in check_sip_capacity(loaded):
        if finding.level != OK:
            verdict = "refuses" if finding.level == FAIL else "warns of"
            log.warning(
                "%s: %s (depotline check-config %s this file)",
                finding.level,
                finding.message,
                verdict,
            )


def configured_devices(loaded: depot_config.Config) -> list[tuple[str, str]]:
    """(what, device path) for every serial device the config refers to."""
    devices = [
        (f"line {line.id}", line.device)
        for line in loaded.lines
        if isinstance(line, depot_config.ModemLineConfig)
    ]
    if loaded.wallboard.type in ("board", "alpha"):
        devices.append((f"wallboard ({loaded.wallboard.type})", loaded.wallboard.device))
    return devices


def check_configured_devices(loaded: depot_config.Config) -> list[Finding]:
    findings = []
    for what, device in configured_devices(loaded):
        if os.path.exists(device):
            target = os.path.realpath(device)
            findings.append(Finding(OK, "device", f"{what}: {device} → {target}"))
        else:
            findings.append(
                Finding(
                    FAIL,
                    "device",
                    f"{what}: {device} does not exist; plug the device in, then run"
                    " `sudo depotline doctor udev-rules --write` and `sudo udevadm trigger`",
                )
            )
    return findings


def _filesystem_type(path: Path) -> str:
    """The type of the filesystem holding `path`, from /proc/self/mounts (longest prefix)."""
    target = str(path.resolve())
    best, best_type = "", ""
    try:
        mounts = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return ""
    for line in mounts:
        fields = line.split()
        if len(fields) < 3:
            continue
        mount_point = fields[1].replace("\\040", " ")
        inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= len(best):
            best, best_type = mount_point, fields[2]
    return best_type


def check_database_file(path: str) -> list[Finding]:
    database = Path(path)
    if not database.exists():
        return [
            Finding(
                WARN,
                "database",
                f"{database} does not exist yet; the daemon creates it at its first start",
            )
        ]
    findings = []
    try:
        check = check_database(database)
    except BackupError as error:
        return [Finding(FAIL, "database", f"{error}; restore a backup (depotline restore)")]
    if check.intact:
        calls = check.row_counts.get("calls")
        counted = f", {calls} call records" if calls is not None else ""
        findings.append(Finding(OK, "database", f"{database}: integrity ok{counted}"))
    else:
        findings.append(
            Finding(
                FAIL,
                "database",
                f"{database} is damaged ({check.integrity}); stop the daemon and restore"
                " the newest good backup (depotline restore)",
            )
        )
    if check.newer_than_this_depotline:
        findings.append(
            Finding(
                FAIL,
                "database",
                f"schema version {check.user_version} is newer than this depotline"
                f" ({SCHEMA_VERSION}); upgrade depotline",
            )
        )
    elif check.user_version < SCHEMA_VERSION:
        findings.append(
            Finding(
                WARN,
                "database",
                f"schema version {check.user_version}, the daemon migrates it to"
                f" {SCHEMA_VERSION} at its next start (take a backup first)",
            )
        )
    else:
        findings.append(Finding(OK, "database", f"schema version {check.user_version}"))
    if check.journal_mode.lower() == "wal":
        findings.append(Finding(OK, "database", "WAL journal (no record lost at power loss)"))
    else:
        findings.append(
            Finding(
                WARN,
                "database",
                f"journal mode {check.journal_mode}, not WAL; the daemon switches it on start",
            )
        )
    if _filesystem_type(database.parent) in ("overlay", "tmpfs"):
        findings.append(
            Finding(
                FAIL,
                "database",
                f"{database.parent} is on a {_filesystem_type(database.parent)} filesystem:"
                " every record is lost at power-off. Mount the persistent data partition"
                " there (docs/box.md, read-only root)",
            )
        )
    return findings


def check_disk(path: str) -> list[Finding]:
    directory = Path(path).parent
    while not directory.exists() and directory != directory.parent:
        directory = directory.parent
    usage = shutil.disk_usage(directory)
    free_mib = usage.free // (1024 * 1024)
    share = usage.free / usage.total if usage.total else 0.0
    text = f"{free_mib} MiB free ({share:.0%}) on the filesystem of {directory}"
    if usage.free < DISK_FAIL_BYTES:
        return [Finding(FAIL, "disk", f"{text}: records and recordings will fail; free space")]
    if usage.free < DISK_WARN_BYTES or share < 0.10:
        return [Finding(WARN, "disk", f"{text}: delete old recordings or backups soon")]
    return [Finding(OK, "disk", text)]


def check_clock(now_s: float | None = None) -> list[Finding]:
    now_s = time.time() if now_s is None else now_s
    year = time.gmtime(now_s).tm_year
    findings = []
    if year < EARLIEST_SANE_YEAR:
        findings.append(
            Finding(
                FAIL,
                "clock",
                f"the clock says {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(now_s))}:"
                " call records get wrong dates. Connect the box to a network with NTP or fit"
                " an RTC battery",
            )
        )
    else:
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(now_s))
        findings.append(Finding(OK, "clock", f"{stamp}"))
    synchronised = _ntp_synchronised()
    if synchronised is None:
        findings.append(Finding(WARN, "clock", "cannot tell whether NTP is synchronised here"))
    elif synchronised:
        findings.append(Finding(OK, "clock", "synchronised by NTP"))
    else:
        findings.append(
            Finding(
                WARN,
                "clock",
                "not synchronised by NTP; check the network (timedatectl timesync-status)",
            )
        )
    return findings


def _ntp_synchronised() -> bool | None:
    if shutil.which("timedatectl") is None or not Path("/run/systemd/system").is_dir():
        return None
    result = subprocess.run(
        ["timedatectl", "show", "--property=NTPSynchronized", "--value"],
        capture_output=True,
        text=True,
        timeout=5,
        check=False,
    )
    value = result.stdout.strip()
    if result.returncode != 0 or value not in ("yes", "no"):
        return None
    return value == "yes"


def check_service() -> list[Finding]:
    """The systemd unit's state; nothing when systemd is not running (containers, PCs)."""
    if shutil.which("systemctl") is None or not Path("/run/systemd/system").is_dir():
        return []
    result = subprocess.run(
        ["systemctl", "show", "depotline.service", "--property=ActiveState,SubState,Result"],
        capture_output=True,
        text=True,
        timeout=5,
        check=False,
    )
    state = dict(line.partition("=")[::2] for line in result.stdout.splitlines())
    active = state.get("ActiveState", "unknown")
    if active == "active":
        return [Finding(OK, "service", f"depotline.service is running ({state.get('SubState')})")]
    return [
        Finding(
            WARN if active == "inactive" else FAIL,
            "service",
            f"depotline.service is {active} (result {state.get('Result', '?')}); see"
            " `journalctl -u depotline -b`",
        )
    ]
