"""When weekly and monthly digests fall due, in the site's local time."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from reportback.config import Config, monthly_spec, weekly_spec
from reportback.mail import ledger


def last_slot(now: datetime, kind: str, spec: str, zone: ZoneInfo) -> datetime:
    """Return the latest scheduled instant at or before `now` for a weekly or monthly spec."""
    local = now.astimezone(zone)
    if kind == "weekly":
        weekday, at = weekly_spec(spec)
        day = local.date() - timedelta(days=(local.weekday() - weekday) % 7)
        slot = datetime.combine(day, at, zone)
        return slot if slot <= now else datetime.combine(day - timedelta(days=7), at, zone)
    day_of_month, at = monthly_spec(spec)
    slot = datetime.combine(date(local.year, local.month, day_of_month), at, zone)
    if slot <= now:
        return slot
    year, month = (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)
    return datetime.combine(date(year, month, day_of_month), at, zone)


def next_slot(now: datetime, kind: str, spec: str, zone: ZoneInfo) -> datetime:
    """Return the first scheduled instant after `now`."""
    probe = now + timedelta(days=7 if kind == "weekly" else 32)
    slot = last_slot(probe, kind, spec, zone)
    while True:
        earlier = last_slot(slot - timedelta(seconds=1), kind, spec, zone)
        if earlier <= now:
            return slot
        slot = earlier


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
