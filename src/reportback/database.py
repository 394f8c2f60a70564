"""The state folder, .reportback/: the SQLite schema of every table, connections, and locks."""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path

SCHEMA = 11
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
    # A notice is a confirmation of a new subscription, or, to an address already subscribed
    # that asks again on the website, a note of what it gets and how to change it.
    5: """
    ALTER TABLE notices ADD COLUMN kind TEXT NOT NULL DEFAULT 'confirm';
    """,
    # The version of each report on the site (its file's hash): a send under way hands over
    # no message made from another (publications.went_live, sending._jobs).
    # ... and a notice the server put off is tried again later, not at once (notices._settle);
    # and the reports published while a member was lapsed (a gap: from the stamp they lapsed
    # at to the one they came back at) never reach them, while those before still do.
    6: """
    ALTER TABLE reports ADD COLUMN version TEXT NOT NULL DEFAULT '';
    ALTER TABLE notices ADD COLUMN next_attempt_at TEXT;
    CREATE TABLE gaps (
        subscriber_id INTEGER NOT NULL,
        from_seq INTEGER NOT NULL,
        to_seq INTEGER
    );
    CREATE INDEX gaps_by_subscriber ON gaps (subscriber_id);
    """,
    # Each report's title and a hash of its text, as last built: a file renamed keeps its
    # identity only if it keeps its title or its text too (another report for the same
    # meeting and date is a new report).
    7: """
    ALTER TABLE reports ADD COLUMN title TEXT NOT NULL DEFAULT '';
    ALTER TABLE reports ADD COLUMN body TEXT NOT NULL DEFAULT '';
    """,
    # ... a sketch of the text in place of its hash, so that a report edited a little is
    # still known (identity.sketch); the hashes are dropped, and sketched by the next build.
    8: """
    UPDATE reports SET body = '';
    """,
    # The reports a build found on the site with no record of them in the state (lost, or
    # restored from an older backup), and the new ones that build published (one may be one
    # of those, renamed): nobody knows whether they were mailed, so digests hold them back,
    # by name and, once recorded, by id, until the rep says (`digest send --restored`).
    9: """
    CREATE TABLE unsure (slug TEXT PRIMARY KEY, id TEXT);
    """,
    # When a subscriber chose the cadence they have, if not when they joined: a cadence's
    # first digest goes at its first slot after that (cadences.due_cadences).
    10: """
    ALTER TABLE subscribers ADD COLUMN cadence_at TEXT;
    """,
    # Where the state folder is at home (`elsewhere`): a copy of it elsewhere would mail every
    # digest still due a second time. Recorded as it is made (or brought up to date).
    11: """
    CREATE TABLE home (path TEXT NOT NULL, folder TEXT NOT NULL);
    """,
}


def utc(moment: datetime) -> str:
    """Return an instant as stored: UTC ISO 8601, so that text order is time order."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


FILE = "state.sqlite"


def connect(state_dir: Path) -> sqlite3.Connection:
    """Open (creating and migrating) the state database in `state_dir`."""
    state_dir.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(state_dir / FILE, isolation_level=None, timeout=30)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA busy_timeout=30000")
        db.execute("PRAGMA synchronous=NORMAL")
        if db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA:
            _migrate(db, state_dir)
    except BaseException:
        db.close()
        raise
    return db


@contextmanager
def opened(state_dir: Path) -> Iterator[sqlite3.Connection]:
    """Open the state database in `state_dir` for the block; close it however the block ends."""
    db = connect(state_dir)
    try:
        yield db
    finally:
        db.close()


@contextmanager
def atomic(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run the block in one transaction, holding the write lock from its start: commit if it
    ends (a `return` too), roll back and re-raise if anything is raised. Inside another's
    block, it is part of that one's transaction."""
    if db.in_transaction:
        yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:  # an interrupt can come before BEGIN ends, or after COMMIT
            db.execute("ROLLBACK")
        raise


def _migrate(db: sqlite3.Connection, state_dir: Path) -> None:
    """Bring the schema up to date in one transaction (safe if two processes start at once)."""
    with atomic(db):
        version = db.execute("PRAGMA user_version").fetchone()[0]
        for step in range(version + 1, SCHEMA + 1):
            for statement in _statements(MIGRATIONS[step]):
                db.execute(statement)
            if step == 4:
                _stamp_in_time_order(db)
            if step == 11:
                db.execute("INSERT INTO home VALUES (?, ?)", _place(state_dir))
            db.execute(f"PRAGMA user_version={step}")


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


SEND_LOCK = "send.lock"


@contextmanager
def pid_lock(path: Path, busy: Callable[[str], None]) -> Iterator[Callable[[], bool]]:
    """Hold an flock on `path`, with this process's pid written in it; give a test of
    whether `path` is still the file locked (removed by hand, a second process would take
    a lock of its own: adversary helper 136 had two senders so).

    If another process holds it, `busy` is called once with that process's pid: it raises to
    refuse, or returns to wait for the lock.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            busy(handle.read().strip() or "unknown")
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        held = os.fstat(handle.fileno()).st_ino

        def intact() -> bool:
            try:
                return path.stat().st_ino == held
            except OSError:
                return False

        try:
            yield intact
        finally:
            handle.truncate(0)
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)


def send_lock(
    state_dir: Path, waiting: Callable[[str], None]
) -> AbstractContextManager[Callable[[], bool]]:
    """Hold the one-sender-per-state-folder lock; wait for it (calling `waiting` with the
    holder's pid once) if another process is sending."""
    return pid_lock(state_dir / SEND_LOCK, waiting)


def elsewhere(state_dir: Path) -> str | None:
    """Return where the state folder is at home if not here: the place it was made (or told
    it moved to), as a path, or as the folder itself (moved within its disk, or reached by
    another path: a symbolic link, a bind mount). A copy is elsewhere (it would mail again
    every digest still due, from its own ledger: stop 61's note, adversary helper 174)."""
    path, folder = _place(state_dir)
    with opened(state_dir) as db:
        row = db.execute("SELECT path, folder FROM home").fetchone()
    return None if row is None or path == row[0] or folder == row[1] else str(row[0])


def move_home(state_dir: Path) -> str | None:
    """Make here the state folder's home; return the old place instead if a state folder is
    still there that is at home there (a copy: both would send)."""
    with opened(state_dir) as db, atomic(db):
        row = db.execute("SELECT path FROM home").fetchone()
        old = Path(row[0]) if row is not None else None
        if old is not None and old != state_dir.resolve() and (old / FILE).is_file():
            with contextlib.suppress(sqlite3.Error, OSError):
                if elsewhere(old) is None:
                    return str(old)
        db.execute("DELETE FROM home")
        db.execute("INSERT INTO home VALUES (?, ?)", _place(state_dir))
    return None


def _place(state_dir: Path) -> tuple[str, str]:
    """Return a state folder's path and the folder itself (its disk and inode)."""
    found = state_dir.resolve()
    status = found.stat()
    return str(found), f"{status.st_dev}:{status.st_ino}"
