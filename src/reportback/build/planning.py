"""Every output of a build named, in order, with how to make it: the feeds, the site's pages,
PDFs and images, the record's pages and feed, and the search index."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache, partial
from pathlib import Path
from zoneinfo import ZoneInfo

from reportback import cache as cachemod
from reportback.audit.leaks import Output
from reportback.build.fork import Aside
from reportback.build.swap import Staging
from reportback.cache import Cache
from reportback.checking import nearmiss
from reportback.config import Config
from reportback.model import Audience, Image, Prepared, RenderedReport
from reportback.output import images, search_index
from reportback.output.feeds import FeedFile, FeedWriter
from reportback.output.site import (
    ClpPage,
    ReportView,
    SiteBuilder,
    clp_pages,
    report_page,
    view,
)
from reportback.record import pages as record_pages
from reportback.record import register
from reportback.timing import stage

FEEDS = "feeds/"
"""How feed files are named in the audit (they are published to the feeds folder)."""


@dataclass(frozen=True)
class Planned:
    """An output named before it is made.

    One with a `key` that the published tree already holds a file made from (under the same
    audit) is kept as it is: it is neither made, nor audited, nor read again.
    """

    name: str
    key: str | None
    make: Callable[[], Output]


Plans = list[tuple[Staging, str, Iterable[Planned]]]
"""Each tree's outputs, with the prefix the audit names them by (feeds/), in order."""


