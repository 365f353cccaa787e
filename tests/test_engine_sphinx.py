"""PocketSphinx adapter on synthesized and real recorded speech."""

from __future__ import annotations

import array
import logging
import statistics
from pathlib import Path

import pytest

from assistant.core.content import load
from assistant.core.errors import EngineError
from assistant.core.messages import Expected, Heard, NotUnderstood
from assistant.core.ports import Audio
from tests import speech_synth
from tests.conftest import read_audio

pytestmark = pytest.mark.audio
pytest.importorskip(
    "pocketsphinx", reason="pocketsphinx is not installed (pip install pocketsphinx)"
)

from assistant.engines.sphinx import RATE, PocketSphinxRecognizer  # noqa: E402

REAL = Path(__file__).resolve().parents[2] / "shared" / "real_speech"
FIXTURES = Path(__file__).resolve().parents[1] / "audio_fixtures"
ANSWERS = (
    "yes", "yeah", "yes i have", "yes i do", "no", "nope", "no i have not", "no i do not",
    "not sure", "i do not know", "maybe", "repeat", "help", "slower", "faster", "go back",
    "start over", "stop", "what is sciatica",
)  # fmt: skip
FULL = Expected("answer", ANSWERS)
YES_NO = Expected("yes_no", ("yes", "no"))


@pytest.fixture(scope="module")
def rec() -> PocketSphinxRecognizer:
    return PocketSphinxRecognizer(load().pronunciations)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reason = speech_synth.tools_missing()
    if reason:
        pytest.skip(reason)
    return tmp_path_factory.mktemp("synth")


@pytest.mark.parametrize("text", ["yes", "no", "stop", "start over", "what is sciatica"])
def test_recognises_synthesized_phrases(
    rec: PocketSphinxRecognizer, cache: Path, text: str
) -> None:
    heard = rec.recognize(speech_synth.speak(text, cache), FULL)
    assert isinstance(heard, Heard), heard
    assert heard.text == text
    assert 0.0 <= heard.confidence <= 1.0
    assert heard.decode_ms > 0


def test_switching_grammars_back_and_forth(rec: PocketSphinxRecognizer, cache: Path) -> None:
    # The SpeechRecognition 3.17 bug was the second call failing: switch back and forth twice.
    commands = Expected("commands", ("stop", "start over", "what is sciatica", "repeat"))
    sequence = [("yes", YES_NO), ("start over", commands), ("no", YES_NO), ("stop", commands)] * 2
    got = [
        getattr(rec.recognize(speech_synth.speak(t, cache), e), "text", None) for t, e in sequence
    ]
    assert got == [t for t, _ in sequence]


@pytest.mark.parametrize("word", ["banana", "stop", "hello there", "left"])
def test_out_of_grammar_word_is_not_yes_or_no(
    rec: PocketSphinxRecognizer, cache: Path, word: str
) -> None:
    heard = rec.recognize(speech_synth.speak(word, cache), YES_NO)
    assert not (isinstance(heard, Heard) and heard.text in {"yes", "no"}), heard


@pytest.mark.parametrize("clip", ["noise", "cough", "silence"])
def test_non_speech_is_not_understood(rec: PocketSphinxRecognizer, cache: Path, clip: str) -> None:
    audio = {
        "noise": lambda: speech_synth.white_noise(cache),
        "cough": lambda: speech_synth.cough(cache),
        "silence": speech_synth.silence,
    }[clip]()
    assert isinstance(rec.recognize(audio, YES_NO), NotUnderstood)


def test_phrase_with_unknown_word_is_dropped_not_fatal(
    rec: PocketSphinxRecognizer, cache: Path, caplog: pytest.LogCaptureFixture
) -> None:
    expected = Expected("odd", ("yes", "no", "zzyzzxq blorft"))
    with caplog.at_level(logging.WARNING):
        heard = rec.recognize(speech_synth.speak("yes", cache), expected)
    assert getattr(heard, "text", None) == "yes"
    assert "zzyzzxq" in caplog.text


