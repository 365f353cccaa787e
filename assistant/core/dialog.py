"""The triage conversation as a pure step function: step(state, event) -> (state, actions)."""

from __future__ import annotations

from dataclasses import replace

from assistant.core.closing import Closing
from assistant.core.content import OUTCOME, Content, Question
from assistant.core.matcher import Match, Matcher
from assistant.core.messages import (
    Action,
    ChangeRate,
    EndOfInput,
    Event,
    Expected,
    Heard,
    InputFailed,
    Listen,
    NotUnderstood,
    Say,
    Silence,
    Turn,
)
from assistant.core.state import AFTER_EMERGENCY, STOP_CONFIRM, State

Step = tuple[State, list[Action]]
_DESTRUCTIVE = ("stop", "start_over", "back")


class Triage:
    """The CLINICAL.md triage over the content of intents/; every method is pure."""

    def __init__(self, content: Content, emergency_number: str | None = None) -> None:
        self.content = content
        self.matcher = Matcher(content)
        self.closing = Closing(content, emergency_number or content.settings.emergency_number)
        self.say = self.closing.say

    def start(self) -> Step:
        """The opening lines and the first question."""
        state = State(phase="asking", qid=self.content.start)
        opening = self.say("welcome") + self.say("how_to_answer")
        return self._ask(state, opening + self.say(self.content.question(state.qid).ask))

    def step(self, state: State, event: Event) -> Step:
        """Advance the conversation by one event (an answer, silence, a failure, the end)."""
        if state.phase == "done":
            return state, []
        if isinstance(event, EndOfInput) or len(state.turns) >= self.content.settings.max_turns:
            return self.closing.finish(state, stopped=False, completed=state.phase == "emergency")
        if state.phase == "emergency":
            return self._after_emergency(state, event)
        q = self.content.question(state.qid)
        if state.phase == "confirming_stop":
            return self._after_stop_confirm(state, q, event)
        if isinstance(event, InputFailed):
            return self._failure(state, q, self.say(event.key, detail=event.detail))
        if isinstance(event, Silence | NotUnderstood):
            state = _log(state, Turn(state.qid, "", _kind(event), 0.0))
            return self._failure(state, q, [])
        match = self.matcher.match(event.text, state.qid, event.confidence)
        state = _log(state, _turn(state.qid, event, match))
        floor = self.content.settings.command_min_confidence
        if match is None or (match.intent in _DESTRUCTIVE and match.confidence < floor):
            return self._failure(state, q, [])
        return self._on_intent(state, q, match)

    # --- answers and commands -------------------------------------------------------
    def _on_intent(self, state: State, q: Question, m: Match) -> Step:
        intent = m.intent
        if intent == "repeat":
            return self._ask(state, list(state.last_said))
        if intent == "help":
            lines = self.say("help_location" if q.kind == "location" else "help_yes_no")
            return self._ask(state, lines + self.say("help_commands") + self.say(q.ask))
        if intent in ("slower", "faster"):
            rate: list[Action] = [ChangeRate(-1 if intent == "slower" else 1)]
            return self._ask(state, self.say(f"rate_{intent}") + self.say(q.ask), rate)
        if intent == "explain":
            return self._ask(state, self.say(f"explain_{m.slots['term']}") + self.say(q.ask))
        if intent == "back":
            return self._back(state)
        if intent == "start_over":
            fresh = State(phase="asking", qid=self.content.start, turns=state.turns)
            return self._ask(
                fresh, self.say("start_over") + self.say(self.content.question(fresh.qid).ask)
            )
        if intent == "stop":
            if m.confidence < self.content.settings.low_confidence:
                # A misheard answer ("no" heard as "finish") must not end the check unasked.
                return self._ask(replace(state, phase="confirming_stop"), self.say("stop_confirm"))
            return self.closing.finish(state, stopped=True)
        if intent == "unsure":
            return self._unsure(state, q)
        if intent == "location":
            return self._advance(state, q, "location", places=tuple(m.slots["places"]))
        if intent == "no" and self._needs_confirming(state, q, m):
            confirming = replace(state, phase="confirming")
            return self._ask(confirming, self.say(q.confirm) if q.confirm else self.say(q.ask))
        return self._advance(state, q, intent)

    def _needs_confirming(self, state: State, q: Question, m: Match) -> bool:
        emergency = q.on["yes"].raises == "emergency"
        return (
            emergency
            and state.phase == "asking"
            and m.confidence < self.content.settings.low_confidence
        )

    def _after_stop_confirm(self, state: State, q: Question, event: Event) -> Step:
        """Yes (or stop again) ends the check; anything else carries on with the question."""
        match, lines = None, []
        if isinstance(event, Heard):
            match = self.matcher.match(event.text, state.qid, event.confidence)
            state = _log(state, _turn(STOP_CONFIRM, event, match))
        elif isinstance(event, Silence | NotUnderstood):
            state = _log(state, Turn(STOP_CONFIRM, "", _kind(event), 0.0))
        elif isinstance(event, InputFailed):
            lines = self.say(event.key, detail=event.detail)
        if match is not None and match.intent in ("yes", "stop"):
            return self.closing.finish(state, stopped=True)
        if match is not None and match.intent == "no":
            lines = self.say("stop_cancelled")
        return self._ask(replace(state, phase="asking"), lines + self.say(q.ask))

    def _unsure(self, state: State, q: Question) -> Step:
        state = replace(state, unsure=state.unsure + 1)
        if state.unsure < self.content.settings.max_unsure:
            return self._ask(state, self.say("unsure_again") + self.say(q.simpler))
        lines: list[Say] = []
        if q.warning:
            state = state.raised(q.if_unsure, f"{q.id}_unsure")
            lines = self.say("unsure_counted", sign=self._sign(q))
        return self._advance(state, q, "unsure", lines)

    def _failure(self, state: State, q: Question, lines: list[Say]) -> Step:
        """Silence, nothing understood, or a failed device: reprompt, then stop asking safely."""
        state = replace(state, failures=state.failures + 1)
        kind = "location" if q.kind == "location" else "yes_no"
        if state.failures < self.content.settings.max_failures:
            key = f"reprompt_{kind}_{min(state.failures, 2)}"
            ask = q.ask if state.failures == 1 else q.simpler
            return self._ask(state, lines + self.say(key) + self.say(ask))
        if q.warning:
            state = state.raised(q.if_unsure, f"{q.id}_no_answer")
            lines = lines + self.say("no_answer_counted", sign=self._sign(q))
        return self._advance(state, q, "unsure", lines, answer="no_answer")

    def _advance(
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
        entry = replace(state, phase="asking", failures=0, unsure=0, last_said=())
        state = state.answered(q.id, answer or intent).raised(branch.raises, q.id)
        state = replace(state, places=places or state.places, previous=entry, failures=0, unsure=0)
        lines = list(lines or []) + (self.say(branch.say) if branch.say else [])
        if state.disposition == "emergency":
            return self._emergency(replace(state, phase="emergency"), lines)
        if branch.next == OUTCOME:
            return self.closing.finish(state, stopped=False, lines=lines, completed=True)
        nxt = self.content.question(branch.next)
        return self._ask(replace(state, phase="asking", qid=nxt.id), lines + self.say(nxt.ask))

    def _back(self, state: State) -> Step:
        if state.previous is None:
            return self._ask(
                state, self.say("back_nothing") + self.say(self.content.question(state.qid).ask)
            )
        back = replace(state.previous, turns=state.turns)
        return self._ask(
            back, self.say("back_done") + self.say(self.content.question(back.qid).ask)
        )

    # --- emergency: the questions stop; the advice is repeated on request ---------------
    def _emergency(self, state: State, lines: list[Say]) -> Step:
        advice = self.closing.advice(state) + self.say("emergency_repeat_offer")
        listen = Listen(Expected(AFTER_EMERGENCY, self.matcher.general_phrases()))
        return replace(state, last_said=tuple(advice)), [*lines, *advice, listen]

    def _after_emergency(self, state: State, event: Event) -> Step:
        match = None
        if isinstance(event, Heard):
            match = self.matcher.match(event.text, None, event.confidence)
            state = _log(state, _turn(AFTER_EMERGENCY, event, match))
        intent = match.intent if match else None
        if intent == "back":
            return self._back(state)
        if intent == "start_over":
            return self._on_intent(state, self.content.question(state.qid), match)  # type: ignore[arg-type]
        if (
            intent in ("repeat", "help")
            and state.repeats < self.content.settings.max_emergency_repeats
        ):
            state = replace(state, repeats=state.repeats + 1)
            return self._emergency(state, [])
        return self.closing.finish(state, stopped=False, completed=True)

    # --- helpers ----------------------------------------------------------------------
    def _ask(self, state: State, lines: list[Say], before: list[Action] | None = None) -> Step:
        expected = Expected(state.qid, self.matcher.phrases_for(state.qid))
        return replace(state, last_said=tuple(lines)), [*(before or []), *lines, Listen(expected)]

    def _sign(self, q: Question) -> str:
        return self.content.text(q.sign)[0]


def _log(state: State, turn: Turn) -> State:
    return replace(state, turns=(*state.turns, turn))


def _kind(event: Silence | NotUnderstood) -> str:
    return "silence" if isinstance(event, Silence) else "not_understood"


def _turn(qid: str, heard: Heard, match: Match | None) -> Turn:
    intent = match.intent if match else "not_understood"
    return Turn(qid, heard.text, intent, heard.confidence, dict(match.slots) if match else {})
