"""Lay out the public site: home page, report pages, CLP directory and one page per CLP."""

from __future__ import annotations

import hashlib
import heapq
import itertools
import re
import unicodedata
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from zoneinfo import ZoneInfo

import jinja2

from reportback.clps import Clp, Directory, reaches
from reportback.config import SiteConfig
from reportback.model import Correction, Decision, Item, RenderedReport
from reportback.output.consent import WORDING
from reportback.output.layout import STATIC
from reportback.output.render import plain_summary

Outputs = dict[str, bytes]
LATEST = 20
"""How many reports the home page and each CLP page list; the archive lists every one."""


@dataclass(frozen=True)
class ReportView:
    """What a page may show of a report: allow-listed fields and rendered public HTML."""

    slug: str
    title: str
    meeting: str
    meeting_date: date
    published: datetime | None
    author: str
    summary: str
    tags: tuple[str, ...]
    corrections: tuple[Correction, ...]
    items: tuple[Item, ...]
    html: str = field(repr=False)
    """Not in its repr, which names a page (`Planner`): the rendering's key names the HTML."""
    draft: bool
    pdf_name: str
    clps: tuple[str, ...]
    regions: tuple[str, ...]
    embargoed_until: datetime | None = None
    """In the rep's preview, when an embargoed report will be published."""
    decisions: tuple[Decision, ...] = ()

    def concerns(self, clp: Clp) -> bool:
        """Return whether the report is addressed to `clp` (all CLPs unless restricted)."""
        return reaches(self.clps, self.regions, clp)


def view(report: RenderedReport, rep: str) -> ReportView:
    meta = report.meta
    return ReportView(
        slug=report.slug,
        title=meta.title,
        meeting=meta.meeting,
        meeting_date=meta.meeting_date,
        published=report.publication.published_at,
        author=meta.author or rep,
        summary=plain_summary(report.redacted.summary),
        tags=meta.tags,
        corrections=meta.corrections,
        items=report.redacted.items,
        html=report.html,
        draft=report.draft,
        pdf_name=f"{report.slug}.pdf",
        clps=meta.clps,
        regions=meta.regions,
        embargoed_until=meta.publish_at if report.draft and meta.status != "draft" else None,
        decisions=report.redacted.decisions,
    )


def days(value: float | None) -> str:
    """Write a number of days for a reader: "1 day", "2.5 days", or a dash."""
    if value is None:
        return "—"
    number = f"{value:g}"
    return f"{number} day" if number == "1" else f"{number} days"


