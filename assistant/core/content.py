"""Loading intents/<lang>/ into typed, validated content; every cross-reference is checked here."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistant.core.errors import DataError
from assistant.core.reading import EVIDENCE_KINDS
from assistant.core.text import Normalizer
from assistant.core.understanding import Lexicon

DISPOSITIONS = ("self_care", "soon", "urgent", "emergency")
"""Dispositions from least to most care; the highest reached wins."""

OUTCOME = "outcome"
"""The `next` value that ends the questions."""

COMMANDS = ("repeat", "help", "slower", "faster", "back", "start_over", "stop", "explain")
ANSWERS = ("yes", "no", "unsure")
KINDS = {"yes_no": ANSWERS, "location": ("location", "unsure")}

# Texts the dialog engine says by key (the data must define them).
ENGINE_TEXT_KEYS = (
    "welcome",
    "how_to_answer",
    "reprompt_yes_no_1",
    "reprompt_yes_no_2",
    "reprompt_location_1",
    "reprompt_location_2",
    "unsure_again",
    "unsure_counted",
    "no_answer_counted",
    "help_yes_no",
    "help_location",
    "help_commands",
    "rate_slower",
    "rate_faster",
    "back_done",
    "back_nothing",
    "start_over",
    "stopped",
    "stop_confirm",
    "stop_cancelled",
    "advice_emergency",
    "emergency_repeat_offer",
    "advice_urgent",
    "advice_soon",
    "advice_self_care",
    "advice_none",
    "why_unsure",
    "why_no_answer",
    "watch_for",
    "summary_intro",
    "summary_signs",
    "summary_places",
    "summary_none",
    "goodbye",
    "cue_listening",
    "record_title",
    "record_not_diagnosis",
    "record_disposition",
    "record_answers",
    "record_answer_line",
    "record_places",
    "record_completed_yes",
    "record_completed_no",
    "answer_label_yes",
    "answer_label_no",
    "answer_label_unsure",
    "answer_label_no_answer",
    "disposition_label_none",
    "not_a_command_now",
    "loop_counted",
    "loop_moved_on",
    "volunteered_lead",
    "volunteered_denied",
    "contradiction_again",
    "reading_negated_by",
    "reading_not_understood",
    *(f"reading_{kind}" for kind in EVIDENCE_KINDS),
)
FIELDS = frozenset({
    "number", "sign", "signs", "places", "term", "path", "detail", "engine", "install",
    "reason", "lang", "key", "problem", "disposition", "answer", "phrase", "what", "fix",
    "package", "have", "promised", "code", "bits", "kind", "words", "about", "negated_by",
})  # fmt: skip


@dataclass(frozen=True)
class Branch:
    """Where one answer to a question leads."""

    next: str
    raises: str | None = None
    say: str | None = None


@dataclass(frozen=True)
class Question:
    """One triage question, as written in questions.yaml."""

    id: str
    kind: str
    warning: bool
    sign: str
    ask: str
    simpler: str
    on: Mapping[str, Branch]
    phrases: Mapping[str, tuple[str, ...]]
    confirm: str | None = None
    why: str | None = None
    if_unsure: str | None = None


@dataclass(frozen=True)
class Settings:
    """Numbers of settings.yaml."""

    language: str
    emergency_number: str
    low_confidence: float
    command_min_confidence: float
    max_failures: int
    max_unsure: int
    max_emergency_repeats: int
    max_asks: int
    max_turns: int
    max_answer_words: int
    join_and: str
    quick_end_intents: frozenset[str]
    quick_end_confidence: float


@dataclass(frozen=True)
class Content:
    """Everything in intents/<lang>/, validated."""

    folder: Path
    settings: Settings
    questions: tuple[Question, ...]
    start: str
    texts: Mapping[str, tuple[str, ...]]
    answers: Mapping[str, tuple[str, ...]]
    commands: Mapping[str, tuple[str, ...]]
    location: tuple[str, ...]
    lists: Mapping[str, Mapping[str, tuple[str, ...]]]
    place_groups: Mapping[str, tuple[str, ...]]
    place_explanations: Mapping[str, str]
    normalizer: Normalizer
    lead_words: Mapping[str, frozenset[str]]
    pronunciations: Mapping[str, str]
    lexicon: Lexicon

    def question(self, qid: str) -> Question:
        """The question with id `qid`."""
        return next(q for q in self.questions if q.id == qid)

    def text(self, key: str) -> tuple[str, ...]:
        """The lines of text `key`."""
        return self.texts[key]


def default_folder(language: str = "en") -> Path:
    """intents/<language>/ beside the package (a source checkout or an editable install)."""
    return Path(__file__).resolve().parents[2] / "intents" / language


def load(folder: Path | None = None) -> Content:
    """Load and validate intents/<lang>/; raise DataError naming the file and key on any problem."""
    folder = folder or default_folder()
    raw = {name: _read(folder / f"{name}.yaml") for name in _FILES}
    from assistant.core.validate import build  # noqa: PLC0415 - keeps the validator beside its rules

    return build(folder, raw)


_FILES = (
    "settings",
    "normalize",
    "answers",
    "questions",
    "texts",
    "pronunciations",
    "understanding",
    "signs",
)


_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's is ten times faster


class _Loader(_SafeLoader):  # type: ignore[misc,valid-type]
    """YAML 1.2 booleans only: `yes` and `no` are answers here, not true and false."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - safe loader subclass
    except FileNotFoundError:
        raise DataError(str(path), "-", "file is missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(str(path), "-", f"cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "-"
        raise DataError(str(path), where, f"bad YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise DataError(str(path), "-", "must be a mapping of keys to values")
    return data


def text_fields(line: str) -> set[str]:
    """The {fields} a text line uses."""
    return {name for _, name, _, _ in string.Formatter().parse(line) if name}
