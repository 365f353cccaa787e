"""Generate the held-out voice fixtures: answers.yaml spoken by synthesisers other than espeak.

Run from the project folder (needs the generator's programs, not the tests)::

    .venv/bin/python audio_fixtures/heldout/generate.py

Needs `sox`, `flac`, `flite`, `festival` (text2wave) with the festvox voices kallpc16k,
rablpc16k, don and us-slt-hts, `pico2wave` (libttspico-utils, Debian non-free) and mbrola with its
us1, us2, us3 and en1 voices (driven by espeak-ng's mb-* voices; Debian contrib and non-free).
The tests only read the committed FLAC files: none of these programs is needed to run them.

Each answer in answers.yaml is spoken by two voices of two different families (VOICES, rotated),
trimmed, peak-normalised and padded exactly as audio_fixtures/generate.py does for the espeak dev
set, with the same quiet-room noise floor 40 dB below the speech for "clean", and then with white or
pink noise at 20 dB and 10 dB SNR (seeded from the file name). Plus NOISES: sounds that are no
answer at all. Everything is written as 16 kHz mono 16-bit FLAC, with manifest.csv.

These clips are a held-out measure: nothing is ever tuned on them.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import shutil
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("dev_generate", HERE.parent / "generate.py")
if _spec is None or _spec.loader is None:
    sys.exit(f"cannot load {HERE.parent / 'generate.py'}")
dev = importlib.util.module_from_spec(_spec)
sys.modules["dev_generate"] = dev
_spec.loader.exec_module(dev)

Synth = Callable[[str, Path], None]


def _flite(voice: str) -> Synth:
    return lambda text, out: dev.run("flite", "-voice", voice, "-t", text, "-o", str(out))


def _festival(voice: str) -> Synth:
    def synth(text: str, out: Path) -> None:
        done = subprocess.run(
            ["text2wave", "-eval", f"(voice_{voice})", "-o", str(out)],
            input=text, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0 or not out.is_file():
            sys.exit(f"text2wave {voice} failed: {done.stderr.strip()}")

    return synth


def _pico(lang: str) -> Synth:
    return lambda text, out: dev.run("pico2wave", "-l", lang, "-w", str(out), text)


def _mbrola(voice: str) -> Synth:
    return lambda text, out: dev.run("espeak-ng", "-v", f"mb-{voice}", "-w", str(out), text)


VOICES: tuple[tuple[str, str, Synth], ...] = (
    ("flite", "kal16", _flite("kal16")),
    ("festival", "kal_diphone", _festival("kal_diphone")),
    ("pico", "en-US", _pico("en-US")),
    ("mbrola", "us1", _mbrola("us1")),
    ("flite", "awb", _flite("awb")),
    ("festival", "rab_diphone", _festival("rab_diphone")),
    ("pico", "en-GB", _pico("en-GB")),
    ("mbrola", "us2", _mbrola("us2")),
    ("flite", "rms", _flite("rms")),
    ("festival", "don_diphone", _festival("don_diphone")),
    ("mbrola", "us3", _mbrola("us3")),
    ("flite", "slt", _flite("slt")),
    ("festival", "cmu_us_slt_arctic_hts", _festival("cmu_us_slt_arctic_hts")),
    ("mbrola", "en1", _mbrola("en1")),
)
"""Four families, 14 voices, interleaved so that answer k's voices k and k+5 (mod 14) are always
of two different families."""
SECOND = 5

NOISES: dict[str, tuple[str, ...]] = {
    "cough": (
        "synth", "0.25", "brownnoise", "band", "600", "500", "fade", "q", "0.005", "0.25", "0.2",
        "gain", "-n", "-4", "pad", "0.2", "0.3", "repeat", "2", "pad", "0", "0.2",
    ),
    "clatter": (
        "synth", "0.04", "whitenoise", "fade", "q", "0.001", "0.04", "0.035", "gain", "-n", "-2",
        "pad", "0", "0.17", "repeat", "7", "pad", "0.2", "0.2",
    ),
    "hum": ("synth", "1.5", "sine", "100", "sine", "150", "gain", "-n", "-12"),
    "breath": (
        "synth", "0.9", "pinknoise", "highpass", "1200", "fade", "t", "0.3", "0.9", "0.5",
        "gain", "-n", "-15", "pad", "0.3", "0.3",
    ),
    "traffic": ("synth", "2", "brownnoise", "lowpass", "400", "gain", "-n", "-6"),
    "silence": ("synth", "1.5", "whitenoise", "gain", "-n", "-60"),
}  # fmt: skip
"""Sounds that are no answer, each heard under two questions: none may be taken as anything."""

FIELDS = ("file", "question", "say", "means", "places", "term", "also", "voice", "family",
          "snr", "noise")  # fmt: skip


def slug(text: str) -> str:
    """A short file-name part for a phrase."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-")[:28]


