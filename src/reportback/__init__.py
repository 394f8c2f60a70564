"""reportback: report back after every meeting, without leaking what was confidential.

`main` is the `reportback` command: the command line (`cli`) loaded under a Ctrl-C guard.
Loading its modules takes a tenth of a second; a Ctrl-C then, or while it read its
arguments, printed Python's traceback (adversary helper 88). Once it runs, the command line
says itself what a Ctrl-C stopped.
"""

import sys

__version__ = "0.1.0"


def main() -> int:
    try:
        from reportback.cli import main as run

        return run()
    except KeyboardInterrupt:
        print("interrupted; nothing was done", file=sys.stderr)
        return 130
