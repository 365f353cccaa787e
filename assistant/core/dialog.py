"""The triage conversation as a pure step function: step(state, event) -> (state, actions)."""

from __future__ import annotations

from dataclasses import replace
from threading import Lock

from assistant.core.closing import Closing
from assistant.core.complete import is_complete
from assistant.core.content import Content, Question
from assistant.core.flow import Flow, Step
from assistant.core.grammar import Grammar
from assistant.core.interpreter import Interpreter
from assistant.core.known_lines import known_lines
from assistant.core.messages import (
    Action,
    ChangeRate,
    EndOfInput,
    Event,
    Expected,
    Heard,
    InputFailed,
    NotUnderstood,
    SayNotes,
    Silence,
    Turn,
)
from assistant.core.reading import Reading, why_lines
from assistant.core.state import AFTER_EMERGENCY, STOP_CONFIRM, State

_DESTRUCTIVE = ("stop", "start_over", "back")


class Triage:
    """The CLINICAL.md triage over the content of intents/; every method is pure."""

    def __init__(self, content: Content, emergency_number: str | None = None) -> None:
        self.content = content
        self.grammar = Grammar(content)  # what the recogniser listens for
        self._interpreter: Interpreter | None = None
        self._building = Lock()
        self.closing = Closing(content, emergency_number or content.settings.emergency_number)
        self.say = self.closing.say
        self.flow = Flow(content, self.closing, self.grammar)

    def start(self) -> Step:
        """The opening lines and the first question; the start-up notes go after the greeting."""
        state = State(phase="asking", qid=self.content.start)
        welcome = self.say("welcome")
        ask = self.say("how_to_answer") + self.say(self.content.question(state.qid).ask)
        state, actions = self.flow.ask(state, welcome + ask)
        return state, [*actions[: len(welcome)], SayNotes(), *actions[len(welcome) :]]

    def known_lines(self) -> list[str]:
        """Every line the dialog may say whose words are fixed for the session, likeliest first.

        Speech out makes these ahead of time; a line that depends on the answers is made when
        it is said.
        """
        return known_lines(self.content, self.closing)

    @property
    def interpreter(self) -> Interpreter:
        """What answers mean; built on first use (about 0.4 s), once even if asked from two threads.

        The session builds it while the opening lines are spoken (`Session.run`), so the first
        caption does not wait for it.
        """
        with self._building:
            if self._interpreter is None:
                self._interpreter = Interpreter(self.content)
            return self._interpreter

    def complete(self, heard: Heard, expected: Expected, followed: bool) -> bool:
        """Whether these words already make a whole, sure answer, so the reply may start.

        `followed`: the person can still be heard going on after the reply starts (the reply is
        then stopped). Where they cannot, a "no" to a warning sign and a list of places are never
        taken early: "no... well, once, last week" must not end at its "no".
        """
        q = next((q for q in self.content.questions if q.id == expected.question), None)
        reading = self.read(heard.text, q.id if q else None, heard.confidence)
        risky = reading.intent == "location" or (
            reading.intent == "no" and q is not None and q.warning
        )
        if risky and not followed:
            return False
        return is_complete(self.content, self.interpreter.reader, heard, reading)

    def read(self, text: str, qid: str | None, confidence: float = 1.0) -> Reading:
        """What `text` means as an answer to `qid` (None: only commands count)."""
        return self.interpreter.read(text, qid, confidence)

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
            return self.flow.failure(state, q, self.say(event.key, detail=event.detail))
        if isinstance(event, Silence | NotUnderstood):
            state = _log(state, Turn(state.qid, "", _kind(event), 0.0))
            return self.flow.failure(state, q, [])
        reading = self.read(event.text, state.qid, event.confidence)
        state = _log(state, self._turn(state.qid, event, reading))
        state = self.flow.volunteer(state, reading.volunteered)
        floor = self.content.settings.command_min_confidence
        if reading.intent in _DESTRUCTIVE and reading.confidence < floor:
            return self.flow.failure(state, q, [])
        if reading.intent is None:
            if state.pending:  # "my legs keep giving way" at the bladder question
                return self.flow.divert(state, [])
            if reading.contradiction:
                return self._contradiction(state, q)
            return self.flow.failure(state, q, [])
        return self._on_intent(state, q, reading)

    # --- answers and commands -------------------------------------------------------
    def _on_intent(self, state: State, q: Question, r: Reading) -> Step:
        intent = r.intent or ""
        if intent == "repeat":
            return self.flow.ask(state, list(state.last_said))
        if intent == "help":
            lines = self.say("help_location" if q.kind == "location" else "help_yes_no")
            return self.flow.ask(state, lines + self.say("help_commands") + self.say(q.ask))
        if intent in ("slower", "faster"):
            rate: list[Action] = [ChangeRate(-1 if intent == "slower" else 1)]
            return self.flow.ask(state, self.say(f"rate_{intent}") + self.say(q.ask), rate)
        if intent == "explain":
            lines = self.say(f"explain_{r.slots['term']}") + self.say(q.ask)
            return self.flow.ask(state, lines)
        if intent == "back":
            return self._back(state)
        if intent == "start_over":
            return self._start_over(state)
        if intent == "stop":
            if r.confidence < self.content.settings.low_confidence:
                # A misheard answer ("no" heard as "finish") must not end the check unasked.
                return self.flow.ask(
                    replace(state, phase="confirming_stop"), self.say("stop_confirm")
                )
            return self.closing.finish(state, stopped=True)
        if intent == "unsure":
            return self.flow.unsure(state, q)
        if intent == "location":
            return self.flow.advance(state, q, "location", places=tuple(r.slots["places"]))
        if intent == "no" and q.id in state.volunteered:
            # They described this sign a moment ago and now say no: it stays possible.
            return self.flow.counted_unsure(state, q, "volunteered_denied")
        if intent == "no" and self._needs_confirming(state, q, r):
            confirming = replace(state, phase="confirming")
            return self.flow.ask(confirming, self.say(q.confirm) if q.confirm else self.say(q.ask))
        places = tuple(r.slots.get("places", ())) if intent == "yes" else ()
        return self.flow.advance(state, q, intent, places=self._places_for_next(q, places))

    def _places_for_next(self, q: Question, places: tuple[str, ...]) -> tuple[str, ...]:
        """Places named with a yes count only when the next question asks where."""
        nxt = q.on["yes"].next
        if not places or nxt not in {x.id for x in self.content.questions}:
            return ()
        return places if self.content.question(nxt).kind == "location" else ()

    def _needs_confirming(self, state: State, q: Question, r: Reading) -> bool:
        emergency = q.on["yes"].raises == "emergency"
        return (
            emergency
            and state.phase == "asking"
            and r.confidence < self.content.settings.low_confidence
        )

    def _contradiction(self, state: State, q: Question) -> Step:
        """Yes and no at once: ask once more; a second time it counts as not sure."""
        if state.contradictions == 0:
            state = replace(state, contradictions=1)
            return self.flow.ask(state, self.say("contradiction_again") + self.say(q.ask))
        return self.flow.unsure(replace(state, contradictions=0), q)

    def _after_stop_confirm(self, state: State, q: Question, event: Event) -> Step:
        """Yes (or stop again) ends the check; anything else carries on with the question."""
        reading, lines = None, []
        if isinstance(event, Heard):
            reading = self.read(event.text, state.qid, event.confidence)
            state = _log(state, self._turn(STOP_CONFIRM, event, reading))
        elif isinstance(event, Silence | NotUnderstood):
            state = _log(state, Turn(STOP_CONFIRM, "", _kind(event), 0.0))
        elif isinstance(event, InputFailed):
            lines = self.say(event.key, detail=event.detail)
        intent = reading.intent if reading else None
        if intent in ("yes", "stop"):
            return self.closing.finish(state, stopped=True)
        if intent == "no":
            lines = self.say("stop_cancelled")
        return self.flow.ask(replace(state, phase="asking"), lines + self.say(q.ask))

    def _back(self, state: State) -> Step:
        if state.previous is None:
            lines = self.say("back_nothing") + self.say(self.content.question(state.qid).ask)
            return self.flow.ask(state, lines)
        back = replace(
            state.previous, turns=state.turns, asks=state.asks, last_asked=state.last_asked
        )
        return self.flow.ask(
            back, self.say("back_done") + self.say(self.content.question(back.qid).ask)
        )

    def _start_over(self, state: State) -> Step:
        fresh = State(
            phase="asking",
            qid=self.content.start,
            turns=state.turns,
            asks=state.asks,
            last_asked=state.last_asked,
        )
        first = self.content.question(fresh.qid)
        return self.flow.ask(fresh, self.say("start_over") + self.say(first.ask))

    # --- emergency: the questions stop; the advice is repeated on request ---------------
    def _after_emergency(self, state: State, event: Event) -> Step:
        reading = None
        if isinstance(event, Heard):
            reading = self.read(event.text, None, event.confidence)
            state = _log(state, self._turn(AFTER_EMERGENCY, event, reading))
        intent = reading.intent if reading else None
        if intent == "back":
            return self._back(state)
        if intent == "start_over":
            return self._start_over(state)
        if (
            intent in ("repeat", "help")
            and state.repeats < self.content.settings.max_emergency_repeats
        ):
            state = replace(state, repeats=state.repeats + 1)
            return self.flow.emergency(state, [])
        return self.closing.finish(state, stopped=False, completed=True)

    # --- helpers ----------------------------------------------------------------------
    def _turn(self, qid: str, heard: Heard, r: Reading) -> Turn:
        return Turn(
            qid,
            heard.text,
            r.intent or "not_understood",
            heard.confidence,
            dict(r.slots),
            tuple(why_lines(r, self.content.texts)),
            r.volunteered,
        )


def _log(state: State, turn: Turn) -> State:
    return replace(state, turns=(*state.turns, turn))


def _kind(event: Silence | NotUnderstood) -> str:
    return "silence" if isinstance(event, Silence) else "not_understood"
