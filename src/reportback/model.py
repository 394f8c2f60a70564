"""The typed, immutable values passed between the pipeline's stages.

A value that would not fit in a small server's memory a thousand times over (a document, a
PDF, what a report withholds) may name where it is stored instead, and be read when asked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import IntEnum
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from reportback.clps import Directory
from reportback.errors import Problem

if TYPE_CHECKING:  # made by the stages, which build on these values
    from reportback.build.publications import Plan
    from reportback.checking.links import Anchors
    from reportback.checking.regions import Regions
    from reportback.output.templates import Templates

from reportback.clps import Clp, reaches

T = TypeVar("T")

Ast = dict[str, Any]
"""A pandoc document as its JSON value."""

CADENCES = ("immediate", "weekly", "monthly")
"""How often a subscriber is sent the reports."""


@dataclass(frozen=True)
class Document:
    """A pandoc document held in memory, or read back from the state cache when asked for (a
    thousand reports' documents do not fit in a small server's memory at once)."""

    held: Ast | None = None
    load: Callable[[], Ast] | None = field(default=None, compare=False, repr=False)

    def get(self) -> Ast:
        if self.held is not None:
            return self.held
        if self.load is None:
            raise ValueError("this document was neither kept nor stored")
        return self.load()


class Audience(IntEnum):
    """Who may read an output; a higher level sees more."""

    PUBLIC = 0
    MEMBERS = 1
    CONFIDENTIAL = 2

    @property
    def label(self) -> str:
        return self.name.lower()


READER_AUDIENCES = (Audience.PUBLIC, Audience.MEMBERS)


@dataclass(frozen=True)
class Correction:
    date: date
    note: str


@dataclass(frozen=True)
class Meta:
    """The allow-listed front matter: nothing else ever reaches an output."""

    title: str
    meeting: str
    meeting_date: date
    publish_at: datetime | None = None
    status: str = "final"
    confidential: bool = False
    summary: str | None = None
    clps: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    author: str | None = None
    id: str | None = None
    corrections: tuple[Correction, ...] = ()


@dataclass(frozen=True)
class Source:
    """A report file read from disk and split, with its validated front matter."""

    path: Path
    slug: str
    meta: Meta
    body: str
    body_line: int  # the line of the file on which the body starts (1-based)
    sha256: str  # a hash of the file's bytes


@dataclass(frozen=True)
class Item:
    """A public heading of a report that concerns some CLPs or regions."""

    title: str
    anchor: str
    clps: tuple[str, ...]
    regions: tuple[str, ...]


VOTES = ("for", "against", "abstained", "absent", "no-vote")
"""How the rep voted on an item (`no-vote`: agreed without a vote)."""


@dataclass(frozen=True)
class Decision:
    """A public heading of a report that records a decision, the rep's vote, or both."""

    title: str
    anchor: str
    decision: str
    vote: str
    clps: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Fragment:
    """A run of withheld words the audit searches the outputs for."""

    level: Audience
    words: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Image:
    """A local image a public page shows, re-encoded next to it under a content-hash name."""

    source: Path  # the file inside the reports folder
    name: str  # its name in the output and in the PDF's folder, e.g. img-3f2a….png


@dataclass(frozen=True)
class RedactedReport:  # one report as one audience may see it
    source: Source
    audience: Audience
    document: Document
    items: tuple[Item, ...]
    summary: str
    images: tuple[Image, ...]
    decisions: tuple[Decision, ...] = ()
    """The decisions and votes on this audience's headings (withheld ones are not here)."""

    @property
    def ast(self) -> Ast:
        return self.document.get()


@dataclass(frozen=True)
class Redaction:  # the result of redacting one report for every reader audience
    versions: dict[Audience, RedactedReport]
    fragments: tuple[Fragment, ...]


@dataclass(frozen=True)
class Publication:  # what the state says of a report's identity and publication
    id: str
    published_at: datetime | None
    shown: str = ""  # the id as feeds show it, where not `id` (`publications.shown_ids`)


class StoredPdf:
    """A report's PDF: its size, a key that names its bytes (the same key, the same bytes),
    and the bytes, read from where they are stored only when asked for (a build that keeps
    the published PDF never reads them)."""

    def __init__(self, key: str, size: int, load: Callable[[], bytes]) -> None:
        self.key = key
        self.size = size
        self.load = load

    @classmethod
    def held(cls, key: str, data: bytes) -> StoredPdf:
        return cls(key, len(data), lambda: data)

    @property
    def data(self) -> bytes:
        """The bytes, read each time, not kept (kept, 1,000 PDFs were 50 MB of a build's peak)."""
        return self.load()


@dataclass(frozen=True)
class RenderedReport:
    """A report rendered for one audience: HTML body, PDF, plain text (None: not asked for)."""

    redacted: RedactedReport
    publication: Publication
    html: str
    text: str | None
    pdf_file: StoredPdf
    draft: bool = False

    @property
    def pdf(self) -> bytes:
        return self.pdf_file.data

    @property
    def slug(self) -> str:
        return self.redacted.source.slug

    @property
    def meta(self) -> Meta:
        return self.redacted.source.meta


@dataclass(frozen=True)
class Published:
    """A published report as digests show it, rendered for both reader audiences."""

    id: str
    slug: str
    published_at: datetime
    clps: tuple[str, ...]
    regions: tuple[str, ...]
    versions: dict[Audience, RenderedReport]
    seq: int = 0
    """When the site showing it went live, in the order members join (publications.went_live)."""
    version: str = ""
    """The hash of the file it was rendered from (as the site showed it when it was listed)."""

    def addressed_to(self, clp: Clp) -> bool:
        return reaches(self.clps, self.regions, clp)


