"""`digest send`: queue what is due, audit it, then deliver each message and record its
outcome, once (resumable: run again after a crash, it sends only what is left)."""

from __future__ import annotations

import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from email.errors import MessageError
from functools import partial
from pathlib import Path

from tqdm import tqdm

from reportback import database
from reportback.build import publications
from reportback.clps import Directory, directory_for
from reportback.config import CONFIG_NAME, Config, SiteConfig
from reportback.database import atomic, send_lock
from reportback.errors import InputRefused, line_of, problem
from reportback.mail import ledger, outbox
from reportback.mail.addresses import ascii_form
from reportback.mail.cadences import due_cadences, mend_runs_ahead, record_send
from reportback.mail.home import at_home
from reportback.mail.library import library
from reportback.mail.mailroom import Mailroom, audit_due, mailroom
from reportback.mail.smtp import Job, Outcome, SmtpServer
from reportback.mail.stopping import stop_asked
from reportback.model import Published


@dataclass
class SendResult:
    queued: int = 0
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    suppressed: int = 0
    cancelled: int = 0
    cadences: tuple[str, ...] = ()
    outbox: Path | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changed: int = 0
    """Messages left for the next send: a build published another version of a report they
    hold while this send was under way."""
    interrupted: bool = False
    """Ctrl-C stopped the send: the messages under way were sent and recorded, the rest wait."""
    signal: int = 0
    """The signal that stopped it (SIGINT, SIGTERM), if one did: it exits 128 and that."""
    bounced: list[tuple[ledger.QueuedMessage, str]] = field(default_factory=list)
    """The messages refused for their address (5.1.x) in this run, counted against each
    address once when it ends (`ledger.settle_bounces`)."""


def send(
    config: Config,
    now: datetime,
    cadence: str | None,
    dry_run: bool,
    progress: bool,
    restored: str | None = None,
    stop: threading.Event | None = None,
    moved: bool = False,
) -> SendResult:
    """Send every digest due now; resumable, and idempotent when run again.

    One sender runs per state folder: a second waits for the first to finish (then finds
    nothing left to send), so two senders never hand the same message over twice. A dry run
    works on a copy and takes no lock. `restored` (`mailed` or `unmailed`) says what became
    of the reports a build found on the site with no record of them in the state. `stop`, if
    given (the daemon's), stops the send as Ctrl-C does. A state folder that sent from
    another place (a copy: both would mail what is due) sends only told it `moved`.
    """
    if dry_run:
        return _send(config, now, cadence, dry_run, progress, threading.Event(), restored, _yes)
    if config.email.smtp_host and config.site.base_url == SiteConfig().base_url:
        raise _no_public_address(config)  # left as it came: set for a trial on this computer
    with send_lock(config.path("state"), _waiting) as locked, stop_asked(stop) as asked:
        at_home(config, moved)
        return _send(config, now, cadence, dry_run, progress, asked, restored, locked)


def _yes() -> bool:
    return True


LOCK_LOST = (
    "the send lock (.reportback/send.lock) was removed during this send, and another "
    "send may have taken one of its own: this one stopped; the rest wait for the next"
)


def _settle_restored(db: sqlite3.Connection, restored: str) -> int:
    """Settle the reports the state was unsure were mailed: `mailed`, every member who
    could have had them counts as having had them; `unmailed`, they are mailed as new: as if
    published now, so every member listed now gets them (a state lost whole lost its members
    too, listed again after the build that found the reports: listed after they were
    published, they got nothing, though the send said they were mailed: adversary helper
    65). Return how many."""
    unsure = (
        "reports.seq IS NOT NULL AND (reports.id IN (SELECT id FROM unsure) "
        "OR reports.slug IN (SELECT slug FROM unsure WHERE id IS NULL))"
    )
    with atomic(db):
        slugs = [slug for (slug,) in db.execute("SELECT slug FROM unsure")]
        if restored == "mailed":
            db.execute(
                "INSERT OR IGNORE INTO included (subscriber_id, report_id, outbox_id) "
                f"SELECT s.id, reports.id, 0 FROM subscribers s JOIN reports ON {unsure}"
            )
        elif slugs:
            db.execute("UPDATE clock SET n = n + 1")
            db.execute(f"UPDATE reports SET seq = (SELECT n FROM clock) WHERE {unsure}")
        db.execute("DELETE FROM unsure")
    return len(slugs)


def _no_public_address(config: Config) -> InputRefused:
    """Refuse to mail links to this computer while `base_url` is left as it came (held-out
    round D3: with the default, every digest's unsubscribe link pointed at localhost, and
    nobody could leave); one set to this computer on purpose is a trial, and goes."""
    file = config.file or Path(CONFIG_NAME)
    text = file.read_text(encoding="utf-8") if file.is_file() else ""
    message = (
        f"[site] base_url is left as it came ({config.site.base_url}): every link in a digest "
        "(unsubscribe included) would point at this computer; set it to the site's public "
        "address"
    )
    line = line_of(text, "site", "base_url")
    return InputRefused([problem(file, line, message)], outcome=NOT_SENT)


