"""Text → a prompt WAV in the shipped set's format (µ-law 8 kHz mono) with espeak-ng and sox:
for the build-time generator and for the menu entries of queues the depot adds."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from appliance.prompts.pinyin import split_languages, to_pinyin

SPEECH_TOOLS = ("espeak-ng", "sox")
ESPEAK_VOICES = {"zh": ("cmn-latn-pinyin", "150"), "en": ("en-gb", "155")}
# µ-law 8 kHz mono: the phone line's own format, half the size of 16-bit PCM.
SOX_OUTPUT = ["-r", "8000", "-c", "1", "-e", "u-law", "-b", "8"]


def missing_tools() -> tuple[str, ...]:
    """The speech tools not installed (apt-get install espeak-ng sox)."""
    return tuple(tool for tool in SPEECH_TOOLS if shutil.which(tool) is None)


def _segments(text: str, language: str) -> list[tuple[str, str]]:
    """(espeak voice key, text to speak) runs for one prompt."""
    if language == "en":
        return [("en", text)]
    return [(lang, to_pinyin(chunk) if lang == "zh" else chunk) for lang, chunk in
            split_languages(text)]  # fmt: skip


def synthesise(text: str, language: str, out: Path, work: Path) -> None:
    """Speak `text` (language zh-CN or en) into the WAV file `out`, with `work` for pieces.
    KeyError names a Chinese character that cannot be read; CalledProcessError a tool that
    failed."""
    pieces: list[str] = []
    for index, (voice_key, words) in enumerate(_segments(text, language)):
        voice, speed = ESPEAK_VOICES[voice_key]
        piece = work / f"piece{index}.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", speed, "-w", str(piece), words],
            check=True,
            capture_output=True,
        )
        pieces.append(str(piece))
    # Pad 80 ms of silence either end (clean starts on modems that click), normalise to -3 dBFS.
    subprocess.run(
        ["sox", *pieces, *SOX_OUTPUT, str(out), "norm", "-3", "pad", "0.08", "0.08"],
        check=True,
        capture_output=True,
    )
