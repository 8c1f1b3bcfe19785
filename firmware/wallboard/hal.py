"""The little the firmware needs from the board: time, USB serial, SPI, pins (MicroPython).

`fake_hal.FakeHal` offers the same methods under CPython for tests.
"""


class Hal:
    """What the firmware calls; `PicoHal` on the board, `fake_hal.FakeHal` in tests."""

    def ticks_ms(self) -> int:
        raise NotImplementedError

    def ticks_diff(self, later: int, earlier: int) -> int:
        raise NotImplementedError

    def sleep_ms(self, ms: int) -> None:
        raise NotImplementedError

    def serial_read(self) -> bytes:
        raise NotImplementedError

    def serial_write(self, data: bytes) -> None:
        raise NotImplementedError

    def spi_write(self, data: bytes) -> None:
        raise NotImplementedError

    def pin_write(self, pin: int, level: int) -> None:
        raise NotImplementedError

    def release(self) -> None:
        raise NotImplementedError

    def reset(self, error: Exception) -> None:
        """Restart the board after a bug (`error`)."""
        raise NotImplementedError


class PicoHal(Hal):
    """Raspberry Pi Pico: USB CDC serial through stdin/stdout, SPI0 for the MAX7219 chain."""

    def __init__(self, spi_id: int = 0, sck: int = 18, mosi: int = 19, cs: int = 17) -> None:
        import select
        import sys

        import machine
        import micropython

        # Frames carry any byte, 0x03 included: Ctrl-C must not stop the firmware. A REPL
        # message from the Pi (before flashing) gives the keyboard interrupt back.
        micropython.kbd_intr(-1)
        # MicroPython's time (ticks_ms, ticks_diff, sleep_ms); looked up so mypy, which knows
        # only CPython's time, takes it as Any.
        self._time = __import__("time")
        self._stdin = sys.stdin.buffer
        self._stdout = sys.stdout.buffer
        self._poll = select.poll()
        self._poll.register(sys.stdin, select.POLLIN)
        self._machine = machine
        self._spi = machine.SPI(
            spi_id, baudrate=10_000_000, sck=machine.Pin(sck), mosi=machine.Pin(mosi)
        )
        self._cs = machine.Pin(cs, machine.Pin.OUT, value=1)
        self._pins: dict = {}

    def ticks_ms(self) -> int:
        return self._time.ticks_ms()

    def ticks_diff(self, later: int, earlier: int) -> int:
        return self._time.ticks_diff(later, earlier)

    def sleep_ms(self, ms: int) -> None:
        self._time.sleep_ms(ms)

    def serial_read(self) -> bytes:
        data = bytearray()
        while len(data) < 256 and self._poll.poll(0):
            data.extend(self._stdin.read(1))
        return bytes(data)

    def serial_write(self, data: bytes) -> None:
        self._stdout.write(data)

    def spi_write(self, data: bytes) -> None:
        self._cs.value(0)
        self._spi.write(data)
        self._cs.value(1)

    def pin_write(self, pin: int, level: int) -> None:
        if pin not in self._pins:
            self._pins[pin] = self._machine.Pin(pin, self._machine.Pin.OUT)
        self._pins[pin].value(level)

    def release(self) -> None:
        import micropython

        micropython.kbd_intr(3)

    def reset(self, error: Exception) -> None:
        import sys

        sys.print_exception(error)  # type: ignore[attr-defined]  # MicroPython only
        self._time.sleep_ms(2000)
        self._machine.reset()
