"""`digest send` and `digest preview`: plan, compose, audit, personalise and deliver."""

from __future__ import annotations

import functools
import html
import re
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.errors import MessageError
from email.headerregistry import (
    Address,
    AddressHeader,
    HeaderRegistry,
    MessageIDHeader,
    UnstructuredHeader,
)
from email.utils import format_datetime
from pathlib import Path
from typing import cast
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from tqdm import tqdm

from reportback import database
from reportback.audit.leaks import Output
from reportback.build import pipeline
from reportback.clps import Clp, Directory, did_you_mean, directory_for
from reportback.config import Config
from reportback.database import atomic, send_lock
from reportback.errors import UsageError
from reportback.mail import ledger
from reportback.mail import tokens as purpose
from reportback.mail.addresses import ascii_form
from reportback.mail.cadences import due_cadences, last_slot
from reportback.mail.compose import (
    NAME_HTML_MARK,
    NAME_TEXT_MARK,
    PREFERENCES_MARK,
    UNSUBSCRIBE_MARK,
    Composed,
    Composer,
    Group,
)  # fmt: skip
from reportback.mail.dkim import Signer
from reportback.mail.headers import HEADERS
from reportback.mail.smtp import Job, OutboxFolder, Outcome, SmtpServer
from reportback.mail.tokens import Tokens, load_secret
from reportback.model import Audience, Published


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


@dataclass(frozen=True)
class Mailroom:
    """Everything needed to turn ledger rows into messages."""

    config: Config
    composer: Composer
    tokens: Tokens
    signer: Signer | None
    host: str

    def group(self, row: ledger.QueuedMessage) -> Group:
        return _group(row.clp, row.audience, row.cadence, row.reports)

    def message(self, row: ledger.QueuedMessage, composed: Composed) -> bytes:
        return personalise(self, composed, row.subscriber_id, row.email, row.name,
                           row.message_id, datetime.fromisoformat(row.created_at), row.clp,
                           row.audience)  # fmt: skip


def _group(clp: str, audience: str, cadence: str, reports: tuple[str, ...]) -> Group:
    """Return a digest group from the ledger's words for it (audience "public" or "members")."""
    return Group(clp, Audience[audience.upper()], cadence, reports)


def library(
    config: Config, now: datetime, wanted: Callable[[dict[str, Published]], set[str]] | None = None
) -> tuple[pipeline.Prepared, dict[str, Published]]:
    """Return the reports published by a build so far, rendered for both reader audiences.

    Every published report is listed; only those `wanted` picks from that list (all, if
    not given) are rendered and returned: a send renders just the reports its digests show.
    """
    options = pipeline.BuildOptions(now=now)
    surveyed = pipeline.survey(config, options)
    listed = _catalogue(config, surveyed)
    ids = set(listed) if wanted is None else wanted(listed)
    only = frozenset(listed[i].slug for i in ids if i in listed)
    audiences = (Audience.PUBLIC, Audience.MEMBERS)
    ready = pipeline.prepare(config, options, audiences, surveyed, only)
    versions = {a: {r.slug: r for r in ready.rendered[a]} for a in ready.rendered}
    out = {
        i: replace(listed[i], versions={a: versions[a][listed[i].slug] for a in versions})
        for i in sorted(ids & set(listed))
    }
    return ready, out


def _catalogue(config: Config, surveyed: pipeline.Survey) -> dict[str, Published]:
    """List the reports a build has published by now, by id (not yet rendered)."""
    with database.opened(config.path("state")) as db:
        recorded = {
            slug: (datetime.fromisoformat(at), seq)
            for slug, at, seq in db.execute(
                "SELECT slug, published_at, seq FROM reports WHERE seq IS NOT NULL"
            )
        }
    out: dict[str, Published] = {}
    for item in surveyed.chosen.published:
        slug, meta = item.source.slug, item.source.meta
        if slug not in recorded:
            continue  # not yet on the site (never built, or the build stopped before its swap)
        publication = surveyed.plan.publications[slug]
        at, seq = recorded[slug]
        out[publication.id] = Published(publication.id, slug, at, meta.clps, meta.regions, {}, seq)
    return out


def mailroom(config: Config, ready: pipeline.Prepared, published: dict[str, Published]) -> Mailroom:
    env = ready.templates.jinja()
    css = ready.templates.text("email.css")
    composer = Composer(config, ready.directory, env, css, published)
    tokens = Tokens(load_secret(config.path("state")))
    signer = Signer.from_config(config.email)
    return Mailroom(config, composer, tokens, signer, config.site.host)


