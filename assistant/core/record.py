"""The session record (--json) and the plain-text summary for a doctor (--summary)."""

from __future__ import annotations

from typing import Any

from assistant.core.closing import Closing
from assistant.core.messages import to_jsonable
from assistant.core.state import State


def record(state: State, engine: str | None) -> dict[str, Any]:
    """The session record: disposition, completed, reasons, places, engine and every turn."""
    outcome = state.outcome
    return {
        "disposition": outcome.disposition if outcome else state.disposition,
        "completed": bool(outcome and outcome.completed),
        "reasons": list(state.reasons),
        "places": list(state.places),
        "engine": engine,
        "turns": [
            {
                "question": t.question,
                "heard": t.heard,
                "intent": t.intent,
                "confidence": t.confidence,
                **({"slots": to_jsonable(t.slots)} if t.slots else {}),
                **({"why": list(t.why)} if t.why else {}),
                **({"also": list(t.volunteered)} if t.volunteered else {}),
            }
            for t in state.turns
        ],
    }


def summary_text(state: State, closing: Closing, when: str) -> str:
    """A plain-text summary a person can show a doctor (texts from intents/)."""

    def line(key: str, **fields: str) -> str:
        return " ".join(s.text for s in closing.say(key, **fields))

    c = closing.content
    outcome = state.outcome
    disposition = (outcome.disposition if outcome else state.disposition) or "none"
    out = [line("record_title"), when, line("record_not_diagnosis"), ""]
    out.append(line("record_disposition", disposition=line(f"disposition_label_{disposition}")))
    out += [line("record_answers")]
    for qid, answer in state.answers:
        if c.question(qid).kind == "location":
            continue  # the places are listed below
        sign = c.text(c.question(qid).sign)[0]
        out.append(line("record_answer_line", sign=sign, answer=line(f"answer_label_{answer}")))
    if state.places:
        names = [c.text(f"place_{p}")[0] for p in state.places]
        out.append(line("record_places", places=closing.join(names)))
    out += [
        "",
        line("record_completed_yes" if outcome and outcome.completed else "record_completed_no"),
    ]
    return "\n".join(out) + "\n"
