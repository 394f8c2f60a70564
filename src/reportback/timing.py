"""Where a build's time goes: wall time per stage, summed over a run (`build --timings`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

_totals: dict[str, float] = {}
_lock = threading.Lock()


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Add the wall time of the `with` body to the stage `name` (stages may nest).

    A stage run by several workers at once adds up each worker's time, so it may exceed the
    wall time of the build.
    """
    start = time.perf_counter()
    try:
        yield
    finally:
        with _lock:
            _totals[name] = _totals.get(name, 0.0) + time.perf_counter() - start


def totals() -> dict[str, float]:
    """Return the seconds spent in each stage so far, in the order the stages first ran."""
    return dict(_totals)


def reset() -> None:
    _totals.clear()


def since(before: dict[str, float]) -> dict[str, float]:
    """Return the seconds added to each stage since `totals()` was `before`."""
    now = totals()
    return {k: v - before.get(k, 0.0) for k, v in now.items() if v != before.get(k, 0.0)}


def add(more: dict[str, float]) -> None:
    """Add stage times measured elsewhere (a forked child's `since`)."""
    with _lock:
        for name, seconds in more.items():
            _totals[name] = _totals.get(name, 0.0) + seconds