def send(
    config: Config, now: datetime, cadence: str | None, dry_run: bool, progress: bool
) -> SendResult:
    """Send every digest due now; resumable, and idempotent when run again.

    One sender runs per state folder: a second waits for the first to finish (then finds
    nothing left to send), so two senders never hand the same message over twice. A dry run
    works on a copy and takes no lock.
    """
    if dry_run:
        return _send(config, now, cadence, dry_run, progress)
    with send_lock(config.path("state"), _waiting):
        return _send(config, now, cadence, dry_run, progress)


def _waiting(pid: str) -> None:
    print(f"another digest send (pid {pid}) is sending; waiting for it to finish",
          file=sys.stderr, flush=True)  # fmt: skip


def _send(
    config: Config, now: datetime, cadence: str | None, dry_run: bool, progress: bool
) -> SendResult:
    with closing(_open(config, dry_run)) as db:
        result = SendResult()
        cadences = (cadence,) if cadence else due_cadences(db, now, config)
        result.cadences = cadences

        def queue_then_pick(listed: dict[str, Published]) -> set[str]:
            for name in cadences:
                result.queued += ledger.queue_digests(
                    db, listed, directory, name, now, config.site.host
                )
                newest = max((r.seq for r in listed.values()), default=0)
                ledger.record_send(db, name, now, newest)
            return ledger.due_reports(db, now)

        directory = directory_for(config)
        ready, published = library(config, now, queue_then_pick)
        room = mailroom(config, ready, published)
        _audit_groups(db, room, ready, now)
        folder = config.path("state") / ("outbox-dry-run" if dry_run else "outbox")
        transport = (
            OutboxFolder(folder)
            if dry_run or not config.email.smtp_host
            else SmtpServer(config.email)
        )
        result.outbox = folder if isinstance(transport, OutboxFolder) else None
        total = ledger.count_due(db, now)
        bar = tqdm(total=total, unit="msg", disable=not progress or total < 50, leave=False)
        rows: dict[int, ledger.QueuedMessage] = {}
        jobs = _jobs(db, room, now, rows, result)

        def record(outcome: Outcome) -> None:
            _record(db, rows.pop(outcome.row), outcome, now, result)
            bar.update(1)

        transport.deliver(jobs, record)
        bar.close()
    return result


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
) -> Iterator[Job]:
    sender = room.config.email.from_
    for row in ledger.due(db, now):
        if row.subscriber_status != "active":
            ledger.mark_cancelled(db, row, f"subscriber {row.subscriber_status}")
            result.cancelled += 1
            continue
        composed = room.composer.compose(room.group(row))
        try:  # whatever one subscriber's data is, it can only fail their own message
            job = Job(row.id, sender, ascii_form(row.email), room.message(row, composed))
        except (ValueError, MessageError) as exc:
            _record(db, row, Outcome(row.id, "unsendable", f"cannot write it: {exc}"), now, result)
            continue
        rows[row.id] = row
        yield job


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
    elif outcome.status == "failed":
        if ledger.mark_failed(db, row, outcome.error, now):
            result.suppressed += 1
        result.failed += 1
        result.errors.append(f"{row.email}: {outcome.error}")
    elif ledger.mark_deferred(db, row, outcome.error, now) == "failed":
        result.failed += 1
        result.errors.append(
            f"{row.email}: gave up after {ledger.MAX_ATTEMPTS} tries: {outcome.error}"
        )
    else:
        result.deferred += 1


def _audit_groups(
    db: sqlite3.Connection, room: Mailroom, ready: pipeline.Prepared, now: datetime
) -> None:
    """Compose every group that is due and audit it before a single message goes out."""
    groups = {_group(*due) for due in ledger.due_groups(db, now)}
    _audit_composed(room, ready, *sorted(groups, key=lambda g: (g.clp, g.audience, g.reports)))


