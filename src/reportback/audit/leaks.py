"""The leak audit: search every output for withheld text of a higher audience.

Every output is read as a reader could read it (`chunks`), each piece searched once for the
withheld runs (`search`), and the pieces found clean remembered for the next audit
(`Verdicts`).
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from reportback.audit import bytescan
from reportback.audit.search import Runs, Search, Withheld, fingerprint, squeezed_hits, streams
from reportback.cache import code_fingerprint, load_stored, save_stored
from reportback.errors import Leak
from reportback.model import Audience
from reportback.timing import stage

TEXT_TYPES = (
    ".html", ".xml", ".atom", ".opml", ".css", ".js", ".txt", ".eml", ".json", ".svg", ".csv",
)  # fmt: skip
SEARCH_TYPES = (".pf_fragment", ".pf_index", ".pf_meta", ".pf_filter", ".pagefind")
"""The search index's files (Pagefind): gzip-compressed, read decompressed."""
READABLE = TEXT_TYPES + bytescan.BINARY_TYPES + SEARCH_TYPES
"""The file types the audit reads; any other is refused (the audit cannot vouch for it)."""
ENTRY = {".xml": "<item>", ".atom": "<entry>"}  # where entries start (audited one by one)
FEED_TYPES = tuple(ENTRY)
PDFIUM = threading.Lock()
"""PDFium is not thread-safe: one thread of a process uses it at a time (the render's
threads extract each new PDF's text as it is made)."""
LIST_ITEM = "<li>"
"""Where the items of a list page start (the home, archive and CLP pages list reports)."""


@dataclass(frozen=True)
class Output:
    """One output file to audit, for one audience."""

    name: str
    content: bytes | tuple[bytes, ...]
    """The file's bytes; or the file in independent pieces, if its maker knows them (a feed:
    its head, each entry, its end). A piece shared by many outputs is searched once, and
    written without being joined to the rest."""
    audience: Audience
    report: str | None = None
    """The report whose own page or PDF this is, if any."""
    drawn: str = ""  # the text an image draws in letters, not in its bytes (an SVG's)

    @cached_property
    def data(self) -> bytes:
        """The file's bytes, whole."""
        return self.content if isinstance(self.content, bytes) else b"".join(self.content)

    @property
    def pieces(self) -> tuple[bytes, ...]:
        return () if isinstance(self.content, bytes) else self.content


class PdfText:
    """Extract a PDF's text and properties, cached by the PDF's hash in the state folder (and
    by this program: another may extract more)."""

    def __init__(self, cache: Path | None) -> None:
        self.cache = cache

    VERSION = 2
    """Version 2 reads all of a page's text (1: only what falls within the page's box)."""

    @classmethod
    def kept_in(cls, cache: Path) -> PdfText:
        """Return the PDF texts kept in the state's cache folder (the build's and the
        render's, one store)."""
        return cls(cache / "pdftext")

    def __call__(self, data: bytes) -> str:
        key = hashlib.sha256(data).hexdigest()
        path = self.cache / f"{key}.pickle" if self.cache else None
        known = load_stored(path, self.VERSION, str) if path is not None else None
        if known is not None:  # as stored: PDFium's line ends are \r\n
            return known
        with stage("audit: pdf text"):
            text = pdf_text(data)
        if path is not None:
            save_stored(path, self.VERSION, text)
        return text


def pdf_text(data: bytes) -> str:
    """Return a PDF's text, page by page, its document properties (PDFium) and the text of its
    raw bytes."""
    import pypdfium2  # a build whose PDFs are all known never loads PDFium

    with PDFIUM:
        document = pypdfium2.PdfDocument(data)
        try:
            parts = []
            for page in document:
                textpage = page.get_textpage()
                parts.append(textpage.get_text_range())  # all its text, on the page or not
                textpage.close()
                page.close()
            parts += [str(v) for v in document.get_metadata_dict().values()]
        finally:
            document.close()
    parts.append(bytescan.pdf_bytes_text(data))  # streams, outline, XMP, attachments
    return "\n".join(parts)


