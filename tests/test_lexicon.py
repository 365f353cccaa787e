"""The on-demand dictionary gives each word exactly the pronunciations the whole file has."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core.content import load
from assistant.core.grammar import Grammar
from assistant.engines.lexicon import Lexicon, Phones, base_word, is_short

pocketsphinx = pytest.importorskip(
    "pocketsphinx", reason="pocketsphinx is not installed (pip install pocketsphinx)"
)
CMUDICT = Path(pocketsphinx.get_model_path()) / "en-us" / "cmudict-en-us.dict"


def whole_file(path: Path) -> dict[str, list[Phones]]:
    """Every word of the file with its pronunciations, read the plain way."""
    words: dict[str, list[Phones]] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        token, *phones = line.split() or [""]
        if phones:
            words.setdefault(base_word(token), []).append(tuple(phones))
    return words


@pytest.fixture(scope="module")
def reference() -> dict[str, list[Phones]]:
    return whole_file(CMUDICT)


@pytest.fixture(scope="module")
def grammar_words() -> set[str]:
    content = load()
    grammar = Grammar(content)
    phrases = {p for q in content.questions for p in grammar.phrases_for(q.id)}
    return {w for p in phrases | set(grammar.general_phrases()) for w in p.split()}


@pytest.mark.parametrize("block", [1, 7, 32, 1000])
def test_lookup_matches_the_whole_file(
    reference: dict[str, list[Phones]],
    grammar_words: set[str],
    block: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Lexicon, "BLOCK", block)
    lexicon = Lexicon(CMUDICT)
    words = list(reference)
    # Every grammar word, the words either side of block starts, the first and last words, and
    # words with several pronunciations (their extra lines can start a block).
    sample = set(grammar_words) | {words[0], words[-1], "the", "either", "read", "live"}
    sample |= {words[i] for n in range(0, len(words), 997) for i in (n - 1, n) if i >= 0}
    sample |= {"notaword", "zzzzzz", "aaaaaaaa"}
    found = lexicon.lookup(sample)
    assert found == {w: reference[w] for w in sample if w in reference}
    assert len(found["the"]) == 2


def test_short_words_are_one_syllable_with_all_their_pronunciations(
    reference: dict[str, list[Phones]],
) -> None:
    lexicon = Lexicon(CMUDICT)
    assert len(lexicon.short) > 1000
    for word, prons in lexicon.short.items():
        assert is_short(word, prons[0])
        assert prons == reference[word]


def test_an_unsorted_dictionary_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "unsorted.dict"
    path.write_text("zed Z EH D\nyes Y EH S\n\nbad B AE D\nyes(2) Y AE S\napple AE P AH L\n")
    found = Lexicon(path).lookup(["yes", "apple", "zed", "nope"])
    assert found == {
        "yes": [("Y", "EH", "S"), ("Y", "AE", "S")],
        "apple": [("AE", "P", "AH", "L")],
        "zed": [("Z", "EH", "D")],
    }
