"""Normalising typed or recognised words before matching (rules: intents/<lang>/normalize.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)*|'[a-z]+")
_SPOKEN = re.compile(r"[^a-z' ]+")


@dataclass(frozen=True)
class Normalizer:
    """Lower-cases, expands contractions, drops filler words and punctuation."""

    contractions: dict[str, str]
    fillers: frozenset[str]
    negators: frozenset[str]
    spoken: dict[str, str] = field(default_factory=dict)

    def tokens(self, text: str) -> tuple[str, ...]:
        """The words of `text`, normalised; punctuation and fillers are dropped."""
        lowered = text.lower().replace("\u2019", "'").replace("`", "'")
        words: list[str] = []
        for raw in _WORD.findall(lowered):
            words.extend(self._expand(raw).split())
        out = [w.replace("'", "") for w in words if w not in self.fillers]
        deduped = [w for i, w in enumerate(out) if w and (i == 0 or out[i - 1] != w)]
        return tuple(deduped)

    def _expand(self, word: str) -> str:
        if word in self.contractions:
            return self.contractions[word]
        for suffix, replacement in self.contractions.items():
            is_suffix = suffix.startswith("'") or suffix == "n't"
            if is_suffix and word.endswith(suffix) and len(word) > len(suffix):
                return word[: -len(suffix)] + replacement
        return word

    def text(self, text: str) -> str:
        """The normalised words joined by single spaces."""
        return " ".join(self.tokens(text))

    def spoken_forms(self, phrase: str) -> set[str]:
        """A phrase as written, and with its words contracted as people say them aloud."""
        words = [w for w in _SPOKEN.sub(" ", phrase.lower().replace("\u2019", "'")).split() if w]
        plain = " ".join(w for i, w in enumerate(words) if i == 0 or words[i - 1] != w)
        contracted = f" {plain} "
        for full, short in self.spoken.items():
            contracted = contracted.replace(f" {full} ", f" {short} ")
        return {plain, contracted.strip()} - {""}

    def is_negated(self, tokens: tuple[str, ...]) -> bool:
        """Whether the words contain a negation ("not", "no", "never", ...)."""
        return any(t in self.negators for t in tokens)
