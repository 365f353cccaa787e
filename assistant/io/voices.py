"""The process's one pyttsx3 engine, and the voices it has (`--list-voices`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.io.speech_wav import speech_error


@dataclass(frozen=True)
class VoiceInfo:
    """One installed voice, as listed by `--list-voices`."""

    id: str
    name: str
    languages: tuple[str, ...]


def pyttsx3_engine() -> Any:
    """Return the process's pyttsx3 engine (pyttsx3 keeps one per driver) or raise."""
    try:
        import pyttsx3  # noqa: PLC0415 - heavy, optional: imported only when speech is wanted
    except ImportError as error:
        raise speech_error(f"pyttsx3 is not installed ({error})") from error
    try:
        return pyttsx3.init()
    except Exception as error:  # drivers raise anything
        raise speech_error(f"cannot start the speech engine: {error}") from error


def voices() -> list[VoiceInfo]:
    """Installed pyttsx3 voices; raises SpeechOutputError when no speech engine can start."""
    engine = pyttsx3_engine()
    return [
        VoiceInfo(str(v.id), str(v.name), tuple(str(lang) for lang in (v.languages or ())))
        for v in engine.getProperty("voices")
    ]
