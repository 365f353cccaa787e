"""The closing lines: advice (action, then why), what places suggest, what to watch for."""

from __future__ import annotations

from dataclasses import replace

from assistant.core.content import Content
from assistant.core.errors import fill
from assistant.core.messages import Action, Finish, Outcome, Say
from assistant.core.state import NO_ANSWER, UNSURE, State, parse_reason


class Closing:
    """Builds the lines said at the end of a conversation, from intents/ texts."""

    def __init__(self, content: Content, emergency_number: str) -> None:
        self.content = content
        self.number = emergency_number

    def say(self, key: str, **fields: str) -> list[Say]:
        """The lines of text `key`, with {number} and `fields` filled in."""
        values = {"number": self.number, **fields}
        return [Say(key, fill(line, values)) for line in self.content.text(key)]

    def advice(self, state: State) -> list[Say]:
        """The disposition's advice (the action), then why, one reason each."""
        d = state.disposition
        if d is None:
            return self.say("advice_none")
        lines = self.say(f"advice_{d}")
        whys: list[Say] = []
        for reason in state.reasons:
            qid, kind = parse_reason(reason)
            q = self.content.question(qid)
            key = {UNSURE: "why_unsure", NO_ANSWER: "why_no_answer"}.get(kind, q.why)
            if key is not None:
                whys += [
                    w for w in self.say(key, sign=self.content.text(q.sign)[0]) if w not in whys
                ]
        return lines + whys

    def places(self, state: State) -> list[Say]:
        """What the places the person named may suggest, each explanation once."""
        keys: list[str] = []
        for place in state.places:
            key = self.content.place_explanations[place]
            if key not in keys:
                keys.append(key)
        return [line for key in keys for line in self.say(key)]

    def summary(self, state: State, completed: bool) -> list[Say]:
        """A short spoken summary of what was told and what to do."""
        lines = self.say("summary_intro")
        signs = self.signs(state)
        if signs:
            lines += self.say("summary_signs", signs=self.join(signs))
        if state.places:
            names = [self.content.text(f"place_{p}")[0] for p in state.places]
            lines += self.say("summary_places", places=self.join(names))
        d = state.disposition or ("self_care" if completed else "none")
        return lines + self.say(f"summary_{d}")

    def signs(self, state: State) -> list[str]:
        """The warning signs behind the reasons, each once, in the order they came up."""
        out: list[str] = []
        for reason in state.reasons:
            qid, _ = parse_reason(reason)
            sign = self.content.text(self.content.question(qid).sign)[0]
            if sign not in out:
                out.append(sign)
        return out

    def join(self, items: list[str]) -> str:
        """Join as "a, b and c", with the language's word for "and"."""
        if len(items) < 2:
            return "".join(items)
        return f"{', '.join(items[:-1])} {self.content.settings.join_and} {items[-1]}"

    def finish(
        self, state: State, stopped: bool, lines: list[Say] | None = None, completed: bool = False
    ) -> tuple[State, list[Action]]:
        """End the conversation: advice, what the places suggest, what to watch for, the summary."""
        out = list(lines or [])
        emergency = state.phase == "emergency"
        if stopped:
            out += self.say("stopped")
        if not emergency:
            out += self.places(state) if completed else []
            if completed and state.disposition is None:
                out += self.say("advice_self_care")
            else:
                out += self.advice(state)
            out += self.say("watch_for")
        out += self.summary(state, completed) + self.say("goodbye")
        disposition = state.disposition or ("self_care" if completed else None)
        outcome = Outcome(disposition, state.reasons, state.places, completed)
        done = replace(state, phase="done", outcome=outcome, last_said=tuple(out))
        return done, [*out, Finish(outcome)]
