"""When weekly and monthly digests fall due, in the site's local time."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from reportback.config import Config, monthly_spec, weekly_spec
from reportback.mail import ledger


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
    """Return the cadences to send now: immediate always; weekly and monthly once per slot."""
    zone = ZoneInfo(config.site.timezone)
    due = ["immediate"]
    for kind, spec in (("weekly", config.schedule.weekly), ("monthly", config.schedule.monthly)):
        last = ledger.last_send(db, kind)  # after `now`: a mistyped --now ahead, or a clock
        if last is None or last > now or last < last_slot(now, kind, spec, zone):  # set back
            due.append(kind)  # each report reaches a subscriber once whatever runs
    return tuple(due)
