"""The stack light, its buzzer and the desk panels' state LEDs on GPIO pins (`Lamp`).

State LED patterns (on, off seconds): ready steady on; ringing fast blink 0.125/0.125 (4 Hz);
on call mostly on, dark 0.25 s every 2 s; wrap-up slow blink 0.5/0.5 (1 Hz); paused a short
flash 0.1 s every 2 s; logged out dark.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from drivers.gpio.backend import GpioError, load_gpio
from drivers.gpio.stack_light import crossed_upward
from drivers.roles import (
    Clock,
    DeviceFaulted,
    DeviceStatusSink,
    PositionLampState,
    StackLight,
)

log = logging.getLogger(__name__)

# (on_s, off_s); off_s 0 = steady on, on_s 0 = dark.
LED_PATTERNS: dict[PositionLampState, tuple[float, float]] = {
    PositionLampState.OFF: (0.0, 1.0),
    PositionLampState.READY: (1.0, 0.0),
    PositionLampState.RINGING: (0.125, 0.125),
    PositionLampState.ON_CALL: (1.75, 0.25),
    PositionLampState.WRAP_UP: (0.5, 0.5),
    PositionLampState.PAUSED: (0.1, 1.9),
}
TICK_S = 0.02


def led_lit(state: PositionLampState, since_s: float, now_s: float) -> bool:
    on_s, off_s = LED_PATTERNS[state]
    if off_s == 0.0:
        return True
    if on_s == 0.0:
        return False
    return (now_s - since_s) % (on_s + off_s) < on_s


class GpioLamp:
    def __init__(
        self,
        *,
        green_pin: int | None = None,
        amber_pin: int | None = None,
        red_pin: int | None = None,
        buzzer_pin: int | None = None,
        led_pins: dict[str, int] | None = None,
        buzz_s: float = 0.3,
        active_high: bool = True,
        gpio: Any = None,
        clock: Clock = time.monotonic,
    ) -> None:
        self._stack_pins = {StackLight.GREEN: green_pin, StackLight.AMBER: amber_pin,
                            StackLight.RED: red_pin}  # fmt: skip
        self.buzzer_pin = buzzer_pin
        self.led_pins = dict(led_pins or {})
        self.buzz_s = buzz_s
        self.active_high = active_high
        self._gpio = gpio
        self._clock = clock
        self.colour = StackLight.OFF
        self._buzz_until_s: float | None = None
        self._leds: dict[str, tuple[PositionLampState, float]] = {}
        self._levels: dict[int, bool] = {}
        self._set_up = False
        self.unavailable = ""

    def _ensure_set_up(self) -> bool:
        """Sets the pins up once; False (and `unavailable` says why) without a GPIO library."""
        if self._set_up:
            return True
        if self.unavailable:
            return False
        try:
            if self._gpio is None:
                self._gpio = load_gpio()
        except GpioError as error:
            log.error("%s", error)
            self.unavailable = str(error)
            return False
        gpio = self._gpio
        if not self._set_up:
            gpio.setwarnings(False)
            gpio.setmode(gpio.BCM)
            for pin in self._all_pins():
                gpio.setup(pin, gpio.OUT, initial=self._electrical(False))
                self._levels[pin] = False
            self._set_up = True
        return True

    def _all_pins(self) -> list[int]:
        pins = [pin for pin in self._stack_pins.values() if pin is not None]
        if self.buzzer_pin is not None:
            pins.append(self.buzzer_pin)
        return pins + list(self.led_pins.values())

    def _electrical(self, lit: bool) -> int:
        return int(lit == self.active_high)

    def _write(self, pin: int | None, lit: bool) -> None:
        if pin is None or self._levels.get(pin) == lit:
            return
        self._levels[pin] = lit
        self._gpio.output(pin, self._electrical(lit))

    async def run(self, report: DeviceStatusSink) -> None:
        if not self._ensure_set_up():
            report(DeviceFaulted(time.time(), "lamp", self.unavailable))
            await asyncio.Event().wait()  # the pins do not come back by themselves
        try:
            while True:
                self.tick(self._clock())
                await asyncio.sleep(TICK_S)
        finally:
            self.all_off()

    async def set_stack_light(self, colour: StackLight, buzz: bool) -> None:
        """`buzz`: the buzzer is wanted; it sounds for `buzz_s` when the light gets worse."""
        if not self._ensure_set_up():
            return
        now_s = self._clock()
        if buzz and crossed_upward(self.colour, colour):
            self._buzz_until_s = now_s + self.buzz_s
        self.colour = colour
        self.tick(now_s)

    async def set_position_lamp(self, position: str, state: PositionLampState) -> None:
        if not self._ensure_set_up():
            return
        if position not in self.led_pins:
            return  # a position without a desk panel
        current = self._leds.get(position)
        if current is None or current[0] is not state:
            self._leds[position] = (state, self._clock())
        self.tick(self._clock())

    def tick(self, now_s: float) -> None:
        """Brings every pin to what it should show at `now_s` (blinking, buzzer end)."""
        for colour, pin in self._stack_pins.items():
            self._write(pin, colour is self.colour)
        buzzing = self._buzz_until_s is not None and now_s < self._buzz_until_s
        if not buzzing:
            self._buzz_until_s = None
        self._write(self.buzzer_pin, buzzing)
        for position, pin in self.led_pins.items():
            state, since_s = self._leds.get(position, (PositionLampState.OFF, 0.0))
            self._write(pin, led_lit(state, since_s, now_s))

    def all_off(self) -> None:
        if not self._set_up:
            return
        for pin in self._all_pins():
            self._write(pin, False)
