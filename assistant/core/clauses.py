"""How the clauses of one answer qualify each other ("..., but I'm not sure", "but that went").

Each clause is read on its own first (`ClauseReading`); then `settle` applies what one clause
says about its neighbours: a doubt or a harmless cause makes the sign before it not sure, "I was
dieting" denies it, "but that went" ends its places, a bare sign followed by a lone "no" is
denied, a question about a term just named asks about it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from assistant.core.patterns import Hit
from assistant.core.scope import Scope


@dataclass(frozen=True)
class Finding:
    """One phrase found in a clause, with how the words around it qualify it."""

    hit: Hit
    scope: Scope


@dataclass(frozen=True)
class ClauseReading:
    """The accepted findings of one clause."""

    findings: tuple[Finding, ...]
    explain: tuple[str, ...]  # terms asked about in this clause
    bare: bool = False  # nothing but signs and places ("pins and needles", "accidents")
    only_no: bool = False  # nothing but "no" words ("no", "none", "not really")
    only_yes: bool = False  # nothing but "yes" words
    terms: tuple[str, ...] = ()  # terms named, asked about or not
    asks: bool = False  # has a word that asks what something means ("what", "mean")
    put_down: bool = False  # says a sign comes from something harmless ("that's the tablets")
    gone: bool = False  # says what was there has gone ("but that went")
    doubt: bool = False  # nothing but doubt ("but I'm not sure")
    fragment: bool = False  # only "I have", "it is"...: may be the start of what follows
    meant: bool = False  # says it was done on purpose ("I was dieting")
    one_side: bool = False  # names one side and nothing else ("the right one")
    only_places: bool = False  # places and the words that join them ("in my wrist and palm")
    adds: bool = False  # starts by adding to the clause before ("and I've also...")
    corrects: bool = False  # only takes back what was said ("sorry, no", "oops")
    earlier: bool = False  # says how things were before ("before, no"): its denials are dropped
    only_earlier: bool = False  # nothing but "before" and "no" words ("before, never")
    aside: bool = False  # words, but nothing found ("my son's just come in")


def settle(clauses: list[ClauseReading]) -> list[ClauseReading]:
    """Apply what each clause says about its neighbours; returns the clauses as they stand."""
    clauses = list(clauses)
    for i in range(len(clauses) - 1):  # "I've been, you know, a bit wobbly": one answer
        if clauses[i].fragment and clauses[i + 1].findings and not clauses[i + 1].adds:
            clauses[i] = replace(clauses[i], findings=())
        if clauses[i].one_side and clauses[i + 1].fragment:  # "The right, definitely."
            clauses[i + 1] = replace(clauses[i + 1], findings=())
    for i, clause in enumerate(clauses):
        if clause.put_down or clause.doubt:
            j = _signed(clauses, range(i - 1, -1, -1))
            if j is None and clause.doubt:  # "I'm not sure if it counts, I bumped my back"
                j = _signed(clauses, range(i + 1, len(clauses)))
            if j is not None:
                clauses[j] = put_down(clauses[j])
        if clause.gone and i:
            clauses[i - 1] = gone(clauses[i - 1])
    for i, clause in enumerate(clauses):  # after doubts: "that's the diet" settles it
        j = _signed(clauses, range(i - 1, -1, -1)) if clause.meant else None
        if j is not None:
            clauses[j] = meant(clauses[j])
    return _asked_back(_trailing_no(_corrected(_before_no(clauses))))


def _before_no(clauses: list[ClauseReading]) -> list[ClauseReading]:
    """A lone "no" next to a clause of nothing but "before" is about then ("Before, never.")."""
    out = list(clauses)
    for i, clause in enumerate(clauses):
        if not clause.only_earlier:
            continue
        for j in (i - 1, i + 1):
            if 0 <= j < len(out) and out[j].only_no:
                out[j] = replace(out[j], findings=(), only_no=False, earlier=True)
    return out


def _corrected(clauses: list[ClauseReading]) -> list[ClauseReading]:
    """Places taken back ("My leg... sorry, no, my arm"): a correction with places after it.

    Not when what follows adds to them ("legs, sorry, and arms").
    """
    out = list(clauses)
    for i, clause in enumerate(out):
        after = next((c for c in out[i + 1 :] if _placed(c)), None)
        if not clause.corrects or after is None or after.adds:
            continue
        j = i - 1
        while j >= 0 and out[j].corrects:  # "sorry" "no": one correction
            j -= 1
        if j >= 0 and _placed(out[j]):
            out[j] = gone(out[j])
    return out


def _placed(clause: ClauseReading) -> bool:
    """Whether a clause names a place as where it is (not denied)."""
    return any(f.hit.label.startswith("place:") and not f.scope.negated for f in clause.findings)


def _trailing_no(clauses: list[ClauseReading]) -> list[ClauseReading]:
    """Bare signs followed by a lone "no" are denied ("Fever? Cancer? Good grief, no.").

    A lone "yes" after bare denials agrees with them ("Severe? No. Annoying, yes.").
    """
    out = list(clauses)
    for i, clause in enumerate(out):
        if not (clause.only_no or clause.only_yes):
            continue
        j = i - 1
        while j >= 0 and not out[j].findings:  # "Weak? Me? No.": skip what says nothing
            j -= 1
        if clause.only_yes:
            if j >= 0 and out[j].bare and not any(_says_present(f) for f in out[j].findings):
                out[i] = replace(clause, findings=())
            continue
        said = clause.findings[0].hit.said
        while j >= 0 and out[j].bare:
            findings = tuple(
                Finding(f.hit, replace(f.scope, negated=True, by=said))
                if f.hit.label.startswith("sign:") and _says_present(f)
                else f
                for f in out[j].findings
            )
            out[j] = replace(out[j], findings=findings)
            j -= 1
    return out


def places_of_denials(findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    """A place inside a phrase that says it is fine ("my arms are fine") is not a place of it."""
    fine = {
        p
        for f in findings
        if f.hit.label.startswith("sign:") and not _says_present(f)
        for p in f.hit.positions
    }
    return tuple(
        Finding(f.hit, replace(f.scope, negated=True))
        if f.hit.label.startswith("place:") and fine & set(f.hit.positions)
        else f
        for f in findings
    )


def put_down(clause: ClauseReading) -> ClauseReading:
    """Signs put down to a harmless cause become uncertain (asked again, never a plain no)."""
    findings = tuple(
        Finding(f.hit, replace(f.scope, uncertain=True))
        if f.hit.label.startswith("sign:") and _says_present(f)
        else f
        for f in clause.findings
    )
    return replace(clause, findings=findings, put_down=True)


def _signed(clauses: list[ClauseReading], order: Iterable[int]) -> int | None:
    """The first clause, in `order`, that describes a sign (as said, not supposed)."""
    for j in order:
        if any(
            f.hit.label.startswith("sign:") and not f.scope.supposed for f in clauses[j].findings
        ):
            return j
    return None


def meant(clause: ClauseReading) -> ClauseReading:
    """Done on purpose: a sign it describes is denied (weight lost by dieting)."""
    findings = tuple(
        Finding(f.hit, replace(f.scope, negated=True, uncertain=False, by="meant"))
        if f.hit.label.startswith("sign:") and _says_present(f)
        else f
        for f in clause.findings
    )
    return replace(clause, findings=findings, meant=True)


def earlier(clause: ClauseReading) -> ClauseReading:
    """How things were before: its denials say nothing of now ("it come slow now, before no")."""
    findings = tuple(f for f in clause.findings if not _denies(f))
    return replace(clause, findings=findings, only_no=False, earlier=True)


def _denies(f: Finding) -> bool:
    """A "no", or a sign phrase that, as said, says the sign is not there."""
    label = f.hit.label
    if label == "cue:no":
        return True
    kind = label.rsplit(":", 1)[-1]
    if not label.startswith("sign:") or kind == "unsure":
        return False
    return (kind == "absent") != f.scope.negated


def gone(clause: ClauseReading) -> ClauseReading:
    """What has gone: its places are no longer places."""
    findings = tuple(
        Finding(f.hit, replace(f.scope, negated=True)) if f.hit.label.startswith("place:") else f
        for f in clause.findings
    )
    return replace(clause, findings=findings, gone=True)


def _asked_back(clauses: list[ClauseReading]) -> list[ClauseReading]:
    """A question about a term just named: "My friend had sciatica. What actually is it?"."""
    out = list(clauses)
    for i in range(1, len(out)):
        if out[i].asks and not out[i].terms and out[i - 1].terms and not out[i - 1].explain:
            out[i] = replace(out[i], explain=out[i - 1].terms)
    return out


def _says_present(f: Finding) -> bool:
    """A sign phrase that, as said, says the sign is there (not "not too bad")."""
    kind = f.hit.label.rsplit(":", 1)[-1]
    return kind in ("present", "here", "recent") and not f.scope.negated