class Planner:
    """The outputs of reports `prepare`d, named in order with how to make each.

    Made at once: the record of meetings and its feed; and, beside the reports' pages and the
    feeds (by children forked now, on the other core), the record's pages unless the
    published site already holds them all as `held` (by name and key), and the lists (of
    reports, of CLPs, a CLP's own page...) it does not hold, if any. `close` when done.
    """

    def __init__(
        self, config: Config, ready: Prepared, now: datetime, held: Callable[[str, str], bool]
    ) -> None:
        self.config = config
        self.ready = ready
        self.rendered = ready.rendered[Audience.PUBLIC]
        self.builder = SiteBuilder(ready.templates.jinja(), config.site, ready.directory)
        self.builder.env.globals["placeholders"] = config.redaction.placeholders  # (the footer)
        self.views = [view(r, config.site.rep) for r in self.rendered]
        state = config.path("state")
        self.feeds = FeedWriter(config, ready.directory, state / "cache" / "feeds.pickle")
        with stage("record"):
            meetings = register.load(config.root, Cache(state / "cache"))
            zone = ZoneInfo(config.site.timezone)
            self.record = record_pages.record_of(meetings, self.views, now, zone)
            self.decisions = record_pages.decisions_feed(
                self.record, self.builder, config.feeds.max_items
            )
        self.shards = search_index.shards((report_page(v), v.meeting_date.year) for v in self.views)
        with stage("site"):
            around = cachemod.key(
                "pages",
                ready.templates.fingerprint(),
                repr(config.site),
                config.redaction.placeholders,
                repr(ready.directory.clps),
            )
            listed = [replace(v, html="") for v in self.views]  # a list shows no report's text
            self.listed = {v.slug: cachemod.key("listed", repr(v)) for v in listed}
            """Each report as a list shows it, by all a list can show of it: not its text,
            so an edit to a report's text alone makes no CLP page again."""
            self.keys = {
                v.slug: cachemod.key(around, r.pdf_file.key or r.html, self.listed[v.slug])
                for r, v in zip(self.rendered, self.views, strict=True)
            }
            """Each report's page by all it is made from: its view (all of it but its HTML,
            by the key of its listing: the view's repr leaves the HTML out), the HTML by the
            key of the rendering it is from (all that is made from), or itself if it has none."""
            shown: dict[int, str] = {}
            self.clps = {page.name: (page, self._clp_key(around, page, shown))
                         for page in clp_pages(listed, ready.directory)}  # fmt: skip
            record = cachemod.key(around, "record", repr(self.record), list(self.shards))
            self.record_keys = {name: cachemod.key(record, name) for name in record_pages.PAGES}
            """The record's pages and the search page, by all they are made from."""
            pages = [page for page, _ in self.clps.values()]
            self.list_plans = {
                name: (make, self.clps[name][1] if name in self.clps else
                       self._list_key(around, name, make))
                for name, make in self.builder.list_pages(listed, pages).items()
            }  # fmt: skip
            """Every list (home, archive, tags, CLP pages, the sitemap...), each with how to
            make it and the key of all it is made from."""
        held_all = all(held(name, key) for name, key in self.record_keys.items())
        made = partial(record_pages.pages, self.builder, self.record, self.shards)
        self.record_pages = Aside(made, "the record's pages", fork=False if held_all else None)
        try:
            wanted = frozenset(n for n, (_, key) in self.list_plans.items() if not held(n, key))
            self.lists = Aside(partial(self.builder.lists, listed, pages, wanted),
                               "lists of reports", fork=False if not wanted else None)  # fmt: skip
        except BaseException:
            self.record_pages.close()  # no child is left behind
            raise
        self.indexing: search_index.Indexing | None = None
        pairs = zip(self.rendered, self.views, strict=True)
        self.pdfs = [_planned_pdf(report, report_page(shown)) for report, shown in pairs]
        """The reports' PDFs, planned last: the audit can read them beside the rest."""

    def _clp_key(self, around: str, page: ClpPage, shown: dict[int, str]) -> str:
        """Name a CLP's page by all it is made from: its reports as lists show them, and the
        items and decisions it lists (each written once, in `shown`, for every page)."""
        keys = self.listed

        def written(pairs: tuple[tuple[ReportView, object], ...]) -> str:
            return "\n".join(
                f"{keys[r.slug]} {shown.get(id(o)) or shown.setdefault(id(o), repr(o))}"
                for r, o in pairs
            )

        reports = " ".join(keys[r.slug] for r in page.reports)
        return cachemod.key(around, "clp page", page.clp.slug, str(page.total), reports,
                            written(page.items), written(page.decisions))  # fmt: skip

    def _list_key(self, around: str, name: str, make: partial[bytes]) -> str:
        """Name a list by all it is made from: the builder's method that makes it and what
        that is given, each report in it by its key as lists show it."""
        given = {k: v for k, v in make.keywords.items() if k != "reports"}
        shown = [self.listed[r.slug] for r in make.keywords.get("reports", ())]
        return cachemod.key(around, "list", name, make.func.__name__, repr(make.args),
                            repr(given), shown)  # fmt: skip

    def plans(self, site: Staging, feeds: Staging) -> Plans:
        """Plan the reports' pages and the record first, then the feeds, made while Pagefind
        indexes those pages beside them; then the lists of reports (made beside all that, by
        `lists`), the search index, and the reports' PDFs last."""
        feed_plans = (
            Planned(f"{FEEDS}{feed.name}", feed.key, partial(_feed_output, feed))
            for feed in self.feeds.each(self.rendered)
        )
        return [
            (site, "", self._reports()),
            (site, "", self._record_pages()),
            (site, "", self._start_search(site)),
            (feeds, FEEDS, feed_plans),
            (feeds, FEEDS, _planned(self.decisions, FEEDS)),  # the record's (issue 23)
            (site, "", self._lists()),
            (site, "", self._search()),
            (site, "", iter(self.pdfs)),
        ]

    def close(self) -> None:
        """Stop the children making the record's pages and the lists, and Pagefind, if the
        build failed first."""
        self.record_pages.close()
        self.lists.close()
        if self.indexing is not None:
            self.indexing.close()

    def _record_pages(self) -> Iterator[Planned]:
        """Plan the record's pages and open data, and the search page, each named with a key:
        made by a child, unless the published site holds them all."""
        made = cache(self.record_pages.result)
        for name, key in sorted(self.record_keys.items()):
            yield Planned(name, key, partial(_record_page, name, made))

    def _start_search(self, site: Staging) -> Iterator[Planned]:
        """Start Pagefind on the site's pages, staged and audited by now (plans nothing)."""
        where = cachemod.key("search index of", str(self.config.path("site")))[:16]
        store = self.config.path("state") / "cache" / "search" / where  # the preview's apart
        tree, keys = site.written(), site.made_from()  # a page by its key: not read again
        self.indexing = search_index.Indexing(tree, self.shards, store, keys)
        yield from ()

    def _search(self) -> Iterator[Planned]:
        """Plan the search index, once Pagefind has made it: each file named with a key (of
        its bytes in the store), read only if the published site does not hold it."""
        if self.indexing is not None:
            for name, key, path in self.indexing.files():
                yield Planned(name, key, partial(_stored_file, name, path))

    def _lists(self) -> Iterator[Planned]:
        """Name the lists of reports (made beside the rest, by `lists`), in order.

        Each is named with a key (all it is made from): one the published site holds is kept
        as it is, neither made, nor audited, nor read again; if all are, `lists` never runs.
        """
        made = cache(self.lists.result)
        plans = [Planned(name, key, partial(_list_page, name, made, make))
                 for name, (make, key) in self.list_plans.items()]  # fmt: skip
        yield from sorted(plans, key=lambda plan: plan.name)

    def _reports(self) -> Iterator[Planned]:
        """Name each report's page and images, in order, with how to make each.

        Each is named with a key (all it is made from): one the published site holds is kept,
        neither made (the page), nor audited, nor read again.
        """
        plans = []
        store = Cache(self.config.path("state") / "cache")
        for report, shown in zip(self.rendered, self.views, strict=True):
            page = report_page(shown)
            plans.append(Planned(page, self.keys[shown.slug], partial(_page, self.builder, shown)))
            folder = page.removesuffix("index.html")
            for image in report.redacted.images:  # keyed by its source: made, it is re-encoded
                name, data = f"{folder}{image.name}", image.source.read_bytes()
                made = partial(_image, name, image, store, report.slug)
                plans.append(Planned(name, cachemod.key("image", data), made))
        yield from sorted(plans, key=lambda plan: plan.name)


