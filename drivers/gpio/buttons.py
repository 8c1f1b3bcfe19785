"""The desk panels' Ready/Pause buttons on GPIO (`ButtonPanel`): debounced, a long press
means log out. Buttons switch the pin to ground (internal pull-up): pressed reads low."""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from typing import Any

from drivers.gpio.backend import GpioError, load_gpio
from drivers.roles import ButtonPressed, ButtonSink, Clock, DeviceFaulted, DeviceStatusSink

log = logging.getLogger(__name__)

TICK_S = 0.01


class Debouncer:
    """One button's presses from its raw edges (pure): a level counts once it held for
    `debounce_s`; released before `long_press_s` → a press (at release); held that long →
    a long press at once, and its release is not a press."""

    def __init__(self, debounce_s: float, long_press_s: float) -> None:
        self.debounce_s = debounce_s
        self.long_press_s = long_press_s
        self.raw_pressed = False
        self.raw_since_s = 0.0
        self.pressed = False
        self.pressed_at_s = 0.0
        self.long_sent = False

    def edge(self, pressed: bool, at_s: float) -> list[tuple[float, bool]]:
        presses = self.settle(at_s)
        if pressed != self.raw_pressed:
            self.raw_pressed = pressed
            self.raw_since_s = at_s
        return presses

    def settle(self, now_s: float) -> list[tuple[float, bool]]:
        """(time_s, long_press) for every press decided by `now_s`."""
        presses: list[tuple[float, bool]] = []
        if self.raw_pressed != self.pressed and now_s - self.raw_since_s >= self.debounce_s:
            self.pressed = self.raw_pressed
            if self.pressed:
                self.pressed_at_s = self.raw_since_s
                self.long_sent = False
            elif not self.long_sent:
                presses.append((self.raw_since_s, False))
        if self.pressed and not self.long_sent and now_s - self.pressed_at_s >= self.long_press_s:
            self.long_sent = True
            presses.append((self.pressed_at_s + self.long_press_s, True))
        return presses


class GpioButtons:
    def __init__(
        self,
        button_pins: dict[str, int],
        *,
        debounce_s: float = 0.03,
        long_press_s: float = 2.0,
        gpio: Any = None,
        clock: Clock = time.time,
    ) -> None:
        self.button_pins = dict(button_pins)
        self.debounce_s = debounce_s
        self.long_press_s = long_press_s
        self._gpio = gpio
        self._clock = clock
        self._debouncers = {
            position: Debouncer(debounce_s, long_press_s) for position in self.button_pins
        }
        # Filled from the GPIO library's callback thread, emptied on the loop.
        self._edges: collections.deque[tuple[str, bool, float]] = collections.deque()

    def start(self) -> None:
        """Sets the pins up and starts listening for edges."""
        if self._gpio is None:
            self._gpio = load_gpio()
        gpio = self._gpio
        gpio.setwarnings(False)
        gpio.setmode(gpio.BCM)
        for position, pin in self.button_pins.items():
            gpio.setup(pin, gpio.IN, pull_up_down=gpio.PUD_UP)
            gpio.add_event_detect(pin, gpio.BOTH, callback=self._edge_callback(position))

    def _edge_callback(self, position: str) -> Any:
        pin = self.button_pins[position]

        def on_edge(_channel: int) -> None:
            pressed = self._gpio.input(pin) == self._gpio.LOW
            self._edges.append((position, pressed, self._clock()))

        return on_edge

    def stop(self) -> None:
        for pin in self.button_pins.values():
            self._gpio.remove_event_detect(pin)

    def tick(self, now_s: float) -> list[ButtonPressed]:
        presses: list[ButtonPressed] = []
        while self._edges:
            position, pressed, at_s = self._edges.popleft()
            for time_s, long_press in self._debouncers[position].edge(pressed, at_s):
                presses.append(ButtonPressed(time_s, position, long_press))
        for position, debouncer in self._debouncers.items():
            for time_s, long_press in debouncer.settle(now_s):
                presses.append(ButtonPressed(time_s, position, long_press))
        return presses

    async def run(self, emit: ButtonSink, report: DeviceStatusSink) -> None:
        try:
            self.start()
        except GpioError as error:
            log.error("%s", error)
            report(DeviceFaulted(self._clock(), "panel", str(error)))
            await asyncio.Event().wait()  # the pins do not come back by themselves
        try:
            while True:
                for press in self.tick(self._clock()):
                    emit(press)
                await asyncio.sleep(TICK_S)
        finally:
            self.stop()
