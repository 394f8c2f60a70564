"""From queued messages to bytes: each group's digest composed and audited once, then
personalised for each reader (their name, address and links)."""

from __future__ import annotations

import html
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin

from reportback.audit.leaks import Output
from reportback.build import pipeline
from reportback.config import Config
from reportback.mail import ledger
from reportback.mail import tokens as purpose
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
from reportback.mail.headers import header, shared_headers, to_header
from reportback.mail.tokens import Tokens, load_secret
from reportback.model import Audience, Published


@dataclass(frozen=True)
class Mailroom:
    """Everything needed to turn queued messages into the bytes sent."""

    config: Config
    composer: Composer
    tokens: Tokens
    signer: Signer | None
    host: str

    def group(self, row: ledger.QueuedMessage) -> Group:
        return group_of(row.clp, row.audience, row.cadence, row.reports)

    def message(self, row: ledger.QueuedMessage, composed: Composed) -> bytes:
        return personalise(self, composed, row.subscriber_id, row.email, row.name,
                           row.message_id, datetime.fromisoformat(row.created_at), row.clp,
                           row.audience)  # fmt: skip


def group_of(clp: str, audience: str, cadence: str, reports: tuple[str, ...]) -> Group:
    """Return a digest group from the ledger's words for it (audience "public" or "members")."""
    return Group(clp, Audience[audience.upper()], cadence, reports)


def mailroom(config: Config, ready: pipeline.Prepared, published: dict[str, Published]) -> Mailroom:
    env = ready.templates.jinja()
    css = ready.templates.text("email.css")
    composer = Composer(config, ready.directory, env, css, published)
    tokens = Tokens(load_secret(config.path("state")))
    signer = Signer.from_config(config)
    return Mailroom(config, composer, tokens, signer, config.site.host)


def audit_due(
    db: sqlite3.Connection, room: Mailroom, ready: pipeline.Prepared, now: datetime
) -> None:
    """Compose every group that is due and audit it before a single message goes out (not
    one holding a report held back until a build: it waits for it, as `sending` sees)."""
    library = room.composer.library
    groups = {group_of(*due) for due in ledger.due_groups(db, now)}
    groups = {g for g in groups if all(r in library for r in g.reports)}
    audit_groups(room, ready, *sorted(groups, key=lambda g: (g.clp, g.audience, g.reports)))


def audit_groups(room: Mailroom, ready: pipeline.Prepared, *groups: Group) -> None:
    """Audit the digests of `groups`, one at a time (never all their text held at once)."""

    def files() -> Iterator[Output]:
        for group in groups:
            composed = room.composer.compose(group)
            name = f"email/{group.clp}-{group.audience.label}-{group.cadence}"
            text = (composed.subject + "\n" + composed.text).encode()
            yield Output(f"{name}.txt", text, group.audience)
            yield Output(f"{name}.html", composed.html.encode(), group.audience)
            for f, data in composed.attachments:  # a report's PDF: searched as its own is,
                slug = f.removesuffix(".pdf")  # its runs run together too (helper 137)
                yield Output(f"{name}/{f}", data, group.audience, slug)

    if groups:
        pipeline.check_for_leaks(files(), ready, room.config.path("state"), "digest")


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
    name = shortened(name)  # a name stored before names were limited
    shown = name or ("member" if audience == "members" else "reader")
    sender, group, listing, post = shared_headers(config, room.host, composed.subject, date, clp)
    unsubscribe_header = f"<{unsubscribe}>, <mailto:{config.email.from_}?subject=unsubscribe>"
    headers = b"".join((
        sender, to_header(name, email), group, header("Message-ID", message_id),
        listing, header("List-Unsubscribe", unsubscribe_header), post,
    ))  # fmt: skip
    body = (
        composed.body.replace(NAME_TEXT_MARK.encode(), shown.encode("utf-8"))
        .replace(NAME_HTML_MARK.encode(), html.escape(shown).encode("utf-8"))
        .replace(UNSUBSCRIBE_MARK.encode(), html.escape(unsubscribe).encode("ascii"))
        .replace(PREFERENCES_MARK.encode(), html.escape(preferences).encode("ascii"))
    )
    message = headers + composed.head + b"\r\n" + body
    return room.signer.sign(message) if room.signer else message


NAME_BYTES = 80
"""At most this many bytes of a name, escaped for HTML, go into a message: a body's lines are
kept under 900 octets with the name's marker in them (`compose.LINE_LIMIT`)."""


def shortened(name: str) -> str:
    """Return a name cut short (with …) if, escaped for HTML, it is over `NAME_BYTES`."""
    if len(html.escape(name).encode("utf-8")) <= NAME_BYTES:
        return name
    name = name[:NAME_BYTES]  # no fewer bytes than characters: the rest never fits
    while len(html.escape(name + "…").encode("utf-8")) > NAME_BYTES:
        name = name[:-1]
    return name.rstrip() + "…"
