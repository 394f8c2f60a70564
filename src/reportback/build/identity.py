"""Which recorded report each file is: a report renamed or corrected keeps its identity, and
is mailed once; another report is new, and is mailed.

A file is known, in this order:

1. by the bytes a report was published with, under any name (renamed, or two files that
   swapped names);
2. by its name, unless it now holds another report (another meeting date, and not nearly
   the same text; all but the same, if the date moved more than a few days);
3. as a report whose file is gone, or holds another report now, renamed and perhaps edited:
   the same meeting, and much the same text (nearly, or all but, the same if its date
   changed), or the
   same date and title.

Anything else is a new report. A new report that is nearly the text of another of its
meeting and date is refused as a copy left behind (it would be mailed as a second report),
and so are two files that could each be one report renamed.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportback.checking.nearmiss import skeleton
from reportback.errors import InputRefused, Problem, problem, shown_path
from reportback.model import Source

NEAR = 0.5
"""The likeness of two texts of one meeting and date from which they are one report, edited."""
COPY = 0.8
"""The likeness from which a new report is refused as a copy of another, and from which a
report with its meeting's date changed is the same report, corrected (the next meeting's
report written from the last one, as a template, shares much of its text: some 60%)."""
MOVED = 0.95
"""The likeness from which a report whose meeting's date moved by more than `NEAR_DAYS` is
the same report, its date corrected: the next meeting's report written over the last one's
file from it, one paragraph in six rewritten, shares some 85% (an adversary helper's
finding: taken as a correction, never mailed)."""
NEAR_DAYS = 3
"""How far a meeting's date may move, corrected, with `COPY` likeness."""
SKETCH = 64
"""How many of a text's smallest phrase hashes stand for it."""
SHORT = 8
"""A text of fewer phrases is too short to tell by (its title and date tell instead)."""


@dataclass(frozen=True)
class ReportRow:
    """A report as the state database records it."""

    slug: str
    id: str
    meeting: str
    meeting_date: str
    published_at: str | None
    seq: int | None = None
    title: str = ""
    body: str = ""
    """A sketch of the report's text as last published (`sketch`); empty if not known."""
    version: str = ""
    """A hash of the file's bytes as last published."""


@dataclass(frozen=True)
class Known:
    """The recorded report each file is (files not in `rows` are new reports), and a sketch
    of each file's text."""

    rows: dict[str, ReportRow]
    sketches: dict[str, str]


MARKUP = re.compile(r"\{[^{}\n]*\}|^[ \t]*:{3,}[^\n]*|[\[\]]", re.M)
"""What marks a part of a report (an attribute block, a fence, a span's brackets), not its
text: a name marked confidential in a short report changed a quarter of its phrases, and the
report, its date moved a day in the same edit, was mailed again (adversary helper 159)."""


def sketch(text: str, marks: bool = False) -> str:
    """Return a short sketch of a text: the smallest hashes of its three-word phrases (any
    case, Unicode form, spacing or wrapping; its marks left out, unless `marks`, as sketches
    were made before). Two sketches tell how alike two texts are."""
    text = text if marks else MARKUP.sub(" ", text)
    words = unicodedata.normalize("NFKC", text).casefold().split()
    phrases = {" ".join(words[i : i + 3]) for i in range(max(len(words) - 2, 1))}
    hashes = sorted({zlib.crc32(p.encode("utf-8")) for p in phrases})
    return " ".join(f"{h:08x}" for h in hashes[:SKETCH])


def likeness(one: str, other: str) -> float | None:
    """How alike the texts of two sketches are: the share of their phrases they have in
    common (estimated), from 0 to 1; None if either is unknown or too short to tell."""
    a, b = set(one.split()), set(other.split())
    if len(a) < SHORT or len(b) < SHORT:
        return None
    smallest = sorted(a | b)[:SKETCH]
    return sum(1 for h in smallest if h in a and h in b) / len(smallest)


