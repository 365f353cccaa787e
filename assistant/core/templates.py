"""Expanding phrase templates ("[optional] (a|b) {slot}", hassil's syntax) into plain phrases."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping, Sequence

from hassil.parse_expression import parse_sentence
from hassil.sample import sample_expression

_SLOT = re.compile(r"\{(\w+)\}")

Slots = dict[str, tuple[str, ...]]


class TemplateError(ValueError):
    """A template cannot be parsed or names a list that does not exist."""


def expand(
    template: str, lists: Mapping[str, Mapping[str, Sequence[str]]]
) -> Iterator[tuple[str, Slots]]:
    """Yield every phrase the template allows, with the slot values it fills.

    A slot used once is filled with every word of every value; a slot used more than once
    (e.g. "{place} and {place}") takes each value's first word only, to keep grammars small.
    """
    names = _SLOT.findall(template)
    for name in names:
        if name not in lists:
            raise TemplateError(f"unknown list {{{name}}}")
    if not names:
        yield from ((p, {}) for p in _sample(template))
        return
    repeated = len(names) != len(set(names))
    choices: list[list[tuple[str, str]]] = []
    for name in names:
        values = lists[name]
        choices.append(
            [(v, words[0]) for v, words in values.items()]
            if repeated
            else [(v, w) for v, words in values.items() for w in words]
        )
    for combo in itertools.product(*choices):
        filled = template
        slots: dict[str, list[str]] = {}
        for name, (value, word) in zip(names, combo, strict=True):
            filled = filled.replace("{" + name + "}", word, 1)
            if value not in slots.setdefault(name, []):
                slots[name].append(value)
        frozen = {k: tuple(v) for k, v in slots.items()}
        yield from ((p, frozen) for p in _sample(filled))


def _sample(template: str) -> Iterator[str]:
    try:
        sentence = parse_sentence(template)
        yield from sample_expression(sentence.expression)
    except Exception as exc:
        raise TemplateError(f"cannot parse template {template!r} ({type(exc).__name__})") from exc
