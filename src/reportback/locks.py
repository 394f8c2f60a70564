"""Locks on the state folder, held with flock (released by the kernel if the holder dies)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

SEND_LOCK = "send.lock"


@contextmanager
def send_lock(state_dir: Path, waiting: Callable[[str], None]) -> Iterator[None]:
    """Hold the one-sender-per-state-folder lock; wait for it (calling `waiting` with the
    holder's pid once) if another process is sending."""
    state_dir.mkdir(parents=True, exist_ok=True)
    with (state_dir / SEND_LOCK).open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            waiting(handle.read().strip() or "unknown")
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
