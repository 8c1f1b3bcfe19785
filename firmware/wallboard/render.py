"""Draws the wallboard's screens into a frame buffer: figures in pages, ticker, NO DATA, closed.

The frame buffer holds one colour index a pixel; a MAX7219 back end shows any colour as lit.
Thresholds: colours on a colour panel, blinking on a one-colour one (WARNING slow, ALARM fast).
"""

from . import labels
from . import protocol as p
from .glyphs import GLYPHS

OFF = 0
GREEN = 1
AMBER = 2
RED = 3
WHITE = 4

ROW_PX = 16
VALUE_CHARS = 4
PAGE_MS = 4000
TICKER_PX_PER_S = 32
WARNING_BLINK_MS = 1000  # full period: half on, half off
ALARM_BLINK_MS = 400

LEVEL_COLOURS = (GREEN, AMBER, RED)
_MISSING_GLYPH = "00007FFE40024002400240024002400240024002400240024002400240027FFE"


class Canvas:
    """A frame buffer of `width` × `height` pixels, one colour index (byte) each, rows first."""

    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.height = height
        self.pixels = bytearray(width * height)

    def clear(self) -> None:
        for index in range(len(self.pixels)):
            self.pixels[index] = OFF

    def get(self, x: int, y: int) -> int:
        return self.pixels[y * self.width + x]

    def set(self, x: int, y: int, colour: int) -> None:
        if 0 <= x < self.width and 0 <= y < self.height:
            self.pixels[y * self.width + x] = colour


def glyph(char: str) -> bytes:
    return bytes.fromhex(GLYPHS.get(ord(char), _MISSING_GLYPH))


def text_width(text: str) -> int:
    width = 0
    for char in text:
        width += len(GLYPHS.get(ord(char), _MISSING_GLYPH)) // 4
    return width


def draw_text(canvas: Canvas, x: int, y: int, text: str, colour: int) -> int:
    """Draws `text` with its top-left corner at (x, y); returns the x after it. Clips."""
    for char in text:
        bitmap = glyph(char)
        row_bytes = len(bitmap) // 16
        width = row_bytes * 8
        if x + width > 0 and x < canvas.width:
            for row in range(16):
                bits = 0
                for index in range(row_bytes):
                    bits = (bits << 8) | bitmap[row * row_bytes + index]
                for column in range(width):
                    if bits & (1 << (width - 1 - column)):
                        canvas.set(x + column, y + row, colour)
        x += width
    return x


def format_value(field: int, value: int) -> str:
    if field == p.F_LONGEST_WAIT_S:
        if value < 600:
            return f"{value // 60}:{value % 60:02d}"
        if value < 6000:
            return f"{value // 60}m"
        return "99m+"
    if field in (p.F_SERVICE_LEVEL, p.F_ANSWER_RATE):
        if value < 0:
            return "--"
        return f"{(value + 5) // 10}%"
    if value > 9999:
        return "9999"
    return str(value)


