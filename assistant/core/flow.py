"""Moving through the questions: asking, moving on safely, and asking about a described sign.

A question is asked at most `max_asks` times in a row; when an answer never comes the sign counts
as possibly present; a warning sign the person described while answering another question is
asked about next.
"""

from __future__ import annotations

from dataclasses import replace

from assistant.core.closing import Closing
from assistant.core.content import OUTCOME, Content, Question
from assistant.core.grammar import Grammar
from assistant.core.messages import Action, Expected, Listen, Say
from assistant.core.state import AFTER_EMERGENCY, NO_ANSWER, UNSURE, State

Step = tuple[State, list[Action]]


class Flow:
    """The pure moves of the conversation between questions; the dialog decides which to make."""

    def __init__(self, content: Content, closing: Closing, grammar: Grammar) -> None:
        self.content = content
        self.closing = closing
        self.say = closing.say
        self.grammar = grammar
        self.settings = content.settings

    # --- asking -----------------------------------------------------------------------
    def ask(self, state: State, lines: list[Say], before: list[Action] | None = None) -> Step:
        """Say `lines` and listen for an answer to `state.qid`, unless it has been asked too often.

        A question asked `max_asks` times in a row (not understood, help, repeat, silence...) is
        not asked again: the sign counts as possibly present (a place as not known), the person
        is told so in one sentence, and the questions go on.
        """
        asks = state.asks + 1 if state.last_asked == state.qid else 1
        if state.phase != "emergency" and asks > self.settings.max_asks:
            q = self.content.question(state.qid)
            kept = [s for s in lines if s.key not in (q.ask, q.simpler, q.confirm)]
            return self.give_up(replace(state, asks=0, last_asked=""), q, kept)
        state = replace(state, asks=asks, last_asked=state.qid, last_said=tuple(lines))
        expected = Expected(state.qid, self.grammar.phrases_for(state.qid))
        return state, [*(before or []), *lines, Listen(expected)]

    def give_up(self, state: State, q: Question, lines: list[Say]) -> Step:
        """Stop asking `q`: a warning sign counts as possibly present; say so and go on."""
        if q.warning:
            state = state.raised(q.if_unsure, q.id + NO_ANSWER)
            lines = lines + self.say("loop_counted", sign=self.sign(q))
        else:
            lines = lines + self.say("loop_moved_on")
        return self.advance(state, q, "unsure", lines, answer="no_answer")

    def failure(self, state: State, q: Question, lines: list[Say]) -> Step:
        """Silence, nothing understood, or a failed device: reprompt, then stop asking safely."""
        state = replace(state, failures=state.failures + 1)
        kind = "location" if q.kind == "location" else "yes_no"
        if state.failures < self.settings.max_failures:
            key = f"reprompt_{kind}_{min(state.failures, 2)}"
            ask = q.ask if state.failures == 1 else q.simpler
            return self.ask(state, lines + self.say(key) + self.say(ask))
        if q.warning:
            state = state.raised(q.if_unsure, q.id + NO_ANSWER)
            lines = lines + self.say("no_answer_counted", sign=self.sign(q))
        return self.advance(state, q, "unsure", lines, answer="no_answer")

    def unsure(self, state: State, q: Question) -> Step:
        """Not sure: ask once more in simpler words, then count a warning sign as possible."""
        state = replace(state, unsure=state.unsure + 1)
        if state.unsure < self.settings.max_unsure:
            return self.ask(state, self.say("unsure_again") + self.say(q.simpler))
        return self.counted_unsure(state, q, "unsure_counted")

    def counted_unsure(self, state: State, q: Question, key: str) -> Step:
        """The sign stays uncertain: a warning sign counts as possibly present, said by `key`."""
        lines: list[Say] = []
        if q.warning:
            state = state.raised(q.if_unsure, q.id + UNSURE)
            lines = self.say(key, sign=self.sign(q))
        return self.advance(state, q, "unsure", lines)

    # --- moving on --------------------------------------------------------------------
    def advance(
        self,
        state: State,
        q: Question,
        intent: str,
        lines: list[Say] | None = None,
        *,
        places: tuple[str, ...] = (),
        answer: str | None = None,
    ) -> Step:
        """Follow the branch for `intent` to the next question or the outcome."""
        branch = q.on[intent]
        entry = replace(state, phase="asking", failures=0, unsure=0, contradictions=0, last_said=())
        state = state.answered(q.id, answer or intent).raised(branch.raises, q.id)
        state = replace(state, previous=entry, failures=0, unsure=0, contradictions=0)
        if places:
            state = replace(state, places=places)
        lines = list(lines or []) + (self.say(branch.say) if branch.say else [])
        if state.disposition == "emergency":
            return self.emergency(replace(state, phase="emergency"), lines)
        state, nxt = self._next(state, branch.next)
        if nxt == OUTCOME:
            return self.closing.finish(state, stopped=False, lines=lines, completed=True)
        question = self.content.question(nxt)
        if nxt in state.volunteered and state.answer(nxt) is None:
            lines += self.say("volunteered_lead", sign=self.sign(question))
        return self.ask(replace(state, phase="asking", qid=nxt), lines + self.say(question.ask))

    def _next(self, state: State, nxt: str) -> tuple[State, str]:
        """The next question: a described sign first, then the flow, skipping answered ones."""
        if state.pending:
            first, rest = state.pending[0], state.pending[1:]
            resume = state.resume or nxt
            return replace(state, pending=rest, resume=resume), first
        if state.resume is not None:
            nxt, state = state.resume, replace(state, resume=None)
        while nxt != OUTCOME and state.answer(nxt) is not None:
            done = self.content.question(nxt)
            answer = state.answer(nxt) or "unsure"
            nxt = done.on["unsure" if answer == "no_answer" else answer].next
        if nxt != OUTCOME and state.places:
            location = self.content.question(nxt)
            if location.kind == "location":  # the places were already named with a yes
                state = state.answered(nxt, "location")
                nxt = location.on["location"].next
        return state, nxt

    def volunteer(self, state: State, signs: tuple[str, ...]) -> State:
        """Note warning signs the person described, to be asked about next (each only once)."""
        new = tuple(
            s
            for s in signs
            if s != state.qid
            and s not in state.volunteered
            and s not in state.pending
            and state.answer(s) != "yes"
        )
        if not new:
            return state
        return replace(state, pending=state.pending + new, volunteered=state.volunteered + new)

    def divert(self, state: State, lines: list[Say]) -> Step:
        """Ask now about a described sign, then come back to this (unanswered) question."""
        first, rest = state.pending[0], state.pending[1:]
        resume = state.resume or state.qid
        state = replace(state, pending=rest, resume=resume, failures=0, unsure=0)
        question = self.content.question(first)
        lines = lines + self.say("volunteered_lead", sign=self.sign(question))
        return self.ask(replace(state, qid=first), lines + self.say(question.ask))

    def emergency(self, state: State, lines: list[Say]) -> Step:
        """The emergency advice (the questions stop); it is repeated on request."""
        advice = self.closing.advice(state) + self.say("emergency_repeat_offer")
        listen = Listen(Expected(AFTER_EMERGENCY, self.grammar.general_phrases()))
        return replace(state, last_said=tuple(advice)), [*lines, *advice, listen]

    def sign(self, q: Question) -> str:
        """The plain words for a question's sign ("loss of bladder or bowel control")."""
        return self.content.text(q.sign)[0]
