"""Whole scripted conversations from tests/golden/conversations.yaml, through the pure dialog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.core.dialog import Triage
from tests.dialog_driver import converse

CASES = yaml.safe_load((Path(__file__).parent / "golden" / "conversations.yaml").read_text())


def _in_order(needles: list[str], hay: list[str]) -> bool:
    it = iter(hay)
    return all(any(n == h for h in it) for n in needles)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_conversation(triage: Triage, case: dict[str, Any]) -> None:
    t = converse(triage, [str(a) for a in case["answers"]])
    assert t.finished
    assert _in_order(case["says"], t.keys), f"wanted in order {case['says']}\ngot {t.keys}"
    for key in case.get("never", []):
        assert key not in t.keys
    for words in case.get("contains", []):
        assert words in t.text
    if "rates" in case:
        assert t.rates == case["rates"]
    outcome = t.state.outcome
    assert outcome is not None
    for name, value in case.get("outcome", {}).items():
        got = getattr(outcome, name)
        assert (list(got) if isinstance(got, tuple) else got) == value, name
