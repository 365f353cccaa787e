"""Weighing what was found in an answer into one reading, safety first.

For a warning sign, a described sign wins over a "no" anywhere else; never the reverse: a "yes"
with the sign described as absent is self-contradictory and is asked again. A hedged sign, or a
hedge alone, is "unsure". A command counts when nothing in the answer speaks to the question.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.core.content import Content, Question
from assistant.core.reading import Evidence, Reading
from assistant.core.understanding import GENERAL

if TYPE_CHECKING:
    from assistant.core.clauses import ClauseReading, Finding

_PRESENT = ("present", "here", "recent")
_VOLUNTEER = ("present", "recent")


@dataclass(frozen=True)
class _Verdict:
    """What an answer was weighed to mean, before it becomes a Reading."""

    intent: str | None
    why: list[Evidence] = field(default_factory=list)
    deciding: Sequence[Finding] = ()
    slots: dict[str, Any] = field(default_factory=dict)
    contradiction: bool = False


@dataclass
class _Tally:
    """Everything found in an answer, sorted by what it says."""

    present: list[Finding] = field(default_factory=list)
    absent: list[Finding] = field(default_factory=list)
    uncertain: list[Finding] = field(default_factory=list)
    gen_present: list[Finding] = field(default_factory=list)
    gen_absent: list[Finding] = field(default_factory=list)
    yes: list[Finding] = field(default_factory=list)
    no: list[Finding] = field(default_factory=list)
    unsure: list[Finding] = field(default_factory=list)
    often: list[Finding] = field(default_factory=list)
    commands: list[tuple[str, Finding]] = field(default_factory=list)
    weak: list[tuple[str, Finding]] = field(default_factory=list)
    places: list[tuple[str, Finding]] = field(default_factory=list)
    everywhere: list[Finding] = field(default_factory=list)
    explain: list[str] = field(default_factory=list)
    others: dict[str, Finding] = field(default_factory=dict)
    other_clauses: set[int] = field(default_factory=set)  # clauses describing another sign
    places_alone: bool = True  # every clause that names a place names nothing else
    clause_of: dict[int, int] = field(default_factory=dict)  # id(finding) -> its clause

    def retracted(self) -> bool:
        """Whether the sign was described, then taken back with a "no" and a denial.

        "They're weak... well no, they're fine" is a self-correction: asked again, not a yes.
        """
        denials = self.absent + self.gen_absent
        if not self.present or not denials:
            return False
        first = min(self._at(f) for f in self.present)
        later_no = any(
            self._at(f) > first and f.hit.said.lower() in ("no", "nope", "nah") for f in self.no
        )
        later_denial = any(self._at(f) > first for f in denials)
        return later_no and later_denial

    def free_often(self) -> list[Finding]:
        """How often, unless it qualifies a denial or another sign.

        "No, it's fine most of the time": a denial. "No, but my legs have folded under me,
        twice": the twice is the legs (the clause of another sign, or the one after it).
        """
        own = {self.clause_of[id(f)] for f in self.present}
        denied = {self.clause_of[id(f)] for f in self.absent + self.gen_absent}
        denied |= {c + d for c in self.other_clauses for d in (0, 1)} - own  # "..., twice"
        return [f for f in self.often if self.clause_of[id(f)] not in denied]

    def _at(self, f: Finding) -> tuple[int, int]:
        return self.clause_of[id(f)], f.hit.start


class Decider:
    """Turns the findings of an answer's clauses into a Reading for one question."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self.order = [q.id for q in content.questions]
        self.warnings = {q.id for q in content.questions if q.warning}
        where = {q.id for q in content.questions if q.kind == "location"}
        self.asks_where = {  # a yes here is followed by "where?": a place alone answers yes
            q.id
            for q in content.questions
            if q.kind == "yes_no" and "yes" in q.on and q.on["yes"].next in where
        }

    def decide(
        self, clauses: Sequence[ClauseReading], qid: str | None, confidence: float
    ) -> Reading:
        """The reading of an answer to `qid` (None: only commands are looked for)."""
        t = _Tally()
        for i, clause in enumerate(clauses):
            t.explain += clause.explain
            for f in clause.findings:
                t.clause_of[id(f)] = i
                self._sort(t, f, qid)
            if not clause.only_places and any(
                f.hit.label.startswith("place:") for f in clause.findings
            ):
                t.places_alone = False
        t.often = t.free_often()
        if any(c.aside for c in clauses):  # "Sorry, my son's just come in": an apology, no request
            vague = self.content.lexicon.weak_alone
            t.weak = [(n, f) for n, f in t.weak if f.hit.said.lower() not in vague]
        others = tuple(q for q in self.order if q in t.others and q != qid)
        also = [_ev("other_sign", t.others[q], q) for q in others]
        if qid is None:
            v = self._command(t) or _Verdict(None)
        elif self.content.question(qid).kind == "location":
            v = self._location(t) or _Verdict(None)
        else:
            v = self._yes_no(t, self.content.question(qid))
        fixed = any(w.fixed for f in v.deciding for w in f.hit.words)
        why = ([Evidence("contradiction", "")] if v.contradiction else []) + v.why + also
        return Reading(
            v.intent,
            round(confidence * (0.9 if fixed else 1.0), 4),
            v.slots,
            tuple(why),
            others,
            v.contradiction,
        )

    def _sort(self, t: _Tally, f: Finding, qid: str | None) -> None:
        kind, _, rest = f.hit.label.partition(":")
        s = f.scope
        if kind == "sign":
            self._sort_sign(t, f, rest, qid)
        elif kind == "cue":
            if rest == "yes":
                (t.no if s.negated else t.yes).append(f)
            elif rest in ("often", "degree"):
                (t.no if s.negated else t.unsure if s.uncertain else t.often).append(f)
            else:
                getattr(t, rest).append(f)
        elif kind == "cmd" and not (s.negated and s.by.lower() != "no") and not s.other:
            t.commands.append((rest, f))
        elif kind == "weak":
            t.weak.append((rest, f))
        elif kind == "place" and not (s.negated or s.other or s.supposed) and rest != "none":
            if rest == "all":
                t.everywhere.append(f)
            else:
                t.places.append((rest, f))

    def _sort_sign(self, t: _Tally, f: Finding, rest: str, qid: str | None) -> None:
        sq, _, kind = rest.partition(":")
        s = f.scope
        if s.other or (s.supposed and not s.uncertain) or (kind == "absent" and s.old):
            return
        present = (kind in _PRESENT) != s.negated and not (kind == "recent" and s.old)
        if sq == GENERAL:
            if qid is not None:
                (t.uncertain if s.uncertain else t.gen_present if present else t.gen_absent).append(
                    f
                )
        elif sq == qid:
            if kind == "unsure" or s.uncertain:
                t.uncertain.append(f)
            else:
                (t.present if present else t.absent).append(f)
        elif kind in _VOLUNTEER and present and not s.uncertain and sq in self.warnings:
            t.other_clauses.add(t.clause_of[id(f)])
            t.others.setdefault(sq, f)

    def _yes_no(self, t: _Tally, q: Question) -> _Verdict:
        return (
            self._explain(t)
            or self._by_sign(t, q)
            or self._command(t, weak=False)
            or self._by_cues(t)
            or self._placed(t, q)
            or self._weak(t)
            or _Verdict(None)
        )

    def _placed(self, t: _Tally, q: Question) -> _Verdict | None:
        """Only places, where a yes is followed by "where?" ("in my wrist and palm"): yes.

        The back alone too ("just in my lower back"), but not places with other words ("my legs
        ache", "only the ache in my back").
        """
        if q.id in self.asks_where and t.places_alone and t.places:
            why = [_ev("place", f, p) for p, f in t.places]
            return _Verdict("yes", why, [f for _, f in t.places], self._places(t))
        return None

    def _by_sign(self, t: _Tally, q: Question) -> _Verdict | None:
        """A described sign decides; a hedged one is not sure; one said to be absent is a no."""
        yes_words = t.yes + t.gen_present
        if t.retracted():
            why = [_ev("sign", f, q.id) for f in t.present] + _evs("no", t.no)
            denial = [_ev("no_sign", f, q.id) for f in t.absent + t.gen_absent]
            return _Verdict(None, why + denial, contradiction=True)
        if t.present:
            why = [_ev("sign", f, q.id) for f in t.present]
            return _Verdict("yes", why, t.present, self._places(t))
        if t.uncertain and not t.yes:
            return _Verdict(
                "unsure", [_ev("unsure_sign", f, q.id) for f in t.uncertain], t.uncertain
            )
        if not t.absent:
            return None
        denial = [_ev("no_sign", f, q.id) for f in t.absent]
        if t.unsure and not yes_words:
            return _Verdict("unsure", _evs("unsure", t.unsure) + denial, t.unsure)
        if t.often:  # "my bladder's fine, well, now and then": it happens
            return _Verdict("yes", _evs("often", t.often), t.often, self._places(t))
        if yes_words:  # "yes, I can control it fine": ask again
            return _Verdict(None, _evs("yes", yes_words) + denial, contradiction=True)
        return _Verdict("no", denial, t.absent)

    def _by_cues(self, t: _Tally) -> _Verdict | None:
        """Yes, no, not sure and how often, when nothing names the sign."""
        yes_words = t.yes + t.gen_present
        no_words = t.no + t.gen_absent
        if t.unsure and not yes_words:
            return _Verdict("unsure", _evs("unsure", t.unsure), t.unsure)
        if t.often:  # "no, only once": it happened
            return _Verdict("yes", _evs("often", t.often), t.often, self._places(t))
        if yes_words and no_words:
            why = _evs("yes", yes_words) + _evs("no", no_words)
            return _Verdict(None, why, contradiction=True)
        if yes_words:
            return _Verdict("yes", _evs("yes", yes_words), yes_words, self._places(t))
        if no_words:
            return _Verdict("no", _evs("no", no_words), no_words)
        return None

    def _location(self, t: _Tally) -> _Verdict | None:
        if t.places:
            why = [_ev("place", f, p) for p, f in t.places]
            return _Verdict("location", why, [f for _, f in t.places], self._places(t))
        if t.everywhere:
            every = list(self.content.place_groups.get("everywhere", ()))
            return _Verdict(
                "location", _evs("place", t.everywhere), t.everywhere, {"places": every}
            )
        command = self._command(t, weak=False)
        if command is not None:
            return command
        if t.unsure or t.uncertain:
            return _Verdict("unsure", _evs("unsure", t.unsure + t.uncertain))
        return self._weak(t)

    def _explain(self, t: _Tally) -> _Verdict | None:
        if t.explain:
            term = t.explain[0]
            return _Verdict("explain", [Evidence("explain", term)], slots={"term": term})
        return None

    def _command(self, t: _Tally, weak: bool = True) -> _Verdict | None:
        if t.explain:
            return self._explain(t)
        if t.commands:
            name, f = max(t.commands, key=lambda c: len(c[1].hit.positions))
            return _Verdict(name, [_ev("command", f, name)], [f])
        return self._weak(t) if weak else None

    def _weak(self, t: _Tally) -> _Verdict | None:
        if t.weak:
            name, f = t.weak[0]
            return _Verdict(name, [_ev("command", f, name)], [f])
        return None

    def _places(self, t: _Tally) -> dict[str, Any]:
        found = {p for p, _ in t.places}
        if len(found) > 1:
            found.discard("back_only")
        ordered = [p for p in self.content.lists["place"] if p in found]
        return {"places": ordered} if ordered else {}


def _ev(kind: str, f: Finding, about: str = "") -> Evidence:
    return Evidence(kind, f.hit.said, about, f.scope.by if f.scope.negated else "")


def _evs(kind: str, findings: Sequence[Finding]) -> list[Evidence]:
    return [_ev(kind, f) for f in findings]
