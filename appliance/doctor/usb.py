"""Serial devices and their USB identities, read from sysfs (/sys/class/tty/*/device), and what
depotline makes of them: a voice modem, the wallboard board, a sign adapter, or unknown."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# (vendor, product) → (kind, model). Kinds name the /dev/depotline/<kind-prefix>N links.
KNOWN_DEVICES: dict[tuple[str, str], tuple[str, str]] = {
    ("0baf", "0303"): ("modem", "USRobotics USR5637 voice modem"),
    ("0572", "1340"): ("modem", "Conexant CX93010 voice modem"),
    ("0572", "1349"): ("modem", "Conexant CX93010 voice modem"),
    ("2e8a", "0005"): ("board", "Raspberry Pi RP2040 (MicroPython) wallboard board"),
    ("0403", "6001"): ("sign", "FTDI FT232R USB-serial adapter (LED sign)"),
    ("067b", "2303"): ("sign", "Prolific PL2303 USB-serial adapter (LED sign)"),
}
# The names the config file refers to: /dev/depotline/fxo0, board0, sign0.
LINK_PREFIX = {"modem": "fxo", "board": "board", "sign": "sign"}

# A USB interface directory in sysfs: <bus>-<port>[.<port>…]:<config>.<interface>
_INTERFACE = re.compile(r"^\d+-[\d.]+:\d+\.\d+$")


@dataclass(frozen=True, slots=True)
class SerialDevice:
    tty: str  # ttyACM0
    usb_interface: str  # 1-1.2:1.0, the port path udev matches with KERNELS==; "" if not USB
    vendor_id: str = ""
    product_id: str = ""
    manufacturer: str = ""
    product: str = ""
    serial: str = ""

    @property
    def dev_path(self) -> str:
        return f"/dev/{self.tty}"

    @property
    def kind(self) -> str:
        return KNOWN_DEVICES.get((self.vendor_id, self.product_id), ("unknown", ""))[0]

    @property
    def model(self) -> str:
        known = KNOWN_DEVICES.get((self.vendor_id, self.product_id))
        if known:
            return known[1]
        return " ".join(part for part in (self.manufacturer, self.product) if part) or "unknown"

    @property
    def usb_id(self) -> str:
        return f"{self.vendor_id}:{self.product_id}" if self.vendor_id else ""


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""


def _usb_interface(device: Path) -> Path | None:
    """The USB interface directory above a tty's device (ttyACM: the device itself; ttyUSB:
    its usb-serial port's parent)."""
    for candidate in (device, *device.parents):
        if _INTERFACE.match(candidate.name) and (candidate.parent / "idVendor").is_file():
            return candidate
    return None


def serial_devices(sysfs: Path = Path("/sys")) -> list[SerialDevice]:
    """USB serial ports and the Pi's own UARTs (ttyAMA*), sorted by name; virtual consoles and
    the phantom legacy ttyS ports without a USB parent are left out."""
    found: list[SerialDevice] = []
    tty_class = sysfs / "class" / "tty"
    if not tty_class.is_dir():
        return found
    for entry in sorted(tty_class.iterdir()):
        device_link = entry / "device"
        if not device_link.exists():
            continue
        interface = _usb_interface(device_link.resolve())
        if interface is None:
            if entry.name.startswith("ttyAMA"):
                found.append(SerialDevice(entry.name, ""))
            continue
        usb_device = interface.parent
        found.append(
            SerialDevice(
                tty=entry.name,
                usb_interface=interface.name,
                vendor_id=_read(usb_device / "idVendor").lower(),
                product_id=_read(usb_device / "idProduct").lower(),
                manufacturer=_read(usb_device / "manufacturer"),
                product=_read(usb_device / "product"),
                serial=_read(usb_device / "serial"),
            )
        )
    return found


def udev_properties(
    device: SerialDevice, sysfs: Path = Path("/sys"), udev_db: Path = Path("/run/udev/data")
) -> dict[str, str]:
    """The properties udev stored for the device (E: lines of its database entry), if any."""
    major_minor = _read(sysfs / "class" / "tty" / device.tty / "dev")
    properties: dict[str, str] = {}
    if not major_minor:
        return properties
    text = _read(udev_db / f"c{major_minor}")
    for line in text.splitlines():
        if line.startswith("E:") and "=" in line:
            key, _, value = line[2:].partition("=")
            properties[key] = value
    return properties
