"""The firmware's screens on its fake HAL with a virtual clock: figures, NO DATA, thresholds,
ticker, and the MAX7219 chain's SPI traffic."""

from drivers.wallboard.board_sim import read_text
from firmware.wallboard import protocol as p
from firmware.wallboard.app import Wallboard, run_forever
from firmware.wallboard.display import Max7219Chain, Panel
from firmware.wallboard.fake_hal import FakeHal
from firmware.wallboard.render import AMBER, GREEN, RED, Canvas


class ColourPanel(Panel):
    colour = True

    def __init__(self) -> None:
        self.width = 128
        self.height = 32

    def show(self, canvas: Canvas) -> None:
        pass


class Rig:
    """The firmware with the Pi's side of the link played by hand, on virtual time."""

    def __init__(self, colour: bool = False, no_data_after_s: int = 5) -> None:
        self.now_ms = 10_000
        self.hal = FakeHal(clock_ms=lambda: self.now_ms)
        panel = ColourPanel() if colour else Max7219Chain(self.hal, 16, 4)
        self.board = Wallboard(self.hal, panel, no_data_after_s=no_data_after_s)
        self.seq = 0
        self.figures_at_ms = self.now_ms

    def send(self, payload: bytes, seq: int | None = None) -> None:
        self.hal.incoming.extend(p.encode_frame(self.seq if seq is None else seq, payload))
        if seq is None:
            self.seq = (self.seq + 1) & p.SEQ_MASK
        self.board.poll()

    def figures(self, *entries: tuple[int, int, int | bytes]) -> None:
        payload = bytes([p.MSG_FIGURES])
        for field, level, value in entries:
            payload += p.encode_field(field, level, value)
        was_showing_figures = self.board.fresh_since_ms is not None
        self.send(payload)
        if not was_showing_figures:
            self.figures_at_ms = self.now_ms

    def at(self, ms: int, heartbeat: bool = True) -> list[str]:
        """What the board shows `ms` after the first figures came (the Pi's heartbeats on)."""
        self.now_ms = self.figures_at_ms + ms
        if heartbeat:
            self.send(bytes([p.MSG_HEARTBEAT]))
        self.board.poll()
        return read_text(self.board.canvas)

    def acks(self) -> list[int]:
        frames = p.FrameReader().feed(bytes(self.hal.outgoing))
        return [seq for seq, payload in frames if not payload]


def test_board_shows_no_data_until_the_pi_sends_figures() -> None:
    rig = Rig()
    assert rig.at(0, heartbeat=False) == ["无数据", "NO DATA"]
    rig.send(p.hello_request(5))
    assert rig.at(1) == ["无数据", "NO DATA"]
    rig.figures((p.F_WAITING, 0, 3), (p.F_LONGEST_WAIT_S, 0, 65), (p.F_READY, 0, 2))
    assert rig.at(0) == ["等待 3最长1:05", "空闲 2通话 0"]


def test_board_shows_no_data_after_the_silence_time_and_clears_on_the_next_frame() -> None:
    rig = Rig(no_data_after_s=3)
    rig.send(p.hello_request(3))
    rig.figures((p.F_WAITING, 0, 4))
    assert rig.at(2_999, heartbeat=False)[0].startswith("等待 4")
    assert rig.at(3_000, heartbeat=False) == ["无数据", "NO DATA"]
    assert rig.at(60_000, heartbeat=False) == ["无数据", "NO DATA"]
    rig.send(bytes([p.MSG_HEARTBEAT]))
    rig.figures_at_ms = rig.now_ms
    assert rig.at(0)[0].startswith("等待 4")  # back on page one


def test_hello_sets_the_silence_time() -> None:
    rig = Rig(no_data_after_s=60)
    rig.send(p.hello_request(2))
    rig.figures((p.F_WAITING, 0, 1))
    assert rig.at(1_999, heartbeat=False)[0].startswith("等待 1")
    assert rig.at(2_000, heartbeat=False) == ["无数据", "NO DATA"]


def test_pages_alternate_chinese_and_english_labels() -> None:
    rig = Rig()
    rig.send(p.hello_request(60))
    rig.figures((p.F_WAITING, 0, 2), (p.F_SERVICE_LEVEL, 0, 853), (p.F_ABANDONED, 0, 4))
    seen = [tuple(rig.at(ms)) for ms in range(0, 40_000, 4000)]
    assert ("示忙 0", "服务水平 85%") in seen
    assert ("接听 0放弃 4", "") in seen
    assert any(lines[0].startswith("WAIT 2") for lines in seen)
    assert ("PAUSE 0SL 85%", "ANS 0ABAN 4") in seen


