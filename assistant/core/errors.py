"""Our own exceptions: adapters turn library failures into these (a text key and an exit code)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Documented exit codes of `back-assistant` (the README lists them)."""

    OK = 0
    BUG = 1  # an unexpected error (a bug): one line; run with -v to see the details
    USAGE = 2  # bad command-line arguments (argparse's own code)
    DATA = 3  # a file in intents/ is broken
    AUDIO_INPUT = 4  # an audio file or the microphone cannot be used
    ENGINE = 5  # no usable speech recogniser or model
    INTERRUPTED = 130  # Ctrl-C (SIGINT)
    TERMINATED = 143  # SIGTERM


class AssistantError(Exception):
    """A failure to report in one clear line: `key` names its text in intents/, `fields` fill it."""

    exit_code: ExitCode = ExitCode.DATA

    def __init__(self, text_key: str, /, **fields: str) -> None:
        super().__init__(f"{text_key}: {fields}")
        self.key = text_key
        self.fields = fields


class DataError(AssistantError):
    """intents/ is broken; the message names the file and key (not translatable: data is broken)."""

    exit_code = ExitCode.DATA

    def __init__(self, path: str, key: str, problem: str) -> None:
        super().__init__("error_data", path=path, key=key, problem=problem)
        self.path, self.where, self.problem = path, key, problem

    def __str__(self) -> str:
        return f"{self.path}: {self.where}: {self.problem}"


class UsageError(AssistantError):
    """The command line names something that does not exist (e.g. a question id)."""

    exit_code = ExitCode.USAGE


class AudioInputError(AssistantError):
    """An audio file, or the microphone, cannot be used."""

    exit_code = ExitCode.AUDIO_INPUT


class EngineError(AssistantError):
    """A speech recogniser or its model cannot be loaded or used."""

    exit_code = ExitCode.ENGINE


class SpeechOutputError(AssistantError):
    """Speech output failed; the session goes on with captions only."""

    exit_code = ExitCode.OK
