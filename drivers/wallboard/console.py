"""A wallboard on a terminal: redraws a compact board of the figures with Chinese and English
labels, alert colours in ANSI on a terminal, plain text when the output is not a terminal."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from drivers.roles import AlertLevel, DeviceStatusSink, WallboardFigures

_RESET = "\x1b[0m"
_COLOURS = {
    AlertLevel.NORMAL: "\x1b[32m",  # green
    AlertLevel.WARNING: "\x1b[33m",  # amber
    AlertLevel.ALARM: "\x1b[1;5;31m",  # bold blinking red
}
_HOME_AND_CLEAR = "\x1b[H\x1b[2J"


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f}%"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def board_rows(figures: WallboardFigures) -> list[tuple[str, str, str]]:
    """(field name, label, value) for each figure on the board, in board order."""
    f = figures
    return [
        ("calls_waiting", "排队 Waiting", str(f.calls_waiting)),
        ("longest_wait_s", "最长等待 Longest", _duration(f.longest_wait_s)),
        ("agents_ready", "空闲 Ready", str(f.agents_ready)),
        ("agents_on_call", "通话 On call", str(f.agents_on_call)),
        ("agents_wrap_up", "整理 Wrap-up", str(f.agents_wrap_up)),
        ("agents_paused", "暂停 Paused", str(f.agents_paused)),
        ("answered_today", "今日接听 Answered", str(f.answered_today)),
        ("abandoned_today", "今日放弃 Abandoned", str(f.abandoned_today)),
        ("service_level", "服务水平 SL", _percent(f.service_level)),
        ("answer_rate", "接听率 Answer rate", _percent(f.answer_rate)),
        ("asa_s", "平均应答 ASA", _duration(f.asa_s)),
        ("aht_s", "平均处理 AHT", _duration(f.aht_s)),
    ]


def render(figures: WallboardFigures, *, colour: bool) -> str:
    """The board as text: two figures per row, then faults and the ticker."""
    if figures.closed:
        return "depotline  已关闭 CLOSED\n"
    cells = []
    for name, label, value in board_rows(figures):
        level = figures.level(name)
        text = f"{value:>6}"
        if colour:
            text = f"{_COLOURS[level]}{text}{_RESET}"
        elif level is not AlertLevel.NORMAL:
            text = f"{value:>5}{'!' if level is AlertLevel.WARNING else '‼'}"
        cells.append(f"{_pad(label, 20)}{text}")
    rows = ["  ".join(cells[n : n + 2]) for n in range(0, len(cells), 2)]
    if figures.faults:
        rows.append("故障 Faults: " + ", ".join(figures.faults))
    if figures.ticker:
        rows.append(figures.ticker)
    return "\n".join(rows) + "\n"


def _pad(label: str, width: int) -> str:
    """Pad to a terminal width, counting CJK characters as two columns."""
    columns = sum(2 if ord(ch) > 0x2E80 else 1 for ch in label)
    return label + " " * max(1, width - columns)


class ConsoleWallboard:
    """A Display on a terminal (demo mode, or a monitor on the box's HDMI port)."""

    def __init__(self, stream: TextIO | None = None, *, colour: bool | None = None) -> None:
        self._stream = stream if stream is not None else sys.stdout
        is_tty = hasattr(self._stream, "isatty") and self._stream.isatty()
        self._tty = is_tty
        self._colour = is_tty if colour is None else colour
        self._last = ""

    async def run(self, report: DeviceStatusSink) -> None:
        await asyncio.Event().wait()

    async def show(self, figures: WallboardFigures) -> None:
        text = render(figures, colour=self._colour)
        if text == self._last:
            return
        self._last = text
        if self._tty:
            self._stream.write(_HOME_AND_CLEAR + text)
        else:
            self._stream.write(text + "\n")
        self._stream.flush()