def _audit_composed(room: Mailroom, ready: pipeline.Prepared, *groups: Group) -> None:
    """Audit the digests of `groups`, one at a time (never all their text held at once)."""

    def files() -> Iterator[Output]:
        for group in groups:
            composed = room.composer.compose(group)
            name = f"email/{group.clp}-{group.audience.label}-{group.cadence}"
            text = (composed.subject + "\n" + composed.text).encode()
            yield Output(f"{name}.txt", text, group.audience)
            yield Output(f"{name}.html", composed.html.encode(), group.audience)
            for f, data in composed.attachments:
                yield Output(f"{name}/{f}", data, group.audience)

    if groups:
        pipeline.check_for_leaks(files(), ready, room.config.path("state"), "digest")


@dataclass(frozen=True)
class Preview:
    message: bytes
    html: str
    note: str


def preview(
    config: Config,
    now: datetime,
    clp: str | None,
    audience: str,
    cadence: str,
    to: str = "preview@example.org",
) -> Preview:
    """Return the digest a subscriber of `clp` would get now (sample name, address `to`);
    with no `clp`, one the newest published report reaches."""
    ready, published = library(config, now)
    if clp is None:
        clp = _some_clp(ready.directory, list(published.values()))
    if clp not in ready.directory.by_slug:
        close = did_you_mean(clp, ready.directory.by_slug)
        raise UsageError(f"unknown CLP {clp!r}{close}; see site/clp/index.html for the slugs")
    chosen = ready.directory.by_slug[clp]
    mine = sorted(
        (r for r in published.values() if r.addressed_to(chosen)),
        key=lambda r: (r.published_at, r.id),
        reverse=True,
    )
    if not mine:
        raise UsageError(_why_nothing(chosen, list(published.values())))
    chosen_reports, note = _preview_reports(config, now, cadence, mine)
    room = mailroom(config, ready, published)
    group = _group(clp, audience, cadence, tuple(r.id for r in chosen_reports))
    _audit_composed(room, ready, group)
    composed = room.composer.compose(group)
    message = personalise(
        room, composed, 0, to, "Sample Reader",
        f"<preview@{room.host}>", now, clp, audience,
    )  # fmt: skip
    html_part = composed.html.replace(NAME_HTML_MARK, "Sample Reader").replace(
        UNSUBSCRIBE_MARK, "#"
    )
    return Preview(message, html_part.replace(PREFERENCES_MARK, "#"), note)


def _some_clp(directory: Directory, published: list[Published]) -> str:
    """Return a CLP the newest published report reaches (the first CLP if none is published)."""
    for report in sorted(published, key=lambda r: r.seq, reverse=True)[:1]:
        reached = [c for c in directory.clps if report.addressed_to(c)]
        if reached:
            return reached[0].slug
    return directory.clps[0].slug


def _why_nothing(clp: Clp, published: list[Published]) -> str:
    """Say why no published report reaches `clp`: none published yet, or each one's limits."""
    if not published:
        return "nothing has been published yet; run `reportback build` first"
    first = min(published, key=lambda r: r.slug)
    limits = "; ".join(
        part
        for part in (
            f"clps: {', '.join(first.clps)}" if first.clps else "",
            f"regions: {', '.join(first.regions)}" if first.regions else "",
        )
        if part
    )
    return (
        f"no published report reaches {clp.slug} ({clp.name}, in {clp.region}): each of the "
        f"{len(published)} published is limited by its front matter's clps: or regions: "
        f"(e.g. {first.slug}: {limits})"
    )


def _preview_reports(
    config: Config, now: datetime, cadence: str, mine: list[Published]
) -> tuple[list[Published], str]:
    """Return what a digest of `cadence` would hold now (newest first), and a note saying so."""
    if cadence == "immediate":
        return mine[:1], "the latest report"
    spec = config.schedule.weekly if cadence == "weekly" else config.schedule.monthly
    period = timedelta(days=7) if cadence == "weekly" else timedelta(days=31)
    since = last_slot(now, cadence, spec, ZoneInfo(config.site.timezone)) - period
    recent = [r for r in mine if r.published_at > since]
    if not recent:
        return mine[:1], "nothing new this period: previewing the latest report"
    return recent, f"{len(recent)} reports since {since:%-d %B %Y}"


