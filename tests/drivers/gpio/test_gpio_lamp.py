"""Stack light, buzzer and desk LEDs on the simulated RPi.GPIO, on virtual time."""

import asyncio
import itertools

import pytest

from drivers.gpio.lamp import GpioLamp
from drivers.gpio.sim import SimGpio
from drivers.roles import PositionLampState, StackLight

GREEN, AMBER, RED, BUZZER, LED1, LED2 = 17, 27, 22, 23, 6, 13


def make_lamp(gpio: SimGpio, **kwargs: object) -> GpioLamp:
    return GpioLamp(
        green_pin=GREEN,
        amber_pin=AMBER,
        red_pin=RED,
        buzzer_pin=BUZZER,
        led_pins={"pos1": LED1, "pos2": LED2},
        gpio=gpio,
        clock=gpio.clock,
        **kwargs,  # type: ignore[arg-type]
    )


def lit(gpio: SimGpio) -> set[int]:
    return {pin for pin, level in gpio.levels.items() if level}


def run_for(lamp: GpioLamp, gpio: SimGpio, seconds: float, step_s: float = 0.01) -> None:
    for _ in range(round(seconds / step_s)):
        gpio.advance(step_s)
        lamp.tick(gpio.now_s)


def test_stack_light_shows_one_colour_at_a_time() -> None:
    gpio = SimGpio()
    lamp = make_lamp(gpio)
    asyncio.run(lamp.set_stack_light(StackLight.GREEN, buzz=False))
    assert lit(gpio) == {GREEN}
    asyncio.run(lamp.set_stack_light(StackLight.RED, buzz=False))
    assert lit(gpio) == {RED}
    asyncio.run(lamp.set_stack_light(StackLight.OFF, buzz=False))
    assert lit(gpio) == set()


def test_buzzer_sounds_briefly_when_the_light_gets_worse() -> None:
    gpio = SimGpio()
    lamp = make_lamp(gpio, buzz_s=0.3)
    asyncio.run(lamp.set_stack_light(StackLight.GREEN, buzz=True))
    assert gpio.changes_of(BUZZER) == []  # switching on does not buzz
    asyncio.run(lamp.set_stack_light(StackLight.AMBER, buzz=True))
    start = gpio.now_s
    run_for(lamp, gpio, 1.0)
    assert [(round(c.time_s - start, 2), c.level) for c in gpio.changes_of(BUZZER)] == [
        (0.0, 1),
        (0.3, 0),
    ]


def test_buzzer_stays_quiet_when_the_light_gets_better_or_buzz_is_off() -> None:
    gpio = SimGpio()
    lamp = make_lamp(gpio)
    asyncio.run(lamp.set_stack_light(StackLight.RED, buzz=True))
    asyncio.run(lamp.set_stack_light(StackLight.AMBER, buzz=True))
    asyncio.run(lamp.set_stack_light(StackLight.GREEN, buzz=True))
    asyncio.run(lamp.set_stack_light(StackLight.RED, buzz=False))
    run_for(lamp, gpio, 1.0)
    assert gpio.changes_of(BUZZER) == []


def blink_intervals(gpio: SimGpio, pin: int, start_s: float) -> list[tuple[int, float]]:
    changes = [c for c in gpio.changes_of(pin) if c.time_s >= start_s]
    return [
        (first.level, round(second.time_s - first.time_s, 2))
        for first, second in itertools.pairwise(changes)
    ]


@pytest.mark.parametrize(
    "state,on_s,off_s",
    [
        (PositionLampState.RINGING, 0.13, 0.12),  # 0.125 s on, 0.125 s off at a 10 ms tick
        (PositionLampState.WRAP_UP, 0.5, 0.5),
        (PositionLampState.ON_CALL, 1.75, 0.25),
        (PositionLampState.PAUSED, 0.1, 1.9),
    ],
)
def test_desk_led_blink_rates(state: PositionLampState, on_s: float, off_s: float) -> None:
    gpio = SimGpio()
    lamp = make_lamp(gpio)
    start = gpio.now_s
    asyncio.run(lamp.set_position_lamp("pos1", state))
    run_for(lamp, gpio, 6.0)
    intervals = blink_intervals(gpio, LED1, start)[:6]
    on = {duration for level, duration in intervals if level == 1}
    off = {duration for level, duration in intervals if level == 0}
    assert max(on) == pytest.approx(on_s, abs=0.015)
    assert max(off) == pytest.approx(off_s, abs=0.015)
    assert gpio.changes_of(LED2) == []  # the other position's LED stays dark


def test_ready_led_is_steady_and_logged_out_is_dark() -> None:
    gpio = SimGpio()
    lamp = make_lamp(gpio)
    asyncio.run(lamp.set_position_lamp("pos1", PositionLampState.READY))
    run_for(lamp, gpio, 3.0)
    assert [c.level for c in gpio.changes_of(LED1)] == [1]
    asyncio.run(lamp.set_position_lamp("pos1", PositionLampState.OFF))
    run_for(lamp, gpio, 3.0)
    assert [c.level for c in gpio.changes_of(LED1)] == [1, 0]


def test_ringing_starts_lit_at_once() -> None:
    gpio = SimGpio()
    lamp = make_lamp(gpio)
    asyncio.run(lamp.set_position_lamp("pos1", PositionLampState.RINGING))
    assert gpio.levels[LED1] == 1


def test_active_low_wiring_inverts_every_pin() -> None:
    gpio = SimGpio()
    lamp = make_lamp(gpio, active_high=False)
    asyncio.run(lamp.set_stack_light(StackLight.GREEN, buzz=False))
    assert gpio.levels[GREEN] == 0 and gpio.levels[RED] == 1 and gpio.levels[BUZZER] == 1


def test_position_without_a_panel_is_ignored() -> None:
    gpio = SimGpio()
    lamp = make_lamp(gpio)
    asyncio.run(lamp.set_position_lamp("pos9", PositionLampState.RINGING))
    assert lit(gpio) == set()
