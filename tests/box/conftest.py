"""Fixtures for the box tests: a fake sysfs tree shaped like a Raspberry Pi's with USB serial
devices plugged into given ports."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

FakeSysfs = Callable[[list[tuple[str, str, str, str]]], Path]


def _link(link: Path, target: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(os.path.relpath(target, link.parent))


@pytest.fixture
def fake_sysfs(tmp_path: Path) -> FakeSysfs:
    """Builds /sys/class/tty the way the kernel lays it out: a CDC ACM tty sits under its USB
    interface; a usb-serial tty (FTDI, PL2303) under a port device below the interface.
    Each device is (tty, usb port path like "1-1.2", vendor id, product id); calling it again
    plugs more devices into the same tree."""

    def build(devices: list[tuple[str, str, str, str]]) -> Path:
        sysfs = tmp_path / "sys"
        hub = sysfs / "devices/platform/scb/fd500000.pcie/pci0000:00/0000:01:00.0/usb1"
        for number, (tty, port, vendor, product) in enumerate(devices):
            usb_device = hub / port
            usb_device.mkdir(parents=True, exist_ok=True)
            (usb_device / "idVendor").write_text(vendor + "\n")
            (usb_device / "idProduct").write_text(product + "\n")
            (usb_device / "manufacturer").write_text("Maker\n")
            (usb_device / "product").write_text("Gadget\n")
            (usb_device / "serial").write_text("0000001\n")
            interface = usb_device / f"{port}:1.0"
            parent = interface / tty if tty.startswith("ttyUSB") else interface
            node = parent / "tty" / tty
            node.mkdir(parents=True)
            (node / "dev").write_text(f"188:{number}\n")
            _link(node / "device", parent)
            _link(sysfs / "class/tty" / tty, node)
        # a virtual console and a legacy 8250 port: not devices depotline cares about
        if (sysfs / "class/tty/tty1").is_symlink():
            return sysfs  # built before: `devices` were plugged in on top
        console = sysfs / "devices/virtual/tty/tty1"
        console.mkdir(parents=True)
        _link(sysfs / "class/tty/tty1", console)
        legacy = sysfs / "devices/platform/serial8250/tty/ttyS0"
        legacy.mkdir(parents=True)
        _link(legacy / "device", sysfs / "devices/platform/serial8250")
        _link(sysfs / "class/tty/ttyS0", legacy)
        return sysfs

    return build
