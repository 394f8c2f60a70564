"""The subscriber store: the one writer of the subscribers and suppressed tables.

Members come in by import and readers by the subscribe form (pending until confirmed); any
of them may be listed, counted, changed, unsubscribed, suppressed after bouncing, or erased.
A function that takes no transaction of its own runs in its caller's (`database.atomic`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from reportback.database import atomic, utc
from reportback.mail.addresses import address_hash
from reportback.mail.members import Member
from reportback.output.consent import WORDING

IMPORT_WORDING = "Imported from the party membership list"
HARD_FAILURES_TO_SUPPRESS = 3


def import_members(
    db: sqlite3.Connection, members: list[Member], now: datetime
) -> tuple[int, int, int]:
    """Add or update members in one transaction; never re-subscribe a suppressed address."""
    added = updated = suppressed = 0
    with atomic(db):
        for m in members:
            back = _consented_since_suppressed(db, m)
            if back is False:
                suppressed += 1
                continue
            current = db.execute(
                "SELECT status FROM subscribers WHERE email = ?", (m.email,)
            ).fetchone()
            if current is not None and (
                current[0] == "unsubscribed" or (current[0] == "bounced" and not back)
            ):
                suppressed += 1
                continue
            if current is None:
                added += 1
            else:
                updated += 1
            db.execute(
                "INSERT INTO subscribers (email, name, clp, cadence, audience, status, source, "
                "consent_date, consent_wording, created_at) "
                "VALUES (?, ?, ?, COALESCE(?, 'weekly'), 'members', 'active', 'import', ?, ?, ?) "
                "ON CONFLICT(email) DO UPDATE SET name = COALESCE(NULLIF(excluded.name, ''), "
                "subscribers.name), clp = excluded.clp, "
                "cadence = COALESCE(?, subscribers.cadence), audience = 'members', "
                "cadence_at = CASE WHEN COALESCE(?, subscribers.cadence) != subscribers.cadence "
                "THEN ? ELSE subscribers.cadence_at END, status = 'active', "
                "consent_date = COALESCE(excluded.consent_date, subscribers.consent_date)",
                (
                    m.email,
                    m.name,
                    m.clp,
                    m.cadence,
                    m.consent_date,
                    IMPORT_WORDING,
                    utc(now),
                    m.cadence,  # none given: a known subscriber keeps the one they chose
                    m.cadence,
                    utc(now),  # changed: chosen now
                ),
            )
            if back:  # they join again now: nothing published before reaches them
                db.execute(
                    "UPDATE subscribers SET hard_failures = 0, created_at = ? WHERE email = ?",
                    (utc(now), m.email),
                )
            elif current is not None and current[0] == "lapsed":
                _close_gap(db, m.email)
    return added, updated, suppressed


def absent_members(db: sqlite3.Connection, listed: set[str], lapse: bool) -> int:
    """Return how many active members (imported) are not at the addresses `listed`; with
    `lapse`, mark them lapsed: they get nothing more, members' material least of all, until
    an import lists them again (subscribing on the website, they get the public version).
    Those not active (unsubscribed, bounced) keep their status, but are members no more
    (held-out round D3: one unsubscribed, left the party, then subscribed on the website, and
    got members' material again)."""
    rows = db.execute(
        "SELECT id, email, status FROM subscribers WHERE audience = 'members'"
    ).fetchall()
    gone = [(subscriber, status) for subscriber, email, status in rows if email not in listed]
    if lapse:
        with atomic(db):
            db.executemany(
                "UPDATE subscribers SET audience = 'public', "
                "status = CASE status WHEN 'active' THEN 'lapsed' ELSE status END WHERE id = ?",
                ((subscriber,) for subscriber, _ in gone),
            )
            db.executemany(  # a gap opens: what is published from now on never reaches them
                "INSERT INTO gaps (subscriber_id, from_seq) SELECT ?, n FROM clock",
                ((subscriber,) for subscriber, status in gone if status == "active"),
            )
    return sum(status == "active" for _, status in gone)


def _close_gap(db: sqlite3.Connection, email: str) -> None:
    """Close the gap of a lapsed member listed again: what was published while they lapsed
    never reaches them; what was published before, and not yet mailed, still does (held-out
    round D3: a lapse lost it for good)."""
    db.execute("UPDATE clock SET n = n + 1")
    db.execute(
        "UPDATE gaps SET to_seq = (SELECT n FROM clock) WHERE to_seq IS NULL AND "
        "subscriber_id = (SELECT id FROM subscribers WHERE email = ?)",
        (email,),
    )


def _consented_since_suppressed(db: sqlite3.Connection, m: Member) -> bool | None:
    """Tell whether a suppressed (erased or bounced) address comes back, and lift its
    suppression if so: only with a consent dated on or after the day it was suppressed.
    None if it was never suppressed."""
    row = db.execute("SELECT at FROM suppressed WHERE hash = ?", (address_hash(m.email),))
    found = row.fetchone()
    if found is None:
        return None
    if m.consent_date is None or m.consent_date < str(found[0])[:10]:
        return False
    db.execute("DELETE FROM suppressed WHERE hash = ?", (address_hash(m.email),))
    return True


def suppress(db: sqlite3.Connection, email: str, reason: str, now: datetime) -> None:
    """Record that an address must never be mailed again (kept only as a hash)."""
    db.execute(
        "INSERT OR IGNORE INTO suppressed (hash, reason, at) VALUES (?, ?, ?)",
        (address_hash(email), reason, utc(now)),
    )


def remove(db: sqlite3.Connection, email: str, now: datetime) -> bool:
    """Erase a subscriber's personal data, keeping only a hashed suppression entry."""
    address = email.strip().lower()
    with atomic(db):
        row = db.execute("SELECT id FROM subscribers WHERE email = ?", (address,)).fetchone()
        suppress(db, address, "erased", now)
        if row is not None:
            db.execute("DELETE FROM subscribers WHERE id = ?", row)
            db.execute(
                "UPDATE outbox SET email = '', status = CASE status WHEN 'sent' THEN 'sent' "
                "ELSE 'cancelled' END WHERE subscriber_id = ?",
                row,
            )
            db.execute(
                "UPDATE notices SET email = '', status = CASE status WHEN 'sent' THEN 'sent' "
                "ELSE 'cancelled' END WHERE subscriber_id = ?",
                row,
            )
    return row is not None


@dataclass(frozen=True)
class Subscriber:
    id: int
    email: str
    name: str
    clp: str
    cadence: str
    audience: str
    status: str
    created_at: str


SUBSCRIBER = "SELECT id, email, name, clp, cadence, audience, status, created_at FROM subscribers"


def listing(db: sqlite3.Connection) -> Iterator[Subscriber]:
    for row in db.execute(f"{SUBSCRIBER} ORDER BY clp, email"):
        yield Subscriber(*row)


def counts(db: sqlite3.Connection, by: str) -> list[tuple[str, int]]:
    """Return subscriber counts grouped by 'clp', 'cadence', 'status' or 'audience'."""
    assert by in ("clp", "cadence", "status", "audience")
    query = f"SELECT {by}, COUNT(*) FROM subscribers GROUP BY {by} ORDER BY {by}"
    return [(str(k), int(n)) for k, n in db.execute(query)]


@dataclass(frozen=True)
class Person:
    """A subscriber as a link in an email names them (the subscription pages, a confirmation)."""

    id: int
    email: str
    clp: str
    cadence: str
    status: str
    audience: str


PERSON = "SELECT id, email, clp, cadence, status, audience FROM subscribers"


def find(db: sqlite3.Connection, subscriber: int, hash_prefix: str) -> Person | None:
    """Return the subscriber a token names, if the address still matches."""
    row = db.execute(f"{PERSON} WHERE id = ?", (subscriber,)).fetchone()
    if row is None or address_hash(row[1])[:16] != hash_prefix:
        return None
    return Person(*row)


def find_pending(db: sqlite3.Connection, subscriber: int, email: str) -> Person | None:
    """Return the subscriber `subscriber` if still pending at `email` (not erased, confirmed)."""
    row = db.execute(
        f"{PERSON} WHERE id = ? AND email = ? AND status = 'pending'", (subscriber, email)
    ).fetchone()
    return Person(*row) if row else None


def find_active(db: sqlite3.Connection, subscriber: int, email: str) -> Person | None:
    """Return the subscriber `subscriber` if still active at `email` (not erased, left)."""
    row = db.execute(
        f"{PERSON} WHERE id = ? AND email = ? AND status = 'active'", (subscriber, email)
    ).fetchone()
    return Person(*row) if row else None


def is_suppressed(db: sqlite3.Connection, email: str) -> bool:
    """Tell whether an address was erased or suppressed (it is never mailed again)."""
    found = db.execute("SELECT 1 FROM suppressed WHERE hash = ?", (address_hash(email),))
    return found.fetchone() is not None


def find_by_email(db: sqlite3.Connection, email: str) -> Subscriber | None:
    """Return the subscriber at `email`, if any."""
    row = db.execute(f"{SUBSCRIBER} WHERE email = ?", (email,)).fetchone()
    return Subscriber(*row) if row else None


def pend(db: sqlite3.Connection, email: str, clp: str, cadence: str, now: datetime) -> Person:
    """Record a subscribe request: a new address, or a known one again, pending as of `now`
    (in the caller's transaction)."""
    known = find_by_email(db, email)
    if known is None:
        cursor = db.execute(
            "INSERT INTO subscribers (email, clp, cadence, audience, status, source, "
            "created_at) VALUES (?, ?, ?, 'public', 'pending', 'form', ?)",
            (email, clp, cadence, utc(now)),
        )
        person_id = int(cursor.lastrowid or 0)
    else:
        db.execute(
            "UPDATE subscribers SET status = 'pending', clp = ?, cadence = ?, "
            "created_at = ? WHERE id = ?",
            (clp, cadence, utc(now), known.id),
        )
        person_id = known.id
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


def change(db: sqlite3.Connection, person: Person, clp: str, cadence: str, now: datetime) -> None:
    """Change a subscriber's CLP and cadence; a cadence changed is chosen `now`."""
    db.execute(
        "UPDATE subscribers SET clp = ?, cadence = ?, cadence_at = CASE WHEN cadence != ? "
        "THEN ? ELSE cadence_at END WHERE id = ?",
        (clp, cadence, cadence, utc(now), person.id),
    )


def record_hard_failure(db: sqlite3.Connection, subscriber: int, email: str, now: datetime) -> bool:
    """Count a permanent failure to deliver to `email`; after HARD_FAILURES_TO_SUPPRESS,
    mark the subscriber bounced and suppress the address. Return True if it is now
    suppressed (in the caller's transaction)."""
    db.execute(
        "UPDATE subscribers SET hard_failures = hard_failures + 1 WHERE id = ?", (subscriber,)
    )
    failures = db.execute(
        "SELECT hard_failures FROM subscribers WHERE id = ?", (subscriber,)
    ).fetchone()
    if failures is not None and failures[0] >= HARD_FAILURES_TO_SUPPRESS:
        db.execute("UPDATE subscribers SET status = 'bounced' WHERE id = ?", (subscriber,))
        suppress(db, email, "bounced", now)
        return True
    return False


def mend_joined_ahead(db: sqlite3.Connection, now: datetime) -> None:
    """Date a subscriber who joined, or chose a cadence, after `now` now (`cadences`), in the
    same place among the reports as before: redated, a subscriber is numbered as joining
    anew (`subscriber_rejoins`), after every report published, which then reached no one
    (adversary helper 151: a send at a clock set back, or `--now` in the past)."""
    ahead = db.execute("SELECT id, joined FROM subscribers WHERE created_at > ?", (utc(now),))
    joined = ahead.fetchall()
    for column in ("created_at", "cadence_at"):
        db.execute(f"UPDATE subscribers SET {column} = ? WHERE {column} > ?", (utc(now),) * 2)
    db.executemany("UPDATE subscribers SET joined = ? WHERE id = ?", [(j, i) for i, j in joined])
