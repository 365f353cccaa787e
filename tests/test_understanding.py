"""Answers written as people talk (tests/understanding/): read right, and whole typed conversations
reach the disposition CLINICAL.md gives.

dev.yaml is what the interpreter was tuned on: every answer must be read right. Sets A and B
were written before the interpreter, scored once, then tuned on; set C is the held-out set,
written after that and never tuned on (tests/understanding/README.md). Each set must reach
FLOOR, with no answer to a warning sign read as the opposite yes/no, and every conversation in
every set must reach its disposition. The numbers are printed (run with -s) and are in the README.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.core.dialog import Triage
from assistant.core.interpreter import Interpreter
from assistant.core.reading import Reading
from tests.clinical_oracle import YES_RAISES
from tests.dialog_driver import converse

DATA = Path(__file__).parent / "understanding"
DEV = "dev.yaml"
SETS = (
    "dev.yaml",
    "heldout_a.yaml",
    "heldout_b.yaml",
    "heldout_c.yaml",
    "heldout_d.yaml",
    "heldout_e.yaml",
    "heldout_f.yaml",
    "heldout_g.yaml",
)
FLOOR = 0.97
"""The issue's target: at least 97 % of held-out answers read right."""


@dataclass(frozen=True)
class Answer:
    """One labelled answer of a data file."""

    q: str
    say: str
    means: str | None
    places: list[str]
    term: str | None
    also: list[str]

    @property
    def id(self) -> str:
        return f"{self.q}:{self.means}:{self.say}"


def _load(name: str) -> dict[str, Any]:
    data = yaml.load((DATA / name).read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    assert isinstance(data, dict)
    return data


def answers(name: str) -> list[Answer]:
    return [
        Answer(
            a["q"],
            a["say"],
            None if a["means"] == "null" else a["means"],
            list(a.get("places", [])),
            a.get("term"),
            list(a.get("also", [])),
        )
        for a in _load(name)["answers"]
    ]


def conversations(name: str) -> list[dict[str, Any]]:
    return list(_load(name)["conversations"])


def right(a: Answer, r: Reading) -> bool:
    """The intent, and the slots the label gives (places, term)."""
    if r.intent != a.means:
        return False
    if a.places and r.slots.get("places") != a.places:
        return False
    return not (a.term and r.slots.get("term") != a.term)


def swapped(a: Answer, r: Reading) -> bool:
    """A yes to a warning sign read as no, or the other way round (the safety failure)."""
    return a.q in YES_RAISES and {a.means, r.intent} == {"yes", "no"}


DEV_ANSWERS = answers(DEV)


@pytest.mark.parametrize("a", DEV_ANSWERS, ids=[a.id for a in DEV_ANSWERS])
def test_dev_answer_is_read_right(interpreter: Interpreter, a: Answer) -> None:
    r = interpreter.read(a.say, a.q)
    assert right(a, r), f"{a.say!r} at {a.q}: wanted {a.means} {a.places or a.term or ''}, got {r}"
    assert sorted(r.volunteered) == sorted(a.also), f"other signs described: {r.volunteered}"


def _score(interpreter: Interpreter, name: str) -> tuple[int, list[str], list[str], int, int]:
    got = answers(name)
    misses, swaps = [], []
    also_right = 0
    for a in got:
        r = interpreter.read(a.say, a.q)
        also_right += sorted(r.volunteered) == sorted(a.also)
        if not right(a, r):
            misses.append(f"{a.q}: {a.say!r} wanted {a.means}, read {r.intent} {r.slots or ''}")
        if swapped(a, r):
            swaps.append(f"{a.q}: {a.say!r} wanted {a.means}, read {r.intent}")
    return len(got) - len(misses), misses, swaps, also_right, len(got)


@pytest.mark.parametrize("name", SETS)
def test_answers_reach_the_floor_with_no_yes_no_swap(
    interpreter: Interpreter, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ok, misses, swaps, also_right, total = _score(interpreter, name)
    with capsys.disabled():
        print(
            f"\n{name}: {ok}/{total} answers read right ({ok / total:.1%}); "
            f"yes/no swaps on warning signs: {len(swaps)}; "
            f"other signs noticed as labelled: {also_right}/{total}"
        )
        for line in misses:
            print(f"  MISS {line}")
    assert not swaps, swaps
    assert ok / total >= FLOOR


CONVERSATIONS = [(name, c) for name in SETS for c in conversations(name)]


@pytest.mark.parametrize(
    ("name", "case"), CONVERSATIONS, ids=[f"{n}:{c['name']}" for n, c in CONVERSATIONS]
)
def test_typed_conversation_reaches_its_disposition(
    triage: Triage, name: str, case: dict[str, Any]
) -> None:
    t = converse(triage, list(case["answers"]))
    outcome = t.state.outcome
    assert outcome is not None
    said = "\n".join(f"[{a}] " for a in t.asked)
    assert outcome.disposition == case["disposition"], f"asked: {said}\nsaid: {t.keys}"
    if "places" in case:
        assert list(outcome.places) == list(case["places"])
