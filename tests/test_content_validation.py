"""A broken file in intents/ fails at load with one line naming the file and the key."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.core.content import default_folder, load
from assistant.core.errors import DataError

# (file, text to replace, replacement, the key the error must name)
BREAKAGES = [
    (
        "questions.yaml",
        "      no: {next: saddle}",
        "      no: {next: nowhere}",
        "questions.bladder.on.no.next",
    ),
    ("texts.yaml", 'q_bladder: "', 'q_bladder_gone: "', "questions.bladder.ask"),
    ("texts.yaml", 'goodbye: "', 'goodbye_gone: "', "goodbye"),
    ("settings.yaml", "max_failures: 3", "max_failures: three", "max_failures"),
    ("settings.yaml", "low_confidence: 0.6", "", "low_confidence"),
    ("answers.yaml", '"what does {term} mean"', '"what does {terms} mean"', "commands.explain"),
    ("answers.yaml", '"(repeat|say that again', '"(repeat|say that again]', "commands.repeat"),
    ("answers.yaml", "  stop:\n", "  halt:\n", "commands.halt"),
    (
        "questions.yaml",
        "      yes: {raise: emergency, next: outcome}",
        "      yes: {raise: emergency, next: saddle}",
        "questions.bladder.on.yes.next",
    ),
    (
        "questions.yaml",
        "      yes: {raise: urgent, next: serious}",
        "      yes: {raise: critical, next: serious}",
        "questions.weakness.on.yes.raise",
    ),
    ("questions.yaml", "      no: {next: severity}", "      no: {next: bladder}", "questions."),
    (
        "questions.yaml",
        "      unsure: {next: location}",
        "      unsure: {next: outcome}\n      maybe: {next: outcome}",
        "questions.numbness.on.maybe",
    ),
    ("questions.yaml", "    if_unsure: urgent\n", "\n", "if_unsure"),
    ("texts.yaml", "welcome:\n", "welcome: [1, 2]\nx:\n", "welcome"),
    ("texts.yaml", "call {number}.", "call {numbr}.", "welcome"),
    ("questions.yaml", "  feet: loc_sciatic\n", "", "place_explanations.feet"),
    ("normalize.yaml", "fillers:", "fillers_gone:", "fillers"),
    (
        "questions.yaml",
        "questions:\n  - id: bladder",
        "questions:\n  - id: bladder\n    kind: [",
        "line",
    ),
]


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "en"
    shutil.copytree(default_folder(), target)
    return target


@pytest.mark.parametrize(
    ("name", "old", "new", "key"), BREAKAGES, ids=[f"{b[0]}:{b[3]}" for b in BREAKAGES]
)
def test_broken_data_names_file_and_key(
    copy: Path, name: str, old: str, new: str, key: str
) -> None:
    path = copy / name
    text = path.read_text()
    assert old in text, f"test data out of date: {old!r} not in {name}"
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(DataError) as info:
        load(copy)
    line = str(info.value)
    assert "\n" not in line
    assert name in line and key in line, line


def test_missing_file_is_named(copy: Path) -> None:
    (copy / "texts.yaml").unlink()
    with pytest.raises(DataError, match=r"texts\.yaml"):
        load(copy)


def test_the_real_data_loads() -> None:
    content = load()
    assert next(q.id for q in content.questions) == "bladder"


def test_cli_reports_broken_data_in_one_line_with_exit_code_3(copy: Path) -> None:
    (copy / "questions.yaml").write_text("questions: [\n")
    out = subprocess.run(
        [sys.executable, "-m", "assistant", "--intents", str(copy), "--text", "--mute"],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 3
    assert len(out.stderr.strip().splitlines()) == 1 and "questions.yaml" in out.stderr
    assert "Traceback" not in out.stderr


KEY_IN_CODE = re.compile(r"""["']((?:error|file_detail|engine|doctor)_[a-z0-9_]+)["']""")
DEFINED = re.compile(r"^\s*def (\w+)", re.MULTILINE)  # a function named in __all__ is no text


def test_every_text_key_named_in_the_code_is_in_texts_yaml() -> None:
    """Error and detail texts are looked up by key at run time: a missing one would show the
    bare key to the user, so every key the package names must be defined."""
    texts = load().texts
    package = Path(__file__).resolve().parents[1] / "assistant"
    sources = {path.name: path.read_text(encoding="utf-8") for path in package.rglob("*.py")}
    functions = {m.group(1) for text in sources.values() for m in DEFINED.finditer(text)}
    named = {
        (m.group(1), name) for name, text in sources.items() for m in KEY_IN_CODE.finditer(text)
    }
    assert named
    missing = sorted(
        f"{key} ({where})" for key, where in named if key not in texts and key not in functions
    )
    assert not missing, missing
