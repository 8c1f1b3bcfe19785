"""The committed prompt set: every prompt in both languages, valid 8 kHz audio, not silent;
recorded overrides win, then speech generated on the box; every Mandarin prompt reads as pinyin."""

from __future__ import annotations

import array
import math
import re
import shutil
from pathlib import Path

import pytest

from appliance.engine.prompts import LANGUAGES, PROMPT_TEXTS, number_prompts
from appliance.prompts import HOLD_MUSIC, MUSIC_LANGUAGE, PROMPTS_DIR, find_prompt, prompt_dirs
from appliance.prompts.pinyin import split_languages, to_pinyin
from drivers.modem import audio


def _rms(samples: array.array[int]) -> float:
    return math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))


@pytest.mark.parametrize("language", LANGUAGES)
def test_prompt_set_every_prompt_is_audible_8khz_audio(language: str) -> None:
    for name in PROMPT_TEXTS:
        path = PROMPTS_DIR / language / f"{name}.wav"
        assert path.is_file(), f"missing {path}"
        header = path.read_bytes()[:44]
        assert header[:4] == b"RIFF" and header[8:12] == b"WAVE"
        assert int.from_bytes(header[24:28], "little") == 8000, f"{path} is not 8 kHz"
        assert int.from_bytes(header[22:24], "little") == 1, f"{path} is not mono"
        samples = audio.read_wav(path)
        assert 0.3 < len(samples) / 8000 < 15, f"{path}: odd length {len(samples) / 8000} s"
        assert _rms(samples) > 500, f"{path} is (nearly) silent"


def test_prompt_set_number_words_cover_every_spoken_number() -> None:
    for language in LANGUAGES:
        for n in (0, 7, 13, 20, 45, 100, 105, 999):
            for name in number_prompts(n, language):
                assert (PROMPTS_DIR / language / f"{name}.wav").is_file()


def test_prompt_set_hold_music_is_long_enough_to_loop() -> None:
    samples = audio.read_wav(PROMPTS_DIR / MUSIC_LANGUAGE / f"{HOLD_MUSIC}.wav")
    assert len(samples) >= 8000 * 10
    assert _rms(samples) > 500


def test_prompt_set_small_enough_to_commit() -> None:
    total = sum(p.stat().st_size for p in PROMPTS_DIR.rglob("*.wav"))
    assert total < 4_000_000


def test_find_prompt_recorded_override_wins(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    recorded = tmp_path / "en" / "greeting.wav"
    audio.write_wav(recorded, [1000, -1000] * 4000)
    assert find_prompt("greeting", "en", tmp_path) == recorded
    assert find_prompt("menu_cargo", "en", tmp_path) == PROMPTS_DIR / "en" / "menu_cargo.wav"
    assert find_prompt("greeting", "en") == PROMPTS_DIR / "en" / "greeting.wav"
    # the drivers get the same search order as plain paths
    assert audio.find_prompt(prompt_dirs(tmp_path), "en", "greeting") == str(recorded)
    # speech generated on the box comes after the recordings, before the shipped set
    (tmp_path / "generated" / "en").mkdir(parents=True)
    spoken = tmp_path / "generated" / "en" / "menu_cargo.wav"
    audio.write_wav(spoken, [1000, -1000] * 4000)
    audio.write_wav(tmp_path / "generated" / "en" / "greeting.wav", [1000, -1000] * 4000)
    assert audio.find_prompt(prompt_dirs(tmp_path), "en", "menu_cargo") == str(spoken)
    assert audio.find_prompt(prompt_dirs(tmp_path), "en", "greeting") == str(recorded)
    assert find_prompt("menu_cargo", "en", tmp_path) == spoken
    with pytest.raises(FileNotFoundError):
        find_prompt("no_such_prompt", "en", tmp_path)


def test_every_mandarin_prompt_reads_as_tone_numbered_pinyin() -> None:
    for zh, _ in PROMPT_TEXTS.values():
        for lang, chunk in split_languages(zh):
            if lang == "zh":
                assert re.fullmatch(r"([a-zü]+[1-5][,.?!]? ?)+", to_pinyin(chunk)), chunk


def test_to_pinyin_reads_digits_punctuation_sandhi_and_polyphones() -> None:
    assert to_pinyin("货物查询请按1。") == "huo4 wu4 cha2 xun2 qing3 an4 yi1."
    assert to_pinyin("不到一分钟") == "bu2 dao4 yi4 fen1 zhong1"
    assert to_pinyin("您不满意，请按2。") == "nin2 bu4 man3 yi4, qing3 an4 er4."
    assert to_pinyin("已结束") == "yi3 jie2 shu4"
    assert to_pinyin("龙") == "long2"  # any character, not only the prompt set's
    with pytest.raises(KeyError, match="★"):
        to_pinyin("★")


def test_split_languages_english_option_in_mandarin_prompt() -> None:
    assert split_languages("For English, press 9.") == [("en", "For English, press 9.")]
    assert split_languages("您好For English, press 9.") == [
        ("zh", "您好"),
        ("en", "For English, press 9."),
    ]


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_generator_writes_a_full_prompt_set(tmp_path: Path) -> None:
    from appliance.prompts.generate import main

    assert main(["--out", str(tmp_path)]) == 0
    for language in LANGUAGES:
        names = {p.stem for p in (tmp_path / language).glob("*.wav")}
        assert names == set(PROMPT_TEXTS)
    assert (tmp_path / MUSIC_LANGUAGE / f"{HOLD_MUSIC}.wav").is_file()
