"""PocketSphinx adapter: one decoder, a cached JSGF grammar per question, out-of-grammar rejection.

How rejection works (measured on real recordings, see the engines report in the README):
each grammar is `(phrase | phrase | ...) | <competitor>`, where <competitor> is one real dictionary
word out of a few short one-syllable words (one per first-phone/vowel class, competitors.py)
that are NOT acoustically close to any short answer (phone edit distance > 2). A word that is not
in the grammar ("banana", "left", "stop" under yes/no) then matches a competitor better than a
listed phrase and is rejected, instead of being forced onto "yes" or "no". A phone loop inside the
grammar was tried and rejected: it stole real answers and made decoding take over a second.

The answer is the first of the decoder's best paths (then its 10-best list) that is a complete
listed phrase; a path that stops inside a phrase is never cut back to a shorter one (that turned
"both legs" into "no"). If a competitor word comes first, the answer is NotUnderstood.

Confidence is CONFIDENCE_CAP times the share of the 10 best paths that stay inside the grammar
(use no competitor word); answers below `min_confidence` are NotUnderstood. The decoder's own
posterior, `hyp().prob`, is always 1.0 for grammars, so it carries no information.
The grammar is compiled to a minimal word graph (wordgraph.py) and the decoder dithers its input.

Memory: the decoder holds one question's grammar at a time (each costs about 20 MB; building one
again takes 15-50 ms), and its dictionary holds only the words grammars have used (lexicon.py).

Three things each answer goes through (measured on audio_fixtures/ and ../shared/real_speech,
see the README's engine notes):
- Its own cepstral mean. The decoder normalises features by a running mean carried over from the
  previous answer, so a loud answer after a quiet one was decoded against the wrong level (and the
  same clip decoded differently depending on what came before). A cheap first pass under a
  one-word grammar sets the mean from this answer; the real pass then uses it.
- Lattice rescoring (`bestpath`) stays on. Turning it off let "start over" through (the lattice
  pass turns it into "i don't") but made every cough and burst of noise come out as "aye", a yes.
- A choice of frequency warp (vocal tract length): each answer is decoded with the spectrum
  scaled by each factor in WARPS and the decode with the best path score is kept. Voices whose
  formants sit far from the model's average (higher voices in particular) were the main misses.
"""

from __future__ import annotations

import array
import itertools
import logging
import re
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.core.errors import EngineError
from assistant.core.messages import Expected, Heard, NotUnderstood
from assistant.core.ports import Audio
from assistant.engines import competitors as competitor_words
from assistant.engines import wordgraph
from assistant.engines.lexicon import Lexicon

log = logging.getLogger(__name__)

RATE = 16000
CONFIDENCE_CAP = 0.5
"""The most certain this adapter ever claims to be. Its scores cannot tell a right answer from a
wrong one: on the fixtures 10 of 99 heard "no"s were wrong, nearly all with every one of the 10
best paths agreeing. Staying below the dialog's low-confidence line (settings.yaml) means every
spoken "no" to an emergency question is confirmed once, as CLINICAL.md asks for unsure "no"s."""
WARPS = (0.9, 1.0, 1.1)
"""Inverse-linear frequency warps tried per answer; 1.0 is the unwarped spectrum. Three factors
were as accurate as five (0.8-1.2) on the fixtures, at three decodes per answer."""
_CMN_SEARCH = "cmn"
_CMN_GRAMMAR = "#JSGF V1.0;\ngrammar cmn;\npublic <cmn> = the;\n"
"""The first pass only sets the cepstral mean; its one-word grammar makes it cheap."""
_WORD = re.compile(r"[a-z][a-z']*")


@dataclass(frozen=True)
class _Search:
    """One grammar registered in the decoder."""

    name: str
    phrases: frozenset[str]
    competitors: frozenset[str]
    jsgf: str


