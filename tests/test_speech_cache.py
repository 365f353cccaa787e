"""The speech cache: keys, whole files only, bad files are misses, and where it lives."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
import time
import wave
from pathlib import Path

import pytest

from assistant.cli import parser
from assistant.core.dialog import Triage
from assistant.io.speech_cache import (
    KEEP_DAYS,
    SpeechCache,
    VoiceSettings,
    default_folder,
    open_cache,
)
from assistant.io.speech_wav import LineAudio, first_sentence, read_line, write_line
from assistant.run import _known_lines

ROOT = Path(__file__).resolve().parents[1]
BASE = VoiceSettings(rate=150, voice=None, volume=None)
LINE = "Do you have any numbness or tingling?"


def wav_bytes(frames: int, rate: int = 22050) -> bytes:
    """A 16-bit mono WAV with `frames` samples of a small ramp, built in memory."""
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(b"".join((i % 200).to_bytes(2, "little") for i in range(frames)))
    return out.getvalue()


def audio(frames: int = 2205) -> LineAudio:
    line = read_line_from(wav_bytes(frames))
    assert line is not None
    return line


def read_line_from(data: bytes) -> LineAudio | None:
    with wave.open(io.BytesIO(data), "rb") as wav:
        return LineAudio(wav.readframes(wav.getnframes()), wav.getframerate())


@pytest.fixture
def cache(tmp_path: Path) -> SpeechCache:
    return SpeechCache(tmp_path, "espeak-ng 1.51 (test)")


# --- keys -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "settings", "identity"),
    [
        pytest.param(LINE + " ", BASE, "a", id="text"),
        pytest.param(LINE, VoiceSettings(130, None, None), "a", id="rate"),
        pytest.param(LINE, VoiceSettings(150, "gmw/en", None), "a", id="voice"),
        pytest.param(LINE, VoiceSettings(150, None, 0.5), "a", id="volume"),
        pytest.param(LINE, BASE, "b", id="synthesiser"),
    ],
)
def test_the_key_changes_with_words_rate_voice_volume_and_synthesiser(
    tmp_path: Path, text: str, settings: VoiceSettings, identity: str
) -> None:
    before = SpeechCache(tmp_path, "a").key(LINE, BASE)
    assert SpeechCache(tmp_path, identity).key(text, settings) != before


@pytest.mark.parametrize(
    "same",
    [
        pytest.param(VoiceSettings(150, None, 1.0), id="full-volume-is-the-default"),
        pytest.param(VoiceSettings(150, None, 1.7), id="volume-clamped"),
        pytest.param(VoiceSettings(150, None, 0.9999), id="volume-in-whole-percent"),
    ],
)
def test_settings_that_sound_the_same_share_a_key(cache: SpeechCache, same: VoiceSettings) -> None:
    assert cache.key(LINE, same) == cache.key(LINE, BASE)


def test_a_key_names_a_file_in_the_folder(cache: SpeechCache) -> None:
    key = cache.key(LINE, BASE)
    assert cache.path(key).parent == cache.folder
    assert cache.path(key).suffix == ".wav"
    assert LINE not in cache.path(key).name  # no words in file names


# --- whole files only -------------------------------------------------------------------------

BAD_FILES = {
    "empty-file": b"",
    "not-a-wav": b"this is not a sound file at all",
    "header-only": wav_bytes(0),
    "cut-short": wav_bytes(22050)[:30000],
}


@pytest.mark.parametrize("content", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_file_is_a_miss(cache: SpeechCache, content: bytes) -> None:
    key = cache.key(LINE, BASE)
    cache.path(key).write_bytes(content)
    assert not cache.has(key)
    assert cache.load(key) is None


def test_a_kept_line_is_whole_private_and_reads_back_the_same(cache: SpeechCache) -> None:
    key, line = cache.key(LINE, BASE), audio()
    cache.keep(key, line)
    assert cache.has(key)
    assert cache.load(key) == line
    assert cache.path(key).stat().st_mode & 0o777 == 0o600
    assert [p.name for p in cache.folder.iterdir()] == [f"{key}.wav"]  # no temporary left


def test_a_line_whose_making_fails_leaves_nothing_behind(cache: SpeechCache) -> None:
    key = cache.key(LINE, BASE)
    cache.keep(key, audio())

    def half_written(path: Path) -> None:
        path.write_bytes(wav_bytes(22050)[:1000])
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        cache.make(key, half_written)
    assert cache.load(key) == audio()  # the old line is untouched
    assert cache.make(key, Path.touch) is False  # an empty file is never put in place
    assert cache.load(key) == audio()
    assert [p.name for p in cache.folder.iterdir()] == [f"{key}.wav"]


def test_a_sweep_removes_old_lines_and_left_temporaries_only(cache: SpeechCache) -> None:
    fresh, old = cache.key("fresh", BASE), cache.key("old", BASE)
    cache.keep(fresh, audio())
    cache.keep(old, audio())
    left = cache.folder / ".abc.tmp"
    left.write_bytes(b"half")
    long_ago = time.time() - (KEEP_DAYS + 1) * 86400
    os.utime(cache.path(old), (long_ago, long_ago))
    os.utime(left, (long_ago, long_ago))
    assert cache.sweep() == 2
    assert [p.name for p in cache.folder.iterdir()] == [f"{fresh}.wav"]
    cache.touch(fresh)
    assert cache.sweep(now=time.time() + (KEEP_DAYS - 1) * 86400) == 0


# --- where it lives -----------------------------------------------------------------------------


def test_the_folder_follows_xdg_cache_home_else_home(tmp_path: Path) -> None:
    xdg = default_folder({"XDG_CACHE_HOME": str(tmp_path)})
    assert xdg == tmp_path / "back-assistant" / "speech"
    assert default_folder({}) == Path.home() / ".cache" / "back-assistant" / "speech"


def test_a_folder_that_cannot_be_written_falls_back_to_this_run_only(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    home = tmp_path / "home"
    home.write_text("a file where a folder should be: not writable, even by root")
    with caplog.at_level(logging.INFO, logger="assistant.io.speech_cache"):
        cache = open_cache(home / ".cache" / "speech", "id")
    assert cache is not None
    assert not cache.lasts
    assert not cache.folder.is_relative_to(home)
    assert len(caplog.records) == 1
    assert "for this run" in caplog.records[0].getMessage()


def test_without_espeak_ng_nothing_is_kept(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="assistant.io.speech_cache"):
        assert open_cache(None, None) is None
    assert len(caplog.records) == 1


def test_no_folder_means_a_temporary_one(tmp_path: Path) -> None:
    cache = open_cache(None, "id")
    assert cache is not None
    assert not cache.lasts
    assert cache.folder.is_dir()


START_SPEAKER = """
import logging, sys
logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
from assistant.run import _speaker
from assistant.cli import parser
speaker = _speaker(parser().parse_args(sys.argv[1:]), print)
speaker.prepare(["Thank you."])
print("PREPARED", speaker.inner.lines.wait_idle(20))
print("KEPT", speaker.inner.lines.cache.lasts)
"""


@pytest.mark.parametrize(
    ("home", "args", "lasts"),
    [
        pytest.param("/proc/self", [], False, id="read-only-home"),  # even for root
        pytest.param("/proc/no-such-home", [], False, id="missing-home"),
        pytest.param("file", [], False, id="home-is-a-file"),
        pytest.param("folder", [], True, id="writable-home"),
        pytest.param("folder", ["--no-speech-cache"], False, id="no-speech-cache"),
    ],
)
def test_the_assistant_starts_with_any_home_in_one_log_line_at_most(
    tmp_path: Path, home: str, args: list[str], lasts: bool
) -> None:
    folder = tmp_path / "home" if home in ("file", "folder") else Path(home)
    if home == "folder":
        folder.mkdir()
    elif home == "file":
        folder.write_text("not a folder")
    env = {"PATH": os.environ["PATH"], "HOME": str(folder), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", START_SPEAKER, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout.splitlines() == ["PREPARED True", f"KEPT {lasts}"]
    notes = [line for line in done.stderr.splitlines() if "speech_cache" in line]
    assert len(notes) == (0 if lasts or args else 1), done.stderr
    if lasts:
        assert len(list((folder / ".cache" / "back-assistant" / "speech").glob("*.wav"))) == 1


# --- sentences ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "first", "rest"),
    [
        ("Thank you. Take care.", "Thank you.", "Take care."),
        ("Is it in both legs, not just one?", "Is it in both legs, not just one?", ""),
        ("Where? Your legs, or your back?", "Where?", "Your legs, or your back?"),
        ("Call 911. Now. Please.", "Call 911.", "Now. Please."),
        ("You can ask, what is sciatica.", "You can ask, what is sciatica.", ""),
        ("  Hello.  I will ask.  ", "Hello.", "I will ask."),
    ],
)
def test_a_line_splits_after_its_first_sentence(text: str, first: str, rest: str) -> None:
    assert first_sentence(text) == (first, rest)


def test_a_line_written_is_read_back(tmp_path: Path) -> None:
    path = tmp_path / "line.wav"
    write_line(path, audio(100).then(audio(50)))
    line = read_line(path)
    assert line is not None
    assert line.seconds == pytest.approx(150 / 22050)


def test_speech_cache_dir_keeps_the_lines_there(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    env = {"PATH": os.environ["PATH"], "HOME": "/proc/self", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", START_SPEAKER, "--speech-cache", str(elsewhere)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stdout.splitlines() == ["PREPARED True", "KEPT True"], done.stderr
    assert len(list(elsewhere.glob("*.wav"))) == 1


def test_the_wake_prompt_is_prepared_before_the_dialog_lines(triage: Triage) -> None:
    args = parser().parse_args(["--wake", "hello helper", "--mute"])
    lines = _known_lines(args, triage)
    assert lines[0] == "When you want to start, say: hello helper."
    assert lines[1:] == triage.known_lines()
    assert _known_lines(parser().parse_args([]), triage) == triage.known_lines()


def test_a_cache_folder_and_no_cache_cannot_both_be_asked_for(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(["--speech-cache", "x", "--no-speech-cache"])
    assert "not allowed with" in capsys.readouterr().err
