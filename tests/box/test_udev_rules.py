"""The udev rules: every line parses as udev syntax, every depotline device gets a name under
/dev/depotline/ and is kept from ModemManager, and the per-port generator keeps names stable."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from appliance.doctor import udev, usb

FakeSysfs = Callable[[list[tuple[str, str, str, str]]], Path]

RULES = Path(__file__).resolve().parents[2] / "systemd" / "99-depotline.rules"

_PAIR = re.compile(
    r'\s*(?P<key>[A-Z_]+(?:\{[^}]+\})?)\s*(?P<op>==|!=|\+=|-=|:=|=)\s*"(?P<value>[^"]*)"\s*'
)
MATCH_KEYS = {"ACTION", "SUBSYSTEM", "SUBSYSTEMS", "KERNEL", "KERNELS", "ATTRS", "ATTR", "ENV"}
ASSIGN_KEYS = {"GROUP", "MODE", "SYMLINK", "GOTO", "LABEL", "ENV", "ATTR", "OWNER", "TAG"}


def parse_rule(line: str) -> list[tuple[str, str, str]]:
    """(key, operator, value) for each pair of one rule line; fails on anything else."""
    pairs, position = [], 0
    while position < len(line):
        found = _PAIR.match(line, position)
        assert found, f"not udev syntax at column {position}: {line!r}"
        pairs.append((found["key"], found["op"], found["value"]))
        position = found.end()
        if position < len(line):
            assert line[position - 1] == "," or line[position] == ",", line
            position += line[position] == ","
    for key, op, _ in pairs:
        base = key.split("{")[0]
        if op in ("==", "!="):
            assert base in MATCH_KEYS, f"{key} cannot be matched: {line!r}"
        else:
            assert base in ASSIGN_KEYS, f"{key} cannot be assigned: {line!r}"
    return pairs


def rule_lines(text: str) -> list[list[tuple[str, str, str]]]:
    return [
        parse_rule(line.strip())
        for line in text.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def test_static_rules_parse_and_every_goto_has_its_label() -> None:
    rules = rule_lines(RULES.read_text())
    labels = {value for rule in rules for key, _, value in rule if key == "LABEL"}
    gotos = {value for rule in rules for key, _, value in rule if key == "GOTO"}
    assert gotos and gotos <= labels


def test_static_rules_name_every_known_device_and_keep_modemmanager_off() -> None:
    rules = rule_lines(RULES.read_text())
    covered = set()
    for rule in rules:
        pairs = {(key, op): value for key, op, value in rule}
        vendor = pairs.get(("ATTRS{idVendor}", "=="))
        if vendor is None:
            continue
        product = pairs[("ATTRS{idProduct}", "==")]
        covered.add((vendor, product))
        assert pairs[("SYMLINK", "+=")].startswith("depotline/"), rule
        assert pairs[("ENV{ID_MM_DEVICE_IGNORE}", "=")] == "1", rule
        assert pairs[("GROUP", "=")] == "dialout", rule
        assert pairs[("MODE", "=")] == "0660", rule
    assert covered == set(usb.KNOWN_DEVICES)


def test_static_rules_give_gpio_chips_to_the_gpio_group() -> None:
    rules = rule_lines(RULES.read_text())
    gpio = [
        dict(((key, op), value) for key, op, value in rule)
        for rule in rules
        if ("SUBSYSTEM", "==", "gpio") in rule
    ]
    assert gpio == [
        {
            ("SUBSYSTEM", "=="): "gpio",
            ("KERNEL", "=="): "gpiochip*",
            ("GROUP", "="): "gpio",
            ("MODE", "="): "0660",
        }
    ]


def test_sysfs_scan_finds_usb_serial_devices_with_their_port_and_ids(
    fake_sysfs: FakeSysfs,
) -> None:
    sysfs = fake_sysfs(
        [
            ("ttyACM0", "1-1.2", "0572", "1340"),
            ("ttyUSB0", "1-1.4", "0403", "6001"),
            ("ttyACM1", "1-1.3", "2e8a", "0005"),
        ]
    )
    found = {device.tty: device for device in usb.serial_devices(sysfs)}
    assert sorted(found) == ["ttyACM0", "ttyACM1", "ttyUSB0"]  # not tty1, not ttyS0
    assert found["ttyACM0"].usb_interface == "1-1.2:1.0"
    assert found["ttyACM0"].kind == "modem"
    assert found["ttyUSB0"].usb_interface == "1-1.4:1.0"
    assert found["ttyUSB0"].kind == "sign"
    assert found["ttyACM1"].kind == "board"
    assert found["ttyACM1"].usb_id == "2e8a:0005"


def test_generated_rules_name_devices_by_port_in_port_order(fake_sysfs: FakeSysfs) -> None:
    sysfs = fake_sysfs(
        [
            ("ttyACM1", "1-1.10", "0572", "1349"),
            ("ttyACM0", "1-1.2", "0baf", "0303"),
            ("ttyACM2", "1-1.3", "2e8a", "0005"),
            ("ttyUSB0", "1-1.4", "067b", "2303"),
            ("ttyUSB1", "1-1.5", "1a86", "7523"),  # CH340: not a depotline device, no line
        ]
    )
    text = udev.generate(usb.serial_devices(sysfs))
    rules = rule_lines(text)
    names = {}
    for rule in rules:
        pairs = {(key, op): value for key, op, value in rule}
        assert pairs[("ENV{ID_MM_DEVICE_IGNORE}", "=")] == "1"
        assert pairs[("GROUP", "=")] == "dialout"
        names[pairs[("KERNELS", "==")]] = pairs[("SYMLINK", "+=")]
    assert names == {
        "1-1.2:1.0": "depotline/fxo0",
        "1-1.10:1.0": "depotline/fxo1",  # port 10 after port 2
        "1-1.3:1.0": "depotline/board0",
        "1-1.4:1.0": "depotline/sign0",
    }


def test_regenerating_keeps_existing_names_and_numbers_new_ports_after_them(
    fake_sysfs: FakeSysfs,
) -> None:
    first = udev.generate(usb.serial_devices(fake_sysfs([("ttyACM0", "1-1.3", "0572", "1340")])))
    assert 'KERNELS=="1-1.3:1.0"' in first and 'SYMLINK+="depotline/fxo0"' in first
    # a second modem goes into a lower-numbered port; the first keeps fxo0
    both = fake_sysfs([("ttyACM1", "1-1.2", "0572", "1340")])
    second = udev.generate(usb.serial_devices(both), first)
    names = udev.existing_names(second)
    assert names == {"1-1.3:1.0": "fxo0", "1-1.2:1.0": "fxo1"}
    assert second.count("# Written by") == 1
    # unchanged devices: the file does not change
    assert udev.generate(usb.serial_devices(both), second) == second
