"""Where a build's time goes: wall time per stage, summed over a run (`build --timings`)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

_totals: dict[str, float] = {}


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Add the wall time of the `with` body to the stage `name` (stages may nest)."""
    start = time.perf_counter()
    try:
        yield
    finally:
        _totals[name] = _totals.get(name, 0.0) + time.perf_counter() - start


def totals() -> dict[str, float]:
    """Return the seconds spent in each stage so far, in the order the stages first ran."""
    return dict(_totals)


def reset() -> None:
    _totals.clear()
