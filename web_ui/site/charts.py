"""Small inline SVG charts drawn on the server (no script, no network): bars by hour."""

from __future__ import annotations

from markupsafe import Markup, escape


def bar_chart(
    bars: list[tuple[str, float]], *, title: str, width: int = 720, height: int = 220
) -> Markup:
    """A bar per (label, value), scaled to the largest value, labelled below, value above."""
    top = max((value for _label, value in bars), default=0.0) or 1.0
    left, bottom, head = 8, 22, 16
    slot = (width - 2 * left) / max(1, len(bars))
    plot_h = height - bottom - head
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img"'
        f' aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for n, (label, value) in enumerate(bars):
        bar_h = plot_h * value / top
        x = left + n * slot
        y = head + plot_h - bar_h
        parts.append(
            f'<rect x="{x + slot * 0.12:.1f}" y="{y:.1f}" width="{slot * 0.76:.1f}"'
            f' height="{bar_h:.1f}" class="bar"><title>{escape(label)}: {value:g}</title></rect>'
        )
        parts.append(
            f'<text x="{x + slot / 2:.1f}" y="{height - 6}" text-anchor="middle"'
            f' class="axis">{escape(label)}</text>'
        )
        if value:
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle"'
                f' class="value">{value:g}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
