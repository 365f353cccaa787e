"""Generate the spoken-answer fixtures in audio_fixtures/ with espeak-ng and sox (deterministic).

Run from the project folder::

    .venv/bin/python audio_fixtures/generate.py            # rewrite clips/, sessions/, manifest.csv
    .venv/bin/python audio_fixtures/generate.py --list weakness no   # expansions with their indexes

Needs `espeak-ng` and `sox` on PATH. It writes:

- `clips/*.wav`: answers for every yes/no question (the general "yes", "no", "not sure" and one
  of the question's own phrasings per answer), every command and a few location answers, each
  spoken by two of eight voice/speed combinations (four espeak-ng en-us variants, two male and two
  female, at 130 and 170 words a minute; rotated so each text gets one male and one female voice
  at different speeds). Every clean clip also comes with white or pink noise mixed in at 20 dB and
  10 dB SNR (the SNR is taken on the speech's active level, not on the silence around it). Plus
  out-of-grammar clips whose expected intent is empty: words that are no answer, a cough-like
  burst, silence and loud noise.
- `sessions/<name>/01.wav ...` with `expected.json` ({"disposition", "answers"}): whole
  conversations, one clear voice (en-us, 150 words a minute), for `back-assistant --replay`.
- `manifest.csv`: file, text, question, expected_intent, slots, voice, speed, snr, noise.

Every text is taken from intents/: the tables below only choose *which* phrase to record, as
(template index, expansion index) into a group's templates, where the expansions are the phrases
a template allows in hassil's order with duplicates removed (see `--list`). Each chosen text is
read once more by the interpreter, and the manifest takes its intent and slots from that reading,
so a change in intents/ that moves a phrase to another intent stops the generator.

All audio is 16 kHz mono 16-bit PCM with about 0.2 s of quiet before and after the speech;
"clean" clips have a quiet-room pink noise floor 40 dB below the speech (never digital silence).
Nothing is random except the noise, which is seeded from the file name, so a rerun on the same
espeak-ng and sox versions writes the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import re
import shutil
import subprocess
import sys
import tempfile
import wave
import zlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from assistant.core.content import Content, load  # noqa: E402 - after making the package importable
from assistant.core.interpreter import Interpreter  # noqa: E402
from assistant.core.templates import expand  # noqa: E402

RATE = 16000
PAD = 0.2
FLOOR_DB = 40.0
"""The quiet-room noise floor of "clean" clips, in dB below the speech's active level."""
"""Seconds of silence kept before and after the speech."""

MALE = ("en-us+m3", "en-us+m1")
FEMALE = ("en-us+f3", "en-us+f2")
SPEEDS = (130, 170)
COMBOS = (
    (MALE[0], 130), (FEMALE[0], 170), (MALE[1], 170), (FEMALE[1], 130),
    (FEMALE[0], 130), (MALE[0], 170), (FEMALE[1], 170), (MALE[1], 130),
)  # fmt: skip
"""Voice and speed pairs in rotation order: text k gets COMBOS[2k % 8] and COMBOS[(2k+1) % 8]."""

COMBOS_PER_TEXT = 2
SNRS = (20, 10)
SESSION_VOICE = ("en-us", 150)
SEED = 1729
"""Mixed into every noise seed; change it to draw new noise everywhere."""


@dataclass(frozen=True)
class Pick:
    """One phrase of intents/, chosen by group, intent, template and expansion index.

    `group` is a question id (that question's own phrases), "answers", "commands" or "location".
    """

    group: str
    intent: str
    template: int = 0
    index: int = 0


YES, NO, NOT_SURE = Pick("answers", "yes"), Pick("answers", "no"), Pick("answers", "unsure", 0, 2)
GENERAL = (YES, NO, NOT_SURE)
"""Asked under every yes/no question."""

OWN: dict[str, tuple[Pick, ...]] = {
    "bladder": (Pick("bladder", "yes", 0, 50), Pick("bladder", "no", 2, 20)),
    "saddle": (Pick("saddle", "yes", 0, 10), Pick("saddle", "no", 1, 13)),
    "both_legs": (Pick("both_legs", "yes", 0, 7), Pick("both_legs", "no", 0, 28)),
    "weakness": (Pick("weakness", "yes", 0, 28), Pick("weakness", "no", 0, 7)),
    "serious": (Pick("serious", "yes", 2, 9), Pick("serious", "no", 0, 5)),
    "severity": (Pick("severity", "yes", 0, 14), Pick("severity", "no", 0, 26)),
    "numbness": (Pick("numbness", "yes", 0, 14), Pick("numbness", "no", 0, 7)),
}
"""Each yes/no question's own phrasings: one yes, one no."""

