"""Each report's identity and publication instant, as recorded in the state database."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import astuple, dataclass, replace
from datetime import datetime

from reportback.build.identity import ReportRow, identify
from reportback.database import atomic, utc
from reportback.errors import InputRefused, Problem, problem, shown_path
from reportback.model import Audience, Checked, Publication, Source


@dataclass(frozen=True)
class Plan:
    """Each report's identity and publication, and the rows to record if the build succeeds."""

    publications: dict[str, Publication]
    rows: tuple[ReportRow, ...]
    renamed: tuple[tuple[str, str], ...] = ()
    """Each report published before under another file name: its old slug and its new."""


def plan(
    db: sqlite3.Connection,
    sources: Iterable[Source],
    now: datetime,
    publish: set[str],
    held: frozenset[str] = frozenset(),
) -> Plan:
    """Decide each report's id and publication instant; `publish` are the slugs going out now,
    `held` those of files left out (unreadable): their recorded reports are theirs still."""
    columns = "slug, id, meeting, meeting_date, published_at, seq, title, body, version"
    known = {r[0]: ReportRow(*r) for r in db.execute(f"SELECT {columns} FROM reports")}
    sources = list(sources)
    identities = identify(sources, known, held)
    taken = {r.id: r for r in known.values()}
    publications: dict[str, Publication] = {}
    rows: list[ReportRow] = []
    problems: list[Problem] = []
    for source in sources:
        row = identities.rows.get(source.slug)
        meta = source.meta
        ident = meta.id or (row.id if row else source.slug)
        if row is None and ident in taken and not meta.id:  # its name is another's id
            ident = f"{ident}-{meta.meeting_date.isoformat()}"
        if row is not None and row.published_at and ident != row.id:
            problems.append(_new_id(source, row.id, ident))
        owner = taken.get(ident) if row is None and meta.id else None
        if owner is not None and owner.published_at:  # another report's id: never mailed
            problems.append(_taken_id(source, owner))
        if meta.publish_at is not None:
            when: datetime | None = meta.publish_at
        elif row is not None and row.published_at:
            when = datetime.fromisoformat(row.published_at)
        else:
            when = now if source.slug in publish else None
        publications[source.slug] = Publication(ident, when)
        if when is not None and source.slug in publish:
            recorded: str | None = when.isoformat()
        else:  # not going out now: a report published before, renamed, keeps its stamp
            recorded = row.published_at if row is not None else None
        seq = row.seq if row is not None else None
        text = identities.sketches[source.slug]
        if row is not None and row.body and source.slug not in publish:
            text = row.body  # the text as published, kept while this one is not going out
        new = ReportRow(source.slug, ident, meta.meeting, meta.meeting_date.isoformat(),
                        recorded, seq, meta.title, text,
                        row.version if row is not None else "")  # fmt: skip
        if new != row and (recorded or row is not None):
            rows.append(new)
    if problems:
        raise InputRefused(problems)
    _one_each(sources, publications)
    moved = ((r.slug, slug) for slug, r in identities.rows.items() if r.slug != slug)
    return Plan(publications, tuple(rows), tuple(sorted(moved)))


def shown_ids(plan: Plan, checked: Iterable[Checked]) -> Plan:
    """Return `plan` with each id kept from the name a report was published under that holds
    a word the report now withholds, and writes nowhere public, shown in the feeds as a hash
    of itself (adversary helper 115: `jo-smith-appeal.md`, published, renamed `appeal.md` and
    `[Jo Smith]{.confidential}` written, kept `jo-smith-appeal` in every feed's entry id).
    The ledger keeps the id (nobody is mailed again); a feed reader may show the entry anew."""
    publications = dict(plan.publications)
    for item in checked:
        source, kept = item.source, publications.get(item.source.slug)
        if kept is None or kept.id in (source.slug, source.meta.id):
            continue
        regions = item.regions
        public = _words(f"{regions.text_at_most(Audience.PUBLIC)} {source.meta!r}")
        withheld = _words(regions.text_at_most(Audience.CONFIDENTIAL)) - public
        named = {w for w in _words(kept.id) if len(w) > 2}
        named |= {w[:-1] for w in named if w.endswith("s")}  # `zqsmiths` (adversary helper 120)
        if named & withheld:
            shown = f"r-{hashlib.sha256(kept.id.encode()).hexdigest()[:16]}"
            publications[source.slug] = replace(kept, shown=shown)
    return replace(plan, publications=publications)


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[^\W_]+", text.casefold()) if not w.isdigit()}


