"""The subscriber store: import members from a CSV, list, count and erase subscribers."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from reportback.clps import Directory, did_you_mean
from reportback.database import atomic, utc
from reportback.errors import InputRefused, Problem, problem
from reportback.model import CADENCES

COLUMNS = ("email", "name", "clp", "cadence", "consent_date")
IMPORT_WORDING = "Imported from the party membership list"


@dataclass(frozen=True)
class Member:
    """One validated row of a members CSV."""

    line: int
    email: str
    name: str
    clp: str
    cadence: str
    consent_date: str | None


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    suppressed: int
    skipped: tuple[Problem, ...]
    warnings: tuple[str, ...]


def normalise(address: str) -> str:
    """Return an address as stored: validated syntax (no DNS), lower-case."""
    return str(validate_email(address.strip(), check_deliverability=False).normalized).lower()


def address_hash(address: str) -> str:
    """Return the hash kept for an erased or suppressed address (never the address itself)."""
    return hashlib.sha256(address.strip().lower().encode("utf-8")).hexdigest()


def read_members(path: Path, directory: Directory) -> tuple[list[Member], list[Problem], list[str]]:
    """Parse and validate a members CSV; return good rows, bad rows and warnings."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InputRefused([problem(path, 1, f"cannot read: {exc.strerror}")]) from exc
    except UnicodeDecodeError as exc:
        raise InputRefused([problem(path, 1, "not UTF-8 text")]) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in ("email", "clp") if c not in header]
    if missing:
        raise InputRefused([problem(path, 1, f"missing column {missing[0]!r} in the header row")])
    extra = [h for h in header if h not in COLUMNS]
    warnings = [f"{path}:1: ignoring columns: {', '.join(extra)}"] if extra else []
    by_name = {c.name.casefold(): c.slug for c in directory.clps}
    members: list[Member] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    end = reader.line_num
    for row in reader:
        line, end = end + 1, reader.line_num  # where the row starts (a quoted cell may span lines)
        if not any(cell.strip() for cell in row):
            continue
        values = dict(zip(header, (cell.strip() for cell in row), strict=False))
        found = _member(values, line, by_name, directory)
        if isinstance(found, str):
            problems.append(problem(path, line, found))
        elif found.email in seen:
            problems.append(
                problem(path, line, f"{found.email} already on line {seen[found.email]}")
            )
        else:
            seen[found.email] = line
            members.append(found)
    return members, problems, warnings


def _member(
    values: dict[str, str], line: int, by_name: dict[str, str], directory: Directory
) -> Member | str:
    try:
        email = normalise(values.get("email", ""))
    except EmailNotValidError as exc:
        return f"bad email address {values.get('email', '')!r}: {exc}"
    clp = values.get("clp", "")
    slug = clp if clp in directory.by_slug else by_name.get(clp.casefold())
    if slug is None:
        close = did_you_mean(clp, directory.by_slug)
        return f"unknown CLP {clp!r}{close or ' (use its slug or exact name)'}"
    cadence = (values.get("cadence") or "weekly").lower()
    if cadence not in CADENCES:
        return f"cadence must be one of {', '.join(CADENCES)}, not {cadence!r}"
    consent = values.get("consent_date") or None
    if consent is not None:
        try:
            consent = date.fromisoformat(consent).isoformat()
        except ValueError:
            return f"consent_date must be a date (YYYY-MM-DD), not {consent!r}"
    name = values.get("name", "")
    if not _plain_name(name):
        return f"name {name!r} holds a line break or another control character"
    return Member(line, email, name, slug, cadence, consent)


CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _plain_name(name: str) -> bool:
    """Tell whether a name is free of control characters, as typed and as a mail reader
    would decode it (an encoded word can hide a line break)."""
    try:
        decoded = str(make_header(decode_header(name))) if "=?" in name else name
    except (HeaderParseError, LookupError, UnicodeError, ValueError):
        return False
    return not (CONTROL.search(name) or CONTROL.search(decoded))


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
                "VALUES (?, ?, ?, ?, 'members', 'active', 'import', ?, ?, ?) "
                "ON CONFLICT(email) DO UPDATE SET name = excluded.name, clp = excluded.clp, "
                "cadence = excluded.cadence, audience = 'members', status = 'active', "
                "consent_date = COALESCE(excluded.consent_date, subscribers.consent_date)",
                (
                    m.email,
                    m.name,
                    m.clp,
                    m.cadence,
                    m.consent_date,
                    IMPORT_WORDING,
                    utc(now),
                ),
            )
            if back:  # they join again now: nothing published before reaches them
                db.execute(
                    "UPDATE subscribers SET hard_failures = 0, created_at = ? WHERE email = ?",
                    (utc(now), m.email),
                )
    return added, updated, suppressed


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


def listing(db: sqlite3.Connection) -> Iterator[Subscriber]:
    query = (
        "SELECT id, email, name, clp, cadence, audience, status, created_at FROM subscribers "
        "ORDER BY clp, email"
    )
    for row in db.execute(query):
        yield Subscriber(*row)


def counts(db: sqlite3.Connection, by: str) -> list[tuple[str, int]]:
    """Return subscriber counts grouped by 'clp', 'cadence', 'status' or 'audience'."""
    assert by in ("clp", "cadence", "status", "audience")
    query = f"SELECT {by}, COUNT(*) FROM subscribers GROUP BY {by} ORDER BY {by}"
    return [(str(k), int(n)) for k, n in db.execute(query)]
