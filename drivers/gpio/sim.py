"""A simulated RPi.GPIO module: same calls and constants, virtual time, pin levels, edge
callbacks, and a record of every output change (stack light, buzzer, desk LEDs).

Pass an instance as `gpio=` and its `clock` as `clock=` to the GPIO devices. Tests move virtual
time with `advance`; the demo gives it a real clock instead (`SimGpio(clock=time.monotonic)`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PinChange:
    time_s: float
    pin: int
    level: int


class SimGpio:
    BCM = 11
    BOARD = 10
    OUT = 0
    IN = 1
    LOW = 0
    HIGH = 1
    PUD_OFF = 20
    PUD_DOWN = 21
    PUD_UP = 22
    RISING = 31
    FALLING = 32
    BOTH = 33

    def __init__(
        self, start_s: float = 1_000_000.0, clock: Callable[[], float] | None = None
    ) -> None:
        self._virtual_s = start_s
        self._real_clock = clock
        self.mode: int | None = None
        self.directions: dict[int, int] = {}
        self.levels: dict[int, int] = {}
        self.changes: list[PinChange] = []
        self._callbacks: dict[int, tuple[int, Callable[[int], None]]] = {}

    # --- the RPi.GPIO API -------------------------------------------------------------------
    def setwarnings(self, flag: bool) -> None:
        pass

    def setmode(self, mode: int) -> None:
        if self.mode is not None and self.mode != mode:
            raise ValueError("A different mode has already been set!")
        self.mode = mode

    def getmode(self) -> int | None:
        return self.mode

    def setup(self, channel: int, direction: int, pull_up_down: int = PUD_OFF,
              initial: int = -1) -> None:  # fmt: skip
        if self.mode is None:
            raise RuntimeError("Please set pin numbering mode using GPIO.setmode()")
        self.directions[channel] = direction
        if direction == self.OUT:
            # The level at set-up is where the record starts, not a change.
            self.levels[channel] = 0 if initial == -1 else initial
        else:
            self.levels[channel] = self.HIGH if pull_up_down == self.PUD_UP else self.LOW

    def output(self, channel: int, value: int) -> None:
        if self.directions.get(channel) != self.OUT:
            raise RuntimeError("The GPIO channel has not been set up as an OUTPUT")
        self._set_output(channel, int(bool(value)))

    def input(self, channel: int) -> int:
        if channel not in self.directions:
            raise RuntimeError("You must setup() the GPIO channel first")
        return self.levels[channel]

    def add_event_detect(self, channel: int, edge: int, callback: Callable[[int], None] | None
                         = None, bouncetime: int | None = None) -> None:  # fmt: skip
        if self.directions.get(channel) != self.IN:
            raise RuntimeError("You must setup() the GPIO channel as an input first")
        if callback is not None:
            self._callbacks[channel] = (edge, callback)

    def remove_event_detect(self, channel: int) -> None:
        self._callbacks.pop(channel, None)

    def cleanup(self, channel: int | None = None) -> None:
        for pin in [channel] if channel is not None else list(self.directions):
            self.directions.pop(pin, None)
            self._callbacks.pop(pin, None)

    # --- the simulation ---------------------------------------------------------------------
    @property
    def now_s(self) -> float:
        return self._real_clock() if self._real_clock is not None else self._virtual_s

    def clock(self) -> float:
        return self.now_s

    def advance(self, seconds: float) -> None:
        if self._real_clock is not None:
            raise RuntimeError("this simulated GPIO follows a real clock")
        self._virtual_s += seconds

    def _set_output(self, channel: int, level: int) -> None:
        if self.levels.get(channel) != level:
            self.levels[channel] = level
            self.changes.append(PinChange(self.now_s, channel, level))

    def drive(self, channel: int, level: int) -> None:
        """The outside world sets an input pin; edge callbacks run (as on RPi.GPIO's thread)."""
        before = self.levels.get(channel)
        self.levels[channel] = level
        if before == level or channel not in self._callbacks:
            return
        edge, callback = self._callbacks[channel]
        rising = level == self.HIGH
        if edge == self.BOTH or (edge == self.RISING) == rising:
            callback(channel)

    def press(self, channel: int) -> None:
        self.drive(channel, self.LOW)

    def release(self, channel: int) -> None:
        self.drive(channel, self.HIGH)

    def changes_of(self, channel: int) -> list[PinChange]:
        return [change for change in self.changes if change.pin == channel]
