"""RSS 2.0 and Atom feeds for everything, each region and each CLP, and the OPML list."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import partial
from html import escape, unescape
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import urljoin
from xml.sax.saxutils import escape as xml_escape

import lxml.etree
from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator

from reportback import cache as cachemod
from reportback.cache import load_stored, save_stored
from reportback.clps import Directory
from reportback.config import Config
from reportback.model import Item, RenderedReport
from reportback.output import feed_entries
from reportback.output.feed_entries import Entry, Feed, distinct_updates
from reportback.timing import stage

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ATOM = "http://www.w3.org/2005/Atom"
URL_ATTRIBUTE = re.compile(r'\b(href|src)="([^"]*)"')
FEEDGEN = (version("feedgen"), version("lxml"))
"""Part of every feed's key: another feedgen or lxml may write the same feed differently."""
Pieces = dict[tuple[object, ...], tuple[bytes, ...]]
"""The entries of feeds made so far, in pieces, by how they are shown (each made once a
build)."""
OPEN = {"rss": b"<item>", "atom": b"<entry>"}
CLOSE_ENTRY = {"rss": b"</item>", "atom": b"</entry>"}
CLOSE = {"rss": b"</channel>", "atom": b"</feed>"}
"""Where a rendered feed's entries start and end, and where the feed's own end starts."""


@dataclass(frozen=True)
class FeedFile:
    """One feed file, named by what it is made of before it is made.

    It is made in pieces (its entries are shared with other feeds), and only if asked: a
    build that finds the same key already published keeps that file as it is.
    """

    name: str
    key: str | None
    make: Callable[[], tuple[bytes, ...]]


class _AtomLinkEntry(FeedEntry):  # type: ignore[misc]
    """A FeedEntry whose Atom links keep rel, type and length.

    feedgen 1.0.0 drops them (lkiesow/python-feedgen#135), which turns the PDF enclosure into
    a second alternate link: an invalid Atom feed.
    """

    def atom_entry(self, extensions: bool = True) -> Any:
        entry = super().atom_entry(extensions)
        for old in entry.findall("link"):
            entry.remove(old)
        anchor = entry.find("content")
        position = list(entry).index(anchor) + 1 if anchor is not None else len(entry)
        for offset, link in enumerate(self.link() or []):
            attributes = {k: str(link[k]) for k in ("href", "rel", "type", "length") if link.get(k)}
            entry.insert(position + offset, lxml.etree.Element("link", **attributes))
        return entry


