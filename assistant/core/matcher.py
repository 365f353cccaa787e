"""Text -> intent, confidence and slots, for one question; also the phrases its grammar allows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cached_property
from typing import Any

from assistant.core.content import ANSWERS, COMMANDS, Content, Question
from assistant.core.templates import expand


@dataclass(frozen=True)
class Match:
    """What an answer meant: an intent, how sure we are (0..1) and its slots."""

    intent: str
    confidence: float
    slots: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _Phrase:
    words: tuple[str, ...]
    intent: str
    slots: dict[str, tuple[str, ...]]
    negated: bool
    spoken: str


class Matcher:
    """Matches normalised text against a question's phrases, then the general ones."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self.norm = content.normalizer
        self._tables: dict[str, tuple[dict[tuple[str, ...], _Phrase], tuple[_Phrase, ...]]] = {}
        self._grammars: dict[str | None, tuple[str, ...]] = {}

    def _phrases(self, templates: dict[str, tuple[str, ...]]) -> list[_Phrase]:
        out: list[_Phrase] = []
        for intent, group in templates.items():
            for template in group:
                for text, slots in expand(template, self.content.lists):
                    words = self.norm.tokens(text)
                    if words:
                        negated = self.norm.is_negated(words)
                        out.append(_Phrase(words, intent, slots, negated, text))
        return out

    @cached_property
    def _general(self) -> list[_Phrase]:
        commands = self._phrases(dict(self.content.commands))
        answers = self._phrases(dict(self.content.answers))
        return commands + answers

    @cached_property
    def _general_for_location(self) -> list[_Phrase]:
        return [p for p in self._general if p.intent not in ("yes", "no")]

    @cached_property
    def _location(self) -> list[_Phrase]:
        return self._phrases({"location": self.content.location})

    def _table(self, q: Question) -> tuple[dict[tuple[str, ...], _Phrase], tuple[_Phrase, ...]]:
        if q.id not in self._tables:
            own = self._phrases(dict(q.phrases))
            if q.kind == "location":
                ordered = own + self._location + self._general_for_location
            else:
                ordered = own + self._general
            exact: dict[tuple[str, ...], _Phrase] = {}
            for p in ordered:
                exact.setdefault(p.words, p)
            self._tables[q.id] = (exact, tuple(ordered))
        return self._tables[q.id]

    def _spoken(self, phrases: Iterable[_Phrase]) -> tuple[str, ...]:
        return tuple(sorted({form for p in phrases for form in self.norm.spoken_forms(p.spoken)}))

    def general_phrases(self) -> tuple[str, ...]:
        """What the recogniser listens for outside a question: the general answers and commands."""
        if None not in self._grammars:
            self._grammars[None] = self._spoken(self._general)
        return self._grammars[None]

    def phrases_for(self, qid: str) -> tuple[str, ...]:
        """What the recogniser listens for at this question: every phrase it accepts, as spoken."""
        if qid not in self._grammars:  # built once per question, not on every turn
            _, ordered = self._table(self.content.question(qid))
            self._grammars[qid] = self._spoken(ordered)
        return self._grammars[qid]

    def intents_for(self, qid: str) -> tuple[str, ...]:
        """The intents this question accepts."""
        q = self.content.question(qid)
        answers = ANSWERS if q.kind == "yes_no" else ("location", "unsure")
        return (*answers, *COMMANDS)

    def match(self, text: str, qid: str | None, asr_confidence: float = 1.0) -> Match | None:
        """What `text` means as an answer to question `qid` (None: no question), or None."""
        words = self.norm.tokens(text)[: self.content.settings.max_answer_words]
        if not words:
            return None
        if qid is None:
            general = tuple(self._general)
            hit = {p.words: p for p in reversed(general)}.get(words)
            return (
                self._result(hit, asr_confidence)
                if hit
                else self._fuzzy(words, general, asr_confidence)
            )
        q = self.content.question(qid)
        exact, ordered = self._table(q)
        hit = exact.get(words)
        if hit is not None:
            return self._result(hit, asr_confidence)
        if q.kind == "location":
            places = self._places(words)
            if places:
                return Match("location", asr_confidence * 0.9, {"places": places})
        return self._fuzzy(words, ordered, asr_confidence, leads=q.kind == "yes_no")

    def _result(self, p: _Phrase, confidence: float, score: float = 1.0) -> Match:
        slots: dict[str, Any] = {}
        if "term" in p.slots:
            slots["term"] = p.slots["term"][0]
        if "place" in p.slots:
            slots["places"] = self._ordered(set(p.slots["place"]))
        if p.intent == "location" and not slots:
            key = " ".join(p.words)
            group = self.content.place_groups.get(key)
            slots["places"] = list(group) if group else ["back_only"]
        return Match(p.intent, round(confidence * score, 4), slots)

    def _ordered(self, places: set[str]) -> list[str]:
        if len(places) > 1:
            places.discard("back_only")
        return [p for p in self.content.lists["place"] if p in places]

    def _places(self, words: tuple[str, ...]) -> list[str]:
        """Places named anywhere in the answer ("my legs and my feet"), unless just negated."""
        text = f" {' '.join(words)} "
        found: set[str] = set()
        for place, names in self.content.lists["place"].items():
            for name in sorted(names, key=len, reverse=True):
                spot = f" {name} "
                start = text.find(spot)
                while start != -1:
                    before = text[:start].split()[-2:]
                    if not any(w in self.norm.negators for w in before):
                        found.add(place)
                    start = text.find(spot, start + 1)
        return self._ordered(found)

    def _fuzzy(
        self, words: tuple[str, ...], ordered: tuple[_Phrase, ...], conf: float, leads: bool = True
    ) -> Match | None:
        """The closest phrase of the same polarity; a leading yes/no must agree with the rest."""
        s = self.content.settings
        lead = next(
            (k for k, v in self.content.lead_words.items() if leads and words[0] in v), None
        )
        body = words[1:] if lead and len(words) > 1 else words
        best = _best_by_intent(body, ordered, self.norm.is_negated(body))
        ranked = sorted(best.items(), key=lambda kv: kv[1][0], reverse=True)
        top = ranked[0] if ranked and ranked[0][1][0] >= s.fuzzy_min_score else None
        if lead is not None:
            if top is None:
                return Match(lead, round(conf * 0.9, 4))
            if top[0] in ANSWERS and top[0] != lead:
                return None  # "no, I can't walk": the two halves disagree, so ask again
            if top[0] not in ANSWERS:
                return Match(lead, round(conf * 0.9, 4))
        if top is None:
            return None
        intent, (score, phrase) = top
        rival = next((sc for name, (sc, _) in ranked[1:] if _conflicts(intent, name)), 0.0)
        if score - rival < s.fuzzy_margin:
            return None
        return self._result(phrase, conf, score)


def _conflicts(a: str, b: str) -> bool:
    return a != b and {a, b} <= {"yes", "no", "unsure"}


def _best_by_intent(
    words: tuple[str, ...], phrases: tuple[_Phrase, ...], negated: bool
) -> dict[str, tuple[float, _Phrase]]:
    best: dict[str, tuple[float, _Phrase]] = {}
    for p in phrases:
        if p.negated != negated:
            continue
        score = SequenceMatcher(None, words, p.words, autojunk=False).ratio()
        if score > best.get(p.intent, (0.0, p))[0]:
            best[p.intent] = (score, p)
    return best
