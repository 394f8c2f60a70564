"""Option values the command line checks before a command runs (a usage error, exit 2)."""

from __future__ import annotations

import argparse
import math
from pathlib import Path


def port(text: str) -> int:
    """A TCP port, 1 to 65535 (`--port 99999` was a traceback: adversary helper 99)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"not a port from 1 to 65535: {text!r}")
    return value


def seconds(text: str) -> float:
    """A wait of 0.1 s to a day (`--watch-seconds -5` spun and would not stop on SIGTERM;
    `nan`, `inf`, `1e12` were a traceback: adversary helper 99)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or not 0.1 <= value <= 86400:
        raise argparse.ArgumentTypeError(f"not a number of seconds from 0.1 to 86400: {text!r}")
    return value


def named(text: str) -> str:
    """A folder named by an option: an empty name is the current folder, which no option
    means (`--site ""` was a traceback; adversary helper 116)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("is empty: name a file or folder")
    if text.startswith("~"):  # quoted, no shell made it a home: a folder named ~ (helper 139)
        raise argparse.ArgumentTypeError("~ is not read as a home folder; write the path")
    return text


def named_path(text: str) -> Path:
    """A file or folder named by an option, as a path (`named`)."""
    return Path(named(text))
