"""Offline: whole live and replay sessions pass with every network access made impossible.

Two layers, both in the process under test (and its children):

- a `sitecustomize.py` on PYTHONPATH replaces socket connect/sendto, create_connection and the
  name lookups for AF_INET/AF_INET6 with a function that RECORDS the attempt to a file and raises
  OSError; AF_UNIX is left alone (PulseAudio's socket). It also records that it was loaded, so a
  guard that silently did not load cannot make the test pass;
- where possible (root, `unshare`), the command runs in a new network namespace with no
  interfaces at all, so native code (PocketSphinx, Vosk, libpulse) cannot reach a network either.

No audio is written into the working directory (cwd and TMPDIR) unless --keep-audio DIR is
given, and kept audio is readable by the owner only.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.audio_stack import (
    PulseStack,
    pulse_stack_fixture,  # noqa: F401 - registers the `pulse_stack` fixture here
)
from tests.test_live_session import (
    SCRIPT,
    SESSIONS,
    answers_of,
    expected_of,
    needs_sphinx,
    run_live,
    session_for,
)

ROOT = Path(__file__).resolve().parents[1]

GUARD = textwrap.dedent(
    '''
    """Test guard: IPv4/IPv6 network use raises OSError and is recorded (AF_UNIX still works)."""
    import errno
    import os
    import socket
    import traceback

    _LOG = os.environ.get("NETGUARD_LOG")
    _INET = (socket.AF_INET, socket.AF_INET6)


    def _blocked(what, detail):
        if _LOG:
            stack = " <- ".join(
                f"{f.name}:{f.lineno}" for f in reversed(traceback.extract_stack()[:-2][-6:])
            )
            with open(_LOG, "a", encoding="utf-8") as log:
                log.write(f"{os.getpid()} {what} {detail!r} at {stack}\\n")
        return OSError(errno.ENETUNREACH, f"network disabled by the test ({what} {detail!r})")


    def _wrap_method(name):
        original = getattr(socket.socket, name)

        def guarded(self, *args, **kwargs):
            if self.family in _INET:
                raise _blocked(name, args[-1] if args else kwargs)
            return original(self, *args, **kwargs)

        setattr(socket.socket, name, guarded)


    def _wrap_function(name):
        def guarded(*args, **kwargs):
            raise _blocked(name, args[:2])

        setattr(socket, name, guarded)


    if _LOG:
        for _name in ("connect", "connect_ex", "sendto", "sendmsg"):
            _wrap_method(_name)
        for _name in (
            "create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex",
            "gethostbyaddr", "getnameinfo",
        ):
            _wrap_function(_name)
        with open(_LOG + ".loaded", "a", encoding="utf-8") as loaded:
            loaded.write(f"{os.getpid()}\\n")
    '''
)

AUDIO_SUFFIXES = {".wav", ".wave", ".flac", ".aif", ".aiff", ".aifc", ".raw", ".pcm", ".ogg"}
AUDIO_MAGIC = (b"RIFF", b"FORM", b"fLaC", b"OggS")


def unshare_prefix() -> tuple[str, ...]:
    """`unshare --net` when it works here (no network interfaces at all), else nothing."""
    tool = shutil.which("unshare")
    if tool is None:
        return ()
    probe = subprocess.run([tool, "--net", "true"], capture_output=True, check=False, timeout=10)
    return (tool, "--net") if probe.returncode == 0 else ()


class Guarded:
    """The environment and paths for a process under the network guard."""

    def __init__(self, tmp_path: Path, base_env: dict[str, str]) -> None:
        self.guard_dir = tmp_path / "guard"
        self.guard_dir.mkdir()
        (self.guard_dir / "sitecustomize.py").write_text(GUARD)
        self.log = tmp_path / "net-attempts.log"
        self.work = tmp_path / "work"
        (self.work / "tmp").mkdir(parents=True)
        self.env = dict(base_env)
        old = self.env.get("PYTHONPATH")
        self.env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(self.guard_dir), old]))
        self.env["NETGUARD_LOG"] = str(self.log)
        self.env["TMPDIR"] = str(self.work / "tmp")

    def attempts(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    def loaded(self) -> int:
        marker = Path(f"{self.log}.loaded")
        return len(marker.read_text().splitlines()) if marker.exists() else 0


def audio_files(folder: Path) -> list[Path]:
    """Files under `folder` that are audio, by name or by their first bytes."""
    found = []
    for path in folder.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        with path.open("rb") as f:
            head = f.read(4)
        if path.suffix.lower() in AUDIO_SUFFIXES or head in AUDIO_MAGIC:
            found.append(path)
    return sorted(found)


def replay(
    guarded: Guarded, session: Path, *extra: str, prefix: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, SCRIPT, "--replay", str(session), "--mute", "--json", "-", *extra],
        env=guarded.env,
        cwd=guarded.work,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def record_of(stdout: str) -> dict[str, object]:
    _, brace, rest = stdout.partition("\n{")
    assert brace, stdout
    return dict(json.loads("{" + rest))


# --- the guard itself --------------------------------------------------------------------------


def test_the_guard_blocks_and_records_inet_but_not_unix_sockets(tmp_path: Path) -> None:
    guarded = Guarded(tmp_path, dict(os.environ))
    probe = textwrap.dedent(
        f"""
        import socket, urllib.request
        try:
            urllib.request.urlopen("http://example.com/", timeout=2)
        except OSError as error:
            print("web blocked", type(error).__name__)
        try:
            socket.create_connection(("127.0.0.1", 9), timeout=2)
        except OSError as error:
            print("tcp blocked", error.errno)
        server = socket.socket(socket.AF_UNIX)
        server.bind({str(tmp_path / "u.sock")!r})
        server.listen(1)
        client = socket.socket(socket.AF_UNIX)
        client.connect({str(tmp_path / "u.sock")!r})
        print("unix ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env=guarded.env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1:] == ["tcp blocked 101", "unix ok"], done.stdout
    assert done.stdout.startswith("web blocked"), done.stdout
    assert guarded.loaded() == 1
    attempts = guarded.attempts()
    assert len(attempts) == 2, attempts
    assert "example.com" in attempts[0] and "127.0.0.1" in attempts[1]


# --- whole sessions, offline -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "engine"),
    [
        ("emergency", "sphinx"),
        ("urgent", "sphinx"),
        ("soon", "sphinx"),
        ("self_care", "sphinx"),
        ("self_care", "auto"),
    ],
)
def test_a_replayed_session_passes_with_no_network(tmp_path: Path, name: str, engine: str) -> None:
    needs_sphinx()
    session = SESSIONS / name
    if not (session / "expected.json").exists():
        pytest.skip(f"{session} is missing: run audio_fixtures/generate.py")
    guarded = Guarded(tmp_path, dict(os.environ))
    done = replay(guarded, session, "--engine", engine, prefix=unshare_prefix())
    assert done.returncode == 0, done.stderr
    assert record_of(done.stdout)["disposition"] == expected_of(session)["disposition"]
    assert guarded.loaded() >= 1, "the network guard was not loaded"
    assert guarded.attempts() == []
    assert audio_files(guarded.work) == []


