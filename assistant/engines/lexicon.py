"""PocketSphinx's pronunciation dictionary, read for just the words the grammars use.

Loading the whole CMU dictionary (about 135,000 words) costs the decoder about 45 MB of memory;
the grammars use a few hundred words. So the decoder starts with an empty dictionary, and each
word gets all its pronunciations, in the file's order, when a grammar first needs it: the same
entries the decoder would have read from the file.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterator
from pathlib import Path

Phones = tuple[str, ...]
VOWELS = frozenset(
    ["AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"]
)


def base_word(token: str) -> str:
    """The word an entry belongs to: "the(2)" is the second pronunciation of "the"."""
    return token.split("(", 1)[0]


def is_short(word: str, phones: Phones) -> bool:
    """A one-syllable word of 2-3 phones: a candidate competitor for out-of-grammar rejection."""
    return (
        word.isalpha()
        and word.islower()
        and len(word) > 1
        and 2 <= len(phones) <= 3
        and sum(p in VOWELS for p in phones) == 1
    )


class Lexicon:
    """Pronunciations from a CMU-format dictionary file, read on demand.

    The file is read once, to find the short words and to note where every BLOCK-th line starts;
    the CMU dictionary is sorted by word, so a later lookup reads a block or two per word. (An
    unsorted file is read whole for each lookup instead.)
    """

    BLOCK = 32

    def __init__(self, path: Path) -> None:
        self.path = path
        self.short: dict[str, list[Phones]] = {}
        """Short words (`is_short` on their first pronunciation) with all their pronunciations."""
        self._firsts: list[str] = []  # the word on each BLOCK-th line
        self._offsets: list[int] = []  # where that line starts in the file
        self._sorted = True
        previous, offset = "", 0
        for n, (word, token, phones, size) in enumerate(self._lines(0)):
            if n % self.BLOCK == 0:
                self._firsts.append(word)
                self._offsets.append(offset)
            offset += size
            self._sorted = self._sorted and word >= previous
            previous = word
            if token != word:  # "word(2)": another pronunciation of a word read before
                if word in self.short:
                    self.short[word].append(phones)
            elif phones and is_short(word, phones):
                self.short.setdefault(word, [phones])

    def _lines(self, offset: int) -> Iterator[tuple[str, str, Phones, int]]:
        """(word, token, phones, bytes) for each line of the file from `offset` on."""
        with self.path.open("rb") as f:
            f.seek(offset)
            for raw in f:
                token, *phones = raw.decode("utf-8", errors="replace").split() or [""]
                yield base_word(token), token, tuple(phones), len(raw)

    def lookup(self, words: Collection[str]) -> dict[str, list[Phones]]:
        """Each word found with all its pronunciations, in the file's order; others are left out."""
        found = {w: list(self.short[w]) for w in words if w in self.short}
        wanted = sorted({w for w in words if w not in found})
        if not self._sorted:
            wanted_set = set(wanted)
            for word, _, phones, _ in self._lines(0):
                if word in wanted_set and phones:
                    found.setdefault(word, []).append(phones)
            return found
        for want in wanted:
            block = max(0, bisect.bisect_left(self._firsts, want) - 1)
            for word, _, phones, _ in self._lines(self._offsets[block] if self._offsets else 0):
                if word > want:
                    break
                if word == want and phones:
                    found.setdefault(want, []).append(phones)
        return found