@dataclass(frozen=True)
class Placeholders:
    """What stands in for withheld material (configurable in templates/placeholders.toml)."""

    enabled: bool = True
    confidential_section: str = "Confidential item"
    members_section: str = "Item for members"
    confidential_block: str = "Confidential material withheld."
    members_block: str = "Material for members withheld."
    inline: str = "[withheld]"
    reason: str = "Reason: {reason}"

    def section(self, level: Audience) -> str:
        return self.confidential_section if level >= Audience.CONFIDENTIAL else self.members_section

    def block(self, level: Audience) -> str:
        return self.confidential_block if level >= Audience.CONFIDENTIAL else self.members_block


@dataclass(frozen=True)
class Checked:
    """A report body that passed every rule, with its validated local images by source."""

    source: Source
    document: Document
    images: dict[str, Image]
    written: Callable[[], Regions] = field(compare=False, repr=False)
    """Gives its `regions`, read from the check's record only when a redaction asks for them."""
    warnings: tuple[Problem, ...] = ()
    """What passed but the rep should know (withheld words also written in public text)."""
    marks: tuple[int, int, int] = (0, 0, 0)
    """The sections, blocks and spans it withholds (counted as it was checked)."""
    anchors: Anchors | None = None
    """Its withheld ids and its links to other pages' ids, checked across reports."""

    @property
    def ast(self) -> Ast:
        return self.document.get()

    @property
    def regions(self) -> Regions:
        return self.written()


@dataclass(frozen=True)
class Selection:
    """Which reports go out now, which are shown as drafts, and which stay hidden."""

    published: tuple[Checked, ...]
    drafts: tuple[Checked, ...]
    embargoed: tuple[Checked, ...]
    confidential: tuple[Checked, ...]
    show_drafts: bool

    @property
    def shown(self) -> tuple[Checked, ...]:
        return self.published + (self.drafts if self.show_drafts else ())

    @property
    def hidden(self) -> tuple[Checked, ...]:
        return self.embargoed + self.confidential + (() if self.show_drafts else self.drafts)


@dataclass(frozen=True)
class Survey:
    """Every report checked and chosen, with its identity and publication decided."""

    directory: Directory
    templates: Templates
    checked: tuple[Checked, ...]
    chosen: Selection
    plan: Plan
    held: tuple[Problem, ...]
    """The problems of the reports left out (`BuildOptions.hold_back`)."""


WithheldText = tuple[tuple[Fragment, ...], tuple[str, ...]]
"""What a report withholds (its fragments) and its text that is public by its marks."""


class Withholding:
    """What one report adds to the audit: its withheld runs and its public text, read (from
    the redaction cache) only when needed: an unchanged report's runs are known by their
    digest, and only its runs that a search finds are ever made."""

    def __init__(self, key: str, load: Callable[[], WithheldText]) -> None:
        self.key = key
        """Names the report's redaction: the same key, the same fragments and public text."""
        self.load = load

    @classmethod
    def held(
        cls, key: str, fragments: tuple[Fragment, ...], public: tuple[str, ...]
    ) -> Withholding:
        return cls(key, partial(given, (fragments, public)))  # sent back by a forked child

    def unpublished(self) -> Withholding:
        """The same runs, none of its text public: a build not publishing it (a draft, an
        embargoed report) shows none of it (adversary helper 137)."""
        return Withholding(f"{self.key} unpublished", partial(_runs_only, self))

    @cached_property
    def loaded(self) -> WithheldText:
        return self.load()

    @property
    def fragments(self) -> tuple[Fragment, ...]:
        return self.loaded[0]

    @property
    def public(self) -> tuple[str, ...]:
        return self.loaded[1]


def given(value: T) -> T:
    return value


def _runs_only(withholding: Withholding) -> WithheldText:
    return withholding.fragments, ()


@dataclass(frozen=True)
class Prepared(Survey):
    """Every report surveyed and redacted; rendered for the audiences asked for."""

    withheld: dict[str, Withholding]  # what each withholds, its text public by its marks
    rendered: dict[Audience, tuple[RenderedReport, ...]]


@dataclass(frozen=True)
class BuildOptions:
    """What a build is asked for: its instant, whether drafts (and embargoed reports) show."""

    now: datetime
    drafts: bool = False
    progress: bool = False
    embargoed: bool = False  # the rep's preview: embargoed reports shown, marked as drafts
    hold_back: bool = False  # `digest send`: one with problems left out (`Survey.held`)


@dataclass(frozen=True)
class BuildResult:
    """What a build did: the reports by fate, the files it staged, whether any changed."""

    published: tuple[str, ...]
    embargoed: tuple[str, ...]
    drafts: tuple[str, ...]
    withheld: tuple[str, ...]
    files: int
    changed: bool
    next_embargo: datetime | None = None
    warnings: tuple[str, ...] = ()
    """What passed but the rep should know, as `file:line: warning: …` lines."""
    marks: tuple[int, int, int] = (0, 0, 0)
    """The sections, blocks and spans withheld from the reports shown."""
    sources: tuple[tuple[str, str], ...] = ()
    """Each published report's slug and the hash of the file it was published from."""
    renamed: tuple[tuple[str, str], ...] = ()
    """Each report whose file was renamed: its old slug and its new."""
