"""Builds the GPIO devices from the `[gpio]` settings: one `Lamp` (stack light, buzzer, desk
LEDs) and one `ButtonPanel` (the desk buttons), sharing one RPi.GPIO module."""

from __future__ import annotations

import time
from typing import Any

from drivers.gpio.backend import GpioError, load_gpio
from drivers.gpio.buttons import GpioButtons
from drivers.gpio.lamp import GpioLamp
from drivers.roles import Clock


def build_gpio_devices(
    *,
    stack_light: dict[str, int] | None = None,
    buzzer: int | None = None,
    panels: list[tuple[str, int, int]] | None = None,
    buzz_s: float = 0.3,
    debounce_s: float = 0.03,
    long_press_s: float = 2.0,
    gpio: Any = None,
    clock: Clock = time.time,
) -> tuple[GpioLamp, GpioButtons]:
    """`stack_light`: {"green": pin, "amber": pin, "red": pin} (any may be missing);
    `panels`: (position, button pin, LED pin) per desk. `gpio`: None = RPi.GPIO (or
    rpi-lgpio), or a `drivers.gpio.sim.SimGpio`."""
    if gpio is None:
        try:
            gpio = load_gpio()
        except GpioError:
            gpio = None  # each device reports the fault from its run()
    lights = stack_light or {}
    desks = panels or []
    lamp = GpioLamp(
        green_pin=lights.get("green"),
        amber_pin=lights.get("amber"),
        red_pin=lights.get("red"),
        buzzer_pin=buzzer,
        led_pins={position: led for position, _, led in desks},
        buzz_s=buzz_s,
        gpio=gpio,
        clock=clock,
    )
    buttons = GpioButtons(
        {position: button for position, button, _ in desks},
        debounce_s=debounce_s,
        long_press_s=long_press_s,
        gpio=gpio,
        clock=clock,
    )
    return lamp, buttons
