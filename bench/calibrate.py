"""How often a heard "no" to a warning sign was really something else, by confidence, per engine.

Run after bench/engines.py: `.venv/bin/python bench/calibrate.py` reads bench/out/engines.json
and prints, per engine and per set (dev espeak fixtures, held-out voices), every answer to a
warning-sign question that came out as "no", binned by the confidence the dialog sees (the
recogniser's, passed through `interpret`), with how many were really something else. The dialog
confirms a spoken "no" to an emergency sign when that confidence is below settings.yaml's
low_confidence: a bin at or above it must hold no wrong "no". It also says how many of an
ordinary all-"no" session's three emergency "no"s would be confirmed (the share of right "no"s
to emergency signs below the line, times three).
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.core.content import load

OUT = Path(__file__).resolve().parent / "out"
EDGES = (0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)
SETS = (("fixture", "dev"), ("heldout", "held-out"))


def warning_questions() -> tuple[set[str], set[str], float]:
    """Warning-sign question ids, the emergency ones among them, and the confirmation line."""
    content = load()
    warning = {q.id for q in content.questions if q.warning}
    emergency = {q.id for q in content.questions if q.on.get("yes") and q.on["yes"].raises
                 == "emergency"}  # fmt: skip
    return warning, emergency, content.settings.low_confidence


def calibration(rows: list[dict[str, Any]], warning: set[str]) -> list[tuple[str, int, int, str]]:
    """(bin, heard no, of which wrong, what the wrong ones were) per confidence bin."""
    nos = [r for r in rows if r["question"] in warning and r["intent"] == "no"]
    out = []
    for low, high in itertools.pairwise(EDGES):
        got = [r for r in nos if low <= r["confidence"] < high]
        wrong = [r for r in got if r["expected"] != "no"]
        what = ", ".join(f"{r['expected'] or 'nothing'}: {r['heard']!r}" for r in wrong[:4])
        out.append((f"{low:.1f}-{min(high, 1.0):.1f}", len(got), len(wrong), what))
    return out


def confirmations(rows: list[dict[str, Any]], emergency: set[str], line: float) -> str:
    """Expected confirmations in an all-"no" session: 3 x share of right emergency "no"s < line."""
    nos = [r for r in rows if r["question"] in emergency and r["expected"] == "no"
           and r["intent"] == "no"]  # fmt: skip
    if not nos:
        return "-"
    low = sum(1 for r in nos if r["confidence"] < line)
    return f"{len(emergency) * low / len(nos):.1f} of {len(emergency)} ({low}/{len(nos)} below)"


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    report = json.loads((folder / "engines.json").read_text(encoding="utf-8"))
    warning, emergency, line = warning_questions()
    lines = [f'# Heard "no" to a warning sign, by confidence (confirmed below {line})', ""]
    for name, value in report["engines"].items():
        if "rows" not in value or name.startswith("naive"):
            continue
        for source, label in SETS:
            rows = [r for r in value["rows"] if r["source"] == source]
            if not rows:
                continue
            lines += [f"## {name}, {label}", "", "| confidence | heard no | wrong | wrong ones |",
                      "|---|---|---|---|"]  # fmt: skip
            for b, n, w, what in calibration(rows, warning):
                if n:
                    lines.append(f"| {b} | {n} | {w} | {what} |")
            lines += ["", f"All-\"no\" session: {confirmations(rows, emergency, line)} "
                      "emergency \"no\"s confirmed.", ""]  # fmt: skip
    text = "\n".join(lines) + "\n"
    (folder / "calibration.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
