"""Alert levels from the configured thresholds, and the stack light that follows."""

from __future__ import annotations

from appliance.config import ThresholdsConfig
from appliance.thresholds import stack_light, with_levels
from drivers.roles import AlertLevel, StackLight, WallboardFigures

DEFAULTS = ThresholdsConfig()  # waiting 3/6, longest 60/120 s, SL 0.8/0.6, answer 0.9/0.8


def levels(figures: WallboardFigures) -> dict[str, AlertLevel]:
    return dict(with_levels(figures, DEFAULTS).levels)


def test_quiet_depot_has_no_alerts_and_a_green_light() -> None:
    figures = with_levels(WallboardFigures(calls_waiting=1, service_level=0.95), DEFAULTS)
    assert figures.levels == ()
    assert stack_light(figures) == (StackLight.GREEN, False)


def test_counts_alert_at_and_above_their_thresholds() -> None:
    assert levels(WallboardFigures(calls_waiting=3)) == {"calls_waiting": AlertLevel.WARNING}
    assert levels(WallboardFigures(calls_waiting=6)) == {"calls_waiting": AlertLevel.ALARM}


def test_rates_alert_below_their_thresholds_and_no_rate_is_no_alert() -> None:
    assert levels(WallboardFigures(service_level=0.79)) == {"service_level": AlertLevel.WARNING}
    assert levels(WallboardFigures(service_level=0.59)) == {"service_level": AlertLevel.ALARM}
    assert levels(WallboardFigures(service_level=None, answer_rate=None)) == {}


def test_callers_waiting_past_the_alarm_turn_the_light_red_and_buzz() -> None:
    figures = with_levels(WallboardFigures(longest_wait_s=130.0), DEFAULTS)
    assert stack_light(figures) == (StackLight.RED, True)


def test_a_low_answer_rate_alarm_is_red_without_the_buzzer() -> None:
    figures = with_levels(WallboardFigures(answer_rate=0.5), DEFAULTS)
    assert stack_light(figures) == (StackLight.RED, False)


def test_a_fault_alone_turns_the_light_amber_and_closed_turns_it_off() -> None:
    assert stack_light(WallboardFigures(faults=("fxo1",))) == (StackLight.AMBER, False)
    assert stack_light(WallboardFigures(closed=True, calls_waiting=9)) == (StackLight.OFF, False)