def test_service_level_with_nothing_to_divide_shows_dashes_not_100_percent() -> None:
    rig = Rig()
    rig.send(p.hello_request(60))
    rig.figures((p.F_SERVICE_LEVEL, 0, -1))
    seen = [tuple(rig.at(ms)) for ms in range(0, 40_000, 4000)]
    assert ("示忙 0", "服务水平 --") in seen


def test_one_colour_board_blinks_a_warning_slowly_and_an_alarm_fast() -> None:
    rig = Rig()
    rig.send(p.hello_request(60))
    rig.figures((p.F_WAITING, p.LEVEL_ALARM, 6), (p.F_LONGEST_WAIT_S, p.LEVEL_WARNING, 70))
    page_ms = 0  # page one: waiting and longest wait
    assert rig.at(page_ms) == ["等待 6最长1:10", "空闲 0通话 0"]
    assert rig.at(page_ms + 200) == ["等待 最长1:10", "空闲 0通话 0"]  # alarm dark after 200 ms
    assert rig.at(page_ms + 400) == ["等待 6最长1:10", "空闲 0通话 0"]
    assert rig.at(page_ms + 600) == ["等待 最长", "空闲 0通话 0"]  # warning dark after 500 ms
    assert rig.at(page_ms + 999)[0] == "等待 6最长"
    assert rig.at(page_ms + 1200)[0] == "等待 6最长1:10"


def _value_colours(canvas: Canvas, x0: int, x1: int) -> set[int]:
    return {canvas.get(x, y) for x in range(x0, x1) for y in range(16)} - {0}


def test_colour_board_shows_levels_as_green_amber_red_without_blinking() -> None:
    rig = Rig(colour=True)
    rig.send(p.hello_request(60))
    rig.figures(
        (p.F_WAITING, p.LEVEL_ALARM, 6),
        (p.F_LONGEST_WAIT_S, p.LEVEL_WARNING, 70),
        (p.F_READY, p.LEVEL_NORMAL, 3),
    )
    for ms in (0, 250, 600):
        rig.at(ms)
        canvas = rig.board.canvas
        assert _value_colours(canvas, 32, 64) == {RED}  # calls waiting
        assert _value_colours(canvas, 96, 128) == {AMBER}  # longest wait
    assert {canvas.get(x, y) for x in range(32, 64) for y in range(16, 32)} - {0} == {GREEN}


def test_ticker_scrolls_from_right_to_left_on_its_own_page() -> None:
    rig = Rig()
    rig.send(p.hello_request(60))
    rig.figures((p.F_TICKER, 0, b"STORM"))
    screen = rig.board.screen
    pages = len(screen.pages(rig.board.figures, "zh")) + len(screen.pages(rig.board.figures, "en"))
    figures_ms = pages * 4000  # the pages of figures, then the ticker
    positions = []
    for ms in (figures_ms + 1000, figures_ms + 2000):
        rig.at(ms)
        start = rig.board.canvas
        lit = [x for x in range(128) for y in range(32) if start.get(x, y)]
        positions.append(min(lit))
    assert positions[1] == positions[0] - 32  # 32 pixels a second
    rig.at(figures_ms + 3000)
    middle_rows = Canvas(128, 16)  # the ticker runs through the middle of the board
    middle_rows.pixels[:] = rig.board.canvas.pixels[8 * 128 : 24 * 128]
    assert read_text(middle_rows) == ["STORM"]


