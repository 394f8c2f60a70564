"""Self-service subscriptions: pending until confirmed, one-click unsubscribe, preferences."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urljoin

from reportback.config import Config
from reportback.database import atomic, utc
from reportback.mail.smtp import send_notice
from reportback.mail.subscribers import address_hash
from reportback.mail.tokens import CONFIRM, Tokens
from reportback.model import CADENCES
from reportback.output.consent import WORDING

CONFIRM_DAYS = 3
RESEND_AFTER = timedelta(days=CONFIRM_DAYS)
"""A pending address gets no second confirmation while the first link still works."""


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    clp: str
    cadence: str
    status: str
    audience: str


def find(db: sqlite3.Connection, subscriber: int, hash_prefix: str) -> Person | None:
    """Return the subscriber a token names, if the address still matches."""
    row = db.execute(
        "SELECT id, email, clp, cadence, status, audience FROM subscribers WHERE id = ?",
        (subscriber,),
    ).fetchone()
    if row is None or address_hash(row[1])[:16] != hash_prefix:
        return None
    return Person(*row)


def request(db: sqlite3.Connection, email: str, clp: str, cadence: str, now: datetime) -> bool:
    """Record a subscription request and queue its confirmation; return whether one was.

    Nothing distinguishes the outcomes to the requester: an erased or suppressed address is
    neither stored nor mailed, an active subscriber gets no email, and a pending one gets
    nothing more until its first confirmation link has expired. The confirmation is sent
    apart from the request (`notices`), so that no answer takes longer than another.
    """
    person = _request(db, email, clp, cadence, now)
    return person is not None


def _request(
    db: sqlite3.Connection, email: str, clp: str, cadence: str, now: datetime
) -> Person | None:
    assert cadence in CADENCES
    with atomic(db):
        suppressed = db.execute(
            "SELECT 1 FROM suppressed WHERE hash = ?", (address_hash(email),)
        ).fetchone()
        row = db.execute(
            "SELECT id, status, created_at FROM subscribers WHERE email = ?", (email,)
        ).fetchone()
        if suppressed is not None or (row is not None and row[1] == "bounced"):
            return None  # erased stays erased: only the operator brings them back
        if row is None:
            cursor = db.execute(
                "INSERT INTO subscribers (email, clp, cadence, audience, status, source, "
                "created_at) VALUES (?, ?, ?, 'public', 'pending', 'form', ?)",
                (email, clp, cadence, utc(now)),
            )
            person_id = int(cursor.lastrowid or 0)
        elif row[1] == "active":
            return None
        else:
            if row[1] == "pending" and datetime.fromisoformat(row[2]) > now - RESEND_AFTER:
                return None
            db.execute(
                "UPDATE subscribers SET status = 'pending', clp = ?, cadence = ?, "
                "created_at = ? WHERE id = ?",
                (clp, cadence, utc(now), row[0]),
            )
            person_id = int(row[0])
        db.execute(
            "INSERT INTO notices (subscriber_id, email, created_at, status) "
            "VALUES (?, ?, ?, 'queued')",
            (person_id, email, utc(now)),
        )
    return Person(person_id, email, clp, cadence, "pending", "public")


def confirm(db: sqlite3.Connection, person: Person, source: str, now: datetime) -> bool:
    """Activate a pending subscription and record consent; False if it was not pending."""
    cursor = db.execute(
        "UPDATE subscribers SET status = 'active', consent_date = ?, consent_wording = ?, "
        "source = ?, created_at = ?, hard_failures = 0 WHERE id = ? AND status = 'pending'",
        (utc(now), WORDING, source, utc(now), person.id),
    )
    return bool(cursor.rowcount)


def unsubscribe(db: sqlite3.Connection, person: Person) -> bool:
    """Unsubscribe; return False if already unsubscribed (the result is the same)."""
    cursor = db.execute(
        "UPDATE subscribers SET status = 'unsubscribed' WHERE id = ? AND status != 'unsubscribed'",
        (person.id,),
    )
    return bool(cursor.rowcount)


def change(db: sqlite3.Connection, person: Person, clp: str, cadence: str) -> None:
    db.execute(
        "UPDATE subscribers SET clp = ?, cadence = ? WHERE id = ?", (clp, cadence, person.id)
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
