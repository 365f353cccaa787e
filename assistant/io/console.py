"""Typed input (one answer per line) and printed captions."""

from __future__ import annotations

import threading
from typing import TextIO

from assistant.core.messages import EndOfInput, Event, Expected, Heard, Silence


class TextListener:
    """Reads one answer per line, after writing and flushing the prompt "> " (works in a pipe)."""

    def __init__(self, stdin: TextIO, stdout: TextIO, prompt: str = "> ") -> None:
        self.stdin, self.stdout, self.prompt = stdin, stdout, prompt

    def listen(self, expected: Expected) -> Event:
        """The next line: an empty line is silence, the end of input means the person has gone."""
        self.stdout.write(self.prompt)
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            self.stdout.write("\n")
            return EndOfInput()
        text = line.strip()
        return Heard(text, 1.0) if text else Silence()


class Captions:
    """Prints every spoken line as it is spoken, and the listening cue."""

    def __init__(self, stdout: TextIO) -> None:
        self.stdout = stdout
        self.started = threading.Event()
        """Set once the first line is printed (it is about to be spoken)."""

    def line(self, text: str) -> None:
        """Print one caption line and flush it."""
        self.stdout.write(text + "\n")
        self.stdout.flush()
        self.started.set()
