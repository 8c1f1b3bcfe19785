"""Alpha sign packets byte for byte against PyPI alphasignpy, checksums worked by hand, and the
sign driver against a simulated sign over a pty with real pyserial."""

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from alphasign.commands.special import WriteSpecialFunction
from alphasign.commands.string_file import WriteString
from alphasign.commands.text import WriteText
from alphasign.packet import Packet
from alphasign.protocol import DisplayMode, DisplayPosition, FileProtection, FileType

from drivers.roles import AlertLevel, DeviceFaulted, DeviceRestored, DeviceStatus, WallboardFigures
from drivers.wallboard import alpha
from drivers.wallboard import alpha_frames as af
from drivers.wallboard.alpha_sim import SimulatedSign


def reference(command: object) -> bytes:
    """alphasignpy's packet, without the 0xFF timing marker it puts after STX."""
    packet = Packet(type_code=b"Z", address="00")
    packet.add(command)  # type: ignore[arg-type]
    raw = packet.to_bytes()
    assert raw.count(b"\x02\xff") == 1
    return raw.replace(b"\x02\xff", b"\x02")


def test_checksum_of_string_a_5_worked_by_hand() -> None:
    # STX 02 + 'G' 47 + 'a' 61 + '5' 35 + ETX 03 = 0xE2
    assert af.checksum(b"Ga5") == b"00E2"
    assert af.packet([af.write_string("a", b"5")]) == bytes.fromhex(
        "00 00 00 00 00 01 5A 30 30 02 47 61 35 03 30 30 45 32 04"
    )


def test_checksum_of_text_a_hello_worked_by_hand() -> None:
    # 02 + 41 'A' + 41 'A' + 1B + 30 '0' + 62 'b' + 48 45 4C 4C 4F "HELLO" + 03
    total = 0x02 + 0x41 + 0x41 + 0x1B + 0x30 + 0x62 + 0x48 + 0x45 + 0x4C + 0x4C + 0x4F + 0x03
    assert total == 680 == 0x2A8
    assert af.checksum(b"AA\x1b0bHELLO") == b"02A8"


def test_checksum_wraps_at_16_bits() -> None:
    data = b"G" + b"a" + bytes([0xFF]) * 300
    assert af.checksum(data) == b"%04X" % ((2 + sum(data) + 3) % 65536)


@pytest.mark.parametrize("label,data", [("a", b"5"), ("t", b"STORM WARNING"), ("h", b"\x1c112")])
def test_write_string_matches_alphasignpy(label: str, data: bytes) -> None:
    assert af.packet([af.write_string(label, data)]) == reference(WriteString(data, label=label))


def test_write_text_layout_matches_alphasignpy() -> None:
    body = af.text_page(b"WAIT " + af.call_string("a"), mode=af.MODE_HOLD)
    ours = af.packet([af.write_text("A", body)])
    theirs = reference(
        WriteText(
            b"WAIT \x10a", label="A", position=DisplayPosition.TOP_LINE, mode=DisplayMode.HOLD
        )
    )
    # alphasignpy calls 0x30 TOP_LINE; in the protocol 0x30 is FILL. The bytes are the point.
    assert DisplayPosition.TOP_LINE.value == af.POSITION_FILL
    assert ours == theirs


def test_memory_configuration_matches_alphasignpy() -> None:
    ours = af.packet([af.configure_memory([af.TextFile("A", 0x100), af.StringFile("a", 12)])])
    theirs = reference(
        WriteSpecialFunction.configure_memory(
            [
                {"label": "A", "type": FileType.TEXT, "size": 0x100},
                {"label": "a", "type": FileType.STRING, "size": 12,
                 "protection": FileProtection.LOCKED},
            ]
        )
    )  # fmt: skip
    assert ours == theirs


def test_parse_refuses_a_bad_checksum() -> None:
    raw = bytearray(af.packet([af.write_string("a", b"5")]))
    raw[-2] = ord("3")
    with pytest.raises(af.AlphaFrameError):
        af.parse_packet(bytes(raw))


def test_strings_colour_each_figure_by_its_alert_level() -> None:
    strings = alpha.strings_for(
        WallboardFigures(
            calls_waiting=7,
            longest_wait_s=95,
            service_level=None,
            levels=(("calls_waiting", AlertLevel.ALARM), ("longest_wait_s", AlertLevel.WARNING)),
        )
    )
    assert strings["a"] == af.RED + b"7"
    assert strings["b"] == af.AMBER + b"1:35"
    assert strings["f"] == af.GREEN + b"-"


