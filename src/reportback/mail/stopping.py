"""Ctrl-C and SIGTERM during a send: they ask it to stop, as the daemon's stop does."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def stop_asked(given: threading.Event | None = None) -> Iterator[threading.Event]:
    """Take Ctrl-C (or SIGTERM, as a service manager stops it) as asking the send to stop: it
    hands over no new message, and records the outcome of those under way (an interrupt in
    the middle of one left a message the server took unrecorded, mailed again by the next
    send: an adversary helper had one member mailed five times in four interrupts). A second
    one stops it at once, as a kill does: a connection waiting on a server that does not
    answer was waited for (adversary helper 123). Only the main thread can take signals (the
    daemon sends on another, and stops its own way)."""
    asked = given or Asked()
    if threading.current_thread() is not threading.main_thread():
        yield asked
        return

    def stop(signum: int, frame: object) -> None:
        if asked.is_set():  # a second one stops at once, as a kill does
            print("stopped at once: the next digest send repeats at most the messages under "
                  "way", file=sys.stderr, flush=True)  # fmt: skip
            os._exit(128 + signum)
        asked.set()
        if isinstance(asked, Asked):
            asked.signum = signum
        print("stopping: the messages under way are finished and recorded (Ctrl-C again "
              "stops at once)", file=sys.stderr, flush=True)  # fmt: skip

    before = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield asked
    finally:
        for sig, was in before.items():
            signal.signal(sig, was)


class Asked(threading.Event):
    signum = 0  # a stop asked for, and by which signal
