"""A local SMTP sink (aiosmtpd) for the digest benchmark, run as its own process.

python -m bench.sink PORT STATUS.json — accepts every message, counts messages and distinct
recipients, and rewrites STATUS.json four times a second (and on SIGTERM) so the benchmark
can watch progress without sharing memory with the sender.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class Counting:
    def __init__(self) -> None:
        self.recipients: Counter[str] = Counter()
        self.messages = 0
        self.bytes = 0
        self.duplicates = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages += 1
            self.bytes += len(envelope.content)
            for rcpt in envelope.rcpt_tos:
                self.duplicates += self.recipients[rcpt] > 0
                self.recipients[rcpt] += 1
        return "250 2.0.0 accepted"

    def status(self) -> dict[str, int]:
        with self.lock:
            return {
                "messages": self.messages,
                "recipients": len(self.recipients),
                "duplicates": self.duplicates,
                "bytes": self.bytes,
            }


def main(port: int, status_path: Path) -> None:
    handler = Counting()
    controller = Controller(handler, hostname="127.0.0.1", port=port, data_size_limit=10**7)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    def write() -> None:
        temp = status_path.with_suffix(".tmp")
        temp.write_text(json.dumps(handler.status()))
        temp.replace(status_path)

    write()
    while not stop.is_set():
        time.sleep(0.25)
        write()
    controller.stop()
    write()


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
