"""The accountability record: every meeting, whether and how soon it was reported, and every
public decision with the rep's vote.

Days are counted between local dates in the site's time zone: a meeting on the 20th
reported at 00:30 on the 21st (local) took one day, whatever the offset from UTC.
"""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from reportback.model import Decision
from reportback.record.register import Meeting

STATUSES = ("reported", "not-reported", "cancelled", "postponed", "upcoming", "absent")
CSV_COLUMNS = ("date", "meeting", "item", "decision", "vote", "url")


@dataclass(frozen=True)
class Reported:
    """A published report, as the record sees it: public fields only."""

    slug: str
    title: str
    meeting: str
    day: date
    published: datetime | None
    tags: tuple[str, ...]
    decisions: tuple[Decision, ...]


@dataclass(frozen=True)
class MeetingRow:
    """One meeting of the record."""

    meeting: str
    day: date
    status: str
    report: str | None
    """The report's slug, if it was reported."""
    published: datetime | None
    lag_days: int | None
    waiting_days: int | None
    """Days since the meeting, for one not yet reported."""
    note: str = ""


@dataclass(frozen=True)
class Vote:
    """One public decision and how the rep voted."""

    day: date
    meeting: str
    slug: str
    title: str
    item: str
    anchor: str
    decision: str
    vote: str
    tags: tuple[str, ...]
    clps: tuple[str, ...]
    regions: tuple[str, ...]


@dataclass(frozen=True)
class Year:
    """One year's summary."""

    year: int
    held: int
    reported: int
    not_reported: int
    absent: int
    median_days: float | None
    longest_days: int | None


@dataclass(frozen=True)
class Record:
    rows: tuple[MeetingRow, ...]
    """Newest first."""
    votes: tuple[Vote, ...]
    """Newest first, in each report in document order."""
    today: date

    def years(self) -> list[Year]:
        """Return each year's summary, newest first (upcoming meetings are not counted)."""
        out = []
        for year in sorted({r.day.year for r in self.rows}, reverse=True):
            rows = [r for r in self.rows if r.day.year == year]
            lags = [r.lag_days for r in rows if r.lag_days is not None]
            done = ("reported", "not-reported", "absent")
            out.append(Year(
                year=year,
                held=sum(r.status in done for r in rows),
                reported=sum(r.status == "reported" for r in rows),
                not_reported=sum(r.status == "not-reported" for r in rows),
                absent=sum(r.status == "absent" for r in rows),
                median_days=statistics.median(lags) if lags else None,
                longest_days=max(lags) if lags else None,
            ))  # fmt: skip
        return out

    def overdue(self) -> list[MeetingRow]:
        return [r for r in self.rows if r.status == "not-reported"]


def make(
    register: Iterable[Meeting], reports: Iterable[Reported], now: datetime, zone: ZoneInfo
) -> Record:
    """Return the record at `now`: the register's meetings and the reports' meetings, joined
    by meeting name (any case) and date."""
    today = now.astimezone(zone).date()
    reports = list(reports)
    reported: dict[tuple[str, date], Reported] = {}
    for report in sorted(reports, key=lambda r: (r.published is None, r.published, r.slug)):
        reported.setdefault((report.meeting.casefold(), report.day), report)  # the first
    rows: dict[tuple[str, date], MeetingRow] = {}
    for entry in register:
        known = (entry.meeting.casefold(), entry.day)
        rows[known] = _row(entry, reported.get(known), today, zone)
    for known, report in reported.items():
        if known not in rows:
            entry = Meeting(report.meeting, report.day)
            rows[known] = _row(entry, report, today, zone)
    ordered = sorted(rows.values(), key=lambda r: (r.day, r.meeting), reverse=True)
    everything = sorted(reports, key=lambda r: (r.day, r.slug), reverse=True)
    return Record(tuple(ordered), tuple(_votes(everything)), today)


def _row(entry: Meeting, report: Reported | None, today: date, zone: ZoneInfo) -> MeetingRow:
    def row(status: str, lag: int | None = None, waiting: int | None = None) -> MeetingRow:
        slug = report.slug if report else None
        published = report.published if report else None
        meeting, day, note = entry.meeting, entry.day, entry.note
        return MeetingRow(meeting, day, status, slug, published, lag, waiting, note)

    if report is not None:
        lag = None
        if report.published is not None:
            lag = max((report.published.astimezone(zone).date() - entry.day).days, 0)
        return row("reported", lag)
    if entry.status != "held":
        return row(entry.status)
    if entry.day > today:
        return row("upcoming")
    if not entry.attended:
        return row("absent")
    return row("not-reported", waiting=(today - entry.day).days)


def _votes(reports: list[Reported]) -> list[Vote]:
    return [
        Vote(
            r.day,
            r.meeting,
            r.slug,
            r.title,
            d.title,
            d.anchor,
            d.decision,
            d.vote,
            r.tags,
            d.clps,
            d.regions,
        )
        for r in reports
        for d in r.decisions
    ]


def report_url(base: str, slug: str, anchor: str = "") -> str:
    return f"{base}reports/{slug}/" + (f"#{anchor}" if anchor else "")


def to_json(record: Record, base: str) -> bytes:
    """Return `record.json`: the meetings and the votes, as documented in the README."""
    meetings = [
        {
            "meeting": r.meeting,
            "date": r.day.isoformat(),
            "status": r.status,
            "report": report_url(base, r.report) if r.report else None,
            "published": r.published.isoformat() if r.published else None,
            "lag_days": r.lag_days,
        }
        for r in record.rows
    ]
    votes = [
        {
            "date": v.day.isoformat(),
            "meeting": v.meeting,
            "item": v.item,
            "url": report_url(base, v.slug, v.anchor),
            "decision": v.decision or None,
            "vote": v.vote or None,
        }
        for v in record.votes
    ]
    text = json.dumps({"meetings": meetings, "votes": votes}, indent=1, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def to_csv(record: Record, base: str) -> bytes:
    """Return `votes.csv`: one row per public decision, with a header row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for v in record.votes:
        url = report_url(base, v.slug, v.anchor)
        row = (v.day.isoformat(), v.meeting, v.item, v.decision, v.vote, url)
        writer.writerow([_inert(cell) for cell in row])
    return out.getvalue().encode("utf-8")


FORMULA = ("=", "+", "-", "@", "\t", "\r")
"""How a cell a spreadsheet would run as a formula starts (OWASP's list)."""


def _inert(cell: str) -> str:
    """Return a cell a spreadsheet shows as text: one starting like a formula gets a `'`
    before it (`=HYPERLINK(…)` in a decision, as written, would run when opened)."""
    return f"'{cell}" if cell.startswith(FORMULA) else cell
