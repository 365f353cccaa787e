"""`back-assistant doctor`: checks speech out, microphone, engines and models; says how to fix."""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from assistant.core import content as content_mod
from assistant.core.closing import Closing

Probe = Callable[[], tuple[bool, str]]


@dataclass(frozen=True)
class Check:
    """One part to check: the text key of its name, the probe, the fix, whether it is needed."""

    what: str
    probe: Probe
    fix: str
    fix_fields: tuple[tuple[str, str], ...] = ()
    needed: bool = True


def _module(name: str) -> Probe:
    def probe() -> tuple[bool, str]:
        spec = importlib.util.find_spec(name)
        return (spec is not None, spec.origin or name if spec else "not installed")

    return probe


def _program(name: str) -> Probe:
    def probe() -> tuple[bool, str]:
        path = shutil.which(name)
        return (path is not None, path or "not found")

    return probe


def _sound_output() -> tuple[bool, str]:
    """A sound server answers, or ALSA lists a playback device."""
    for cmd in (["pactl", "info"], ["aplay", "-l"]):
        if shutil.which(cmd[0]) is None:
            continue
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=5, check=False)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.returncode == 0 and ("Server Name" in out.stdout or "card " in out.stdout):
            line = next((ln for ln in out.stdout.splitlines() if ln.strip()), cmd[0])
            return True, line.strip()
    return False, "no sound server and no playback device"


def _microphone() -> tuple[bool, str]:
    try:
        from assistant.io.mic_device import list_microphones  # noqa: PLC0415

        mics = list_microphones()
    except Exception as exc:  # noqa: BLE001 - any failure means no usable microphone
        return False, str(getattr(exc, "fields", {}).get("detail", exc)) or type(exc).__name__
    if not mics:
        return False, "no input device"
    return True, "; ".join(f"{i}: {name}" for i, name in mics[:4])


def _vosk_model(env: Mapping[str, str]) -> Probe:
    def probe() -> tuple[bool, str]:
        from assistant.engines.models import find_vosk_model  # noqa: PLC0415

        path = find_vosk_model(None, env)
        return (path is not None, str(path) if path else "none found")

    return probe


def _whisper_model(env: Mapping[str, str]) -> Probe:
    def probe() -> tuple[bool, str]:
        from assistant.core.errors import EngineError  # noqa: PLC0415
        from assistant.engines.whisper_model import (  # noqa: PLC0415
            check_model_dir,
            find_whisper_model,
            verify_packaged,
        )

        found = find_whisper_model(None, env)
        if found is None:
            return False, "none found"
        try:
            verify_packaged(found.path, env) if found.packaged else check_model_dir(found.path)
        except EngineError as exc:
            return False, f"{found.path}: {exc.key}"
        return True, f"{found.path} ({found.source})"

    return probe


def engine_choice(env: Mapping[str, str]) -> str:
    """The text key saying which recogniser `--engine auto` uses here, and why."""
    if _vosk_model(env)()[0] and importlib.util.find_spec("vosk") is not None:
        return "doctor_engine_vosk"
    if importlib.util.find_spec("faster_whisper") is not None and _whisper_model(env)()[0]:
        return "doctor_engine_whisper"
    return "doctor_engine_sphinx"


def checks(env: Mapping[str, str]) -> list[Check]:
    """Everything voice use needs, most basic first."""
    pip = "doctor_fix_pip"
    return [
        Check("doctor_what_espeak", _program("espeak-ng"), "doctor_fix_espeak"),
        Check("doctor_what_pyttsx3", _module("pyttsx3"), pip, (("package", "pyttsx3"),)),
        Check("doctor_what_output", _sound_output, "doctor_fix_output"),
        Check(
            "doctor_what_speech_recognition",
            _module("speech_recognition"),
            pip,
            (("package", "SpeechRecognition"),),
        ),
        Check("doctor_what_pyaudio", _module("pyaudio"), "doctor_fix_pyaudio"),
        Check("doctor_what_microphone", _microphone, "doctor_fix_microphone"),
        Check("doctor_what_sphinx", _module("pocketsphinx"), pip, (("package", "pocketsphinx"),)),
        Check("doctor_what_vosk", _module("vosk"), pip, (("package", "vosk"),), needed=False),
        Check("doctor_what_vosk_model", _vosk_model(env), "doctor_fix_vosk_model", needed=False),
        Check(
            "doctor_what_whisper",
            _module("faster_whisper"),
            pip,
            (("package", "'back-assistant[whisper]'"),),
            needed=False,
        ),
        Check(
            "doctor_what_whisper_model",
            _whisper_model(env),
            "doctor_fix_whisper_model",
            needed=False,
        ),
        Check("doctor_what_flac", _program("flac"), "doctor_fix_flac", needed=False),
    ]


def doctor(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    """Print one line per check; exit 0 when everything needed for voice use is there, else 1."""
    content = content_mod.load(args.intents or content_mod.default_folder(args.lang))
    closing = Closing(content, content.settings.emergency_number)

    def text(key: str, **fields: str) -> str:
        return " ".join(s.text for s in closing.say(key, **fields))

    all_ok = True
    for check in checks(env):
        ok, detail = check.probe()
        what = text(check.what)
        if ok:
            print(text("doctor_ok", what=what, detail=detail))
            continue
        fix = text(check.fix, **dict(check.fix_fields))
        key = "doctor_missing" if check.needed else "doctor_optional"
        print(text(key, what=what, detail=detail, fix=fix))
        all_ok = all_ok and not check.needed
    print(text(engine_choice(env)))
    print(text("doctor_all_ok" if all_ok else "doctor_not_ok"))
    return 0 if all_ok else 1
