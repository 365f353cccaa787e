"""Audio files given to --replay: each one checked before the conversation, then decoded in turn.

Every way a file can be broken (missing, unreadable, not audio, a cut or impossible WAV header)
becomes one AudioInputError whose detail is a text in intents/. WAV is read here in pure Python
(PCM 8/16/24/32-bit, 32/64-bit float, WAVE_FORMAT_EXTENSIBLE, any rate, any channel count); AIFF
and FLAC (mono or stereo) are read by SpeechRecognition's AudioFile (FLAC needs the `flac`
program). Either way `load` gives 16-bit mono at the file's own rate, in an in-memory WAV.
"""

from __future__ import annotations

import errno
import io
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from assistant.core.errors import DETAIL_KEY, AudioInputError
from assistant.io.pcm import as_wav, little_endian, to_mono16

AUDIO_SUFFIXES = frozenset({".wav", ".wave", ".aif", ".aiff", ".aifc", ".flac"})
"""File name endings taken from a directory (a file named explicitly is judged by its content)."""

_PCM, _FLOAT, _EXTENSIBLE = 0x0001, 0x0003, 0xFFFE
_UNKNOWN_SIZES = (0xFFFFFFFF, 0x7FFFFFFF)  # streaming writers that never went back to the header


@dataclass(frozen=True)
class Clip:
    """One checked input file: its kind and, for WAV, where and how its samples are stored."""

    path: Path
    kind: str  # "wav", "aiff" or "flac"
    is_float: bool = False
    bits: int = 16
    channels: int = 1
    rate: int = 16000
    data_offset: int = 0
    data_size: int = 0


def _error(key: str, path: Path, detail: str | None = None, **values: str) -> AudioInputError:
    """The error `key` about `path`; `detail` names the text in intents/ saying what is wrong."""
    fields = {"path": str(path), **values}
    if detail is not None:
        fields[DETAIL_KEY] = detail
    return AudioInputError(key, **fields)


def expand(paths: Sequence[Path]) -> list[Path]:
    """Files in the given order; a directory gives its audio files (not sub-folders) by name."""
    files: list[Path] = []
    for path in map(Path, paths):
        try:
            folder = path.is_dir()
        except OSError as error:  # a parent folder we may not enter: PermissionError
            raise _unreadable(path, error) from None
        if not folder:
            files.append(path)
            continue
        try:
            entries = sorted(path.iterdir(), key=lambda p: p.name)
        except OSError as error:
            raise _unreadable(path, error) from None
        found = [
            p
            for p in entries
            if p.suffix.lower() in AUDIO_SUFFIXES and not p.name.startswith(".") and p.is_file()
        ]
        if not found:
            raise _error("error_no_audio_files", path)
        files.extend(found)
    if not files:
        raise AudioInputError("error_no_audio_files", path="")
    return files


def _unreadable(path: Path, error: OSError) -> AudioInputError:
    if error.errno in (errno.EACCES, errno.EPERM):
        return _error("error_file_unreadable", path, "file_detail_permission")
    if error.errno == errno.EISDIR:
        return _error("error_file_unreadable", path, "file_detail_folder")
    name = errno.errorcode.get(error.errno or 0, "?")
    return _error("error_file_unreadable", path, "file_detail_system", code=name)


def _sniff(head: bytes) -> str:
    """The text key naming what the first bytes look like, for the message about the file."""
    if not head:
        return "file_detail_empty"
    if head[:4] == b"RF64":
        return "file_detail_rf64"
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "file_detail_mp3"
    if head[:4] == b"OggS":
        return "file_detail_ogg"
    if head[:4] == b"RIFF" and len(head) < 12:
        return "file_detail_header_cut"
    return "file_detail_not_audio"


def _parse_wav(f: BinaryIO, path: Path, file_size: int) -> Clip:
    """Walk the RIFF chunks up to `data`; every way a WAV can be broken becomes one error."""

    def bad(detail: str, **values: str) -> AudioInputError:
        return _error("error_file_format", path, detail, **values)

    f.seek(12)
    fmt: bytes | None = None
    while True:
        header = f.read(8)
        if len(header) < 8:
            raise bad("file_detail_no_data_part")
        chunk_id, size = header[:4], struct.unpack("<I", header[4:])[0]
        if chunk_id == b"fmt ":
            fmt = f.read(size)
            if len(fmt) < 16 or len(fmt) < size:
                raise bad("file_detail_header_cut")
            f.seek(size & 1, io.SEEK_CUR)
        elif chunk_id == b"data":
            break
        else:
            f.seek(size + (size & 1), io.SEEK_CUR)
    if fmt is None:
        raise bad("file_detail_no_format")
    is_float, bits, channels, rate = _wav_format(fmt, bad)
    align = channels * bits // 8
    offset = f.tell()
    available = file_size - offset
    if size in _UNKNOWN_SIZES:
        size = available
    if size > available:
        have, promised = available / (align * rate), size / (align * rate)
        raise bad("file_detail_truncated", have=f"{have:.2f}", promised=f"{promised:.2f}")
    size -= size % align
    if size == 0:
        raise bad("file_detail_header_only")
    return Clip(path, "wav", is_float, bits, channels, rate, offset, size)


