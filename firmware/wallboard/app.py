"""The firmware's main loop: receive frames from the Pi, ack them, keep the figures, redraw.

Shows NO DATA whenever the Pi has been silent for `no_data_after_s` (or has sent no figures
since it said hello), so a supervisor never reads stale figures.
"""

from . import protocol as p
from .display import Panel
from .hal import Hal
from .render import Canvas, Screen


class Wallboard:
    def __init__(
        self, hal: Hal, display: Panel, no_data_after_s: int = 10, language: str = "both"
    ) -> None:
        self.hal = hal
        self.display = display
        self.screen = Screen(display.width, display.height, display.colour, language)
        self.canvas = Canvas(display.width, display.height)
        self.reader = p.FrameReader()
        self.no_data_ms = no_data_after_s * 1000
        self.expected_seq = 0
        self.send_seq = 0
        self.figures: dict = {}
        self.ticker = ""
        self.figures_version = 0
        self.have_figures = False
        self.last_heard_ms: int | None = None
        # Pages and blinking count from when the figures came (back), so page one comes first.
        self.fresh_since_ms: int | None = None
        self.showing: tuple | None = None
        self.running = True

    def announce(self) -> None:
        """At boot: tell a listening Pi that this board starts from nothing."""
        self._send(p.hello_reply(self.display.width, self.display.height))

    def poll(self) -> bool:
        """One turn of the main loop; False once the Pi asked for the REPL."""
        data = self.hal.serial_read()
        if data:
            for seq, payload in self.reader.feed(data):
                self._received(seq, payload)
        self._redraw_if_needed()
        self.display.refresh()
        return self.running

    def stale(self) -> bool:
        if self.last_heard_ms is None or not self.have_figures:
            return True
        return self.hal.ticks_diff(self.hal.ticks_ms(), self.last_heard_ms) >= self.no_data_ms

    def _received(self, seq: int, payload: bytes) -> None:
        self.last_heard_ms = self.hal.ticks_ms()
        if not payload:
            return  # the Pi does not ack the board's few messages; it re-asks instead
        if seq != self.expected_seq:
            # Lost, duplicated or out of order: drop it and say which frame comes next.
            self._ack()
            return
        self.expected_seq = (seq + 1) & p.SEQ_MASK
        self._ack()
        self._handle(payload)

    def _handle(self, payload: bytes) -> None:
        kind = payload[0]
        if kind == p.MSG_HELLO and len(payload) == 3:
            self.no_data_ms = payload[2] * 1000
            # A fresh start on the Pi: it sends every field again next.
            self.have_figures = False
            self._send(p.hello_reply(self.display.width, self.display.height))
        elif kind == p.MSG_FIGURES:
            try:
                entries = p.decode_figures(payload)
            except (IndexError, ValueError):
                return  # a bug on the Pi's side; the CRC was good, the content was not
            for field, level, value in entries:
                if field == p.F_TICKER:
                    self.ticker = value.decode()
                else:
                    self.figures[field] = (level, value)
            self.have_figures = True
            self.figures_version += 1
        elif kind == p.MSG_REPL:
            self.running = False

    def _ack(self) -> None:
        self.hal.serial_write(p.encode_frame(self.expected_seq, b""))

    def _send(self, payload: bytes) -> None:
        self.hal.serial_write(p.encode_frame(self.send_seq, payload))
        self.send_seq = (self.send_seq + 1) & p.SEQ_MASK

    def _redraw_if_needed(self) -> None:
        now_ms = self.hal.ticks_ms()
        stale = self.stale()
        if stale:
            self.fresh_since_ms = None
        elif self.fresh_since_ms is None:
            self.fresh_since_ms = now_ms
        shown_ms = (
            0 if self.fresh_since_ms is None else self.hal.ticks_diff(now_ms, self.fresh_since_ms)
        )
        if stale:
            key: tuple = ("no data",)
        elif self.figures.get(p.F_CLOSED, (0, 0))[1]:
            key = ("closed",)
        else:
            key = self.screen.frame_key(self.figures_version, self.ticker, shown_ms)
        if key == self.showing:
            return
        self.showing = key
        if key[0] == "no data":
            self.screen.draw_no_data(self.canvas)
        elif key[0] == "closed":
            self.screen.draw_closed(self.canvas)
        else:
            self.screen.draw_figures(self.canvas, self.figures, self.ticker, shown_ms)
        self.display.show(self.canvas)


def run_forever(hal: Hal, board: Wallboard) -> None:
    """The main loop. A bug must not leave old figures lit: show NO DATA and restart."""
    try:
        while board.poll():
            hal.sleep_ms(1)
    except Exception as error:  # any bug at all, on a board nobody watches
        board.screen.draw_no_data(board.canvas)
        board.display.show(board.canvas)
        hal.reset(error)
    hal.release()


def main() -> None:
    """Entry point on the board (`main.py` calls it)."""
    from . import config, display
    from .hal import PicoHal

    hal = PicoHal(config.SPI_ID, config.SPI_SCK, config.SPI_MOSI, config.SPI_CS)
    panel: display.Panel
    if config.BACKEND == "hub75":
        panel = display.Hub75Panel(hal, config.HUB75_PINS, config.HUB75_WIDTH, config.HUB75_HEIGHT)
    else:
        panel = display.Max7219Chain(
            hal, config.MAX7219_MODULES_WIDE, config.MAX7219_MODULES_HIGH, config.MAX7219_BRIGHTNESS
        )
    board = Wallboard(hal, panel, config.NO_DATA_AFTER_S, config.LANGUAGE)
    board.announce()
    run_forever(hal, board)
