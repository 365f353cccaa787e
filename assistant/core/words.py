"""Reading typed or recognised text into clauses of normalised, stemmed words."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from string import ascii_lowercase

import snowballstemmer

_TOKEN = re.compile(
    r"(?P<word>[a-z0-9]+(?:'[a-z]+)*)(?P<cut>-(?=[\s.,;:!?]|$))?"
    r"|(?P<stop>\.\.+|[.,;:!?\u2014\u2013]|(?<=\s)-+(?=\s))"
)
BREAK = "|"
"""Marks the end of a clause in a word list (punctuation, or a word such as "but")."""


@dataclass(frozen=True)
class Word:
    """One normalised word: its text, its stem (for matching) and the word as it was written."""

    text: str
    stem: str
    said: str
    fixed: bool = False  # a typing slip was corrected to make this word


Clause = tuple[Word, ...]


@dataclass(frozen=True)
class WordRules:
    """How words are normalised (intents/<lang>/normalize.yaml and understanding.yaml)."""

    contractions: Mapping[str, str]
    spellings: Mapping[str, str]
    rewrites: Mapping[tuple[str, ...], tuple[str, ...]]
    hesitations: frozenset[str]
    stems: Mapping[str, str]
    known: frozenset[str]
    vocabulary: frozenset[str] = field(default_factory=frozenset)
    breaks: tuple[tuple[str, ...], ...] = ()


class WordReader:
    """Turns text into clauses of `Word`s: spelling, contractions, slips, restarts, stems."""

    def __init__(self, rules: WordRules) -> None:
        self.rules = rules
        self._stemmer = snowballstemmer.stemmer("english")
        self._stems: dict[str, str] = {}
        self._longest_rewrite = max((len(k) for k in rules.rewrites), default=0)
        self._longest_break = max((len(b) for b in rules.breaks), default=0)

    def stem(self, word: str) -> str:
        """The stem of a normalised word ("accidents" -> "accid"), with the data's overrides."""
        stem = self._stems.get(word)
        if stem is None:
            stem = self._stems[word] = self.rules.stems.get(word) or self._stemmer.stemWord(word)
        return stem

    def clauses(self, text: str, limit: int = 10_000) -> list[Clause]:
        """The clauses of `text`, split at punctuation and at words such as "but"."""
        out: list[Clause] = []
        current: list[Word] = []
        for word in self._with_breaks(self.words(text, limit)):
            if word is None:
                if current:
                    out.append(tuple(current))
                current = []
            else:
                current.append(word)
        if current:
            out.append(tuple(current))
        return out

    def words(self, text: str, limit: int = 10_000, correct: bool = True) -> list[Word | None]:
        """The normalised words of `text`; None marks punctuation that ends a clause."""
        lowered = text.lower().replace("\u2019", "'").replace("`", "'")
        written: list[str | None] = []
        for m in _TOKEN.finditer(lowered):
            if len(written) >= limit:
                break
            if m.group("stop"):
                written.append(None)
            elif not m.group("cut"):  # "ca-" is a word broken off and said again
                written.append(m.group("word"))
        raw: list[tuple[str, str, bool] | None] = []
        for word in self._joined(written) if correct else written:
            raw.extend([None] if word is None else self._expand(word, correct))
        words = self._rewrite(raw)
        words = [w for w in words if w is None or w[0] not in self.rules.hesitations]
        return [
            None if w is None else Word(w[0], self.stem(w[0]), w[1], w[2])
            for w in _drop_restarts(words)
        ]

    def _joined(self, written: list[str | None]) -> list[str | None]:
        """Words a recogniser split in two or three ("steno sis", "back side") joined again.

        Parts that are not all real words are joined also when the whole is one typing slip from
        a word the interpreter knows ("stan osis").
        """
        out: list[str | None] = []
        i = 0
        while i < len(written):
            for n in (3, 2):
                parts = written[i : i + n]
                if len(parts) == n and all(parts):
                    joined = "".join(p for p in parts if p)
                    if len(joined) >= 6 and (
                        joined in self.rules.vocabulary or self._slip_apart(parts, joined)
                    ):
                        out.append(joined)
                        i += n
                        break
            else:
                out.append(written[i])
                i += 1
        return out

    def _slip_apart(self, parts: list[str | None], joined: str) -> bool:
        """Whether split parts, one not a word, make one slip from a word we know ("stan osis")."""
        rules = self.rules
        strange = any(p not in rules.known and p not in rules.spellings for p in parts if p)
        return strange and len(joined) >= 7 and self._correct(joined) in rules.vocabulary

    def _expand(self, word: str, correct: bool) -> list[tuple[str, str, bool] | None]:
        """One written word as normalised words (spelling, contraction, a corrected slip)."""
        said = word
        fixed = False
        word = self.rules.spellings.get(word, word)
        if correct and " " not in word and word not in self.rules.known:
            better = self._correct(word)
            if better == word:
                better = self._split(word)
            fixed = better != word
            word = better
        out: list[tuple[str, str, bool] | None] = []
        for part in word.split():
            for piece in self._contract(part).split():
                out.append((piece.replace("'", ""), said, fixed))
        return [w for w in out if w is None or w[0]]

    def _contract(self, word: str) -> str:
        rules = self.rules.contractions
        if word in rules:
            return rules[word]
        for suffix, replacement in rules.items():
            is_suffix = suffix.startswith("'") or suffix == "n't"
            if is_suffix and word.endswith(suffix) and len(word) > len(suffix):
                return word[: -len(suffix)] + replacement
        return word

    def _correct(self, word: str) -> str:
        """A word one typing slip away from exactly one word the interpreter knows, else itself."""
        if len(word) < 4 or not word.isalpha():
            return word
        hits: list[str] = []
        for substitute in (False, True):  # a letter missed, added or swapped before a wrong one
            slips = {self.rules.spellings.get(h, h) for h in _one_slip(word, substitute)}
            hits = sorted(slips & self.rules.vocabulary)
            if hits:
                break
        if len(hits) > 1:
            hits = [h for h in hits if h[0] == word[0]]
        return hits[0] if len(hits) == 1 else word

    def _split(self, word: str) -> str:
        """Two words typed together ("nopenothing"): both real, one the interpreter's; else itself.

        Where several splits would do, the one whose both halves are the interpreter's words wins,
        then the one with the longer first word.
        """
        if len(word) < 5 or not word.isalpha():
            return word
        known, ours, spell = self.rules.known, self.rules.vocabulary, self.rules.spellings
        best: tuple[int, int, str] | None = None
        for i in range(2, len(word) - 1):
            left, right = word[:i], word[i:]
            real = all(half in known or half in spell for half in (left, right))
            if real and (left in ours or right in ours):
                halves = f"{spell.get(left, left)} {spell.get(right, right)}"
                rank = (int(left in ours and right in ours), i, halves)
                best = max(best, rank) if best else rank
        return best[2] if best else word

    def _rewrite(
        self, words: list[tuple[str, str, bool] | None]
    ) -> list[tuple[str, str, bool] | None]:
        """Apply multi-word rewrites ("no longer" -> "not", "uh huh" -> "yes"), longest first."""
        if not self.rules.rewrites:
            return words
        out: list[tuple[str, str, bool] | None] = []
        i = 0
        while i < len(words):
            for n in range(min(self._longest_rewrite, len(words) - i), 0, -1):
                chunk = words[i : i + n]
                if any(w is None for w in chunk):
                    continue
                key = tuple(w[0] for w in chunk if w is not None)
                if key in self.rules.rewrites:
                    said = " ".join(w[1] for w in chunk if w is not None)
                    fixed = any(w[2] for w in chunk if w is not None)
                    out.extend((t, said, fixed) for t in self.rules.rewrites[key])
                    i += n
                    break
            else:
                out.append(words[i])
                i += 1
        return out

    def _with_breaks(self, words: list[Word | None]) -> Iterable[Word | None]:
        """Replace clause-breaking words ("but", "apart from") by a break."""
        i = 0
        while i < len(words):
            for n in range(min(self._longest_break, len(words) - i), 0, -1):
                chunk = words[i : i + n]
                if all(w is not None for w in chunk) and (
                    tuple(w.text for w in chunk if w is not None) in self.rules.breaks
                ):
                    yield None
                    i += n
                    break
            else:
                yield words[i]
                i += 1