def _wav_format(fmt: bytes, bad: Callable[..., AudioInputError]) -> tuple[bool, int, int, int]:
    """(is_float, bits, channels, rate) from a `fmt ` chunk we can decode."""
    tag, channels, rate, _, align, bits = struct.unpack("<HHIIHH", fmt[:16])
    if tag == _EXTENSIBLE and len(fmt) >= 26:
        tag = struct.unpack("<H", fmt[24:26])[0]  # first two bytes of the sub-format GUID
    if tag not in (_PCM, _FLOAT):
        raise bad("file_detail_compressed", code=f"0x{tag:04X}")
    supported = (32, 64) if tag == _FLOAT else (8, 16, 24, 32)
    if bits not in supported:
        raise bad("file_detail_bits", bits=str(bits))
    if channels < 1 or rate < 1000 or rate > 768000 or align != channels * bits // 8:
        raise bad("file_detail_impossible")
    return tag == _FLOAT, bits, channels, rate


def _check_with_audiofile(path: Path, kind: str) -> None:
    """AIFF and FLAC are decoded by SpeechRecognition; make sure it can, before the session."""
    _decode_with_audiofile(Clip(path, kind), seconds=0.1)


def check(path: Path) -> Clip:
    """Everything that can be wrong with one input file, as one AudioInputError."""
    try:
        exists = path.exists()
    except OSError as error:  # Path.exists() lets PermissionError through
        raise _unreadable(path, error) from None
    if not exists:
        raise _error("error_file_missing", path)
    try:
        with path.open("rb") as f:
            head = f.read(12)
            size = path.stat().st_size
            if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
                return _parse_wav(f, path, size)
    except OSError as error:
        raise _unreadable(path, error) from None
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        _check_with_audiofile(path, "aiff")
        return Clip(path, "aiff")
    if head[:4] == b"fLaC":
        _check_with_audiofile(path, "flac")
        return Clip(path, "flac")
    raise _error("error_file_format", path, _sniff(head))


# --- decoding to 16-bit mono --------------------------------------------------------------------


def _decode_wav(clip: Clip, seconds: float) -> tuple[bytes, int]:
    align = clip.channels * clip.bits // 8
    wanted = min(clip.data_size, int(seconds * clip.rate) * align)
    with clip.path.open("rb") as f:
        f.seek(clip.data_offset)
        raw = f.read(wanted)
    raw = raw[: len(raw) - len(raw) % align]
    return to_mono16(raw, clip.bits, clip.channels, clip.is_float), clip.rate


def _decode_with_audiofile(clip: Clip, seconds: float) -> tuple[bytes, int]:
    """Decode AIFF/FLAC with AudioFile, but take its raw frames and mix the channels here.

    AudioFile's own stream adds the two channels of a stereo file (audioop.tomono with factors
    1, 1), which doubles the level and clips loud speech; we average them like every WAV.
    """
    import speech_recognition as sr  # noqa: PLC0415 - lazy: the library is an optional extra

    try:
        with sr.AudioFile(str(clip.path)) as source:
            reader = source.audio_reader
            rate, width, channels = (
                reader.getframerate(),
                reader.getsampwidth(),
                reader.getnchannels(),
            )
            raw = reader.readframes(min(reader.getnframes(), int(seconds * rate)))
            big_endian = not source.little_endian
    except AssertionError:  # AudioFile asserts mono or stereo
        raise _error(
            "error_file_format", clip.path, "file_detail_channels", kind=clip.kind.upper()
        ) from None
    except Exception:  # noqa: BLE001 - aifc, the flac program and AudioFile raise assorted types
        raise _error(
            "error_file_format", clip.path, "file_detail_undecodable", kind=clip.kind.upper()
        ) from None
    if width not in (1, 2, 3, 4):
        raise _error("error_file_format", clip.path, "file_detail_bits", bits=str(8 * width))
    raw = raw[: len(raw) - len(raw) % (width * channels)]
    if big_endian:
        raw = little_endian(raw, width)
    if width == 1:  # AIFF's 8-bit samples are signed; to_mono16 expects WAV's unsigned ones
        raw = bytes((b + 128) & 0xFF for b in raw)
    return to_mono16(raw, 8 * width, channels), rate


def load(clip: Clip, seconds: float) -> io.BytesIO:
    """Return the first `seconds` of a checked file as an in-memory 16-bit mono WAV."""
    try:
        if clip.kind == "wav":
            pcm, rate = _decode_wav(clip, seconds)
        else:
            pcm, rate = _decode_with_audiofile(clip, seconds)
    except OSError as error:
        raise _unreadable(clip.path, error) from None
    return as_wav(pcm, rate)