class FeedWriter:
    """Write every feed of a build from rendered public reports."""

    def __init__(self, config: Config, directory: Directory, store: Path | None = None) -> None:
        self.config = config
        self.directory = directory
        self.base = config.site.base
        self.contents: dict[tuple[str, str, str], tuple[str, bytes]] = {}
        self.digests: dict[str, str] = {}
        self.settings = cachemod.key("feed settings", FEEDGEN, repr(config.site),
                                     repr(config.feeds))  # fmt: skip
        self.stored = _Stored(store, self.settings)

    def each(self, reports: Iterable[RenderedReport]) -> Iterator[FeedFile]:
        """Yield every feed file, one at a time (a build writes each before making the next)."""
        pieces: Pieces = {}
        for feed in self.feeds(self.entries(reports)):
            with stage("feeds"):
                named = self.named(feed)
            for kind, suffix in (("rss", "xml"), ("atom", "atom")):
                key = cachemod.key(named, kind)
                yield FeedFile(f"{feed.stem}.{suffix}", key, partial(self.made, feed, kind, pieces))
        yield FeedFile("clps.opml", None, lambda: (self.opml(),))
        self.stored.save()

    def made(self, feed: Feed, kind: str, pieces: Pieces) -> tuple[bytes, ...]:
        with stage("feeds"):
            return self.assemble(feed, kind, pieces)

    def named(self, feed: Feed) -> str:
        """Name everything a feed is made from but its kind: its own fields, and each entry
        as it shows it; and tell the store which of its pieces the feed is made of."""
        shown = []
        self.stored.want(self.head(feed, "")[1:])
        for entry in feed.entries:
            fingerprint, variant = self.fingerprint(entry), self.variant(entry, feed, "")[1:]
            self.stored.want((*variant, fingerprint))
            shown.append((fingerprint, variant))
        return cachemod.key("feed", self.settings, feed.stem, feed.title, feed.description,
                            feed.page, feed.concern_label, repr(shown))  # fmt: skip

    def head(self, feed: Feed, kind: str) -> tuple[str, ...]:
        """Name a feed's head (all but its entries) by all it is made from."""
        newest = max((e.updated for e in feed.entries), default=EPOCH)
        return (kind, feed.stem, feed.title, feed.description, feed.page, newest.isoformat())

    def fingerprint(self, entry: Entry) -> str:
        """Name everything an entry is made from."""
        if entry.slug not in self.digests:
            self.digests[entry.slug] = cachemod.key("entry", asdict(entry))
        return self.digests[entry.slug]

    def variant(self, entry: Entry, feed: Feed, kind: str) -> tuple[object, ...]:
        """Name an entry as one feed shows it (entries show what concerns the feed's CLP)."""
        concerning = self.concerning(entry, feed)
        label = feed.concern_label if concerning else ""
        return (kind, entry.slug, tuple(i.anchor for i in concerning), label)

    def assemble(self, feed: Feed, kind: str, pieces: Pieces) -> tuple[bytes, ...]:
        """Return a feed as feedgen writes it, in pieces: its head, each entry, its end.

        Most entries are shown the same way in hundreds of feeds. feedgen renders each such
        entry once (in a feed of its own, cut out whole) and the feed around it once; the
        pieces, joined, are byte for byte the feed feedgen renders with all its entries. An
        entry is itself in pieces: its report's content, the same in every feed, and what
        is around it (a CLP's feed notes the items that concern the CLP). Heads and what is
        around entries that an earlier build rendered from the same inputs are taken from
        the store, so an edit renders only its own entry.
        """
        shell = self.stored.get(self.head(feed, kind), lambda: (self.render(feed, kind, ()),))[0]
        cut = shell.rindex(b"\n", 0, shell.rindex(CLOSE[kind])) + 1
        shown: list[bytes] = []
        for entry in feed.entries:
            variant = self.variant(entry, feed, kind)
            if variant not in pieces:
                content = self.content(entry)
                made = partial(self.frame, feed, kind, entry, content)
                frame = self.stored.get((*variant, self.fingerprint(entry)), made)
                pieces[variant] = (frame[0], content, frame[1]) if len(frame) == 2 else frame
            shown += pieces[variant]
        return (shell[:cut], *shown, shell[cut:])

    def frame(self, feed: Feed, kind: str, entry: Entry, content: bytes) -> tuple[bytes, ...]:
        """Render the entry as `feed` shows it; return what is around its content."""
        return _frame(_cut_entry(self.render(feed, kind, (entry,)), kind), content)

    def html(self, entry: Entry) -> str:
        """Return the entry's content as HTML: its correction notes, then the report."""
        return self._content(entry)[0]

    def content(self, entry: Entry) -> bytes:
        """Return the entry's content as feed XML text (one object for every feed)."""
        return self._content(entry)[1]

    def _content(self, entry: Entry) -> tuple[str, bytes]:
        """Make the entry's content once for all the feeds that show it."""
        made = (entry.notes, entry.body, entry.url)
        if made not in self.contents:
            html = entry.notes + absolute_urls(entry.body, entry.url)
            self.contents[made] = (html, xml_escape(html).encode("utf-8"))
        return self.contents[made]

    def feeds(self, entries: list[Entry]) -> Iterator[Feed]:
        return feed_entries.feeds(entries, self.directory, self.config.site,
                                  self.config.feeds.max_items)  # fmt: skip

    def opml(self) -> bytes:
        return feed_entries.opml(self.directory, self.config.site)

    def entries(self, reports: Iterable[RenderedReport]) -> list[Entry]:
        """Return the entries of the reports that are not drafts, newest first."""
        return sorted(
            distinct_updates(
                feed_entries.entry(r, self.config.site) for r in reports if not r.draft
            ),
            key=lambda e: (e.published, e.slug),
            reverse=True,
        )

    def render(self, feed: Feed, kind: str, shown: Iterable[Entry] | None = None) -> bytes:
        """Render a feed with feedgen, with all its entries or only those `shown`."""
        newest = max((e.updated for e in feed.entries), default=EPOCH)
        self_url = urljoin(self.base, f"feeds/{feed.stem}.{'xml' if kind == 'rss' else 'atom'}")
        fg = FeedGenerator()
        if kind == "rss":
            fg.load_extension("dc", atom=False, rss=True)
        fg.id(self_url)
        fg.title(feed.title)
        fg.description(feed.description)
        fg.link(href=self_url, rel="self", type=f"application/{kind}+xml")
        fg.link(href=feed.page, rel="alternate", type="text/html")
        fg.language(self.config.site.language)
        fg.author({"name": self.config.site.rep})
        fg.updated(newest)
        fg.lastBuildDate(newest)
        for entry in feed.entries if shown is None else shown:
            fg.add_entry(self.feed_entry(entry, feed, kind), order="append")
        xml: bytes = fg.rss_str(pretty=True) if kind == "rss" else fg.atom_str(pretty=True)
        return xml

    def concerning(self, entry: Entry, feed: Feed) -> list[Item]:
        """Return the entry's agenda items that concern the feed's CLP or region."""
        return [i for i in entry.items if feed.concerns and feed.concerns(i)]

    def feed_entry(self, entry: Entry, feed: Feed, kind: str) -> FeedEntry:
        concerning = self.concerning(entry, feed)
        fe = _AtomLinkEntry()
        if kind == "rss":
            fe.load_extension("dc", atom=False, rss=True)
            fe.dc.dc_creator(entry.author)
        else:
            fe.author({"name": entry.author})
        fe.id(entry.uri)
        fe.guid(entry.uri, permalink=False)
        fe.title(entry.title)
        fe.link(href=entry.url, rel="alternate", type="text/html")
        fe.published(entry.published)
        fe.updated(entry.updated)
        fe.summary(entry.summary or entry.title)
        if kind == "rss":
            fe.description(entry.summary or entry.title)
        if self.config.feeds.full_content:
            html = self.html(entry)
            fe.content(_concern_note(concerning, feed, entry) + html, type="html")
        fe.enclosure(entry.pdf_url, str(entry.pdf_length), "application/pdf")
        for term in dict.fromkeys(entry.categories):
            fe.category(term=term)
        if concerning:
            fe.category(term=f"Concerns {feed.concern_label}")
        return fe


