"""Turning the raw YAML of intents/<lang>/ into Content, checking every key and cross-reference."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from assistant.core.content import (
    ANSWERS,
    COMMANDS,
    DISPOSITIONS,
    FIELDS,
    KINDS,
    Branch,
    Content,
    Question,
    Settings,
    text_fields,
)
from assistant.core.references import check_references
from assistant.core.templates import TemplateError, expand
from assistant.core.text import Normalizer
from assistant.core.understanding import build_lexicon, read_known_words
from assistant.core.yaml_file import YamlFile


def build(folder: Path, raw: Mapping[str, Mapping[str, Any]]) -> Content:
    """Validate the raw data of every file and build Content."""
    files = {name: YamlFile(folder, name, data) for name, data in raw.items()}
    texts = _texts(files["texts"])
    settings = _settings(files["settings"])
    normalizer, lead = _normalizer(files["normalize"])
    ans = files["answers"]
    lists = _lists(ans)
    answers = _intent_map(ans, "answers", ANSWERS)
    commands = _intent_map(ans, "commands", COMMANDS)
    location = ans.strings(ans.get(ans.data, "location", list, ""), "location")
    groups_raw = ans.get(ans.get(ans.data, "lists", dict, ""), "place_groups", dict, "lists.")
    groups = {
        k: _known(
            ans, ans.strings(v, f"lists.place_groups.{k}"), lists["place"], f"place_groups.{k}"
        )
        for k, v in groups_raw.items()
    }
    qfile = files["questions"]
    questions = tuple(
        _question(qfile, q, i, lists)
        for i, q in enumerate(qfile.get(qfile.data, "questions", list, ""))
    )
    start = qfile.get(qfile.data, "start", str, "")
    expl = {k: str(v) for k, v in qfile.get(qfile.data, "place_explanations", dict, "").items()}
    grammar = [
        *(t for ts in answers.values() for t in ts),
        *(t for ts in commands.values() for t in ts),
        *location,
        *(t for q in questions for ts in q.phrases.values() for t in ts),
    ]
    lexicon = build_lexicon(
        files,
        read_known_words(folder),
        yes_no_ids=[q.id for q in questions if q.kind == "yes_no"],
        lists=lists,
        grammar_templates=grammar,
        commands=COMMANDS,
    )
    content = Content(
        folder=folder,
        settings=settings,
        questions=questions,
        start=start,
        texts=texts,
        answers=answers,
        commands=commands,
        location=location,
        lists=lists,
        place_groups=groups,
        place_explanations=expl,
        normalizer=normalizer,
        lead_words=lead,
        pronunciations=_pronunciations(files["pronunciations"]),
        lexicon=lexicon,
    )
    check_references(content, files)
    sections = [
        *(("answers", kv) for kv in answers.items()),
        *(("commands", kv) for kv in commands.items()),
    ]
    for section, (name, templates) in sections:
        _check_templates(ans, f"{section}.{name}", templates, lists)
    _check_templates(ans, "location", location, lists)
    return content


def _texts(f: YamlFile) -> dict[str, tuple[str, ...]]:
    texts = {str(k): f.strings(v, str(k)) for k, v in f.data.items()}
    for key, lines in texts.items():
        for line in lines:
            unknown = text_fields(line) - FIELDS
            if unknown:
                raise f.fail(key, f"unknown field {{{sorted(unknown)[0]}}}")
    return texts


def _settings(f: YamlFile) -> Settings:
    d = f.data
    quick = f.strings(f.get(d, "quick_end_intents", list, ""), "quick_end_intents")
    unknown = set(quick) - {*ANSWERS, *COMMANDS, "location"}
    if unknown:
        raise f.fail("quick_end_intents", f"unknown intent {sorted(unknown)[0]!r}")
    if not 0 <= f.get(d, "quick_end_confidence", float, "") <= 1:
        raise f.fail("quick_end_confidence", "must be between 0 and 1")
    return Settings(
        language=f.get(d, "language", str, ""),
        emergency_number=f.get(d, "emergency_number", str, ""),
        low_confidence=f.get(d, "low_confidence", float, ""),
        command_min_confidence=f.get(d, "command_min_confidence", float, ""),
        max_failures=f.get(d, "max_failures", int, ""),
        max_unsure=f.get(d, "max_unsure", int, ""),
        max_emergency_repeats=f.get(d, "max_emergency_repeats", int, ""),
        max_asks=f.get(d, "max_asks", int, ""),
        max_turns=f.get(d, "max_turns", int, ""),
        max_answer_words=f.get(d, "max_answer_words", int, ""),
        join_and=f.get(d, "join_and", str, ""),
        quick_end_intents=frozenset(quick),
        quick_end_confidence=f.get(d, "quick_end_confidence", float, ""),
    )


def _normalizer(f: YamlFile) -> tuple[Normalizer, dict[str, frozenset[str]]]:
    d = f.data
    contractions = {str(k): str(v) for k, v in f.get(d, "contractions", dict, "").items()}
    fillers = frozenset(f.strings(f.get(d, "fillers", list, ""), "fillers"))
    negators = frozenset(f.strings(f.get(d, "negators", list, ""), "negators"))
    lead_raw = f.get(d, "lead_words", dict, "")
    lead = {k: frozenset(f.strings(lead_raw.get(k), f"lead_words.{k}")) for k in ("yes", "no")}
    spoken = {str(k): str(v) for k, v in f.get(d, "spoken_contractions", dict, "").items()}
    return Normalizer(contractions, fillers, negators, spoken), lead


def _pronunciations(f: YamlFile) -> dict[str, str]:
    for word, phones in f.data.items():
        if not isinstance(phones, str) or not phones.split():
            raise f.fail(str(word), 'must be a text of phones, e.g. "S AY AE T IH K AH"')
    return {str(k): str(v) for k, v in f.data.items()}


def _lists(f: YamlFile) -> dict[str, dict[str, tuple[str, ...]]]:
    lists_raw = f.get(f.data, "lists", dict, "")
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for name in ("term", "place"):
        values = f.get(lists_raw, name, dict, "lists.")
        out[name] = {str(k): f.strings(v, f"lists.{name}.{k}") for k, v in values.items()}
    return out


def _intent_map(f: YamlFile, section: str, names: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    data = f.get(f.data, section, dict, "")
    for name in data:
        if name not in names:
            raise f.fail(
                f"{section}.{name}", f"unknown intent (expected one of {', '.join(names)})"
            )
    return {n: f.strings(f.get(data, n, list, f"{section}."), f"{section}.{n}") for n in names}


def _known(
    f: YamlFile, values: tuple[str, ...], allowed: Mapping[str, Any], where: str
) -> tuple[str, ...]:
    for v in values:
        if v not in allowed:
            raise f.fail(where, f"unknown value {v!r}")
    return values


def _question(f: YamlFile, q: Any, i: int, lists: Mapping[str, Any]) -> Question:
    if not isinstance(q, dict):
        raise f.fail(f"questions[{i}]", "must be a mapping")
    qid = f.get(q, "id", str, f"questions[{i}].")
    at = f"questions.{qid}."
    kind = f.get(q, "kind", str, at)
    if kind not in KINDS:
        raise f.fail(f"{at}kind", f"must be one of {', '.join(KINDS)}")
    on_raw = f.get(q, "on", dict, at)
    on: dict[str, Branch] = {}
    for answer, b in on_raw.items():
        if answer not in KINDS[kind]:
            raise f.fail(
                f"{at}on.{answer}", f"a {kind} question takes only {', '.join(KINDS[kind])}"
            )
        if not isinstance(b, dict):
            raise f.fail(f"{at}on.{answer}", "must be a mapping")
        raises = b.get("raise")
        if raises is not None and raises not in DISPOSITIONS:
            raise f.fail(f"{at}on.{answer}.raise", f"unknown disposition {raises!r}")
        on[answer] = Branch(
            next=f.get(b, "next", str, f"{at}on.{answer}."), raises=raises, say=b.get("say")
        )
    for answer in KINDS[kind]:
        if answer not in on:
            raise f.fail(f"{at}on.{answer}", "missing: every answer needs a branch")
    phrases_raw = q.get("phrases", {}) or {}
    phrases = {str(k): f.strings(v, f"{at}phrases.{k}") for k, v in phrases_raw.items()}
    for name, templates in phrases.items():
        if name not in ANSWERS:
            raise f.fail(f"{at}phrases.{name}", "only yes, no and unsure take phrases here")
        _check_templates(f, f"{at}phrases.{name}", templates, lists)
    if_unsure = q.get("if_unsure")
    warning = bool(q.get("warning", False))
    if warning and if_unsure not in DISPOSITIONS:
        raise f.fail(
            f"{at}if_unsure", "a warning sign needs the disposition that 'not sure' raises"
        )
    return Question(
        id=qid,
        kind=kind,
        warning=warning,
        sign=f.get(q, "sign", str, at),
        ask=f.get(q, "ask", str, at),
        simpler=f.get(q, "simpler", str, at),
        on=on,
        phrases=phrases,
        confirm=q.get("confirm"),
        why=q.get("why"),
        if_unsure=if_unsure,
    )


def _check_templates(
    f: YamlFile, where: str, templates: tuple[str, ...], lists: Mapping[str, Any]
) -> None:
    for t in templates:
        try:
            next(iter(expand(t, lists)))
        except TemplateError as exc:
            raise f.fail(where, str(exc)) from None
