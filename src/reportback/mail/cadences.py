"""When weekly and monthly digests fall due, in the site's local time."""

from __future__ import annotations

import re
import sqlite3
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from reportback.errors import InputRefused, problem

if TYPE_CHECKING:
    from reportback.config import Config

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _clock(text: str) -> time | None:
    """Return the time of day "HH:MM" names, or None if there is none (25:99)."""
    hours, minutes = text.split(":")
    try:
        return time(int(hours), int(minutes))
    except ValueError:
        return None


def weekly_spec(spec: str) -> tuple[int, time]:
    """Return (weekday, time of day) of a weekly spec such as "mon 07:00" (Monday is 0)."""
    match = re.fullmatch(r"(mon|tue|wed|thu|fri|sat|sun)\s+(\d{1,2}:\d{2})", spec.strip().lower())
    if not match or _clock(match.group(2)) is None:
        raise _bad("weekly", spec, '"mon 07:00"')
    return WEEKDAYS.index(match.group(1)), _clock(match.group(2)) or time()


def monthly_spec(spec: str) -> tuple[int, time]:
    """Return (day of month, time of day) of a monthly spec such as "1 07:00"."""
    match = re.fullmatch(r"(\d{1,2})\s+(\d{1,2}:\d{2})", spec.strip())
    if not match or not 1 <= int(match.group(1)) <= 28 or _clock(match.group(2)) is None:
        raise _bad("monthly", spec, '"1 07:00" (a day from 1 to 28)')
    return int(match.group(1)), _clock(match.group(2)) or time()


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
    from reportback.mail import (
        ledger,  # loading a config checks the specs above; it needs no ledger
    )

    zone = ZoneInfo(config.site.timezone)
    due = ["immediate"]
    for kind, spec in (("weekly", config.schedule.weekly), ("monthly", config.schedule.monthly)):
        last = ledger.last_send(db, kind)
        if last is None or last < last_slot(now, kind, spec, zone):
            due.append(kind)
    return tuple(due)


def _bad(kind: str, spec: str, example: str) -> InputRefused:
    return InputRefused(
        [problem("reportback.toml", 1, f"[schedule] {kind} = {spec!r} is not like {example}")]
    )
