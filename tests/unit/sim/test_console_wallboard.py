"""The console wallboard of demo mode: labels in Chinese and English, alert colours on a
terminal, plain text elsewhere."""

from __future__ import annotations

import asyncio
import io

from drivers.roles import AlertLevel, Display, WallboardFigures
from drivers.wallboard.console import ConsoleWallboard, render

BUSY = WallboardFigures(
    calls_waiting=7,
    longest_wait_s=125.0,
    agents_ready=1,
    agents_on_call=4,
    answered_today=52,
    abandoned_today=3,
    service_level=0.8125,
    answer_rate=None,
    asa_s=14.4,
    aht_s=190.0,
    faults=("sim-2",),
    levels=(("calls_waiting", AlertLevel.ALARM), ("longest_wait_s", AlertLevel.WARNING)),
)


def test_console_board_plain_text_marks_alerts_and_shows_dash_for_no_rate() -> None:
    text = render(BUSY, colour=False)
    assert text.splitlines() == [
        "排队 Waiting            7‼  最长等待 Longest     2:05!",
        "空闲 Ready               1  通话 On call             4",
        "整理 Wrap-up             0  暂停 Paused              0",
        "今日接听 Answered       52  今日放弃 Abandoned       3",
        "服务水平 SL            81%  接听率 Answer rate       —",
        "平均应答 ASA          0:14  平均处理 AHT          3:10",
        "故障 Faults: sim-2",
    ]


def test_console_board_on_a_terminal_colours_by_level() -> None:
    text = render(BUSY, colour=True)
    assert "\x1b[1;5;31m     7\x1b[0m" in text  # alarm: blinking red
    assert "\x1b[33m  2:05\x1b[0m" in text  # warning: amber
    assert "\x1b[32m    52\x1b[0m" in text  # normal: green


def test_console_board_closed_says_so() -> None:
    assert render(WallboardFigures(closed=True), colour=False) == "depotline  已关闭 CLOSED\n"


def test_console_wallboard_is_a_display_and_writes_only_changes() -> None:
    stream = io.StringIO()
    board = ConsoleWallboard(stream)
    assert isinstance(board, Display)

    async def main() -> None:
        await board.show(BUSY)
        await board.show(BUSY)
        await board.show(WallboardFigures(closed=True))

    asyncio.run(main())
    output = stream.getvalue()
    assert output.count("排队 Waiting") == 1
    assert output.endswith("depotline  已关闭 CLOSED\n\n")
    assert "\x1b[" not in output, "not a terminal: no escape codes"
