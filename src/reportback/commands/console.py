"""What the commands share: the time a command acts at, and printing lines for a reader."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from datetime import UTC, datetime


def now_of(args: argparse.Namespace) -> datetime:
    """Return the time the command acts at: its --now, or now (to the second, local offset)."""
    given: datetime | None = getattr(args, "now", None)
    try:
        return given or datetime.now().astimezone().replace(microsecond=0)
    except ValueError:  # a TZ of a day or more (`UTC+24`): no offset (adversary helper 116)
        return datetime.now(UTC).replace(microsecond=0)


def emit(lines: Iterable[str]) -> int:
    """Print `lines` to stdout; a reader that stops early (`| head`) ends it quietly."""
    try:
        for line in lines:
            print(line)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader has all it wanted: nothing more is written
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
