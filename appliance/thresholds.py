"""Alert levels of the wallboard figures by the configured thresholds, and the stack light's
colour that follows from them."""

from __future__ import annotations

import dataclasses

from appliance.config import Threshold, ThresholdsConfig
from drivers.roles import AlertLevel, StackLight, WallboardFigures


def _level(value: float | None, threshold: Threshold, *, lower_is_worse: bool) -> AlertLevel:
    if value is None:
        return AlertLevel.NORMAL
    if lower_is_worse:
        if value < threshold.alarm:
            return AlertLevel.ALARM
        return AlertLevel.WARNING if value < threshold.warning else AlertLevel.NORMAL
    if value >= threshold.alarm:
        return AlertLevel.ALARM
    return AlertLevel.WARNING if value >= threshold.warning else AlertLevel.NORMAL


def with_levels(figures: WallboardFigures, thresholds: ThresholdsConfig) -> WallboardFigures:
    """The figures with `levels` filled in for every field that has a threshold."""
    levels = (
        (
            "calls_waiting",
            _level(figures.calls_waiting, thresholds.calls_waiting, lower_is_worse=False),
        ),
        (
            "longest_wait_s",
            _level(figures.longest_wait_s, thresholds.longest_wait_s, lower_is_worse=False),
        ),
        (
            "service_level",
            _level(figures.service_level, thresholds.service_level, lower_is_worse=True),
        ),
        ("answer_rate", _level(figures.answer_rate, thresholds.answer_rate, lower_is_worse=True)),
        (
            "abandoned_today",
            _level(figures.abandoned_today, thresholds.abandoned_today, lower_is_worse=False),
        ),
    )
    alerts = tuple((name, level) for name, level in levels if level is not AlertLevel.NORMAL)
    return dataclasses.replace(figures, levels=alerts)


def stack_light(figures: WallboardFigures) -> tuple[StackLight, bool]:
    """(colour, buzz): red and buzzer while callers wait past the alarm; red for any other
    alarm; amber for a warning or a fault; green otherwise; off when closed."""
    if figures.closed:
        return StackLight.OFF, False
    levels = dict(figures.levels)
    waiting_alarm = AlertLevel.ALARM in (levels.get("calls_waiting"), levels.get("longest_wait_s"))
    if AlertLevel.ALARM in levels.values():
        return StackLight.RED, waiting_alarm
    if AlertLevel.WARNING in levels.values() or figures.faults:
        return StackLight.AMBER, False
    return StackLight.GREEN, False
