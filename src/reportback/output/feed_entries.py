"""Each rendered public report as one feed entry, and the feeds that show the entries: all,
each region's and each CLP's (and the OPML list of the CLPs' feeds)."""

from __future__ import annotations

import functools
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from html import escape
from itertools import islice
from urllib.parse import quote, urljoin
from zoneinfo import ZoneInfo

from reportback.clps import Directory, concerns, reaches, region_slug
from reportback.config import SiteConfig
from reportback.model import Item, RenderedReport


@dataclass(frozen=True)
class Entry:
    """One report as every feed shows it, rendered once per build."""

    slug: str
    uri: str
    title: str
    url: str
    published: datetime
    updated: datetime
    summary: str
    notes: str
    """The corrections, as HTML."""
    body: str
    """The report's HTML, its links relative to `url` (made absolute only where shown)."""
    pdf_url: str
    pdf_length: int
    categories: tuple[str, ...]
    author: str
    items: tuple[Item, ...]
    clps: tuple[str, ...]
    regions: tuple[str, ...]


@dataclass(frozen=True)
class Feed:
    """One feed: where it lives, what it is called and which entries it holds."""

    stem: str
    title: str
    description: str
    page: str
    entries: tuple[Entry, ...]
    """Its newest entries, as many as a feed shows (`max_items`), newest first."""
    concerns: Callable[[Item], bool] | None = None
    concern_label: str = ""


def distinct_updates(entries: Iterable[Entry]) -> list[Entry]:
    """Give entries updated at the same instant (one build) distinct `updated` values, a
    second apart in the order of their slugs: feed validators warn about equal ones."""
    taken: set[datetime] = set()
    reached: dict[datetime, datetime] = {}
    """From each instant, the last one given: every one between is taken (a build's thousand
    entries at one instant are given theirs in one step each, not in a thousand)."""
    out = []
    for entry in sorted(entries, key=lambda e: (e.updated, e.slug)):
        updated = reached.get(entry.updated, entry.updated)
        while updated in taken:
            updated += timedelta(seconds=1)
        taken.add(updated)
        reached[entry.updated] = updated
        out.append(entry if updated == entry.updated else replace(entry, updated=updated))
    return out


def entry(report: RenderedReport, site: SiteConfig) -> Entry:
    """Return a report as every feed shows it."""
    meta = report.meta
    published, shown = report.publication.published_at, report.publication.shown
    shown = shown or report.publication.id
    assert published is not None, f"{report.slug} has no publication time"
    url = f"{_reports(site.base)}{report.slug}/"  # a slug is a path segment: no `.`, `/`, `?`
    zone = ZoneInfo(site.timezone)
    corrected = [datetime.combine(c.date, time(), zone) for c in meta.corrections]
    notes = "".join(
        f"<p><strong>Correction ({escape(c.date.strftime('%-d %B %Y'))}):</strong> "
        f"{escape(c.note)}</p>"
        for c in reversed(meta.corrections)
    )
    return Entry(
        slug=report.slug,
        uri=f"tag:{site.host},{published.year}:reportback/{quote(shown)}",  # not the meeting's
        # year: a date corrected across New Year changed every feed's id (adversary helper 159)
        title=meta.title,
        url=url,
        published=published,
        updated=max([published, *corrected]),
        summary=report.redacted.summary,
        notes=notes,
        body=report.html,
        pdf_url=f"{url}{report.slug}.pdf",
        pdf_length=report.pdf_file.size,
        categories=(meta.meeting, *meta.tags),
        author=meta.author or site.rep,
        items=report.redacted.items,
        clps=meta.clps,
        regions=meta.regions,
    )


@functools.cache
def _reports(base: str) -> str:
    """The reports' folder under the site's base URL (joined once: a build's thousand
    entries joined theirs in a tenth of a second)."""
    return urljoin(base, "reports/")


def feeds(
    entries: list[Entry], directory: Directory, site: SiteConfig, limit: int
) -> Iterator[Feed]:
    """Yield every feed: all reports, each region's, each CLP's; each with its newest `limit`
    entries (of the thousand, a feed shows a few: the rest are never looked at)."""
    title, base = site.title, site.base
    yield Feed("all", title, f"Every report from {title}", base, tuple(entries[:limit]))
    for region in directory.regions:
        clps = {c.slug for c in directory.in_region(region)}
        yield Feed(
            f"region/{region_slug(region)}",
            f"{title} — {region}",
            f"Reports for CLPs in {region}",
            urljoin(base, "clp/"),
            tuple(islice((e for e in entries if _for_region(e, region, clps)), limit)),
            lambda i, r=region, c=clps: r in i.regions or bool(c & set(i.clps)),  # type: ignore[misc]
            region,
        )
    for clp in directory.clps:
        yield Feed(
            f"clp/{clp.slug}",
            f"{title} — {clp.name}",
            f"Reports for {clp.name} CLP",
            urljoin(base, f"clp/{clp.slug}/"),
            tuple(islice((e for e in entries if reaches(e.clps, e.regions, clp)), limit)),
            lambda i, c=clp: concerns(i.clps, i.regions, c),  # type: ignore[misc]
            clp.name,
        )


def _for_region(entry: Entry, region: str, clps: set[str]) -> bool:
    if not entry.clps and not entry.regions:
        return True
    return region in entry.regions or bool(clps & set(entry.clps))


def opml(directory: Directory, site: SiteConfig) -> bytes:
    """Return the OPML list of every CLP's feed, by region."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = f"{site.title} — CLP feeds"
    body = ET.SubElement(root, "body")
    for region in directory.regions:
        group = ET.SubElement(body, "outline", text=region, title=region)
        for clp in directory.in_region(region):
            ET.SubElement(
                group,
                "outline",
                type="rss",
                text=clp.name,
                title=clp.name,
                xmlUrl=urljoin(site.base, f"feeds/clp/{clp.slug}.xml"),
                htmlUrl=urljoin(site.base, f"clp/{clp.slug}/"),
            )
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"