def test_max7219_chain_receives_the_frame_buffer_row_by_row() -> None:
    rig = Rig()
    rig.send(p.hello_request(60))
    rig.figures((p.F_WAITING, 0, 8))
    rig.at(0)
    rows = rig.hal.spi_frames[-8:]
    modules = 64
    for row, data in enumerate(rows):
        assert len(data) == 2 * modules
        for position in range(modules):
            module = modules - 1 - position  # first shifted = farthest down the chain
            assert data[2 * position] == row + 1  # digit register
            x0, y = (module % 16) * 8, (module // 16) * 8 + row
            expected = sum(0x80 >> c for c in range(8) if rig.board.canvas.get(x0 + c, y))
            assert data[2 * position + 1] == expected


def test_duplicate_and_out_of_order_frames_are_dropped_and_answered_with_the_expected_seq() -> None:
    rig = Rig()
    rig.send(p.hello_request(60))  # seq 0
    rig.figures((p.F_WAITING, 0, 1))  # seq 1
    rig.send(bytes([p.MSG_FIGURES]) + p.encode_field(p.F_WAITING, 0, 9), seq=1)  # duplicate
    rig.send(bytes([p.MSG_FIGURES]) + p.encode_field(p.F_WAITING, 0, 7), seq=5)  # out of order
    assert rig.board.figures[p.F_WAITING] == (0, 1)
    assert rig.acks() == [1, 2, 2, 2]


def test_closed_depot_shows_closed() -> None:
    rig = Rig()
    rig.send(p.hello_request(60))
    rig.figures((p.F_CLOSED, 0, 1))
    assert rig.at(100) == ["已关闭", "CLOSED"]


def test_a_bug_in_the_main_loop_blanks_the_figures_to_no_data_and_restarts_the_board() -> None:
    rig = Rig()
    rig.send(p.hello_request(60))
    rig.figures((p.F_WAITING, 0, 3))
    assert rig.at(0)[0].startswith("等待 3")
    rig.hal.incoming.extend(p.encode_frame(rig.seq, bytes([p.MSG_HEARTBEAT])))

    def broken_read() -> bytes:
        raise RuntimeError("a bug")

    rig.hal.serial_read = broken_read  # type: ignore[method-assign]
    run_forever(rig.hal, rig.board)
    assert read_text(rig.board.canvas) == ["无数据", "NO DATA"]
    spi_rows = rig.hal.spi_frames[-8:]
    assert all(any(data[1::2]) for data in spi_rows[2:6])  # NO DATA is on the LEDs themselves
    assert [str(error) for error in rig.hal.resets] == ["a bug"]


def test_main_loop_ends_when_the_pi_asks_for_the_repl() -> None:
    rig = Rig()
    rig.send(p.hello_request(60))
    rig.hal.incoming.extend(p.encode_frame(rig.seq, bytes([p.MSG_REPL])))
    run_forever(rig.hal, rig.board)  # returns instead of looping for ever
    assert rig.hal.resets == []


def test_chinese_ticker_words_render_from_the_glyph_subset() -> None:
    rig = Rig()
    rig.send(p.hello_request(60))
    rig.figures((p.F_TICKER, 0, "暴雨预警".encode()))
    screen = rig.board.screen
    pages = len(screen.pages(rig.board.figures, "zh")) + len(screen.pages(rig.board.figures, "en"))
    rig.at(pages * 4000 + 3000)  # the ticker page, text well inside the board
    middle_rows = Canvas(128, 16)
    middle_rows.pixels[:] = rig.board.canvas.pixels[8 * 128 : 24 * 128]
    assert read_text(middle_rows) == ["暴雨预警"]


def test_hub75_panel_clocks_out_rows_with_the_top_and_bottom_halves_colours() -> None:
    from firmware.wallboard.config import HUB75_PINS
    from firmware.wallboard.display import Hub75Panel

    hal = FakeHal(clock_ms=lambda: 0)
    panel = Hub75Panel(hal, HUB75_PINS, 64, 32)
    canvas = Canvas(64, 32)
    canvas.set(0, 3, RED)  # top half, row 3
    canvas.set(0, 19, GREEN)  # bottom half, row 3
    panel.show(canvas)
    writes: list[tuple[int, int]] = []
    hal.pin_write = lambda pin, level: writes.append((pin, level))  # type: ignore[method-assign]
    for _ in range(4):  # rows 0..3, one a call
        panel.refresh()
    row3 = writes[3 * len(writes) // 4 :]
    first_column = dict(row3[:6])
    assert first_column[HUB75_PINS["r1"]] == 1 and first_column[HUB75_PINS["g1"]] == 0
    assert first_column[HUB75_PINS["g2"]] == 1 and first_column[HUB75_PINS["r2"]] == 0
    address = {pin: level for pin, level in row3 if pin in (6, 7, 8, 9)}
    assert [address[HUB75_PINS[name]] for name in "abcd"] == [1, 1, 0, 0]  # row 3
    clocks = [level for pin, level in row3 if pin == HUB75_PINS["clk"]]
    assert clocks == [1, 0] * 64
