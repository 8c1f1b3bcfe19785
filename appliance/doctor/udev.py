"""Writes the per-port udev rules that give each plugged-in modem, wallboard board and sign a
short stable name (/dev/depotline/fxo0 …) by USB port path, keeping the names already given."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from appliance.doctor.usb import LINK_PREFIX, SerialDevice

RULES_PATH = Path("/etc/udev/rules.d/98-depotline-ports.rules")

_RULE_PORT = re.compile(r'KERNELS=="(?P<port>[^"]+)"')
_RULE_LINK = re.compile(r'SYMLINK\+="depotline/(?P<name>[^"]+)"')
_HEADER = """\
# Written by `depotline doctor udev-rules --write`: one line per USB port that had a depotline
# device plugged in. Names stay with the port: plug each device back into the same socket.
# Edit the names freely (the config refers to them); the generator keeps existing lines.
"""


def existing_names(text: str) -> dict[str, str]:
    """USB port path → link name, from a rules file written earlier."""
    names: dict[str, str] = {}
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        port, link = _RULE_PORT.search(line), _RULE_LINK.search(line)
        if port and link:
            names[port["port"]] = link["name"]
    return names


def rule_line(device: SerialDevice, name: str) -> str:
    return (
        f'SUBSYSTEM=="tty", KERNELS=="{device.usb_interface}", '
        f'ATTRS{{idVendor}}=="{device.vendor_id}", ATTRS{{idProduct}}=="{device.product_id}", '
        f'GROUP="dialout", MODE="0660", ENV{{ID_MM_DEVICE_IGNORE}}="1", '
        f'SYMLINK+="depotline/{name}"'
    )


def _port_order(device: SerialDevice) -> list[int]:
    # 1-1.10:1.0 after 1-1.9:1.0: compare the numbers, not the text
    return [int(part) for part in re.split(r"[-.:]", device.usb_interface) if part.isdigit()]


def generate(devices: Iterable[SerialDevice], existing_text: str = "") -> str:
    """The rules file: existing ports keep their names, new ones get the lowest free number of
    their kind (fxo, board, sign) in port order. Unknown devices get no line."""
    known = existing_names(existing_text)
    header_lines = set(_HEADER.splitlines())
    lines = [
        line for line in existing_text.splitlines() if line.strip() and line not in header_lines
    ]
    taken = set(known.values())
    for device in sorted(devices, key=_port_order):
        prefix = LINK_PREFIX.get(device.kind)
        if prefix is None or not device.usb_interface or device.usb_interface in known:
            continue
        number = 0
        while f"{prefix}{number}" in taken:
            number += 1
        name = f"{prefix}{number}"
        taken.add(name)
        known[device.usb_interface] = name
        lines.append(f"# {device.model} ({device.usb_id}) on USB port {device.usb_interface}")
        lines.append(rule_line(device, name))
    return _HEADER + "\n".join(lines) + ("\n" if lines else "")
