"""The interpreter's data (understanding.yaml, signs.yaml, normalize.yaml), typed and checked."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from assistant.core.errors import DataError
from assistant.core.patterns import FIRST, class_names, fill_classes
from assistant.core.scope import ScopeWords
from assistant.core.templates import TemplateError, expand
from assistant.core.words import WordRules
from assistant.core.yaml_file import YamlFile

SIGN_KINDS = ("present", "here", "recent", "absent", "unsure")
"""How a phrase of signs.yaml counts (see the comment at the top of that file)."""

GENERAL = "general"
"""The signs.yaml entry every yes/no question shares."""

CUES = ("yes", "no", "unsure", "often", "degree")
KNOWN_WORDS = "known_words.txt"

_WORDS = re.compile(r"[a-z][a-z']*")


@dataclass(frozen=True)
class SignPhrases:
    """What one question asks about, by how each phrase counts."""

    present: tuple[str, ...] = ()
    here: tuple[str, ...] = ()
    recent: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    unsure: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lexicon:
    """Everything the answer interpreter reads words with."""

    gap: int
    reach: int
    words: WordRules
    scope: ScopeWords
    whole_clause: tuple[str, ...]
    after: tuple[str, ...]
    pseudo: tuple[str, ...]
    hedges: tuple[str, ...]
    hedges_after: tuple[str, ...]
    long_ago: tuple[str, ...]
    supposing: tuple[str, ...]
    echo: tuple[str, ...]
    explained: tuple[str, ...]
    doubt_after: tuple[str, ...]
    meant: tuple[str, ...]
    sides: tuple[str, ...]
    weak_alone: tuple[str, ...]
    unfinished: frozenset[str]
    place_glue: frozenset[str]
    over: tuple[str, ...]
    before: tuple[str, ...]
    adds_on: tuple[str, ...]
    corrections: tuple[str, ...]
    cues: Mapping[str, tuple[str, ...]]
    alone: Mapping[str, tuple[str, ...]]
    ignorable: tuple[str, ...]
    commands: Mapping[str, tuple[str, ...]]
    explain_words: tuple[str, ...]
    terms: Mapping[str, tuple[str, ...]]
    places: Mapping[str, tuple[str, ...]]
    not_places: tuple[str, ...]
    neutral: tuple[str, ...]
    everywhere: tuple[str, ...]
    classes: Mapping[str, tuple[str, ...]]
    signs: Mapping[str, SignPhrases]


def read_known_words(folder: Path) -> frozenset[str]:
    """The real English words of known_words.txt (empty if the file is not there)."""
    path = folder / KNOWN_WORDS
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return frozenset()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(str(path), "-", f"cannot read: {exc}") from None
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def build_lexicon(
    files: Mapping[str, YamlFile],
    known: frozenset[str],
    *,
    yes_no_ids: Iterable[str],
    lists: Mapping[str, Mapping[str, tuple[str, ...]]],
    grammar_templates: Iterable[str],
    commands: Iterable[str],
) -> Lexicon:
    """Check and type understanding.yaml, signs.yaml and normalize.yaml's interpreter part."""
    u, s, n = files["understanding"], files["signs"], files["normalize"]
    classes = {
        str(k): s.strings(v, f"classes.{k}") for k, v in s.get(s.data, "classes", dict, "").items()
    }
    neg = u.get(u.data, "negation", dict, "")
    scope = ScopeWords(
        negators=_set(u, neg, "words", "negation."),
        ends=_set(u, neg, "ends", "negation."),
        fresh_start=_set(u, neg, "fresh_start", "negation."),
        answer_after_no=_set(u, neg, "answer_after_no", "negation."),
        comparing=_set(u, neg, "comparing", "negation."),
        concord=_set(u, neg, "concord", "negation."),
        ignorable=_set(u, u.data, "ignorable", ""),
        others=_set(u, u.data, "someone_else", ""),
        self_words=_set(u, u.data, "self", ""),
        for_them=_set(u, u.data, "for_them", ""),
        reporting=_set(u, u.data, "reporting", ""),
        them=_set(u, u.data, "them", ""),
        reach=u.get(u.data, "reach", int, ""),
    )
    alone = _keyed(u, "alone", ("yes", "no", "unsure", *commands))
    lexicon = Lexicon(
        gap=u.get(u.data, "gap", int, ""),
        reach=scope.reach,
        words=_word_rules(n, u, known),
        scope=scope,
        whole_clause=_list(u, neg, "whole_clause", "negation."),
        after=_list(u, neg, "after", "negation."),
        pseudo=_list(u, neg, "pseudo", "negation."),
        hedges=_list(u, u.data, "hedges", ""),
        hedges_after=_list(u, u.data, "hedges_after", ""),
        long_ago=_list(u, u.data, "long_ago", ""),
        supposing=_list(u, u.data, "supposing", ""),
        echo=_list(u, u.data, "echo", ""),
        explained=_list(u, u.data, "explained", ""),
        doubt_after=_list(u, u.data, "doubt_after", ""),
        meant=_list(u, u.data, "meant", ""),
        sides=_list(u, u.data, "sides", ""),
        weak_alone=_list(u, u.data, "weak_alone", ""),
        unfinished=_set(u, u.data, "unfinished", ""),
        place_glue=_set(u, u.data, "place_glue", ""),
        over=_list(u, u.data, "over", ""),
        before=_list(u, u.data, "before", ""),
        adds_on=_list(u, u.data, "adds_on", ""),
        corrections=_list(u, u.data, "corrections", ""),
        cues=_keyed(u, "cues", CUES, need_all=True),
        alone=alone,
        ignorable=_list(u, u.data, "ignorable", ""),
        commands=_keyed(u, "commands", tuple(commands)),
        explain_words=_list(u, u.data, "explain_words", ""),
        terms=_keyed(u, "terms", tuple(lists["term"])),
        places=_keyed(u, "places", tuple(lists["place"])),
        not_places=_list(u, u.data, "not_places", ""),
        neutral=_list(u, u.data, "neutral", ""),
        everywhere=_list(u, u.data, "everywhere", ""),
        classes=classes,
        signs=_signs(s, set(yes_no_ids)),
    )
    _check_all(u, s, lexicon)
    vocabulary = _vocabulary(lexicon, lists, grammar_templates)
    words = replace(
        lexicon.words,
        known=lexicon.words.known | vocabulary,
        vocabulary=frozenset(w for w in vocabulary if len(w) >= 4),
    )
    return replace(lexicon, words=words)


