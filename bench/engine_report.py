"""Tables of bench/engines.py's results: accuracy by set, noise and voice family; safety; speed."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

SETS = (("fixture", "dev: espeak fixtures"), ("heldout", "held-out voices"), ("real", "human"))
SNRS = ("clean", "20", "10")
PI_SOURCES = (
    "Raspberry Pi 400 (the Pi 4's SoC at 1.8 GHz), CTranslate2 Whisper tiny, 4 threads: 3.2 s "
    "for a 3.6 s file and 3.9 s for an 11 s one (fquirin, SYSTRAN/faster-whisper issue #38, "
    "2023-03-10; https://github.com/SYSTRAN/faster-whisper/issues/38)",
    "whisper.cpp tiny.en on a Raspberry Pi 4 (2 GB), 4 threads, NEON: encoder 9.5 s, load 0.74 s "
    "(j1nx, ggml-org/whisper.cpp issue #89, 2022-12-13; "
    "https://github.com/ggml-org/whisper.cpp/issues/89): the older runtime, for scale",
    "Raspberry Pi 5: two to three times the CPU performance of a Pi 4 (Raspberry Pi's "
    "announcement, as reported by ZDNet, 2023-09-28: https://www.zdnet.com/article/"
    "the-raspberry-pi-5-is-here-and-it-comes-with-some-huge-improvements/)",
)


def pct(ok: Sequence[bool]) -> str:
    """ "93.1 % (95/102)", or "-" for none."""
    if not ok:
        return "-"
    return f"{100 * sum(ok) / len(ok):.1f} % ({sum(ok)}/{len(ok)})"


def table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def answers(rows: list[dict[str, Any]], source: str) -> list[dict[str, Any]]:
    """The rows of one set that expect an answer or a command (not noise or unrelated speech)."""
    return [r for r in rows if r["source"] == source and r["expected"]]


def swaps(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A yes heard as a no, or a no heard as a yes."""
    return [r for r in rows if {r["expected"], r["intent"]} == {"yes", "no"}]


def nonanswers_taken(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """Noise and unrelated speech taken as a yes or a no, and how many such clips there were."""
    none = [r for r in rows if not r["expected"]]
    return [r for r in none if r["intent"] in ("yes", "no")], len(none)


def ms_stats(rows: list[dict[str, Any]]) -> tuple[str, str]:
    """Median and 95th percentile of the decode times, in ms."""
    values = sorted(r["ms"] for r in rows if r.get("ms") is not None)
    if not values:
        return "-", "-"
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return f"{statistics.median(values):.0f}", f"{p95:.0f}"


def markdown(report: dict[str, Any]) -> str:
    """The whole comparison as Markdown."""
    engines = {k: v for k, v in report["engines"].items() if "rows" in v}
    out = [f"# Engines side by side ({report['date']}, every {report['every']} clip(s))", ""]
    for name, value in report["engines"].items():
        if "error" in value:
            out.append(f"- {name}: FAILED: {value['error'][-200:]}")
    out += accuracy_tables(engines) + safety_and_speed(engines) + misheard(engines)
    out += ["", "## Raspberry Pi estimate for Whisper tiny.en (from published figures)", ""]
    out += [f"- {s}" for s in PI_SOURCES]
    out.append(PI_ESTIMATE)
    return "\n".join(out) + "\n"


PI_ESTIMATE = (
    "- Whisper encodes a fixed window whatever the answer's length (faster-whisper: 30 s; our "
    "adapter: 20 s when the answer fits), so an answer costs about as much as the short file "
    "above with 30 s: about 3 s on a Pi 4 with 4 threads, and about 1-1.5 s on a Pi 5; about a "
    "third less with 20 s. PocketSphinx's grammar decode scales with the answer instead."
)


def accuracy_tables(engines: dict[str, Any]) -> list[str]:
    """Accuracy per engine, set and noise; then the held-out voices per family."""
    out = ["", "## Answers right (intent, and places or term where the dialog uses them)", ""]
    header = ["engine", "set", *(s if s == "clean" else f"{s} dB" for s in SNRS)]
    rows = []
    for name, value in engines.items():
        for source, label in SETS:
            got = answers(value["rows"], source)
            if not got:
                continue
            if source == "real":
                rows.append([name, label, pct([r["ok"] for r in got]), "", ""])
                continue
            rows.append(
                [name, label] + [pct([r["ok"] for r in got if r["snr"] == s]) for s in SNRS]
            )
    out += table(header, rows)
    out += ["", "## Held-out voices by family", ""]
    rows = []
    for name, value in engines.items():
        fams: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in answers(value["rows"], "heldout"):
            fams[r["family"]].append(r)
        for fam in sorted(fams):
            rows.append(
                [name, fam] + [pct([r["ok"] for r in fams[fam] if r["snr"] == s]) for s in SNRS]
            )
    return out + table(["engine", "family", "clean", "20 dB", "10 dB"], rows)


def safety_and_speed(engines: dict[str, Any]) -> list[str]:
    """Swaps and non-answers taken as answers; time, load and memory."""
    out = ["", "## Safety", ""]
    rows = []
    for name, value in engines.items():
        for source, label in SETS:
            got = [r for r in value["rows"] if r["source"] == source]
            if not got:
                continue
            taken, total = nonanswers_taken(got)
            rows.append([name, label, len(swaps(got)), f"{len(taken)}/{total}" if total else "-"])
    out += table(["engine", "set", "yes/no swaps", "noise or unrelated speech taken as yes/no"],
                 rows)  # fmt: skip
    out += ["", "## Speed and memory (each engine in its own process)", ""]
    rows = []
    for name, value in engines.items():
        med, p95 = ms_stats(value["rows"])
        load = f"{value['load_s']:.2f} s" if not name.startswith("naive") else "every call"
        peak = f"{value['peak_mb']:.0f} MB" if value.get("peak_mb") else "-"
        rows.append([name, med, p95, load, peak, len(value["rows"])])
    return out + table(["engine", "median ms / answer", "95th pct ms", "load", "peak RSS",
                        "clips"], rows)  # fmt: skip


def misheard(engines: dict[str, Any]) -> list[str]:
    """Our engines' misses on the held-out voices, clean and 20 dB."""
    out = ["", "## Misheard (held-out, 10 dB excluded)", ""]
    for name, value in engines.items():
        if name.startswith("naive"):
            continue
        bad = [r for r in answers(value["rows"], "heldout") if not r["ok"] and r["snr"] != "10"]
        out.append(f"- {name}: {len(bad)}")
        out += [
            f"  - {r['question']} {r['family']}/{r['voice']} {r['snr']}: said {r['text']!r}, "
            f"heard {r['heard']!r} -> {r['intent'] or 'nothing'} (expected {r['expected']})"
            for r in bad[:40]
        ]
    return out
