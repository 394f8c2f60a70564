"""Property: where a word is written decides who may read it, whatever shape carries it.

Reports are generated with footnote and link definitions in every container shape pandoc
accepts (list and ordered items, definition lists, block quotes, grid cells, continuation
lines), used from every level; text that only looks like a mark; comments closed and not;
marks nested in marks. Each canary is tagged with the level of the place it is written. The
invariant: the report is refused with `file:line` (never a traceback), or no canary reaches
an output of a lower audience; and a report built only of allowed forms is never refused.

CI runs a few hundred examples; `REPORTBACK_PROPERTY_EXAMPLES=10000 python -m pytest
tests/test_property_written.py` runs the long one.
"""

from __future__ import annotations

import io
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pypdf
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from reportback.build.check_all import read_body
from reportback.checking.front_matter import load_report
from reportback.checking.rules import BodyChecker
from reportback.checking.source_reader import SOURCE_READER, for_source_reader, regions
from reportback.clps import load_directory
from reportback.model import Audience, Placeholders, Publication
from reportback.output.render import RenderSettings, render
from reportback.output.templates import Templates
from reportback.pandoc.worker import Pandoc
from reportback.redaction.redact import redact

EXAMPLES = int(os.environ.get("REPORTBACK_PROPERTY_EXAMPLES", "150"))
LEVELS = [Audience.PUBLIC, Audience.MEMBERS, Audience.CONFIDENTIAL]
NAMES = {Audience.MEMBERS: "members", Audience.CONFIDENTIAL: "confidential"}
CONTAINERS = ["plain", "bullet", "ordered", "deflist", "quote", "grid", "continued"]
MARK_LIKE = [
    "[{w} and more]  {{.confidential}}",
    "[{w} and more]\n{{.confidential}}",
    "**{w} and more**{{.members}}",
    "{w} and more {{: .confidential}}",
    "[{w} and more]{{.confidential chaired",
    "[{w} and more]{{.&#99;onfidential}}",
    "[{w} and more] {{.confidental}}",
]


@dataclass
class Doc:
    """A report being drawn, with the level at which each canary is written."""

    counter: Iterator[int] = field(default_factory=itertools.count)
    levels: dict[str, Audience] = field(default_factory=dict)
    allowed: bool = True
    """False once the drawing holds something the rules must refuse."""
    grid: bool = False
    marked: bool = False
    """A grid table (the source reader has none) in a report with a mark is refused."""

    def word(self, level: Audience) -> str:
        name = f"zq{level.label[:3]}{next(self.counter)}x"
        self.levels[name] = level
        return name


Draw = st.DrawFn


def definition(draw: Draw, doc: Doc, level: Audience, label: str, link: bool) -> str:
    """Return a definition of `label` written at `level`, in a container shape."""
    words = f"{doc.word(level)} {doc.word(level)} said so"
    text = f"[{label}]: https://{doc.word(level)}.example/x" if link else f"[^{label}]: {words}"
    shape = draw(st.sampled_from(CONTAINERS))
    if shape == "bullet":
        return f"- {text}\n"
    if shape == "ordered":
        return f"3. {text}\n"
    if shape == "deflist":
        return f"Term {doc.word(level)}\n:   {text}\n"
    if shape == "quote":
        return f"> {text}\n"
    if shape == "grid":
        doc.grid = True
        cell = text.ljust(70)
        rule = "+" + "-" * 72 + "+----+\n"
        return f"{rule}| {'a'.ljust(70)} | b  |\n{rule.replace('-', '=')}| {cell} | x  |\n{rule}"
    if shape == "continued" and not link:
        return f"{text}\n\n    {doc.word(level)} continued here.\n"
    return text + "\n"


def region(level: Audience, kind: str, body: str, doc: Doc) -> str:
    """Wrap `body` so that it is written at `level` (a section or a fenced div)."""
    if level == Audience.PUBLIC:
        return f"## Open {doc.word(Audience.PUBLIC)}\n\n{body}\n"
    doc.marked = True
    if kind == "section":
        return f"## Item {doc.word(level)} {{.{NAMES[level]}}}\n\n{body}\n"
    return f"::: {NAMES[level]}\n{body}\n:::\n"