COMMANDS = (
    Pick("commands", "repeat"),
    Pick("commands", "help"),
    Pick("commands", "slower"),
    Pick("commands", "faster"),
    Pick("commands", "back"),
    Pick("commands", "start_over"),
    Pick("commands", "stop"),
    Pick("commands", "explain", 0, 50),
    Pick("commands", "explain", 0, 6),
    Pick("commands", "explain", 0, 38),
    Pick("commands", "explain", 1, 13),
    Pick("commands", "explain", 2, 45),
)
"""Every command (explain once per term), asked under each question in turn."""

LOCATION = (
    Pick("location", "location", 0, 2),
    Pick("location", "location", 1, 13),
    Pick("location", "location", 1, 181),
    Pick("location", "location", 2, 5),
)
"""Answers to the location question: one place, two places, only the back."""

OUT_OF_GRAMMAR_WORDS = ("banana", "purple elephant")
"""Spoken words that answer nothing; like the sounds below they must never count as yes or no."""

COUGH = "(cough)"
NO_TWICE = (NO, NO)
"""A spoken "no" to an emergency question, and the "no" that answers its confirmation."""
SAFE_START = NO_TWICE * 3
"""No to the three emergency questions (bladder, saddle, both legs), each confirmed."""
SESSIONS: dict[str, tuple[str, tuple[Pick | str, ...]]] = {
    "emergency": ("emergency", (OWN["bladder"][0],)),
    "urgent": ("urgent", (*SAFE_START, OWN["weakness"][0], NO, NO, NO)),
    "soon": ("soon", (*SAFE_START, NO, NO, OWN["severity"][0], NO)),
    "self_care": ("self_care", (*SAFE_START, NO, NO, NO, YES, LOCATION[0])),
    "command": (
        "self_care",
        (*NO_TWICE, COMMANDS[0], *NO_TWICE, *NO_TWICE, COMMANDS[7], NO, NO, NO, NO),
    ),
    "misheard": ("self_care", (*SAFE_START, COUGH, OWN["weakness"][1], NO, NO, NO)),
}
"""Whole conversations: the disposition they reach and each answer in turn (spoken "no"s to
emergency questions are confirmed once, so each comes with a second "no")."""


@dataclass(frozen=True)
class Row:
    """One line of manifest.csv."""

    file: str
    text: str
    question: str
    expected_intent: str
    slots: str
    voice: str
    speed: str
    snr: str
    noise: str


FIELDS = tuple(Row.__dataclass_fields__)


def templates(content: Content, group: str, intent: str) -> tuple[str, ...]:
    """The templates of one intent in one group of intents/."""
    if group == "answers":
        return content.answers[intent]
    if group == "commands":
        return content.commands[intent]
    if group == "location":
        return content.location
    return content.question(group).phrases[intent]


def expansions(content: Content, template: str) -> list[str]:
    """The phrases a template allows, in hassil's order, spaces tidied, duplicates removed."""
    out: dict[str, None] = {}
    for phrase, _ in expand(template, content.lists):
        out.setdefault(" ".join(phrase.split()), None)
    return list(out)


def text_of(content: Content, pick: Pick) -> str:
    """The phrase a Pick chooses."""
    return expansions(content, templates(content, pick.group, pick.intent)[pick.template])[
        pick.index
    ]


def checked(matcher: Interpreter, pick: Pick, qid: str) -> tuple[str, str]:
    """The pick's text and its slots as "name=a+b", after checking it means pick.intent at qid."""
    text = text_of(matcher.content, pick)
    reading = matcher.read(text, qid)
    if reading.intent != pick.intent or reading.confidence < 1.0:
        sys.exit(f"{pick}: {text!r} at {qid} gives {reading}, not an exact {pick.intent!r}")
    kept = {"location": "places", "explain": "term"}.get(pick.intent)
    slots = ";".join(
        f"{name}={'+'.join(value) if isinstance(value, list) else value}"
        for name, value in sorted(reading.slots.items())
        if name == kept
    )
    return text, slots


# --- audio ---------------------------------------------------------------------------------------


def run(*args: str) -> None:
    """Run a tool; stop with its message if it fails."""
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed: {done.stderr.strip()}")


