"""The wallboard's figures as the site's pages show them: the LED board's fields in its order,
formatted, with the alert level the thresholds gave each."""

from __future__ import annotations

from typing import Any

from appliance.service import WallboardFigures

# (field, kind) in wallboard order; labels are in the catalog as "fig.<field>"
FIGURE_FIELDS = (
    ("calls_waiting", "count"),
    ("longest_wait_s", "duration"),
    ("agents_ready", "count"),
    ("agents_on_call", "count"),
    ("agents_wrap_up", "count"),
    ("agents_paused", "count"),
    ("answered_today", "count"),
    ("abandoned_today", "count"),
    ("service_level", "rate"),
    ("answer_rate", "rate"),
    ("asa_s", "duration"),
    ("aht_s", "duration"),
)


def format_figure(value: float | int | None, kind: str) -> str:
    if value is None:
        return "—"  # nothing to divide yet: never shown as 100 %
    if kind == "rate":
        return f"{value * 100:.0f}%"
    if kind == "duration":
        whole = round(value)
        return f"{whole // 60}:{whole % 60:02d}"
    return str(value)


def figures_json(figures: WallboardFigures) -> dict[str, Any]:
    return {
        "fields": {
            name: {
                "text": format_figure(getattr(figures, name), kind),
                "level": figures.level(name).value,
            }
            for name, kind in FIGURE_FIELDS
        },
        "faults": list(figures.faults),
        "closed": figures.closed,
    }
