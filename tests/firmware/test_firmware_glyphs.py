"""The glyph subset comes from Debian's unifont; the labels render as the font draws them."""

from pathlib import Path

import pytest

from firmware import make_glyphs
from firmware.wallboard import glyphs, labels
from firmware.wallboard.render import Canvas, draw_text

UNIFONT = Path(make_glyphs.UNIFONT_HEX)


@pytest.fixture(autouse=True)
def _font_installed() -> None:
    assert UNIFONT.exists(), "Debian package unifont is missing: run `make test` (installs it)"


def _unifont(points: set[int]) -> dict[int, str]:
    found = {}
    for line in UNIFONT.read_text(encoding="ascii").splitlines():
        point, _, bitmap = line.partition(":")
        if int(point, 16) in points:
            found[int(point, 16)] = bitmap.upper()
    return found


def test_glyphs_py_is_what_the_generator_writes_from_unifont() -> None:
    expected = make_glyphs.render_source(
        make_glyphs.read_unifont(str(UNIFONT), make_glyphs.wanted_code_points())
    )
    assert make_glyphs.GLYPHS_PY.read_text() == expected, "run python -m firmware.make_glyphs"


def test_every_label_character_has_a_glyph() -> None:
    for text in labels.all_texts():
        for char in text:
            assert ord(char) in glyphs.GLYPHS, char


def test_glyphs_equal_the_font_bitmaps() -> None:
    font = _unifont(set(glyphs.GLYPHS))
    assert font == glyphs.GLYPHS


@pytest.mark.parametrize("label", ["等待", "最长", "空闲", "通话", "示忙", "服务水平", "放弃"])
def test_chinese_label_pixels_match_unifont(label: str) -> None:
    canvas = Canvas(16 * len(label), 16)
    draw_text(canvas, 0, 0, label, 1)
    font = _unifont({ord(char) for char in label})
    for index, char in enumerate(label):
        rows = bytes.fromhex(font[ord(char)])
        for y in range(16):
            bits = (rows[2 * y] << 8) | rows[2 * y + 1]
            drawn = [canvas.get(16 * index + x, y) != 0 for x in range(16)]
            assert drawn == [bool(bits & (0x8000 >> x)) for x in range(16)], (char, y)
