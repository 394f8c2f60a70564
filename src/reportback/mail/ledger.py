"""The outbox ledger: what is due to whom, queued once, sent once.

Queueing commits one row per (reports, subscriber, cadence) before anything talks to SMTP;
a row is marked sent only after the server's 250. Killed at any instant and run again, a send
loses nothing and repeats at most the messages that were in flight.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from reportback.build.publications import HANDING, LOST, WAITING, let_go
from reportback.clps import Directory
from reportback.database import atomic, utc
from reportback.mail.subscribers import record_hard_failure
from reportback.model import Published

RETRY_FOR = timedelta(days=5)
"""How long a message a server keeps deferring (4xx) is tried, from when it was queued, as
mail servers do: then it fails."""


@dataclass(frozen=True)
class QueuedMessage:
    """One queued message."""

    id: int
    subscriber_id: int
    cadence: str
    reports: tuple[str, ...]
    clp: str
    audience: str
    email: str
    message_id: str
    created_at: str
    attempts: int
    name: str


def queue_digests(
    db: sqlite3.Connection,
    library: dict[str, Published],
    directory: Directory,
    cadence: str,
    now: datetime,
    host: str,
) -> int:
    """Queue every digest now due for `cadence`; return how many messages were queued."""
    due = sorted(
        (r for r in library.values() if r.published_at <= now),
        key=lambda r: (r.published_at, r.id),
        reverse=True,
    )
    with atomic(db):
        return _queue(db, due, directory, cadence, now, host)


def _queue(
    db: sqlite3.Connection,
    due: list[Published],
    directory: Directory,
    cadence: str,
    now: datetime,
    host: str,
) -> int:
    db.execute("CREATE TEMP TABLE IF NOT EXISTS due (report_id TEXT, clp TEXT, seq INT, rank INT)")
    # each subscriber looks up only its CLP's reports published since it joined, not them all
    db.execute("CREATE INDEX IF NOT EXISTS temp.due_by_clp ON due (clp, seq)")
    db.execute("DELETE FROM temp.due")
    (joined,) = db.execute(
        "SELECT MIN(joined) FROM subscribers WHERE status = 'active' AND cadence = ?",
        (cadence,),
    ).fetchone()
    db.executemany(
        "INSERT INTO temp.due VALUES (?, ?, ?, ?)",
        (
            (r.id, clp.slug, r.seq, rank)
            for rank, r in enumerate(due)
            if joined is not None and r.seq > joined  # none older is due to anyone
            for clp in directory.clps
            if r.addressed_to(clp)
        ),
    )
    # Order decides, not clocks: a member who joined before the build that put a report
    # on the site gets it, whatever the two times say to the second; but not one put there
    # while they were lapsed (a gap, from the stamp they lapsed at to the one they came back
    # at, or, back some other way, to the one they joined again at).
    pending = db.execute(
        "SELECT s.id, s.clp, s.audience, s.email, d.report_id FROM subscribers s "
        "JOIN temp.due d ON d.clp = s.clp "
        "WHERE s.status = 'active' AND s.cadence = ? AND d.seq > s.joined "
        "AND NOT EXISTS (SELECT 1 FROM included i "
        "                WHERE i.subscriber_id = s.id AND i.report_id = d.report_id) "
        "AND NOT EXISTS (SELECT 1 FROM gaps g WHERE g.subscriber_id = s.id "
        "                AND d.seq > g.from_seq AND d.seq <= COALESCE(g.to_seq, s.joined)) "
        "ORDER BY s.id, d.rank",
        (cadence,),
    ).fetchall()
    queued, created = 0, utc(now)
    for subscriber, reports in _by_subscriber(pending):
        sid, clp, audience, email = subscriber
        batches = [[r] for r in reports] if cadence == "immediate" else [reports]
        for batch in batches:
            cursor = db.execute(
                "INSERT INTO outbox (subscriber_id, cadence, reports, clp, audience, email, "
                "message_id, created_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued')",
                (sid, cadence, "\n".join(batch), clp, audience, email,
                 f"<{os.urandom(16).hex()}@{host}>", created),
            )  # fmt: skip
            db.executemany(
                "INSERT INTO included VALUES (?, ?, ?)",
                ((sid, report, cursor.lastrowid) for report in batch),
            )
            queued += 1
    db.execute("DELETE FROM temp.due")
    return queued


def _by_subscriber(
    rows: Iterable[tuple[int, str, str, str, str]],
) -> Iterator[tuple[tuple[int, str, str, str], list[str]]]:
    current: tuple[int, str, str, str] | None = None
    reports: list[str] = []
    for sid, clp, audience, email, report in rows:
        key = (sid, clp, audience, email)
        if key != current:
            if current is not None:
                yield current, reports
            current, reports = key, []
        reports.append(report)
    if current is not None:
        yield current, reports


DUE = WAITING
"""Outbox rows to send now: queued, or deferred and past their retry time (? is now)."""


def due_reports(db: sqlite3.Connection, now: datetime) -> set[str]:
    """Return the ids of every report some message due now shows."""
    rows = db.execute(
        f"SELECT DISTINCT reports FROM outbox WHERE {DUE}",
        (utc(now),),
    )
    return {report for (reports,) in rows for report in reports.split("\n") if report}


def due(db: sqlite3.Connection, now: datetime, page: int = 500) -> Iterator[QueuedMessage]:
    """Yield the messages to send now (queued, or deferred and past their retry time).

    Reads a page at a time by id, so memory stays flat however long the queue. Each page is
    read along the id (the `+` keeps SQLite off the status index, which would sort every due
    row again for every page: quadratic in the queue).
    """
    query = (
        "SELECT o.id, o.subscriber_id, o.cadence, o.reports, o.clp, o.audience, o.email, "
        "o.message_id, o.created_at, o.attempts, COALESCE(s.name, '') "
        "FROM outbox o LEFT JOIN subscribers s "
        "ON s.id = o.subscriber_id WHERE +o.status IN ('queued', 'deferred') "
        "AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= ?) AND o.id > ? "
        "ORDER BY o.id LIMIT ?"
    )
    after = 0
    while True:
        rows = db.execute(query, (utc(now), after, page)).fetchall()
        if not rows:
            return
        for r in rows:
            yield QueuedMessage(r[0], r[1], r[2], tuple(r[3].split("\n")), *r[4:])
        after = rows[-1][0]


def due_groups(db: sqlite3.Connection, now: datetime) -> set[tuple[str, str, str, tuple[str, ...]]]:
    """Return each digest due now, once: (CLP, audience, cadence, report ids)."""
    rows = db.execute(
        f"SELECT DISTINCT clp, audience, cadence, reports FROM outbox WHERE {DUE}",
        (utc(now),),
    )
    return {
        (clp, audience, cadence, tuple(reports.split("\n")))
        for clp, audience, cadence, reports in rows
    }


def count_due(db: sqlite3.Connection, now: datetime) -> int:
    query = f"SELECT COUNT(*) FROM outbox WHERE {DUE}"
    return int(db.execute(query, (utc(now),)).fetchone()[0])


def subscriber_now(db: sqlite3.Connection, subscriber: int) -> tuple[str, str, str]:
    """Return a subscriber's status, CLP and audience as they are now (status "erased", once
    gone)."""
    found = db.execute(
        "SELECT status, clp, audience FROM subscribers WHERE id = ?", (subscriber,)
    ).fetchone()
    return (str(found[0]), str(found[1]), str(found[2])) if found else ("erased", "", "")


def reports_due(db: sqlite3.Connection, row: int) -> tuple[str, ...] | None:
    """Return the reports a message due holds as it is now (None: no longer due): a build
    may have taken a withdrawn report out of it since a send read it."""
    found = db.execute(
        "SELECT reports FROM outbox WHERE id = ? AND status IN ('queued', 'deferred')", (row,)
    ).fetchone()
    return tuple(found[0].split("\n")) if found else None


def versions(db: sqlite3.Connection, reports: tuple[str, ...]) -> dict[str, str]:
    """Return the version the site shows of each of `reports` ("" if unknown: published
    before versions were recorded)."""
    marks = ", ".join("?" * len(reports))
    query = f"SELECT id, version FROM reports WHERE id IN ({marks})"
    return dict(db.execute(query, reports).fetchall())


def unqueue_stale(db: sqlite3.Connection, directory: Directory) -> int:
    """Take out, as if never queued, every message waiting for a CLP the directory no longer
    lists (a boundary review), or made for a subscriber since moved to another CLP or
    audience: a send queues its reports again as the member is now. Return how many
    (held-out round D3: a message for a CLP gone was a traceback in every send, and nobody
    got anything; one made before a move took the old CLP's report to the new member)."""
    listed = [c.slug for c in directory.clps]
    query = (
        "SELECT o.id, o.subscriber_id, o.reports FROM outbox o JOIN subscribers s "
        "ON s.id = o.subscriber_id WHERE o.status IN ('queued', 'deferred') AND "
        f"(o.clp NOT IN ({', '.join('?' * len(listed))}) OR s.clp != o.clp "
        "OR s.audience != o.audience)"
    )
    with atomic(db):
        rows = db.execute(query, listed).fetchall()
        for row, subscriber, reports in rows:
            _unqueue(db, row, subscriber, reports.split("\n"))
    return len(rows)


def unqueue(db: sqlite3.Connection, row: QueuedMessage) -> None:
    """Take one message out as if never queued (the next send queues its reports again as
    the subscriber is then: another CLP, another audience)."""
    with atomic(db):
        _unqueue(db, row.id, row.subscriber_id, row.reports)


def _unqueue(db: sqlite3.Connection, row: int, subscriber: int, reports: Iterable[str]) -> None:
    let_go(db, row, subscriber, reports)  # one that may have arrived: cancelled, not made anew


def mark_sent(db: sqlite3.Connection, row: QueuedMessage, now: datetime) -> None:
    """Record a message the server took, with the reports it held as this send read them: a
    build that withdrew one meanwhile took it out of the message's row, or the row itself,
    after the message was written (an adversary helper had eleven members mailed twice once
    the report was published again)."""
    updated = db.execute(
        "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1, reports = ?, "
        "last_error = CASE last_error WHEN ? THEN '' ELSE last_error END WHERE id = ?",
        (utc(now), "\n".join(row.reports), HANDING, row.id),
    )
    if updated.rowcount == 0:
        db.execute(
            "INSERT INTO outbox (id, subscriber_id, cadence, reports, clp, audience, email, "
            "message_id, created_at, status, attempts, sent_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'sent', ?, ?)",
            (row.id, row.subscriber_id, row.cadence, "\n".join(row.reports), row.clp,
             row.audience, row.email, row.message_id, row.created_at, row.attempts + 1, utc(now)),
        )  # fmt: skip
    db.executemany(
        "INSERT OR REPLACE INTO included VALUES (?, ?, ?)",
        ((row.subscriber_id, report, row.id) for report in row.reports),
    )


STOPPED = f"{LOST}: a send was stopped as it handed this over"
AGAIN = f"{LOST} on an earlier try; handed over again, no reply recorded"


def mark_handing(db: sqlite3.Connection, row: int, going: bool = True) -> None:
    """Record that a connection is handing a message over (until its reply is recorded: a
    kill leaves it so, and it may have arrived); one lost before (a send stopped as it
    handed it over, a connection lost) as handed over AGAIN, which a kill leaves too: it is
    then not sent a third time (`fail_lost_twice`)."""
    if not going:  # cut off mid-message: none of it went (adversary helper 161)
        mark_held(db, row)
        return
    db.execute(
        "UPDATE outbox SET last_error = CASE WHEN last_error = ? OR last_error LIKE ? THEN ? "
        "ELSE ? END WHERE id = ?",
        (HANDING, f"{LOST}%", AGAIN, HANDING, row),
    )


def mark_held(db: sqlite3.Connection, row: QueuedMessage | int) -> None:
    """Leave a message the server took nothing of queued, as it was before it was handed
    (or before the try cut off mid-message: adversary helper 161)."""
    db.execute(
        "UPDATE outbox SET last_error = CASE last_error WHEN ? THEN '' ELSE ? END "
        "WHERE id = ? AND last_error IN (?, ?)",
        (HANDING, STOPPED, row if isinstance(row, int) else row.id, HANDING, AGAIN),
    )


def fail_lost_twice(db: sqlite3.Connection, now: datetime) -> int:
    """Fail each message waiting that a stopped send left handed over AGAIN: handed over
    twice with no reply, it is not sent a third time (adversary helper 146: a send killed
    as it handed one over, again and again, mailed it once a kill). Return how many."""
    failed = db.execute(
        f"UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ? "
        f"WHERE {WAITING} AND last_error = ?",
        (f"{STOPPED}; {TWICE}", utc(now), AGAIN),
    )
    return failed.rowcount


def mark_cancelled(db: sqlite3.Connection, row: QueuedMessage, reason: str) -> None:
    db.execute(
        "UPDATE outbox SET status = 'cancelled', last_error = ? WHERE id = ?", (reason, row.id)
    )


def mark_unsendable(db: sqlite3.Connection, row: QueuedMessage, reason: str) -> None:
    """Record a message that cannot be written or handed over (not a bounce: the address
    is not counted towards suppression)."""
    db.execute(
        "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?",
        (reason, row.id),
    )


TWICE = "handed over twice with no reply: it may have arrived, so it is not sent again"
"""Why a message a server kept without a reply (a filter that drops the connection) stops:
it was sent again for 5 days, 25 copies (adversary helper 80)."""
LONGEST_WAIT = timedelta(hours=6)
"""The longest wait between two tries of a deferred message."""


def retry_after(attempts: int) -> timedelta:
    """Return the wait before the next try of a message put off `attempts` times: from one
    minute, doubling, to `LONGEST_WAIT`."""
    return min(timedelta(minutes=2 ** min(attempts - 1, 20)), LONGEST_WAIT)


def mark_deferred(db: sqlite3.Connection, row: QueuedMessage, error: str, now: datetime) -> str:
    """Schedule a retry with exponential backoff; give up once it has been tried for
    RETRY_FOR, or handed over twice. Return why it failed ("": deferred)."""
    attempts = row.attempts + 1
    before = db.execute("SELECT last_error FROM outbox WHERE id = ?", (row.id,)).fetchone()
    lost_before = bool(before and (before[0] or "").startswith(LOST))
    twice = lost_before and error.startswith(LOST)  # handed over whole twice, no reply
    if twice:  # a third copy would double it
        error = f"{error}; {TWICE}"
    elif lost_before:
        error = f"{LOST} on an earlier try; then {error}"  # it may still have arrived then
    if now - datetime.fromisoformat(row.created_at) >= RETRY_FOR or twice:
        db.execute(
            "UPDATE outbox SET status = 'failed', attempts = ?, last_error = ? WHERE id = ?",
            (attempts, error, row.id),
        )
        return error if twice else f"gave up after {RETRY_FOR.days} days of tries: {error}"
    retry = now + retry_after(attempts)
    db.execute(
        "UPDATE outbox SET status = 'deferred', attempts = ?, next_attempt_at = ?, "
        "last_error = ? WHERE id = ?",
        (attempts, utc(retry), error, row.id),
    )
    return ""


def mark_failed(db: sqlite3.Connection, row: QueuedMessage, error: str) -> None:
    """Record a permanent (5xx) failure (counted against its address when the run ends)."""
    db.execute(
        "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?",
        (error, row.id),
    )


def settle_bounces(
    db: sqlite3.Connection, bounced: list[QueuedMessage], took_any: bool, now: datetime
) -> int:
    """Count a run's refused addresses against each once (an immediate member's four
    messages in one run are one failure); or, if the server `took_any` message in the run
    not, put their messages back to be tried again, uncounted. Return how many addresses
    are now suppressed."""
    with atomic(db):
        if not took_any:
            for row in bounced:
                db.execute(
                    "UPDATE outbox SET status = 'deferred', next_attempt_at = ? WHERE id = ?",
                    (utc(now + retry_after(row.attempts + 1)), row.id),
                )
            return 0
        addresses = {(row.subscriber_id, row.email) for row in bounced}
        return sum(record_hard_failure(db, sid, email, now) for sid, email in sorted(addresses))