def chunks(output: Output, pdf_text: PdfText) -> list[str]:
    """Return an output's text in independent pieces: a feed's entries, a list page's items,
    or the whole file.

    Feeds repeat the same entries many times, and the home, archive and CLP pages list the
    same reports; cutting them at entry or list item boundaries lets each distinct entry or
    item be audited once. No withheld run spans two entries or items: they are two reports
    (or two agenda items). A report's own page and PDF are audited whole.
    """
    if output.name.endswith(".pdf"):  # its text, properties and raw bytes (bytescan)
        return [pdf_text(output.data)]
    if output.name.endswith(bytescan.IMAGE_TYPES):
        return [bytescan.image_text(output.data) + "\n" + output.drawn]
    if output.name.endswith(SEARCH_TYPES):  # the search index: its words and its page texts
        return [bytescan.gunzip_text(output.data)]
    if not output.name.endswith(TEXT_TYPES):
        return []
    raw = output.data.decode("utf-8", errors="replace")
    if output.name.endswith(FEED_TYPES):
        tag = ENTRY[output.name[output.name.rindex(".") :]]
    elif output.name.endswith(".html") and output.report is None:
        tag = LIST_ITEM
    else:
        return [raw]
    head, *entries = raw.split(tag)
    return [head] + [tag + entry for entry in entries]


@dataclass(frozen=True)
class Found:
    """What an audit found of some outputs: the leaks in each (none: clean), by name, and the
    pieces found clean, all and by the key their output was made from."""

    messages: dict[str, list[Leak]]
    clean: frozenset[bytes]
    keyed: dict[str, frozenset[bytes]]
    read: dict[str, bytes]
    """A digest of the bytes of each output audited (`read_as`), by name."""


class Verdicts:
    """Pieces of output an earlier audit found clean, and the withheld runs it searched for.

    A piece clean of a set of runs is clean of any part of that set, so a piece seen before
    is searched only for the runs that are new since; any other piece is searched in full.
    The runs are recorded as each report's digest (`Runs.groups`): a report whose digest is
    new has new runs. Only the pieces of the latest audit are kept. Stored in the state
    folder, never published.
    """

    VERSION = 3

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.groups: frozenset[bytes] = frozenset()
        self.clean: frozenset[bytes] = frozenset()
        self.keyed: dict[str, frozenset[bytes]] = {}
        """The pieces of each output made from a key (an output kept as published, unread,
        keeps its pieces' verdicts by its key)."""
        stored = load_stored(path, self.VERSION, tuple) if path is not None else None
        if stored is not None:  # none: a full audit
            self.groups, clean, self.keyed = stored
            self.clean = clean.union(*self.keyed.values())

    def save(
        self, groups: frozenset[bytes], clean: frozenset[bytes], keyed: dict[str, frozenset[bytes]]
    ) -> None:
        if self.path is not None:
            save_stored(self.path, self.VERSION, (groups, clean, keyed))


SLASHES = rb"(?:[/\\]|%2f|%5c)+"
"""A path's separator as an address may write it: `/`, `\\`, doubled, percent-encoded."""
GAP = rb"(?:\xc2\xad|\xcd\x8f|\xe2\x80[\x8b-\x8f]|\xe2\x81[\xa0-\xa4]|\xef\xbb\xbf|&#?\w{2,8};)*"
"""What may stand between a name's letters and show nothing (a soft hyphen, a zero-width
character, a joiner, an entity); a name's hyphen as text may draw it (`DASH`: a dash, a
non-breaking hyphen, a minus sign). Adversary helper 74's `reports/\u200bsecret`."""
DASH = rb"(?:-|%2d|\xe2\x80[\x90-\x94]|\xe2\x88\x92|\xef\xb9\xa3|\xef\xbc\x8d|&#?\w{2,8};)"


def naming(hidden: Iterable[str]) -> re.Pattern[bytes]:
    """Return what finds a hidden report's name in an output's bytes, as an address a server
    or browser follows: `reports/<name>` or `../<name>` (with anything but a name's own
    characters after it), `<name>.pdf`, `<name>.md` (its source: adversary helper 85); in any
    case, separators doubled or encoded, `./` between them, letters percent-encoded (helper
    73's `//reports//name`, `reports/./name`, `reports/%71…`), a `GAP` between its letters or
    a `DASH`. Not the end of another name (`c.pdf` in `nec.pdf`)."""
    names = b"|".join(GAP.join(_letter(c) for c in name.encode("utf-8")) for name in hidden)
    return re.compile(
        rb"(?<![\w.-])(?:(?:reports|\.\.)%s(?:\.%s)*%s(?:%s)(?![\w-]|\.[\w-])|(?:%s)\.(?:pdf|md(?!\w)))"
        % (SLASHES, SLASHES, GAP, names, names),
        re.I,
    )


