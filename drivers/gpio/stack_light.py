"""The stack light's colour from the wallboard figures, and when the buzzer sounds (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from drivers.roles import StackLight, WallboardFigures

_RANK = {StackLight.OFF: 0, StackLight.GREEN: 1, StackLight.AMBER: 2, StackLight.RED: 3}


@dataclass(frozen=True, slots=True)
class StackThresholds:
    """Amber or red from this many callers waiting, this long a wait, or a service level
    below this share (a service level of None — nothing answered yet — never alarms)."""

    amber_calls_waiting: int = 3
    red_calls_waiting: int = 6
    amber_longest_wait_s: float = 60.0
    red_longest_wait_s: float = 120.0
    amber_service_level_below: float = 0.80
    red_service_level_below: float = 0.60


def colour_for(figures: WallboardFigures, thresholds: StackThresholds) -> StackLight:
    """Red if any figure is past its red threshold, else amber if any is past amber, else
    green; off when the depot is closed."""
    if figures.closed:
        return StackLight.OFF
    sl = figures.service_level
    if (
        figures.calls_waiting >= thresholds.red_calls_waiting
        or figures.longest_wait_s >= thresholds.red_longest_wait_s
        or (sl is not None and sl < thresholds.red_service_level_below)
    ):
        return StackLight.RED
    if (
        figures.calls_waiting >= thresholds.amber_calls_waiting
        or figures.longest_wait_s >= thresholds.amber_longest_wait_s
        or (sl is not None and sl < thresholds.amber_service_level_below)
    ):
        return StackLight.AMBER
    return StackLight.GREEN


def crossed_upward(before: StackLight, after: StackLight) -> bool:
    """True when the light got worse (green → amber, amber → red, green → red): buzz then,
    never when it gets better."""
    return _RANK[after] > _RANK[before] and before is not StackLight.OFF
