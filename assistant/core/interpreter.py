"""The answer interpreter: text and a question in, a Reading (intent, slots, why) out.

A deterministic rule engine over intents/ data: the text is normalised and split into clauses;
in each clause the phrases of signs, yes/no cues, commands, places and terms are found (the
longest wins where two overlap), each qualified by the words around it (negation, hedges,
someone else's, long ago); then `decide` weighs them, a described warning sign first.
"""

from __future__ import annotations

from dataclasses import replace

from assistant.core.clauses import (
    ClauseReading,
    Finding,
    earlier,
    gone,
    meant,
    places_of_denials,
    put_down,
    settle,
)
from assistant.core.content import Content
from assistant.core.decide import Decider
from assistant.core.grammar import Grammar
from assistant.core.overlaps import POLARITY, loose, resolve
from assistant.core.patterns import Hit, PatternSet
from assistant.core.reading import Reading
from assistant.core.scope import AFTER, ECHO, HEDGE, HEDGE_AFTER, PAST, SUPPOSE, WIDE, qualify
from assistant.core.understanding import GENERAL, SIGN_KINDS
from assistant.core.words import Clause, WordReader

EXPLAIN_WORD, PSEUDO, EXPLAINED, DOUBT, OVER, MEANT, ADDS, CORRECTS, BEFORE = (
    "explain_word",
    "mod:pseudo",
    "mod:explained",
    "mod:doubt",
    "mod:over",
    "mod:meant",
    "mod:adds",
    "mod:corrects",
    "mod:before",
)
_INSIDE_NOTHING = (AFTER, WIDE, HEDGE, HEDGE_AFTER, PSEUDO, SUPPOSE, BEFORE)
"""Negations, hedges and suppositions found inside another phrase ("not [like] me") do not count."""


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
        # Words that may stand between places in a clause of places ("my hands, not my feet").
        self._joins = {*lex.place_glue, *lex.scope.negators, "and", "or", "to"}
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
        self.found.add(lex.sides, "side", classes)
        self.found.add(lex.neutral, "neutral", classes)
        self.found.add(lex.neutral, "place:none", classes)  # "the size of my palm" is no place
        modifiers = {
            WIDE: lex.whole_clause,
            AFTER: lex.after,
            HEDGE: lex.hedges,
            HEDGE_AFTER: lex.hedges_after,
            PAST: lex.long_ago,
            SUPPOSE: lex.supposing,
            ECHO: lex.echo,
            EXPLAINED: lex.explained,
            OVER: lex.over,
            DOUBT: lex.doubt_after,
            MEANT: lex.meant,
            PSEUDO: lex.pseudo,
            EXPLAIN_WORD: lex.explain_words,
            ADDS: lex.adds_on,
            CORRECTS: lex.corrections,
            BEFORE: lex.before,
        }
        for label, phrases in modifiers.items():
            self.mods.add(phrases, label, classes)
        for name, phrases in lex.alone.items():
            label = f"cue:{name}" if name in ("yes", "no", "unsure") else f"weak:{name}"
            self.alone.add(phrases, label, classes, whole=True)
        grammar = Grammar(content)
        weak = set(lex.weak_alone)
        for name, templates in content.commands.items():
            if name == "explain":  # a term is found by itself, with or without these words
                continue
            for phrase in grammar.phrases(templates):  # "faster" alone is clear; "sorry" is not
                label = f"weak:{name}" if phrase in weak else f"cmd:{name}"
                self.alone.add([phrase], label, {}, whole=True)
        self.ignorable = PatternSet(self.reader, 0, 0)
        self.ignorable.add(lex.ignorable, "ignore", classes, exact=True)
        self.decider = Decider(content)

    def read(self, text: str, qid: str | None, confidence: float = 1.0) -> Reading:
        """What `text` means as an answer to question `qid` (None: no question is open)."""
        limit = self.content.settings.max_answer_words
        clauses = [self._clause(c) for c in self.reader.clauses(text, limit)]
        return self.decider.decide(settle(clauses), qid, confidence)

    def _clause(self, clause: Clause) -> ClauseReading:
        """One clause read on its own: what is found, how it is qualified, what it says."""
        ignorable = {p for h in self.ignorable.find(clause) for p in h.positions}
        hits, rest, fragment = self._hits(clause, ignorable)
        said = {p for h in hits if not h.label.startswith("cue:") for p in h.positions}
        no_said = {p for h in hits if h.label == "cue:no" for p in h.positions}
        first = min((p for p in range(len(clause)) if p not in ignorable), default=0)
        mods = [
            m
            for m in self.mods.find(clause)
            if (m.label not in _INSIDE_NOTHING or said.isdisjoint(m.positions))
            and (m.label != ECHO or m.start <= first)  # only fillers before it
            and (m.label != OVER or all(p in ignorable for p in range(m.end, len(clause))))
            and (m.label != BEFORE or _at_edge(m, len(clause), ignorable))
            and (m.label != WIDE or not no_said.issuperset(m.positions))  # "I don't think so"
        ]
        scopes = qualify(clause, hits, mods, self.content.lexicon.scope)
        findings = places_of_denials(
            tuple(Finding(h, s) for h, s in zip(hits, scopes, strict=True))
        )
        labels = {m.label for m in mods}
        terms = [h for h in hits if h.label.startswith("term:")]
        asks = EXPLAIN_WORD in labels
        alone = not [p for p in rest if not any(p in t.positions for t in terms)]
        kinds = {h.label.split(":")[0] for h in hits}
        covered = {p for h in hits for p in h.positions} | ignorable
        complete = bool(hits) and all(p in covered for p in range(len(clause)))
        side = {p for h in hits if h.label == "side" for p in h.positions}
        fixing = no_said | {p for m in mods if m.label == CORRECTS for p in m.positions}
        reading = ClauseReading(
            findings,
            explain=tuple(t.label.split(":")[1] for t in terms) if asks or alone else (),
            bare=complete and kinds <= {"sign", "place"} and "sign" in kinds,
            only_no=complete and {h.label for h in hits} == {"cue:no"},
            only_places=kinds - {"side"} == {"place"}  # "my left arm, not my feet"
            and all(p in covered or clause[p].text in self._joins for p in range(len(clause))),
            only_yes=complete and {h.label for h in hits} == {"cue:yes"},
            terms=tuple(t.label.split(":")[1] for t in terms),
            asks=asks,
            doubt=DOUBT in labels
            and not any(
                f.hit.label.startswith(("sign:", "place:")) and not f.scope.uncertain
                for f in findings
            ),
            fragment=fragment,
            one_side=bool(side) and all(p in side | ignorable for p in range(len(clause))),
            adds=any(m.label == ADDS and m.start == 0 for m in mods),
            corrects=bool(fixing - ignorable)
            and all(p in fixing | ignorable for p in range(len(clause))),
            aside=not hits and not mods and bool(rest),
        )
        if BEFORE in labels:
            then = no_said | {p for m in mods if m.label == BEFORE for p in m.positions}
            negators = self.content.lexicon.scope.negators
            then |= {p for p, w in enumerate(clause) if w.text in negators}
            reading = replace(
                earlier(reading),
                only_earlier=all(p in then | ignorable for p in range(len(clause))),
            )
        if OVER in labels:
            reading = gone(reading)
        if MEANT in labels:
            reading = meant(reading)
        return put_down(reading) if EXPLAINED in labels else reading

    def _hits(self, clause: Clause, ignorable: set[int]) -> tuple[list[Hit], list[int], bool]:
        """The phrases that stand in a clause, the words left over, and whether it is a fragment.

        A fragment is a short answer alone ("I have") that may be the start of the next clause.
        """
        found = [*self.found.find(clause), *self.tight.find(clause), *self.fixed.find(clause)]
        glue = {p for p, w in enumerate(clause) if w.text in self.content.lexicon.place_glue}
        hits = [h for h in resolve(found) if not loose(h, clause, found, ignorable, glue)]
        answered = {p for h in hits if h.label in POLARITY for p in h.positions}
        hits = [  # "no to all of it": no place
            h for h in hits if not (h.label.startswith("place:") and answered >= set(h.positions))
        ]
        starts = {
            h.start
            for h in hits
            if h.label.startswith("sign:")
            and not h.label.startswith(f"sign:{GENERAL}:")
            and clause[h.start].text not in self.content.lexicon.scope.answer_after_no
        }
        concord = self.content.lexicon.scope.concord
        hits = [  # "no fever" at another question: a "no" that only says "no fever"
            h
            for h in hits
            if not (h.said.lower() == "no" and h.end in starts)
            and not (  # "I can't feel nothing": the "nothing" repeats the "not"
                h.label == "cue:no" and h.start >= 2 and clause[h.start - 2].text in concord
            )
        ]
        taken = {p for h in hits for p in h.positions}
        placed = any(h.label.startswith("place:") for h in hits)
        if placed:  # "I do, mostly my heel" (but not the "it is" of "it's in my back")
            ignorable = ignorable | glue
        rest = [p for p in range(len(clause)) if p not in taken and p not in ignorable]
        if placed and rest and clause[rest[0]].text != "i":
            return hits, rest, False
        if (not rest and hits) or not all(
            h.label in POLARITY or h.label.startswith("place:") for h in hits
        ):
            return hits, rest, False
        left = [p for p in range(len(clause)) if p not in taken]
        polarity = {h.label for h in hits}
        for words in (left, rest):  # "you what" first, then "what ... please" without fillers
            labels = [  # not "I'm" of "I'm not there yet"
                lb
                for lb in self.alone.find_whole([clause[p] for p in words])
                if not (lb == "cue:yes" and "cue:no" in polarity)
                and not (lb == "cue:no" and "cue:yes" in polarity)
            ]
            if labels:
                hits += [Hit(lb, tuple(words), tuple(clause[p] for p in words)) for lb in labels]
                return hits, rest, not taken and "cue:yes" in labels
        return hits, rest, False


def _at_edge(m: Hit, length: int, ignorable: set[int]) -> bool:
    """Whether a phrase starts or ends its clause (only ignorable words before or after it)."""
    before = all(p in ignorable for p in range(m.start))
    return before or all(p in ignorable for p in range(m.end, length))