def _planned(outputs: dict[str, bytes], prefix: str = "") -> Iterator[Planned]:
    """Plan public outputs already made (each is audited before it is staged)."""
    for name, data in sorted(outputs.items()):
        output = partial(Output, f"{prefix}{name}", data, Audience.PUBLIC)
        yield Planned(f"{prefix}{name}", None, output)


def _record_page(name: str, made: Callable[[], dict[str, bytes]]) -> Output:
    with stage("record"):
        return Output(name, made()[name], Audience.PUBLIC)


def _stored_file(name: str, path: Path) -> Output:
    return Output(name, path.read_bytes(), Audience.PUBLIC)


def _feed_output(feed: FeedFile) -> Output:
    pieces = feed.make()
    return Output(f"{FEEDS}{feed.name}", pieces, Audience.PUBLIC)


def _image(name: str, image: Image, cache: Cache, slug: str) -> Output:
    with stage("images"):
        data = images.published(image, cache)
    drawn = images.drawn(image)  # and with letters drawn like others as those (helper 145)
    return Output(name, data, Audience.PUBLIC, slug, f"{drawn}\n{nearmiss.skeleton(drawn)}")


def _planned_pdf(report: RenderedReport, page: str) -> Planned:
    """Plan a report's PDF beside its page, named by its render: read only if not kept."""
    name = f"{page.removesuffix('index.html')}{report.slug}.pdf"
    return Planned(name, cachemod.key("pdf", report.pdf_file.key), partial(_pdf, name, report))


def _pdf(name: str, report: RenderedReport) -> Output:
    return Output(name, report.pdf, Audience.PUBLIC, report.slug)


def _list_page(name: str, made: Callable[[], dict[str, bytes]], make: partial[bytes]) -> Output:
    with stage("site"):
        data = made().get(name)
        if data is None:  # not made beside: the published one could not be kept after all
            data = make()
    return Output(name, data, Audience.PUBLIC)


def _page(builder: SiteBuilder, report: ReportView) -> Output:
    with stage("site"):
        name, data = report_page(report), builder.report_page(report)
    return Output(name, data, Audience.PUBLIC, report.slug)