@dataclass(frozen=True)
class Texts:
    """Each file's sketch (as kept, for a file published as it is), and for a file changed,
    its sketch as made before marks were left out: a recorded sketch may be either."""

    sketches: dict[str, str]
    former: dict[str, str]

    def like(self, recorded: str, slug: str) -> float | None:
        """How alike a recorded sketch and a file's text are (the likelier reading)."""
        found = [likeness(recorded, s) for s in (self.sketches[slug], self.former.get(slug, ""))]
        return max((f for f in found if f is not None), default=None)


def same(one: str, other: str) -> bool:
    """Whether two names read the same (any case, Unicode form, accents or spacing)."""
    return " ".join(skeleton(one).split()) == " ".join(skeleton(other).split())


def identify(
    sources: list[Source], known: dict[str, ReportRow], held: frozenset[str] = frozenset()
) -> Known:
    """Decide which recorded report each file is (see the module's docstring); the reports
    recorded under `held`'s names are those files' (left out, unreadable), no one else's."""
    no_copies(sources, known)
    by_version = {r.version: r for r in known.values() if r.version}
    found: dict[str, ReportRow] = {}
    for source in sources:
        if (row := by_version.get(source.sha256)) is not None:
            found[source.slug] = row
    sketches = {
        s.slug: found[s.slug].body if s.slug in found and found[s.slug].body else sketch(s.body)
        for s in sources
    }
    texts = Texts(sketches, {s.slug: sketch(s.body, marks=True) for s in sources
                             if s.slug not in found and MARKUP.search(s.body)})  # fmt: skip
    claimed = {r.slug for r in found.values()} | held
    for source in sources:
        row = known.get(source.slug)
        if source.slug in found or row is None or row.slug in claimed:
            continue
        if _another_report(row, source, texts) or _moved(row, source, sources, found, texts):
            continue
        found[source.slug] = row
        claimed.add(row.slug)
    rest = [s for s in sources if s.slug not in found]
    orphans = [r for r in known.values() if r.slug not in claimed]
    found |= _renamed(rest, orphans, texts)
    _no_near_copies(sources, found, known, texts)
    return Known(found, sketches)


def _another_report(row: ReportRow, source: Source, texts: Texts) -> bool:
    """Whether a file published before holds another report now: its meeting's date changed
    and its text is not nearly the same (a file name used again for the next meeting, even
    under the same title, even written from the last report); a date corrected with the text
    nearly kept is the same report. A text too short to
    tell by, or a row from before sketches were kept: its date and title changed."""
    meta = source.meta
    if row.meeting_date == meta.meeting_date.isoformat():
        return False
    if (like := texts.like(row.body, source.slug)) is not None:
        return like < _kept(row, source)
    return bool(row.title) and not same(row.title, meta.title)


def _kept(row: ReportRow, source: Source) -> float:
    """Return the likeness from which a file is a recorded report, edited: much the same
    text on the same date, nearly the same if its date moved a little, all but the same if
    it moved further."""
    moved = abs((date.fromisoformat(row.meeting_date) - source.meta.meeting_date).days)
    return NEAR if moved == 0 else COPY if moved <= NEAR_DAYS else MOVED


def _moved(
    row: ReportRow,
    source: Source,
    sources: list[Source],
    found: dict[str, ReportRow],
    texts: Texts,
) -> bool:
    """Whether a report's text has moved to another file while its own holds other text: the
    morning's report, renamed with a word fixed, and the afternoon's written into its file
    (an adversary helper's finding: refused as a copy, and removing the copy lost one)."""
    own = texts.like(row.body, source.slug)
    if own is None or own >= NEAR:  # (0.0 is a likeness: nothing in common)
        return False
    others = (o for o in sources if o is not source and o.slug not in found)
    return any(same(row.meeting, o.meta.meeting)
               and (texts.like(row.body, o.slug) or 0) >= COPY for o in others)  # fmt: skip


def _text_fits(row: ReportRow, source: Source, texts: Texts) -> bool:
    """Whether a file holds much of a recorded report's text (nearly all of it, if its date
    changed), of the same meeting; or all but the same text, date and title, its meeting's
    name corrected (`NEC` for `National Executive Committee`: mailed again, adversary helper
    160)."""
    meta, like = source.meta, texts.like(row.body, source.slug) or 0
    renamed = (
        like >= MOVED
        and row.meeting_date == meta.meeting_date.isoformat()
        and (not row.title or same(row.title, meta.title))
    )  # all but the same, of the same date and title: its meeting's name corrected
    return (same(row.meeting, meta.meeting) or renamed) and like >= _kept(row, source)


