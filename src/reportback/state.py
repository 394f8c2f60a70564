"""SQLite state in .reportback/: report identities and publication instants."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .model import Publication, Source

SCHEMA = 4
MIGRATIONS = {
    1: """
    CREATE TABLE reports (
        slug TEXT PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        meeting TEXT NOT NULL,
        meeting_date TEXT NOT NULL,
        published_at TEXT
    );
    """,
    2: """
    CREATE TABLE subscribers (
        id INTEGER PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL DEFAULT '',
        clp TEXT NOT NULL,
        cadence TEXT NOT NULL,
        audience TEXT NOT NULL,
        status TEXT NOT NULL,
        source TEXT NOT NULL,
        consent_date TEXT,
        consent_wording TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        hard_failures INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX subscribers_by_group ON subscribers (status, cadence, clp, audience);
    CREATE TABLE suppressed (
        hash TEXT PRIMARY KEY,
        reason TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        subscriber_id INTEGER NOT NULL,
        cadence TEXT NOT NULL,
        reports TEXT NOT NULL,
        clp TEXT NOT NULL,
        audience TEXT NOT NULL,
        email TEXT NOT NULL,
        message_id TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        last_error TEXT NOT NULL DEFAULT '',
        sent_at TEXT,
        UNIQUE (reports, subscriber_id, cadence)
    );
    CREATE INDEX outbox_by_status ON outbox (status, next_attempt_at);
    CREATE TABLE included (
        subscriber_id INTEGER NOT NULL,
        report_id TEXT NOT NULL,
        outbox_id INTEGER NOT NULL,
        PRIMARY KEY (subscriber_id, report_id)
    );
    CREATE TABLE digest_runs (
        cadence TEXT PRIMARY KEY,
        last_run_at TEXT NOT NULL
    );
    """,
    3: """
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        message TEXT NOT NULL
    );
    CREATE TABLE reminders (
        meeting TEXT NOT NULL,
        day TEXT NOT NULL,
        sent_at TEXT NOT NULL,
        PRIMARY KEY (meeting, day)
    );
    """,
    # Order, not clock time, decides who is due a report: one counter stamps each member as
    # they join (or rejoin) and each report once the site showing it is in place; a report
    # recorded before its swap has no stamp yet, and is published to nobody.
    4: """
    CREATE TABLE clock (n INTEGER NOT NULL);
    INSERT INTO clock VALUES (0);
    ALTER TABLE reports ADD COLUMN seq INTEGER;
    ALTER TABLE subscribers ADD COLUMN joined INTEGER;
    ALTER TABLE digest_runs ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE notices (
        id INTEGER PRIMARY KEY,
        subscriber_id INTEGER NOT NULL,
        email TEXT NOT NULL,
        created_at TEXT NOT NULL,
        status TEXT NOT NULL,
        claimed_at TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT '',
        sent_at TEXT
    );
    CREATE INDEX notices_by_status ON notices (status);
    CREATE TRIGGER subscriber_joins AFTER INSERT ON subscribers BEGIN
        UPDATE clock SET n = n + 1;
        UPDATE subscribers SET joined = (SELECT n FROM clock) WHERE id = NEW.id;
    END;
    CREATE TRIGGER subscriber_rejoins AFTER UPDATE OF created_at ON subscribers BEGIN
        UPDATE clock SET n = n + 1;
        UPDATE subscribers SET joined = (SELECT n FROM clock) WHERE id = NEW.id;
    END;
    """,
}


def utc(moment: datetime) -> str:
    """Return an instant as stored: UTC ISO 8601, so that text order is time order."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def connect(state_dir: Path) -> sqlite3.Connection:
    """Open (creating and migrating) the state database in `state_dir`."""
    state_dir.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(state_dir / "state.sqlite", isolation_level=None, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA busy_timeout=30000")
    db.execute("PRAGMA synchronous=NORMAL")
    if db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA:
        _migrate(db)
    return db


def _migrate(db: sqlite3.Connection) -> None:
    """Bring the schema up to date in one transaction (safe if two processes start at once)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        for step in range(version + 1, SCHEMA + 1):
            for statement in _statements(MIGRATIONS[step]):
                db.execute(statement)
            if step == 4:
                _stamp_in_time_order(db)
            db.execute(f"PRAGMA user_version={step}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _statements(script: str) -> list[str]:
    """Split a script into statements (a trigger's body holds semicolons of its own)."""
    out, pending = [], ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                out.append(pending)
            pending = ""
    return out


def _stamp_in_time_order(db: sqlite3.Connection) -> None:
    """Stamp the members and published reports of an older state in the order of their
    times (a member who joined in the same second as a publication comes first)."""
    events = [
        (datetime.fromisoformat(at).astimezone(UTC), 0, "subscribers", "id", key)
        for key, at in db.execute("SELECT id, created_at FROM subscribers")
    ] + [
        (datetime.fromisoformat(at).astimezone(UTC), 1, "reports", "slug", key)
        for key, at in db.execute(
            "SELECT slug, published_at FROM reports WHERE published_at IS NOT NULL"
        )
    ]
    for n, (_, _, table, column, key) in enumerate(sorted(events), start=1):
        db.execute(f"UPDATE {table} SET {'joined' if table == 'subscribers' else 'seq'} = ? "
                   f"WHERE {column} = ?", (n, key))  # fmt: skip
    db.execute("UPDATE clock SET n = ?", (len(events),))


@dataclass(frozen=True)
class Row:
    slug: str
    id: str
    meeting: str
    meeting_date: str
    published_at: str | None
    seq: int | None = None


@dataclass(frozen=True)
class Plan:
    """Each report's identity and publication, and the rows to record if the build succeeds."""

    publications: dict[str, Publication]
    rows: tuple[Row, ...]


def plan(
    db: sqlite3.Connection, sources: Iterable[Source], now: datetime, publish: set[str]
) -> Plan:
    """Decide each report's id and publication instant; `publish` are the slugs going out now."""
    known = {r[0]: Row(*r) for r in db.execute("SELECT * FROM reports")}
    sources = list(sources)
    present = {s.slug for s in sources}
    orphans = [r for r in known.values() if r.slug not in present]
    publications: dict[str, Publication] = {}
    rows: list[Row] = []
    for source in sources:
        row = known.get(source.slug) or _adopt(source, orphans)
        meta = source.meta
        ident = meta.id or (row.id if row else source.slug)
        if meta.publish_at is not None:
            when: datetime | None = meta.publish_at
        elif row is not None and row.published_at:
            when = datetime.fromisoformat(row.published_at)
        else:
            when = now if source.slug in publish else None
        publications[source.slug] = Publication(ident, when)
        recorded = when.isoformat() if when is not None and source.slug in publish else None
        seq = row.seq if row is not None else None
        new = Row(source.slug, ident, meta.meeting, meta.meeting_date.isoformat(), recorded, seq)
        if new != row and (recorded or row is not None):
            rows.append(new)
    return Plan(publications, tuple(rows))


def _adopt(source: Source, orphans: list[Row]) -> Row | None:
    """Return the row of a report that was renamed to this one (same meeting and date)."""
    for row in orphans:
        if (row.meeting, row.meeting_date) == (
            source.meta.meeting,
            source.meta.meeting_date.isoformat(),
        ):
            orphans.remove(row)
            return row
    return None


def record(db: sqlite3.Connection, rows: Iterable[Row]) -> None:
    """Record the plan's rows in one transaction (a renamed report keeps its stamp).

    This records each publication's instant, kept by later builds; the report counts as
    published only once `went_live` stamps it, after the swap.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        for row in rows:
            db.execute("DELETE FROM reports WHERE id = ? AND slug != ?", (row.id, row.slug))
            db.execute(
                "INSERT INTO reports VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(slug) DO UPDATE SET "
                "id = excluded.id, meeting = excluded.meeting, "
                "meeting_date = excluded.meeting_date, "
                "published_at = COALESCE(reports.published_at, excluded.published_at), "
                "seq = COALESCE(reports.seq, excluded.seq)",
                (row.slug, row.id, row.meeting, row.meeting_date, row.published_at, row.seq),
            )
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def went_live(db: sqlite3.Connection, slugs: Iterable[str]) -> None:
    """Stamp the recorded publications of `slugs`, now on the site, as published."""
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute("UPDATE clock SET n = n + 1")
        db.executemany(
            "UPDATE reports SET seq = (SELECT n FROM clock) "
            "WHERE slug = ? AND seq IS NULL AND published_at IS NOT NULL",
            ((slug,) for slug in slugs),
        )
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
