"""Property: whatever the document, no withheld canary reaches an output of a lower audience.

Documents are generated as a small model (sections, divs, spans, lists, tables, footnotes,
links, image alt text), each canary tagged with the level it must be withheld at. The model's
level is computed independently of reportback's redactor, so the test can fail both ways:
a leaked canary, or a visible one that went missing.
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportback.audit.leaks import Auditor, Output, PdfText
from reportback.audit.search import Withheld
from reportback.build.check_all import read_body
from reportback.checking.front_matter import load_report
from reportback.checking.rules import BodyChecker
from reportback.clps import load_directory
from reportback.model import Audience, Placeholders, Publication
from reportback.output.render import RenderSettings, render
from reportback.output.templates import Templates
from reportback.pandoc.worker import Pandoc
from reportback.redaction.redact import redact

LEVELS = [None, Audience.MEMBERS, Audience.CONFIDENTIAL]
NAMES = {Audience.MEMBERS: "members", Audience.CONFIDENTIAL: "confidential"}
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


class Canaries:
    """Unique words, each remembered with the level it must be withheld at."""

    def __init__(self) -> None:
        self.counter = itertools.count()
        self.levels: dict[str, Audience] = {}

    def word(self, level: Audience) -> str:
        name = f"zq{level.label[:3]}{next(self.counter)}x"
        self.levels[name] = level
        return name


@dataclass(frozen=True)
class Shape:
    """A drawn document structure; `render` turns it into Markdown with canaries."""

    sections: list[tuple[Audience | None, list[tuple[str, Audience | None, Audience | None]]]]


inline_kinds = st.sampled_from(["text", "span", "note", "link", "image", "strong"])
block = st.tuples(
    st.sampled_from(["para", "list", "table", "div", "quote", "subsection"]),
    st.sampled_from(LEVELS),
    st.sampled_from(LEVELS),
)
section = st.tuples(st.sampled_from(LEVELS), st.lists(block, min_size=1, max_size=4))
shapes = st.builds(Shape, st.lists(section, min_size=1, max_size=4))


def lvl(*marks: Audience | None) -> Audience:
    return max((m for m in marks if m is not None), default=Audience.PUBLIC)


def attrs(mark: Audience | None) -> str:
    return f".{NAMES[mark]}" if mark else ""


def inlines(c: Canaries, outer: Audience, mark: Audience | None, notes: list[str]) -> str:
    """Return a line of inline content mixing every inline form, at level `outer`."""
    here = lvl(outer, mark)
    parts = [c.word(outer), f"[{c.word(here)} and {c.word(here)}]{{{attrs(mark)}}}"]
    label = f"n{next(c.counter)}"
    notes.append(f"[^{label}]: {c.word(outer)} in a note")
    parts.append(f"text[^{label}]")
    parts.append(f"^[{c.word(outer)} inline note]")
    parts.append(f"[{c.word(outer)} link](https://example.org/{c.word(outer)})")
    parts.append(f"![{c.word(outer)} alt](pic.png)")
    parts.append(f"**{c.word(outer)}**")
    return " ".join(p for p in parts if p)


def markdown(shape: Shape, c: Canaries) -> str:
    out: list[str] = []
    for smark, blocks in shape.sections:
        s_level = lvl(smark)
        base = s_level
        out.append(f"## Heading {c.word(s_level)} {{{attrs(smark)}}}\n")
        for kind, outer_mark, inner_mark in blocks:
            if kind == "subsection":  # what follows a ### heading belongs to it
                base = lvl(s_level, outer_mark)
            notes: list[str] = []
            level = s_level if kind == "subsection" else base
            out.append(_block(kind, c, level, outer_mark, inner_mark, notes))
            out.extend(notes)  # each definition right after the block that uses it
            out.append("")
        out.append("")
    return "\n".join(out) + "\n"


def _block(
    kind: str,
    c: Canaries,
    base: Audience,
    mark: Audience | None,
    inner: Audience | None,
    notes: list[str],
) -> str:
    if kind == "para":
        return inlines(c, base, inner, notes) + "\n"
    if kind == "list":
        return f"- {inlines(c, base, inner, notes)}\n- {c.word(base)}\n"
    if kind == "table":
        cell = f"[{c.word(lvl(base, inner))}]{{{attrs(inner)}}}"
        return f"| A {c.word(base)} | B |\n|---|---|\n| {c.word(base)} | {cell} |\n"
    if kind == "quote":
        return f"> {inlines(c, base, inner, notes)}\n"
    if kind == "subsection":
        here = lvl(base, mark)
        return f"### Sub {c.word(here)} {{{attrs(mark)}}}\n\n{inlines(c, here, inner, notes)}\n"
    here = lvl(base, mark)
    fence = f"::: {{{attrs(mark)}}}" if mark else "::: {lang=en}"
    # definitions inside a div stay inside it (using them outside would be refused)
    inner_notes: list[str] = []
    body = inlines(c, here, inner, inner_notes)
    return f"{fence}\n{body}\n\n" + "\n".join(inner_notes) + "\n:::\n"


def outputs(tmp: Path, text: str, pandoc: Pandoc) -> Iterator[tuple[Audience, str, str]]:
    """Yield (audience, kind, text) for HTML, plain text and PDF text of each audience."""
    reports = tmp / "reports"
    reports.mkdir(exist_ok=True)
    (reports / "pic.png").write_bytes(PNG)
    (reports / "r.md").write_text(text, encoding="utf-8")
    directory = load_directory()
    source, problems = load_report(reports / "r.md", directory, "r.md")
    assert source is not None and problems == []
    ast, warnings, written = read_body(source.body, pandoc)
    checker = BodyChecker(source, "r.md", directory, reports, False)
    assert checker.run(ast, warnings, written) == []
    templates = Templates(None)
    settings_ = RenderSettings(templates.text("report.typ"), reports, "Rep", "en-GB")
    read = json.dumps(ast)
    redaction = redact(source, ast, checker.images, Placeholders(), directory.regions, written)
    assert json.dumps(ast) == read, "each version is made anew: the document read is unchanged"
    for audience, version in redaction.versions.items():
        done = render(version, Publication("r", None), pandoc, settings_)
        reader = pypdf.PdfReader(io.BytesIO(done.pdf))
        pdf = " ".join(p.extract_text() or "" for p in reader.pages)
        yield audience, "html", done.html
        yield audience, "plain", done.text
        yield audience, "pdf", pdf + " ".join(str(v) for v in (reader.metadata or {}).values())
        auditor = Auditor([Withheld("r", f) for f in redaction.fragments], PdfText(None))
        leaks = auditor.check_all(
            [
                Output("page.html", done.html.encode(), audience),
                Output("r.pdf", done.pdf, audience, "r"),
            ]
        )
        assert leaks == []


@pytest.fixture(scope="module")
def pandoc() -> Iterator[Pandoc]:
    with Pandoc() as worker:
        yield worker


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(shape=shapes)
def test_no_withheld_canary_reaches_a_lower_audience(
    shape: Shape, pandoc: Pandoc, tmp_path: Path
) -> None:
    canaries = Canaries()
    body = markdown(shape, canaries)
    text = f"---\ntitle: T\nmeeting: NEC\nmeeting_date: 2016-09-20\n---\n\n{body}"
    for audience, kind, output in outputs(tmp_path, text, pandoc):
        for word, level in canaries.levels.items():
            visible = word in output
            if level > audience:
                assert not visible, f"{word} ({level.label}) leaked into {audience.label} {kind}"
            elif kind == "html":
                assert visible, f"{word} ({level.label}) missing from {audience.label} {kind}"


HEADER_NAMES = st.sampled_from(["To", "From", "Reply-To", "Subject", "Message-ID", "List-Id",
                                "List-Unsubscribe"])  # fmt: skip
WORDS = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=12)
HEADER_VALUES = st.one_of(
    st.text(max_size=40),
    st.lists(WORDS, max_size=6).map(" ".join),
    st.builds(lambda n, u, d: f"{n} <{u}@{d}>".lstrip(), WORDS, WORDS, WORDS),
    st.builds(lambda u, d: f"{u}@{d}", WORDS, WORDS),
    st.sampled_from(["Jane Smith <jane.smith@example.org>", "jane@example.org",
                     '"Smith, Jane" <j@example.org>', "=?utf-8?q?hi?=", "<a@b> (c)",
                     "Jané <j@example.org>", "a..b@example.org", "x" * 1000]),
)  # fmt: skip


@given(HEADER_NAMES, HEADER_VALUES)
@settings(max_examples=400, deadline=None)
def test_a_header_written_directly_is_what_the_email_package_writes(name: str, value: str) -> None:
    """A digest writes plain headers itself, for speed: byte for byte as the package would."""
    from reportback.mail.headers import HEADERS, header

    try:
        expected = HEADERS.fold_binary(*HEADERS.header_store_parse(name, value))
    except Exception as exc:  # noqa: BLE001 -- the package fails on some odd values; so must we
        with pytest.raises(type(exc)):
            header(name, value)
        return
    assert header(name, value) == expected