NOT_SENT = "nothing was sent"


def _waiting(pid: str) -> None:
    print(f"another digest send (pid {pid}) is sending; waiting for it to finish",
          file=sys.stderr, flush=True)  # fmt: skip


def _send(
    config: Config,
    now: datetime,
    cadence: str | None,
    dry_run: bool,
    progress: bool,
    stop: threading.Event,
    restored: str | None,
    locked: Callable[[], bool],
) -> SendResult:
    with closing(_open(config, dry_run)) as db:
        result = SendResult()
        if restored is not None and (settled := _settle_restored(db, restored)):
            result.warnings.append(
                f"{settled} reports the state had no record of: "
                + ("counted as mailed; nobody gets them again" if restored == "mailed"
                   else "mailed as new to the members they reach")
            )  # fmt: skip
        mend_runs_ahead(db, now)
        result.failed += ledger.fail_lost_twice(db, now)  # a stopped send left in doubt twice
        cadences = (cadence,) if cadence else due_cadences(db, now, config)
        result.cadences = cadences

        def queue_then_pick(listed: dict[str, Published], held: int) -> set[str]:
            newest = max((r.seq for r in listed.values()), default=0)
            if held:  # queued up to just before it: a tick sees it due once it is built
                newest = min(newest, held - 1)
            for name in cadences:
                result.queued += ledger.queue_digests(
                    db, listed, directory, name, now, config.site.host
                )
                record_send(db, name, now, newest)
            return ledger.due_reports(db, now)

        directory = directory_for(config)
        result.warnings += _stranded(db, directory)
        result.cancelled += ledger.unqueue_stale(db, directory)
        ready, published = library(config, now, queue_then_pick, restored is not None)
        shown = {ready.plan.publications[c.source.slug].id for c in ready.chosen.published}
        result.cancelled += publications.drop_withdrawn(  # one held back is shown (helper 151)
            db, now, set(published) | shown, partial(_reaches, published, directory)
        )
        room = mailroom(config, ready, published)
        audit_due(db, room, ready, now)
        folder = config.path("state") / ("outbox-dry-run" if dry_run else "outbox")
        transport = (
            outbox.OutboxFolder(folder, fresh=dry_run)
            if dry_run or not config.email.smtp_host
            else SmtpServer(config.email)
        )
        result.outbox = folder if isinstance(transport, outbox.OutboxFolder) else None
        total = ledger.count_due(db, now)
        bar = tqdm(total=total, unit="msg", disable=not progress or total < 50, leave=False)
        rows: dict[int, ledger.QueuedMessage] = {}
        jobs = _jobs(db, room, now, rows, result, stop, locked)

        def record(outcome: Outcome) -> None:
            _record(db, rows.pop(outcome.row), outcome, now, result)
            bar.update(1)

        def handing(outcome: Outcome) -> None:  # as a connection hands it over (or is cut)
            ledger.mark_handing(db, outcome.row, going=outcome.status == "handing")

        try:
            transport.deliver(jobs, record, handing, stop)
        finally:
            _settle(db, result, now)
        bar.close()
        result.interrupted = stop.is_set()
        result.signal = getattr(stop, "signum", 0)
        if result.changed:
            result.warnings.append(
                f"{result.changed} messages wait for the next send: a build published a new "
                "version of a report they hold during this one (they will hold it)"
            )
    return result


def _settle(db: sqlite3.Connection, result: SendResult, now: datetime) -> None:
    """Count this run's refused addresses, once each; or, if the server took no message in
    it, try their messages again later, uncounted (adversary helper 80: a server refusing
    every address with `550 5.1.1`, its lookup down, suppressed every immediate member, who
    had four messages in the run, and lost every report for good)."""
    rows = [row for row, _ in result.bounced]
    result.suppressed += ledger.settle_bounces(db, rows, result.sent > 0, now)
    if result.sent:
        result.errors += [f"{row.email}: {error}" for row, error in result.bounced]
    elif rows:
        result.failed -= len(rows)
        result.deferred += len(rows)
        result.warnings.append(
            f"the server refused every address this run and took no message: the "
            f"{len(rows)} refused are tried again later, not counted against them"
        )


def _reaches(published: dict[str, Published], directory: Directory, report: str, clp: str) -> bool:
    """Whether a published report still goes to a CLP (one the directory no longer lists is
    `ledger.unqueue_stale`'s)."""
    known = directory.by_slug.get(clp)  # (held back, it goes as the build that shows it says)
    return known is None or report not in published or published[report].addressed_to(known)


