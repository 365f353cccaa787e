"""Command line: parses arguments, configures logging and hands over to the right command."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.core.errors import AssistantError, DataError, ExitCode

if TYPE_CHECKING:
    from assistant.engines.loading import Loading
    from assistant.io.mic_device import Opened

log = logging.getLogger(__name__)

ENGINES = ("auto", "vosk", "whisper", "sphinx")


def _session_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--text", action="store_true", help="type answers, one per line (no microphone)")
    p.add_argument("--mute", action="store_true", help="no speech output; captions only")
    p.add_argument("--json", metavar="PATH", help="write the session record as JSON ('-' = stdout)")
    p.add_argument("--summary", metavar="PATH", help="write a plain-text summary to show a doctor")
    p.add_argument(
        "--replay",
        metavar="FILE_OR_DIR",
        nargs="+",
        type=Path,
        help="hear these audio files as the answers, in order, instead of the microphone",
    )
    p.add_argument(
        "--engine",
        choices=ENGINES,
        default="auto",
        help="speech recogniser (auto: Vosk if an English model is found, else Whisper, "
        "else PocketSphinx)",
    )
    p.add_argument("--vosk-model", metavar="PATH", type=Path, help="folder of a Vosk model")
    p.add_argument(
        "--whisper-model", metavar="DIR", type=Path, help="folder of a faster-whisper model"
    )
    p.add_argument("--emergency-number", metavar="NUMBER", help="the local emergency number")
    p.add_argument("--rate", type=int, help="speech rate in words per minute")
    p.add_argument("--volume", type=float, help="speech volume, 0.0 to 1.0")
    p.add_argument("--voice", help="speech voice id (see --list-voices)")
    p.add_argument("--list-voices", action="store_true", help="list speech voices and exit")
    p.add_argument(
        "--say-to", metavar="DIR", type=Path, help="also save every spoken line as a WAV"
    )
    cache = p.add_mutually_exclusive_group()
    cache.add_argument(
        "--speech-cache",
        metavar="DIR",
        type=Path,
        help="keep the assistant's own fixed lines here, ready to say "
        "(default: ~/.cache/back-assistant/speech)",
    )
    cache.add_argument(
        "--no-speech-cache",
        action="store_true",
        help="keep the fixed lines for this run only",
    )
    p.add_argument(
        "--pause",
        type=float,
        default=1.2,
        metavar="SECONDS",
        help="silence that always ends an answer; a whole, clear answer is replied to sooner, "
        "but the assistant listens this long in case you go on (longer for slow speakers)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="how long to wait for an answer to start before asking again",
    )
    p.add_argument("--mic", type=int, metavar="INDEX", help="microphone to use (see --list-mics)")
    p.add_argument("--list-mics", action="store_true", help="list microphones and exit")
    p.add_argument(
        "--wake", metavar="PHRASE", help="always on: wait for PHRASE, run a triage, repeat"
    )
    p.add_argument("--keep-audio", metavar="DIR", type=Path, help="keep each answer's audio as WAV")


def parser() -> argparse.ArgumentParser:
    """The argument parser (sessions by default; inspection and setup as subcommands)."""
    p = argparse.ArgumentParser(
        prog="back-assistant",
        description="Offline voice assistant for a back-pain check. Not a diagnosis.",
    )
    p.add_argument("-v", "--verbose", action="count", default=0, help="more log detail on stderr")
    p.add_argument("--lang", default="en", help="language folder in intents/ (default: en)")
    p.add_argument("--intents", type=Path, metavar="DIR", help="use this intents folder instead")
    _session_options(p)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("flow", help="print the triage flow as a Mermaid diagram")
    q = sub.add_parser("questions", help="list the questions and the intents each accepts")
    q.add_argument("--json", action="store_true", dest="as_json", help="as JSON")
    u = sub.add_parser(
        "understand",
        help="what typed answers mean to one question, and the words that decided it",
    )
    u.add_argument("texts", nargs="*", metavar="TEXT", help="answers (default: one per stdin line)")
    u.add_argument("--question", required=True, help="question id (see 'back-assistant questions')")
    u.add_argument("--json", action="store_true", dest="as_json", help="as JSON")
    t = sub.add_parser("transcribe", help="what the recogniser hears in audio files")
    t.add_argument("files", nargs="+", type=Path)
    t.add_argument("--question", required=True, help="question id whose grammar to use")
    t.add_argument("--json", action="store_true", dest="as_json", help="as JSON")
    t.add_argument("--engine", choices=ENGINES, default="auto")
    t.add_argument("--vosk-model", type=Path)
    t.add_argument("--whisper-model", type=Path)
    m = sub.add_parser("model", help="manage speech models")
    m.add_argument("action", choices=("download",))
    m.add_argument("--lang", dest="model_lang", default="en-us", help="a Vosk model's language")
    m.add_argument(
        "--whisper", metavar="NAME", help="fetch a faster-whisper model instead (e.g. base.en)"
    )
    sub.add_parser("doctor", help="check microphone, speech output, engines and models")
    return p


def _open_microphone(args: argparse.Namespace) -> Loading[Opened] | None:
    """Start opening the microphone now, when this command is a session that listens to it."""
    if args.command or args.text or args.replay or args.list_mics or args.list_voices:
        return None
    from assistant.io.mic_device import opening  # noqa: PLC0415 - audio libraries, lazily

    return opening(args.mic)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; every failure is one line on stderr and a documented exit code."""
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING - 10 * min(args.verbose, 2),
        format="%(levelname)s %(name)s: %(message)s",
    )
    opened = _open_microphone(args)  # opens while the data loads (about 0.3 s each)
    from assistant import commands  # noqa: PLC0415 - parse first, so --help is instant

    try:
        return int(commands.dispatch(args, opened))
    except DataError as error:
        print(str(error), file=sys.stderr)
        return int(error.exit_code)
    except AssistantError as error:
        print(commands.error_line(args, error), file=sys.stderr)
        return int(error.exit_code)
    except BrokenPipeError:
        return int(ExitCode.OK)
    except Exception as error:  # a bug: one line here, the traceback only with -v
        log.debug("unexpected error", exc_info=True)
        print(f"back-assistant: unexpected error: {type(error).__name__}: {error}", file=sys.stderr)
        return int(ExitCode.BUG)


if __name__ == "__main__":
    sys.exit(main())
