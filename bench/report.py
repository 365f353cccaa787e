"""The benchmark's Markdown tables (targets first) and the Raspberry Pi 4 estimate."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

SNRS = ("clean", "20", "10")
SNR_NAMES = {"clean": "clean", "20": "20 dB", "10": "10 dB", "real": "human yes/no"}

PI_SOURCES = {
    "picovoice": (
        "Picovoice wake-word-benchmark README, 'Runtime' (Raspberry Pi 3): PocketSphinx real-time "
        "factor 0.32, 31.75 % average CPU (keyword spotting through its command-line program, an "
        "upper bound) - https://github.com/Picovoice/wake-word-benchmark"
    ),
    "schollz": (
        "schollz, 'Speech-to-text on Raspberry Pi using Pocketsphinx' (2016): a limited "
        "dictionary, ~2 s of audio: ~0.1 s on an Intel i5-4310U, ~1.4 s on a Raspberry Pi 2 "
        "(14x) - https://github.com/schollz/rpiai.com.old/blob/master/_posts/"
        "2016-01-08-pocketsphinx.md"
    ),
    "vosk_models": (
        "Vosk model list (alphacephei.com/vosk/models): a small model is about 50 MB and needs "
        "about 300 MB of memory at run time; small models run on Raspberry Pi"
    ),
    "vosk_326": (
        "vosk-api issue #326 'Raspberry Pi 3/4 slower than realtime' and #1645 ('[Pi 3 A+] works "
        "somewhat but not very fast. Consider RPI4') - https://github.com/alphacep/vosk-api/issues/326"
    ),
}
PI_SLOWDOWN = (5.0, 14.0)
"""Assumed range of (Pi 4 time) / (this machine's time) for the same single-threaded decode.

14x is the i5 -> Pi 2 ratio published by schollz (a Pi 4's Cortex-A72 is faster than a Pi 2's
A7, so this is pessimistic); 5x is an optimistic guess for a Pi 4 against a current x86 core.
"""


def pct(right: int, total: int) -> str:
    """'97.2 % (175/180)', or 'n/a' for nothing measured."""
    if total == 0:
        return "n/a"
    return f"{100 * right / total:.1f} % ({right}/{total})"


def ms(value: float | None) -> str:
    """Milliseconds for a table cell."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms"


def table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    """A Markdown table."""
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


def holds(ok: bool | None) -> str:
    """Yes / NO / not measured."""
    if ok is None:
        return "not measured"
    return "yes" if ok else "**NO**"


def targets(r: dict[str, Any]) -> list[tuple[str, str, str, bool | None]]:
    """(what, target, measured, holds) for every target of issue 6."""
    acc = r["accuracy"]["sphinx"]
    lat = r["latency"]
    rows: list[tuple[str, str, str, bool | None]] = []
    for key, name, floor in (
        ("clean", "intent accuracy, clean", 0.97),
        ("10", "intent accuracy, 10 dB SNR", 0.90),
        ("real", "intent accuracy, human yes/no", 0.95),
    ):
        cell = acc.get(key, {"right": 0, "total": 0})
        share = cell["right"] / cell["total"] if cell["total"] else None
        rows.append(
            (
                name,
                f">= {floor:.0%}",
                pct(cell["right"], cell["total"]),
                None if share is None else share >= floor,
            )
        )
    median = lat["ours"]["median_ms"]
    rows.append(("median decode per answer", "<= 30 ms", ms(median), median <= 30))
    ratio = lat.get("ratio")
    rows.append(
        (
            "faster than the naive way (median)",
            ">= 20x",
            "n/a" if ratio is None else f"{ratio:.0f}x",
            None if ratio is None else ratio >= 20,
        )
    )
    start = r["startup"].get("sphinx", {}).get("first_sound_median_s")
    rows.append(
        (
            "process start to first spoken word",
            "<= 1.5 s",
            "n/a" if start is None else f"{start:.2f} s",
            None if start is None else start <= 1.5,
        )
    )
    rss = r["memory"].get("sphinx")
    rows.append(
        (
            "peak resident memory, whole session",
            "<= 150 MB",
            "n/a" if rss is None else f"{rss:.0f} MB",
            None if rss is None else rss <= 150,
        )
    )
    return rows


def markdown(r: dict[str, Any]) -> str:
    """The whole report."""
    out = [
        "# Benchmark: back-assistant",
        "",
        f"{r['machine']} - {r['date']} - whole run {r['run_seconds']:.0f} s.",
        "",
        "## Targets",
        "",
        *table(
            ("what", "target", "measured", "holds?"),
            ((a, b, c, holds(d)) for a, b, c, d in targets(r)),
        ),
        "",
        "## 1. Intent accuracy",
        "",
        "Each clip heard through `ReplayListener` (the microphone's capture path), decoded under "
        "its question's grammar and read by the interpreter; "
        "right = the manifest's intent and slots. "
        "Out-of-grammar clips (cough, noise, 'banana', silence) are right when nothing matches. "
        "Naive = `recognize_sphinx` with no grammar, then keyword tests on the transcript "
        "(intent only).",
        "",
    ]
    cols = [*SNRS, "real", "ood"]
    names = [*(SNR_NAMES[c] for c in SNRS), "human yes/no", "out of grammar"]
    rows = []
    for engine, cells in r["accuracy"].items():
        rows.append(
            [engine]
            + [pct(cells[c]["right"], cells[c]["total"]) if c in cells else "n/a" for c in cols]
        )
    out += table(["engine", *names], rows)
    out += ["", "PocketSphinx by voice:", ""]
    out += table(
        ["voice", *(SNR_NAMES[s] for s in SNRS)],
        (
            [voice] + [pct(*by_snr.get(s, (0, 0))) for s in SNRS]
            for voice, by_snr in r["by_voice"].items()
        ),
    )
    out += [
        "",
        "Whole sessions replayed (`back-assistant --engine sphinx --replay DIR --mute`):",
        "",
    ]
    out += table(
        ("session", "expected", "reached", "right", "turns / answers", "seconds", "peak RSS"),
        (
            (
                s["session"],
                s["expected"],
                s["disposition"],
                holds(s["right"]),
                f"{s['turns']} / {s['answers_given']}",
                f"{s['seconds']:.1f}",
                f"{s['max_rss_mb']:.0f} MB",
            )
            for s in r["sessions"]
        ),
    )
    lat = r["latency"]
    out += [
        "",
        "## 2. Latency per answer",
        "",
        "Wall time of `recognize()` on the captured answer (16 kHz PCM), the same answers both "
        "ways; the naive way rebuilds its decoder on every call.",
        "",
    ]
    out += table(
        ("way", "answers", "median", "95th percentile", "mean"),
        (
            (name, v["n"], ms(v["median_ms"]), ms(v["p95_ms"]), ms(v["mean_ms"]))
            for name, v in (("ours (PocketSphinx adapter)", lat["ours"]), ("naive", lat["naive"]))
        ),
    )
    ratio = lat.get("ratio")
    out += ["", f"Naive / ours (medians): {'n/a' if ratio is None else f'{ratio:.0f}x'}.", ""]
    live = r.get("live", {})
    out += [
        "Live (virtual microphone, end of speech to first sound of the reply): "
        + live.get("text", "not measured"),
        "",
    ]
    out += ["## 3. Start-up", "", r["startup_note"], ""]
    out += table(
        ("engine", "first caption (median)", "first sound (median)", "runs"),
        (
            (
                e,
                _s(v.get("first_caption_median_s")),
                _s(v.get("first_sound_median_s")),
                v.get("error") or ", ".join(_s(x.get("first_sound_s")) for x in v.get("runs", [])),
            )
            for e, v in r["startup"].items()
        ),
    )
    out += ["", "## 4. Memory", "", r["memory_note"], ""]
    out += table(
        ("engine", "peak RSS"),
        ((e, "n/a" if v is None else f"{v:.0f} MB") for e, v in r["memory"].items()),
    )
    out += ["", "## 5. Grammar size (PocketSphinx adapter)", "", r["scaling_note"], ""]
    out += table(
        ("phrases", "first call (builds grammar)", "median", "95th pct", "right", "peak RSS"),
        (
            (
                s["phrases"],
                ms(s.get("first_call_ms")),
                ms(s.get("median_ms")),
                ms(s.get("p95_ms")),
                f"{s.get('right', 0)}/{s.get('n', 0)}",
                f"{s.get('max_rss_mb', float('nan')):.0f} MB",
            )
            for s in r["scaling"]
        ),
    )
    out += ["", "## Raspberry Pi 4: what to expect (estimate, not measured)", ""]
    out += r["pi"]["lines"]
    out += ["", "Sources:", ""] + [f"- {s}" for s in PI_SOURCES.values()]
    if r["failures"]:
        out += ["", "## Clips PocketSphinx got wrong", ""]
        out += [f"- {f}" for f in r["failures"]]
    return "\n".join(out) + "\n"


def _s(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} s"


def pi_estimate(median_ms: float, audio_s: float, startup_s: float | None) -> dict[str, Any]:
    """Scale this machine's decode and start-up by the assumed Pi 4 slowdown range."""
    low, high = PI_SLOWDOWN
    rtf = median_ms / 1000 / audio_s if audio_s else float("nan")
    lines = [
        f"- Decode per answer: {ms(median_ms * low)} to {ms(median_ms * high)} (this machine "
        f"{ms(median_ms)}, real-time factor {rtf:.3f} on answers of {audio_s:.1f} s median; "
        f"scaled by {low:.0f}-{high:.0f}x). Published: PocketSphinx's real-time factor on a Pi 3 "
        "is 0.32 for keyword spotting; a grammar of a few hundred phrases is lighter, so a Pi 4 "
        "should answer well inside a second after the person stops.",
    ]
    if startup_s is not None:
        lines.append(
            f"- Start-up to the first spoken word: about {startup_s * low / 2:.1f} to "
            f"{startup_s * high / 2:.1f} s (this machine {startup_s:.2f} s; Python start-up and "
            "reading the model from an SD card dominate, so half the compute slowdown is assumed)."
        )
    lines.append(
        "- Memory does not depend on the CPU: expect the same peak RSS as here for PocketSphinx. "
        "Vosk's small English model needs about 300 MB (published) and is reported slower than "
        "real time on some Pi 3/4 set-ups: prefer PocketSphinx on a Pi with 1-2 GB."
    )
    return {"rtf_here": rtf, "slowdown": PI_SLOWDOWN, "lines": lines}
