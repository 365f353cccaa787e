"""Is an answer complete? Words that already make a whole, sure answer end it after a short quiet.

Used by the capture loop on its early decodes (core/endpoint.py). An answer is complete when
- the recogniser is fairly sure of the words (settings.yaml `quick_end_confidence`);
- the words do not stop mid-sentence: on a word such as "and", "my" or "the" (understanding.yaml
  `unfinished`), on a hesitation ("um"), or on a trailing "...", "-" or ","; and
- the interpreter reads them as one of settings.yaml `quick_end_intents` (a yes, a no, places,
  or a simple command), with no contradiction left to settle.
Anything else is not complete, and the assistant waits the person's whole `--pause`: being slow to
reply costs less than cutting someone off.
"""

from __future__ import annotations

import re

from assistant.core.content import Content
from assistant.core.messages import Heard
from assistant.core.reading import Reading
from assistant.core.words import WordReader

_TRAILING = re.compile(r"(\.\.\.|\u2026|-|\u2013|\u2014|,)\s*$")
"""A transcript that trails off ("I can't...", "my left-") or stops on a comma."""
_LAST_WORD = re.compile(r"([a-z']+)\W*$")


def is_complete(content: Content, reader: WordReader, heard: Heard, reading: Reading) -> bool:
    """Whether the words of `heard`, read as `reading`, make a whole, sure answer."""
    settings, lexicon = content.settings, content.lexicon
    text = heard.text.strip().lower()
    if not text or _TRAILING.search(text) or heard.confidence < settings.quick_end_confidence:
        return False
    last = _LAST_WORD.search(text)
    if last is None or last.group(1) in reader.rules.hesitations:
        return False
    words = [w for w in reader.words(text) if w is not None]
    if not words or words[-1].text in lexicon.unfinished:
        return False
    return reading.intent in settings.quick_end_intents and not reading.contradiction
