"""The GPIO devices' run loops: presses reach the shell; a missing GPIO library is a fault."""

import asyncio
import importlib.util

import pytest

from drivers.gpio.buttons import GpioButtons
from drivers.gpio.lamp import GpioLamp
from drivers.gpio.sim import SimGpio
from drivers.roles import ButtonPressed, DeviceFaulted, DeviceStatus, StackLight


def test_button_presses_reach_the_shell_through_run() -> None:
    async def main() -> list[ButtonPressed]:
        gpio = SimGpio()
        buttons = GpioButtons({"pos1": 5}, gpio=gpio, clock=gpio.clock)
        pressed: list[ButtonPressed] = []
        got_one = asyncio.Event()

        def emit(press: ButtonPressed) -> None:
            pressed.append(press)
            got_one.set()

        task = asyncio.create_task(buttons.run(emit, lambda status: None))
        await asyncio.sleep(0)
        gpio.press(5)
        gpio.advance(0.1)
        await asyncio.sleep(0.03)
        gpio.release(5)
        gpio.advance(0.1)
        async with asyncio.timeout(2):
            await got_one.wait()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return pressed

    assert [(p.position, p.long_press) for p in asyncio.run(main())] == [("pos1", False)]


def test_lamp_run_turns_everything_off_when_stopped() -> None:
    async def main() -> SimGpio:
        gpio = SimGpio()
        lamp = GpioLamp(green_pin=17, red_pin=22, gpio=gpio, clock=gpio.clock)
        task = asyncio.create_task(lamp.run(lambda status: None))
        await asyncio.sleep(0)  # let it start
        await lamp.set_stack_light(StackLight.GREEN, buzz=False)
        assert gpio.levels[17] == 1
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return gpio

    assert asyncio.run(main()).levels[17] == 0


@pytest.mark.skipif(
    importlib.util.find_spec("RPi") is not None, reason="RPi.GPIO is installed here"
)
def test_missing_gpio_library_is_reported_as_a_panel_fault_that_says_what_to_install() -> None:
    async def main() -> list[DeviceStatus]:
        reports: list[DeviceStatus] = []
        buttons = GpioButtons({"pos1": 5})
        task = asyncio.create_task(buttons.run(lambda press: None, reports.append))
        async with asyncio.timeout(2):
            while not reports:
                await asyncio.sleep(0.01)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return reports

    reports = asyncio.run(main())
    assert isinstance(reports[0], DeviceFaulted) and reports[0].device == "panel"
    assert "rpi-lgpio" in reports[0].reason


@pytest.mark.skipif(
    importlib.util.find_spec("RPi") is not None, reason="RPi.GPIO is installed here"
)
def test_lamp_without_gpio_library_reports_once_and_ignores_commands() -> None:
    async def main() -> list[DeviceStatus]:
        reports: list[DeviceStatus] = []
        lamp = GpioLamp(green_pin=17)
        await lamp.set_stack_light(StackLight.RED, buzz=True)  # no exception for the shell
        task = asyncio.create_task(lamp.run(reports.append))
        async with asyncio.timeout(2):
            while not reports:
                await asyncio.sleep(0.01)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return reports

    reports = asyncio.run(main())
    assert len(reports) == 1
    assert isinstance(reports[0], DeviceFaulted) and reports[0].device == "lamp"


def test_simulated_gpio_can_follow_a_real_clock_for_the_demo() -> None:
    ticks = iter([10.0, 10.5, 11.0])
    gpio = SimGpio(clock=lambda: next(ticks))
    gpio.setmode(gpio.BCM)
    gpio.setup(17, gpio.OUT)
    gpio.output(17, 1)
    assert [(c.time_s, c.level) for c in gpio.changes_of(17)] == [(10.0, 1)]
    with pytest.raises(RuntimeError):
        gpio.advance(1.0)


def test_gpio_devices_built_from_settings_share_one_gpio_module() -> None:
    from drivers.gpio.panel import build_gpio_devices

    gpio = SimGpio()
    lamp, buttons = build_gpio_devices(
        stack_light={"green": 17, "amber": 27, "red": 22},
        buzzer=23,
        panels=[("pos1", 5, 6), ("pos2", 13, 19)],
        gpio=gpio,
        clock=gpio.clock,
    )
    asyncio.run(lamp.set_stack_light(StackLight.AMBER, buzz=False))
    buttons.start()
    assert gpio.levels[27] == 1 and gpio.levels[17] == 0
    assert lamp.led_pins == {"pos1": 6, "pos2": 19}
    assert buttons.button_pins == {"pos1": 5, "pos2": 13}
    assert gpio.directions[13] == gpio.IN and gpio.directions[19] == gpio.OUT
