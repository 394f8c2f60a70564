"""`digest preview` and `digest test`: a sample of the digest a CLP's readers would get now.

Composed and audited as a send does it, for a sample reader; nothing is recorded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from reportback.clps import Clp, Directory, did_you_mean
from reportback.config import Config
from reportback.errors import UsageError
from reportback.mail.cadences import last_slot
from reportback.mail.compose import NAME_HTML_MARK, PREFERENCES_MARK, UNSUBSCRIBE_MARK
from reportback.mail.library import library
from reportback.mail.mailroom import audit_groups, group_of, mailroom, personalise
from reportback.mail.tokens import NOBODY
from reportback.model import Published


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
    group = group_of(clp, audience, cadence, tuple(r.id for r in chosen_reports))
    audit_groups(room, ready, group)
    composed = room.composer.compose(group)
    made = hashlib.sha256(repr((group, audience, to, now.isoformat())).encode()).hexdigest()
    message = personalise(  # a Message-ID of its own: a mail program shows every test
        room, composed, NOBODY, to, "Sample Reader",
        f"<preview.{made[:20]}@{room.host}>", now, clp, audience,
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
    return recent, f"{len(recent)} report{'s' * (len(recent) != 1)} since {since:%-d %B %Y}"
