"""Which of the phrases found in a clause stand, where they overlap or mean little alone."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.core.patterns import Hit
from assistant.core.understanding import GENERAL
from assistant.core.words import Clause

POLARITY = ("cue:yes", "cue:no")
_RANK = {"sign": 0, "general": 1, "cmd": 2, "term": 2, "place": 3, "cue": 4}
_SIGN_RANK = {"present": 0, "recent": 0, "absent": 1, "unsure": 1, "here": 2}
"""Between two equally long sign phrases, one that also counts at other questions wins."""


def loose(
    hit: Hit, clause: Clause, found: Sequence[Hit], ignorable: set[int], glue: set[int]
) -> bool:
    """A frequency word inside a clause ("a bit loose") describes that, not how often it happens.

    "once or twice", "no, just sometimes", "sometimes when I sit" and "I've had it a few times"
    count: the frequency starts or ends its clause (besides yes, no and filler words).
    """
    if hit.label == "cue:degree":
        around = {
            p
            for h in found
            if h.label in POLARITY or h.label.startswith("place:")
            for p in h.positions
        }
        quiet_all = set(ignorable) | around | glue | set(hit.positions)
        return any(p not in quiet_all for p in range(len(clause)))
    if hit.label != "cue:often":
        return False
    quiet = set(ignorable) | {p for h in found if h.label in POLARITY for p in h.positions}
    before = all(p in quiet for p in range(hit.start))
    after = all(p in quiet for p in range(hit.end, len(clause)))
    return not (before or after)


def resolve(hits: Sequence[Hit]) -> list[Hit]:
    """Where findings overlap, keep the longest (then the tightest, then signs before cues).

    Signs of two different questions may share words ("can't feel it when I wipe" is about the
    saddle and about numbness): each is kept. Places and sides overlap only their own kind.
    """

    def kind(h: Hit) -> str:
        parts = h.label.split(":")
        return "general" if parts[0] == "sign" and parts[1] == GENERAL else parts[0]

    def rank(h: Hit) -> tuple[int, int, int, int]:
        sub = _SIGN_RANK.get(h.label.rsplit(":", 1)[-1], 0) if kind(h) == "sign" else 0
        return (-len(h.positions), sub, h.end - h.start, _RANK.get(kind(h), 5))

    shared: set[int] = set()  # taken by a cue, a command or a general phrase
    by_sign: dict[str, set[int]] = {}
    own: dict[str, set[int]] = {"place": set(), "side": set()}  # these overlap nothing else
    out: list[Hit] = []
    for h in sorted(hits, key=rank):
        k = kind(h)
        if k in own:
            mine, others = own[k], set()
        elif k == "sign":
            mine, others = by_sign.setdefault(h.label.split(":")[1], set()), shared
        else:
            mine, others = shared, set().union(*by_sign.values())
        if mine.isdisjoint(h.positions) and others.isdisjoint(h.positions):
            out.append(h)
            mine.update(h.positions)
    return sorted(out, key=lambda h: h.start)
