"""Mandarin text → tone-numbered pinyin for espeak-ng's `cmn-latn-pinyin` voice (the only
Mandarin voice of Debian's espeak-ng that reads tones), by pypinyin: any Chinese text, the
prompt set's and the names the depot gives its queues, with polyphones read by word."""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

_DIGIT_READINGS = dict(zip("0123456789", "零一二三四五六七八九", strict=True))
_PUNCTUATION = {"，": ",", "。": ".", "、": ",", "？": "?", "！": "!", "：": ",", "；": ","}
_SYLLABLE = re.compile(r"[a-zü]+[1-5]")


def to_pinyin(text: str) -> str:
    """Chinese text (with Arabic digits and punctuation) → pinyin syllables with tone numbers,
    the neutral tone as 5 and the sandhi of 一 and 不 applied. Raises KeyError naming a
    character it cannot read, so nothing is spoken silently wrong."""
    spelled = "".join(_DIGIT_READINGS.get(ch, ch) for ch in text)
    words: list[str] = []
    readings = lazy_pinyin(
        spelled, style=Style.TONE3, neutral_tone_with_five=True, tone_sandhi=True
    )
    for reading in readings:
        if _SYLLABLE.fullmatch(reading):
            words.append(reading)
            continue
        for ch in reading:  # what is not Chinese comes back as it was written
            if ch in _PUNCTUATION:
                words.append(_PUNCTUATION[ch])
            elif not ch.isspace():
                raise KeyError(f"cannot read {ch!r} (U+{ord(ch):04X}) in {text!r}")
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
