"""What the words around a finding do to it: negation, hedging, someone else's, long ago.

In the manner of NegEx and ConText (Chapman et al.): a trigger word reaches forward over a few
words until a word that ends its reach ("no numbness and I can't walk": "no" stops at "I");
some negations come after ("pins and needles, no"), some cover the rest of the clause
("I don't think my legs are weak"); pseudo-negations ("not sure", "no doubt") are longer
phrases found first, so their "not" and "no" negate nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.core.patterns import Hit
from assistant.core.words import Clause

WIDE, HEDGE, HEDGE_AFTER, AFTER, PAST, SUPPOSE, ECHO = (
    "mod:wide",
    "mod:hedge",
    "mod:hedge_after",
    "mod:after",
    "mod:past",
    "mod:suppose",
    "mod:echo",
)
"""Labels of the modifier patterns (understanding.yaml `negation`, `hedges`, `long_ago`)."""
YES = "cue:yes"


@dataclass(frozen=True)
class ScopeWords:
    """Single words of the scope rules (understanding.yaml)."""

    negators: frozenset[str]  # "not", "no", "never", "without"...: negate what follows
    ends: frozenset[str]  # "i", "it", "so", "because"...: a negation reaches no further
    fresh_start: frozenset[str]  # "just", "only": a finding starting so is out of reach
    answer_after_no: frozenset[str]  # "no" followed by one of these is an answer ("no, I...")
    comparing: frozenset[str]  # "than": negates the signs after it, not the places
    concord: frozenset[
        str
    ]  # a lone "no" word two after one of these repeats it ("can't feel nothing")
    ignorable: frozenset[str]  # words that may trail a clause after a negation
    others: frozenset[str]  # "mum", "husband"...: what follows is someone else's
    self_words: frozenset[str]  # "i", "me", "my": what follows is the person's own again
    for_them: frozenset[str]  # "been", "since": now, said of another ("Mum's been wetting herself")
    them: frozenset[str]  # "she", "her", "himself": that other is a person
    reporting: frozenset[str]  # "says", "noticed": that other reports the person's sign
    reach: int


@dataclass(frozen=True)
class Scope:
    """How a finding is qualified where it was said."""

    negated: bool = False
    by: str = ""  # the negating words, as said
    uncertain: bool = False
    other: bool = False
    old: bool = False
    supposed: bool = False  # only supposed: "I'd know if I'd wet myself"


def qualify(clause: Clause, hits: Sequence[Hit], mods: Sequence[Hit], w: ScopeWords) -> list[Scope]:
    """The scope of each accepted hit, given the clause's modifier hits."""
    covered = {
        p
        for h in (*hits, *mods)
        if len(h.positions) > 1 and h.label != "cue:no"  # "never had": its "never" negates
        for p in h.positions
    }
    triggers = [
        i
        for i, word in enumerate(clause)
        if word.text in w.negators and i not in covered and _is_negator(clause, i, w)
    ]
    old = any(m.label == PAST for m in mods)
    last = max((p for p in range(len(clause)) if clause[p].text not in w.ignorable), default=-1)
    listing = last >= 0 and clause[last].text in ("no", "nope")  # "cancer no fever no falls no"
    out: list[Scope] = []
    for hit in hits:
        own_negation = any(word.text in w.negators for word in hit.words)  # "no problems"
        flips: list[int] = [
            t
            for t in triggers
            if hit.start < t < hit.end and t not in hit.positions and not own_negation
        ]
        before = _nearest_before(clause, hit.start, triggers, w)
        if before is not None and clause[before].text == "no" and hit.label.endswith(":absent"):
            before = None  # "no, walking is fine": no "no <thing>" denies that a thing is fine
        if before is not None:
            flips.append(before)
        if hit.label.startswith("place:"):  # "more in my legs than my feet": both places
            flips = [t for t in flips if clause[t].text not in w.comparing]
        wide = [m for m in mods if m.label == WIDE and m.end <= hit.start]
        after = [
            m
            for m in mods
            if m.label == AFTER
            and _trails(clause, hit, m, w)
            and not hit.label.endswith(":absent")  # "not too bad, no": the "no" agrees
            and not (hit.label == YES and len(m.positions) == 1)  # "yes... no": contradicts
        ]
        count = len(flips) + (1 if wide else 0)
        listed = (
            listing
            and hit.label != YES
            and not hit.label.endswith(":absent")
            and hit.end < len(clause)
            and clause[hit.end].text in ("no", "nope")
        )
        if count == 0 and (after or listed):  # "not both, no": a trailing "no" agrees
            count = 1
        said = [clause[t].said for t in sorted(flips)] + [m.said for m in (*wide[:1], *after[:1])]
        hedged = any(
            (m.label == HEDGE and (m.end <= hit.start or hit.start < m.start < hit.end))
            or (m.label == HEDGE_AFTER and m.start >= hit.end)
            for m in mods
        )
        out.append(
            Scope(
                negated=count % 2 == 1,
                by=" ".join(said),
                uncertain=hedged,
                other=_someone_else(clause, hit, w),
                old=old,
                supposed=any(
                    (m.label == SUPPOSE and m.end <= hit.start)
                    or (m.label == ECHO and m.start <= hit.start)
                    for m in mods
                ),
            )
        )
    return out


def _is_negator(clause: Clause, i: int, w: ScopeWords) -> bool:
    """A "no" before "I", "my", "it"... is an answer on its own, not "no <thing>"."""
    if clause[i].text != "no":
        return True
    return i + 1 < len(clause) and clause[i + 1].text not in w.answer_after_no


def _nearest_before(clause: Clause, start: int, triggers: list[int], w: ScopeWords) -> int | None:
    if clause[start].text in w.fresh_start:  # "no tingling, just sore": a new scope
        return None
    for t in reversed([t for t in triggers if t < start]):
        if start - t > w.reach:
            return None
        if start - t > 1 and clause[start].text in w.ends:  # "no numbness, it's all pain"
            return None
        if any(clause[p].text in w.ends for p in range(t + 1, start)):
            return None
        return t
    return None


def _trails(clause: Clause, hit: Hit, mod: Hit, w: ScopeWords) -> bool:
    """A negation after the finding that ends the clause ("accidents, none"; "tingling no")."""
    if mod.start < hit.end or mod.start - hit.end > 1:
        return False
    return all(clause[p].text in w.ignorable for p in range(mod.end, len(clause)))


def _someone_else(clause: Clause, hit: Hit, w: ScopeWords) -> bool:
    """Whether a person other than the speaker is named before the finding ("my mum had cancer").

    Not when the clause says it is happening to them now ("Mum's been wetting herself since she
    hurt her back"), or they report it ("Dad says it's both legs"): that is a carer answering for
    the person, and the sign counts. Nor when the finding itself names the person ("the dog
    knocked me flying").
    """
    start = hit.start
    if any(word.text in w.self_words for word in hit.words):
        return False
    for p in range(start - 1, max(-1, start - w.reach - 1), -1):
        word = clause[p]
        if word.text in w.others or word.stem in w.others:
            after = {clause[q].text for q in range(p + 1, len(clause))}
            if p + 1 < start and clause[p + 1].text in w.reporting:
                return False
            return not (after & w.for_them and after & w.them)
        if word.text in w.self_words:
            return False
    return False