def _one_each(sources: list[Source], publications: dict[str, Publication]) -> None:
    """Refuse two reports with one id (one given as `id:`, the other's from its file name,
    or kept from the name it had before a rename): the ledger knows a report by its id, so
    one of them would never be mailed."""
    first: dict[str, Source] = {}
    problems: list[Problem] = []
    for source in sources:
        ident = publications[source.slug].id
        other = first.setdefault(ident, source)
        if other is not source:
            problems += [problem(shown_path(one.path), 1, (
                f"its id {ident!r} is also the id of {shown_path(two.path)} (given as id:, "
                "made from its file name, or kept from the name it had before a rename); give "
                "one of them another id: in its front matter"
            )) for one, two in ((other, source), (source, other))]  # fmt: skip
    if problems:
        raise InputRefused(problems)


def _new_id(source: Source, was: str, now: str) -> Problem:
    """Refuse an `id:` that would make a published report another one: the ledger knows it by
    the id it was published with, and would mail it to every member again (an adversary
    helper's finding: `id:` added to a report already mailed)."""
    return problem(shown_path(source.path), _id_line(source), (
        f"id: {now!r}, but this report was published as {was!r} (its id, given or made from "
        f"its file name): a new id makes it a new report, mailed to every member again; write "
        f"id: {was}, or leave id: out"
    ))  # fmt: skip


def _taken_id(source: Source, owner: ReportRow) -> Problem:
    """Refuse a new report given the id of one published before (a file written over for the
    next meeting, its `id:` kept): the ledger would take it for that one, and mail it to no
    one (adversary helper 160)."""
    return problem(shown_path(source.path), _id_line(source), (
        f"id: {owner.id} is the id of the report published for {owner.meeting}, "
        f"{owner.meeting_date}, and this is another report (another date or other text): it "
        "would be taken for that one and mailed to no one; give it an id of its own, or "
        "leave id: out"
    ))  # fmt: skip


def _id_line(source: Source) -> int:
    """Return the line of a report's `id:` (its first line if it has none)."""
    lines = source.path.read_text(encoding="utf-8-sig").split("\n")[: source.body_line]
    return next((n for n, text in enumerate(lines, 1) if text.startswith("id:")), 1)


def record(db: sqlite3.Connection, rows: Iterable[ReportRow]) -> None:
    """Record the plan's rows in one transaction (a renamed report keeps its stamp).

    This records each publication's instant, kept by later builds; the report counts as
    published only once `went_live` stamps it, after the swap.
    """
    with atomic(db):
        for row in rows:
            db.execute("DELETE FROM reports WHERE id = ? AND slug != ?", (row.id, row.slug))
            db.execute(
                "INSERT INTO reports (slug, id, meeting, meeting_date, published_at, seq, "
                "title, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(slug) DO UPDATE SET "
                "id = excluded.id, meeting = excluded.meeting, "
                "meeting_date = excluded.meeting_date, "
                "published_at = CASE WHEN reports.id = excluded.id "
                "THEN COALESCE(reports.published_at, excluded.published_at) "
                "ELSE excluded.published_at END, "
                "seq = CASE WHEN reports.id = excluded.id THEN COALESCE(reports.seq, excluded.seq) "
                "ELSE excluded.seq END, "
                "version = CASE WHEN reports.id = excluded.id THEN reports.version ELSE '' END, "
                "title = excluded.title, body = excluded.body",
                astuple(row)[:8],  # all but the version, kept or reset above
            )


