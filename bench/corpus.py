"""The benchmark's audio: fixture clips, real human yes/no recordings and whole-session folders."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "audio_fixtures"
REAL = ROOT.parent / "shared" / "real_speech"
HELDOUT = FIXTURES / "heldout"
REAL_QUESTION = "bladder"
"""The real yes/no recordings are heard as answers to this warning-sign question."""


@dataclass(frozen=True)
class Clip:
    """One recorded answer and what it should come out as."""

    path: Path
    question: str
    intent: str  # "" = out of grammar: must not match anything
    slots: str  # as the manifest writes them: "places=legs+feet", "term=sciatica"
    source: str  # "fixture" or "real"
    voice: str  # espeak voice, or the real recording's speaker id
    snr: str  # "clean", "20", "10" (real recordings: "real")
    family: str = "espeak"  # the synthesiser family (held-out), "espeak" (dev), "human", "noise"
    text: str = ""  # what was said


@dataclass(frozen=True)
class SessionCase:
    """A folder of answers replayed as one conversation, with the disposition it must reach."""

    name: str
    folder: Path
    disposition: str
    answers: int


def fixture_clips() -> list[Clip]:
    """Every clip in audio_fixtures/manifest.csv, in manifest order."""
    with (FIXTURES / "manifest.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [
        Clip(
            FIXTURES / r["file"],
            r["question"],
            r["expected_intent"],
            r["slots"],
            "fixture",
            r["voice"] or r["noise"] or "sound",
            r["snr"] or "clean",
            "espeak" if r["voice"].startswith("en-") else "noise",
            r["text"],
        )
        for r in rows
    ]


def real_clips() -> list[Clip]:
    """The human yes/ and no/ recordings of ../shared/real_speech, or [] when absent."""
    manifest = REAL / "MANIFEST.csv"
    if not manifest.is_file():
        return []
    with manifest.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out: list[Clip] = []
    for r in rows:
        word, name = r["path"].split("/", 1)
        path = REAL / r["path"]
        if word in ("yes", "no") and path.is_file():
            speaker = name.split("_")[1] if name.startswith("sc_") else name.split(".")[0]
            out.append(Clip(path, REAL_QUESTION, word, "", "real", speaker, "real", "human", word))
    return out


def heldout_clips() -> list[Clip]:
    """audio_fixtures/heldout/manifest.csv: other synthesisers' voices. Never tune on these.

    Slots are judged where the dialog uses them: the places of a location answer and the term
    of an explanation ("null" answers and noise expect nothing at all).
    """
    manifest = HELDOUT / "manifest.csv"
    if not manifest.is_file():
        return []
    with manifest.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out: list[Clip] = []
    for r in rows:
        intent = "" if r["means"] == "null" else r["means"]
        slots = ""
        if intent == "location":
            slots = f"places={r['places']}"
        elif intent == "explain":
            slots = f"term={r['term']}"
        out.append(
            Clip(HELDOUT / r["file"], r["question"], intent, slots, "heldout",
                 r["voice"], r["snr"], r["family"], r["say"])
        )  # fmt: skip
    return out


def sessions() -> list[SessionCase]:
    """Every audio_fixtures/sessions/<name>/ with an expected.json."""
    out: list[SessionCase] = []
    for folder in sorted((FIXTURES / "sessions").glob("*")):
        spec = folder / "expected.json"
        if spec.is_file():
            data: dict[str, Any] = json.loads(spec.read_text(encoding="utf-8"))
            out.append(SessionCase(folder.name, folder, data["disposition"], len(data["answers"])))
    return out
