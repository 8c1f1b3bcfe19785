"""The wallboard's figures as every web page shows them: the LED board's fields in its order
(and the calls self-served today, which the board has no field for), with their labels,
formatted, and the alert level the thresholds gave each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from appliance.service import WallboardFigures


@dataclass(frozen=True, slots=True)
class FigureField:
    name: str
    label_zh: str  # the first page's labels; the site's pages use the catalog ("fig.<name>")
    label_en: str
    kind: str  # "count", "rate" or "duration"


FIGURE_FIELDS = (
    FigureField("calls_waiting", "排队", "Waiting", "count"),
    FigureField("longest_wait_s", "最长等待", "Longest wait", "duration"),
    FigureField("agents_ready", "空闲", "Ready", "count"),
    FigureField("agents_on_call", "通话", "On call", "count"),
    FigureField("agents_wrap_up", "整理", "Wrap-up", "count"),
    FigureField("agents_paused", "暂停", "Paused", "count"),
    FigureField("answered_today", "今日接听", "Answered today", "count"),
    FigureField("abandoned_today", "今日放弃", "Abandoned today", "count"),
    FigureField("self_served_today", "今日自助", "Self-served today", "count"),
    FigureField("service_level", "服务水平", "Service level", "rate"),
    FigureField("answer_rate", "成功接听率", "Answer rate", "rate"),
    FigureField("asa_s", "平均应答", "ASA", "duration"),
    FigureField("aht_s", "平均处理", "AHT", "duration"),
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
    """The figures as the pages show them: formatted text and alert level per field."""
    return {
        "fields": {
            field.name: {
                "text": format_figure(getattr(figures, field.name), field.kind),
                "level": figures.level(field.name).value,
            }
            for field in FIGURE_FIELDS
        },
        "faults": list(figures.faults),
        "closed": figures.closed,
        "ticker": figures.ticker,
    }
