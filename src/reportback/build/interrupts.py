"""A Ctrl-C once a build swaps its outputs in: held off until the build ends, then said truly.

A Ctrl-C as the new site and feeds were swapped in stopped the build after the swap, before it
recorded what it published, and said "nothing was published" of a site that was (adversary
helper 85). From the swap on (`hold`), a Ctrl-C waits for the build to end (`until_built`),
which then stops saying what it published. Only the main thread receives it: a build on
another (the daemon's, a preview's) holds nothing.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class PublishedThenStopped(KeyboardInterrupt):
    """A Ctrl-C that came once the build had swapped its outputs in."""

    left = "the build had published its site and feeds (it was swapping them in)"


class _Held:
    previous: object = None
    holding = False
    pressed = False

    def press(self, signum: int, frame: FrameType | None) -> None:
        self.pressed = True


_held = _Held()


def hold() -> None:
    """From now to the end of `until_built`, a Ctrl-C waits."""
    if threading.current_thread() is threading.main_thread() and not _held.holding:
        _held.previous = signal.signal(signal.SIGINT, _held.press)
        _held.holding = True


@contextmanager
def until_built() -> Iterator[None]:
    """Around a build: a Ctrl-C held since `hold` stops it as it ends."""
    try:
        yield
    finally:
        pressed, _held.pressed = _held.pressed, False
        if _held.holding:
            signal.signal(signal.SIGINT, _held.previous)  # type: ignore[arg-type]
            _held.holding = False
    if pressed:
        raise PublishedThenStopped
