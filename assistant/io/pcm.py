"""Sample conversions for replayed files: any WAV/AIFF encoding to 16-bit signed mono PCM."""

from __future__ import annotations

import io
import math
import operator
import sys
import wave
from array import array
from itertools import repeat


def float16(x: float) -> int:
    """A float sample (full scale 1.0) as a signed 16-bit one; NaN is silence."""
    if math.isnan(x):
        return 0
    return int(max(-32768.0, min(32767.0, x * 32768.0)))


def samples16(raw: bytes, bits: int, is_float: bool = False) -> array[int]:
    """Interleaved samples of any supported WAV encoding, scaled to signed 16-bit."""
    swap = sys.byteorder == "big"
    if is_float:
        floats = array("f" if bits == 32 else "d", raw)
        if swap:
            floats.byteswap()
        # NaN becomes 0; values beyond full scale (clipping) are held at full scale.
        return array("h", (float16(x) for x in floats))
    if bits == 8:  # unsigned, centred on 128
        return array("h", map(operator.lshift, map(operator.sub, raw, repeat(128)), repeat(8)))
    if bits == 16:
        out = array("h", raw)
    else:
        if bits == 24:  # widen to 32-bit by putting each sample in the top three bytes
            wide = bytearray(len(raw) // 3 * 4)
            for i in range(3):
                wide[i + 1 :: 4] = raw[i::3]
            raw = bytes(wide)
        ints = array("i", raw)
        if swap:
            ints.byteswap()
        return array("h", map(operator.rshift, ints, repeat(16)))
    if swap:
        out.byteswap()
    return out


def mono(samples: array[int], channels: int) -> array[int]:
    """Average the channels (an average cannot clip)."""
    if channels == 1:
        return samples
    total: list[int] = list(samples[0::channels])
    for ch in range(1, channels):
        total = list(map(operator.add, total, samples[ch::channels]))
    return array("h", map(operator.floordiv, total, repeat(channels)))


def to_mono16(raw: bytes, bits: int, channels: int, is_float: bool = False) -> bytes:
    """Interleaved little-endian samples of any supported encoding as 16-bit mono PCM bytes."""
    samples = mono(samples16(raw, bits, is_float), channels)
    if sys.byteorder == "big":
        samples.byteswap()
    return samples.tobytes()


def little_endian(raw: bytes, width: int) -> bytes:
    """Reverse the bytes of every sample."""
    if width == 1:
        return raw
    swapped = bytearray(len(raw))
    for i in range(width):
        swapped[i::width] = raw[width - 1 - i :: width]
    return bytes(swapped)


def as_wav(pcm: bytes, rate: int) -> io.BytesIO:
    """16-bit mono PCM wrapped as an in-memory WAV file, ready for AudioFile."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm)
    buffer.seek(0)
    return buffer
