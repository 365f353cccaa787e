"""A phrase list compiled to a minimal word graph written as JSGF: same phrases, fewer states.

A flat alternative of 600 phrases makes PocketSphinx search 600 separate word chains; the
minimal deterministic graph shares every common prefix and suffix ("i can not (control|hold) my
(bladder|bowels)" becomes one small graph), so decoding is as fast as for a hand-written grammar.
"""

from __future__ import annotations

from collections.abc import Iterable


class _Node:
    __slots__ = ("edges", "final")

    def __init__(self) -> None:
        self.edges: dict[str, _Node] = {}
        self.final = False


def _trie(phrases: Iterable[tuple[str, ...]]) -> _Node:
    root = _Node()
    for words in phrases:
        node = root
        for w in words:
            node = node.edges.setdefault(w, _Node())
        node.final = True
    return root


def _minimise(root: _Node) -> tuple[int, dict[int, tuple[bool, tuple[tuple[str, int], ...]]]]:
    """Merge nodes with the same future (same finality, same edges to the same merged nodes)."""
    ids: dict[tuple[bool, tuple[tuple[str, int], ...]], int] = {}
    states: dict[int, tuple[bool, tuple[tuple[str, int], ...]]] = {}

    def visit(node: _Node) -> int:
        sig = (node.final, tuple(sorted((w, visit(child)) for w, child in node.edges.items())))
        if sig not in ids:
            ids[sig] = len(ids)
            states[ids[sig]] = sig
        return ids[sig]

    return visit(root), states


def jsgf(phrases: Iterable[str], extra: Iterable[str] = (), name: str = "answer") -> str:
    """JSGF for exactly `phrases` (plus whole-utterance `extra` alternatives, e.g. a rule ref)."""
    start, states = _minimise(_trie(tuple(p.split()) for p in phrases if p.split()))
    rules: list[str] = []
    for sid, (_, edges) in sorted(states.items()):
        alternatives = []
        for word, target in edges:
            final, onward = states[target]
            if final:
                alternatives.append(word)
            if onward:
                alternatives.append(f"{word} <s{target}>")
        if alternatives:
            rules.append(f"<s{sid}> = {' | '.join(alternatives)};")
    top = " | ".join([f"<s{start}>", *extra])
    return (
        "#JSGF V1.0;\ngrammar "
        + name
        + ";\npublic <"
        + name
        + "> = "
        + top
        + ";\n"
        + "\n".join(rules)
        + "\n"
    )


def states(phrases: Iterable[str]) -> int:
    """How many states the minimal graph has (for reports)."""
    return len(_minimise(_trie(tuple(p.split()) for p in phrases if p.split()))[1])