def to_flac(samples: object, out: Path) -> None:
    """Write 16-bit mono samples at 16 kHz as FLAC."""
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "x.wav"
        dev.write_pcm(wav, samples)
        dev.run("sox", str(wav), "-C", "8", str(out))


def speak(synth: Synth, text: str, out_wav: Path) -> None:
    """Synthesise, then 16 kHz mono, trimmed, -3 dB peak, padded, quiet-room floor (as dev)."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.wav"
        synth(text, raw)
        trim = ("silence", "1", "0.02", "0.5%")
        dev.run(
            "sox", "-D", str(raw), "-r", str(dev.RATE), "-c", "1", "-b", "16", "-e",
            "signed-integer", str(out_wav), *trim, "reverse", *trim, "reverse",
            "gain", "-n", "-3", "pad", str(dev.PAD), str(dev.PAD),
        )  # fmt: skip
    floor = dev.mix(dev.read_pcm(out_wav), dev.FLOOR_DB, "pink", f"floor:{out_wav.name}")
    dev.write_pcm(out_wav, floor)


def spoken(out: Path, answers: list[dict[str, object]]) -> Iterator[dict[str, str]]:
    """Every answer in its two voices, clean, 20 dB and 10 dB."""
    for k, a in enumerate(answers):
        for j in (k % len(VOICES), (k + SECOND) % len(VOICES)):
            family, voice, synth = VOICES[j]
            stem = f"{a['q']}_{slug(str(a['say']))}_{family}-{voice.replace('_', '-')}"
            base = {
                "question": str(a["q"]), "say": str(a["say"]), "means": str(a["means"]),
                "places": "+".join(a.get("places", [])), "term": str(a.get("term", "")),  # type: ignore[arg-type]
                "also": "+".join(a.get("also", [])), "voice": voice, "family": family,  # type: ignore[arg-type]
            }  # fmt: skip
            with tempfile.TemporaryDirectory() as tmp:
                wav = Path(tmp) / "clean.wav"
                speak(synth, str(a["say"]), wav)
                speech = dev.read_pcm(wav)
            to_flac(speech, out / f"{stem}_clean.flac")
            yield {**base, "file": f"{stem}_clean.flac", "snr": "clean", "noise": ""}
            for snr in dev.SNRS:
                colour = ("white", "pink")[zlib.crc32(f"{stem}:{snr}".encode()) % 2]
                name = f"{stem}_{snr}db.flac"
                to_flac(dev.mix(speech, snr, colour, f"heldout:{name}"), out / name)
                yield {**base, "file": name, "snr": str(snr), "noise": colour}


def sounds(out: Path, questions: list[str]) -> Iterator[dict[str, str]]:
    """Each sound in NOISES under two questions."""
    for k, (name, effects) in enumerate(NOISES.items()):
        with tempfile.TemporaryDirectory() as tmp:
            wav = Path(tmp) / "s.wav"
            dev.run("sox", "-R", "-D", "-n", "-r", str(dev.RATE), "-c", "1", "-b", "16",
                    str(wav), *effects)  # fmt: skip
            samples = dev.read_pcm(wav)
        for qid in (questions[k % len(questions)], questions[(k + 3) % len(questions)]):
            file = f"{qid}_noise-{name}.flac"
            to_flac(samples, out / file)
            yield {"file": file, "question": qid, "say": f"({name})", "means": "null",
                   "places": "", "term": "", "also": "", "voice": "sox", "family": "noise",
                   "snr": "clean", "noise": name}  # fmt: skip


def main() -> None:
    """Rewrite clips/ and manifest.csv next to this file."""
    tools = ("sox", "flite", "text2wave", "pico2wave", "mbrola", "espeak-ng")
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        sys.exit(f"missing programs: {' '.join(missing)} (see this script's docstring)")
    data = yaml.safe_load((HERE / "answers.yaml").read_text(encoding="utf-8"))
    answers: list[dict[str, object]] = data["answers"]
    clips = HERE / "clips"
    shutil.rmtree(clips, ignore_errors=True)
    clips.mkdir()
    yes_no = ["bladder", "saddle", "both_legs", "weakness", "serious", "severity", "numbness"]
    rows = [*spoken(clips, answers), *sounds(clips, yes_no)]
    with (HERE / "manifest.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({**r, "file": f"clips/{r['file']}"} for r in rows)
    print(f"wrote {len(rows)} clips and manifest.csv in {HERE}")


if __name__ == "__main__":
    main()
