"""Phrase patterns found inside a clause, word by word, with a few other words allowed between."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from assistant.core.templates import expand
from assistant.core.words import Clause, Word, WordReader

WIDE = "..."
"""In a pattern, "..." lets more words come between its neighbours (up to the reach)."""

TIGHT = "^"
"""A pattern that starts with "^" is found only with nothing between its words."""

FIRST = "<"
"""A pattern that starts with "<" is found only at the start of a clause ("<has been numb": the
subject was said in the clause before, "the saddle area, as you call it, has been numb")."""

_CLASS = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Key:
    """One pattern word: a stem, or (written "=word") an exact word."""

    value: str
    exact: bool = False
    wide: bool = False  # more words may come before this one (after "...")
    tight: bool = False  # no word may come before this one (a phrase written "^...")

    def fits(self, word: Word) -> bool:
        """Whether `word` is this pattern word."""
        return word.text == self.value if self.exact else word.stem == self.value


@dataclass(frozen=True)
class Pattern:
    """A phrase to look for, and what finding it means (`label`, e.g. "sign:bladder:present")."""

    keys: tuple[Key, ...]
    label: str
    source: str
    first: bool = False  # found only at the start of a clause


@dataclass(frozen=True)
class Hit:
    """Where a pattern was found in a clause: the positions of its words."""

    label: str
    positions: tuple[int, ...]
    words: tuple[Word, ...]

    @property
    def start(self) -> int:
        """Position of the first word."""
        return self.positions[0]

    @property
    def end(self) -> int:
        """Position after the last word."""
        return self.positions[-1] + 1

    @property
    def said(self) -> str:
        """The words as the person wrote or said them."""
        out: list[str] = []
        for w in self.words:
            if not out or out[-1] != w.said:
                out.append(w.said)
        return " ".join(out)


def fill_classes(template: str, classes: Mapping[str, Sequence[str]]) -> str:
    """`template` with each {class} replaced by the choice of its words: "(a|b|c)"."""
    return _CLASS.sub(lambda m: "(" + "|".join(classes[m.group(1)]) + ")", template)


def class_names(template: str) -> set[str]:
    """The {class} names a template uses."""
    return set(_CLASS.findall(template))


class PatternSet:
    """Patterns indexed by their first word, found with at most `gap` other words between words."""

    def __init__(
        self,
        reader: WordReader,
        gap: int,
        reach: int,
        between: frozenset[str] | None = None,
        stops: frozenset[str] = frozenset(),
    ) -> None:
        self.reader = reader
        self.gap = gap
        self.reach = reach
        self.between = between  # if given, only these words may come between a phrase's words
        self.stops = stops  # words a short gap may not cross ("no [I can] feel" is two phrases)
        self._by_first: dict[str, list[Pattern]] = defaultdict(list)
        self._chunks: dict[tuple[str, bool], tuple[Key, ...]] = {}
        self._whole: dict[tuple[str, ...], list[Pattern]] = defaultdict(list)

    def add(
        self,
        templates: Iterable[str],
        label: str,
        classes: Mapping[str, Sequence[str]],
        whole: bool = False,
        exact: bool = False,
    ) -> None:
        """Add every phrase the templates allow.

        `whole` phrases must make up a clause by themselves; `exact` ones match whole words only.
        """
        for template in templates:
            first = template.startswith(FIRST)
            text = template.removeprefix(FIRST)
            tight = text.startswith(TIGHT)
            filled = fill_classes(text.removeprefix(TIGHT), classes)
            for text, _ in expand(filled, {}):
                keys = self.keys(text, exact)
                if not keys:
                    continue
                if tight:
                    keys = tuple(Key(k.value, k.exact, k.wide, tight=True) for k in keys)
                pattern = Pattern(keys, label, template, first)
                if whole:
                    self._whole[tuple(k.value for k in keys)].append(pattern)
                else:
                    self._by_first[keys[0].value].append(pattern)

    def keys(self, phrase: str, exact: bool = False) -> tuple[Key, ...]:
        """A phrase's pattern words, normalised and stemmed as answers are."""
        keys: list[Key] = []
        wide = False
        for chunk in phrase.split():
            if chunk == WIDE:
                wide = True
                continue
            for key in self._chunk(chunk, exact):
                keys.append(Key(key.value, key.exact, wide) if wide else key)
                wide = False
        return tuple(keys)

    def _chunk(self, chunk: str, exact: bool) -> tuple[Key, ...]:
        """One written word of a phrase as pattern words (remembered: phrases share words)."""
        found = self._chunks.get((chunk, exact))
        if found is None:
            whole_word = exact or chunk.startswith("=")
            words = self.reader.words(chunk.lstrip("="), correct=False)
            found = tuple(
                Key(w.text if whole_word else w.stem, whole_word) for w in words if w is not None
            )
            self._chunks[(chunk, exact)] = found
        return found

    def find(self, clause: Clause) -> list[Hit]:
        """Every place in the clause where a pattern is found (overlapping ones included)."""
        hits: list[Hit] = []
        for i, word in enumerate(clause):
            for first in {word.stem, word.text}:
                for pattern in self._by_first.get(first, ()):
                    if not pattern.keys[0].fits(word) or (pattern.first and i):
                        continue
                    positions = self._follow(clause, i, pattern.keys)
                    if positions is not None:
                        hits.append(
                            Hit(pattern.label, positions, tuple(clause[p] for p in positions))
                        )
        return hits

    def find_whole(self, words: Sequence[Word]) -> list[str]:
        """Labels of the whole-clause patterns that are exactly these words."""
        found = self._whole.get(tuple(w.stem for w in words), [])
        return sorted({p.label for p in found})

    def _follow(self, clause: Clause, i: int, keys: tuple[Key, ...]) -> tuple[int, ...] | None:
        positions = [i]
        for key in keys[1:]:
            last = positions[-1]
            allowed = 0 if key.tight else self.reach if key.wide else self.gap
            nxt = None
            for p in range(last + 1, min(len(clause), last + 2 + allowed)):
                if key.fits(clause[p]):
                    nxt = p
                    break
                if self.between is not None and clause[p].text not in self.between:
                    break
                if not key.wide and clause[p].text in self.stops:
                    break
            if nxt is None:
                return None
            positions.append(nxt)
        return tuple(positions)