@st.composite
def reports(draw: Draw) -> tuple[str, Doc]:
    doc = Doc()
    blocks: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        home = draw(st.sampled_from(LEVELS))
        use = draw(st.sampled_from(LEVELS))
        link = draw(st.booleans())
        label = f"d{next(doc.counter)}"
        ref = f"[see][{label}]" if link else f"[^{label}]"
        doc.allowed &= use >= home
        use_text = f"{doc.word(use)} uses it {ref} here."
        defining = definition(draw, doc, home, label, link)
        if use == home:  # the use and the definition in one region
            blocks.append(region(home, draw(st.sampled_from(["section", "div"])),
                                 f"{use_text}\n\n{defining}", doc))  # fmt: skip
        else:
            blocks.append(region(use, draw(st.sampled_from(["section", "div"])), use_text, doc))
            blocks.append(region(home, draw(st.sampled_from(["section", "div"])), defining, doc))
    if draw(st.booleans()):  # marks inside marks
        outer, inner = draw(st.sampled_from(LEVELS[1:])), draw(st.sampled_from(LEVELS[1:]))
        deepest = max(outer, inner)
        span = f"[{doc.word(deepest)} in a span]{{.{NAMES[inner]}}}"
        doc.marked = True
        blocks.append(region(outer, "div", f"{doc.word(outer)} text {span} more.", doc))
    if draw(st.booleans()):
        pattern = draw(st.sampled_from(MARK_LIKE))
        blocks.append(pattern.format(w=doc.word(Audience.CONFIDENTIAL)) + "\n")
        doc.allowed = False
    comment = draw(st.sampled_from(["", "closed", "open"]))
    if comment:
        end = " -->" if comment == "closed" else ""
        blocks.append(f"Text <!-- {doc.word(Audience.CONFIDENTIAL)} note{end}\n")
        doc.allowed &= comment == "closed"
    doc.allowed &= not (doc.grid and doc.marked)
    order = draw(st.permutations(blocks))
    return "\n".join(order), doc


def outputs(root: Path, text: str, pandoc: Pandoc) -> Iterator[tuple[Audience, str, str]] | None:
    """Return each audience's outputs (HTML, plain text, PDF text), or None if refused."""
    reports_dir = root / "reports"
    reports_dir.mkdir(exist_ok=True)
    (reports_dir / "r.md").write_text(text, encoding="utf-8")
    directory = load_directory()
    source, problems = load_report(reports_dir / "r.md", directory, "r.md")
    assert source is not None and problems == []
    ast, warnings, written = read_body(source.body, pandoc)
    checker = BodyChecker(source, "r.md", directory, reports_dir, False)
    found = checker.run(ast, warnings, written)
    if found:
        assert all(str(p).startswith("r.md:") and p.line >= 1 for p in found)
        return None
    settings_ = RenderSettings(Templates(None).text("report.typ"), reports_dir, "Rep", "en-GB")
    redaction = redact(source, ast, checker.images, Placeholders(), directory.regions, written)
    done = []
    for audience, version in redaction.versions.items():
        rendered = render(version, Publication("r", None), pandoc, settings_)
        reader = pypdf.PdfReader(io.BytesIO(rendered.pdf))
        pdf = " ".join(p.extract_text() or "" for p in reader.pages)
        done += [(audience, "html", rendered.html), (audience, "plain", rendered.text)]
        done.append((audience, "pdf", pdf))
    return iter(done)


@pytest.fixture(scope="module")
def pandoc() -> Iterator[Pandoc]:
    with Pandoc() as worker:
        yield worker


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=reports())
def test_a_word_is_read_only_by_those_who_may_read_where_it_is_written(
    drawn: tuple[str, Doc], pandoc: Pandoc, tmp_path: Path
) -> None:
    body, doc = drawn
    text = f"---\ntitle: T\nmeeting: NEC\nmeeting_date: 2016-09-20\n---\n\n{body}"
    made = outputs(tmp_path, text, pandoc)
    event("refused" if made is None else "published")
    if made is None:
        assert not doc.allowed, f"an allowed report was refused:\n{body}"
        return
    for audience, kind, output in made:
        for word, level in doc.levels.items():
            if level > audience:
                assert word not in output, f"{word} ({level.label}) in {audience.label} {kind}"


TRICKY = [
    'a "quoted" word',
    "a back\\\\slash",
    'ends "}]]} so',
    "`code`{.confidential} here",
    "[plain]{wrapper=1} span",
    "*emph* and **strong**",
    "line  \nbreak",
    "~~gone~~ word",
    "word[^n] with a note",
    "[link](https://x.example/a) text",
    "&amp; entity",
    "@handle",
]


@st.composite
def shaped(draw: Draw) -> str:
    """A drawn report, with inline shapes spliced in (words a regex could misread)."""
    body, _ = draw(reports())
    extra = draw(st.lists(st.sampled_from(TRICKY), max_size=4))
    note = "\n\n[^n]: a note of plain words\n" if any("[^n]" in t for t in extra) else ""
    return body + "\n" + " ".join(extra) + note


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(body=shaped())
def test_positions_read_without_word_spans_are_the_same(body: str, pandoc: Pandoc) -> None:
    """The source reader's Spans around each word are left out (`unwrapped`): where every
    character is written must come out the same as from the whole tree."""
    text = for_source_reader(body)
    whole = regions(body, pandoc.parse(text, SOURCE_READER)[0])
    unwrapped = regions(body, pandoc.parse(text, SOURCE_READER, unwrap=True)[0])
    assert unwrapped.without_wording() == whole.without_wording()
    assert unwrapped.wording and whole.wording  # the words alike (a word's run may be wider)
    assert unwrapped.wording[0] == whole.wording[0]
