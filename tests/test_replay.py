"""Replay: each decodable file reaches the recognizer as 16 kHz mono 16-bit; bad ones fail fast."""

from __future__ import annotations

import math
import os
import random
import shutil
import struct
import subprocess
import time
import tracemalloc
import warnings
import wave
from array import array
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.core.content import load
from assistant.core.dialog import Triage
from assistant.core.errors import DETAIL_KEY, AudioInputError
from assistant.core.messages import EndOfInput, Expected, Heard, InputFailed, NotUnderstood, Silence
from assistant.core.ports import Audio
from assistant.io.capture import CaptureSettings
from assistant.io.replay import ReplayListener
from tests.audio_stack import speech_segments

pytest.importorskip("speech_recognition")

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

EXPECTED = Expected("q_pain_leg", ("yes", "no"))
LEVEL = 0.5
CLIPS = Path(__file__).resolve().parents[1] / "audio_fixtures" / "clips"
WORD = CLIPS / "bladder_yes_yes_m3_130_clean.wav"
WORD_SPEECH = (0.2, 0.68)
"""Where the spoken "yes" is in that fixture (seconds)."""
SECONDS = 2 * CaptureSettings().non_speaking + WORD_SPEECH[1] - WORD_SPEECH[0]
"""What one answer hands the recogniser: the word and the sound kept either side of it (its last
decode, made once that much quiet has followed the word)."""


class FakeRecognizer:
    """Records the Audio it is given and always hears "yes"."""

    name = "fake"

    def __init__(self) -> None:
        self.audio: list[Audio] = []

    def recognize(self, audio: Audio, expected: Expected) -> Heard:
        assert expected is EXPECTED
        self.audio.append(audio)
        return Heard("yes")


def signal(rate: int, level: float = LEVEL, repeats: int = 1) -> list[float]:
    """The spoken answer: "yes" (`repeats` times, 0.1 s apart) between 0.3 s of quiet, scaled to
    peak at `level`, at `rate`, as floats in -1..1."""
    with wave.open(str(WORD)) as w:
        pcm, own = w.readframes(w.getnframes()), w.getframerate()
    first, last = (round(t * own) for t in WORD_SPEECH)
    word = array("h", pcm)[first:last]
    if rate != own:
        word = array("h", audioop.ratecv(word.tobytes(), 2, 1, own, rate, None)[0])
    top = max(abs(x) for x in word)
    spoken = [level * x / top for x in word]
    lead, gap = [0.0] * int(0.3 * rate), [0.0] * int(0.1 * rate)
    body: list[float] = []
    for n in range(repeats):
        body += (gap if n else []) + spoken
    return lead + body + lead


def encode(samples: list[float], bits: int, is_float: bool = False) -> bytes:
    """Little-endian sample bytes in any WAV encoding."""
    if is_float:
        return array("f" if bits == 32 else "d", samples).tobytes()
    if bits == 8:
        return bytes(max(0, min(255, round(x * 127) + 128)) for x in samples)
    full = 2 ** (bits - 1) - 1
    ints = [max(-full - 1, min(full, round(x * full))) for x in samples]
    if bits == 24:
        return b"".join(v.to_bytes(3, "little", signed=True) for v in ints)
    return array("h" if bits == 16 else "i", ints).tobytes()


def riff(
    samples: list[float],
    rate: int,
    *,
    bits: int = 16,
    channels: int = 1,
    is_float: bool = False,
    extensible: bool = False,
    only_channel: int | None = None,
) -> bytes:
    """A whole WAV file, written with struct (the wave module cannot write float or EXTENSIBLE)."""
    frames: list[float] = []
    for x in samples:
        frames.extend(x if only_channel in (None, ch) else 0.0 for ch in range(channels))
    data = encode(frames, bits, is_float)
    tag = 3 if is_float else 1
    align = channels * bits // 8
    fmt = struct.pack(
        "<HHIIHH", 0xFFFE if extensible else tag, channels, rate, rate * align, align, bits
    )
    if extensible:
        guid_tail = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
        fmt += struct.pack("<HHI", 22, bits, 0) + struct.pack("<H", tag) + guid_tail
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data"
    body += struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def heard_one(path: Path) -> tuple[Audio, FakeRecognizer]:
    fake = FakeRecognizer()
    listener = ReplayListener([path], fake)
    assert listener.listen(EXPECTED) == Heard("yes")
    assert listener.listen(EXPECTED) == EndOfInput()
    return fake.audio[-1], fake