def _word_rules(n: YamlFile, u: YamlFile, known: frozenset[str]) -> WordRules:
    d = n.data
    rewrites_raw = n.get(d, "rewrites", dict, "")
    breaks = _list(u, u.data, "clause_breaks", "")
    return WordRules(
        contractions={str(k): str(v) for k, v in n.get(d, "contractions", dict, "").items()},
        spellings={str(k): str(v) for k, v in n.get(d, "spellings", dict, "").items()},
        rewrites={tuple(str(k).split()): tuple(str(v).split()) for k, v in rewrites_raw.items()},
        hesitations=frozenset(n.strings(n.get(d, "hesitations", list, ""), "hesitations")),
        stems={str(k): str(v) for k, v in n.get(d, "stems", dict, "").items()},
        known=known,
        breaks=tuple(tuple(b.split()) for b in breaks),
    )


def _signs(s: YamlFile, yes_no_ids: set[str]) -> dict[str, SignPhrases]:
    out: dict[str, SignPhrases] = {}
    for key, value in s.data.items():
        if key == "classes":
            continue
        if key != GENERAL and key not in yes_no_ids:
            raise s.fail(str(key), "not a yes/no question id (or 'general')")
        if not isinstance(value, dict):
            raise s.fail(str(key), "must be a mapping of present/here/recent/absent/unsure")
        for kind in value:
            if kind not in SIGN_KINDS:
                raise s.fail(f"{key}.{kind}", f"must be one of {', '.join(SIGN_KINDS)}")
        out[str(key)] = SignPhrases(
            **{kind: s.strings(v, f"{key}.{kind}") for kind, v in value.items()}
        )
    return out


