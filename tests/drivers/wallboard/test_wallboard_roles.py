"""The devices play the roles the shell drives."""

from drivers.gpio.buttons import GpioButtons
from drivers.gpio.lamp import GpioLamp
from drivers.gpio.sim import SimGpio
from drivers.roles import ButtonPanel, Display, Lamp
from drivers.wallboard.alpha import AlphaSign
from drivers.wallboard.board import LedBoard


def test_board_and_sign_are_displays() -> None:
    assert isinstance(LedBoard("/dev/depotline/board0"), Display)
    assert isinstance(AlphaSign("/dev/ttyUSB0", serial_format="7E2"), Display)


def test_gpio_devices_are_a_lamp_and_a_button_panel() -> None:
    gpio = SimGpio()
    assert isinstance(GpioLamp(green_pin=17, gpio=gpio), Lamp)
    assert isinstance(GpioButtons({"pos1": 5}, gpio=gpio), ButtonPanel)