def peak(audio: Audio) -> int:
    return max(abs(s) for s in array("h", audio.pcm))


GOOD = [
    pytest.param(dict(rate=16000, bits=8), LEVEL, id="pcm8-16k"),
    pytest.param(dict(rate=16000, bits=16), LEVEL, id="pcm16-16k"),
    pytest.param(dict(rate=8000, bits=16), LEVEL, id="pcm16-8k"),
    pytest.param(dict(rate=22050, bits=16), LEVEL, id="pcm16-22k05"),
    pytest.param(dict(rate=44100, bits=16), LEVEL, id="pcm16-44k1"),
    pytest.param(dict(rate=48000, bits=16), LEVEL, id="pcm16-48k"),
    pytest.param(dict(rate=44100, bits=16, channels=2), LEVEL, id="pcm16-44k1-stereo"),
    pytest.param(dict(rate=48000, bits=24), LEVEL, id="pcm24-48k"),
    pytest.param(dict(rate=48000, bits=24, channels=2), LEVEL, id="pcm24-48k-stereo"),
    pytest.param(dict(rate=44100, bits=32), LEVEL, id="pcm32-44k1"),
    pytest.param(dict(rate=44100, bits=32, is_float=True), LEVEL, id="float32-44k1"),
    pytest.param(dict(rate=48000, bits=64, is_float=True), LEVEL, id="float64-48k"),
    pytest.param(dict(rate=16000, bits=16, extensible=True), LEVEL, id="extensible-pcm16"),
    pytest.param(
        dict(rate=48000, bits=32, channels=6, is_float=True, extensible=True),
        LEVEL,
        id="extensible-float32-48k-6ch",
    ),
    pytest.param(dict(rate=48000, bits=16, channels=6), LEVEL, id="pcm16-48k-6ch"),
    pytest.param(
        dict(rate=44100, bits=16, channels=2, only_channel=1), LEVEL / 2, id="stereo-right-only"
    ),
]


@pytest.mark.parametrize(("fmt", "level"), GOOD)
def test_each_format_reaches_the_recognizer_as_16k_mono_16bit(
    tmp_path: Path, fmt: dict[str, int], level: float
) -> None:
    rate = fmt["rate"]
    path = tmp_path / "answer.wav"
    path.write_bytes(riff(signal(rate), **fmt))  # type: ignore[arg-type]
    audio, _ = heard_one(path)
    assert audio.sample_rate == 16000
    assert len(audio.pcm) % 2 == 0
    assert len(audio.pcm) / 2 / 16000 == pytest.approx(SECONDS, abs=0.08)
    # The level survives width, channel and rate conversion (8-bit is coarse).
    assert peak(audio) == pytest.approx(level * 32767, rel=0.15)


def test_clipped_float_is_held_at_full_scale(tmp_path: Path) -> None:
    path = tmp_path / "loud.wav"
    samples = signal(44100, level=1.6) + [float("nan")] * 10
    path.write_bytes(riff(samples, 44100, bits=32, is_float=True))
    audio, _ = heard_one(path)
    assert peak(audio) >= 32000
    assert len(audio.pcm) / 2 / 16000 == pytest.approx(SECONDS, abs=0.08)


needs_sox = pytest.mark.skipif(shutil.which("sox") is None, reason="sox is not installed")


def sox(source: bytes, target: Path, *options: str) -> Path:
    wav = target.with_name("source.wav")
    wav.write_bytes(source)
    subprocess.run(["sox", str(wav), *options, str(target)], check=True, capture_output=True)
    return target


@needs_sox
@pytest.mark.parametrize(
    ("name", "options"),
    [
        pytest.param("answer.aiff", [], id="aiff-stereo"),
        pytest.param("answer.aiff", ["-b", "8", "-c", "1"], id="aiff-8bit"),
        pytest.param("answer.flac", [], id="flac-stereo"),
        pytest.param("answer.flac", ["-b", "24", "-r", "48000"], id="flac-24bit-48k"),
    ],
)
def test_aiff_and_flac(tmp_path: Path, name: str, options: list[str]) -> None:
    source = riff(signal(44100), 44100, bits=16, channels=2)
    audio, _ = heard_one(sox(source, tmp_path / name, *options))
    assert audio.sample_rate == 16000
    assert len(audio.pcm) / 2 / 16000 == pytest.approx(SECONDS, abs=0.08)
    # Stereo is averaged, not summed (AudioFile's own stream would double the level).
    assert peak(audio) == pytest.approx(LEVEL * 32767, rel=0.06)


