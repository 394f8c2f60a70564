"""Remind the rep when a meeting in meetings.yaml has no published report after a few days."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import yaml

from .config import Config
from .delivery import send_notice
from .errors import InputRefused, problem
from .state import utc

MEETINGS = "meetings.yaml"


@dataclass(frozen=True)
class Meeting:
    meeting: str
    day: date


def meetings(config: Config) -> list[Meeting]:
    """Read meetings.yaml beside the configuration: a list of {meeting, date}."""
    path = config.root / MEETINGS
    if not path.exists():
        return []
    try:
        values = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as exc:
        raise InputRefused([problem(path, 1, f"not valid YAML: {exc}")]) from exc
    found: list[Meeting] = []
    for number, item in enumerate(values if isinstance(values, list) else [None], start=1):
        if not (isinstance(item, dict) and set(item) == {"meeting", "date"}):
            raise InputRefused([problem(path, 1, f"entry {number} must be {{meeting, date}}")])
        day = item["date"]
        if not isinstance(day, date):
            raise InputRefused([problem(path, 1, f"entry {number}: date must be YYYY-MM-DD")])
        found.append(Meeting(str(item["meeting"]), day))
    return found


def due(
    db: sqlite3.Connection, config: Config, reported: set[tuple[str, date]], now: datetime
) -> list[Meeting]:
    """Return meetings past their reminder day with no published report and no reminder yet."""
    late = timedelta(days=config.schedule.reminder_days)
    out: list[Meeting] = []
    for m in meetings(config):
        if m.day + late > now.date() or (m.meeting, m.day) in reported:
            continue
        sent = db.execute(
            "SELECT 1 FROM reminders WHERE meeting = ? AND day = ?", (m.meeting, m.day.isoformat())
        ).fetchone()
        if sent is None:
            out.append(m)
    return out


def send(config: Config, meeting: Meeting, now: datetime) -> bool:
    """Email the rep (reply_to, else from) about a meeting with no report; True if taken."""
    rep = config.email.reply_to or config.email.from_
    subject = f"Reminder: no report yet for the {meeting.meeting} of {meeting.day:%-d %B %Y}"
    text = (
        f"The {meeting.meeting} met on {meeting.day:%-d %B %Y}, "
        f"{config.schedule.reminder_days} or more days ago, and no report of it has been "
        "published yet.\n\nYou promised to report back in writing after every meeting: "
        "write it with `reportback new`, then build.\n"
    )
    return send_notice(config.email, config.path("state") / "reminders", rep, subject, text, now)


def record(db: sqlite3.Connection, meeting: Meeting, now: datetime) -> None:
    db.execute(
        "INSERT OR IGNORE INTO reminders VALUES (?, ?, ?)",
        (meeting.meeting, meeting.day.isoformat(), utc(now)),
    )
