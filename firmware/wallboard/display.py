"""LED back ends: a chain of MAX7219 8×8 modules (one colour) and a HUB75 RGB panel.

MAX7219 chain: module 0 is nearest the Pico, top-left; the chain runs left to right, row by row.
"""

from .hal import Hal
from .render import AMBER, GREEN, RED, WHITE, Canvas


class Panel:
    """An LED display the firmware draws on."""

    width = 0
    height = 0
    colour = False

    def show(self, canvas: Canvas) -> None:
        raise NotImplementedError

    def refresh(self) -> None:
        """Called every turn of the main loop, for panels that must be scanned."""


_MAX7219_DECODE_MODE = 0x09
_MAX7219_INTENSITY = 0x0A
_MAX7219_SCAN_LIMIT = 0x0B
_MAX7219_SHUTDOWN = 0x0C
_MAX7219_DISPLAY_TEST = 0x0F


class Max7219Chain(Panel):
    colour = False

    def __init__(self, hal: Hal, modules_wide: int, modules_high: int, brightness: int = 4) -> None:
        self.hal = hal
        self.modules_wide = modules_wide
        self.modules_high = modules_high
        self.width = modules_wide * 8
        self.height = modules_high * 8
        for register, value in (
            (_MAX7219_DISPLAY_TEST, 0),
            (_MAX7219_SCAN_LIMIT, 7),
            (_MAX7219_DECODE_MODE, 0),
            (_MAX7219_INTENSITY, brightness & 0x0F),
            (_MAX7219_SHUTDOWN, 1),
        ):
            self._write_all(register, value)

    def _write_all(self, register: int, value: int) -> None:
        count = self.modules_wide * self.modules_high
        self.hal.spi_write(bytes([register, value] * count))

    def show(self, canvas: Canvas) -> None:
        count = self.modules_wide * self.modules_high
        for row in range(8):
            data = bytearray(2 * count)
            # The first bytes shifted in end up in the module farthest down the chain.
            for position in range(count):
                module = count - 1 - position
                x0 = (module % self.modules_wide) * 8
                y = (module // self.modules_wide) * 8 + row
                bits = 0
                for column in range(8):
                    if canvas.get(x0 + column, y):
                        bits |= 0x80 >> column
                data[2 * position] = row + 1
                data[2 * position + 1] = bits
            self.hal.spi_write(bytes(data))

    def refresh(self) -> None:
        """The MAX7219s hold the picture themselves."""


_HUB75_RGB = {GREEN: (0, 1, 0), AMBER: (1, 1, 0), RED: (1, 0, 0), WHITE: (1, 1, 1)}


class Hub75Panel(Panel):
    """A 1/16-scan HUB75 panel (64×32), scanned from the main loop one row pair a call.

    `pins`: r1 g1 b1 r2 g2 b2 a b c d clk lat oe (GPIO numbers).
    """

    colour = True

    def __init__(self, hal: Hal, pins: dict, width: int = 64, height: int = 32) -> None:
        self.hal = hal
        self.pins = pins
        self.width = width
        self.height = height
        self._rows: list = [[] for _ in range(height // 2)]
        self._next_row = 0

    def show(self, canvas: Canvas) -> None:
        half = self.height // 2
        for row in range(half):
            columns = []
            for x in range(self.width):
                top = _HUB75_RGB.get(canvas.get(x, row), (0, 0, 0))
                bottom = _HUB75_RGB.get(canvas.get(x, row + half), (0, 0, 0))
                columns.append(top + bottom)
            self._rows[row] = columns

    def refresh(self) -> None:
        pins = self.pins
        write = self.hal.pin_write
        row = self._next_row
        for r1, g1, b1, r2, g2, b2 in self._rows[row]:
            write(pins["r1"], r1)
            write(pins["g1"], g1)
            write(pins["b1"], b1)
            write(pins["r2"], r2)
            write(pins["g2"], g2)
            write(pins["b2"], b2)
            write(pins["clk"], 1)
            write(pins["clk"], 0)
        write(pins["oe"], 1)
        for bit, name in enumerate(("a", "b", "c", "d")):
            write(pins[name], (row >> bit) & 1)
        write(pins["lat"], 1)
        write(pins["lat"], 0)
        write(pins["oe"], 0)
        self._next_row = (row + 1) % len(self._rows)