@needs_sox
def test_six_channel_aiff_is_a_clear_error(tmp_path: Path) -> None:
    path = sox(riff(signal(16000), 16000, channels=6), tmp_path / "surround.aiff")
    with pytest.raises(AudioInputError) as caught:
        ReplayListener([path], FakeRecognizer())
    assert_clean(caught.value, "error_file_format", path)
    assert "more than 2 channels" in detail_of(caught.value)


# --- bad input --------------------------------------------------------------------------------


def _header_only() -> bytes:
    return riff([], 16000)


def _truncated() -> bytes:
    return riff(signal(16000), 16000)[:2000]


def _compressed() -> bytes:
    data = bytearray(riff(signal(16000), 16000))
    data[20:22] = struct.pack("<H", 0x0011)  # IMA ADPCM
    return bytes(data)


def _twelve_bit() -> bytes:
    data = bytearray(riff(signal(16000), 16000))
    data[34:36] = struct.pack("<H", 12)
    return bytes(data)


def _no_fmt() -> bytes:
    return b"RIFF" + struct.pack("<I", 12) + b"WAVE" + b"data" + struct.pack("<I", 0)


RNG = random.Random(7)

BAD: list[object] = [
    pytest.param(b"", "error_file_format", "empty", id="empty-file"),
    pytest.param(_header_only(), "error_file_format", "header only", id="header-only"),
    pytest.param(_truncated(), "error_file_format", "truncated", id="truncated-data"),
    pytest.param(b"RIFF\x24\x00\x00\x00WAV", "error_file_format", "header", id="cut-in-riff"),
    pytest.param(_header_only()[:30], "error_file_format", "cut short", id="cut-in-fmt"),
    pytest.param(_no_fmt(), "error_file_format", "format description", id="no-fmt-chunk"),
    pytest.param(_compressed(), "error_file_format", "0x0011", id="adpcm-wav"),
    pytest.param(_twelve_bit(), "error_file_format", "12-bit", id="12-bit"),
    pytest.param(RNG.randbytes(4000), "error_file_format", "not a WAV", id="random-bytes"),
    pytest.param(b"ID3\x04\x00" + bytes(500), "error_file_format", "MP3", id="mp3-id3"),
    pytest.param(b"\xff\xfb\x90\x64" + bytes(500), "error_file_format", "MP3", id="mp3-frame"),
    pytest.param(b"OggS\x00\x02" + bytes(500), "error_file_format", "Ogg", id="ogg"),
    pytest.param(
        b"RIFF\x00\x01\x00\x00AVI LIST" + bytes(64), "error_file_format", "not a WAV", id="avi"
    ),
    pytest.param(b"fLaC" + RNG.randbytes(300), "error_file_format", "FLAC", id="broken-flac"),
    pytest.param(
        b"FORM\x00\x00\x01\x00AIFF" + bytes(64), "error_file_format", "AIFF", id="broken-aiff"
    ),
]


def detail_of(error: AudioInputError) -> str:
    """What the error's {detail} says, from intents/ (its detail key must be defined there)."""
    texts = load().texts
    key = error.fields.get(DETAIL_KEY)
    assert key is None or key in texts, f"{key} is not in texts.yaml"
    return error.text_fields(texts).get("detail", "")


def assert_clean(error: AudioInputError, key: str, path: Path) -> None:
    assert error.key == key
    assert error.fields["path"] == str(path)
    # Raised from None (or from nothing): no library traceback rides along.
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__
    detail = detail_of(error)
    assert "\n" not in detail
    assert "Error" not in detail
    assert "Traceback" not in detail
    assert len(detail) < 100


