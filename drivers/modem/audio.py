"""Voice-modem audio: the sample formats a modem speaks (8-bit linear, µ-law, A-law at 8 kHz),
reading prompt WAV files into them, writing recordings as 16-bit PCM WAV, and DLE shielding."""

from __future__ import annotations

import array
import enum
import os
import struct
import sys
import wave
from collections.abc import Sequence
from functools import cache

SAMPLE_RATE_HZ = 8000
DLE = 0x10
ETX = 0x03


class ModemAudioError(Exception):
    """A prompt or recording file cannot be used; the message names the file and the problem."""


class SampleFormat(enum.Enum):
    """The modem's 8-bit sample format at 8 kHz (one byte per sample, 8000 bytes a second)."""

    UNSIGNED_LINEAR = "u8"  # V.253 id 1, USR 128; silence 0x80
    SIGNED_LINEAR = "s8"  # V.253 id 0; silence 0x00
    ULAW = "ulaw"  # V.253 id 4; silence 0xFF
    ALAW = "alaw"  # V.253 id 5; silence 0xD5

    @property
    def silence(self) -> int:
        return {"u8": 0x80, "s8": 0x00, "ulaw": 0xFF, "alaw": 0xD5}[self.value]


# ---------------------------------------------------------------------------------------------
# G.711 (ITU-T) companding, as in the reference implementation


def _ulaw_encode_one(sample: int) -> int:
    bias, clip = 0x84, 32635
    mask = 0x7F if sample < 0 else 0xFF
    magnitude = min(abs(sample), clip) + bias
    exponent = max(0, magnitude.bit_length() - 8)
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return ((exponent << 4) | mantissa) ^ mask


def _ulaw_decode_one(code: int) -> int:
    code = ~code & 0xFF
    magnitude = ((((code & 0x0F) << 3) + 0x84) << ((code >> 4) & 0x07)) - 0x84
    return -magnitude if code & 0x80 else magnitude


_ALAW_SEGMENT_ENDS = (0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF)


def _alaw_encode_one(sample: int) -> int:
    value = sample >> 3
    if value >= 0:
        mask = 0xD5
    else:
        mask = 0x55
        value = -value - 1
    segment = next((i for i, end in enumerate(_ALAW_SEGMENT_ENDS) if value <= end), 8)
    if segment >= 8:
        return 0x7F ^ mask
    code = segment << 4
    code |= (value >> 1) & 0x0F if segment < 2 else (value >> segment) & 0x0F
    return code ^ mask


def _alaw_decode_one(code: int) -> int:
    code ^= 0x55
    magnitude = (code & 0x0F) << 4
    segment = (code & 0x70) >> 4
    if segment == 0:
        magnitude += 8
    else:
        magnitude = (magnitude + 0x108) << (segment - 1)
    return magnitude if code & 0x80 else -magnitude


@cache
def _decode_table(fmt: SampleFormat) -> tuple[int, ...]:
    if fmt is SampleFormat.UNSIGNED_LINEAR:
        return tuple((b - 128) << 8 for b in range(256))
    if fmt is SampleFormat.SIGNED_LINEAR:
        return tuple((b - 256 if b > 127 else b) << 8 for b in range(256))
    if fmt is SampleFormat.ULAW:
        return tuple(_ulaw_decode_one(b) for b in range(256))
    return tuple(_alaw_decode_one(b) for b in range(256))


@cache
def _encode_table(fmt: SampleFormat) -> bytes:
    """Indexed by the 16-bit sample as an unsigned number (sample & 0xFFFF)."""
    out = bytearray(65536)
    for index in range(65536):
        sample = index - 65536 if index > 32767 else index
        if fmt is SampleFormat.UNSIGNED_LINEAR:
            out[index] = (sample >> 8) + 128
        elif fmt is SampleFormat.SIGNED_LINEAR:
            out[index] = (sample >> 8) & 0xFF
        elif fmt is SampleFormat.ULAW:
            out[index] = _ulaw_encode_one(sample)
        else:
            out[index] = _alaw_encode_one(sample)
    return bytes(out)


def encode(samples: Sequence[int], fmt: SampleFormat) -> bytes:
    """16-bit signed samples → the modem's bytes."""
    table = _encode_table(fmt)
    # the same bits read as unsigned index the table; map() keeps the loop in C
    unsigned = array.array("H")
    unsigned.frombytes(array.array("h", samples).tobytes())
    return bytes(map(table.__getitem__, unsigned))


def decode(data: bytes, fmt: SampleFormat) -> array.array[int]:
    """The modem's bytes → 16-bit signed samples."""
    table = _decode_table(fmt)
    return array.array("h", map(table.__getitem__, data))


def pcm16_to_modem(frame: bytes, fmt: SampleFormat) -> bytes:
    """Little-endian 16-bit PCM bytes → the modem's bytes."""
    samples = array.array("h")
    samples.frombytes(frame[: len(frame) - len(frame) % 2])
    if sys.byteorder == "big":
        samples.byteswap()
    return encode(samples, fmt)


def modem_to_pcm16(data: bytes, fmt: SampleFormat) -> bytes:
    """The modem's bytes → little-endian 16-bit PCM bytes."""
    samples = decode(data, fmt)
    if sys.byteorder == "big":
        samples.byteswap()
    return samples.tobytes()


