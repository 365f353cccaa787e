"""Cross-references in intents/: every text and question named exists; the flow always ends."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from assistant.core.content import DISPOSITIONS, ENGINE_TEXT_KEYS, OUTCOME, Content, Question
from assistant.core.yaml_file import YamlFile


def _engine_keys() -> list[str]:
    """Text keys the engine uses by name, including one per disposition."""
    per_disposition = [
        p + d for d in DISPOSITIONS for p in ("advice_", "summary_", "disposition_label_")
    ]
    return [*ENGINE_TEXT_KEYS, *per_disposition]


NeedText = Callable[[YamlFile, str, "str | None"], None]


def check_references(c: Content, files: Mapping[str, YamlFile]) -> None:
    """Raise DataError, naming the file and key, for the first name that points nowhere."""
    qf, tf, af = files["questions"], files["texts"], files["answers"]
    ids = [q.id for q in c.questions]
    if len(set(ids)) != len(ids):
        raise qf.fail("questions", "two questions share an id")
    if c.start not in ids:
        raise qf.fail("start", f"unknown question {c.start!r}")

    def need_text(f: YamlFile, where: str, key: str | None) -> None:
        if key is not None and key not in c.texts:
            raise f.fail(where, f"no text {key!r} in {tf.path}")

    for key in _engine_keys():
        need_text(tf, key, key)
    for q in c.questions:
        _check_question(q, ids, qf, need_text)
    _check_flow(c, qf)
    _check_lists(c, qf, af, need_text)


def _check_question(q: Question, ids: list[str], qf: YamlFile, need_text: NeedText) -> None:
    at = f"questions.{q.id}."
    for field in ("sign", "ask", "simpler", "confirm", "why"):
        need_text(qf, at + field, getattr(q, field))
    for answer, b in q.on.items():
        where = f"{at}on.{answer}."
        if b.next != OUTCOME and b.next not in ids:
            raise qf.fail(where + "next", f"unknown question {b.next!r}")
        if b.raises == "emergency" and b.next != OUTCOME:
            raise qf.fail(where + "next", "an emergency must end the questions (next: outcome)")
        if b.raises is not None and q.why is None:
            raise qf.fail(f"{at}why", "an answer that raises a disposition needs a 'why' text")
        need_text(qf, where + "say", b.say)
    if any(b.raises == "emergency" for b in q.on.values()) and q.confirm is None:
        raise qf.fail(f"{at}confirm", "an emergency question needs a 'confirm' text")


def _check_lists(c: Content, qf: YamlFile, af: YamlFile, need_text: NeedText) -> None:
    for term in c.lists["term"]:
        need_text(af, f"lists.term.{term}", f"explain_{term}")
    for place in c.lists["place"]:
        need_text(af, f"lists.place.{place}", f"place_{place}")
        if place not in c.place_explanations:
            raise qf.fail(f"place_explanations.{place}", "missing")
    for place, key in c.place_explanations.items():
        if place not in c.lists["place"]:
            raise qf.fail(f"place_explanations.{place}", "unknown place")
        need_text(qf, f"place_explanations.{place}", key)


def _check_flow(c: Content, qf: YamlFile) -> None:
    """Every question is reachable from `start`, and the flow has no loop (so it always ends)."""
    graph = {q.id: {b.next for b in q.on.values()} - {OUTCOME} for q in c.questions}
    seen: set[str] = set()

    def visit(node: str, path: tuple[str, ...]) -> None:
        if node in path:
            raise qf.fail(f"questions.{node}", "the flow loops back to this question")
        if node in seen:
            return
        seen.add(node)
        for nxt in sorted(graph[node]):
            visit(nxt, (*path, node))

    visit(c.start, ())
    unused = [q for q in graph if q not in seen]
    if unused:
        raise qf.fail(f"questions.{unused[0]}", "no answer leads to this question")
