"""Small inline SVG charts drawn on the server (no script, no network): bars with a y-axis,
its scale and unit, labels thinned so they never run together, and a gap (not a 0) where
there is nothing to show."""

from __future__ import annotations

import math

from markupsafe import Markup, escape

LABEL_PX = 44  # the least room a label below the bars needs
TICKS = 4  # scale lines above 0


def nice_top(value: float) -> float:
    """The axis' top: the value rounded up to 1, 2 or 5 × a power of ten."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def bar_chart(
    bars: list[tuple[str, float | None]],
    *,
    title: str,
    unit: str = "",
    top_value: float | None = None,
    gap_text: str = "",
    width: int = 720,
    height: int = 240,
) -> Markup:
    """A bar per (label, value) against a y-axis from 0 to `top_value` (by default the
    largest value rounded up) marked in `unit`; a None value leaves a gap marked `gap_text`."""
    values = [value for _label, value in bars if value is not None]
    top = top_value or nice_top(max(values, default=0.0))
    left, right, bottom, head = 46, 8, 22, 18
    slot = (width - left - right) / max(1, len(bars))
    plot_h = height - bottom - head
    every = max(1, math.ceil(LABEL_PX / slot))  # label every n-th bar
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img"'
        f' aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<text x="4" y="12" class="axis unit">{escape(unit)}</text>',
    ]
    for tick in range(TICKS + 1):
        y = head + plot_h - plot_h * tick / TICKS
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" class="axis tick">'
            f"{top * tick / TICKS:g}</text>"
        )
    for n, (label, value) in enumerate(bars):
        x = left + n * slot
        middle = x + slot / 2
        if n % every == 0:
            parts.append(
                f'<text x="{middle:.1f}" y="{height - 6}" text-anchor="middle"'
                f' class="axis">{escape(label)}</text>'
            )
        if value is None:
            parts.append(
                f'<text x="{middle:.1f}" y="{head + plot_h - 3}" text-anchor="middle"'
                f' class="gap"><title>{escape(label)}: {escape(gap_text)}</title>·</text>'
            )
            continue
        bar_h = plot_h * min(value, top) / top
        y = head + plot_h - bar_h
        parts.append(
            f'<rect x="{x + slot * 0.12:.1f}" y="{y:.1f}" width="{slot * 0.76:.1f}"'
            f' height="{bar_h:.1f}" class="bar"><title>{escape(label)}: {value:g}'
            f" {escape(unit)}</title></rect>"
        )
        if value and every == 1:
            parts.append(
                f'<text x="{middle:.1f}" y="{y - 3:.1f}" text-anchor="middle"'
                f' class="value">{value:g}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
