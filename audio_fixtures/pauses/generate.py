"""Generate the pause fixtures: answers.yaml spoken with the written pauses inside them.

Run from the project folder (needs the held-out generator's programs, not the tests)::

    .venv/bin/python audio_fixtures/pauses/generate.py

Each answer is spoken by two voices: one espeak voice (the dev family, slowed down as an older
speaker may be) and one of the held-out families (flite, festival, pico, mbrola; rotated). Each
part between two " | " marks is synthesised on its own and trimmed; the parts are joined with
exactly the written pause of silence, peak-normalised, padded (0.2 s before, 0.6 s after) and
given the same quiet-room noise floor as the other fixtures. Written as 16 kHz mono FLAC, with
manifest.csv saying where each part's speech starts and ends.

answers.yaml was written by a separate writer who had not seen the end-of-answer rules; nothing
is tuned on these clips.
"""

from __future__ import annotations

import csv
import importlib.util
import shutil
import sys
import tempfile
from array import array
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent


def _load(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        sys.exit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


heldout = _load("heldout_generate", HERE.parent / "heldout" / "generate.py")
dev = heldout.dev
ESPEAK = (("espeak", "en-us+m3", 125), ("espeak", "en-us+f2", 135), ("espeak", "en-us+m1", 130))
"""The dev family's voices, a little slower than the default 150 words a minute."""
LEAD, TAIL = 0.2, 0.6
MEANS = {True: "yes", False: "no"}
"""YAML 1.1 reads a bare yes/no as a boolean."""
FIELDS = ("file", "question", "say", "means", "places", "complete_first", "pauses", "parts_s",
          "voice", "family")  # fmt: skip


def _espeak(voice: str, speed: int) -> Any:
    return lambda text, out: dev.run("espeak-ng", "-v", voice, "-s", str(speed), "-w", str(out),
                                     text)  # fmt: skip


def part_samples(synth: Any, text: str) -> array[int]:
    """One part, synthesised, 16 kHz mono, silence trimmed at both ends."""
    with tempfile.TemporaryDirectory() as tmp:
        raw, out = Path(tmp) / "raw.wav", Path(tmp) / "part.wav"
        synth(text, raw)
        trim = ("silence", "1", "0.02", "0.5%")
        dev.run("sox", "-D", str(raw), "-r", str(dev.RATE), "-c", "1", "-b", "16", "-e",
                "signed-integer", str(out), *trim, "reverse", *trim, "reverse")  # fmt: skip
        return array("h", dev.read_pcm(out))


def spoken(synth: Any, parts: list[str], pauses: list[float]) -> tuple[array[int], list[float]]:
    """The parts joined by the pauses; the samples and each part's (start, end) in seconds."""
    rate = dev.RATE
    samples = array("h", [0] * int(LEAD * rate))
    times: list[float] = []
    for k, text in enumerate(parts):
        if k:
            samples.extend([0] * int(pauses[k - 1] * rate))
        times.append(len(samples) / rate)
        samples.extend(part_samples(synth, text))
        times.append(len(samples) / rate)
    samples.extend([0] * int(TAIL * rate))
    with tempfile.TemporaryDirectory() as tmp:
        joined, loud = Path(tmp) / "joined.wav", Path(tmp) / "loud.wav"
        dev.write_pcm(joined, samples)
        dev.run("sox", str(joined), str(loud), "gain", "-n", "-3")
        level = dev.read_pcm(loud)
    return dev.mix(level, dev.FLOOR_DB, "pink", f"floor:{len(samples)}"), times


def main() -> None:
    """Rewrite clips/ and manifest.csv next to this file."""
    tools = ("sox", "flite", "text2wave", "pico2wave", "mbrola", "espeak-ng")
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        sys.exit(f"missing programs: {' '.join(missing)} (see heldout/generate.py)")
    answers = yaml.safe_load((HERE / "answers.yaml").read_text(encoding="utf-8"))["answers"]
    clips = HERE / "clips"
    shutil.rmtree(clips, ignore_errors=True)
    clips.mkdir()
    rows = []
    for k, a in enumerate(answers):
        parts = [p.strip() for p in str(a["say"]).split("|")]
        if len(parts) != len(a["pauses"]) + 1:
            sys.exit(f"answer {k}: {len(parts) - 1} pause marks but {len(a['pauses'])} lengths")
        family, voice, synth = heldout.VOICES[k % len(heldout.VOICES)]
        _, e_voice, speed = ESPEAK[k % len(ESPEAK)]
        for fam, name, make in (
            (family, voice, synth),
            ("espeak", e_voice, _espeak(e_voice, speed)),
        ):
            samples, times = spoken(make, parts, list(a["pauses"]))
            stem = (
                f"{k:02d}_{a['q']}_{heldout.slug(' '.join(parts))}_{fam}-{name.replace('_', '-')}"
            )
            heldout.to_flac(samples, clips / f"{stem}.flac")
            rows.append({
                "file": f"clips/{stem}.flac", "question": a["q"], "say": " ".join(parts),
                "means": MEANS.get(a["means"], a["means"]), "places": "+".join(a.get("places", [])),
                "complete_first": str(bool(a.get("complete_first", False))).lower(),
                "pauses": "+".join(str(p) for p in a["pauses"]),
                "parts_s": "+".join(f"{t:.3f}" for t in times), "voice": name, "family": fam,
            })  # fmt: skip
    with (HERE / "manifest.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} clips and manifest.csv in {HERE}")


if __name__ == "__main__":
    main()
