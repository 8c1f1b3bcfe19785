"""The reports' SVG bar charts: a y-axis with its scale and unit, labels thinned so a month's
dates never run into one smear, and a gap rather than 0 % for a day without calls."""

from __future__ import annotations

import re

import pytest

from web_ui.site.charts import bar_chart, nice_top


@pytest.mark.parametrize(
    ("value", "top"),
    [(0.0, 1.0), (3.0, 5.0), (7.0, 10.0), (10.0, 10.0), (13.0, 20.0), (420.0, 500.0)],
)
def test_axis_top_rounds_up_to_one_two_or_five_times_a_power_of_ten(
    value: float, top: float
) -> None:
    assert nice_top(value) == top


def test_chart_has_a_scale_from_zero_to_the_top_with_its_unit() -> None:
    svg = bar_chart([("08", 12.0), ("09", 30.0)], title="Calls by hour", unit="calls")
    ticks = re.findall(r'class="axis tick">([^<]*)<', svg)
    assert ticks == ["0", "12.5", "25", "37.5", "50"]
    assert '<text x="4" y="12" class="axis unit">calls</text>' in svg


def test_a_months_dates_are_thinned_and_a_day_without_calls_is_a_gap() -> None:
    days: list[tuple[str, float | None]] = [(f"3/{n}", 90.0) for n in range(1, 32)]
    days[6] = ("3/7", None)
    svg = bar_chart(days, title="SL", unit="%", top_value=100.0, gap_text="no calls")
    labels = re.findall(r'text-anchor="middle" class="axis">([^<]*)<', svg)
    assert 4 <= len(labels) <= 720 // 44 and labels[0] == "3/1"
    assert svg.count('class="bar"') == 30  # no bar for 3/7
    assert "<title>3/7: no calls</title>" in svg
    assert re.findall(r'class="axis tick">([^<]*)<', svg)[-1] == "100"
