"""Runs the firmware's protocol, link receiver and renderer on a scripted byte stream and prints
every frame, ack and frame buffer as hex. Must run unchanged under CPython and MicroPython:
tests/firmware/test_firmware_micropython.py compares the two outputs byte for byte."""

from wallboard import protocol as p
from wallboard.app import Wallboard
from wallboard.display import Max7219Chain, Panel
from wallboard.render import Canvas, Screen


class ScriptedHal:
    def __init__(self) -> None:
        self.now_ms = 5000
        self.incoming = bytearray()
        self.outgoing = bytearray()
        self.spi = []

    def ticks_ms(self) -> int:
        return self.now_ms

    def ticks_diff(self, later: int, earlier: int) -> int:
        return later - earlier

    def serial_read(self) -> bytes:
        data = bytes(self.incoming)
        self.incoming = bytearray()
        return data

    def serial_write(self, data: bytes) -> None:
        self.outgoing.extend(data)

    def spi_write(self, data: bytes) -> None:
        self.spi.append(bytes(data))

    def pin_write(self, pin: int, level: int) -> None:
        pass


class ColourPanel(Panel):
    colour = True
    width = 64
    height = 32

    def show(self, canvas: Canvas) -> None:
        pass


def hexed(data: bytes) -> str:
    # Not .hex(): MicroPython's gives b'' for an empty bytearray.
    return "".join(f"{byte:02x}" for byte in data)


def packed(canvas: Canvas) -> str:
    out = bytearray()
    for start in range(0, len(canvas.pixels), 8):
        byte = 0
        for bit in range(8):
            if canvas.pixels[start + bit]:
                byte |= 0x80 >> bit
        out.append(byte)
    return hexed(out)


print("crc", p.crc16(b"123456789"), p.crc16(bytes(range(256))), p.crc16(b""))
for value in (0, 1, -1, 95, 96, -32, -33, 4000, -5000, 100000, 2147483647, -2147483648):
    out = bytearray()
    p.encode_vlq(value, out)
    print("vlq", value, hexed(out), p.decode_vlq(bytes(out), 0)[0])

figures = bytes([p.MSG_FIGURES])
for field, level, value in (
    (p.F_WAITING, p.LEVEL_ALARM, 7),
    (p.F_LONGEST_WAIT_S, p.LEVEL_WARNING, 754),
    (p.F_READY, 0, 3),
    (p.F_SERVICE_LEVEL, 0, 853),
    (p.F_ABANDONED, 1, 12),
    (p.F_TICKER, 0, "暴雨 STORM".encode()),
):
    figures += p.encode_field(field, level, value)
frames = [
    p.encode_frame(0, p.hello_request(4)),
    p.encode_frame(1, figures),
    p.encode_frame(1, figures),  # duplicate
    p.encode_frame(9, bytes([p.MSG_HEARTBEAT])),  # out of order
    b"\x00\xffgarbage\x7e",
    p.encode_frame(2, bytes([p.MSG_HEARTBEAT])),
]
corrupt = bytearray(p.encode_frame(3, bytes([p.MSG_HEARTBEAT])))
corrupt[2] ^= 0x40
frames.append(bytes(corrupt))
for frame in frames:
    print("frame", hexed(frame))

hal = ScriptedHal()
board = Wallboard(hal, Max7219Chain(hal, 8, 4), no_data_after_s=10)
board.announce()
board.poll()
print("boot", hexed(hal.outgoing), packed(board.canvas))
for index, frame in enumerate(frames):
    hal.outgoing = bytearray()
    # Split each frame across two reads, as USB delivers them.
    hal.incoming.extend(frame[:3])
    board.poll()
    hal.incoming.extend(frame[3:])
    hal.now_ms += 10
    board.poll()
    print("step", index, hexed(hal.outgoing), packed(board.canvas))
for offset_ms in (200, 600, 1000, 4100, 8200, 12300, 16400, 20500):
    hal.now_ms = 5070 + offset_ms
    hal.incoming.extend(p.encode_frame(board.expected_seq, bytes([p.MSG_HEARTBEAT])))
    board.poll()
    print("at", offset_ms, packed(board.canvas))
hal.now_ms += 4000
board.poll()
print("silent", packed(board.canvas))
print("crc errors", board.reader.crc_errors, "garbage", board.reader.garbage_bytes)
print("spi", len(hal.spi), hexed(hal.spi[0]), hexed(hal.spi[-1]))

screen = Screen(64, 32, True, "zh")
canvas = Canvas(64, 32)
state = {}
for field, level, value in p.decode_figures(figures):
    if field != p.F_TICKER:
        state[field] = (level, value)
for at_ms in (0, 4000, 8000, 30000):
    screen.draw_figures(canvas, state, "STORM", at_ms)
    print("colour", at_ms, hexed(canvas.pixels))
