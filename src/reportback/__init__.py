"""reportback: report back after every meeting, without leaking what was confidential.

`main` is the `reportback` command: the command line (`cli`) loaded under a Ctrl-C guard.
Loading its modules takes a tenth of a second; a Ctrl-C then, or while it read its
arguments, printed Python's traceback (adversary helper 88). Once it runs, the command line
says itself what a Ctrl-C stopped. A SIGTERM (a service manager stopping it, `kill`) stops it
as a Ctrl-C does, with exit code 143: it killed a build without a word.
"""

import signal
import sys
from types import FrameType

__version__ = "0.1.0"


class Terminated(KeyboardInterrupt):
    """A SIGTERM, handled as a Ctrl-C is: what the command left is said, then exit 143."""

    said = "stopped by SIGTERM"
    code = 143


def terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated


def main() -> int:
    signal.signal(signal.SIGTERM, terminate)
    try:
        from reportback.cli import main as run

        return run()
    except KeyboardInterrupt as exc:
        print(f"{getattr(exc, 'said', 'interrupted')}; nothing was done", file=sys.stderr)
        return int(getattr(exc, "code", 130))
