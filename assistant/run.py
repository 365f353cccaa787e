"""Building the adapters for a session, running it, and writing the record and summary."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from difflib import SequenceMatcher
from functools import partial
from operator import itemgetter
from types import FrameType
from typing import TYPE_CHECKING, Any, TypeVar

from assistant.core.content import Content
from assistant.core.dialog import Triage
from assistant.core.errors import AssistantError, ExitCode, SpeechOutputError
from assistant.core.messages import EndOfInput, Expected, Heard
from assistant.core.ports import Listener, Recognizer, Speaker
from assistant.core.record import record, summary_text
from assistant.core.state import State
from assistant.engines.loading import Loading, LoadingRecognizer
from assistant.files import write_private
from assistant.io.console import Captions, TextListener
from assistant.session import Interrupted, Session
from assistant.start_notes import StartNotes

if TYPE_CHECKING:
    from assistant.engines.select import Note
    from assistant.io.mic_device import Opened

log = logging.getLogger(__name__)

T = TypeVar("T")

ENGINE_WAIT_S = 3.0
"""The speech recogniser starts loading when the first line is on its way (its imports would
otherwise slow the first word down), or after this many seconds without one."""


def run_session(
    args: argparse.Namespace, content: Content, opened: Loading[Opened] | None = None
) -> int:
    """One conversation (or, with --wake, one after another); returns the exit code.

    `opened`: the microphone, already being opened (cli.py starts it before the data loads).
    """
    captions = Captions(sys.stdout)
    triage = Triage(content, args.emergency_number)
    if args.list_mics:
        from assistant.io.mic_device import list_microphones  # noqa: PLC0415

        for index, name in list_microphones():
            print(f"{index}: {name}")
        return ExitCode.OK
    if args.list_voices:
        return _list_voices(triage)

    speaker = _speaker(args, lambda e: print(_error_text(triage, e), file=sys.stderr))
    speaker.prepare(_known_lines(args, triage))  # made while the speech recogniser loads
    say_line = partial(_say_fixed, triage, captions, speaker)

    notes = StartNotes(triage, speaker, partial(_error_text, triage))
    listener: Listener
    if args.text:
        listener = TextListener(sys.stdin, sys.stdout)
    else:
        try:
            # The engine loads while the microphone opens and settles, and the greeting is said.
            loading = Loading(
                partial(_after, captions.started, partial(_recognizer, args, content, triage))
            )
            notes.loading = loading
            # A missing microphone is said before any line (the room is heard in quiet first).
            listener = _listener(args, LoadingRecognizer(loading, itemgetter(0)), triage, opened)
        except AssistantError as error:  # bad files, no microphone: before any answer
            print(_error_text(triage, error), file=sys.stderr)
            _write_outputs(args, triage, triage.start()[0], notes.engine)
            return error.exit_code
    listening = triage.say("cue_listening")[0].text
    cue = (lambda: None) if args.text else (lambda: captions.line(listening))

    def one_session() -> int:
        session = Session(triage, listener, speaker, captions.line, cue, notes)
        try:
            session.run()
        except Interrupted as stop:
            return _signal_code(stop)
        except AssistantError as error:
            print(_error_text(triage, error), file=sys.stderr)
            return error.exit_code
        finally:
            if session.state is not None:
                _write_outputs(args, triage, session.state, notes.engine)
        return ExitCode.OK

    previous = _install_signals()
    try:
        if not args.wake:
            return one_session()
        return always_on(args.wake, content, listener, say_line, one_session)
    except Interrupted as stop:  # while waiting for the wake phrase
        return _signal_code(stop)
    finally:
        _restore_signals(previous)


def _list_voices(triage: Triage) -> int:
    """Print each installed voice as `id: name` (for --voice)."""
    from assistant.io.voices import voices  # noqa: PLC0415 - starts the speech engine

    try:
        found = voices()
    except AssistantError as error:
        print(_error_text(triage, error), file=sys.stderr)
        return error.exit_code
    for voice in found:
        print(f"{voice.id}: {voice.name}")
    return ExitCode.OK


def _known_lines(args: argparse.Namespace, triage: Triage) -> list[str]:
    """The lines known before the session: the wake prompt (with --wake), then the dialog's."""
    wake = triage.say("wake_waiting", phrase=args.wake) if args.wake else []
    return [line.text for line in wake] + triage.known_lines()


def _say_fixed(
    triage: Triage, captions: Captions, speaker: Speaker, key: str, **fields: str
) -> None:
    """Caption and speak one text outside the dialog (engine notes, the wake prompt)."""
    texts = [line.text for line in triage.say(key, **fields)]
    speaker.prepare(texts)  # fixed texts: ready at once from the next start on
    for text in texts:
        captions.line(text)
        speaker.say(text)


