"""Remind the rep when a meeting in meetings.yaml has no published report after a few days."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from reportback.config import Config
from reportback.database import utc
from reportback.mail.notices import send_notice
from reportback.record import register
from reportback.record.register import Meeting

__all__ = ["Meeting", "due", "meetings", "record", "send"]


def meetings(config: Config) -> list[Meeting]:
    """Read the meetings register beside the configuration (the record reads the same)."""
    return list(register.load(config.root))


def due(
    db: sqlite3.Connection, config: Config, reported: set[tuple[str, date]], now: datetime
) -> list[Meeting]:
    """Return meetings past their reminder day with no published report and no reminder yet."""
    late = config.schedule.reminder_days  # counted: that many days on may be past year 9999
    out: list[Meeting] = []
    done = {(meeting.casefold(), day) for meeting, day in reported}
    for m in meetings(config):
        if m.status != "held" or not m.attended:  # nothing to report
            continue
        if (now.date() - m.day).days < late or (m.meeting.casefold(), m.day) in done:
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
    return send_notice(config, config.path("state") / "reminders", rep, subject, text, now)


def record(db: sqlite3.Connection, meeting: Meeting, now: datetime) -> None:
    db.execute(
        "INSERT OR IGNORE INTO reminders VALUES (?, ?, ?)",
        (meeting.meeting, meeting.day.isoformat(), utc(now)),
    )
