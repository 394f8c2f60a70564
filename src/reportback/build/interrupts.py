"""A Ctrl-C once a build swaps its outputs in: held off until the build ends, then said truly.

A Ctrl-C as the new site and feeds were swapped in stopped the build after the swap, before it
recorded what it published, and said "nothing was published" of a site that was (adversary
helper 85). From the swap on (`hold`), a Ctrl-C (or a SIGTERM, `reportback.Terminated`)
waits for the build to end (`until_built`), which then stops saying what it published. Only
the main thread receives it: a build on another (the daemon's, a preview's) holds nothing.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from reportback import Terminated

HELD = (signal.SIGINT, signal.SIGTERM)


class PublishedThenStopped(KeyboardInterrupt):
    """A Ctrl-C (or a SIGTERM) that came once the build had swapped its outputs in."""

    left = "the build had published its site and feeds (it was swapping them in)"
    said = "interrupted"
    code = 130

    def __init__(self, signum: int) -> None:
        super().__init__()
        if signum == signal.SIGTERM:
            self.said, self.code = Terminated.said, Terminated.code


class _Held:
    def __init__(self) -> None:
        self.previous: dict[int, object] = {}
        self.holding = False
        self.pressed: int | None = None

    def press(self, signum: int, frame: FrameType | None) -> None:
        self.pressed = signum if self.pressed is None else self.pressed


_held = _Held()


def hold() -> None:
    """From now to the end of `until_built`, a Ctrl-C or a SIGTERM waits."""
    if threading.current_thread() is threading.main_thread() and not _held.holding:
        _held.previous = {signum: signal.signal(signum, _held.press) for signum in HELD}
        _held.holding = True


@contextmanager
def until_built() -> Iterator[None]:
    """Around a build: a Ctrl-C or SIGTERM held since `hold` stops it as it ends."""
    try:
        yield
    finally:
        pressed, _held.pressed = _held.pressed, None
        if _held.holding:
            for signum, previous in _held.previous.items():
                signal.signal(signum, previous)  # type: ignore[arg-type]
            _held.holding = False
    if pressed is not None:
        raise PublishedThenStopped(pressed)