def _letter(byte: int) -> bytes:
    """Return what finds one byte of a name: itself, percent-encoded, or a dash drawn like it."""
    return DASH if byte == 0x2D else b"(?:%s|%%%02x)" % (re.escape(bytes([byte])), byte)


class Auditor:
    """Search outputs one at a time for withheld runs of a higher audience than theirs."""

    def __init__(
        self,
        withheld: Iterable[Withheld] | Runs,
        pdf_text: PdfText,
        hidden_slugs: Iterable[str] = (),
        verdicts: Verdicts | None = None,
    ) -> None:
        self.runs = withheld if isinstance(withheld, Runs) else Runs.given(withheld)
        self.pdf_text = pdf_text
        self.earlier = verdicts or Verdicts(None)
        self.groups = frozenset(self.runs.groups.values())
        hidden = list(hidden_slugs)
        self.trust = fingerprint(
            code_fingerprint(), repr(sorted(self.groups)), repr(sorted(hidden))
        ).hex()
        """Names what this audit searches for: outputs it passed stay clean while it is the same."""
        fresh = [r for r, g in self.runs.groups.items() if g not in self.earlier.groups]
        self.fresh = None if len(fresh) == len(self.runs.groups) else fresh  # None: all new
        self.searches: dict[str, Search] = {}
        self.naming = naming(hidden) if hidden else None
        self.seen: dict[bytes, set[Withheld]] = {}  # by fingerprint: the pieces are not kept
        self.clean: set[bytes] = set()
        self.known: dict[tuple[Audience, bytes], tuple[bytes, set[Withheld]]] = {}  # by piece
        self.keyed: dict[str, frozenset[bytes]] = {}

    def search(self, which: str) -> Search:
        """Return the index of every run ("full") or of the runs new since the last audit
        ("new"), built when first asked for."""
        if which == "new" and self.fresh is None:
            which = "full"
        if which not in self.searches:
            if which == "full" and self.runs.full is not None:
                self.searches[which] = self.runs.full()
            else:
                reports = self.fresh if which == "new" else None
                self.searches[which] = Search(self.runs.all(reports))
        return self.searches[which]

    def check(self, output: Output, key: str | None = None) -> list[Leak]:
        """Return each leak found in `output` (none: it is clean).

        An output made from a `key` has its pieces' verdicts remembered by the key, for when
        it is kept as published without being read (`kept`).
        """
        if not output.name.endswith(READABLE):
            unread = ": the audit cannot read this type of file, so it is not published"
            return [Leak(output.name, "", unread)]
        found: set[Withheld] = set()
        marks: set[bytes] = set()
        pdf = output.name.endswith(".pdf")
        whole = self._whole(output) if output.report is None and not output.pieces else None
        if output.pieces and output.report is None:
            for raw in output.pieces:  # the same piece object recurs: search it once
                known = (output.audience, raw)
                if known not in self.known:
                    text = raw.decode("utf-8", errors="replace")
                    self.known[known] = self._hits(text, pdf, output.audience)
                mark, hits = self.known[known]
                marks.add(mark)
                found |= hits
        elif whole is not None and self._read_clean_before(whole):
            marks.add(whole)  # the very bytes an earlier audit read clean: not read again
            self.clean.add(whole)
        else:
            try:
                pieces = chunks(output, self.pdf_text)
            except bytescan.Unreadable as exc:
                unread = f": the audit cannot read it ({exc}), so it is not published"
                return [Leak(output.name, "", unread)]
            for piece in pieces:
                mark, hits = self._hits(piece, pdf, output.audience)
                marks.add(mark)
                found |= hits
            if output.report is not None:
                own, hits = self._own(output, pieces)
                marks.add(own)  # kept by its key: an output kept unread keeps it too
                found |= hits
            elif whole is not None and not found:
                marks.add(whole)
                self.clean.add(whole)
        found_names = {m[0] for m in self.naming.finditer(output.data)} if self.naming else set()
        named = [Leak(output.name, "", f": names a withheld report ({s.decode('utf-8')})")
                 for s in sorted(found_names)]  # fmt: skip
        if pdf and bytescan.embeds_files(output.data):
            named.append(
                Leak(output.name, "", ": the PDF embeds a file (or cannot be read to the end)")
            )
        if key is not None and not found and not named:
            self.keyed[key] = frozenset(marks)
        return _messages(found, output.name) + named

    def _whole(self, output: Output) -> bytes:
        return fingerprint("bytes", str(int(output.audience)), output.name, output.data)

    def _read_clean_before(self, whole: bytes) -> bool:
        """Return whether an earlier audit found a file of these very bytes clean (by its
        `_whole` mark) and no report's withheld runs are new since.

        Reading is what costs here (a search index file inflated, a page's text): a file
        the same to the byte reads the same, and was searched for every run there is.
        """
        return self.fresh == [] and whole in self.earlier.clean

    def kept(self, key: str) -> None:
        """Note an output kept as published from `key`: its pieces stay known clean."""
        if key in self.earlier.keyed:
            self.keyed[key] = self.earlier.keyed[key]

    def _hits(self, piece: str, pdf: bool, audience: Audience) -> tuple[bytes, set[Withheld]]:
        """Search one piece, or recall what an identical piece held; return its mark too."""
        mark = fingerprint("pdf" if pdf else "text", str(int(audience)), piece)
        if mark not in self.seen:
            search = self.search("new" if mark in self.earlier.clean else "full")
            self.seen[mark] = search.hits(piece, pdf, audience)
            if not self.seen[mark]:
                self.clean.add(mark)
        return mark, self.seen[mark]

    def _own(self, output: Output, pieces: list[str]) -> tuple[bytes, set[Withheld]]:
        """Search a report's own page or PDF for its withheld runs, ignoring spacing; return
        the search's mark too."""
        report = output.report or ""
        group = self.runs.groups.get(report, b"")
        mark = fingerprint("own", str(int(output.audience)), group, *pieces)
        if mark in self.earlier.clean:
            self.clean.add(mark)  # still clean: remember it for the next audit too
            return mark, set()
        texts = [t for piece in pieces for t in streams(piece)]
        squeezed = squeezed_hits(texts, self.runs.of(report), output.audience)
        self.clean |= set() if squeezed else {mark}
        return mark, squeezed

    def checked_apart(self, outputs: Iterable[tuple[Output, str | None]]) -> Found:
        """Check each output (with the key it was made from) as `check` does, for an audit in
        another process to `learn`."""
        messages, read = {}, {}
        for output, key in outputs:
            messages[output.name] = self.check(output, key)
            read[output.name] = read_as(output)
        return Found(messages, frozenset(self.clean), dict(self.keyed), read)

    def learn(self, found: Found) -> None:
        """Take in what a copy of this audit found clean (`checked_apart`, in a forked child),
        to remember with this audit's own."""
        self.clean |= found.clean
        self.keyed.update(found.keyed)

    def check_all(self, outputs: Iterable[Output]) -> list[Leak]:
        """Check every output, then remember the verdicts; return every leak found."""
        try:
            return [leak for output in outputs for leak in self.check(output)]
        finally:
            self.save()

    def save(self) -> None:
        """Remember the runs searched for and the pieces found clean, for the next audit."""
        self.earlier.save(self.groups, frozenset(self.clean), self.keyed)


def read_as(output: Output) -> bytes:
    """Name an output's bytes: a verdict on them holds for the very same bytes only."""
    return hashlib.sha256(output.data).digest()


PICTURED = (
    "; the picture holds them (drawn, spelled in its pixels, or in its data): if it"
    " shows them on purpose, write them in the report's public text too, as its caption"
)


def _messages(found: set[Withheld], name: str) -> list[Leak]:
    """Return one leak per report leaking into output `name`, naming its first fragment."""
    by_report: dict[str, list[Withheld]] = {}
    for item in found:
        by_report.setdefault(item.report, []).append(item)
    out: list[Leak] = []
    for report, items in sorted(by_report.items()):
        first = min(items, key=lambda w: w.order)
        more = f" (and {len(items) - 1} more runs)" if len(items) > 1 else ""
        more += PICTURED if name.endswith(bytescan.IMAGE_TYPES) else ""
        text = f"{first.fragment.level.label} text {first.fragment.text!r}"
        out.append(Leak(name, f"{report}: {text} found in ", more))
    return out
