"""Writes run in order on a thread of their own, while the caller makes the next outputs."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable


class Writer:
    """Runs writes in order on a thread of its own, at most `limit` bytes behind the caller.

    Writing a file is mostly the kernel copying bytes, which runs beside the caller's Python
    (it holds no lock), so the caller goes on to make the next outputs (and the other tree)
    while the writes catch up. After a write fails, the rest are skipped and the failure is
    raised to the caller by its next `put` or by `finish`.
    """

    def __init__(self, limit: int = 64 << 20) -> None:
        self.jobs: queue.SimpleQueue[tuple[Callable[[], None], int] | None] = queue.SimpleQueue()
        self.limit = limit
        self.behind = 0
        """The bytes of the writes put but not yet done."""
        self.done = threading.Condition()
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self.stopped = False

    def put(self, job: Callable[[], None], size: int = 0) -> None:
        self._raise()
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="publish", daemon=True)
            self.thread.start()
        with self.done:
            self.done.wait_for(lambda: self.behind == 0 or self.behind + size <= self.limit)
            self.behind += size
        self.jobs.put((job, size))

    def _run(self) -> None:
        while (work := self.jobs.get()) is not None:
            job, size = work
            if self.error is None and not self.stopped:
                try:
                    job()
                except BaseException as error:  # noqa: BLE001 (raised again on the caller's thread)
                    self.error = error
            with self.done:
                self.behind -= size
                self.done.notify()

    def finish(self) -> None:
        """Wait for every write; raise the first that failed."""
        self._join()
        self._raise()

    def stop(self) -> None:
        """Skip the writes not yet started and wait for the one under way."""
        self.stopped = True
        self._join()

    def _join(self) -> None:
        if self.thread is not None:
            self.jobs.put(None)
            self.thread.join()
            self.thread = None

    def _raise(self) -> None:
        if self.error is not None:
            error, self.error = self.error, None
            raise error
