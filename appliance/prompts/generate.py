"""Build-time generator of the prompt set: every prompt of appliance.engine.prompts in Mandarin
and English with espeak-ng and sox, plus tone-based hold music. Run
`python -m appliance.prompts.generate [--out DIR]`; the output is committed to the repository."""

from __future__ import annotations

import argparse
import array
import math
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

from appliance.engine.prompts import LANGUAGES, PROMPT_TEXTS
from appliance.prompts import HOLD_MUSIC, MUSIC_LANGUAGE, PROMPTS_DIR
from appliance.prompts.speech import SOX_OUTPUT, missing_tools, synthesise

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
    for tool in missing_tools():
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
