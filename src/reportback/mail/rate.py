"""How fast messages are handed to the SMTP server (`[email] rate_per_second`)."""

from __future__ import annotations

import threading
import time


class SendRate:
    """Space sends at least 1/rate seconds apart across every connection."""

    def __init__(self, rate: float) -> None:
        self.gap = 1.0 / rate if rate > 0 else 0.0
        self.next = time.monotonic()
        self.lock = threading.Lock()

    def wait(self) -> None:
        if not self.gap:
            return
        with self.lock:
            now = time.monotonic()
            slot = max(now, self.next)
            self.next = slot + self.gap
        time.sleep(max(0.0, slot - now))
