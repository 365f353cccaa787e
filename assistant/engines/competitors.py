"""Competitor words for out-of-grammar rejection: short dictionary words unlike the short answers.

Each grammar gets, besides its phrases, one real word per (first phone, vowel) class that is
NOT acoustically close to any of its short answers (phone edit distance above a limit). Speech
that is not in the grammar then matches a competitor better than a listed phrase and is rejected
instead of being forced onto "yes" or "no" (see sphinx.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from assistant.engines.lexicon import VOWELS, Phones

SHORT = 2
"""Phrases of at most this many words are the ones competitor words must not sound like."""


def edit_distance(a: Sequence[str], b: Sequence[str]) -> int:
    """Phone edit distance (insertions, deletions and substitutions all cost 1)."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (x != y))
    return row[-1]


def short_answer_words(phrases: Iterable[str]) -> list[str]:
    """Words of the short phrases: a longer phrase always beats one competitor syllable."""
    return sorted({w for p in phrases if len(p.split()) <= SHORT for w in p.split()})


def choose(
    candidates: Mapping[str, Sequence[Phones]],
    answer_prons: Sequence[Sequence[str]],
    max_distance: int,
) -> list[str]:
    """Per (first phone, vowel) class, the first candidate far from every answer pronunciation.

    Far means an edit distance above `max_distance`; a candidate is judged on its first
    pronunciation.
    """
    chosen: dict[tuple[str, ...], str] = {}
    for word, (phones, *_) in candidates.items():
        vowel = next(p for p in phones if p in VOWELS)
        key = (phones[0], vowel)
        if key in chosen:
            continue
        if all(edit_distance(phones, p) > max_distance for p in answer_prons):
            chosen[key] = word
    return sorted(chosen.values())
