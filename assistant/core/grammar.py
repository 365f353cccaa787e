"""The phrases a speech recogniser listens for at each question, built from intents/ templates."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property

from assistant.core.content import ANSWERS, COMMANDS, Content
from assistant.core.templates import expand


class Grammar:
    """Each question's speech grammar: its own phrases, then the general answers and commands.

    One source drives both sides: the templates in answers.yaml and questions.yaml are what the
    recogniser can hear, and the interpreter is tested to read each of them as its intent.
    """

    def __init__(self, content: Content) -> None:
        self.content = content
        self.norm = content.normalizer
        self._grammars: dict[str | None, tuple[str, ...]] = {}

    def templates(self, qid: str | None) -> dict[str, tuple[str, ...]]:
        """The templates heard at `qid` (None: outside a question), by intent, own ones first."""
        out: dict[str, list[str]] = {}
        if qid is not None:
            q = self.content.question(qid)
            for intent, group in q.phrases.items():
                out.setdefault(intent, []).extend(group)
            if q.kind == "location":
                out.setdefault("location", []).extend(self.content.location)
        for intent, group in self.content.commands.items():
            out.setdefault(intent, []).extend(group)
        for intent, group in self.content.answers.items():
            if qid is None or self.content.question(qid).kind != "location" or intent == "unsure":
                out.setdefault(intent, []).extend(group)
        return {k: tuple(v) for k, v in out.items()}

    def phrases(self, templates: Iterable[str]) -> list[str]:
        """Every phrase the templates allow, as written."""
        return [text for t in templates for text, _ in expand(t, self.content.lists)]

    @cached_property
    def _general(self) -> tuple[str, ...]:
        return self._spoken(t for ts in self.templates(None).values() for t in ts)

    def _spoken(self, templates: Iterable[str]) -> tuple[str, ...]:
        return tuple(
            sorted({f for text in self.phrases(templates) for f in self.norm.spoken_forms(text)})
        )

    def general_phrases(self) -> tuple[str, ...]:
        """What the recogniser listens for outside a question: the general answers and commands."""
        return self._general

    def phrases_for(self, qid: str) -> tuple[str, ...]:
        """What the recogniser listens for at this question: every phrase it accepts, as spoken."""
        if qid not in self._grammars:  # built once per question, not on every turn
            self._grammars[qid] = self._spoken(t for ts in self.templates(qid).values() for t in ts)
        return self._grammars[qid]

    def intents_for(self, qid: str) -> tuple[str, ...]:
        """The intents this question accepts."""
        q = self.content.question(qid)
        answers = ANSWERS if q.kind == "yes_no" else ("location", "unsure")
        return (*answers, *COMMANDS)