def _one_slip(word: str, substitute: bool) -> Iterable[str]:
    """Every string one deletion, swap or insertion (or, with `substitute`, replacement) away."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    for left, right in splits:
        if right and not substitute:
            yield left + right[1:]
        if len(right) > 1 and not substitute:
            yield left + right[1] + right[0] + right[2:]
        for c in ascii_lowercase:
            if right and substitute:
                yield left + c + right[1:]
            if not substitute:
                yield left + c + right


def _drop_restarts(words: list[tuple[str, str, bool] | None]) -> list[tuple[str, str, bool] | None]:
    """Drop a word group said twice in a row ("I can, I can't" -> "I can't"; "no no no" -> "no").

    Punctuation between the two copies is dropped with the first copy.
    """
    out = list(words)
    for n in (3, 2, 1):
        i = 0
        while i < len(out):
            first = _next_words(out, i, n)
            if first is None:
                i += 1
                continue
            end, texts = first
            second = _next_words(out, end, n)
            if second is not None and second[1] == texts:
                del out[i:end]
                while i < len(out) and out[i] is None:
                    del out[i]
                continue
            i += 1
    return out


def _next_words(
    words: list[tuple[str, str, bool] | None], start: int, n: int
) -> tuple[int, tuple[str, ...]] | None:
    """The n words from `start` (which must be a word; breaks between are skipped), and the end."""
    if start >= len(words) or words[start] is None:
        return None
    texts: list[str] = []
    i = start
    while i < len(words) and len(texts) < n:
        w = words[i]
        if w is not None:
            texts.append(w[0])
        i += 1
    if len(texts) < n:
        return None
    while i < len(words) and words[i] is None:
        i += 1
    return i, tuple(texts)