def speak(text: str, voice: str, speed: int, out: Path) -> None:
    """espeak-ng to 16 kHz mono 16-bit, silence trimmed to PAD each side, peak at -3 dBFS."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        run("espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text)
        trim = ("silence", "1", "0.02", "0.5%")
        run(
            "sox", "-D", str(raw), "-r", str(RATE), "-c", "1", "-b", "16", "-e", "signed-integer",
            str(out), *trim, "reverse", *trim, "reverse", "gain", "-n", "-3",
            "pad", str(PAD), str(PAD),
        )  # fmt: skip
    # A microphone never gives digital silence: "clean" means a quiet room, a pink noise floor
    # FLOOR_DB below the speech. (Exact zeros around the speech made PocketSphinx hear "help"
    # as "i do" and "not sure" as "slower"; no real recording has them.)
    write_pcm(out, mix(read_pcm(out), FLOOR_DB, "pink", f"floor:{out.name}"))


def sox_synth(out: Path, *effects: str) -> None:
    """A synthetic sound with sox in repeatable mode (-R: the same noise on every run)."""
    run("sox", "-R", "-D", "-n", "-r", str(RATE), "-c", "1", "-b", "16", str(out), *effects)


def read_pcm(path: Path) -> array[int]:
    """The samples of a 16-bit mono WAV."""
    with wave.open(str(path), "rb") as w:
        samples = array("h", w.readframes(w.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def write_pcm(path: Path, samples: array[int]) -> None:
    """Write 16-bit mono samples at RATE."""
    data = array("h", samples)
    if sys.byteorder == "big":
        data.byteswap()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(data.tobytes())


def active_rms(samples: array[int], frame: int = RATE // 50, floor_db: float = 35.0) -> float:
    """RMS over the 20 ms frames within `floor_db` of the loudest: the speech, not its pauses."""
    energies = [
        sum(s * s for s in samples[i : i + frame]) / frame
        for i in range(0, len(samples) - frame + 1, frame)
    ]
    loudest = max(energies, default=0.0)
    active = [e for e in energies if e >= loudest * 10 ** (-floor_db / 10)]
    return math.sqrt(sum(active) / len(active)) if active else 0.0


def noise(count: int, colour: str, rng: random.Random) -> list[float]:
    """Gaussian white noise, or pink noise from it (Paul Kellet's filter)."""
    white = [rng.gauss(0.0, 1.0) for _ in range(count)]
    if colour == "white":
        return white
    b = [0.0] * 7
    out = []
    for w in white:
        b[0] = 0.99886 * b[0] + w * 0.0555179
        b[1] = 0.99332 * b[1] + w * 0.0750759
        b[2] = 0.96900 * b[2] + w * 0.1538520
        b[3] = 0.86650 * b[3] + w * 0.3104856
        b[4] = 0.55000 * b[4] + w * 0.5329522
        b[5] = -0.7616 * b[5] - w * 0.0168980
        out.append(sum(b) + w * 0.5362)
        b[6] = w * 0.115926
    return out


def mix(speech: array[int], snr_db: float, colour: str, seed: str) -> array[int]:
    """Speech plus seeded noise at `snr_db` below the speech's active level (no clipping)."""
    rng = random.Random(zlib.crc32(f"{SEED}:{seed}".encode()))  # noqa: S311 - test noise, not secrets
    n = noise(len(speech), colour, rng)
    n_rms = math.sqrt(sum(x * x for x in n) / len(n))
    scale = active_rms(speech) / (10 ** (snr_db / 20)) / n_rms
    mixed = [s + x * scale for s, x in zip(speech, n, strict=True)]
    peak = max(abs(v) for v in mixed)
    gain = min(1.0, 32767 / peak) if peak else 1.0
    return array("h", (round(v * gain) for v in mixed))


# --- what to record ------------------------------------------------------------------------------


def slug(text: str) -> str:
    """A short file-name part for a phrase."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-")[:32]


def voice_tag(voice: str) -> str:
    """The variant part of an espeak-ng voice name ("en-us+m3" -> "m3")."""
    return voice.rsplit("+", 1)[-1]


def answer_texts(matcher: Interpreter) -> Iterator[tuple[str, str, str, str]]:
    """(question, intent, text, slots) for every answer and command clip, in rotation order."""
    content = matcher.content
    for qid, own in OWN.items():
        for pick in (*GENERAL, *own):
            yield (qid, pick.intent, *checked(matcher, pick, qid))
    qids = [q.id for q in content.questions]
    for k, pick in enumerate(COMMANDS):
        qid = qids[k % len(qids)]
        yield (qid, pick.intent, *checked(matcher, pick, qid))
    for pick in LOCATION:
        yield ("location", pick.intent, *checked(matcher, pick, "location"))


def spoken_clips(clips: Path, matcher: Interpreter) -> Iterator[Row]:
    """Speak every answer and out-of-grammar word in its voices; add the noisy copies."""
    yes_no = [q.id for q in matcher.content.questions if q.kind == "yes_no"]
    items = list(answer_texts(matcher))
    items += [(yes_no[k % len(yes_no)], "", w, "") for k, w in enumerate(OUT_OF_GRAMMAR_WORDS)]
    for k, (qid, intent, text, slots) in enumerate(items):
        for j in range(COMBOS_PER_TEXT):
            voice, speed = COMBOS[(COMBOS_PER_TEXT * k + j) % len(COMBOS)]
            stem = f"{qid}_{intent or 'none'}_{slug(text)}_{voice_tag(voice)}_{speed}"
            clean = clips / f"{stem}_clean.wav"
            speak(text, voice, speed, clean)
            base = Row(f"clips/{clean.name}", text, qid, intent, slots, voice, str(speed),
                       "clean", "")  # fmt: skip
            yield base
            speech = read_pcm(clean)
            for snr in SNRS:
                colour = ("white", "pink")[zlib.crc32(f"{stem}:{snr}".encode()) % 2]
                noisy = clips / f"{stem}_{snr}db.wav"
                write_pcm(noisy, mix(speech, snr, colour, noisy.name))
                yield Row(f"clips/{noisy.name}", text, qid, intent, slots, voice, str(speed),
                          str(snr), colour)  # fmt: skip


def sound_clips(clips: Path, matcher: Interpreter) -> Iterator[Row]:
    """A cough-like burst, silence and loud noise: no answer at all."""
    yes_no = [q.id for q in matcher.content.questions if q.kind == "yes_no"]
    sounds = {
        "cough": lambda p: sox_synth(p, *COUGH_EFFECTS),
        "silence": lambda p: write_pcm(p, array("h", bytes(2 * RATE))),
        "loud_noise": lambda p: sox_synth(p, "synth", "1.0", "whitenoise", "vol", "0.6"),
    }
    for k, (name, make) in enumerate(sounds.items()):
        for qid in (yes_no[0], yes_no[(k + 1) % len(yes_no)]):
            path = clips / f"{qid}_none_{name}.wav"
            make(path)
            yield Row(f"clips/{path.name}", f"({name.replace('_', ' ')})", qid, "", "", "sox",
                      "", "clean", "")  # fmt: skip


COUGH_EFFECTS = (
    "synth", "0.3", "pinknoise", "band", "900", "700", "fade", "q", "0.01", "0.3", "0.22",
    "gain", "-n", "-3", "pad", "0.2", "0.12", "repeat", "1", "pad", "0", "0.2",
)  # fmt: skip
"""Two short band-passed noise bursts with a sharp attack and a long decay."""


def sessions(folder: Path, content: Content) -> None:
    """One folder per conversation: 01.wav ... in order, and expected.json."""
    voice, speed = SESSION_VOICE
    for name, (disposition, answers) in SESSIONS.items():
        out = folder / name
        out.mkdir(parents=True)
        texts = []
        for i, answer in enumerate(answers, start=1):
            path = out / f"{i:02d}.wav"
            if answer == COUGH:
                sox_synth(path, *COUGH_EFFECTS)
                texts.append(COUGH)
            else:
                assert isinstance(answer, Pick)
                text = text_of(content, answer)
                speak(text, voice, speed, path)
                texts.append(text)
        expected = {"disposition": disposition, "answers": texts, "voice": voice, "speed": speed}
        (out / "expected.json").write_text(json.dumps(expected, indent=2) + "\n", encoding="utf-8")


def generate(root: Path) -> int:
    """Rewrite clips/, sessions/ and manifest.csv under `root`; return the number of clips."""
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed (apt-get install {tool})")
    content = load()
    matcher = Interpreter(content)
    clips, folder = root / "clips", root / "sessions"
    for old in (clips, folder):
        shutil.rmtree(old, ignore_errors=True)
    clips.mkdir(parents=True)
    rows = [*spoken_clips(clips, matcher), *sound_clips(clips, matcher)]
    sessions(folder, content)
    with (root / "manifest.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(FIELDS)
        writer.writerows([getattr(row, name) for name in FIELDS] for row in rows)
    return len(rows)


def list_expansions(group: str, intent: str) -> None:
    """Print every template of a group's intent with its expansions and their indexes."""
    content = load()
    for t, template in enumerate(templates(content, group, intent)):
        print(f"template {t}: {template}")
        for i, phrase in enumerate(expansions(content, template)):
            print(f"  {t},{i}: {phrase}")


def main() -> None:
    """Command line: generate everything, or --list a group's expansions."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", nargs=2, metavar=("GROUP", "INTENT"),
                        help="print expansions with indexes (GROUP: a question id, answers, "
                        "commands or location)")  # fmt: skip
    args = parser.parse_args()
    if args.list:
        list_expansions(*args.list)
        return
    count = generate(ROOT)
    print(f"wrote {count} clips, {len(SESSIONS)} sessions and manifest.csv in {ROOT}")


if __name__ == "__main__":
    main()
