"""Desk panel buttons on the simulated RPi.GPIO: debounce, short press, long press = log out."""

from drivers.gpio.buttons import GpioButtons
from drivers.gpio.sim import SimGpio
from drivers.roles import ButtonPressed

BUTTON1, BUTTON2 = 5, 12


def make_buttons(gpio: SimGpio) -> GpioButtons:
    buttons = GpioButtons(
        {"pos1": BUTTON1, "pos2": BUTTON2},
        debounce_s=0.03,
        long_press_s=2.0,
        gpio=gpio,
        clock=gpio.clock,
    )
    buttons.start()
    return buttons


def step(buttons: GpioButtons, gpio: SimGpio, seconds: float) -> list[ButtonPressed]:
    presses = []
    for _ in range(round(seconds / 0.005)):
        gpio.advance(0.005)
        presses += buttons.tick(gpio.now_s)
    return presses


def test_button_pins_are_inputs_with_pull_ups_and_idle_high() -> None:
    gpio = SimGpio()
    make_buttons(gpio)
    assert gpio.directions[BUTTON1] == gpio.IN
    assert gpio.input(BUTTON1) == gpio.HIGH


def test_short_press_is_one_press_at_release() -> None:
    gpio = SimGpio()
    buttons = make_buttons(gpio)
    gpio.press(BUTTON1)
    assert step(buttons, gpio, 0.2) == []
    gpio.release(BUTTON1)
    released_at = gpio.now_s
    presses = step(buttons, gpio, 0.2)
    assert presses == [ButtonPressed(released_at, "pos1", long_press=False)]


def test_contact_bounce_counts_as_one_press() -> None:
    gpio = SimGpio()
    buttons = make_buttons(gpio)
    presses = []
    for _ in range(5):  # 5 ms bounces on pressing
        gpio.press(BUTTON1)
        presses += step(buttons, gpio, 0.005)
        gpio.release(BUTTON1)
        presses += step(buttons, gpio, 0.005)
    gpio.press(BUTTON1)
    presses += step(buttons, gpio, 0.3)
    for _ in range(3):  # and on releasing
        gpio.release(BUTTON1)
        presses += step(buttons, gpio, 0.005)
        gpio.press(BUTTON1)
        presses += step(buttons, gpio, 0.005)
    gpio.release(BUTTON1)
    presses += step(buttons, gpio, 0.3)
    assert [(p.position, p.long_press) for p in presses] == [("pos1", False)]


def test_glitch_shorter_than_debounce_is_no_press() -> None:
    gpio = SimGpio()
    buttons = make_buttons(gpio)
    gpio.press(BUTTON2)
    presses = step(buttons, gpio, 0.01)
    gpio.release(BUTTON2)
    presses += step(buttons, gpio, 0.5)
    assert presses == []


def test_long_press_logs_out_at_two_seconds_and_its_release_is_no_press() -> None:
    gpio = SimGpio()
    buttons = make_buttons(gpio)
    pressed_at = gpio.now_s
    gpio.press(BUTTON2)
    assert step(buttons, gpio, 1.9) == []
    presses = step(buttons, gpio, 0.2)
    assert len(presses) == 1
    assert presses[0].position == "pos2" and presses[0].long_press
    assert abs(presses[0].time_s - (pressed_at + 2.0)) < 0.01
    gpio.release(BUTTON2)
    assert step(buttons, gpio, 0.5) == []


def test_two_positions_are_told_apart() -> None:
    gpio = SimGpio()
    buttons = make_buttons(gpio)
    gpio.press(BUTTON1)
    gpio.press(BUTTON2)
    step(buttons, gpio, 0.1)
    gpio.release(BUTTON2)
    presses = step(buttons, gpio, 0.1)
    gpio.release(BUTTON1)
    presses += step(buttons, gpio, 0.1)
    assert [p.position for p in presses] == ["pos2", "pos1"]