def _stranded(db: sqlite3.Connection, directory: Directory) -> list[str]:
    """Say how many active subscribers belong to a CLP the directory does not list (a
    boundary review): no report is addressed to them, so they would get nothing, unsaid."""
    counts = db.execute("SELECT clp, COUNT(*) FROM subscribers WHERE status = 'active' "
                        "GROUP BY clp ORDER BY clp")  # fmt: skip
    return [
        f"{n} subscribers of CLP {clp!r} get nothing: the CLP directory does not list it; "
        "import them again with their new CLP, or add it to the directory"
        for clp, n in counts
        if clp not in directory.by_slug
    ]


def _open(config: Config, dry_run: bool) -> sqlite3.Connection:
    """Return the state database; for a dry run, a copy of it in memory (it changes nothing)."""
    if not dry_run:
        return database.connect(config.path("state"))
    copy = sqlite3.connect(":memory:", isolation_level=None)
    try:
        with database.opened(config.path("state")) as db:
            db.backup(copy)
    except BaseException:
        copy.close()
        raise
    return copy


def _jobs(
    db: sqlite3.Connection,
    room: Mailroom,
    now: datetime,
    rows: dict[int, ledger.QueuedMessage],
    result: SendResult,
    stop: threading.Event,
    locked: Callable[[], bool],
) -> Iterator[Job]:
    sender = room.config.email.from_
    for row in ledger.due(db, now):
        if stop.is_set():  # Ctrl-C: the rest wait for the next send
            return
        if not locked():  # another send may be under way: it sends the rest
            result.warnings.append(LOCK_LOST)
            return
        status, clp, audience = ledger.subscriber_now(db, row.subscriber_id)  # the page is older
        if status == "lapsed":  # queued again, as a member, if they are listed again
            ledger.unqueue(db, row)
            result.cancelled += 1
            continue
        if status != "active":
            ledger.mark_cancelled(db, row, f"subscriber {status}")
            result.cancelled += 1
            continue
        if (clp, audience) != (row.clp, row.audience):  # moved, or lapsed and back (round D3)
            ledger.unqueue(db, row)  # the next send queues it as they are now
            result.deferred += 1
            continue
        held = ledger.reports_due(db, row.id)  # a build may have withdrawn a report since
        if held != row.reports:  # gone, or changed: what is left goes with the next send
            result.cancelled += held is None
            result.deferred += held is not None
            continue
        if _changed(db, room, row.reports):  # a build published another version since
            result.deferred += 1
            result.changed += 1
            continue
        composed = room.composer.compose(room.group(row))
        try:  # whatever one subscriber's data is, it can only fail their own message
            job = Job(row.id, sender, ascii_form(row.email), room.message(row, composed))
        except (ValueError, MessageError) as exc:
            _record(db, row, Outcome(row.id, "unsendable", f"cannot write it: {exc}"), now, result)
            continue
        rows[row.id] = row
        yield job


def _changed(db: sqlite3.Connection, room: Mailroom, reports: tuple[str, ...]) -> bool:
    """Whether the site shows another version of any of `reports` than the one this send
    rendered (held-out round D3: a paragraph marked confidential mid-send went on being
    mailed as it was to every member the send had left)."""
    library, shown = room.composer.library, ledger.versions(db, reports)  # (one held back:
    return any(r not in library or shown.get(r, "") not in ("", library[r].version)  # none)
               for r in reports)  # fmt: skip


def _record(
    db: sqlite3.Connection,
    row: ledger.QueuedMessage,
    outcome: Outcome,
    now: datetime,
    result: SendResult,
) -> None:
    with atomic(db):
        _outcome(db, row, outcome, now, result)


def _outcome(
    db: sqlite3.Connection,
    row: ledger.QueuedMessage,
    outcome: Outcome,
    now: datetime,
    result: SendResult,
) -> None:
    if outcome.status == "sent":
        ledger.mark_sent(db, row, now)
        result.sent += 1
    elif outcome.status == "unsendable":
        ledger.mark_unsendable(db, row, outcome.error)
        result.failed += 1
        result.errors.append(f"{row.email!r}: {outcome.error}")
    elif outcome.status == "failed":  # counted against the address when the run ends
        ledger.mark_failed(db, row, outcome.error)
        result.bounced.append((row, outcome.error))
        result.failed += 1
    elif outcome.status == "held":  # the server would take nothing: left queued, untouched
        ledger.mark_held(db, row)
        result.deferred += 1
    elif failed := ledger.mark_deferred(db, row, outcome.error, now):
        result.failed += 1
        result.errors.append(f"{row.email}: {failed}")
    else:
        result.deferred += 1
