"""Normalising answers: contractions, slips, restarts, fillers and clauses (intents/en data)."""

from __future__ import annotations

import pytest

from assistant.core.interpreter import Interpreter


def texts(interpreter: Interpreter, text: str) -> list[list[str]]:
    return [[w.text for w in c] for c in interpreter.reader.clauses(text)]


@pytest.mark.parametrize(
    ("said", "clauses"),
    [
        ("I haven't", [["i", "have", "not"]]),
        ("i havent", [["i", "have", "not"]]),
        ("I can't, I mean I can", [["i", "can", "not"], ["i", "can"]]),
        ("Um, er, no", [["no"]]),
        ("no no no", [["no"]]),
        ("I c- I can't walk", [["i", "can", "not", "walk"]]),
        ("It's, um, it's been hard", [["it", "is", "been", "hard"]]),
        ("uh huh", [["yes"]]),
        ("no, but my legs", [["no"], ["my", "legs"]]),
        ("fine apart from my knee", [["fine"], ["my", "knee"]]),
        ("numbnes in my leggs", [["numbness", "in", "my", "legs"]]),
        ("pins and needels", [["pins", "and", "needles"]]),
    ],
)
def test_answers_are_normalised(
    interpreter: Interpreter, said: str, clauses: list[list[str]]
) -> None:
    assert texts(interpreter, said) == clauses


def test_a_real_word_is_never_corrected_into_a_known_one(interpreter: Interpreter) -> None:
    """ "week" is one letter from "weak", "ladder" from "bladder": real words stay as they are."""
    assert texts(interpreter, "a week ago I fell off a ladder") == [
        ["a", "week", "ago", "i", "fell", "off", "a", "ladder"]
    ]
    assert interpreter.read("it has been a week", "weakness").intent is None


@pytest.mark.parametrize(
    ("qid", "said", "intent"),
    [
        ("bladder", "no accidents", "no"),
        ("bladder", "no, I've had accidents", "yes"),
        ("bladder", "no numbness and I can't hold it", "yes"),
        ("weakness", "I don't think my legs are weak", "no"),
        ("numbness", "pins and needles, no", "no"),
        ("serious", "my mum had cancer", None),
        ("serious", "I had a fall years ago", "no"),
        ("saddle", "not sure if it's numb down there", "unsure"),
        ("severity", "not only bad, it's getting worse", "yes"),
    ],
)
def test_negation_hedges_and_whose_it_is(
    interpreter: Interpreter, qid: str, said: str, intent: str | None
) -> None:
    assert interpreter.read(said, qid).intent == intent