def _named_fits(row: ReportRow, source: Source) -> bool:
    """Whether a file is of a recorded report's meeting, date and title (a row from before
    titles were kept: its meeting and date)."""
    meta = source.meta
    same_title = not row.title or same(row.title, meta.title)
    same_date = row.meeting_date == meta.meeting_date.isoformat()
    return same(row.meeting, meta.meeting) and same_date and same_title


def _renamed(sources: list[Source], orphans: list[ReportRow], texts: Texts) -> dict[str, ReportRow]:
    """Return, by file name, the report whose file is gone that each file is, renamed. Two
    files that could each be the same report are refused: one would be mailed as a new
    report, or not at all (an adversary helper's finding)."""
    found: dict[str, ReportRow] = {}
    problems: list[Problem] = []
    for row in orphans:
        free = [s for s in sources if s.slug not in found]
        fits = [s for s in free if _text_fits(row, s, texts)]  # its text, first
        fits = fits or [s for s in free if _named_fits(row, s)]  # then its date and title
        if len(fits) > 1:
            problems += [problem(shown_path(s.path), 1, (
                f"this report and {shown_path(o.path)} could each be {row.slug!r} renamed (same "
                f"meeting, and the same date and title or nearly the same text): give the "
                f"renamed one id: {row.id}, or give one another title"
            )) for s, o in zip(fits, fits[1:] + fits[:1], strict=True)]  # fmt: skip
        elif fits:
            found[fits[0].slug] = row
    if problems:
        raise InputRefused(problems)
    return found


def no_copies(sources: list[Source], known: dict[str, ReportRow]) -> None:
    """Refuse a file that is another's copy, byte for byte (left behind by accident, it would
    be published, and mailed to every member, as a second report); the one named is not the
    one recorded under its name, if one is (`digest send` holds back the one named)."""
    first: dict[str, Source] = {}
    for source in sorted(sources, key=lambda s: s.slug not in known):
        first.setdefault(source.sha256, source)
    problems = [
        problem(shown_path(s.path), 1, f"the same text, byte for byte, as "
                f"{shown_path(first[s.sha256].path)}: remove one of the two")
        for s in sources
        if first[s.sha256] is not s
    ]  # fmt: skip
    if problems:
        raise InputRefused(problems)


def _no_near_copies(
    sources: list[Source],
    found: dict[str, ReportRow],
    known: dict[str, ReportRow],
    texts: Texts,
) -> None:
    """Refuse a new report whose text is nearly that of a published report of its meeting and
    date, under the same name or another (a copy left behind with a word changed would be
    mailed to every member again: an adversary helper's finding)."""
    problems: list[Problem] = []
    published = {r.slug: r for r in known.values() if r.published_at}
    seen = [
        (s.meta.meeting, s.meta.meeting_date.isoformat(), texts.sketches[s.slug], s.path)
        for s in sources
        if s.slug in found and found[s.slug].slug in published
    ] + [
        (r.meeting, r.meeting_date, r.body, f"the report published as {r.id!r}")
        for r in published.values()
    ]
    for source in (s for s in sources if s.slug not in found):
        date = source.meta.meeting_date.isoformat()
        like = next((name for meeting, day, body, name in seen
                     if day == date and same(meeting, source.meta.meeting)
                     and (texts.like(body, source.slug) or 0) >= COPY), None)  # fmt: skip
        if like is not None:  # a file's path is shown only here (for each report: 0.1 s)
            like = shown_path(like) if isinstance(like, Path) else like
            problems.append(problem(shown_path(source.path), 1, (
                f"nearly the same text as {like}, of the same meeting and date: a copy left "
                "behind? Remove it, or make it the report it is meant to be"
            )))  # fmt: skip
    if problems:
        raise InputRefused(problems)