def tag_slug(tag: str) -> str:
    """Return the URL name of a tag's page: its words, or for a tag of none (`!!!`, `★`) a
    hash of it (every such tag had one page, `tags/tag/`: an adversary helper's finding)."""
    folded = unicodedata.normalize("NFKC", tag).casefold()
    slug = re.sub(r"[^\w]+", "-", folded).strip("-")
    return slug or "tag-" + hashlib.sha256(folded.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def report_page(report: ReportView) -> str:
    """Return the name of a report's own page."""
    return f"reports/{report.slug}/index.html"


def newest_first(reports: list[ReportView]) -> list[ReportView]:
    return sorted(reports, key=lambda r: (r.meeting_date, r.slug), reverse=True)


def by_year(reports: list[ReportView]) -> list[tuple[int, list[ReportView]]]:
    """Group reports (newest first) by the year of their meeting, keeping their order."""
    groups: dict[int, list[ReportView]] = {}
    for report in reports:
        groups.setdefault(report.meeting_date.year, []).append(report)
    return list(groups.items())


class _ClpLists:
    """Each CLP's reports and the agenda items that concern it, gathered in one pass.

    A report restricted to no CLP reaches every CLP: it is listed once for all of them.
    """

    def __init__(self, reports: list[ReportView], directory: Directory) -> None:
        self.everyone = [(n, r) for n, r in enumerate(reports) if not r.clps and not r.regions]
        self.restricted: dict[str, list[tuple[int, ReportView]]] = {}
        self.items: dict[str, list[tuple[ReportView, Item]]] = {}
        self.decisions: dict[str, list[tuple[ReportView, Decision]]] = {}
        for n, report in enumerate(reports):
            if report.clps or report.regions:
                for clp in _named(report.clps, report.regions, directory):
                    self.restricted.setdefault(clp.slug, []).append((n, report))
            for item in report.items:
                for clp in _named(item.clps, item.regions, directory):
                    if report.concerns(clp):
                        self.items.setdefault(clp.slug, []).append((report, item))
            for decision in report.decisions:
                for clp in _named(decision.clps, decision.regions, directory):
                    if report.concerns(clp):
                        self.decisions.setdefault(clp.slug, []).append((report, decision))

    def reports(self, clp: Clp) -> tuple[list[ReportView], int]:
        """Return the newest reports that reach `clp` (up to LATEST) and how many reach it."""
        own = self.restricted.get(clp.slug, [])
        merged = heapq.merge(self.everyone, own, key=lambda pair: pair[0])
        return [r for _, r in itertools.islice(merged, LATEST)], len(self.everyone) + len(own)


@dataclass(frozen=True)
class ClpPage:
    """What one CLP's page lists: the newest reports that reach the CLP, how many do, and the
    agenda items and decisions that concern it."""

    clp: Clp
    reports: tuple[ReportView, ...]
    total: int
    items: tuple[tuple[ReportView, Item], ...]
    decisions: tuple[tuple[ReportView, Decision], ...]

    @property
    def name(self) -> str:
        return f"clp/{self.clp.slug}/index.html"


def clp_pages(reports: list[ReportView], directory: Directory) -> list[ClpPage]:
    """Return what each CLP's page lists, in the directory's order."""
    lists = _ClpLists(newest_first(reports), directory)
    pages = []
    for clp in directory.clps:
        latest, total = lists.reports(clp)
        items, decisions = lists.items.get(clp.slug, []), lists.decisions.get(clp.slug, [])
        pages.append(ClpPage(clp, tuple(latest), total, tuple(items), tuple(decisions)))
    return pages


def _named(clps: tuple[str, ...], regions: tuple[str, ...], directory: Directory) -> list[Clp]:
    """Return the CLPs named, themselves or by their region (each once)."""
    named = {slug: directory.by_slug[slug] for slug in clps if slug in directory.by_slug}
    for region in regions:
        named |= {c.slug: c for c in directory.in_region(region)}
    return list(named.values())


class SiteBuilder:
    """Render every page of the site into a mapping of path to bytes."""

    def __init__(self, env: jinja2.Environment, config: SiteConfig, directory: Directory) -> None:
        self.env = env
        self.config = config
        self.directory = directory
        self.zone = ZoneInfo(config.timezone)
        env.filters["day"] = lambda d: d.strftime("%-d %B %Y")
        env.filters["local"] = lambda t: t.astimezone(self.zone).strftime("%-d %B %Y, %H:%M")
        env.filters["iso"] = lambda t: t.isoformat()
        env.filters["groupby_year"] = by_year
        env.filters["tag_slug"] = tag_slug
        env.filters["days"] = days

    def lists(
        self, reports: list[ReportView], clps: list[ClpPage], wanted: Container[str] | None = None
    ) -> Outputs:
        """Render every page but the reports' own: the lists of reports, CLPs and the rest;
        only those `wanted` by name (None: all)."""
        made = self.list_pages(reports, clps).items()
        return {name: make() for name, make in made if wanted is None or name in wanted}

    def list_pages(
        self, reports: list[ReportView], clps: list[ClpPage]
    ) -> dict[str, partial[bytes]]:
        """Name every page `lists` renders, each with how to render it: one of this builder's
        methods and what it is given (nothing is rendered here: a build names each list by
        what it is given, and keeps those published from the same)."""
        reports = newest_first(reports)
        made: dict[str, partial[bytes]] = {
            "index.html": partial(self.page, "index.html", "", "", reports=reports[:LATEST],
                                  total=len(reports), feeds=self.feeds("all")),
            "reports/index.html": partial(self.page, "archive.html", "../", "reports/",
                                          reports=reports),
            "clp/index.html": partial(self.page, "clps.html", "../", "clp/",
                                      groups=self.groups()),
        }  # fmt: skip
        for page in clps:
            made[page.name] = partial(self.clp_page, page)
        for name in STATIC:
            made[name] = partial(self.static, name)
        made |= self.around(reports, made)
        return made

    def static(self, name: str) -> bytes:
        return self.env.get_template(name).render().encode("utf-8")

    def around(self, reports: list[ReportView], pages: Iterable[str]) -> dict[str, partial[bytes]]:
        """Name the tag pages, the 404 page, robots.txt and the sitemap of every page
        (`pages` names those of the lists), each with how to render it."""
        out: dict[str, partial[bytes]] = {}
        spellings: dict[str, set[str]] = {}  # one page a slug, whatever the spelling
        for tag in {t for r in reports for t in r.tags}:  # (held-out round 22: the last won)
            spellings.setdefault(tag_slug(tag), set()).add(tag)
        for slug, tags in sorted(spellings.items()):
            tagged = [r for r in reports if tags & set(r.tags)]
            out[f"tags/{slug}/index.html"] = partial(
                self.page, "tag.html", "../../", f"tags/{slug}/", tag=min(tags), reports=tagged
            )
        out["404.html"] = partial(self.page, "404.html", self.config.base)  # served at any depth
        names = sorted({*pages, *out, *(report_page(r) for r in reports)})
        urls = [
            self.config.base + n.removesuffix("index.html") for n in names if n.endswith(".html")
        ]
        out["sitemap.xml"] = partial(self.sitemap, [u for u in urls if not u.endswith("404.html")])
        out["robots.txt"] = partial(self.robots)
        return out

    def robots(self) -> bytes:
        return f"User-agent: *\nAllow: /\nSitemap: {self.config.base}sitemap.xml\n".encode()

    def sitemap(self, urls: list[str]) -> bytes:
        return self.env.get_template("sitemap.xml").render(urls=urls).encode("utf-8")

    def report_page(self, report: ReportView) -> bytes:
        return self.page("report.html", "../../", f"reports/{report.slug}/", report=report)

    def clp_page(self, page: ClpPage) -> bytes:
        clp = page.clp
        return self.page(
            "clp.html",
            "../../",
            f"clp/{clp.slug}/",
            clp=clp,
            reports=list(page.reports),
            total=page.total,
            items=list(page.items),
            decisions=list(page.decisions),
            feeds=self.feeds("clp", clp.slug),
        )

    def groups(self) -> list[tuple[str, list[Clp]]]:
        return [
            (region, list(self.directory.in_region(region))) for region in self.directory.regions
        ]

    def feeds(self, kind: str, slug: str = "") -> dict[str, str]:
        base = self.config.base + "feeds/"
        stem = "all" if kind == "all" else f"{kind}/{slug}"
        return {"rss": f"{base}{stem}.xml", "atom": f"{base}{stem}.atom"}

    def page(self, template: str, root: str, path: str | None = None, **context: object) -> bytes:
        """Render a page; `path` (its folder's URL path) gives it a canonical URL."""
        canonical = None if path is None else self.config.base + path
        html = self.env.get_template(template).render(
            canonical=canonical,
            clps=self.directory.clps,
            wording=WORDING,
            csrf="",
            site=self.config,
            root=root,
            feed_base=self.config.base + "feeds/",
            **context,
        )
        return html.encode("utf-8")
