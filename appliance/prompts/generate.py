"""Build-time generator of the prompt set: every prompt of appliance.engine.prompts in Mandarin
and English with espeak-ng and sox, plus tone-based hold music. Run
`python -m appliance.prompts.generate [--out DIR]`; the output is committed to the repository."""

from __future__ import annotations

import argparse
import array
import math
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

from appliance.engine.prompts import LANGUAGES, PROMPT_TEXTS
from appliance.prompts import HOLD_MUSIC, MUSIC_LANGUAGE, PROMPTS_DIR
from appliance.prompts.pinyin import split_languages, to_pinyin

ESPEAK_VOICES = {"zh": ("cmn-latn-pinyin", "150"), "en": ("en-gb", "155")}
# µ-law 8 kHz mono: the phone line's own format, half the size of 16-bit PCM.
SOX_OUTPUT = ["-r", "8000", "-c", "1", "-e", "u-law", "-b", "8"]


def _segments(text: str, language: str) -> list[tuple[str, str]]:
    """(espeak voice key, text to speak) runs for one prompt."""
    if language == "en":
        return [("en", text)]
    return [(lang, to_pinyin(chunk) if lang == "zh" else chunk) for lang, chunk in
            split_languages(text)]  # fmt: skip


def synthesise(text: str, language: str, out: Path, work: Path) -> None:
    pieces: list[str] = []
    for index, (voice_key, words) in enumerate(_segments(text, language)):
        voice, speed = ESPEAK_VOICES[voice_key]
        piece = work / f"piece{index}.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", speed, "-w", str(piece), words], check=True)
        pieces.append(str(piece))
    # Pad 80 ms of silence either end (clean starts on modems that click), normalise to -3 dBFS.
    subprocess.run(
        ["sox", *pieces, *SOX_OUTPUT, str(out), "norm", "-3", "pad", "0.08", "0.08"], check=True
    )


# A calm, royalty-free tune made of sine tones: C major arpeggios, 16 s, looped by the line.
_NOTES_HZ = {"C4": 261.63, "E4": 329.63, "G4": 392.0, "A4": 440.0, "C5": 523.25, "F4": 349.23,
             "D4": 293.66, "B3": 246.94}  # fmt: skip
_TUNE = [
    *("C4", "E4", "G4", "C5", "G4", "E4", "A4", "C5"),
    *("A4", "E4", "F4", "A4", "C5", "A4", "F4", "D4"),
    *("G4", "B3", "D4", "G4", "D4", "B3", "C4", "E4"),
    *("G4", "C5", "G4", "E4", "C4", "G4", "E4", "C4"),
]
_NOTE_S = 0.5


def hold_music_samples() -> array.array[int]:
    rate = 8000
    samples = array.array("h")
    for note in _TUNE:
        freq = _NOTES_HZ[note]
        count = int(_NOTE_S * rate)
        for i in range(count):
            t = i / rate
            # soft attack, exponential decay: a plucked, non-fatiguing sound
            envelope = min(1.0, t / 0.02) * math.exp(-3.0 * t)
            value = math.sin(2 * math.pi * freq * t) + 0.3 * math.sin(4 * math.pi * freq * t)
            samples.append(int(9000 * envelope * value))
    return samples


def write_hold_music(out: Path, work: Path) -> None:
    raw = work / "music.wav"
    pcm = hold_music_samples()
    if sys.byteorder == "big":
        pcm.byteswap()
    with wave.open(str(raw), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(pcm.tobytes())
    subprocess.run(["sox", str(raw), *SOX_OUTPUT, str(out)], check=True)


def generate(out_dir: Path) -> int:
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            print(f"{tool} is missing: apt-get install espeak-ng sox", file=sys.stderr)
            return 1
    count = 0
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for language_index, language in enumerate(LANGUAGES):
            (out_dir / language).mkdir(parents=True, exist_ok=True)
            for name, texts in sorted(PROMPT_TEXTS.items()):
                synthesise(texts[language_index], language, out_dir / language / f"{name}.wav",
                           work)  # fmt: skip
                count += 1
        (out_dir / MUSIC_LANGUAGE).mkdir(parents=True, exist_ok=True)
        write_hold_music(out_dir / MUSIC_LANGUAGE / f"{HOLD_MUSIC}.wav", work)
    print(f"wrote {count} prompts and hold music to {out_dir}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=PROMPTS_DIR, help="output directory")
    args = parser.parse_args(argv)
    return generate(args.out)


if __name__ == "__main__":
    sys.exit(main())