def _signal_code(stop: Interrupted) -> ExitCode:
    return ExitCode.INTERRUPTED if stop.reason == "sigint" else ExitCode.TERMINATED


def always_on(
    phrase: str,
    content: Content,
    listener: Listener,
    say_line: Callable[..., None],
    one_session: Callable[[], int],
) -> int:
    """--wake: wait for the phrase, run a triage, and wait again, until the input ends."""
    norm = content.normalizer
    wanted = norm.tokens(phrase)
    expected = Expected("wake", (" ".join(wanted),))
    say_line("wake_waiting", phrase=phrase)
    sessions = 0
    while True:
        event = listener.listen(expected)
        if isinstance(event, EndOfInput):
            log.info("input ended after %d session(s)", sessions)
            return ExitCode.OK
        if not isinstance(event, Heard) or not _is_phrase(norm.tokens(event.text), wanted):
            continue
        code = one_session()
        sessions += 1
        if code != ExitCode.OK:
            return code
        say_line("wake_waiting", phrase=phrase)


def _is_phrase(heard: tuple[str, ...], wanted: tuple[str, ...]) -> bool:
    """The wake phrase was said (alone, within a longer answer, or nearly)."""
    if not heard:
        return False
    text, want = " ".join(heard), " ".join(wanted)
    return f" {want} " in f" {text} " or SequenceMatcher(None, text, want).ratio() >= 0.85


def _speaker(args: argparse.Namespace, on_failure: Callable[[SpeechOutputError], None]) -> Speaker:
    from assistant.io.speakers import FallbackSpeaker, SilentSpeaker  # noqa: PLC0415
    from assistant.io.speech_cache import default_folder  # noqa: PLC0415
    from assistant.io.tts import Pyttsx3Speaker  # noqa: PLC0415

    if args.mute:
        return SilentSpeaker()
    cache = None if args.no_speech_cache else args.speech_cache or default_folder(os.environ)
    inner = Pyttsx3Speaker(
        rate=args.rate,
        volume=args.volume,
        voice=args.voice,
        say_to=args.say_to,
        speech_cache=cache,
    )
    return FallbackSpeaker(inner, on_failure)


def _after(started: threading.Event, load: Callable[[], T]) -> T:
    """`load()`, once `started` is set (or ENGINE_WAIT_S has passed)."""
    started.wait(ENGINE_WAIT_S)
    return load()


def _recognizer(
    args: argparse.Namespace, content: Content, triage: Triage
) -> tuple[Recognizer, list[Note]]:
    from assistant.engines.select import recognizer_for  # noqa: PLC0415 - loads a speech engine

    return recognizer_for(args, content, lambda text, qid: triage.read(text, qid).intent)


def _listener(
    args: argparse.Namespace,
    recognizer: Recognizer,
    triage: Triage,
    opened: Loading[Opened] | None,
) -> Listener:
    from assistant.io.capture import CaptureSettings, Keep  # noqa: PLC0415

    settings = CaptureSettings(pause=args.pause, timeout=args.timeout)
    keep: Keep | None = None
    if args.keep_audio:
        from assistant.io.keep_audio import KeepAudio  # noqa: PLC0415

        keep = KeepAudio(args.keep_audio).keep
    if args.replay:
        from assistant.io.replay import ReplayListener  # noqa: PLC0415

        return ReplayListener(args.replay, recognizer, settings, judge=triage.complete, keep=keep)
    from assistant.io.microphone import MicrophoneListener  # noqa: PLC0415

    return MicrophoneListener(
        recognizer, args.mic, settings, judge=triage.complete, keep=keep, opened=opened
    )


def _error_text(triage: Triage, error: AssistantError) -> str:
    try:
        fields = error.text_fields(triage.content.texts)
        return " ".join(s.text for s in triage.say(error.key, **fields))
    except (KeyError, IndexError):
        return f"{error.key}: {error.fields}"


def _write_outputs(args: argparse.Namespace, triage: Triage, state: State, engine: str) -> None:
    if args.summary:
        when = time.strftime("%Y-%m-%d %H:%M")
        write_private(args.summary, summary_text(state, triage.closing, when))
    if args.json:
        write_private(args.json, json.dumps(record(state, engine), indent=2) + "\n")


def _install_signals() -> dict[int, Any]:
    def handler(signum: int, frame: FrameType | None) -> None:
        raise Interrupted("sigint" if signum == signal.SIGINT else "sigterm")

    previous: dict[int, Any] = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = signal.signal(sig, handler)
    return previous


def _restore_signals(previous: dict[int, Any]) -> None:
    for sig, old in previous.items():
        signal.signal(sig, old)
