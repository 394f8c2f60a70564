"""Work done beside the build, in a forked process, on a core the build's Python leaves idle."""

from __future__ import annotations

import logging
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from functools import partial
from typing import Generic, TypeVar

from reportback import timing
from reportback.timing import stage

T = TypeVar("T")
R = TypeVar("R")
log = logging.getLogger(__name__)


class Aside(Generic[T]):
    """`make()` started in a child process forked now; `result()` waits for what it made.

    The child shares the build's memory as it was, so nothing is sent to it; it sends back
    its result, pickled. If it fails in any way, `result()` runs `make()` here instead, so a
    failure is raised (and reported) just as it would be without the child. Where a fork is
    not safe, `make()` runs when `result()` is asked, timed under a name that says why.
    """

    def __init__(self, make: Callable[[], T], what: str = "", fork: bool | None = None) -> None:
        """Start `make` (named `what` in the timings), in a child if `fork` (by default:
        where forking is safe)."""
        self.make = make
        self.what = what
        self.why = _why_not() if fork is None else None
        """Why it is not forked, if it could not be."""
        self.pid = 0
        self.pipe = -1
        if fork is None:
            fork = self.why is None
        if fork:
            self.pipe, out = os.pipe()
            self.pid = os.fork()
            if self.pid == 0:  # the child: make, send, and leave without running any cleanup
                os.close(self.pipe)
                _child(make, out)
            os.close(out)

    def result(self) -> T:
        if self.pid == 0:
            with on_one_core(self.what, self.why):
                return self.make()
        with os.fdopen(self.pipe, "rb") as answer:
            data = answer.read()
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        if status == 0 and data:
            try:
                made: T = pickle.loads(data)
                return made
            except (pickle.UnpicklingError, EOFError, ValueError, TypeError):
                pass
        return self.make()  # the child failed: fail (or succeed) here, in the open

    def close(self) -> None:
        """Stop waiting for the child (the build failed before it needed the result)."""
        if self.pid:
            os.kill(self.pid, signal.SIGKILL)
            os.close(self.pipe)
            os.waitpid(self.pid, 0)
            self.pid = 0


def shared(
    items: Sequence[T],
    run: Callable[[Sequence[T]], Iterable[R]],
    what: str,
    refused: str | None = None,
    apart: Callable[[Iterator[None]], Iterable[None]] | None = None,
) -> list[R]:
    """Return the results of `run(items)`, in the items' order, made on two cores if it can.

    Where there are two items or more and forking is safe, a child forked now runs every
    other item while this process runs the rest; `run` is called once in each, so it starts
    what it needs (pandoc workers) in the process it runs in. The child's results are sent
    back pickled. If the child fails in any way, its items are run here, so a failure is
    raised here as it would be without it. Where forking is not safe, every item is run
    here, and the timings (`build --timings`) and the log say why.

    With `apart`, a second child runs the rest, so that the work leaves nothing behind in
    this process (Typst keeps ~70 MB once it has laid out a PDF), which meanwhile passes
    `apart` a tick for each item done (to draw the bar a child cannot: `tick`).
    """
    why = refused or _why_not()  # the caller may know a reason of its own
    if len(items) < 2 or why is not None:
        with on_one_core(what if len(items) > 1 else "", why):
            return list(run(items))
    if apart is not None:
        ticks, told = os.pipe()
        halves = [Aside(partial(_ticking, told, os.getpid(), run, items[n::2]), fork=True)
                  for n in (0, 1)]  # fmt: skip
        os.close(told)
        try:
            for _ in apart(_ticks(ticks)):
                pass
            (here, spent_here), (there, spent_there) = (half.result() for half in halves)
            timing.add(spent_here)
            timing.add(spent_there)
        finally:
            os.close(ticks)
            for half in halves:
                half.close()
        return _merged(here, there)
    child = Aside(partial(_listed, run, items[1::2]), fork=True)
    try:
        here = list(run(items[0::2]))
        there = child.result()
    finally:
        child.close()
    return _merged(here, there)


def _merged(here: list[R], there: list[R]) -> list[R]:
    results: list[R] = []
    for n, result in enumerate(here):  # the first item here, the second there, and so on
        results.append(result)
        if n < len(there):
            results.append(there[n])
    return results


def _listed(run: Callable[[Sequence[T]], Iterable[R]], items: Sequence[T]) -> list[R]:
    return list(run(items))


def _ticking(
    told: int, parent: int, run: Callable[[Sequence[T]], Iterable[R]], items: Sequence[T]
) -> tuple[list[R], dict[str, float]]:
    """`run(items)`, with the time it added to each stage, in a child saying on `told` as
    each item is done (`tick`), closed before the results are sent (the parent reads them
    once both have closed it); made in the parent (the child failed), it says nothing and
    its stages are timed there already."""
    global _told
    if os.getpid() == parent:
        return list(run(items)), {}
    _told, before = told, timing.totals()
    try:
        return list(run(items)), timing.since(before)
    finally:
        _told = -1
        os.close(told)


def _ticks(ticks: int) -> Iterator[None]:
    """Yield once for each item the children say is done, until both have ended."""
    while data := os.read(ticks, 4096):
        yield from (None for _ in data)


def tick() -> None:
    """Say one item is done, in a child of `shared(apart=...)` (elsewhere, do nothing)."""
    if _told >= 0:
        os.write(_told, b".")


_told = -1


def on_one_core(what: str, why: str | None) -> AbstractContextManager[None]:
    """Time `what`, work a forked child would have shared were it not for `why`, under a name
    that says so (`build --timings`), and log that once; for no `why` (or no `what`), time
    nothing more."""
    if why is None or not what:
        return nullcontext()
    if what not in _logged:  # once: the daemon and the preview build again and again
        _logged.add(what)
        log.debug("%s on one core, not shared with a forked child: %s", what, why)  # (169)
    return stage(f"{what} on one core ({why})")


_logged: set[str] = set()


def _why_not() -> str | None:
    """Return why forking is not safe here, if it is not: it is on Linux, in a process with
    one thread (another thread could hold a lock, such as Python's import lock, that a child
    would wait for forever)."""
    if sys.platform != "linux":
        return "not Linux"
    others = threading.active_count() - 1
    if others:
        return f"{others} other thread{'s' if others > 1 else ''} running"
    return None


def in_child() -> bool:
    """Whether this process is a child forked by `Aside` (it draws no progress bar: its
    parent's is the build's)."""
    return _in_child


_in_child = False


def _child(make: Callable[[], object], out: int) -> None:
    global _in_child
    _in_child = True
    code = 1
    try:
        data = pickle.dumps(make(), pickle.HIGHEST_PROTOCOL)
        with os.fdopen(out, "wb") as answer:
            answer.write(data)
        code = 0
    except BaseException:  # noqa: BLE001 (the parent makes it again, and reports it)
        pass
    finally:
        os._exit(code)