def _resample(pcm: bytes, rate: int) -> bytes:
    """Linear-interpolation resampling of 16-bit mono PCM to 16 kHz (rarely needed)."""
    src = array.array("h")
    src.frombytes(pcm)
    if sys.byteorder == "big":
        src.byteswap()
    n = max(1, len(src) * RATE // rate)
    out = array.array("h", bytes(2 * n))
    step = rate / RATE
    for i in range(n):
        pos = i * step
        j = int(pos)
        frac = pos - j
        a = src[min(j, len(src) - 1)]
        b = src[min(j + 1, len(src) - 1)]
        out[i] = int(a + (b - a) * frac)
    if sys.byteorder == "big":
        out.byteswap()
    return out.tobytes()


class PocketSphinxRecognizer:
    """Recognises the expected phrases with PocketSphinx's bundled US English model."""

    name = "pocketsphinx"

    def __init__(
        self,
        extra_pronunciations: Mapping[str, str] | None = None,
        nbest: int = 10,
        min_confidence: float = 0.25,
        max_competitor_distance: int = 2,
        warps: tuple[float, ...] = WARPS,
    ) -> None:
        try:
            import pocketsphinx  # noqa: PLC0415 - lazy: the core must not pull in audio engines
        except ImportError as exc:
            raise EngineError(
                "error_engine_missing", engine="pocketsphinx", install="pip install pocketsphinx"
            ) from exc
        model = Path(pocketsphinx.get_model_path())
        hmm, dic = model / "en-us" / "en-us", model / "en-us" / "cmudict-en-us.dict"
        if not hmm.is_dir() or not dic.is_file():
            raise EngineError("error_model_missing", path=str(model))
        try:
            self._lexicon = Lexicon(dic)
            # Dither: stretches of exact digital zeros (padded files, muted inputs) otherwise
            # break the feature normalisation; "not sure" padded with zeros decoded as "slower".
            # A fixed seed keeps results repeatable. The dictionary starts empty (lexicon.py):
            # dict=None, not an empty file such as /dev/null, which some systems let only root read.
            self._decoder: Any = pocketsphinx.Decoder(
                hmm=str(hmm), dict=None, samprate=RATE, loglevel="FATAL", dither=True, seed=1
            )
            self._known: set[str] = set()  # words looked up in the dictionary, found or not
            extra = extra_pronunciations or {}
            self._add_words(["the", *extra])
            for word, phones in extra.items():
                if self._decoder.lookup_word(word) is None:
                    self._decoder.add_word(word, phones, True)
            self._decoder.add_jsgf_string(_CMN_SEARCH, _CMN_GRAMMAR)
        except (OSError, RuntimeError, ValueError) as exc:
            raise EngineError("error_model_broken", path=str(model), detail=str(exc)) from exc
        self._nbest = nbest
        self._min_confidence = min_confidence
        self._max_distance = max_competitor_distance
        self._searches: dict[tuple[str, ...], _Search] = {}
        self._loaded: _Search | None = None
        self._warps = warps or (1.0,)
        self._warp = 1.0

    def _add_words(self, words: Iterable[str]) -> None:
        """Give the decoder every pronunciation of these words that the dictionary has."""
        new = sorted({w for w in words if w not in self._known})
        if not new:
            return
        try:
            found = self._lexicon.lookup(new)
        except OSError as exc:  # the dictionary file went away or became unreadable mid-session
            raise EngineError(
                "error_model_broken", path=str(self._lexicon.path), detail=str(exc)
            ) from exc
        entries = [
            (word if i == 0 else f"{word}({i + 1})", " ".join(phones))
            for word in new
            for i, phones in enumerate(found.get(word, []))
        ]
        for n, (entry, phones) in enumerate(entries, 1):
            self._decoder.add_word(entry, phones, n == len(entries))
        self._known.update(new)

    def _usable(self, phrases: Iterable[str]) -> list[str]:
        usable = []
        for phrase in phrases:
            words = phrase.lower().split()
            bad = [
                w for w in words if not _WORD.fullmatch(w) or self._decoder.lookup_word(w) is None
            ]
            if not words or bad:
                log.warning("pocketsphinx: dropping phrase %r: not in dictionary: %s", phrase, bad)
                continue
            usable.append(" ".join(words))
        return usable

    def _search_for(self, phrases: tuple[str, ...]) -> _Search | None:
        """The decoder search for these phrases, built once and cached per distinct phrase tuple."""
        if phrases in self._searches:
            return self._load(self._searches[phrases])
        self._add_words(w for p in phrases for w in p.lower().split() if _WORD.fullmatch(w))
        usable = self._usable(phrases)
        if not usable:
            log.warning("pocketsphinx: no usable phrase in %r", phrases)
            return None
        grammar_words = sorted({w for p in usable for w in p.split()})
        answer_prons = [
            self._decoder.lookup_word(w).split()
            for w in competitor_words.short_answer_words(usable)
        ]
        chosen = competitor_words.choose(self._lexicon.short, answer_prons, self._max_distance)
        competitors = [w for w in chosen if w not in grammar_words]
        if not competitors:
            log.warning(
                "pocketsphinx: no competitor words for %r: no out-of-grammar rejection", phrases
            )
        self._add_words(competitors)
        jsgf = wordgraph.jsgf(usable, ["<competitor>"] if competitors else [])
        if competitors:
            jsgf += f"<competitor> = {' | '.join(competitors)};\n"
        name = f"g{len(self._searches)}"
        search = _Search(name, frozenset(usable), frozenset(competitors), jsgf)
        self._searches[phrases] = search
        log.debug(
            "pocketsphinx: grammar %s: %d phrases, %d competitors",
            search.name, len(usable), len(competitors),
        )  # fmt: skip
        return self._load(search)

    def _load(self, search: _Search) -> _Search:
        """Make `search` the one grammar the decoder holds (the one before it is dropped)."""
        if self._loaded is search:
            return search
        try:
            if self._loaded is not None:
                self._decoder.activate_search(_CMN_SEARCH)
                self._decoder.remove_search(self._loaded.name)
                self._loaded = None
            self._decoder.add_jsgf_string(search.name, search.jsgf)
        except (RuntimeError, ValueError) as exc:
            raise EngineError(
                "error_model_broken", path="pocketsphinx grammar", detail=str(exc)
            ) from exc
        self._loaded = search
        return search

    def prepare(self, expected: Expected) -> None:
        """Build and load this question's grammar now (a few hundred ms), not on its answer."""
        self._search_for(tuple(expected.phrases))

    def recognize(self, audio: Audio, expected: Expected) -> Heard | NotUnderstood:
        """Decode one answer under `expected.phrases`, once per warp; keep the best decode."""
        start = time.perf_counter()
        search = self._search_for(tuple(expected.phrases))
        if search is None:
            return NotUnderstood(decode_ms=0.0)
        pcm = audio.pcm if audio.sample_rate == RATE else _resample(audio.pcm, audio.sample_rate)
        best: tuple[float, str | None, float] | None = None
        try:
            for warp in self._warps:
                self._set_warp(warp)
                self._decode(_CMN_SEARCH, pcm)  # this answer's own cepstral mean
                self._decode(search.name, pcm)
                hyp = self._decoder.hyp()
                if hyp is not None and hyp.hypstr.strip() and (best is None or hyp.score > best[0]):
                    best = (hyp.score, *self._choose(search))
        except RuntimeError as exc:
            raise EngineError("error_model_broken", path="pocketsphinx", detail=str(exc)) from exc
        elapsed = (time.perf_counter() - start) * 1000
        if best is None or best[1] is None or best[2] < self._min_confidence:
            return NotUnderstood(decode_ms=elapsed)
        return Heard(text=best[1], confidence=best[2], decode_ms=elapsed)

    def _set_warp(self, warp: float) -> None:
        if warp != self._warp:
            self._decoder.config["warp_params"] = f"{warp:g}"
            self._decoder.reinit_feat()
            self._warp = warp

    def _decode(self, search: str, pcm: bytes) -> None:
        if self._decoder.current_search() != search:
            self._decoder.activate_search(search)
        self._decoder.start_utt()
        self._decoder.process_raw(pcm, full_utt=True)
        self._decoder.end_utt()

    def _choose(self, search: _Search) -> tuple[str | None, float]:
        """Pick the best complete phrase among the N best paths; confidence = their agreement."""
        best = self._decoder.hyp()
        if best is None or not best.hypstr.strip():
            return None, 0.0
        paths = [
            h.hypstr.split()
            for h in itertools.islice(self._decoder.nbest(), self._nbest)
            if h is not None
        ]
        paths = paths or [best.hypstr.split()]
        chosen = None
        for words in [best.hypstr.split(), *paths]:
            if any(w in search.competitors for w in words):
                return None, 0.0  # the best path is out of grammar
            # Only a complete phrase counts. A path that stops inside one means the audio did not
            # fit the grammar; cutting it back to a shorter phrase turned "both legs" (heard as
            # "no have") into "no", a yes to an emergency sign lost.
            if " ".join(words) in search.phrases:
                chosen = words
                break
        if chosen is None:
            return None, 0.0
        in_grammar = sum(1 for words in paths if not any(w in search.competitors for w in words))
        return " ".join(chosen), CONFIDENCE_CAP * in_grammar / len(paths)
