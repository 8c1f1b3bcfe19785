"""Prompt conversion for the bridge, checked against sox's own G.711 decoding."""

from __future__ import annotations

import array
import subprocess
import wave
from pathlib import Path

import pytest
from sip_peers import make_tone_wav

from drivers.sip.errors import SipError
from drivers.sip.prompt_audio import PromptAudio, decode_wav


def sox_pcm16(source: Path, target: Path) -> array.array[int]:
    subprocess.run(
        [
            "sox",
            str(source),
            "-r",
            "8000",
            "-c",
            "1",
            "-b",
            "16",
            "-e",
            "signed-integer",
            str(target),
        ],
        check=True,
        timeout=20,
    )
    with wave.open(str(target)) as wav:
        return array.array("h", wav.readframes(wav.getnframes()))


@pytest.mark.parametrize("encoding", ["u-law", "a-law"])
def test_g711_prompt_decodes_exactly_like_sox(tmp_path: Path, encoding: str) -> None:
    source = make_tone_wav(tmp_path / "p.wav", 0.3, 700, encoding=encoding)
    assert decode_wav(source.read_bytes()) == sox_pcm16(source, tmp_path / "sox.wav")


def test_16k_stereo_prompt_becomes_8k_mono_of_the_same_length(tmp_path: Path) -> None:
    source = tmp_path / "stereo.wav"
    subprocess.run(
        [
            "sox",
            "-n",
            "-r",
            "16000",
            "-c",
            "2",
            "-b",
            "16",
            str(source),
            "synth",
            "0.5",
            "sine",
            "400",
        ],
        check=True,
        timeout=20,
    )
    samples = decode_wav(source.read_bytes())
    assert len(samples) == 4000
    assert max(samples) > 10000  # the tone survived


def test_converted_prompt_is_cached_pcm_wav(tmp_path: Path) -> None:
    source = make_tone_wav(tmp_path / "greeting.wav", 0.2, 500, encoding="u-law")
    audio = PromptAudio(str(tmp_path / "cache"))
    playable = audio.playable(str(source))
    assert audio.playable(str(source)) == playable
    with wave.open(playable) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (8000, 1, 2)
        assert wav.getnframes() == 1600


def test_a_file_that_is_not_wav_is_a_clear_error(tmp_path: Path) -> None:
    source = tmp_path / "greeting.wav"
    source.write_bytes(b"ID3 this is an mp3")
    with pytest.raises(SipError, match="not a WAV file"):
        PromptAudio(str(tmp_path / "cache")).playable(str(source))


def test_warm_up_converts_the_whole_prompt_set_and_skips_broken_files(tmp_path: Path) -> None:
    prompts = tmp_path / "prompts"
    make_tone_wav(prompts / "zh-CN" / "greeting.wav", 0.2, 500, encoding="u-law")
    make_tone_wav(prompts / "en" / "greeting.wav", 0.2, 500, encoding="a-law")
    make_tone_wav(prompts / "music" / "hold.wav", 0.5, 300)
    (prompts / "en" / "broken.wav").write_bytes(b"not a wav")
    (prompts / "README.txt").write_text("not a prompt")
    audio = PromptAudio(str(tmp_path / "cache"))
    assert audio.warm((str(prompts),)) == 3
    assert len(list((tmp_path / "cache").glob("*.wav"))) == 3
    assert not list((tmp_path / "cache").glob("*.tmp"))
