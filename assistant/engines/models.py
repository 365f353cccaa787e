"""Finding a Vosk model on disk; downloading one (only on request) with Vosk's own downloader."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from pathlib import Path

from assistant.core.errors import EngineError

log = logging.getLogger(__name__)

ENV_MODEL = "BACK_ASSISTANT_VOSK_MODEL"
_ENGLISH = re.compile(r"vosk-model-.*en-us.*")


def vosk_model_dirs(env: Mapping[str, str], home: Path | None = None) -> list[Path]:
    """The folders Vosk itself searches (vosk.MODEL_DIRS in vosk 0.3.45), in its order."""
    home = Path.home() if home is None else home
    dirs = [Path(env["VOSK_MODEL_PATH"])] if env.get("VOSK_MODEL_PATH") else []
    return [*dirs, Path("/usr/share/vosk"), home / "AppData/Local/vosk", home / ".cache/vosk"]


def find_vosk_model(
    explicit: Path | None, env: Mapping[str, str], home: Path | None = None
) -> Path | None:
    """--vosk-model PATH, else $BACK_ASSISTANT_VOSK_MODEL, else an English model in Vosk's folders.

    An explicit path or the environment variable is returned as given (even if it does not exist,
    so that loading it reports the missing folder); the search returns None when nothing is found.
    """
    if explicit is not None:
        return explicit
    if env.get(ENV_MODEL):
        return Path(env[ENV_MODEL])
    for folder in vosk_model_dirs(env, home):
        if not folder.is_dir():
            continue
        found = sorted(p for p in folder.iterdir() if p.is_dir() and _ENGLISH.fullmatch(p.name))
        if found:
            log.debug("vosk model found: %s", found[0])
            return found[0]
    return None


def download_vosk_model(lang: str) -> Path:
    """Download Vosk's small model for `lang` into ~/.cache/vosk with Vosk's downloader.

    This is the only place that uses the network. Returns the model folder.
    """
    try:
        import vosk  # noqa: PLC0415 - lazy: the core must not pull in audio engines
    except ImportError as exc:
        raise EngineError(
            "error_engine_missing", engine="vosk", install="pip install vosk"
        ) from exc

    class _Downloader(vosk.Model):
        """Vosk's model lookup and download (with its progress bar), without loading the model."""

        def __init__(self) -> None:
            pass

        def __del__(self) -> None:
            pass

    try:
        return Path(_Downloader().get_model_path(None, lang))
    except SystemExit as exc:  # vosk prints "lang ... does not exist" and calls sys.exit(1)
        raise EngineError("error_model_missing", path=f"vosk-model-small-{lang}") from exc
    except (OSError, ValueError) as exc:  # requests' and urllib's errors are OSErrors
        raise EngineError("error_offline_download", lang=lang) from exc