@pytest.mark.parametrize("serial_format,settings", [
    ("8N1", (8, "N", 1)), ("7E1", (7, "E", 1)), ("7E2", (7, "E", 2)),
])  # fmt: skip
def test_serial_format_maps_to_pyserial_settings(
    serial_format: str, settings: tuple[int, str, int]
) -> None:
    got = alpha.serial_settings(serial_format)
    assert (got["bytesize"], got["parity"], got["stopbits"]) == settings


def test_unknown_serial_format_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="7E1"):
        alpha.AlphaSign("/dev/null", serial_format="9X9")


async def until(condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s")
        await asyncio.sleep(0.01)


def run_with_sign(tmp_path: Path, scenario: Callable, serial_format: str = "8N1") -> None:
    async def main() -> None:
        sign = SimulatedSign(str(tmp_path / "sign0"))
        sign.start()
        driver = alpha.AlphaSign(
            sign.path,
            serial_format=serial_format,
            check_every_s=0.3,
            answer_timeout_s=1.0,
            first_retry_s=0.05,
            max_retry_s=0.2,
        )
        reports: list[DeviceStatus] = []
        task = asyncio.create_task(driver.run(reports.append))
        try:
            await scenario(sign, driver, reports)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            sign.stop()

    asyncio.run(main())


def test_sign_shows_figures_and_updates_only_strings(tmp_path: Path) -> None:
    async def scenario(sign: SimulatedSign, driver: alpha.AlphaSign, reports: list) -> None:
        await driver.show(WallboardFigures(calls_waiting=3, longest_wait_s=65, service_level=0.8))
        await until(
            lambda: (
                sign.shown()[:2]
                == ["WAIT 3 LONG 1:05 IDLE 0 TALK 0", "PAUSE 0 SL 80% ANS 0 ABAN 0"]
            )
        )
        await until(driver.ready.is_set)
        before = len(sign.packets)
        await driver.show(WallboardFigures(calls_waiting=4, longest_wait_s=65, service_level=0.8))
        assert await driver.flush(timeout_s=2.0)  # written to the port
        await until(lambda: sign.shown()[:1] == ["WAIT 4 LONG 1:05 IDLE 0 TALK 0"])
        later = sign.packets[before:]
        codes = {command.code for packet in later for command in packet.commands}
        assert af.WRITE_TEXT not in codes and af.WRITE_SPECIAL not in codes
        assert sign.bad_packets == 0
        assert reports == []

    run_with_sign(tmp_path, scenario)


def test_sign_in_7e1_gets_its_layout(tmp_path: Path) -> None:
    async def scenario(sign: SimulatedSign, driver: alpha.AlphaSign, reports: list) -> None:
        await driver.show(WallboardFigures(calls_waiting=2))
        await until(lambda: sign.shown()[:1] == ["WAIT 2 LONG 0:00 IDLE 0 TALK 0"])

    run_with_sign(tmp_path, scenario, serial_format="7E1")


def test_sign_not_answering_is_a_fault_and_recovers_by_itself(tmp_path: Path) -> None:
    async def scenario(sign: SimulatedSign, driver: alpha.AlphaSign, reports: list) -> None:
        await driver.show(WallboardFigures(calls_waiting=1))
        await until(driver.ready.is_set)
        sign.answering = False
        await until(lambda: len(reports) == 1)
        assert isinstance(reports[0], DeviceFaulted)
        assert reports[0].device == "sign" and "does not answer" in reports[0].reason
        sign.answering = True
        await until(lambda: len(reports) == 2)
        assert isinstance(reports[1], DeviceRestored)

    run_with_sign(tmp_path, scenario)


def test_sign_that_lost_its_memory_gets_the_layout_again(tmp_path: Path) -> None:
    async def scenario(sign: SimulatedSign, driver: alpha.AlphaSign, reports: list) -> None:
        await driver.show(WallboardFigures(calls_waiting=8))
        await until(lambda: sign.shown()[:1] == ["WAIT 8 LONG 0:00 IDLE 0 TALK 0"])
        sign.power_cut()
        assert sign.shown() == []
        await until(lambda: sign.shown()[:1] == ["WAIT 8 LONG 0:00 IDLE 0 TALK 0"])

    run_with_sign(tmp_path, scenario)