def test_no_usable_phrase_is_not_understood(rec: PocketSphinxRecognizer) -> None:
    heard = rec.recognize(speech_synth.silence(0.5), Expected("none", ("zzyzzxq",)))
    assert isinstance(heard, NotUnderstood)


def _real(word: str) -> list[Path]:
    if not REAL.is_dir():
        pytest.skip(f"real recordings not found at {REAL}")
    return sorted((REAL / word).glob("*.wav"))


def test_real_yes_no_recordings(rec: PocketSphinxRecognizer) -> None:
    families = {"yes": {"yes", "yeah"}, "no": {"no", "nope"}}
    correct, wrong, results, times = 0, [], [], []
    for word, family in families.items():
        for path in _real(word):
            heard = rec.recognize(speech_synth.read_wav(path), FULL)
            times.append(heard.decode_ms)
            if isinstance(heard, Heard) and heard.text.split()[0] in family:
                correct += 1
            elif isinstance(heard, Heard):
                wrong.append((word, path.name, heard.text))
            results.append((word, path.name, heard))
    total = len(results)
    print(f"\nreal yes/no: {correct}/{total} = {correct / total:.1%} correct, "
          f"{len(wrong)} wrong, {total - correct - len(wrong)} not understood; "
          f"median decode {statistics.median(times):.1f} ms")  # fmt: skip
    # A wrong answer (a yes heard as a no) is the dangerous failure: there must be none.
    assert wrong == []
    # Measured 20/22 (90.9%) when a path stopping inside a phrase ("yes i") was cut back to "yes";
    # that cut also turned "both legs" into "no", so it went: now 18/22 (81.8%), every miss
    # NotUnderstood (asked again), none wrong (also with each answer's own level and 3 warps).
    assert correct / total >= 0.80, results


def test_real_out_of_grammar_words_rarely_pass_as_yes_no(rec: PocketSphinxRecognizer) -> None:
    clips = [p for w in ("down", "left", "right", "up", "off", "stop") for p in _real(w)]
    accepted = []
    for path in clips:
        heard = rec.recognize(speech_synth.read_wav(path), YES_NO)
        if isinstance(heard, Heard):
            accepted.append((path.parent.name, heard))
    print(
        f"\nreal out-of-grammar words accepted as yes/no: {len(accepted)}/{len(clips)} {accepted}"
    )
    assert len(accepted) <= 0.1 * len(clips)


def _scaled(audio: Audio, gain: float) -> Audio:
    samples = array.array("h", audio.pcm)
    return Audio(
        array.array("h", (max(-32768, min(32767, int(s * gain))) for s in samples)).tobytes(),
        audio.sample_rate,
    )


def test_an_answer_is_heard_the_same_whatever_came_before(rec: PocketSphinxRecognizer) -> None:
    """Each answer is normalised by its own level: a very loud or very quiet answer before it
    must not change what it is heard as (the decoder used to carry its mean over)."""
    clips = FIXTURES / "clips"
    answer = read_audio(clips / "both_legs_no_no_m1_130_clean.wav")
    before = [
        _scaled(read_audio(clips / "bladder_no_no_m1_170_clean.wav"), 6.0),
        _scaled(read_audio(clips / "saddle_help_help_m3_130_clean.wav"), 0.05),
        speech_synth.silence(1.0),
    ]
    heard = []
    for other in before:
        rec.recognize(other, FULL)
        event = rec.recognize(answer, FULL)
        heard.append((getattr(event, "text", None), getattr(event, "confidence", None)))
    assert heard[0][0] is not None
    assert heard == [heard[0]] * len(before), heard


def test_a_dictionary_gone_mid_session_is_an_engine_error(tmp_path: Path) -> None:
    rec = PocketSphinxRecognizer(load().pronunciations)
    rec._lexicon.path = tmp_path / "gone.dict"  # words not read yet now cannot be looked up
    with pytest.raises(EngineError) as caught:
        rec.recognize(Audio(bytes(32000), RATE), Expected("new", ("zebra crossing",)))
    assert caught.value.key == "error_model_broken"
