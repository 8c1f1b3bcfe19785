"""The stack light's colour rule and the buzzer's upward-only rule (pure)."""

import pytest

from drivers.gpio.stack_light import StackThresholds, colour_for, crossed_upward
from drivers.roles import StackLight, WallboardFigures

T = StackThresholds()


@pytest.mark.parametrize(
    "figures,colour",
    [
        (WallboardFigures(), StackLight.GREEN),
        (WallboardFigures(calls_waiting=1, longest_wait_s=59), StackLight.GREEN),
        (WallboardFigures(calls_waiting=2), StackLight.GREEN),
        (WallboardFigures(calls_waiting=3), StackLight.AMBER),
        (WallboardFigures(calls_waiting=6), StackLight.RED),
        (WallboardFigures(calls_waiting=1, longest_wait_s=60), StackLight.AMBER),
        (WallboardFigures(calls_waiting=1, longest_wait_s=120), StackLight.RED),
        (WallboardFigures(service_level=0.79), StackLight.AMBER),
        (WallboardFigures(service_level=0.59), StackLight.RED),
        (WallboardFigures(service_level=0.80), StackLight.GREEN),
        (WallboardFigures(service_level=None), StackLight.GREEN),  # nothing answered yet
        (WallboardFigures(calls_waiting=3, service_level=0.5), StackLight.RED),  # worst wins
        (WallboardFigures(calls_waiting=9, closed=True), StackLight.OFF),
    ],
)
def test_colour_for_thresholds(figures: WallboardFigures, colour: StackLight) -> None:
    assert colour_for(figures, T) is colour


def test_custom_thresholds_apply() -> None:
    strict = StackThresholds(amber_calls_waiting=1, red_calls_waiting=2)
    assert colour_for(WallboardFigures(calls_waiting=1), strict) is StackLight.AMBER
    assert colour_for(WallboardFigures(calls_waiting=2), strict) is StackLight.RED


@pytest.mark.parametrize(
    "before,after,buzz",
    [
        (StackLight.GREEN, StackLight.AMBER, True),
        (StackLight.AMBER, StackLight.RED, True),
        (StackLight.GREEN, StackLight.RED, True),
        (StackLight.RED, StackLight.AMBER, False),
        (StackLight.AMBER, StackLight.GREEN, False),
        (StackLight.RED, StackLight.RED, False),
        (StackLight.OFF, StackLight.RED, False),  # switching on is not a crossing
    ],
)
def test_buzz_only_when_the_light_gets_worse(
    before: StackLight, after: StackLight, buzz: bool
) -> None:
    assert crossed_upward(before, after) is buzz
