"""A simulated LED wallboard: the real firmware (firmware/wallboard) on its fake HAL, on the
master side of a pty, in a thread. `path` is where the driver opens it; `unplug()` and
`plug_in()` act out a USB replug (the board restarts). Demo mode and tests use it.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import tty

from firmware.wallboard import glyphs
from firmware.wallboard.app import Wallboard
from firmware.wallboard.display import Max7219Chain, Panel
from firmware.wallboard.fake_hal import FakeHal
from firmware.wallboard.render import Canvas


class _RecordingColourPanel(Panel):
    """A colour panel of any size that keeps what it was last shown (HUB75 stand-in)."""

    colour = True

    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.height = height

    def show(self, canvas: Canvas) -> None:
        pass


class SimulatedBoard:
    def __init__(
        self,
        path: str,
        *,
        modules_wide: int = 16,
        modules_high: int = 4,
        colour: bool = False,
        no_data_after_s: int = 10,
        language: str = "both",
    ) -> None:
        self.path = path
        self.modules_wide = modules_wide
        self.modules_high = modules_high
        self.colour = colour
        self.no_data_after_s = no_data_after_s
        self.language = language
        self.lock = threading.Lock()
        self.hal = FakeHal()
        self.firmware: Wallboard | None = None
        self.boots = 0
        self._master: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.plug_in()
        self._thread = threading.Thread(target=self._loop, name="simulated-wallboard", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.unplug()

    def plug_in(self) -> None:
        """A board (re)starts from nothing on a new pty; `path` points at it."""
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo of the board's frames back to itself before the Pi opens it
        slave_name = os.ttyname(slave)
        os.close(slave)
        os.set_blocking(master, False)
        with self.lock:
            self._master = master
            self.hal.serial_fd = master
            if self.colour:
                panel: Panel = _RecordingColourPanel(self.modules_wide * 8, self.modules_high * 8)
            else:
                panel = Max7219Chain(self.hal, self.modules_wide, self.modules_high)
            self.firmware = Wallboard(self.hal, panel, self.no_data_after_s, self.language)
            self.boots += 1
            self.firmware.announce()
        temporary = f"{self.path}.{os.getpid()}.tmp"
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        os.symlink(slave_name, temporary)
        os.replace(temporary, self.path)

    def restart(self) -> None:
        """The firmware restarts (a soft reset) while the USB link stays up."""
        with self.lock:
            assert self.firmware is not None, "plug the board in first"
            self.firmware = Wallboard(
                self.hal, self.firmware.display, self.no_data_after_s, self.language
            )
            self.boots += 1
            self.firmware.announce()

    def unplug(self) -> None:
        with self.lock:
            if self._master is not None:
                os.close(self._master)
            self._master = None
            self.hal.serial_fd = None
            self.firmware = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            with self.lock:
                if self.firmware is not None:
                    self.firmware.poll()
            time.sleep(0.001)

    def frame_buffer(self) -> Canvas | None:
        """A copy of what the LEDs show now (None while unplugged)."""
        with self.lock:
            if self.firmware is None:
                return None
            source = self.firmware.canvas
            canvas = Canvas(source.width, source.height)
            canvas.pixels[:] = source.pixels
            return canvas

    def screen_lines(self) -> list[str]:
        canvas = self.frame_buffer()
        return [] if canvas is None else read_text(canvas)


def _glyph_rows() -> list[tuple[str, int, tuple[int, ...]]]:
    shapes = []
    for point, bitmap_hex in glyphs.GLYPHS.items():
        width = len(bitmap_hex) // 4
        digits = width // 4
        rows = tuple(int(bitmap_hex[i : i + digits], 16) for i in range(0, len(bitmap_hex), digits))
        if any(rows):
            shapes.append((chr(point), width, rows))
    shapes.sort(key=lambda shape: -shape[1])  # wide glyphs first
    return shapes


_SHAPES = _glyph_rows()


def read_text(canvas: Canvas) -> list[str]:
    """Reads the text on the LEDs back, one string a 16-pixel row: what a supervisor sees.

    Runs of four or more dark columns read as one space.
    """
    width = canvas.width
    bits = []
    for y in range(canvas.height):
        row = 0
        for x in range(width):
            row = (row << 1) | (1 if canvas.get(x, y) else 0)
        bits.append(row)
    lines = []
    for top in range(0, canvas.height - 15, 16):
        band = bits[top : top + 16]
        text = ""
        dark_run = 0
        x = 0
        while x < width:
            found = None
            for char, glyph_width, rows in _SHAPES:
                if x + glyph_width > width:
                    continue
                shift = width - x - glyph_width
                mask = (1 << glyph_width) - 1
                if all(((band[r] >> shift) & mask) == rows[r] for r in range(16)):
                    found = (char, glyph_width)
                    break
            if found is not None:
                if dark_run >= 4 and text:
                    text += " "
                text += found[0]
                dark_run = 0
                x += found[1]
            else:
                if not any((row >> (width - 1 - x)) & 1 for row in band):
                    dark_run += 1
                x += 1
        lines.append(text)
    return lines
