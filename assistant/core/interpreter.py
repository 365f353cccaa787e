"""The answer interpreter: text and a question in, a Reading (intent, slots, why) out.

A deterministic rule engine over intents/ data: the text is normalised and split into clauses;
in each clause the phrases of signs, yes/no cues, commands, places and terms are found (the
longest wins where two overlap), each qualified by the words around it (negation, hedges,
someone else's, long ago); then `decide` weighs them, a described warning sign first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from assistant.core.content import Content
from assistant.core.decide import Decider, Finding
from assistant.core.patterns import Hit, PatternSet
from assistant.core.reading import Reading
from assistant.core.scope import AFTER, ECHO, HEDGE, HEDGE_AFTER, PAST, SUPPOSE, WIDE, qualify
from assistant.core.understanding import GENERAL, SIGN_KINDS
from assistant.core.words import Clause, WordReader

EXPLAIN_WORD, PSEUDO, EXPLAINED, DOUBT, OVER = (
    "explain_word",
    "mod:pseudo",
    "mod:explained",
    "mod:doubt",
    "mod:over",
)
_POLARITY = ("cue:yes", "cue:no")
_RANK = {"sign": 0, "general": 1, "cmd": 2, "term": 2, "place": 3, "cue": 4}
_SIGN_RANK = {"present": 0, "recent": 0, "absent": 1, "unsure": 1, "here": 2}
"""Between two equally long sign phrases, one that also counts at other questions wins."""


@dataclass(frozen=True)
class ClauseReading:
    """The accepted findings of one clause."""

    findings: tuple[Finding, ...]
    explain: tuple[str, ...]  # terms asked about in this clause
    bare: bool = False  # nothing but signs and places ("pins and needles", "accidents")
    only_no: bool = False  # nothing but "no" words ("no", "none", "not really")
    terms: tuple[str, ...] = ()  # terms named, asked about or not
    asks: bool = False  # has a word that asks what something means ("what", "mean")
    put_down: bool = False  # says a sign comes from something harmless ("that's the tablets")
    gone: bool = False  # says what was there has gone ("but that went")
    doubt: bool = False  # nothing but doubt ("but I'm not sure")
    fragment: bool = False  # only "I have", "it is"...: may be the start of what follows


class Interpreter:
    """Reads answers to the questions of `content` (all rules and words from intents/)."""

    def __init__(self, content: Content) -> None:
        self.content = content
        lex = content.lexicon
        self.reader = WordReader(lex.words)
        self.found = PatternSet(self.reader, lex.gap, lex.reach, stops=lex.scope.ends)
        self.tight = PatternSet(self.reader, 1, lex.reach)  # commands: one word between at most
        skip = frozenset(w for w in lex.ignorable if " " not in w)
        self.fixed = PatternSet(self.reader, 2, lex.reach, skip)  # cues: only "really" etc between
        self.mods = PatternSet(self.reader, 2, lex.reach, skip)  # so are negations and hedges
        self.alone = PatternSet(self.reader, 0, 0)
        classes = lex.classes
        for qid, sign in lex.signs.items():
            target = self.fixed if qid == GENERAL else self.found  # "I've had that": set phrases
            for kind in SIGN_KINDS:
                target.add(getattr(sign, kind), f"sign:{qid}:{kind}", classes)
        for name, phrases in lex.cues.items():
            self.fixed.add(phrases, f"cue:{name}", classes)
        for name, phrases in lex.commands.items():
            self.tight.add(phrases, f"cmd:{name}", classes)
        for term, words in content.lists["term"].items():
            self.found.add((*words, *lex.terms.get(term, ())), f"term:{term}", classes)
        for place, words in content.lists["place"].items():
            self.found.add((*words, *lex.places.get(place, ())), f"place:{place}", classes)
        self.found.add(lex.not_places, "place:none", classes)
        self.found.add(lex.everywhere, "place:all", classes)
        self.found.add(lex.neutral, "neutral", classes)
        self.found.add(lex.neutral, "place:none", classes)  # "the size of my palm" is no place
        self.mods.add(lex.whole_clause, WIDE, classes)
        self.mods.add(lex.after, AFTER, classes)
        self.mods.add(lex.hedges, HEDGE, classes)
        self.mods.add(lex.hedges_after, HEDGE_AFTER, classes)
        self.mods.add(lex.long_ago, PAST, classes)
        self.mods.add(lex.supposing, SUPPOSE, classes)
        self.mods.add(lex.echo, ECHO, classes)
        self.mods.add(lex.explained, EXPLAINED, classes)
        self.mods.add(lex.over, OVER, classes)
        self.mods.add(lex.doubt_after, DOUBT, classes)
        self.mods.add(lex.pseudo, PSEUDO, classes)
        self.mods.add(lex.explain_words, EXPLAIN_WORD, classes)
        for name, phrases in lex.alone.items():
            label = f"cue:{name}" if name in ("yes", "no", "unsure") else f"weak:{name}"
            self.alone.add(phrases, label, classes, whole=True)
        for name, templates in content.commands.items():
            if name != "explain":  # a term is found by itself, with or without these words
                self.alone.add(templates, f"weak:{name}", {}, whole=True)
        self.ignorable = PatternSet(self.reader, 0, 0)
        self.ignorable.add(lex.ignorable, "ignore", classes, exact=True)
        self.decider = Decider(content)

    def read(self, text: str, qid: str | None, confidence: float = 1.0) -> Reading:
        """What `text` means as an answer to question `qid` (None: no question is open)."""
        limit = self.content.settings.max_answer_words
        clauses = [self._clause(c) for c in self.reader.clauses(text, limit)]
        for i in range(len(clauses) - 1):  # "I've been, you know, a bit wobbly": one answer
            if clauses[i].fragment and clauses[i + 1].findings:
                clauses[i] = replace(clauses[i], findings=())
        for i, clause in enumerate(clauses):
            if clause.put_down or clause.doubt:
                j = _signed(clauses, range(i - 1, -1, -1))
                if j is None and clause.doubt:  # "I'm not sure if it counts, I bumped my back"
                    j = _signed(clauses, range(i + 1, len(clauses)))
                if j is not None:
                    clauses[j] = _put_down(clauses[j])
            if clause.gone and i:
                clauses[i - 1] = _gone(clauses[i - 1])
        return self.decider.decide(_asked_back(_trailing_no(clauses)), qid, confidence)

    def _clause(self, clause: Clause) -> ClauseReading:
        found = [*self.found.find(clause), *self.tight.find(clause), *self.fixed.find(clause)]
        ignorable = {p for h in self.ignorable.find(clause) for p in h.positions}
        glue = {p for p, w in enumerate(clause) if w.text in self.content.lexicon.place_glue}
        hits = [h for h in _resolve(found) if not _loose(h, clause, found, ignorable, glue)]
        taken = {p for h in hits for p in h.positions}
        rest = [p for p in range(len(clause)) if p not in taken and p not in ignorable]
        fragment = False
        if rest and all(h.label in _POLARITY for h in hits):  # "yes, I have"; not "I'm not sure"
            for label in self.alone.find_whole([clause[p] for p in rest]):
                hits.append(Hit(label, tuple(rest), tuple(clause[p] for p in rest)))
                fragment = not taken and label == "cue:yes"
        said = {p for h in hits if not h.label.startswith("cue:") for p in h.positions}
        first = min((p for p in range(len(clause)) if p not in ignorable), default=0)
        mods = [
            m
            for m in self.mods.find(clause)
            if (m.label in (EXPLAIN_WORD, EXPLAINED, OVER) or said.isdisjoint(m.positions))
            and (m.label != ECHO or m.start == first)
            and (m.label != OVER or all(p in ignorable for p in range(m.end, len(clause))))
        ]
        scopes = qualify(clause, hits, mods, self.content.lexicon.scope)
        findings = _places_of_denials(
            tuple(Finding(h, s) for h, s in zip(hits, scopes, strict=True))
        )
        terms = [h for h in hits if h.label.startswith("term:")]
        asked = any(m.label == EXPLAIN_WORD for m in mods) or not [
            p for p in rest if not any(p in t.positions for t in terms)
        ]
        explain = tuple(t.label.split(":")[1] for t in terms) if asked else ()
        asks = any(m.label == EXPLAIN_WORD for m in mods)
        kinds = {h.label.split(":")[0] for h in hits}
        covered = taken | ignorable
        whole = bool(hits) and all(p in covered for p in range(len(clause)))
        bare = whole and kinds <= {"sign", "place"} and "sign" in kinds
        only_no = whole and {h.label for h in hits} == {"cue:no"}
        named = tuple(t.label.split(":")[1] for t in terms)
        doubt = any(m.label == DOUBT for m in mods) and not any(
            h.label.startswith(("sign:", "place:")) for h in hits
        )
        reading = ClauseReading(
            findings, explain, bare, only_no, named, asks, doubt=doubt, fragment=fragment
        )
        if any(m.label == OVER for m in mods):
            reading = _gone(reading)
        return _put_down(reading) if any(m.label == EXPLAINED for m in mods) else reading


def _trailing_no(clauses: list[ClauseReading]) -> list[ClauseReading]:
    """A bare sign followed by a lone "no" is denied ("Pins and needles? No.")."""
    out = list(clauses)
    for i in range(len(out) - 1):
        if out[i].bare and out[i + 1].only_no:
            said = out[i + 1].findings[0].hit.said
            findings = tuple(
                Finding(f.hit, replace(f.scope, negated=True, by=said))
                if f.hit.label.startswith("sign:") and _says_present(f)
                else f
                for f in out[i].findings
            )
            out[i] = replace(out[i], findings=findings)
    return out


def _places_of_denials(findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
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


def _put_down(clause: ClauseReading) -> ClauseReading:
    """Signs put down to a harmless cause become uncertain (asked again, never a plain no)."""
    findings = tuple(
        Finding(f.hit, replace(f.scope, uncertain=True)) if f.hit.label.startswith("sign:") else f
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


def _gone(clause: ClauseReading) -> ClauseReading:
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


def _loose(
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
            if h.label in _POLARITY or h.label.startswith("place:")
            for p in h.positions
        }
        quiet_all = set(ignorable) | around | glue | set(hit.positions)
        return any(p not in quiet_all for p in range(len(clause)))
    if hit.label != "cue:often":
        return False
    quiet = set(ignorable) | {p for h in found if h.label in _POLARITY for p in h.positions}
    before = all(p in quiet for p in range(hit.start))
    after = all(p in quiet for p in range(hit.end, len(clause)))
    return not (before or after)


def _resolve(hits: Sequence[Hit]) -> list[Hit]:
    """Where findings overlap, keep the longest (then the tightest, then signs before cues).

    Signs of two different questions may share words ("can't feel it when I wipe" is about the
    saddle and about numbness): each is kept. Places overlap only places.
    """

    def kind(h: Hit) -> str:
        parts = h.label.split(":")
        return "general" if parts[0] == "sign" and parts[1] == GENERAL else parts[0]

    def rank(h: Hit) -> tuple[int, int, int, int]:
        sub = _SIGN_RANK.get(h.label.rsplit(":", 1)[-1], 0) if kind(h) == "sign" else 0
        return (-len(h.positions), sub, h.end - h.start, _RANK.get(kind(h), 5))

    shared: set[int] = set()  # taken by a cue, a command or a general phrase
    by_sign: dict[str, set[int]] = {}
    own: dict[str, set[int]] = {"place": set()}  # places overlap nothing else
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
