"""Locks on the state folder, held with flock (released by the kernel if the holder dies)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

SEND_LOCK = "send.lock"


@contextmanager
def pid_lock(path: Path, busy: Callable[[str], None]) -> Iterator[None]:
    """Hold an flock on `path`, with this process's pid written in it.

    If another process holds it, `busy` is called once with that process's pid: it raises to
    refuse, or returns to wait for the lock.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            busy(handle.read().strip() or "unknown")
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)


def send_lock(state_dir: Path, waiting: Callable[[str], None]) -> AbstractContextManager[None]:
    """Hold the one-sender-per-state-folder lock; wait for it (calling `waiting` with the
    holder's pid once) if another process is sending."""
    return pid_lock(state_dir / SEND_LOCK, waiting)