class Screen:
    """What the board shows, from the figures it holds; `draw` is a pure function of time."""

    def __init__(self, width: int, height: int, colour: bool, language: str = "both") -> None:
        self.width = width
        self.height = height
        self.colour = colour
        self.languages = ("zh", "en") if language == "both" else (language,)
        # A board three rows high or more keeps its bottom row for the ticker.
        self.ticker_row = height >= 3 * ROW_PX
        self.rows_per_page = max(1, height // ROW_PX - (1 if self.ticker_row else 0))

    def pages(self, figures: dict, language: str) -> list:
        """Pages of rows of cells (label, value text, level)."""
        entries = list(labels.FIGURE_LABELS)
        faults = figures.get(p.F_FAULTS)
        if faults is not None and faults[1] > 0:
            entries.append(labels.FAULTS_LABEL)
        rows: list = []
        row: list = []
        used = 0
        value_px = VALUE_CHARS * 8
        for field, chinese, english in entries:
            level, value = figures.get(field, (p.LEVEL_NORMAL, 0))
            label = chinese if language == "zh" else english
            cell_px = text_width(label) + value_px
            if row and used + cell_px > self.width:
                rows.append(row)
                row = []
                used = 0
            row.append((label, format_value(field, value), level))
            used += cell_px
        if row:
            rows.append(row)
        pages = []
        for start in range(0, len(rows), self.rows_per_page):
            pages.append(rows[start : start + self.rows_per_page])
        return pages

    def ticker_ms(self, ticker: str) -> int:
        return (self.width + text_width(ticker)) * 1000 // TICKER_PX_PER_S

    def draw_no_data(self, canvas: Canvas) -> None:
        canvas.clear()
        self._draw_centred(canvas, labels.NO_DATA, RED)

    def draw_closed(self, canvas: Canvas) -> None:
        canvas.clear()
        self._draw_centred(canvas, labels.CLOSED, WHITE)

    def _draw_centred(self, canvas: Canvas, texts: tuple, colour: int) -> None:
        if self.height >= 2 * ROW_PX:
            for index, text in enumerate(texts[:2]):
                draw_text(
                    canvas, (self.width - text_width(text)) // 2, index * ROW_PX, text, colour
                )
        else:
            text = texts[1]
            draw_text(canvas, (self.width - text_width(text)) // 2, 0, text, colour)

    def draw_figures(self, canvas: Canvas, figures: dict, ticker: str, now_ms: int) -> None:
        canvas.clear()
        all_pages = []
        for language in self.languages:
            all_pages.extend(self.pages(figures, language))
        figures_ms = len(all_pages) * PAGE_MS
        ticker_page_ms = self.ticker_ms(ticker) if ticker and not self.ticker_row else 0
        at_ms = now_ms % (figures_ms + ticker_page_ms)
        if at_ms >= figures_ms:
            self._draw_ticker(canvas, ticker, (self.height - ROW_PX) // 2, at_ms - figures_ms)
            return
        for row_index, row in enumerate(all_pages[at_ms // PAGE_MS]):
            self._draw_row(canvas, row, row_index * ROW_PX, now_ms)
        if ticker and self.ticker_row:
            scroll_ms = now_ms % self.ticker_ms(ticker)
            self._draw_ticker(canvas, ticker, self.height - ROW_PX, scroll_ms)

    def _draw_row(self, canvas: Canvas, row: list, y: int, now_ms: int) -> None:
        x = 0
        for label, value, level in row:
            x = draw_text(canvas, x, y, label, WHITE if self.colour else GREEN)
            value_x = x + VALUE_CHARS * 8 - text_width(value)
            x += VALUE_CHARS * 8
            if self.colour:
                draw_text(canvas, value_x, y, value, LEVEL_COLOURS[level])
            elif blink_on(level, now_ms):
                draw_text(canvas, value_x, y, value, GREEN)

    def _draw_ticker(self, canvas: Canvas, ticker: str, y: int, scroll_ms: int) -> None:
        x = self.width - scroll_ms * TICKER_PX_PER_S // 1000
        draw_text(canvas, x, y, ticker, AMBER)

    def frame_key(self, figures_version: int, ticker: str, now_ms: int) -> tuple:
        """Changes exactly when the drawing would, so the board redraws only then."""
        return (
            figures_version,
            now_ms // PAGE_MS,
            now_ms * TICKER_PX_PER_S // 1000 if ticker else 0,
            blink_on(p.LEVEL_WARNING, now_ms),
            blink_on(p.LEVEL_ALARM, now_ms),
        )


def blink_on(level: int, now_ms: int) -> bool:
    if level == p.LEVEL_WARNING:
        return now_ms % WARNING_BLINK_MS < WARNING_BLINK_MS // 2
    if level == p.LEVEL_ALARM:
        return now_ms % ALARM_BLINK_MS < ALARM_BLINK_MS // 2
    return True
