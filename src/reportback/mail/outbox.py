"""The outbox folder: each message written as an .eml file (no SMTP server set, or a dry run)."""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path

from reportback.mail.smtp import Job, Outcome, Report

MESSAGE_ID = re.compile(rb"(?im)^Message-ID:[ \t]*<[^>\r\n]+>")


class OutboxFolder:
    """Write each message as an .eml file (no SMTP configured, or a dry run)."""

    def __init__(self, folder: Path, fresh: bool = False) -> None:
        self.folder = folder
        self.fresh = fresh  # only this run's (a dry run's: each reader twice, helper 136)

    def deliver(
        self,
        jobs: Iterable[Job],
        report: Report,
        handing: Report | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        old = time.time() - 3600  # a killed send's half-written message, not `serve`'s now
        dry = self.folder.glob("*.eml") if self.fresh else ()
        for left in [*dry, *self.folder.glob(".*.tmp")]:
            with suppress(OSError):
                if left.suffix == ".eml" or left.stat().st_mtime < old:
                    left.unlink()
        for job in jobs:
            if not self._written_before(job):
                self._write(job)
            report(Outcome(job.row, "sent"))

    def _written_before(self, job: Job) -> bool:
        """Whether a killed send wrote this very message (its Message-ID): delivered (136)."""
        try:  # (the first 8 KB: its head)
            head = (self.folder / f"{job.row:09d}.eml").read_bytes()[:8192]
        except OSError:
            return False
        return (found := MESSAGE_ID.search(head)) is not None and found[0] in job.data[:8192]

    def _write(self, job: Job) -> Path:
        """Write one message under a free name, safely against other threads and processes."""
        fd, temp = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(job.data)
            again = 1
            while True:
                name = f"{job.row:09d}.eml" if again == 1 else f"{job.row:09d}-{again}.eml"
                try:
                    os.link(temp, self.folder / name)  # fails if the name is taken: no race
                    return self.folder / name
                except FileExistsError:
                    again += 1
        finally:
            Path(temp).unlink()
