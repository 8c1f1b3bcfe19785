"""Prompt files made playable by the bridge: pjmedia's playlist takes only 16-bit PCM WAV, and
the prompt set is µ-law (any WAV may replace a prompt). Each file is converted once to 8 kHz
mono 16-bit PCM in a cache directory and the cached copy is played."""

from __future__ import annotations

import array
import hashlib
import os
import struct
import sys
import tempfile

from drivers.sip.errors import SipError

_PCM, _FLOAT, _ALAW, _ULAW, _EXTENSIBLE = 1, 3, 6, 7, 0xFFFE
RATE_HZ = 8000


def _ulaw_to_linear(byte: int) -> int:
    byte = ~byte & 0xFF
    magnitude = (((byte & 0x0F) << 3) + 0x84) << ((byte & 0x70) >> 4)
    return (0x84 - magnitude) if byte & 0x80 else (magnitude - 0x84)


def _alaw_to_linear(byte: int) -> int:
    byte ^= 0x55
    exponent = (byte & 0x70) >> 4
    mantissa = byte & 0x0F
    value = (mantissa << 4) + 8 if exponent == 0 else ((mantissa << 4) + 0x108) << (exponent - 1)
    return value if byte & 0x80 else -value


_ULAW_TABLE = [_ulaw_to_linear(b) for b in range(256)]
_ALAW_TABLE = [_alaw_to_linear(b) for b in range(256)]


def _chunks(data: bytes) -> dict[bytes, bytes]:
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise SipError("not a WAV file (no RIFF/WAVE header)")
    chunks: dict[bytes, bytes] = {}
    offset = 12
    while offset + 8 <= len(data):
        name, size = (
            data[offset : offset + 4],
            struct.unpack("<I", data[offset + 4 : offset + 8])[0],
        )
        chunks.setdefault(name, data[offset + 8 : offset + 8 + size])
        offset += 8 + size + (size & 1)
    if b"fmt " not in chunks or b"data" not in chunks:
        raise SipError("WAV file without a fmt or data chunk")
    return chunks


def decode_wav(data: bytes) -> array.array[int]:
    """Any common WAV (8/16/24/32-bit PCM, float, A-law, µ-law; mono or more channels; any
    rate) → signed 16-bit mono samples at 8 kHz."""
    chunks = _chunks(data)
    fmt = chunks[b"fmt "]
    if len(fmt) < 16:
        raise SipError("WAV fmt chunk too short")
    tag, channels, rate, _, block, bits = struct.unpack("<HHIIHH", fmt[:16])
    if tag == _EXTENSIBLE and len(fmt) >= 26:
        tag = struct.unpack("<H", fmt[24:26])[0]
    if channels < 1 or rate < 1000 or block < 1:
        raise SipError(f"WAV with {channels} channels at {rate} Hz cannot be played")
    raw = chunks[b"data"]
    raw = raw[: len(raw) - len(raw) % block]
    samples: list[int] | array.array[int]
    if tag == _ULAW and bits == 8:
        samples = [_ULAW_TABLE[b] for b in raw]
    elif tag == _ALAW and bits == 8:
        samples = [_ALAW_TABLE[b] for b in raw]
    elif tag == _PCM and bits == 8:
        samples = [(b - 128) << 8 for b in raw]
    elif tag == _PCM and bits == 16:
        samples = array.array("h", raw)
        if sys.byteorder == "big":
            samples.byteswap()
    elif tag == _PCM and bits in (24, 32):
        width = bits // 8
        samples = [
            int.from_bytes(raw[i : i + width], "little", signed=True) >> (bits - 16)
            for i in range(0, len(raw), width)
        ]
    elif tag == _FLOAT and bits == 32:
        floats = array.array("f", raw)
        samples = [max(-32768, min(32767, int(f * 32767))) for f in floats]
    else:
        raise SipError(f"WAV encoding {tag} with {bits} bits is not supported; use PCM or G.711")
    if channels > 1:
        samples = [
            sum(samples[i : i + channels]) // channels for i in range(0, len(samples), channels)
        ]
    if rate != RATE_HZ:
        step = rate / RATE_HZ
        count = int(len(samples) / step)
        samples = [samples[min(len(samples) - 1, int(n * step))] for n in range(count)]
    return array.array("h", samples)


def pcm_wav(samples: array.array[int]) -> bytes:
    body = samples.tobytes() if sys.byteorder == "little" else _swapped(samples)
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + len(body),
        b"WAVE",
        b"fmt ",
        16,
        _PCM,
        1,
        RATE_HZ,
        RATE_HZ * 2,
        2,
        16,
        b"data",
        len(body),
    )
    return header + body


def _swapped(samples: array.array[int]) -> bytes:
    copy = array.array("h", samples)
    copy.byteswap()
    return copy.tobytes()


class PromptAudio:
    """Maps a prompt file to a playable 8 kHz 16-bit PCM copy, converting it once."""

    def __init__(self, cache_dir: str = "") -> None:
        self._cache_dir = cache_dir or os.path.join(tempfile.gettempdir(), "depotline-prompts")

    def playable(self, path: str) -> str:
        stat = os.stat(path)
        key = hashlib.sha1(f"{path}|{stat.st_mtime_ns}|{stat.st_size}".encode()).hexdigest()
        cached = os.path.join(self._cache_dir, f"{key[:20]}.wav")
        if os.path.exists(cached):
            return cached
        with open(path, "rb") as source:
            data = source.read()
        try:
            converted = pcm_wav(decode_wav(data))
        except SipError as error:
            raise SipError(f"prompt {path}: {error}") from error
        os.makedirs(self._cache_dir, exist_ok=True)
        # a unique temporary name: the warm-up thread and a call may convert the same file
        handle, temporary = tempfile.mkstemp(suffix=".tmp", dir=self._cache_dir)
        with os.fdopen(handle, "wb") as target:
            target.write(converted)
        os.replace(temporary, cached)
        return cached

    def warm(self, directories: tuple[str, ...]) -> int:
        """Convert every prompt in the directories ahead of the first call; returns how many.
        A file that cannot be converted is left for the call to report."""
        count = 0
        for directory in directories:
            for root, _, files in os.walk(directory):
                for name in sorted(files):
                    if not name.lower().endswith(".wav"):
                        continue
                    try:
                        self.playable(os.path.join(root, name))
                    except (SipError, OSError):
                        continue
                    count += 1
        return count
