"""Confirmation emails, queued by a subscribe request and sent apart from it.

A request only adds a row (in the transaction that records the pending subscription), so
that answering it takes the same time whether or not the address was known. A sender
thread in `reportback serve` (and the daemon, on each tick) claims each row in one SQLite
transaction before sending it, so two senders never send the same confirmation.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urljoin

from reportback import database
from reportback.config import Config
from reportback.database import atomic, utc
from reportback.errors import ExternalFailure
from reportback.mail.smtp import send_notice
from reportback.mail.subscribers import Person, find_pending
from reportback.mail.tokens import CONFIRM, Tokens

log = logging.getLogger("reportback")
CONFIRM_DAYS = 3
"""How long a confirmation link works."""
RECLAIM_AFTER = timedelta(minutes=10)
"""A row claimed this long ago by a sender that never finished (it died) is sent again."""
MAX_ATTEMPTS = 5


def queue(db: sqlite3.Connection, person: Person, now: datetime) -> None:
    """Queue the confirmation of `person`'s pending subscription (in the caller's transaction)."""
    db.execute(
        "INSERT INTO notices (subscriber_id, email, created_at, status) VALUES (?, ?, ?, 'queued')",
        (person.id, person.email, utc(now)),
    )


def send_queued(config: Config, tokens: Tokens, now: datetime) -> int:
    """Send every queued confirmation; return how many were handed over."""
    sent = 0
    with database.opened(config.path("state")) as db:
        while (claimed := _claim(db, now)) is not None:
            notice, person = claimed
            try:
                ok = person is not None and send_confirmation(config, tokens, person, now)
                error = "" if ok else "not taken by the server"
            except (ExternalFailure, ValueError) as exc:
                ok, error = False, str(exc)
            _settle(db, notice, person is not None, ok, error, now)
            sent += ok
    return sent


def _claim(db: sqlite3.Connection, now: datetime) -> tuple[int, Person | None] | None:
    """Claim the next queued notice in one transaction; return it and its pending person."""
    with atomic(db):
        row = db.execute(
            "SELECT id, subscriber_id, email FROM notices WHERE status = 'queued' "
            "OR (status = 'sending' AND claimed_at < ?) ORDER BY id LIMIT 1",
            (utc(now - RECLAIM_AFTER),),
        ).fetchone()
        if row is None:
            return None
        db.execute(
            "UPDATE notices SET status = 'sending', claimed_at = ?, attempts = attempts + 1 "
            "WHERE id = ?",
            (utc(now), row[0]),
        )
        return row[0], find_pending(db, row[1], row[2])


def _settle(
    db: sqlite3.Connection, notice: int, wanted: bool, ok: bool, error: str, now: datetime
) -> None:
    if not wanted:  # erased or confirmed meanwhile: nothing to send
        db.execute("UPDATE notices SET status = 'cancelled' WHERE id = ?", (notice,))
    elif ok:
        db.execute(
            "UPDATE notices SET status = 'sent', sent_at = ? WHERE id = ?", (utc(now), notice)
        )
    else:
        log.warning("confirmation %d not sent: %s", notice, error)
        db.execute(
            "UPDATE notices SET status = CASE WHEN attempts >= ? THEN 'failed' ELSE 'queued' "
            "END, last_error = ? WHERE id = ?",
            (MAX_ATTEMPTS, error, notice),
        )


def send_confirmation(config: Config, tokens: Tokens, person: Person, now: datetime) -> bool:
    """Email the confirmation link; return whether the server (or outbox) took it."""
    token = tokens.make(person.id, person.email, CONFIRM)
    link = urljoin(config.site.base, f"confirm?token={token}")
    text = (
        f"Someone, probably you, asked to get the reports of {config.site.title} by email.\n\n"
        f"To confirm, open this link within {CONFIRM_DAYS} days:\n\n{link}\n\n"
        "If it was not you, ignore this email: you will not hear from us again.\n"
    )
    subject = f"Confirm your subscription — {config.site.title}"
    outbox = config.path("state") / "confirmations"
    return send_notice(config.email, outbox, person.email, subject, text, now)


class Sender:
    """A thread that sends queued confirmations when woken, and every `period` seconds."""

    def __init__(
        self, config: Config, tokens: Tokens, clock: Callable[[], datetime], period: float = 30
    ) -> None:
        self.config, self.tokens, self.clock, self.period = config, tokens, clock, period
        self.wake = threading.Event()
        self.stopping = False
        self.thread = threading.Thread(target=self._run, name="confirmations", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping = True
        self.wake.set()
        self.thread.join(timeout=30)

    def _run(self) -> None:
        while not self.stopping:
            try:
                send_queued(self.config, self.tokens, self.clock())
            except Exception:  # the server must keep answering: logged, and retried next time
                log.exception("sending confirmations failed; retrying later")
            self.wake.wait(self.period)
            self.wake.clear()