# ---------------------------------------------------------------------------------------------
# WAV files


_WAV_PCM, _WAV_ALAW, _WAV_ULAW = 1, 6, 7


def read_wav(path: str | os.PathLike[str]) -> array.array[int]:
    """Read a WAV file (PCM 8/16-bit, µ-law or A-law, any rate, mono or stereo) as 16-bit mono
    samples at 8 kHz, so any recorded prompt of the right name can replace a generated one."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise ModemAudioError(f"cannot read prompt file {path}: {e.strerror}") from e
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ModemAudioError(f"{path} is not a WAV file")
    fmt_chunk: bytes | None = None
    body: bytes | None = None
    pos = 12
    while pos + 8 <= len(data):
        chunk_id, size = struct.unpack_from("<4sI", data, pos)
        chunk = data[pos + 8 : pos + 8 + size]
        if chunk_id == b"fmt ":
            fmt_chunk = chunk
        elif chunk_id == b"data":
            body = chunk
        pos += 8 + size + (size & 1)
    if fmt_chunk is None or body is None or len(fmt_chunk) < 16:
        raise ModemAudioError(f"{path} has no audio (a WAV file needs fmt and data chunks)")
    tag, channels, rate_hz, _, _, bits = struct.unpack_from("<HHIIHH", fmt_chunk)
    if tag == 0xFFFE and len(fmt_chunk) >= 26:  # WAVE_FORMAT_EXTENSIBLE: the sub-format says
        tag = struct.unpack_from("<H", fmt_chunk, 24)[0]
    if channels < 1 or rate_hz < 1:
        raise ModemAudioError(f"{path}: bad WAV header ({channels} channels, {rate_hz} Hz)")
    if tag == _WAV_PCM and bits == 16:
        samples = array.array("h")
        samples.frombytes(body[: len(body) - len(body) % 2])
        if sys.byteorder == "big":
            samples.byteswap()
    elif tag == _WAV_PCM and bits == 8:
        samples = decode(body, SampleFormat.UNSIGNED_LINEAR)
    elif tag == _WAV_ULAW and bits == 8:
        samples = decode(body, SampleFormat.ULAW)
    elif tag == _WAV_ALAW and bits == 8:
        samples = decode(body, SampleFormat.ALAW)
    else:
        raise ModemAudioError(
            f"{path}: unsupported WAV encoding (format {tag}, {bits} bits); "
            "use 16-bit PCM, 8-bit PCM, µ-law or A-law"
        )
    if channels > 1:
        samples = array.array(
            "h",
            (
                sum(samples[i : i + channels]) // channels
                for i in range(0, len(samples) - channels + 1, channels)
            ),
        )
    if rate_hz != SAMPLE_RATE_HZ:
        samples = _resample(samples, rate_hz)
    return samples


def _resample(samples: array.array[int], rate_hz: int) -> array.array[int]:
    """Linear interpolation to 8 kHz: good enough for speech on a phone line."""
    count = int(len(samples) * SAMPLE_RATE_HZ / rate_hz)
    step = rate_hz / SAMPLE_RATE_HZ
    out = array.array("h")
    last = len(samples) - 1
    for i in range(count):
        x = i * step
        j = int(x)
        frac = x - j
        a = samples[min(j, last)]
        b = samples[min(j + 1, last)]
        out.append(int(a + (b - a) * frac))
    return out


def write_wav(path: str | os.PathLike[str], samples: Sequence[int]) -> None:
    """Write 16-bit mono PCM at 8 kHz (a recording the web UI and any player can open)."""
    pcm = array.array("h", samples)
    if sys.byteorder == "big":
        pcm.byteswap()
    with wave.open(os.fspath(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE_HZ)
        w.writeframes(pcm.tobytes())


def write_ulaw_wav(path: str | os.PathLike[str], samples: Sequence[int]) -> None:
    """Write µ-law mono at 8 kHz (the prompt set's format: half the size of 16-bit PCM)."""
    body = encode(samples, SampleFormat.ULAW)
    fmt_chunk = struct.pack("<HHIIHHH", _WAV_ULAW, 1, SAMPLE_RATE_HZ, SAMPLE_RATE_HZ, 1, 8, 0)
    fact = struct.pack("<4sII", b"fact", 4, len(body))
    riff_body = (
        b"WAVE"
        + struct.pack("<4sI", b"fmt ", len(fmt_chunk))
        + fmt_chunk
        + fact
        + struct.pack("<4sI", b"data", len(body))
        + body
        + (b"\x00" if len(body) & 1 else b"")
    )
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", len(riff_body)) + riff_body)


# ---------------------------------------------------------------------------------------------
# DLE shielding (host → modem during AT+VTX / AT+VTR)


def dle_shield(data: bytes) -> bytes:
    """Double every 0x10 so the modem does not read audio as a command."""
    return data.replace(b"\x10", b"\x10\x10")


def find_prompt(
    prompt_dirs: Sequence[str | os.PathLike[str]], language: str, name: str
) -> str | None:
    """The first `<dir>/<language>/<name>.wav` that exists, in the order given (recorded
    overrides first, the generated set last)."""
    for directory in prompt_dirs:
        candidate = os.path.join(os.fspath(directory), language, f"{name}.wav")
        if os.path.isfile(candidate):
            return candidate
    return None
