"""Which words already make a whole answer (Triage.complete), over tests/data/end_of_answer.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.core.content import load
from assistant.core.dialog import Triage
from assistant.core.messages import Expected, Heard

DATA = yaml.safe_load((Path(__file__).parent / "data" / "end_of_answer.yaml").read_text())
TRIAGE = Triage(load())
SURE_ENOUGH = 0.5
UNSURE = 0.1


def cases(kind: str) -> list[tuple[str, str]]:
    return [(qid, text) for qid, texts in DATA[kind].items() for text in texts]


@pytest.mark.parametrize(("qid", "text"), cases("complete"))
def test_a_whole_answer_is_complete(qid: str, text: str) -> None:
    assert TRIAGE.complete(Heard(text, SURE_ENOUGH), Expected(qid, ()), followed=True)


@pytest.mark.parametrize(("qid", "text"), cases("unfinished"))
def test_an_unfinished_answer_is_not(qid: str, text: str) -> None:
    assert not TRIAGE.complete(Heard(text, SURE_ENOUGH), Expected(qid, ()), followed=True)


@pytest.mark.parametrize(("qid", "text"), cases("unsure_words"))
def test_words_the_recogniser_was_unsure_of_are_not(qid: str, text: str) -> None:
    assert not TRIAGE.complete(Heard(text, UNSURE), Expected(qid, ()), followed=True)


@pytest.mark.parametrize(("qid", "text"), cases("not_early_unfollowed"))
def test_unfollowed_a_no_to_a_warning_sign_or_places_are_never_early(qid: str, text: str) -> None:
    """Where the person cannot be heard going on, "no... well, once" must not end at "no"."""
    assert TRIAGE.complete(Heard(text, SURE_ENOUGH), Expected(qid, ()), followed=True)
    assert not TRIAGE.complete(Heard(text, SURE_ENOUGH), Expected(qid, ()), followed=False)


def test_unfollowed_a_yes_or_a_no_that_is_no_warning_sign_is_still_early() -> None:
    for qid, text in (("bladder", "yes"), ("numbness", "no"), ("bladder", "repeat")):
        assert TRIAGE.complete(Heard(text, SURE_ENOUGH), Expected(qid, ()), followed=False)


def test_outside_the_questions_only_commands_are_complete() -> None:
    assert TRIAGE.complete(Heard("repeat", SURE_ENOUGH), Expected("after_emergency", ()), True)
    assert not TRIAGE.complete(Heard("um", SURE_ENOUGH), Expected("wake", ()), True)
