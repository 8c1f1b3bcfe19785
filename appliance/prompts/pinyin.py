"""Mandarin prompt text → tone-numbered pinyin for espeak-ng's `cmn-latn-pinyin` voice (the
only Mandarin voice of Debian's espeak-ng that reads tones). Covers exactly the characters of
the prompt set; a test checks every character used has an entry."""

from __future__ import annotations

import re

# One reading per character, as used in the prompts. Words whose reading differs from the
# single-character default are listed in WORD_READINGS.
CHAR_READINGS: dict[str, str] = {
    "一": "yi1", "七": "qi1", "三": "san1", "下": "xia4", "不": "bu4", "中": "zhong1",
    "为": "wei4", "九": "jiu3", "二": "er4", "五": "wu3", "井": "jing3", "星": "xing1", "以": "yi3",
    "们": "men5", "价": "jia4", "位": "wei4", "作": "zuo4", "保": "bao3", "候": "hou4",
    "入": "ru4", "全": "quan2", "八": "ba1", "六": "liu4", "再": "zai4", "出": "chu1",
    "分": "fen1", "到": "dao4", "前": "qian2", "功": "gong1", "务": "wu4", "十": "shi2",
    "单": "dan1", "号": "hao4", "后": "hou4", "四": "si4", "回": "hui2", "在": "zai4",
    "好": "hao3", "如": "ru2", "存": "cun2", "客": "ke4", "密": "mi4", "将": "jiang1",
    "尽": "jin3", "工": "gong1", "已": "yi3", "席": "xi2", "常": "chang2", "并": "bing4",
    "座": "zuo4", "录": "lu4", "待": "dai4", "心": "xin1", "忙": "mang2", "快": "kuai4",
    "您": "nin2", "意": "yi4", "感": "gan3", "成": "cheng2", "我": "wo3", "或": "huo4",
    "户": "hu4", "投": "tou2", "抱": "bao4", "拨": "bo1", "择": "ze2", "按": "an4",
    "排": "pai2", "接": "jie1", "提": "ti2", "新": "xin1", "时": "shi2", "是": "shi4",
    "有": "you3", "服": "fu2", "本": "ben3", "束": "shu4", "来": "lai2", "查": "cha2",
    "次": "ci4", "欢": "huan1", "歉": "qian4", "正": "zheng4", "满": "man3", "物": "wu4",
    "现": "xian4", "电": "dian4", "留": "liu2", "登": "deng1", "百": "bai3", "的": "de5",
    "码": "ma3", "示": "shi4", "稍": "shao1", "等": "deng3", "约": "yue1", "结": "jie2",
    "置": "zhi4", "致": "zhi4", "见": "jian4", "言": "yan2", "计": "ji4", "记": "ji4",
    "评": "ping2", "诉": "su4", "询": "xun2", "误": "wu4", "请": "qing3", "谢": "xie4",
    "货": "huo4", "转": "zhuan3", "输": "shu1", "迎": "ying2", "还": "hai2", "退": "tui4",
    "选": "xuan3", "重": "chong2", "钟": "zhong1", "错": "cuo4", "键": "jian4", "间": "jian1",
    "队": "dui4", "零": "ling2", "需": "xu1", "非": "fei1", "面": "mian4", "音": "yin1",
    "预": "yu4", "个": "ge4", "人": "ren2", "咨": "zi1", "当": "dang1", "态": "tai4",
    "揽": "lan3", "收": "shou1", "日": "ri4", "更": "geng1", "月": "yue4", "没": "mei2",
    "派": "pai4", "滞": "zhi4", "点": "dian3", "状": "zhuang4", "签": "qian1", "达": "da2",
    "运": "yun4", "这": "zhe4", "送": "song4", "上": "shang4", "于": "yu2", "今": "jin1",
    "午": "wu3", "夜": "ye4", "天": "tian1", "昨": "zuo2", "第": "di4",
}  # fmt: skip

# Tone sandhi and polyphones that the per-character table would read wrongly.
WORD_READINGS: dict[str, str] = {
    "不到": "bu2 dao4",
    "一分钟": "yi4 fen1 zhong1",
    "不满意": "bu4 man3 yi4",
    "结束": "jie2 shu4",
}

_DIGIT_READINGS = dict(zip("0123456789", "零一二三四五六七八九", strict=True))
_PUNCTUATION = {"，": ",", "。": ".", "、": ",", "？": "?", "！": "!", "：": ",", "；": ","}


def is_hanzi(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def to_pinyin(text: str) -> str:
    """Chinese text (with Arabic digits and punctuation) → pinyin syllables with tone numbers.
    Raises KeyError naming a character that has no reading, so a new prompt cannot be
    generated silently wrong."""
    words: list[str] = []
    i = 0
    while i < len(text):
        for word, reading in WORD_READINGS.items():
            if text.startswith(word, i):
                words.append(reading)
                i += len(word)
                break
        else:
            ch = text[i]
            if ch in _DIGIT_READINGS:
                words.append(CHAR_READINGS[_DIGIT_READINGS[ch]])
            elif is_hanzi(ch):
                if ch not in CHAR_READINGS:
                    raise KeyError(f"no pinyin for {ch!r} (U+{ord(ch):04X}) in {text!r}")
                words.append(CHAR_READINGS[ch])
            elif ch in _PUNCTUATION:
                words.append(_PUNCTUATION[ch])
            elif not ch.isspace():
                raise KeyError(f"cannot read {ch!r} in Mandarin text {text!r}")
            i += 1
    return re.sub(r" ([,.?!])", r"\1", " ".join(words))


_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9 ,.'!?]*")


def split_languages(text: str) -> list[tuple[str, str]]:
    """Split a Mandarin prompt into ("zh", text) and ("en", text) runs: a Mandarin prompt may
    name an English option ("For English, press 9.") that the English voice must say."""
    runs: list[tuple[str, str]] = []
    pos = 0
    for match in _LATIN_RUN.finditer(text):
        if match.start() > pos:
            runs.append(("zh", text[pos : match.start()]))
        runs.append(("en", match.group().strip()))
        pos = match.end()
    if pos < len(text):
        runs.append(("zh", text[pos:]))
    return [(lang, chunk) for lang, chunk in runs if chunk.strip()]
