"""The lines the dialog can say that are known before the conversation, in the order needed."""

from __future__ import annotations

from assistant.core.closing import Closing
from assistant.core.content import DISPOSITIONS, Content, text_fields

SESSION_FIELDS = frozenset({"number"})
"""Fields whose value is fixed for a whole session; a line with any other field is made on
the spot, because its words depend on the answers."""

OPENING = ("welcome", "how_to_answer")
"""Said before the first question."""

AROUND_A_QUESTION = (
    "reprompt_yes_no_1",
    "reprompt_yes_no_2",
    "reprompt_location_1",
    "reprompt_location_2",
    "unsure_again",
    "help_yes_no",
    "help_location",
    "help_commands",
    "rate_slower",
    "rate_faster",
    "back_done",
    "back_nothing",
    "start_over",
    "stop_confirm",
    "stop_cancelled",
    "contradiction_again",
    "loop_moved_on",
)
"""Said between an answer and the next ask: another try, help, and the commands' replies."""

CLOSING = ("stopped", "emergency_repeat_offer", "watch_for", "summary_intro")
"""Said at the end, after the advice and before the summary's last line."""


def known_keys(content: Content) -> list[str]:
    """Text keys the dialog may say, in the order they are likely needed, each once.

    The opening and the first question first, then every question in flow order, what is said
    around a question (another try, help, commands, the simpler and confirming asks, the terms
    explained), then the advice and the closing lines.
    """
    questions = content.questions
    first = content.question(content.start)
    keys = [*OPENING, first.ask, *(q.ask for q in questions)]
    keys += AROUND_A_QUESTION
    keys += [k for q in questions for k in (q.simpler, q.confirm) if k is not None]
    keys += [f"explain_{term}" for term in content.lists["term"]]
    keys += [b.say for q in questions for b in q.on.values() if b.say is not None]
    keys += [f"advice_{d}" for d in reversed(DISPOSITIONS)] + ["advice_none"]
    keys += [q.why for q in questions if q.why is not None]
    keys += list(content.place_explanations.values())
    keys += CLOSING
    keys += [f"summary_{d}" for d in reversed(DISPOSITIONS)] + ["summary_none", "goodbye"]
    return list(dict.fromkeys(keys))


def known_lines(content: Content, closing: Closing) -> list[str]:
    """Every line of `known_keys` whose only fields are fixed for the session, filled in, once."""
    lines: list[str] = []
    for key in known_keys(content):
        if all(text_fields(line) <= SESSION_FIELDS for line in content.text(key)):
            lines += [say.text for say in closing.say(key)]
    return list(dict.fromkeys(lines))