def _check_all(u: YamlFile, s: YamlFile, lex: Lexicon) -> None:
    """Every phrase parses and names only classes that exist."""
    checks: list[tuple[YamlFile, str, tuple[str, ...]]] = [
        (u, "negation.whole_clause", lex.whole_clause),
        (u, "negation.after", lex.after),
        (u, "negation.pseudo", lex.pseudo),
        (u, "hedges", lex.hedges),
        (u, "hedges_after", lex.hedges_after),
        (u, "long_ago", lex.long_ago),
        (u, "supposing", lex.supposing),
        (u, "echo", lex.echo),
        (u, "explained", lex.explained),
        (u, "doubt_after", lex.doubt_after),
        (u, "meant", lex.meant),
        (u, "sides", lex.sides),
        (u, "over", lex.over),
        (u, "before", lex.before),
        (u, "adds_on", lex.adds_on),
        (u, "corrections", lex.corrections),
        (u, "not_places", lex.not_places),
        (u, "neutral", lex.neutral),
        (u, "everywhere", lex.everywhere),
        (u, "explain_words", lex.explain_words),
    ]
    for section in ("cues", "alone", "commands", "terms", "places"):
        for name, phrases in getattr(lex, section).items():
            checks.append((u, f"{section}.{name}", phrases))
    for qid, sign in lex.signs.items():
        for kind in SIGN_KINDS:
            checks.append((s, f"{qid}.{kind}", getattr(sign, kind)))
    for f, where, phrases in checks:
        for phrase in phrases:
            missing = class_names(phrase) - set(lex.classes)
            if missing:
                raise f.fail(where, f"unknown word class {{{sorted(missing)[0]}}} in {phrase!r}")
            try:
                next(iter(expand(fill_classes(phrase.removeprefix(FIRST), lex.classes), {})))
            except TemplateError as exc:
                raise f.fail(where, str(exc)) from None


def _vocabulary(
    lex: Lexicon, lists: Mapping[str, Mapping[str, tuple[str, ...]]], grammar: Iterable[str]
) -> frozenset[str]:
    """Every word the interpreter looks for: the targets of typing-slip correction."""
    texts: list[str] = [*grammar, *(w for ws in lex.classes.values() for w in ws)]
    for section in ("cues", "alone", "commands", "terms", "places"):
        texts += [p for ps in getattr(lex, section).values() for p in ps]
    for sign in lex.signs.values():
        texts += [p for kind in SIGN_KINDS for p in getattr(sign, kind)]
    texts += [
        *lex.hedges,
        *lex.hedges_after,
        *lex.explain_words,
        *lex.everywhere,
        *lex.words.spellings.values(),
    ]
    texts += [w for ws in lists.values() for values in ws.values() for w in values]
    return frozenset(w.replace("'", "") for t in texts for w in _WORDS.findall(t.lower()))


def _list(f: YamlFile, mapping: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    return f.strings(f.get(mapping, key, list, where), f"{where}{key}")


def _set(f: YamlFile, mapping: Mapping[str, Any], key: str, where: str) -> frozenset[str]:
    return frozenset(_list(f, mapping, key, where))


def _keyed(
    f: YamlFile, key: str, names: tuple[str, ...], need_all: bool = False
) -> dict[str, tuple[str, ...]]:
    data = f.get(f.data, key, dict, "")
    for name in data:
        if name not in names:
            raise f.fail(f"{key}.{name}", f"unknown name (expected one of {', '.join(names)})")
    if need_all:
        for name in names:
            if name not in data:
                raise f.fail(f"{key}.{name}", "missing")
    return {str(k): f.strings(v, f"{key}.{k}") for k, v in data.items()}