def went_live(db: sqlite3.Connection, versions: dict[str, str]) -> None:
    """Stamp the recorded publications of the reports now on the site (slug: the hash of
    the file published) as published, and record the version each shows."""
    with atomic(db):
        db.execute("UPDATE clock SET n = n + 1")
        db.executemany(
            "UPDATE reports SET seq = COALESCE(seq, (SELECT n FROM clock)), version = ?1 "
            "WHERE slug = ?2 AND published_at IS NOT NULL AND (seq IS NULL OR version != ?1)",
            ((version, slug) for slug, version in versions.items()),  # only those it changes
        )


WAITING = "status IN ('queued', 'deferred') AND (next_attempt_at IS NULL OR next_attempt_at <= ?)"
"""The messages of the ledger's outbox that wait to be sent."""


def forget(db: sqlite3.Connection, row: int, subscriber: int, reports: Iterable[str]) -> bool:
    """Forget that the outbox message `row` gave `reports` to `subscriber`, so that a later
    send may queue them for them again; return whether it did. One that may have arrived
    (`LOST`) is not forgotten: its reports stay counted as mailed, never made anew (made
    anew after a move, a lapse or a withdrawal, it reached a member twice under two
    Message-IDs: adversary helper 61)."""
    error = db.execute("SELECT last_error FROM outbox WHERE id = ?", (row,)).fetchone()
    if error is not None and may_have_arrived(error[0] or ""):
        return False
    db.executemany(
        "DELETE FROM included WHERE subscriber_id = ? AND report_id = ? AND outbox_id = ?",
        ((subscriber, r, row) for r in reports),
    )
    return True


def let_go(db: sqlite3.Connection, row: int, subscriber: int, reports: Iterable[str]) -> None:
    """Take a message out as if never queued (`forget`); one that may have arrived is
    cancelled instead, its reports counted as mailed."""
    if forget(db, row, subscriber, reports):
        db.execute("DELETE FROM outbox WHERE id = ?", (row,))
    else:
        db.execute("UPDATE outbox SET status = 'cancelled' WHERE id = ?", (row,))


LOST = "connection lost"
"""How a message the connection was lost after handing over is recorded (`smtp`): it may
have arrived, so it is sent again with its Message-ID, or cancelled, never made anew
(narrowed, then widened, it reached a member twice: an adversary helper's finding)."""
HANDING = "handed over, no reply recorded"
"""How a message is recorded as a connection hands it over (`smtp`), until its reply is: a
send killed then leaves it so, and it may have arrived (adversary helper 62)."""


def may_have_arrived(error: str) -> bool:
    """Whether a message recorded with `error` may have reached its member: it is sent again
    as it was, with its Message-ID, or not at all, never made anew."""
    return error.startswith((LOST, HANDING))


def drop_withdrawn(
    db: sqlite3.Connection,
    now: datetime,
    published: set[str],
    reaches: Callable[[str, str], bool] = lambda report, clp: True,
) -> int:
    """Take the reports no longer published (made a draft or confidential since they were
    queued), or that no longer `reaches` the message's CLP (its `clps:` narrowed: a deferred
    message still held it, an adversary helper's finding), out of the messages due, as if
    never queued (so they are queued again if they come back); a message left with none is
    cancelled (removed). One that may have arrived loses none: with one withdrawn or narrowed
    away it is cancelled whole, its reports counted as mailed (`forget`: sent without it,
    under its Message-ID, it was another message; sent with it, made as published now, it
    took members' text written since for other CLPs: adversary helper 172). Return how many."""
    cancelled = 0
    with atomic(db):
        for row_id, sid, reports, clp, error in db.execute(
            f"SELECT id, subscriber_id, reports, clp, last_error FROM outbox WHERE {WAITING}",
            (utc(now),),
        ).fetchall():
            shown = reports.split("\n")
            sent = may_have_arrived(error)  # tried again as it was, or not at all
            goes = {r for r in shown if r in published and reaches(r, clp)}
            gone = [r for r in shown if r not in goes]
            if not gone:
                continue
            kept = "\n".join(r for r in shown if r in goes)
            if kept and not sent:
                forget(db, row_id, sid, gone)
                db.execute("UPDATE outbox SET reports = ? WHERE id = ?", (kept, row_id))
            else:  # gone, so that the same may be queued again; or, sent, cancelled whole
                let_go(db, row_id, sid, shown)
                cancelled += 1
    return cancelled
