"""Publish the record: its pages, its open data, the feed of decisions and the search page.

Everything here is made from public values only (the register, and the public version of
each published report), and every file goes through the leak audit like any other output.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from feedgen.feed import FeedGenerator

from reportback.model import VOTES
from reportback.output.site import Outputs, ReportView, SiteBuilder
from reportback.record.accountability import (
    Record,
    Reported,
    Vote,
    make,
    report_url,
    to_csv,
    to_json,
)
from reportback.record.register import Meeting

PAGES = ("record/index.html", "votes/index.html", "search/index.html", "record.json", "votes.csv")
"""What `pages` makes, by name in the site."""
DECISIONS_FEED = ("decisions.xml", "decisions.atom")
"""The feed of decisions, in the feeds folder."""


def record_of(
    register: Iterable[Meeting], views: Iterable[ReportView], now: datetime, zone: ZoneInfo
) -> Record:
    """Return the record of the published reports (drafts are not reports yet)."""
    reported = [
        Reported(v.slug, v.title, v.meeting, v.meeting_date, v.published, v.tags, v.decisions)
        for v in views
        if not v.draft
    ]
    return make(register, reported, now, zone)


def pages(builder: SiteBuilder, record: Record, shards: Iterable[str]) -> Outputs:
    """Return the record's pages and open data, and the search page (which loads each
    shard of the search index), by name in the site."""
    tags = sorted({t for v in record.votes for t in v.tags}, key=str.casefold)
    base = builder.config.base
    return {
        "record/index.html": builder.page(
            "record.html", "../", rows=record.rows, years=record.years()
        ),
        "votes/index.html": builder.page(
            "votes.html",
            "../",
            votes=record.votes,
            vote_names=VOTES,
            tags=tags,
            feeds={"rss": f"{base}feeds/decisions.xml", "atom": f"{base}feeds/decisions.atom"},
        ),
        "search/index.html": builder.page("search.html", "../", shards=list(shards)),
        "record.json": to_json(record, base),
        "votes.csv": to_csv(record, base),
    }


def decisions_feed(record: Record, builder: SiteBuilder, max_items: int) -> dict[str, bytes]:
    """Return the feed of the latest public decisions, RSS and Atom, by file name."""
    config = builder.config
    votes = list(record.votes[:max_items])
    newest = max((_instant(v) for v in votes), default=datetime(1970, 1, 1, tzinfo=UTC))
    out = {}
    for name in DECISIONS_FEED:
        kind = "rss" if name.endswith(".xml") else "atom"
        self_url = f"{config.base}feeds/{name}"
        fg = FeedGenerator()
        fg.id(self_url)
        fg.title(f"{config.title} — decisions")
        fg.description(f"Every public decision reported by {config.rep}, and the rep's vote")
        fg.link(href=self_url, rel="self", type=f"application/{kind}+xml")
        fg.link(href=f"{config.base}votes/", rel="alternate", type="text/html")
        fg.language(config.language)
        fg.author({"name": config.rep})
        fg.updated(newest)
        fg.lastBuildDate(newest)
        for vote in votes:
            _entry(fg, vote, config.base)
        out[name] = fg.rss_str(pretty=True) if kind == "rss" else fg.atom_str(pretty=True)
    return out


def _entry(fg: FeedGenerator, vote: Vote, base: str) -> None:
    url = report_url(base, vote.slug, vote.anchor)
    fe = fg.add_entry(order="append")
    fe.id(url)
    fe.title(f"{vote.item}: {vote.decision or 'decided'}")
    fe.link(href=url)
    said = [f"{vote.meeting}, {vote.day:%-d %B %Y}: {vote.item}."]
    if vote.decision:
        said.append(f"Decision: {vote.decision}.")
    if vote.vote:
        said.append(f"The rep's vote: {vote.vote}.")
    fe.description(" ".join(said))
    fe.updated(_instant(vote))
    fe.published(_instant(vote))


def _instant(vote: Vote) -> datetime:
    return datetime.combine(vote.day, time(0, 0), tzinfo=UTC)
