"""Importing the core loads no audio library (STYLE.md: a pure core, adapters at the edge)."""

from __future__ import annotations

import subprocess
import sys

AUDIO = ["vosk", "pocketsphinx", "speech_recognition", "pyttsx3", "pyaudio", "sounddevice"]
CORE = [
    "assistant.core." + m
    for m in (
        "content",
        "validate",
        "grammar",
        "interpreter",
        "decide",
        "flow",
        "patterns",
        "scope",
        "words",
        "understanding",
        "reading",
        "clauses",
        "overlaps",
        "dialog",
        "closing",
        "state",
        "record",
        "flowchart",
        "messages",
        "ports",
        "errors",
        "text",
        "templates",
        "known_lines",
    )
] + ["assistant.session", "assistant.io.console"]


def test_core_imports_no_audio_library() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in CORE)
        + f"print([m for m in {AUDIO!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