@pytest.mark.parametrize(("content", "key", "says"), BAD)
def test_bad_files_fail_before_the_conversation(
    tmp_path: Path, content: bytes, key: str, says: str
) -> None:
    good = tmp_path / "1 good.wav"
    good.write_bytes(riff(signal(16000), 16000))
    bad = tmp_path / "2 bad.wav"
    bad.write_bytes(content)
    fake = FakeRecognizer()
    with pytest.raises(AudioInputError) as caught:
        ReplayListener([good, bad], fake)
    assert_clean(caught.value, key, bad)
    assert says.lower() in detail_of(caught.value).lower()
    assert fake.audio == []


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.wav"
    with pytest.raises(AudioInputError) as caught:
        ReplayListener([missing], FakeRecognizer())
    assert_clean(caught.value, "error_file_missing", missing)


def test_a_folder_without_audio(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not audio")
    (tmp_path / ".hidden.wav").write_bytes(riff(signal(16000), 16000))
    with pytest.raises(AudioInputError) as caught:
        ReplayListener([tmp_path], FakeRecognizer())
    assert_clean(caught.value, "error_no_audio_files", tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_a_file_without_read_permission(tmp_path: Path) -> None:
    path = tmp_path / "secret.wav"
    path.write_bytes(riff(signal(16000), 16000))
    path.chmod(0)
    with pytest.raises(AudioInputError) as caught:
        ReplayListener([path], FakeRecognizer())
    assert_clean(caught.value, "error_file_unreadable", path)
    assert detail_of(caught.value) == "permission denied"


def test_a_file_without_read_permission_even_as_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "secret.wav"
    path.write_bytes(riff(signal(16000), 16000))
    real_open: Callable[..., object] = Path.open

    def deny(self: Path, *args: object, **kwargs: object) -> object:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", deny)
    with pytest.raises(AudioInputError) as caught:
        ReplayListener([path], FakeRecognizer())
    assert_clean(caught.value, "error_file_unreadable", path)
    assert detail_of(caught.value) == "permission denied"


def test_a_file_removed_after_the_start_is_an_input_failure(tmp_path: Path) -> None:
    path = tmp_path / "answer.wav"
    path.write_bytes(riff(signal(16000), 16000))
    listener = ReplayListener([path], FakeRecognizer())
    path.unlink()
    event = listener.listen(EXPECTED)
    assert isinstance(event, InputFailed)
    assert event.key == "error_replay_file_lost"
    # The dialog says so (naming the file) and asks again; it used to crash on the {path} field.
    triage = Triage(load())
    state, _ = triage.start()
    state, actions = triage.step(state, event)
    said = " ".join(getattr(a, "text", "") for a in actions)
    assert "answer.wav" in said
    assert state.phase == "asking" and state.qid == "bladder"


# --- order, names, end ------------------------------------------------------------------------


def test_folders_expand_in_name_order_and_input_ends(tmp_path: Path) -> None:
    folder = tmp_path / "mes réponses"
    folder.mkdir()
    (folder / "sub").mkdir()
    (folder / "sub" / "0 inside.wav").write_bytes(riff(signal(16000), 16000))
    (folder / "readme.txt").write_text("skip me")
    # How many times "yes" is said tells which file reached the recognizer.
    lengths = {"b.wav": 1, "a.WAV": 2, "10 oui ü.wav": 3, "2.wav": 4}
    for name, repeats in lengths.items():
        (folder / name).write_bytes(riff(signal(16000, repeats=repeats), 16000))
    single = tmp_path / "last one.wav"
    single.write_bytes(riff(signal(16000), 16000))

    fake = FakeRecognizer()
    listener = ReplayListener([folder, single], fake)
    answers: list[Audio] = []

    def heard() -> object:
        event = listener.listen(EXPECTED)
        if fake.audio and (not answers or fake.audio[-1] is not answers[-1]):
            answers.append(fake.audio[-1])  # the answer's own result (early decodes before it)
        return event

    assert [p.name for p in listener.files] == [
        "10 oui ü.wav",
        "2.wav",
        "a.WAV",
        "b.wav",
        "last one.wav",
    ]
    events = [heard() for _ in range(7)]
    assert events == [Heard("yes")] * 5 + [EndOfInput()] * 2
    seconds = [len(a.pcm) / 2 / 16000 for a in answers]
    one, more = SECONDS, WORD_SPEECH[1] - WORD_SPEECH[0] + 0.1  # each repeat adds the word + gap
    expected = [one + more * (n - 1) for n in (3, 4, 2, 1, 1)]
    assert seconds == pytest.approx(expected, abs=0.1)


def test_a_silent_file_is_silence_and_a_click_is_not_understood(tmp_path: Path) -> None:
    quiet = tmp_path / "1 quiet.wav"
    quiet.write_bytes(riff([0.0] * 32000, 16000))
    click = tmp_path / "2 click.wav"
    click.write_bytes(riff([0.0] * 16000 + [0.9] * 200 + [0.0] * 8000, 16000))
    fake = FakeRecognizer()
    listener = ReplayListener([tmp_path], fake)
    assert listener.listen(EXPECTED) == Silence()
    assert listener.listen(EXPECTED) == NotUnderstood()
    assert fake.audio == []


def test_a_short_word_is_an_answer_not_a_click(tmp_path: Path) -> None:
    """187.5 ms of sound, three whole 62.5 ms chunks, as in a quick real "yes", is heard."""
    word = [LEVEL * math.sin(2 * math.pi * 220 * i / 16000) for i in range(3000)]
    path = tmp_path / "short.wav"
    path.write_bytes(riff([0.0] * 8000 + word + [0.0] * 8000, 16000))
    audio, _ = heard_one(path)
    assert len(audio.pcm) > 0


REAL = Path(__file__).resolve().parents[2] / "shared" / "real_speech"


@pytest.mark.skipif(not REAL.is_dir(), reason=f"no real recordings at {REAL}")
def test_every_real_yes_and_no_reaches_the_recogniser() -> None:
    """Through the capture path, as from the microphone: none of the real one-word answers is
    dropped as a click (two quick "yes" clips were, when the shortest answer was 0.2 s)."""
    files = sorted(REAL.glob("yes/*.wav")) + sorted(REAL.glob("no/*.wav"))
    assert files
    fake = FakeRecognizer()
    listener = ReplayListener(files, fake)
    events = [listener.listen(EXPECTED) for _ in files]
    dropped = [f.relative_to(REAL) for f, e in zip(files, events, strict=True) if e != Heard("yes")]
    assert not dropped


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_a_spoken_word_shorter_than_the_pause(tmp_path: Path) -> None:
    path = tmp_path / "yes.wav"
    subprocess.run(
        ["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(path), "yes"],
        check=True,
        capture_output=True,
    )
    seconds = (path.stat().st_size - 44) / 2 / 22050  # espeak-ng writes 22.05 kHz 16-bit mono
    assert seconds < 1.2
    sounding = speech_segments(path)[-1][1]  # the word; digital silence follows it
    audio, _ = heard_one(path)
    assert sounding <= len(audio.pcm) / 2 / 16000 <= seconds


# --- long files -------------------------------------------------------------------------------


def _write_long(path: Path, minutes: int, chunk: Callable[[int], bytes]) -> None:
    """A 16 kHz 16-bit mono WAV of `minutes`, written one second at a time."""
    frames = minutes * 60 * 16000
    with path.open("wb") as f:
        f.write(riff([], 16000)[:40] + struct.pack("<I", 2 * frames))
        for second in range(minutes * 60):
            f.write(chunk(second))
    with path.open("r+b") as f:  # the RIFF size, now that the data is there
        f.seek(4)
        f.write(struct.pack("<I", 36 + 2 * frames))


def _noise(second: int) -> bytes:
    rng = random.Random(second)
    return array("h", (rng.randint(-16000, 16000) for _ in range(16000))).tobytes()


@pytest.mark.parametrize(
    ("chunk", "expected"),
    [
        pytest.param(lambda _: bytes(32000), Silence(), id="10min-silence"),
        pytest.param(_noise, NotUnderstood(), id="10min-loud-noise"),
    ],
)
def test_a_ten_minute_file_is_one_bounded_answer(
    tmp_path: Path, chunk: Callable[[int], bytes], expected: object
) -> None:
    path = tmp_path / "long.wav"
    _write_long(path, 10, chunk)
    assert path.stat().st_size > 19_000_000
    fake = FakeRecognizer()
    tracemalloc.start()
    started = time.monotonic()
    try:
        listener = ReplayListener([path], fake, CaptureSettings(timeout=8.0, phrase_limit=15.0))
        event = listener.listen(EXPECTED)
        _, peak_bytes = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    took = time.monotonic() - started
    assert event == expected
    assert listener.listen(EXPECTED) == EndOfInput()
    assert fake.audio == []
    assert took < 10.0
    assert peak_bytes < 12_000_000  # only the first ~24 s (0.8 MB) of the 19 MB file is read