def _frame(entry: bytes, content: bytes) -> tuple[bytes, ...]:
    """Cut an entry into what is before its `content` (XML text) and what is after it.

    The content is the same bytes in every feed that shows the entry, and one object for all
    of them, set between the two. An entry whose content is not found (summary-only feeds) is
    one piece.
    """
    at = entry.find(content) if content else -1
    if at < 0:
        return (entry,)
    return (entry[:at], entry[at + len(content) :])


class _Stored:
    """The heads of feeds and frames of entries feedgen rendered, by all they were made from
    (`context`: the settings and feedgen's version; each piece's own key, the rest), kept in
    the state folder from one build to the next, so an edit renders only what it changed.

    Only the pieces the build's feeds are made of (`want`, by their keys less the kind) are
    kept, whether the build made those feeds or kept them as published: a build that kept
    every feed keeps every piece for the next, which may make them.
    """

    VERSION = 1

    def __init__(self, path: Path | None, context: str) -> None:
        self.path = path
        self.context = context
        self.earlier: dict[tuple[object, ...], tuple[bytes, ...]] = {}
        self.used: dict[tuple[object, ...], tuple[bytes, ...]] = {}
        self.wanted: set[tuple[object, ...]] = set()
        stored = load_stored(path, self.VERSION, tuple) if path is not None else None
        if stored is not None and stored[0] == context:  # none: every piece rendered again
            self.earlier = stored[1]

    def want(self, key: tuple[object, ...]) -> None:
        """Note a piece a feed of this build is made of, by its key less its kind."""
        self.wanted.add(key)

    def get(
        self, key: tuple[object, ...], make: Callable[[], tuple[bytes, ...]]
    ) -> tuple[bytes, ...]:
        if key not in self.used:
            found = self.earlier.get(key)
            self.used[key] = found if found is not None else make()
        return self.used[key]

    def save(self) -> None:
        kept = {k: v for k, v in (self.earlier | self.used).items() if k[1:] in self.wanted}
        if self.path is not None and kept.keys() != self.earlier.keys():
            save_stored(self.path, self.VERSION, (self.context, kept))


def _cut_entry(xml: bytes, kind: str) -> bytes:
    """Return the one entry of a rendered feed, whole lines from its start tag to its end tag."""
    start = xml.rindex(b"\n", 0, xml.index(OPEN[kind])) + 1
    end = xml.index(b"\n", xml.rindex(CLOSE_ENTRY[kind])) + 1
    return xml[start:end]


def _concern_note(items: list[Item], feed: Feed, entry: Entry) -> str:
    if not items:
        return ""
    links = ", ".join(
        f'<a href="{escape(entry.url)}#{escape(i.anchor)}">{escape(i.title)}</a>' for i in items
    )
    return f"<p><strong>Concerns {escape(feed.concern_label)}:</strong> {links}</p>"


def absolute_urls(html: str, base: str) -> str:
    """Return `html` with every href and src made absolute against `base`."""
    return URL_ATTRIBUTE.sub(
        lambda m: f'{m.group(1)}="{escape(urljoin(base, unescape(m.group(2))))}"', html
    )
