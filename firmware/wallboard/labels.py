"""The wallboard's labels in Chinese and English, and the texts of its full-screen states.

`firmware/make_glyphs.py` takes the characters to put in `glyphs.py` from here.
"""

from . import protocol as p

# The order is the order on the board; each entry: (field, Chinese, English).
FIGURE_LABELS = (
    (p.F_WAITING, "等待", "WAIT"),
    (p.F_LONGEST_WAIT_S, "最长", "LONG"),
    (p.F_READY, "空闲", "IDLE"),
    (p.F_ON_CALL, "通话", "TALK"),
    (p.F_PAUSED, "示忙", "PAUSE"),
    (p.F_SERVICE_LEVEL, "服务水平", "SL"),
    (p.F_ANSWERED, "接听", "ANS"),
    (p.F_ABANDONED, "放弃", "ABAN"),
)
# Shown only when not zero.
FAULTS_LABEL = (p.F_FAULTS, "故障", "FAULT")

NO_DATA = ("无数据", "NO DATA")
CLOSED = ("已关闭", "CLOSED")


def all_texts() -> list:
    texts = []
    # No starred tuple displays in MicroPython.
    for _, chinese, english in FIGURE_LABELS + (FAULTS_LABEL,):  # noqa: RUF005
        texts.append(chinese)
        texts.append(english)
    texts.extend(NO_DATA)
    texts.extend(CLOSED)
    return texts
