"""Our own exceptions: adapters turn library failures into these (a text key and an exit code)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import IntEnum

DETAIL_KEY = "detail_key"
"""An error field naming a text in intents/ that explains the problem; it fills {detail}."""


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

    def text_fields(self, texts: Mapping[str, Sequence[str]]) -> dict[str, str]:
        """The values for this error's text, a `detail_key` looked up in `texts` as {detail}."""
        fields = {k: str(v) for k, v in self.fields.items() if k != DETAIL_KEY}
        key = self.fields.get(DETAIL_KEY)
        if key:
            lines = texts.get(key, ())
            fields["detail"] = " ".join(fill(line, fields) for line in lines) if lines else key
        return fields


def fill(line: str, fields: Mapping[str, str]) -> str:
    """`line` with its {fields} filled in; a field without a value is left empty, never an error."""
    return line.format_map(_Blank(fields))


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


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