def personalise(
    room: Mailroom,
    composed: Composed,
    subscriber: int,
    email: str,
    name: str,
    message_id: str,
    date: datetime,
    clp: str,
    audience: str,
) -> bytes:
    """Return one subscriber's message: the group's bytes with their address, name and links."""
    config = room.config
    base = config.site.base
    unsubscribe = urljoin(
        base, "unsubscribe?token=" + room.tokens.make(subscriber, email, purpose.UNSUBSCRIBE)
    )
    preferences = urljoin(
        base, "preferences?token=" + room.tokens.make(subscriber, email, purpose.PREFERENCES)
    )
    shown = name or ("member" if audience == "members" else "reader")
    sender, group, listing, post = _shared_headers(config, room.host, composed.subject, date, clp)
    unsubscribe_header = f"<{unsubscribe}>, <mailto:{config.email.from_}?subject=unsubscribe>"
    headers = b"".join((
        sender, _to(name, email), group, _header("Message-ID", message_id),
        listing, _header("List-Unsubscribe", unsubscribe_header), post,
    ))  # fmt: skip
    body = (
        composed.body.replace(NAME_TEXT_MARK.encode(), shown.encode("utf-8"))
        .replace(NAME_HTML_MARK.encode(), html.escape(shown).encode("utf-8"))
        .replace(UNSUBSCRIBE_MARK.encode(), html.escape(unsubscribe).encode("ascii"))
        .replace(PREFERENCES_MARK.encode(), html.escape(preferences).encode("ascii"))
    )
    message = headers + composed.head + b"\r\n" + body
    return room.signer.sign(message) if room.signer else message


@functools.lru_cache(maxsize=4096)
def _shared_headers(
    config: Config, host: str, subject: str, date: datetime, clp: str
) -> tuple[bytes, bytes, bytes, bytes]:
    """Return the headers all readers of one digest share: four blocks, around each reader's own.

    Made once per digest, not once per reader: the email package's header parsing is the
    slowest part of a message.
    """
    shared = [
        [("From", config.email.from_)],
        ([("Reply-To", config.email.reply_to)] if config.email.reply_to else [])
        + [("Subject", subject), ("Date", format_datetime(date))],
        [("List-Id", f"{config.site.title}: {clp} <{clp}.{host}>")],
        [("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")],
    ]
    first, second, third, fourth = (b"".join(_header(n, v) for n, v in block) for block in shared)
    return first, second, third, fourth


_PLAIN = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*")
"""A value the email package writes back unchanged: printable ASCII words, single spaces."""


def _header(name: str, value: str) -> bytes:
    """Return one header as the email package writes it (and refuses it: a line break in it).

    A plain value that fits on one line is written as it is, which is what the package would
    write (a test holds them to that): parsing it costs more than the rest of a message.
    """
    plain = _PLAIN.fullmatch(value) and "=?" not in value and len(name) + len(value) < 990
    if plain and _unchanged(name, value):
        return f"{name}: {value}\r\n".encode("ascii")
    return HEADERS.fold_binary(*HEADERS.header_store_parse(name, value))


def _unchanged(name: str, value: str) -> bool:
    """Tell whether a plain value is one the package keeps as it is for this header."""
    kind = _kind(name.lower())
    if issubclass(kind, AddressHeader):
        return bool(_MAILBOX.fullmatch(value))
    if issubclass(kind, MessageIDHeader):
        return bool(_MESSAGE_ID.fullmatch(value))
    return issubclass(kind, UnstructuredHeader)


@functools.lru_cache(maxsize=64)
def _kind(name: str) -> type:
    """Return the email package's class for a header (it makes a new one each time asked)."""
    return cast(HeaderRegistry, HEADERS.header_factory)[name]


_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_ATOM = rf"{_ATEXT}(?:\.{_ATEXT})*"
_ADDR = rf"{_DOT_ATOM}@{_DOT_ATOM}"
_MAILBOX = re.compile(rf"{_ADDR}|(?:{_ATEXT}(?: {_ATEXT})* )?<{_ADDR}>")
"""An address, alone or after a display name of plain words: written back unchanged."""
_MESSAGE_ID = re.compile(rf"<{_ADDR}>")


def _to(name: str, email: str) -> bytes:
    """Return the To header: the domain in ASCII; a non-ASCII local part as UTF-8 (SMTPUTF8)."""
    address = ascii_form(email)
    if address.isascii():
        return _header("To", _address(name, address))
    return UTF8_HEADERS.fold_binary(*UTF8_HEADERS.header_store_parse("To", _address(name, address)))


UTF8_HEADERS = HEADERS.clone(utf8=True)


def _address(name: str, email: str) -> str:
    local, _, domain = email.rpartition("@")
    return str(Address(display_name=name, username=local, domain=domain))
