"""Work done beside the build, in a forked process, on a core the build's Python leaves idle."""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class Aside(Generic[T]):
    """`make()` started in a child process forked now; `result()` waits for what it made.

    The child shares the build's memory as it was, so nothing is sent to it; it sends back
    its result, pickled. If it fails in any way, `result()` runs `make()` here instead, so a
    failure is raised (and reported) just as it would be without the child. Where a fork is
    not safe, `make()` runs when `result()` is asked.
    """

    def __init__(self, make: Callable[[], T], fork: bool | None = None) -> None:
        """Start `make`, in a child if `fork` (by default: where `can_fork`)."""
        self.make = make
        self.pid = 0
        self.pipe = -1
        if fork is None:
            fork = can_fork()
        if fork:
            self.pipe, out = os.pipe()
            self.pid = os.fork()
            if self.pid == 0:  # the child: make, send, and leave without running any cleanup
                os.close(self.pipe)
                _child(make, out)
            os.close(out)

    def result(self) -> T:
        if self.pid == 0:
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


def can_fork() -> bool:
    """Whether forking is safe here: on Linux, in a process with one thread (another thread
    could hold a lock, such as Python's import lock, that a child would wait for forever)."""
    return sys.platform == "linux" and threading.active_count() == 1


def every_other(missing: Sequence[T]) -> list[T]:
    """The share of `missing` work a forked child takes: every other item, where there are
    two or more and forking is safe (none otherwise)."""
    return list(missing[1::2]) if len(missing) > 1 and can_fork() else []


def _child(make: Callable[[], object], out: int) -> None:
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
