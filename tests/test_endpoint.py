"""The end-of-answer state machine (pure): frames written as text, '#' voiced and '.' quiet."""

from __future__ import annotations

import pytest

from assistant.core.endpoint import CaptureSettings, Endpointer, Pace, Step

FRAME = 0.03
SETTINGS = CaptureSettings(pause=0.6, quick=0.3, look=0.09, timeout=1.5, phrase_limit=3.0,
                           non_speaking=0.09)  # fmt: skip
"""In frames of 30 ms: pause 20, quick 10, look 3, timeout 50, phrase limit 100, keep 3."""


def feed(
    frames: str, complete: bool | None = None, ends: Endpointer | None = None
) -> tuple[Step, Endpointer, list[int]]:
    """Push the frames; answer each DECODE at once with `complete` (None: never answered)."""
    ends = ends or Endpointer(SETTINGS, FRAME)
    decodes: list[int] = []
    for mark in frames:
        step = ends.push(mark == "#")
        if step is Step.DECODE:
            decodes.append(ends.decode_upto)
            if complete is not None:
                ends.decoded(ends.decode_upto, complete)
        elif step is not Step.WAIT:
            return step, ends, decodes
    return ends.ran_out(), ends, decodes


@pytest.mark.parametrize(
    ("frames", "step"),
    [
        pytest.param("." * 60, Step.SILENCE, id="quiet-until-timeout"),
        pytest.param("." * 10, Step.SILENCE, id="sound-ran-out-quiet"),
        pytest.param("....##" + "." * 60, Step.SILENCE, id="click-then-timeout"),
        pytest.param("....##......", Step.CLICK, id="click-then-end-of-file"),
        pytest.param("...####" + "." * 30, Step.END, id="a-word"),
        pytest.param("#" * 120, Step.TOO_LONG, id="never-pauses"),
    ],
)
def test_what_the_frames_add_up_to(frames: str, step: Step) -> None:
    assert feed(frames)[0] is step


def test_a_complete_answer_is_replied_to_after_the_quick_quiet() -> None:
    step, ends, decodes = feed("..######" + "." * 30, complete=True)
    assert step is Step.REPLY
    assert ends.frames == 8 + 10  # the word, then 10 quiet frames
    assert decodes == [8 + 3]  # asked for after 3 quiet frames
    assert ends.covered()


def test_an_incomplete_answer_waits_the_whole_pause() -> None:
    step, ends, _ = feed("..######" + "." * 30, complete=False)
    assert step is Step.END
    assert ends.frames == 8 + 20


def test_no_early_result_yet_waits_the_whole_pause() -> None:
    step, ends, decodes = feed("..######" + "." * 30, complete=None)
    assert (step, ends.frames, len(decodes)) == (Step.END, 8 + 20, 1)
    assert not ends.covered()


def test_speech_after_a_decode_makes_it_stale() -> None:
    """A decode made before more words is not the answer: another is asked for."""
    step, ends, decodes = feed("..####" + "." * 5 + "####" + "." * 30, complete=True)
    assert step is Step.REPLY
    assert len(decodes) == 2
    assert ends.covered()


def test_one_voiced_frame_after_a_pause_does_not_restart_speech() -> None:
    step, ends, _ = feed("..####" + "." * 8 + "#" + "." * 30, complete=False)
    assert step is Step.END
    assert ends.last_voiced == 5


def test_the_span_keeps_a_little_sound_either_side() -> None:
    _, ends, _ = feed("......####" + "." * 30, complete=True)
    assert ends.span() == (6 - 3, 10 + 3)


def test_a_pause_inside_an_answer_is_remembered_as_the_persons_pace() -> None:
    pace = Pace()
    ends = Endpointer(SETTINGS, FRAME, pace)
    feed("..####" + "." * 15 + "####" + "." * 30, complete=False, ends=ends)
    assert pace.longest_gap == pytest.approx(15 * FRAME)
    assert pace.quick(SETTINGS) == pytest.approx(min(0.6, 15 * FRAME + pace.margin))


@pytest.mark.parametrize(("gap", "quick"), [(0.0, 0.3), (0.04, 0.3), (0.2, 0.45), (0.5, 0.6)])
def test_pace_never_goes_below_quick_or_above_pause(gap: float, quick: float) -> None:
    assert Pace(longest_gap=gap).quick(SETTINGS) == pytest.approx(quick)


@pytest.mark.parametrize(
    "field", ["quick", "look", "non_speaking", "min_speech", "energy_threshold"]
)
def test_settings_refuse_negative_values(field: str) -> None:
    with pytest.raises(ValueError, match=field):
        CaptureSettings(**{field: -0.1})  # type: ignore[arg-type]


def test_words_not_yet_whole_are_decoded_again_with_the_whole_tail() -> None:
    """A short tail can clip a last sound ("yes" without its "s"): unfinished words are decoded
    once more when `non_speaking` seconds of quiet have followed them."""
    settings = CaptureSettings(pause=0.6, quick=0.3, look=0.09, non_speaking=0.3)
    _, _, decodes = feed("..######" + "." * 30, complete=False, ends=Endpointer(settings, FRAME))
    assert decodes == [8 + 3, 8 + 10]
    _, _, decodes = feed("..######" + "." * 30, complete=True, ends=Endpointer(settings, FRAME))
    assert decodes == [8 + 3]


@pytest.mark.parametrize(("pause", "quick"), [(0.6, 0.3), (1.2, 0.3), (2.0, 0.5), (3.0, 0.75)])
def test_a_longer_pause_setting_makes_the_quick_end_longer_too(pause: float, quick: float) -> None:
    assert Pace().quick(CaptureSettings(pause=pause)) == pytest.approx(quick)


def test_after_a_reply_the_answer_is_followed_until_the_pause() -> None:
    step, ends, _ = feed("..######" + "." * 10, complete=True)
    assert step is Step.REPLY
    assert [ends.push(False) for _ in range(9)] == [Step.WAIT] * 9
    assert ends.push(False) is Step.END  # 20 quiet frames: the pause
    assert ends.replied


def test_going_on_after_a_reply_resumes_the_answer() -> None:
    step, ends, _ = feed("..######" + "." * 10, complete=True)
    assert step is Step.REPLY
    assert [ends.push(v) for v in (False, True, True)] == [Step.WAIT, Step.WAIT, Step.RESUMED]
    assert not ends.replied
    assert not ends.covered()  # the early result no longer holds every word
    step, _, decodes = feed("." * 30, complete=True, ends=ends)
    assert (step, len(decodes)) == (Step.END, 1)  # 12 frames were a long pause for this person
