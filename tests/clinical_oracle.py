"""The test oracle, written from CLINICAL.md (not from intents/): what each warning sign raises."""

from __future__ import annotations

YES_RAISES = {
    "bladder": "emergency",
    "saddle": "emergency",
    "both_legs": "emergency",
    "weakness": "urgent",
    "serious": "urgent",
    "severity": "soon",
}
"""The disposition a yes to each warning-sign question requires."""

UNSURE_RAISES = {qid: "soon" if qid == "severity" else "urgent" for qid in YES_RAISES}
"""What a sign that stays uncertain (not sure twice, or no answer three times) requires."""

EMERGENCY = frozenset(q for q, d in YES_RAISES.items() if d == "emergency")
"""The questions whose yes ends the questions at once."""
