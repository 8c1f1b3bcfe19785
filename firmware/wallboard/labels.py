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

# Characters for Chinese ticker messages beyond the labels (the board draws a box for any
# other). Add words here, run `python -m firmware.make_glyphs`, and flash the board again.
TICKER_CHARACTERS = (
    "今天明日上下午晚时分点秒月年周星期一二三四五六七八九十百千万零"
    "暴雨大雪台风高温寒潮预警注意请稍候耐心感谢欢迎致电本中心热线紧急"
    "系统维护升级停电网络线路恢复正常繁忙排队人工客户车辆救援投诉咨询"
    "预约回访通知班长主管会议交接班开始结束今日目标达成优秀加油辛苦了"
    "新旧号码更改营业时间节假休息周末全部所有已未在与和的是不有为个"
    "之金话筒"  # the awards announced on the ticker: 周之星, 金话筒
)

NO_DATA = ("无数据", "NO DATA")
CLOSED = ("已关闭", "CLOSED")


def all_texts() -> list:
    texts = []
    # No starred tuple displays in MicroPython.
    for _, chinese, english in FIGURE_LABELS + (FAULTS_LABEL,):  # noqa: RUF005
        texts.append(chinese)
        texts.append(english)
    texts.append(TICKER_CHARACTERS)
    texts.extend(NO_DATA)
    texts.extend(CLOSED)
    return texts