def test_keep_audio_keeps_private_wavs_and_nothing_else(tmp_path: Path) -> None:
    needs_sphinx()
    session = session_for("self_care")
    guarded = Guarded(tmp_path, dict(os.environ))
    kept = guarded.work / "kept"
    done = replay(guarded, session, "--engine", "sphinx", "--keep-audio", str(kept))
    assert done.returncode == 0, done.stderr
    assert record_of(done.stdout)["disposition"] == expected_of(session)["disposition"]
    files = audio_files(guarded.work)
    assert files, "nothing kept"
    assert len(files) == len(answers_of(session)), files
    assert all(f.parent == kept for f in files), files
    assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o600}
    assert guarded.attempts() == []


@pytest.mark.pulse
def test_a_live_session_passes_with_no_network(pulse_stack: PulseStack, tmp_path: Path) -> None:
    needs_sphinx()
    session = session_for("emergency")
    guarded = Guarded(tmp_path, pulse_stack.env)
    run = run_live(
        pulse_stack,
        session,
        guarded.work,
        prefix=unshare_prefix(),
        env=guarded.env,
    )
    assert run.returncode == 0, run.transcript()
    assert not run.notes, (run.notes, run.transcript())
    assert run.record is not None, run.transcript()
    assert run.record["disposition"] == expected_of(session)["disposition"]
    assert run.played == len(answers_of(session))
    assert guarded.loaded() >= 1, "the network guard was not loaded"
    assert guarded.attempts() == []
    # Speech was on (espeak's lines go through temporary WAVs in TMPDIR): none is left behind.
    assert audio_files(guarded.work) == []
