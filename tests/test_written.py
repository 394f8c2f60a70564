"""What is withheld is decided by where the words are written: one test per kind of leak the
held-out adversarial round found, each with shapes the issue did not show."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportback.build.check_all import read_body
from reportback.checking import intent, limits, placement, readers, visible, wordings
from reportback.checking.caseless import Caseless
from reportback.checking.regions import Regions
from reportback.model import Audience
from reportback.output.templates import default_dir
from reportback.pandoc import worker

from .conftest import NOW, Result
from .test_build import leaky_redactor  # noqa: F401 (a fixture)
from .test_rules import HEAD, refused

Cli = Callable[..., Result]
Project = Callable[[dict[str, str | bytes]], Path]
SECRET = "zqsecret the candidate was the CLP secretary"
CELL = "[^n1]: {s}"
RULE = "+" + "-" * 60 + "+-----+\n"
GRID = (
    RULE + "| a" + " " * 58 + "| b   |\n" + RULE.replace("-", "=")
    + "| " + CELL + " " * (59 - len(CELL.format(s=SECRET))) + "| x   |\n" + RULE
)  # fmt: skip


def assert_refused(cli: Cli, root: Path, line: int, *phrases: str) -> str:
    """Assert check and build refuse (exit 1, no traceback, nothing published) at `line`."""
    for args in (["check"], ["build", "--now", NOW]):
        result = cli(*args)
        assert result.code == 1, result.err
        assert "Traceback" not in result.err
        assert f"reports/a.md:{line}: " in result.err, result.err
        for phrase in phrases:
            assert phrase in result.err, result.err
    assert not (root / "site").exists()
    assert not (root / "feeds").exists()
    return result.err


DEFINITION_SHAPES = {
    "bullet item": ("Note[^n1].\n\n::: confidential\n- [^n1]: {s}\n:::\n", 10),
    "ordered item": ("Note[^n1].\n\n::: confidential\n3. [^n1]: {s}\n:::\n", 10),
    "definition list": ("Note[^n1].\n\n::: confidential\nTerm\n:   [^n1]: {s}\n:::\n", 11),
    "block quote": ("Note[^n1].\n\n::: confidential\n> [^n1]: {s}\n:::\n", 10),
    "grid cell": ("Note[^n1].\n\n::: confidential\n" + GRID + ":::\n", 13),
    "continuation line": (
        "Note[^n1].\n\n## Item {{.confidential}}\n\n[^n1]: First paragraph.\n\n    {s}\n",
        11,
    ),
    "members into public": ("Note[^n1].\n\n::: members\n- [^n1]: {s}\n:::\n", 10),
    "link, URL on the next line": (
        "See [the paper][p].\n\n::: confidential\n[p]:\n    https://zqsecret.example/paper\n:::\n",
        11,
    ),
    "link, escaped bracket": (
        "See [a\\]b].\n\n::: confidential\n[a\\]b]: https://zqsecret.example/paper\n:::\n",
        10,
    ),
    "link title, URL also public": (
        "See [the paper][p] at https://example.org/.\n\n::: confidential\n"
        '[p]: https://example.org/ "zqsecret title of the paper"\n:::\n',
        10,
    ),
    "link in a list item": (
        "See [the paper][p].\n\n::: members\n- text\n\n  [p]: https://zqsecret.example/\n:::\n",
        12,
    ),
}


@pytest.mark.parametrize("shape", sorted(DEFINITION_SHAPES))
def test_definition_written_in_withheld_material_used_outside(
    cli: Cli, project: Project, shape: str
) -> None:
    body, line = DEFINITION_SHAPES[shape]
    root = project({"reports/a.md": HEAD + body.format(s=SECRET)})
    assert_refused(cli, root, line, "is written inside", "but used in public material")


def test_definition_after_a_stray_tilde_line_is_still_found(cli: Cli, project: Project) -> None:
    body = f"Note[^n1].\n\n~~~ not a fence\n\n::: confidential\n[^n1]: {SECRET}\n:::\n"
    root = project({"reports/a.md": HEAD + body})
    result = cli("build", "--now", NOW)
    assert result.code == 1 and "Traceback" not in result.err
    assert not (root / "site").exists()


@pytest.mark.parametrize(
    "line",
    ["a\tb [Zq words]{.confidential} after", "-\tItem with [Zq words]{.confidential} after",
     "> a\tb [Zq words]{.confidential} after", "a\t\tb\t[Zq words]{.confidential}\tafter"],
)  # fmt: skip
def test_where_words_were_written_counts_a_tab_as_commonmark_does(line: str) -> None:
    """The source reader gives columns with each tab run to the next stop of four: read as
    characters, every word after a tab on its line was placed up to three characters late
    (adversary helper 101: a tab-indented `## Heading` was taken for an underlined one).
    Tabs are run to their stops before either reader reads a body (`spaced`)."""
    body = f"Opening.\n\n{line}\n"
    with worker.Pandoc() as pandoc:
        written = read_body(body, pandoc)[2]
    start = written.body.index("Zq")
    assert [written.level_at(start + n) for n in range(len("Zq words"))] == [
        Audience.CONFIDENTIAL
    ] * len("Zq words")
    assert written.level_at(written.body.index("after")) == Audience.PUBLIC


def test_a_tab_indented_heading_in_a_list_item_is_no_underlined_one(
    cli: Cli, project: Project
) -> None:
    body = "Public [x]{.confidential}.\n\n-\tItem one\n\n\t## Heading in item\n\n-\tItem two\n"
    project({"reports/a.md": HEAD + body})
    result = cli("check")
    assert result.code == 0, result.err


@pytest.mark.parametrize("quote", [">\tQuoted words.", "> >\tQuoted words.", "- >\tQuoted words."])
def test_a_tab_after_a_quotes_marker_is_read_alike_by_both_readers(
    cli: Cli, project: Project, quote: str
) -> None:
    """Adversary helper 103: the Markdown reader, asked directly, read `>\tQuoted` as a code
    block (a tab taken as four columns) and CommonMark's as a paragraph: refused three ways."""
    body = f"{quote}\n\nPublic [x]{{.confidential}} para.\n"
    project({"reports/a.md": HEAD + body})
    result = cli("check")
    assert result.code == 0, result.err


@pytest.mark.parametrize(
    "line", ["    code [b]{.confidential} here", "More [b] {.confidential} here"]
)
def test_a_mark_read_as_text_is_named_at_its_line_not_an_earlier_attached_one(
    cli: Cli, project: Project, line: str
) -> None:
    """Adversary helper 103: it was named at the first line holding `{.confidential}`, where
    the mark was rightly attached."""
    root = project({"reports/a.md": HEAD + f"Public [a]{{.confidential}} text.\n\n{line}\n"})
    said = "reports/a.md:9: '{.confidential}' looks like a withholding mark, but pandoc read it"
    assert said in assert_refused(cli, root, 9), said


@pytest.mark.parametrize(
    "mark", ['{class="&#32;confidential"}', '{class="x&#9;confidential"}', "{\\.confidential}"]
)
def test_a_mark_written_with_a_reference_or_an_escape_is_named_at_its_line(
    cli: Cli, project: Project, mark: str
) -> None:
    """Adversary helper 143: each was named at the body's first line (a blank one)."""
    project({"reports/a.md": HEAD + f"## Rules\n\nAgreed.\n\nThe chair was [Jo]{mark} today.\n"})
    result = cli("check")
    assert result.code == 1 and result.err.startswith("reports/a.md:11: "), result.err


TABBED = {  # adversary helper 104: each was named at an earlier line (or twice)
    "a label": ("Members\tonly:\tthe panel expelled Jo.", "'Members only:' says that it"),
    "a heading's label": ("## In\tcamera", "says that it is withheld"),
    "a class quoted after a tab": ('Text [x]{class=\t"confidential"} more.', "looks like a"),
    "a reason quoted after a tab": ('## Disputes {.confidential reason=\t"Legal"}', "looks like"),
}


@pytest.mark.parametrize("case", sorted(TABBED))
def test_a_problem_written_with_tabs_is_named_at_its_line_once(
    cli: Cli, project: Project, case: str
) -> None:
    line, said = TABBED[case]
    body = f"Public intro about Members and more.\n\n## Next\n\n{line}\n"
    root = project({"reports/a.md": HEAD + body})
    err = assert_refused(cli, root, 11, said)
    assert [n for n in re.findall(r"^reports/a\.md:(\d+):", err, re.M)] == ["11"], err


def test_definitions_used_at_their_own_level_are_fine(cli: Cli, project: Project) -> None:
    body = (
        "Public[^p].\n\n[^p]: A public note.\n\n::: confidential\nHidden[^h].\n\n"
        f"- [^h]: {SECRET}\n:::\n"
    )
    root = project({"reports/a.md": HEAD + body})
    assert cli("build", "--now", NOW).code == 0
    page = (root / "site/reports/a/index.html").read_text()
    assert "A public note" in page and "zqsecret" not in page


MARK_LIKE = {
    "space before the brace": "Public [the zqsecret candidate]  {.confidential} text.\n",
    "attributes on the next line": "Public [the zqsecret candidate]\n{.members} text.\n",
    "on bold text": "Public **a zqsecret name**{.confidential} text.\n",
    "on emphasis": "Public *a zqsecret name*{.members} text.\n",
    "on a list item": "- first\n- a zqsecret item {.confidential}\n",
    "kramdown after a paragraph": "A zqsecret paragraph.\n{: .confidential}\n",
    "kramdown, any class": "A zqsecret paragraph.\n{: .note}\n",
    "before the heading text": "## {.confidential} Disputes zqsecret\n\ntext\n",
    "unclosed brace": "Public [x zqsecret]{.confidential chaired\n",
    "entity in the class": "Public [x zqsecret]{.&#99;onfidential}\n",
    "in a table cell": "| a | b |\n|---|---|\n| x | zqsecret {.confidential} |\n",
    "near miss in text": "Public [x zqsecret] {.confidental}\n",
    # adversary helper 150: a mark's letters spaced out, in part or whole
    "letters spaced out": "## Disputes {.c o n f i d e n t i a l}\n\nzqsecret\n",
    "letters spaced out, no dot": "Public [x zqsecret]{m e m b e r s} text.\n",
    "some letters spaced out": "## Disputes {.co n f i dential}\n\nzqsecret\n",
    "a synonym spaced out": "Public [x zqsecret]{.s e c r e t} text.\n",
    "letters spaced out in a definition's term": (
        "Term [x zqsecret]{.c o n f i d e n t i a l}\n:   A definition.\n"
    ),
}


@pytest.mark.parametrize("shape", sorted(MARK_LIKE))
def test_text_that_looks_like_a_mark_is_refused(cli: Cli, project: Project, shape: str) -> None:
    root = project({"reports/a.md": HEAD + MARK_LIKE[shape]})
    text = MARK_LIKE[shape]
    line = 7 + text.count("\n", 0, text.index("{"))
    err = assert_refused(cli, root, line)
    assert "mark" in err


ENDED_EARLY = {  # adversary helpers 66-68: the Markdown reader's span held nothing, the name
    # before it was published in every output (one or two words: too short for the audit)
    "superscript": ("Was ^[Jo\\ Zqsmith\\[]{.confidential}^ of Witney.\n", 7, "confidential"),
    "subscript": ("Was ~[Zqsmith\\[]{.members}~ of Witney.\n", 7, "members"),
    "in a heading with a decision": (
        'Text.\n\n## Appeal of ^[Mx\\ Zqsmith\\[]{.members}^ {decision="Upheld" vote=for}\n\n'
        "Text.\n",
        9,
        "members",
    ),
    "code before it": ("Was ^[`zqsmith`\\[]{.confidential}^ of Witney.\n", 7, "confidential"),
    "an attribute before it": (
        'Was ^[`!`{title="zqsmith"}\\[]{.confidential}^ of Witney.\n',
        7,
        "confidential",
    ),
    "a class before it": ("Was ^[[]{.zqsmith}\\[]{.confidential}^ of Witney.\n", 7, "confidential"),
    "a key before it": ("Was ^[-[]{zqsmith=-}\\[]{.members}^ of Witney.\n", 7, "members"),
    "an entity for the bracket": (
        "Was ~[Zqsmith&#91;]{.confidential}~ of Witney.\n",
        7,
        "confidential",
    ),
    "math before it": ("Was ^[$zqsmith$\\[]{.members}^ of Witney.\n", 7, "members"),
    "in a footnote": ("Text[^n].\n\n[^n]: Was ^[Zqsmith\\[]{.confidential}^.\n", 9, "confidential"),
}


@pytest.mark.parametrize("shape", sorted(ENDED_EARLY))
def test_a_span_one_reader_ends_early_is_refused(cli: Cli, project: Project, shape: str) -> None:
    """The two readers read the same words and the same marks, but not the same words
    inside the mark: refused where a word is public for the reader the redactor follows."""
    body, line, level = ENDED_EARLY[shape]
    root = project({"reports/a.md": HEAD + body})
    assert_refused(cli, root, line, f"' is {level} for one and public for the other")


def test_a_whole_span_in_a_superscript_is_withheld(cli: Cli, project: Project) -> None:
    body = "Was ^[Jo Zqsmith]{.confidential}^ of ~[Witney]{.members}~, ^[x]{.members}^[a].\n"
    root = project({"reports/a.md": HEAD + body})
    assert cli("build", "--now", NOW).code == 0
    page = (root / "site/reports/a/index.html").read_text()
    assert "Zqsmith" not in page and "Witney" not in page and "of <sub>" in page


@pytest.mark.parametrize(
    "body",
    ["Public.\n\n<!-- note to self: zqsecret\n\nmore\n", "A <!-- b --> c <!-- zqsecret\n"],
)
def test_comment_never_closed_is_refused(cli: Cli, project: Project, body: str) -> None:
    root = project({"reports/a.md": HEAD + body})
    assert_refused(cli, root, 7 + body.count("\n", 0, body.index("zqsecret")), "never closed")


BASE = "title: T\nmeeting: NEC\nmeeting_date: 2016-09-20\n"


@pytest.mark.parametrize(
    ("meta", "line"),
    [
        (BASE + 'summary: "The NEC met. [the zqsecret candidate]{.confidential}"', 5),
        ("title: Report {.members}\nmeeting: NEC\nmeeting_date: 2016-09-20", 2),
        (BASE + "tags: [selection, 'x {.confidential}']", 5),
        (BASE + "corrections:\n  - {date: 2016-09-21, note: 'Fixed [zqsecret]{.members}'}", 5),
        (BASE + "summary: 'See <!-- zqsecret -->'", 5),
        (BASE + 'summary: "Chaired by [zqsecret]{class=confidential}."', 5),
        (BASE + "tags: ['[zqsecret]{class=\"members\"}']", 5),
        (BASE + "summary: 'Chaired by <span class=confidential>zqsecret</span>'", 5),
        (BASE + 'summary: "Chair [zqsecret]{.confi dential}"', 5),
        (BASE + 'summary: "Chair [zqsecret]︷.confidential︸"', 5),
    ],
)
def test_mark_in_front_matter_is_refused(cli: Cli, project: Project, meta: str, line: int) -> None:
    root = project({"reports/a.md": f"---\n{meta}\n---\n\nBody.\n"})
    assert_refused(cli, root, line, "front matter is public text")


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ("meeting_date: 2016-09-31", "reports/a.md:4: meeting_date 2016-09-31 is not a day"),
        ("meeting_date: 2016-02-29\npublish_at: 2016-09-20T25:00:00+01:00", "reports/a.md:5: "),
        ("meeting_date: 2016-02-29\npublish_at: 2016-09-20T09:00:00+25:00", "reports/a.md:5: "),
        (
            "meeting_date: 2016-09-20\ncorrections:\n  - {date: 2017-02-30, note: x}",
            "reports/a.md:5: date 2017-02-30 is not a day",
        ),
        ("meeting_date: 2016-09-20\nsummary: &a [x, *a]", "aliases"),
        (
            "meeting_date: 2016-09-20\nclps: []",
            "reports/a.md:5: clps: [] lists no CLP slug: name the ones it concerns, or leave "
            "clps out to reach them all",
        ),
        ("meeting_date: 2016-09-20\nregions: []", "reports/a.md:5: regions: [] lists no region"),
        (
            "meeting_date: 2016-09-20\nconfidential: false\n<<: {confidential: true}",
            "reports/a.md:6: front matter is not valid YAML: merge keys (<<) are not allowed",
        ),
        (
            "meeting_date: 2016-09-20\n!!merge <<: [{status: draft}]\nstatus: final",
            "reports/a.md:5: front matter is not valid YAML: merge keys (<<) are not allowed",
        ),
        ("meeting_date: 2016-09-20\ntags: " + "[" * 3000 + "]" * 3000, "nested too deeply"),
        (
            "meeting_date:\t2016-09-20",
            "reports/a.md:4: front matter is not valid YAML: found "
            "character '\\t' that cannot start any token: YAML takes no tab there; write spaces",
        ),
    ],
)
def test_bad_front_matter_is_a_clear_error(
    cli: Cli, project: Project, meta: str, message: str
) -> None:
    project({"reports/a.md": f"---\ntitle: T\nmeeting: NEC\n{meta}\n---\n\nBody.\n"})
    result = cli("check")
    assert result.code == 1 and "Traceback" not in result.err
    assert message in result.err, result.err


def test_billion_laughs_is_refused_at_once(cli: Cli, project: Project) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    text = "---\ntitle: T\nmeeting: NEC\nmeeting_date: 2016-09-20\n" + "\n".join(lines)
    project({"reports/a.md": text + "\n---\n\nBody.\n"})
    started = time.monotonic()
    result = cli("check")
    assert result.code == 1 and "aliases (*name) are not allowed" in result.err
    assert time.monotonic() - started < 30


def test_a_long_run_of_blanks_is_read_at_once(cli: Cli, project: Project) -> None:
    """Comments were looked for from each blank of a run, each time to the run's end: 50,000
    tabs in a line took 22 s to check, 500,000 over ten minutes (stop 54's review)."""
    project({"reports/a.md": HEAD + "a" + "\t" * 200_000 + "b [x]{.confidential} <!-- c -->\n"})
    started = time.monotonic()
    result = cli("check")
    assert result.code == 0, result.err
    assert time.monotonic() - started < 60


@pytest.mark.parametrize(
    ("body", "phrase"),
    [
        ("> " * 400 + "deep\n", "nested more than"),
        ("> " * 16 + "deep\n", "nested more than"),
        ("".join("  " * i + "- x\n" for i in range(60)), "levels deep"),
        ("[" * 12 + "deep" + "]" * 12 + "\n", "brackets"),
        ("[" * 40 + "deep\n", "brackets"),
        ("<a " * 5000 + "\n", "that nothing closes"),
        ("a < b\n\n" * 30 + "words " * 20000 + "\n", "that nothing closes"),
        ("<![CDATA[ x > y\n\n" * 20 + "words " * 20000 + "\n", "that nothing closes"),
        ("&" * 8000 + "\n", "&& or ``"),
        ("&#" * 4000 + "\n", "&& or ``"),
        ("`" * 8000 + "\n", "&& or ``"),
    ],
)
def test_deep_nesting_is_refused_quickly(
    cli: Cli, project: Project, body: str, phrase: str
) -> None:
    root = project({"reports/a.md": HEAD + body})
    started = time.monotonic()
    result = cli("build", "--now", NOW)
    assert result.code == 1 and phrase in result.err and "Traceback" not in result.err
    assert time.monotonic() - started < 60
    assert not (root / "site").exists()


NODES = st.recursive(
    st.sampled_from([{"t": "Str", "c": "word"}, {"t": "Space"}, {"t": "SoftBreak"}]),
    lambda inner: st.one_of(
        st.builds(lambda c: {"t": "Emph", "c": c}, st.lists(inner, max_size=4)),
        st.builds(lambda c: {"t": "BlockQuote", "c": c}, st.lists(inner, max_size=4)),
        st.builds(lambda c: {"t": "Div", "c": [["", [], []], c]}, st.lists(inner, max_size=4)),
        st.builds(
            lambda c: {"t": "Link", "c": [["", [], []], c, ["u", ""]]}, st.lists(inner, max_size=3)
        ),
    ),
    max_leaves=40,
)


def _depth(value: Any, level: int = 0, quoted: int = 0) -> tuple[int, int]:
    """How deeply nodes nest, and block quotes: the plain recursive definition."""
    if isinstance(value, list):
        found = [_depth(v, level, quoted) for v in value]
        return max([f[0] for f in found], default=0), max([f[1] for f in found], default=0)
    if isinstance(value, dict) and "t" in value:
        quoted += value["t"] == "BlockQuote"
        inner = _depth(value.get("c"), level + 1, quoted)
        return max(level + 1, inner[0]), max(quoted, inner[1])
    return 0, 0


@settings(max_examples=300, deadline=None)
@given(st.lists(NODES, max_size=5))
def test_nesting_is_measured_as_the_recursive_definition_says(blocks: list[Any]) -> None:
    assert limits.depth({"blocks": blocks}) == _depth(blocks)


@settings(max_examples=300, deadline=None)
@given(st.text("ab\n[]\\ \t", max_size=60), st.lists(st.integers(-3, 70), max_size=8))
def test_lines_and_paragraphs_are_found_as_counting_finds_them(
    body: str, offsets: list[int]
) -> None:
    """`Regions.line_of` (a search in the lines' ends) and `limits._paragraphs` (one pattern,
    lines counted as it goes) against counting, and brackets against the plain definition:
    made fast for long reports (8,000 withheld spans took 17 s to check)."""
    regions = Regions(body, (), (), (), ())
    for offset in offsets:
        assert regions.line_of(offset) == body.count("\n", 0, max(offset, 0)) + 1
    counted = [(n, line) for n, line in enumerate(body.split("\n"), start=1) if line.strip()]
    for first, (start, end) in limits._paragraphs(body):
        lines = body[start:end].rstrip("\n").split("\n")
        assert counted[: len(lines)] == list(enumerate(lines, start=first))
        counted = counted[len(lines) :]
    assert counted == []
    if "\\" not in body:
        depth = deepest = 0
        for char in body:
            depth = depth + 1 if char == "[" else max(depth - 1, 0) if char == "]" else depth
            deepest = max(deepest, depth)
        assert limits._bracket_depth(body) == deepest


@pytest.mark.parametrize(
    "notes",
    [
        "Text[^1].\n\n[^1]: It cites itself[^1].\n",
        "Text[^a] and[^b].\n\n[^a]: See[^b].\n\n[^b]: See[^a].\n",
        "Text.\n\n[^1]: Never used, cites itself[^1].\n",
        "Text[^1].\n\n[^1]: First line,\n    then an indented one[^1].\n",
        "Text[^1].\n\nTerm\n: [^1]: In a definition list[^1].\n",
        "Text[^1].\n\nTerm\n~ [^1]: In a definition list[^1].\n",
        "Text[^1].\n\n(i) [^1]: In a list item[^1].\n",
        "Text[^1].\n\n> - [^1]: In a quoted list item[^1].\n",
    ],
)
def test_a_footnote_citing_a_footnote_is_refused_before_pandoc_reads_forever(
    cli: Cli, project: Project, notes: str
) -> None:
    project({"reports/a.md": HEAD + "Opening.\n\n" + notes})
    started = time.monotonic()
    result = cli("check")
    assert result.code == 1 and "a footnote's text cites a footnote" in result.err
    assert result.err.startswith("reports/a.md:") and "Traceback" not in result.err
    assert time.monotonic() - started < 30


def test_notes_defined_between_paragraphs_that_cite_notes_pass(cli: Cli, project: Project) -> None:
    body = "One[^1].\n\n[^1]: Note one.\n\nTwo[^2].\n\n[^2]: Note two.\n"
    project({"reports/a.md": HEAD + body})
    assert cli("check").code == 0


def test_report_over_the_size_limit_is_refused_before_parsing(cli: Cli, project: Project) -> None:
    body = ("word " * 200 + "\n\n") * 2100  # ~2.1 MB
    project({"reports/a.md": HEAD + body})
    result = cli("check")
    assert result.code == 1
    assert result.err.startswith("reports/a.md:1: report is over 2 MB")


def test_problem_is_reported_where_it_is_written(cli: Cli, project: Project) -> None:
    body = "All members of the NEC were there.\n\nText.\n\n::: member\nNames.\n:::\n"
    root = project({"reports/a.md": HEAD + body})
    refused(
        cli,
        root,
        "reports/a.md:11: class .member looks like a withholding mark but is not one; write "
        "exactly {.confidential} or {.members} (lower case), or rename it",
    )


def test_withholding_a_name_the_site_publishes_does_not_refuse(cli: Cli, project: Project) -> None:
    body = (
        "We discussed [Hackney North and Stoke Newington]{.confidential} and the "
        "[London]{.members} region; [The CLP representative]{.confidential} spoke.\n"
    )
    root = project({"reports/a.md": HEAD + body})
    result = cli("build", "--now", NOW)
    assert result.code == 0, result.err
    page = (root / "site/reports/a/index.html").read_text()
    article = page[page.index("<article") : page.index("</article>")]
    assert "Hackney North" not in article and "[withheld]" in article
    assert "Hackney North and Stoke Newington" in (root / "site/clp/index.html").read_text()


def test_a_withheld_heading_in_the_words_of_a_placeholder_does_not_refuse(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 75: the audit found the withheld heading's words in the public
    placeholder that stands in for it ("Item for members"), and refused the build."""
    body = "## Item for members {.members}\n\nThe zqballot timetable was agreed.\n"
    root = project({"reports/a.md": HEAD + body})
    result = cli("build", "--now", NOW)
    assert result.code == 0, result.err
    page = (root / "site/reports/a/index.html").read_text()
    assert "Item for members" in page and "zqballot" not in page


def test_words_withheld_and_also_public_are_a_warning_naming_both(
    cli: Cli, project: Project
) -> None:
    body = (
        "The [chair of the Organisation Committee]{.confidential} spoke.\n\n"
        "Later the chair of the Organisation Committee left.\n"
    )
    project({"reports/a.md": HEAD + body})
    expected = (
        "reports/a.md:7: warning: confidential words 'chair of the organisation committee' "
        "are also written in public text at line 9; the leak audit cannot search for them"
    )
    for args in (["check"], ["build", "--now", NOW]):
        result = cli(*args)
        assert result.code == 0
        assert expected in result.err.splitlines()


def test_reference_to_a_public_heading_works_in_page_and_pdf(cli: Cli, project: Project) -> None:
    body = (
        "## Rule changes\n\nText.\n\n## Other\n\nSee [Rule changes] and [above](#rule-changes).\n"
    )
    root = project({"reports/a.md": HEAD + body})
    result = cli("build", "--now", NOW)
    assert result.code == 0, result.err
    page = (root / "site/reports/a/index.html").read_text()
    assert page.count('href="#rule-changes"') == 2
    assert (root / "site/reports/a/a.pdf").stat().st_size > 1000


@pytest.mark.parametrize("link", ["[Secret bit]", "[it](#secret-bit)", "[it](#no-such-heading)"])
def test_reference_to_a_withheld_or_missing_heading_is_refused(
    cli: Cli, project: Project, link: str
) -> None:
    body = f"## Secret bit {{.confidential}}\n\nHidden.\n\n## Public\n\nSee {link}.\n"
    root = project({"reports/a.md": HEAD + body})
    assert_refused(cli, root, 13, "link to #")


AUDITED = {
    "definition in a list item": f"Note[^n1].\n\n::: confidential\n- [^n1]: {SECRET}\n:::\n",
    "definition in a grid cell": (
        "Note[^n1].\n\n::: confidential\n" + GRID.format(s=SECRET) + ":::\n"
    ),
    "link target": (
        "See [the paper][p].\n\n::: members\n"
        "[p]: https://zqsecret.example/the-candidate-was-the-clp-secretary\n:::\n"
    ),
    "section text": f"## Item {{.confidential}}\n\n{SECRET}.\n",
    "a comment": f"Public.\n\n<!-- {SECRET} -->\n",
    "a members span": f"Public [{SECRET}]{{.members}}.\n",
    "a definition list's definition": (
        f"Note[^n1].\n\n::: members\nTerm\n:   [^n1]: {SECRET}\n:::\n"
    ),
}


@pytest.mark.parametrize("kind", sorted(AUDITED))
@pytest.mark.usefixtures("leaky_redactor")
def test_audit_catches_what_a_broken_check_and_redactor_let_through(
    cli: Cli, project: Project, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """The audit's withheld words come from the source, not from the redactor or the rules."""
    monkeypatch.setattr(placement, "definitions", lambda ast, regions: iter(()))
    for rule in ("block_disagreements", "word_disagreements"):  # a grid table is refused
        monkeypatch.setattr(readers, rule, lambda ast, regions: iter(()))
    root = project({"reports/a.md": HEAD + AUDITED[kind]})
    result = cli("build", "--now", NOW)
    assert result.code == 1, result.err
    assert "found in" in result.err
    assert not (root / "site").exists()


ADVERSARY = {
    "second YAML block in the body": ("---\nconfidential: true\n---\n\nzqsecret body\n", 7),
    "mark in a link definition's title": (
        'Intro [ref][r].\n\n[r]: http://x.org "[zqsecret]{.confidential}"\n',
        9,
    ),
    "mark in a span's attribute": ('Intro [a]{title="[zqsecret]{.confidential}"} x.\n', 7),
    "mark in a reason": ('## Item {.confidential reason="[zqsecret]{.members}"}\n\nx\n', 7),
    "mark in an inline link title": ('[a](http://x.org "[zqsecret]{.confidential}")\n', 7),
    "comment closed at once": ("Intro.\n\n<!-->zqsecret comment -->\n", 9),
    "comment closed at once, three dashes": ("Intro.\n\n<!--->zqsecret comment -->\n", 9),
    "a comment in a title": ('[a](http://x.org "<!-- zqsecret -->")\n', 7),
}


@pytest.mark.parametrize("case", sorted(ADVERSARY))
def test_what_the_adversary_found_is_refused(cli: Cli, project: Project, case: str) -> None:
    body, line = ADVERSARY[case]
    root = project({"reports/a.md": HEAD + body})
    assert_refused(cli, root, line)


@pytest.mark.parametrize("when", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+00:00"])
def test_an_instant_no_zone_can_show_is_refused(cli: Cli, project: Project, when: str) -> None:
    project({"reports/a.md": f"---\ntitle: T\nmeeting: NEC\nmeeting_date: 2016-09-20\n"
                             f"publish_at: {when}\n---\n\nx\n"})  # fmt: skip
    result = cli("check")
    assert result.code == 1
    assert result.err.startswith(f"reports/a.md:5: publish_at {when} is not between 1900 and")


FINE = {
    "a caption with a withheld span": "![Chart of [the zqsecret donor]{.confidential}](p.png)\n",
    "single-quoted attribute": "## Staff {.confidential reason='Personal'}\n\nzqsecret text\n",
    "escaped quote in a value": '## Staff {.confidential reason="He said \\"no\\""}\n\nzqsecret\n',
    "closing colons on a fence": "::: confidential :::\nzqsecret text here\n:::\n",
    "a rule then a line with a colon": "Para.\n\n---\nNote: a rule, then text.\n",
    "a heading first in a fence": "::: members\n# Held\n\nzqsecret text\n:::\n",
    "text right under a heading": "## Item\nText on the next line.\n",
    "links and comparisons": "See <https://example.org>: 2 < 3, 3 > 2.\n" * 20,
    "a table with marks in its caption and cells": (
        "| Candidate | Votes |\n|---|---|\n| [zqsecret Jane]{.members} | 10 |\n\n"
        ": Results for [the zqsecret seat]{.confidential}\n"
    ),
    "a table captioned first": (
        ": Results for [the zqsecret seat]{.confidential}\n\n"
        "| Candidate | Votes |\n|---|---|\n| [zqsecret Jane]{.members} | 10 |\n"
    ),
    "an emoji's name in a heading": "## Celebration :tada:\n\nText.\n",
    "a heading in a list item": "- item\n\n  ## Held\n\n  Text.\n",
    "a heading in a quote": "> ## Quoted heading\n>\n> Text.\n",
    "code with fences and comments in it": "```\n:::\n<!-- -->\n```\n\nText `::: x`.\n",
    "round 14's ordinary writing": (
        "## Members\n\nSee [Members](#members) and [the party](https://labour.org.uk/#members)."
        "\n\nJoin the #members channel. He said <that's fine>. [Nǐ hǎo]{lang=zh-Hans}, "
        "[Grüezi]{lang=de-CH-1996}, [x]{width=50% height=auto}.\n"
    ),
    "a list straight under a line of text, in a marked report": (
        "## Held {.confidential}\n\nzqsecret words\n\n## Agreed\n\nWe agreed:\n- one\n- two\n\n"
        "In order:\n1. first\n2. second\n\nThe vote\n- 22 to 20 - was close.\n\n"
        "The report said:\n> Membership grew by 5%.\n"
    ),
    "headings that end withheld material and start like titles": (
        "## Held {.confidential}\n\nzqsecret\n\n## 2027 budget\n\nA.\n\n"
        "::: members\nzqsecret\n:::\n\n## **Bold** item\n\nB.\n\n"
        "[zqsecret]{.confidential}\n\n## “Quoted” item\n\nC.\n\n"
        "::: confidential\nzqsecret\n:::\n\n## Élection\n\nD.\n\n"
        "## Deeper {.members}\n\nzqsecret\n\n### lower-case inside a withheld one\n\nE.\n"
    ),
    "realistic headings after withheld material (round 17)": "".join(
        f"## Held {n} {{.confidential}}\n\nzqsecret\n\n## {title}\n\nText.\n\n"
        for n, title in enumerate(
            [
                "£5m fund for marginal seats",
                "eBay policy",
                "mRNA vaccines",
                "€2bn plan",
                "½ of CLPs",
                "§ 3 Rules",
                "✅ Agreed items",
                "⚠️ Warning",
                "¿Qué pasa?",
                "’Steddfod",
                "Ⅰ. Introduction",
                "会议记录",
                "#MeToo",
                "`Reportback` release",
            ]
        )
    ),
    "sections in containers that end where the writer meant (round 18)": (
        "1. ## Item {.confidential}\n\n   zqsecret\n\n2. ## Next\n\n   Text.\n\n"
        "> ## Letter {.members}\n>\n> zqsecret\n\n## After the quote\n\nText.\n\n"
        "## Held {.confidential}\n\nzqsecret\n\n## ʻŌlelo Hawaiʻi\n\nText.\n\n"
        "## A {.members}\n\nzqsecret\n\n## B\n\nText.\n"
    ),
    "titles after withheld material (round 19)": "".join(
        f"## Held {n} {{.confidential}}\n\nzqsecret\n\n## {title}\n\nText.\n\n"
        for n, title in enumerate(
            [
                "a) Finance report",
                "(ii) Apologies",
                "i. Apologies",
                "c. 200 members attended",
                "e-petitions on the rule book",
                "x.com and social media",
                "i mBéal Feirste",
                "a’ Chomhairle Nàiseanta",
                "Islington CLP",
                "…and finally",
                "...and finally",
                "@uklabour statement",
                "de Montfort University",
                "2025/26",
                "2027",
                "[]{#_Toc2 .anchor}Any other business",  # Word's bookmark (helper 148)
                "•\tAny other business",
                "– Any other business",
            ]
        )
    )
    + "- ## Held item {.confidential}\n\n  zqsecret\n\n- ## Next item\n\n  Text.\n",
    "headings with no words in a report with no mark": "#\n\nText.\n\n# of cases: 12\n",
    "underlined headings in a report with no mark": (
        "Next steps\n----------\n\nText.\n\nPlan\n====\n\nMore.\n"
    ),
    "a long list of ampersands": "".join(f"- Smith & Jones &#8217; `{n}`\n" for n in range(400)),
    "a heading in a footnote": (
        "Budget.[^b]\n\n[^b]: A note.\n\n    ## Budget lines\n\n    More.\n\n"
        "## Case {.confidential}\n\nzqsecret text\n"
    ),
    "headings of no letters where nothing withheld ends (round 20)": (
        "[zqsecret]{.confidential} apologies.\n\n## Finance\n\nAccounts.\n\n### 2025/26\n\n"
        "Surplus.\n\n### 1\n\nOne.\n\n###\n\nEnd.\n"
    ),
    "sentences near this stop's new wordings (adversary helper 94)": (
        "The NEC agreed to remove the clause before publication.\n\nWe do not name "
        "individuals in these reports.\n\nThe complainant asked to remain anonymous.\n\n"
        "We reviewed the complaints process, which is confidential by design.\n\n"
        "## Draft manifesto\n\nThe draft was agreed.\n"
    ),
    "headings like withheld ones, not ending them (adversary helper 96)": (
        "## Item 1\n\n### Discussion {.confidential}\n\nzqsecret\n\n## Item 2\n\n"
        "### Discussion\n\nText.\n\n## Panel\n\nStatement.\n\n## Panel (continued) "
        "{.confidential}\n\nzqsecret\n\n## Panel {.members}\n\nMembers' summary.\n\n"
        "## Young members (2) {.confidential}\n\nzqsecret\n\n## Young members (3)\n\nText.\n"
    ),
    "a heading after a withheld one, of words of its own": (
        "## Panel {.confidential}\n\nzqsecret\n\n## Panel statement\n\nThe NEC agreed.\n"
        "\n## Update\n\nMore.\n"
    ),
    "a confidential part of a members div, then public text (round 20)": (
        "::: members\n### Briefing\n\nCampaign.\n\n### Advice {.confidential}\n\nzqsecret\n"
        ":::\n\nThe NEC then agreed the timetable.\n"
    ),
}


@pytest.mark.parametrize("case", sorted(FINE))
def test_what_pandoc_accepts_and_withholds_is_not_refused(
    cli: Cli, project: Project, case: str
) -> None:
    png = (Path(__file__).parents[1] / "reports/images/timetable.png").read_bytes()
    root = project(
        {"reports/a.md": HEAD + FINE[case] + "\n## Public\n\nText.\n", "reports/p.png": png}
    )
    result = cli("build", "--now", NOW)
    assert result.code == 0, result.err
    for path in [*(root / "site").rglob("*.html"), *(root / "feeds").rglob("*.xml")]:
        assert "zqsecret" not in path.read_text(), path


def test_many_attributes_in_one_paragraph_are_refused_quickly(cli: Cli, project: Project) -> None:
    project({"reports/a.md": HEAD + " ".join(["[a]{.confidential}"] * 20000) + "\n"})
    started = time.monotonic()
    result = cli("check")
    assert result.code == 1 and "attribute blocks" in result.err
    assert time.monotonic() - started < 60


AFTER = "[^s]: zqsecret note text written here\n\n## Public item\n\nPublic text.[^s]\n"
HEADINGS = {
    "a heading under a line": ("## Case {.confidential}\n\nWe met.\n# Aside\n\n" + AFTER, 10),
    "a heading of two lines": (
        "## Case {.members}\n\nThe panel met\nand decided.\n---\n\n" + AFTER,
        9,
    ),
    "a heading after a list item": ("- item\n# Heading\n", 8),
    "a heading after a quote": ("> quote\n# Heading\n", 8),
    "a heading after a comment": ("Text\n<!-- c -->\n# Heading\n", 9),
    "a heading in a list only one reader reads": (
        "## Case {.confidential}\n\nWe met.\n\n#. item\n\n   ## Public\n\n   " + AFTER,
        13,
    ),
    "a heading in a list after a withheld one": (
        "#. item\n\n   ## Case {.confidential}\n\n   held.\n\nzqa zqb\n\n## Tail\n\nText.\n",
        9,
    ),
}


@pytest.mark.parametrize("case", sorted(HEADINGS))
def test_a_heading_only_one_reader_reads_is_refused(cli: Cli, project: Project, case: str) -> None:
    """A section ends at the next heading: where pandoc's two readers read different headings,
    a definition written inside a withheld section would count as public (a held-out find)."""
    body, line = HEADINGS[case]
    root = project({"reports/a.md": HEAD + body + "\n[held]{.members}\n"})
    assert_refused(cli, root, line, "read the headings here differently")


COMMENTS = {
    "dashes inside": ("Text.\n\n<!-- zqa -- > zqb -->\n\nMore.\n", 9),
    "across a line block": ("| The Secretary\n| 1 High St <!-- zqa\nzqb -->\n| London\n", 8),
    "written as entities": ("Text.\n\nText &lt;!-- zqa --&gt; more.\n", 9),  # helper 76: at 6
}


@pytest.mark.parametrize("case", sorted(COMMENTS))
def test_a_comment_read_as_text_is_refused(cli: Cli, project: Project, case: str) -> None:
    """The source reader drops a comment the main reader publishes as text: its words, two or
    fewer, were too short for the audit to search for (a held-out find)."""
    body, line = COMMENTS[case]
    root = project({"reports/a.md": HEAD + body})
    assert_refused(cli, root, line, "read as text")


def test_a_report_pandoc_reads_too_slowly_is_refused_and_the_rest_are_checked(
    cli: Cli, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The backstop: a report pandoc does not finish reading is named, with its line, and
    the other reports are still checked by a pandoc started again."""
    monkeypatch.setattr(worker, "TIMEOUT", 2.0)
    monkeypatch.setattr(limits, "MAX_SCAN", 10**12)  # a shape `limits` does not know yet
    project({
        "reports/a.md": HEAD + "<a " * 20000 + "\n",
        "reports/b.md": HEAD + "Fine.\n",
        "reports/c.md": HEAD + "::: confidental\nx\n:::\n",
        "reports/d.md": HEAD + "Fine too.\n",
    })  # fmt: skip
    result = cli("check")
    assert result.code == 1 and "Traceback" not in result.err
    assert "reports/a.md:6: pandoc could not read this report in 2 s" in result.err
    assert "reports/c.md:7: " in result.err, "the report after it was still read"


VERBATIM = {
    "a fence inside code in a withheld div": (
        "Text.[^s]\n\n::: confidential\n```\n:::\n```\n\n[^s]: zqsecret note words\n:::\n",
        12,
    ),
    "a comment after code closed by fewer backticks": ("Text `` <!-- ` zqa zqb --> more.\n", 7),
}


@pytest.mark.parametrize("case", sorted(VERBATIM))
def test_code_or_a_comment_only_one_reader_reads_is_refused(
    cli: Cli, project: Project, case: str
) -> None:
    """What one reader takes as written and the other as Markdown moves where the rest is
    written: a `:::` in code closed a div early, a comment hid behind backticks (held-out)."""
    body, line = VERBATIM[case]
    root = project({"reports/a.md": HEAD + body})
    assert_refused(cli, root, line, "pandoc's two readers read")


def test_a_heading_in_allowed_html_is_refused(cli: Cli, project: Project) -> None:
    """`<div>` holds a heading for the main reader, not for the other (held-out, with raw
    HTML allowed): the section would end in a different place for each."""
    body = "Text.[^s]\n\n## Case {.confidential}\n\nheld.\n\n<div>\n\n## Public\n\n" + AFTER
    body += "\n</div>\n"
    root = project(
        {"reports/a.md": HEAD + body, "reportback.toml": "[redaction]\nallow_raw_html = true\n"}
    )
    assert_refused(cli, root, 15, "read the headings here differently")


NOTE = "[^s]: zqsecret note text written here\n"
BLOCKS = {
    "a rule that ends a list for one reader": (
        "Text.[^s]\n\n- ## Item {.confidential}\n\n  held words\n***\n\n  " + NOTE,
        12,
    ),
    "a quote that ends a list for one reader": (
        "Text.[^s]\n\n- ## Item {.confidential}\n\n  held words\n> quote\n\n  " + NOTE,
        9,  # the Markdown reader takes the quote into the item: the list differs from its start
    ),
    "a fence outside a quote": ("> ::: confidential\n> held zqa\n:::\nzqb\n\nText.\n", 7),
    "a fence inside raw HTML": (
        "Text.[^s]\n\n::: confidential\nheld\n\n<pre>\n:::\n</pre>\n\n" + NOTE + "\n:::\n",
        14,
    ),
}
WORDS = {
    "a fence inside math": (
        "Text.[^s]\n\n::: confidential\nheld $$a\n:::\nb$$ zqb\n\n" + NOTE + "\n:::\n",
        10,
    ),
    "a fence inside a link title": (
        'Text.[^s]\n\n::: confidential\nheld [x](u "t\n:::\nt") zqb\n\n' + NOTE + "\n:::\n",
        10,
    ),
    "a definition line that ends a list for one reader": (
        "Text.[^s]\n\n- ## Item {.confidential}\n\n  held words\n[^m]: x\n\n  " + NOTE,
        11,
    ),
}


@pytest.mark.parametrize("case", sorted(BLOCKS))
def test_blocks_only_one_reader_reads_are_refused(cli: Cli, project: Project, case: str) -> None:
    """Where a list, quote or div ends decides where a definition after it is written: a
    third held-out round ended them differently for each reader and published the note."""
    body, line = BLOCKS[case]
    config = "[redaction]\nallow_raw_html = true\n" if "raw HTML" in case else ""
    root = project({"reports/a.md": HEAD + body, "reportback.toml": config})
    what = "raw HTML" if "raw HTML" in case else "blocks"  # the advice differs (helper 101)
    assert_refused(cli, root, line, f"read the {what} here differently")


@pytest.mark.parametrize(
    ("above", "label"),
    [("Complaints will be handled in confidence, by an independent body.",
      "In confidence, the unions are unhappy."),
     ("The NEC agreed to add two members: one from Wales, one from Scotland.",
      "Members: please write to me.")],
)  # fmt: skip
def test_a_label_is_named_at_its_own_line_not_at_a_line_above_holding_its_words(
    cli: Cli, project: Project, above: str, label: str
) -> None:
    """Honest user helper 148: the line above, which says the same words as prose, was
    refused too (and named first)."""
    root = project({"reports/a.md": HEAD + f"## Report\n\n{above}\n\n{label}\n"})
    err = assert_refused(cli, root, 11, "says that it is withheld")
    assert "reports/a.md:9:" not in err, err


@pytest.mark.parametrize(
    "heading", ["## Leader’s report {#leader’s-report}", "## Item {.members reason=“Legal matter”}"]
)
def test_an_attribute_a_word_processor_wrote_says_its_curly_quotes_are_why(
    cli: Cli, project: Project, heading: str
) -> None:
    """Honest user helper 148: refused as text that looks like a mark, with no word of the
    curly quotes a word processor put in (which pandoc does not read in attributes)."""
    err = assert_refused(cli, project({"reports/a.md": HEAD + f"{heading}\n\nText.\n"}), 7)
    assert 'write straight quotes (") around a value, and no curly quote' in err


def test_a_marked_heading_in_a_footnote_is_named_as_the_cause(cli: Cli, project: Project) -> None:
    """Adversary helper 166: a marked heading inside a footnote (a heading for pandoc's
    Markdown reader, text for its CommonMark reader) was refused as marks read otherwise,
    at a later span's line; it is named, alone, at its own line."""
    body = (
        "Public text with a note[^n] in it.\n\n[^n]: Intro to the note.\n\n"
        "    ## Disputes {.confidential}\n\n    Jo Zqcs was expelled.\n\n## Next\n\n"
        "Public [Sam Zqbee]{.members} text.\n"
    )
    err = assert_refused(cli, project({"reports/a.md": HEAD + body}), 11, "inside a footnote")
    assert len(err.strip().splitlines()) == 2, err  # the problem, and the summary


def test_a_fence_after_a_paragraph_line_says_to_put_a_blank_line_before_it(
    cli: Cli, project: Project
) -> None:
    """Honest user helper 171: `::: confidential` right after a paragraph's line (text to
    pandoc) was refused first with "remove it", the one thing the rep must not do."""
    body = "Hello there.\n::: confidential\nJo Zqcs was expelled.\n:::\n\nText.\n"
    assert_refused(cli, project({"reports/a.md": HEAD + body}), 8, "put a blank line before it")


def test_a_fence_closed_with_fewer_colons_than_opened_it_is_named(
    cli: Cli, project: Project
) -> None:
    """Honest user helper 169: `:::: confidential` closed with `:::` (pandoc's Markdown reader
    closes it, its CommonMark reader does not) was refused with three messages at the next
    heading's line about blocks, a superscript and headings, none about the fence."""
    body = ":::: confidential\nThe panel zq.\n:::\n\nMore public text.\n\n## Next\n\nText.\n"
    err = assert_refused(cli, project({"reports/a.md": HEAD + body}), 9, "close it with ::::")
    assert len(err.strip().splitlines()) == 2, err  # the problem, and the summary


@pytest.mark.parametrize(
    ("heading", "hint"),
    [  # honest user helper 169: no word of the cause, and a helper's number in the message
        ("## Item {.confidential reason=Staffing matter}", 'goes in straight quotes (reason="'),
        ('## Item {.confidential reason="Complaint against a Zqcs}', "close each value's quotes"),
    ],
)
def test_an_attribute_value_unquoted_or_left_open_says_why(
    cli: Cli, project: Project, heading: str, hint: str
) -> None:
    err = assert_refused(cli, project({"reports/a.md": HEAD + f"{heading}\n\nText.\n"}), 7)
    assert hint in err and "helper" not in err, err


def test_a_no_break_space_before_a_marks_brace_is_named_as_the_cause(
    cli: Cli, project: Project
) -> None:
    """Honest user helper 148: a Mac's Option-Space before `{.confidential}` was refused as
    the readers disagreeing, with no word of the space."""
    body = "Intro.\n\n## Disputes\u00a0{.confidential}\n\nx\n"
    err = assert_refused(cli, project({"reports/a.md": HEAD + body}), 9)
    assert "the space before its { is a no-break space (Option-Space)" in err


@pytest.mark.parametrize(
    "heading",
    ["## *continued:* jo zqquimby expelled", "## 'and' the rest", "## $x$ jo", "## - `code` jo",
     "## • *cont.* jo", "## **Continued:** the rest of the cases"],
)  # fmt: skip
def test_a_heading_that_ends_withheld_material_is_read_by_its_letters_not_its_markup(
    cli: Cli, project: Project, heading: str
) -> None:
    """Adversary helper 152: a first word in emphasis, quotes, math or code read as a word
    with something inside (like `e-petitions`), and so as a title: the section ended and
    what followed was published; a heading that says it carries on, in bold, went too."""
    body = f"## Disputes panel {{.confidential}}\n\nThree cases.\n\n{heading}\n\nzq expelled.\n"
    assert_refused(cli, project({"reports/a.md": HEAD + body}), 11)


@pytest.mark.parametrize(
    "table",
    ["+-----+-----+\n| a   | b   |\n+=====+=====+\n| 1   | 2   |\n+-----+-----+\n",
     "  a     b\n ---   ---\n  1     2\n"],
)  # fmt: skip
def test_a_table_only_one_reader_reads_is_named_as_such(
    cli: Cli, project: Project, table: str
) -> None:
    """Honest user helper 155: a Word table exported as a grid table was refused with pipe
    tables the fourth of five pieces of advice about lists, quotes and fences."""
    body = f"{table}\n## Complaints {{.confidential}}\n\nzq.\n"
    err = assert_refused(cli, project({"reports/a.md": HEAD + body}), 7)
    assert "a table only one of pandoc's two readers reads as one" in err
    assert "write it as a pipe table (| a | b |)" in err


def test_an_example_list_in_a_report_with_a_mark_is_named_as_one(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 143: `(@)` items were refused with advice about `2026.` and `(a)`."""
    body = "Public.\n\n(@) The chair was [Jo]{.confidential}.\n(@) Two.\n"
    err = assert_refused(cli, project({"reports/a.md": HEAD + body}), 9, "an example list ((@))")
    assert "number the list as an ordinary one (1., 2., …)" in err


@pytest.mark.parametrize(
    ("body", "line", "advice"),
    [
        ("In the year\n2026. The end.\n", 14, "write 2026\\. or join it"),
        ("We lost by 9 votes to\n5. It comes back.\n\n## Next\n\nMore.\n", 14, "write 5\\."),
        ("See section 3\n(a) of the paper.\n", 14, "write (a\\) or join it"),
        ("Options were\nb) delay it.\n", 14, "write b\\) or join it"),
    ],
)
def test_a_line_of_a_paragraph_that_starts_like_a_list_item_is_named_at_itself(
    cli: Cli, project: Project, body: str, line: int, advice: str
) -> None:
    """Adversary helper 117: `We lost by 9 votes to⏎5. The matter…` (a list for one reader)
    was named at the paragraph's first line and at the next heading, in two problems that
    quoted nothing; now at its own line, once, with the fix."""
    root = project({"reports/a.md": HEAD + "## Held {.confidential}\n\nzqsecret\n\n## Public\n\n"
                    + body})  # fmt: skip
    err = assert_refused(cli, root, line, "starts like a list's item", advice)
    assert err.count("reports/a.md:") == 1, err


@pytest.mark.parametrize("case", sorted(WORDS))
def test_words_only_one_reader_reads_are_refused(cli: Cli, project: Project, case: str) -> None:
    """A `:::` inside math or a link title that spans lines closes a div for one reader only;
    a definition line ends a list item for one only (a third held-out round)."""
    body, line = WORDS[case]
    root = project({"reports/a.md": HEAD + body})
    assert_refused(cli, root, line, "read the words here differently")


def test_tables_the_source_reader_does_not_read_pass_in_a_report_with_no_mark(
    cli: Cli, project: Project
) -> None:
    """Without a mark nothing but comments is withheld: a simple table passes; with a mark,
    the same table is refused (the source reader reads a code block)."""
    table = "  Right     Left\n-------     ------\n     12     12\n    123     123\n\n: Caption\n"
    project({"reports/a.md": HEAD + table})
    assert cli("build", "--now", NOW).code == 0
    project({"reports/a.md": HEAD + table + "\n## Held {.confidential}\n\nText.\n"})
    result = cli("check")
    assert result.code == 1 and "use pipe tables" in result.err, result.err


MARK = "withholds nothing"
STYLE = "style= is not allowed"
UNSHOWN = "published but not shown"
TAG = "a report may use only these tags"
ATTRIBUTE = "a report may use only these attributes"
SITE = "one of the site's own"
LEFT = "looks like a withholding mark"
READ = "pandoc's two readers read the marks here differently"
HTML_MARKS = {
    "a block's class": ('<p class="confidential">zqsecret words</p>\n', 9, MARK),
    "a heading's class": ('<h2 class="members">zqsecret</h2>\n', 9, MARK),
    "an inline tag's class": ('Text <em class="confidential">zqsecret</em> here.\n', 9, MARK),
    "a class among others": ('<section class="box members">\n\nzqsecret\n\n</section>\n', 9, MARK),
    "a class by a character reference": ('<p class="&#99;onfidential">zqsecret</p>\n', 9, MARK),
    "a near miss of a class": ('<p class="secret">zqsecret words</p>\n', 9, MARK),
    "a class that hides": ('<p class="sr-only">zqsecret words</p>\n', 9, MARK),
    "a data attribute": ('Text <em data-confidential="1">zqsecret</em>.\n', 9, MARK),
    "a members data attribute": ('<p data-members="1">zqsecret words</p>\n', 9, MARK),
    "the hidden attribute": ("<p hidden>zqsecret words</p>\n", 9, MARK),
    "a list item": ('<ul>\n<li class="confidential">zqsecret</li>\n</ul>\n', 10, MARK),
    "a table cell": ('| a |\n|---|\n| <b class="confidential">zqsecret</b> |\n', 11, MARK),
    "a style on a block": ('<p style="display: none">zqsecret words</p>\n', 9, STYLE),
    "a style on a div": ('<div style="opacity:0">\nzqsecret\n</div>\n\nAfter.\n', 9, STYLE),
    "a style on a span": ('Text <span style="display:&#110;one">zqsecret</span>.\n', 9, STYLE),
    "a script": ("<script>/* zqsecret */</script>\n", 9, TAG),
    "a template": ("<template>\nzqsecret words\n</template>\n", 9, TAG),
    "a frame": ("Text <iframe>zqsecret words</iframe> here.\n", 9, TAG),
    "a drawing's description": ("<svg><desc>zqsecret words</desc></svg>\n", 9, TAG),
    "white type": ('Text <font color="white">zqsecret</font> here.\n', 9, TAG),
    "a stray end tag": ("Text </zqsecret> here.\n", 9, TAG),
    "an attribute not on the list": ('<p onclick="zqsecret">x</p>\n', 9, ATTRIBUTE),
    "a site class": ('Text <span class="skip">zqsecret words</span>.\n', 9, SITE),
    "a processing instruction": ("Text <?php zqsecret ?> here.\n", 9, UNSHOWN),
    "words in an end tag": ('Pub <em>a</em title="zqsecret words"> end.\n', 9, UNSHOWN),
    "words in a block's end tag": ("<p>Public</p\nzqsecret words>\n", 9, UNSHOWN),
    "paragraphs in an end tag": ('<table><tr><td>a</td></tr></table x="\n\nzq\n\n">\n', 9, UNSHOWN),
    "a style element": ("<style>\np::after { content: 'zqsecret' }\n</style>\n", 9, TAG),
    "a mark written in raw text": ("<pre>[zqsecret]{.confidential}</pre>\n", 9, LEFT),
    "a search attribute": ("<p data-pagefind-ignore>zqsecret words</p>\n", 9, "search index"),
    "a mark in a tag's title": ('Text <a title="[zqs]{.confidential}" href="#p">x</a>.\n', 9, LEFT),
    "a span in a table cell": (  # adversary helper 83: it was named at the report's first line
        "<table><tr>\n<td>Cell [zqsecret]{.confidential} more</td>\n</tr></table>\n",
        10,
        "a.md:10: " + READ,
    ),
    "a span after a mark both read": (
        '[Open]{.members}\n\n<p title="x">Cell [zqsecret]{.confidential}</p>\n',
        11,
        "a.md:11: " + READ,
    ),
}


@pytest.mark.parametrize("case", sorted(HTML_MARKS))
def test_a_mark_or_hiding_in_allowed_raw_html_is_refused(
    cli: Cli, project: Project, case: str
) -> None:
    """Held-out rounds 5 and 6: with raw HTML allowed, `<p class="confidential">` was
    published (pandoc reads the tag as HTML, not as a mark), and so were words hidden from
    view by a style, a tag whose text is not shown, or what a browser reads as a comment."""
    assert_refused_after_a_line(cli, project, *HTML_MARKS[case], raw_html=True)


HIDDEN_MARKDOWN = {
    "a style on a span": ('Text [zqsecret]{style="display:none"} more.\n', 9, STYLE),
    "a style on a div": ('::: {style="visibility: hidden"}\nzqsecret\n:::\n', 9, STYLE),
    "a members data attribute": ('Hello [zqsecret]{data-members="1"} x.\n', 9, LEFT),
    "a site class that moves it off the page": ("Text [zqsecret words]{.skip} here.\n", 9, SITE),
    "a site class that draws a banner": ("## Agenda {.draft-banner}\n\nText.\n", 9, SITE),
}


FINE_KEYS = (
    "![A chart](p.png){width=50%}\n\n[bonjour]{lang=fr} and [a link](https://e.org){target=_blank}"
    '\n\n## Item {title="Members survey results" clps="witney"}\n\n'
    "```{.python startFrom=3}\nx\n```\n"
)


def test_the_keys_a_report_may_use_are_not_refused(cli: Cli, project: Project) -> None:
    png = (Path(__file__).parents[1] / "reports/images/timetable.png").read_bytes()
    project({"reports/a.md": HEAD + FINE_KEYS, "reports/p.png": png})
    result = cli("check")
    assert result.code == 0, result.err


def test_the_site_classes_are_the_stylesheets() -> None:
    """A report may not use a class the default stylesheet styles (it hides or moves some)."""
    css = (default_dir() / "style.css").read_text(encoding="utf-8")
    assert set(re.findall(r"\.([A-Za-z_][\w-]*)", css)) == visible.SITE_CLASSES


@pytest.mark.parametrize("case", sorted(HIDDEN_MARKDOWN))
def test_hiding_in_markdown_attributes_is_refused(cli: Cli, project: Project, case: str) -> None:
    """Held-out round 6: a style that hid a span or a div from view published its words."""
    assert_refused_after_a_line(cli, project, *HIDDEN_MARKDOWN[case])


def assert_refused_after_a_line(
    cli: Cli, project: Project, body: str, line: int, phrase: str, raw_html: bool = False
) -> None:
    """Assert a report of one public line, then `body`, is refused at `line` with `phrase`."""
    files = {"reports/a.md": HEAD + "Public.\n\n" + body}
    if raw_html:
        files["reportback.toml"] = "[redaction]\nallow_raw_html = true\n"
    assert_refused(cli, project(files), line, phrase)


def test_allowed_raw_html_without_a_mark_is_published(cli: Cli, project: Project) -> None:
    body = '<p class="note" id="n1">Open <em title="Members survey results">words</em></p>\n'
    toml = "[redaction]\nallow_raw_html = true\n"
    root = project({"reports/a.md": HEAD + body, "reportback.toml": toml})
    assert cli("build", "--now", NOW).code == 0
    assert '<p class="note"' in (root / "site/reports/a/index.html").read_text()


MATH = {
    "a price and a sum": (
        "The panel heard that [Jane zqsecret paid $500]{.confidential} to the agent; "
        "the fee was 50$.\n"
    ),
    "display math": "Public [zqsecret $$x]{.members}$$ end.\n",
    "a long run": "Public [zqsecret words of the witness $x]{.confidential}$ and more.\n",
}


DROPPED = "an end tag holds only its name"
NATIVE_ENDS = {
    "a span's end tag in a list item": ("- <span>a</span\n  zqwords here> and.\n", 9, DROPPED),
    "a div's end tag": ("<div>\nText.\n</div zqwords>\n", 11, DROPPED),
    "an attribute in a span's end tag": ('A <SPAN>b</SPAN title="zqwords"> c.\n', 9, DROPPED),
}


@pytest.mark.parametrize("raw_html", [False, True])
@pytest.mark.parametrize("case", sorted(NATIVE_ENDS))
def test_words_in_a_span_or_div_end_tag_are_refused(
    cli: Cli, project: Project, case: str, raw_html: bool
) -> None:
    """Held-out round 10: pandoc reads `<span>` and `<div>` as its own, raw HTML allowed or
    not, and dropped whatever their end tags held after the name: the words went nowhere,
    and no one was told."""
    assert_refused_after_a_line(cli, project, *NATIVE_ENDS[case], raw_html=raw_html)


FENCE = "would be published as written, withholding nothing"
ROUND_11 = {
    "a class= mark left as text under a heading": ("## zq\n{class=confidential}\n", 10, LEFT),
    "a class= mark never closed": ("Chair [zq]{class=confidential today.\n", 9, LEFT),
    "a class= mark in code": ("Text `[zq]{class='members'}` here.\n", 9, LEFT),
    "a class= mark in a decision": ('## I {decision="Agreed [zq]{class=members}"}\n', 9, LEFT),
    "a fence in a decision": ('## Item {decision="Agreed ::: members zq"}\n', 9, FENCE),
    "a marked tag in a title": ('[a](#x "<span class=confidential>zq</span>")\n', 9, FENCE),
    "a vote given twice": ("## Item {vote=for vote=against}\n", 9, "given more than once"),
    "clp= for clps=": ('## Item {clp="witney"}\n', 9, "looks like clps= or regions="),
    "a data- decision": ('## Item {data-decision="Agreed"}\n', 9, "looks like decision="),
    "a search attribute": ('[x]{data-pagefind-meta="title:zq"} y\n', 9, "search index"),
    "a search attribute without data-": ("::: {pagefind-ignore=all}\nzq\n:::\n", 9, "search"),
    "words as a span's keys": ("A <span words zq here>a</span> b.\n", 9, "has no value"),
    "a decision on a heading of no words": ('## {decision="Agreed"}\n', 9, "with words"),
    # adversary helper 74: a front matter's deciding key as an attribute set nothing
    "status= on a heading": ("## Item zq {status=draft}\n", 9, "looks like a withholding mark"),
    "publish= on a span": ("The [zq]{publish=no} said.\n", 9, "looks like a withholding mark"),
    "draft= on a div": ("::: {draft=true}\nzq\n:::\n", 9, "looks like a withholding mark"),
}


TWICE = "is given more than once"
ROUND_12 = {
    "a class given twice on a span": ('<span class="x" class="members">zq</span>.\n', 9, TWICE),
    "a class given twice on a div": ('<div class="x" class="members">\nzq\n</div>\n', 9, TWICE),
    "look-alike braces": ("The chair was [zq]｛.confidential｝.\n", 9, LEFT),
    "a mark's word broken over a line": ("The chair was [zq]{.confi-\ndential}.\n", 9, LEFT),
    "a mark in a link's address": ("[a](<http://e.com/zq {.confidential}>)\n", 9, LEFT),
    "comments around a section": ("<!-- confidential -->\nzq\n<!-- /confidential -->\n", 9,
                                  "withholds only itself"),
    "a LaTeX environment in a cell": ("| a |\n|---|\n| \\begin{x}zq\\end{x} |\n", 11, "TeX"),
    "a style through a width": ('::: {.column width="0%;display:none"}\nzq\n:::\n', 9, "size"),
    "an event handler": ('[v]{onclick="alert(1)"}\n', 9, "event handler"),
    "an event handler on a span tag": ('<span onclick="x">v</span>\n', 9, "event handler"),
    "a link to a script": ("[v](javascript:alert(1))\n", 9, "a link to a script"),
    "a language Typst cannot take": ("::: {lang=xyzw}\nText.\n:::\n", 9, "language code"),
}  # fmt: skip


ROUND_13 = {
    "a space inside a mark's word": ("The chair was [zq]{.confi dential} today.\n", 9, LEFT),
    "a members mark split in two": ("The chair was [zq]{.mem bers} today.\n", 9, LEFT),
    "a no-break space inside the word": ("The chair was [zq]{.confi\u00a0dential}.\n", 9, LEFT),
    "a hyphen and a tab": ("The chair was [zq]{.confi-\tdential} today.\n", 9, LEFT),
    "a div's class broken over a line": ("::: confi-\ndential\nzq block\n:::\n", 9, LEFT),
    "a heading's mark broken": ("## Item zq {.confi-\ndential}\n\nBody zq.\n", 9, LEFT),
    "brackets drawn like braces": ("The chair was [zq]︷.confidential︸.\n", 9, LEFT),
    "an attribute name as an entity": ('A <span &#99;lass="confidential">zq b.\n', 9, FENCE),
    "a comment naming the level": (
        "<!-- the following is\n   CONFIDENTIAL\n   until further notice -->\n\nzq words.\n",
        9, "withholds only itself",
    ),
    "a starred LaTeX environment": ("Text \\begin*{x}zq\\end*{x} end.\n", 9, "TeX"),
    "a macro that hides words in math": ("The chair was $\\iffalse zq \\fi$.\n", 9, "TeX"),
    "an empty group Typst cannot set": ("Pay $\\mathrm{}zq$ now.\n", 9, "TeX"),
    # adversary helper 75: `check` passed these, then Typst stopped the build (exit 3)
    "an empty denominator": ("The value $\\frac{1}{}$ was noted.\n", 9, "TeX"),
    "an empty root": ("The value $\\sqrt[3]{ }$ was noted.\n", 9, "TeX"),
    "an empty second argument after a group": ("Noted $\\binom{n^{2}}{}$.\n", 9, "TeX"),
    # adversary helper 76: an argument empty once read, or none at all
    "an argument of an empty group": ("Math $\\sqrt{{}}$ here.\n", 9, "TeX"),
    "an argument of empty delimiters": ("Math $\\frac{1}{\\left.\\right.}$ here.\n", 9, "TeX"),
    "no argument": ("Math $\\sqrt$ here.\n", 9, "TeX"),
    "a comment in code": ("The code `a <!-- zq --> b` here.\n", 9, "comment in code"),
    # adversary helper 105: a comment in math was shown as math, in every output
    "a comment in math": ("Grew by $x <!-- zq check -->$ here.\n", 9, "comment in math"),
    "a comment in display math": ("Met.\n\n$$a <!-- zq\nsaid --> b$$\n", 11, "comment in math"),
    # adversary helper 77: a fence mistyped, a class a rep might write, a mark as an address
    "two colons": ("Met.\n\n:: members\nzq words.\n::\n", 11, "withholding nothing"),
    "two colons and no space": ("Met.\n\n::members\nzq words.\n::\n", 11, "withholding"),
    "colons drawn otherwise": ("Met.\n\n：：： members\nzq words.\n：：：\n", 11, "withholding"),
    "two dashes": ("Met.\n\n-- members\nzq words.\n--\n", 11, "withholding nothing"),
    "a class for members abbreviated": ("The [zq]{.mbrs} said.\n", 9, "withholding mark"),
    "a class of who may read it": ("The [zq]{.nec-only} said.\n", 9, "withholding mark"),
    "a class for a closed session": ("The [zq]{.in-camera} said.\n", 9, "withholding mark"),
    "a mark as a link's address": ("The [zq chair](.confidential) said.\n", 9, "as a link's"),
    "a mark's word as an address": ("The [zq chair](members) said.\n", 9, "as a link's"),
    "a mark as a reference's address": (
        "The [zq chair][x] said.\n\n[x]: .confidential\n",
        11,
        "as a link's",
    ),
    "a size of nothing": ("[zq]{width=0em} text.\n", 9, "is not a size"),
}  # fmt: skip


UNDERLINED = "underlined with ---, === or a lone - is a heading"
ROUND_15 = {
    "a lone dash under a line, read as a list": (
        "## Case {.confidential}\n\nThe panel agreed:\n-\n  to suspend zq.\n\n## Next\n\nT.\n",
        11, UNDERLINED,
    ),
    "text underlined with three dashes": (
        "## Case {.members}\n\nThe panel agreed zq.\n---\nThe complainant was zq.\n", 11,
        UNDERLINED,
    ),
    "text underlined with equals signs": (
        "## Case {.confidential}\n\nShortlist: zq.\n===\n\n## Next\n\nT.\n", 11, UNDERLINED,
    ),
    "in a definition, a note under the dash": (
        "Term\n\n:   ## S {.confidential}\n\n    We agreed:\n    -\n      [^a]: zq\n\nP.[^a]\n",
        13, UNDERLINED,
    ),
    "a heading underlined in public text": (
        "[zq]{.confidential} text.\n\nNext steps\n----------\n\nText.\n", 11, UNDERLINED,
    ),
    "text underlined in a footnote (named at its line, not the note's use)": (
        "Budget.[^b]\n\n[^b]: A note.\n\n    Budget lines\n    ---\n\n    More.\n\n"
        "## Case {.confidential}\n\nzq\n", 13, UNDERLINED,
    ),
    "a label in math": ("Math $\\label{zq}$ here.\n", 9, "TeX"),
    "a tag in display math": ("$$x = 1 \\tag*{zq}$$\n", 9, "TeX"),
}  # fmt: skip


NO_WORDS = "a heading with no words"
ENDS = "ends the withheld material above it"
HELD = "## Panel {.confidential}\n\nCases heard.\n\n"
ROUND_16 = {
    "a press release's end mark": (
        "### Draft statement {.confidential}\n\nText.\n\n###\n\nDo not release zq.\n", 13,
        NO_WORDS,
    ),
    "a lone #": (HELD + "#\n\nOutcome zq.\n", 13, NO_WORDS),
    "a heading of closing #s": (
        "## Panel {.members}\n\nCases.\n\n## ##\n\nOutcome zq.\n", 13, NO_WORDS,
    ),
    "a heading holding a comment": (HELD + "# <!-- divider -->\n\nOutcome zq.\n", 13, NO_WORDS),
    "a heading of a zero-width space": (HELD + "# \u200b\n\nOutcome zq.\n", 13, NO_WORDS),
    "an anchor": (HELD + "## {#appeals}\n\nOutcome zq.\n", 13, NO_WORDS),
    "a number": (HELD + "# 1\n\nOutcome zq.\n", 13, NO_WORDS),
    "a table's # column": (
        HELD + "# | Ward | Cases\n--|------|------\n1 | zq | 3\n\nOutcome zq.\n", 13, ENDS,
    ),
    "a count": (HELD + "# of cases: 12\n\nOutcome zq.\n", 13, ENDS),
    "a Hangul filler (round 17)": (HELD + "# \u3164\n\nOutcome zq.\n", 13, NO_WORDS),
    "a long vowel mark drawn like a dash": (HELD + "## ーーー\n\nOutcome zq.\n", 13, NO_WORDS),
    "a letter drawn like a dash, three times": (HELD + "## ㅡㅡㅡ\n\nOutcome zq.\n", 13, NO_WORDS),
    "middle dots that are letters": (HELD + "## ㆍㆍㆍ {decision=Agreed}\n\nzq.\n", 13, NO_WORDS),
    "a click letter drawn like a pipe": (HELD + "# ǀ Ward ǀ Cases\n\nOutcome zq.\n", 13, ENDS),
}  # fmt: skip


CUT = "ends where that ends, but what follows is not a heading"
ROUND_18 = {
    "a numbered item's text indented short": (
        "9. ## Rules\n\n   Agreed.\n\n10. ## Disputes {.confidential}\n\n   Expelled zq.\n\n"
        "11. ## Finance\n\n   Agreed.\n", 13, CUT,
    ),
    "a quote split by a blank line": (
        "> ## Letter {.members}\n>\n> Dear zq.\n\n> We must zq.\n", 9, CUT,
    ),
    "a definition's paragraph indented short": (
        "Term\n\n:   ## Panel {.confidential}\n\n    Secret zq.\n\n  More zq.\n", 11, CUT,
    ),
    "a marked heading in a plain div": (
        "::: note\n## Panel {.confidential}\n\nSecret zq.\n:::\n\nAfter zq.\n", 10, CUT,
    ),
    "two different dot letters": (HELD + "## ㆍᆢ\n\nOutcome zq.\n", 13, NO_WORDS),
    "Ogham": (HELD + "# ᚁᚂ\n\nOutcome zq.\n", 13, NO_WORDS),
    "Runic": (HELD + "# ᛁᛌ\n\nOutcome zq.\n", 13, NO_WORDS),
    "Tifinagh": (HELD + "# ⵀⵂ\n\nOutcome zq.\n", 13, NO_WORDS),
    "strokes that are ideographs": (HELD + "# 丨丶\n\nOutcome zq.\n", 13, NO_WORDS),
    "math drawn as a dinkus": (HELD + "# $\\Diamond\\Diamond$\n\nOutcome zq.\n", 13, NO_WORDS),
    "a digit drawn as a dot": (HELD + "# ٠ of cases\n\nOutcome zq.\n", 13, ENDS),
    "box-drawing bars": (HELD + "## │ Ward │ Suspended │\n\nOutcome zq.\n", 13, ENDS),
}  # fmt: skip


ROUND_19 = {
    "sub-items indented a space short": (
        "## Agenda\n\n- ## Disputes {.confidential}\n\n  Points:\n\n - zq admitted\n - zq\n\n"
        "## Next\n\nText.\n", 11, CUT,
    ),
    "a plain next item": (
        "1. ## Held {.confidential}\n\n   Points:\n\n2. zq admitted the breach\n", 9, CUT,
    ),
    "a lower heading after the list": (
        "- ## Held {.confidential}\n\n  zq.\n\n#### Details\n\nzq.\n", 9, CUT,
    ),
    "a lower heading starting the next item": (
        "- ## Held {.confidential}\n\n  zq.\n\n- #### Details\n\n  zq.\n", 9, CUT,
    ),
    "a second definition of the term": (
        "Disputes\n\n:   ## Held {.confidential}\n\n    zq.\n\n:   zq second.\n", 11, CUT,
    ),
    "a heading inside raw HTML": (
        "## Held {.confidential}\n\nSummary.\n\n<blockquote>\n\n## Statement\n\nzq.\n\n"
        "</blockquote>\n\nzq more.\n", 15, CUT, True,
    ),
    "a Latin letter drawn as a dot": (HELD + "# ꞏꞏꞏ\n\nOutcome zq.\n", 13, NO_WORDS),
    "a Cyrillic bar": (HELD + "# Ӏ\n\nOutcome zq.\n", 13, NO_WORDS),
    "a capital I alone": (HELD + "# I\n\nOutcome zq.\n", 13, NO_WORDS),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(ROUND_19))
def test_sections_ended_by_items_lower_headings_raw_html_or_bars_are_refused(
    cli: Cli, project: Project, case: str
) -> None:
    """Held-out round 19: a marked section in a list item or definition was cut short by a
    next item or definition that was not a heading, or by a heading lower than its own; a
    heading inside raw `<blockquote>` ended it; and headings of one bar or dot letter."""
    assert_refused_after_a_line(cli, project, *ROUND_19[case])


SPELLED = "is written from words withheld in this report"
SPELLED_FROM_WITHHELD = {
    "a heading's id": ("## Appeal of [Jo Zqsmith]{.confidential} {#appeal-of-jo-zqsmith}\n\n"
                       "Upheld.\n", 9, SPELLED),
    "an id run together": ("## Appeal {#appealjozqsmith}\n\n[Jo Zqsmith]{.members} "
                           "appealed.\n", 9, SPELLED),
    "a decision beside a name starting a withheld list's item (adversary helper 164)": (
        '## Appeals {decision="Zqsmith appeal upheld"}\n\nHeard.\n\n::: confidential\n'
        "- Zqsmith: appeal upheld\n- Zqjones: appeal refused\n:::\n", 9, SPELLED),
    "a decision beside a name as a withheld definition list's term": (
        '## Appeals {decision="Zqsmith appeal upheld"}\n\nHeard.\n\n::: confidential\n'
        "Zqsmith\n:   appeal upheld\n:::\n", 9, SPELLED),
    "a decision beside a name in a withheld table's cell": (
        '## Appeals {decision="Zqsmith appeal upheld"}\n\nHeard.\n\n::: confidential\n'
        "| Appellant | Outcome |\n|---|---|\n| Zqsmith | upheld |\n:::\n", 9, SPELLED),
    "a decision beside the name in lower case in withheld text (adversary helper 159)": (
        '## Appeal of [Sam Zqsmith]{.confidential} {#appeal decision="Zqsmith appeal upheld"}'
        "\n\nUpheld.\n\n::: confidential\nPapers from sam.zqsmith@example.org.\n:::\n", 9,
        SPELLED),
    "a decision": ('## Appeal {decision="Upheld for Zqsmith"}\n\n[Zqsmith]{.confidential} '
                   "appealed.\n", 9, SPELLED),
    "a span's id": ("A [note]{#zqsmith-note} about [Zqsmith]{.confidential}.\n", 9, SPELLED),
    "a withheld heading's words": ("Met.\n\n## Case of Zqsmith {.confidential}\n\nzq.\n\n"
                                   "## Outcome {#zqsmith-case-outcome}\n\nDone.\n", 15, SPELLED),
    # adversary helper 108: a word of a withheld span, heading or name, whatever else is there
    "a decision with one word of a span": (
        "## Appeal {decision=\"Zqquimby's expulsion upheld\"}\n\nThe panel heard the appeal "
        "of [Jo Zqquimby]{.confidential}.\n", 9, SPELLED),
    "an id with one word of a span": ("## Referral {#zqquimby-referral}\n\nThe panel referred "
                                      "[Jo Zqquimby]{.confidential}.\n", 9, SPELLED),
    "an id with a withheld heading's word": (
        "## Appeal of Jo Zqquimby {.confidential}\n\nzq.\n\n## Referrals {#zqquimby-"
        "referred}\n\nDone.\n", 13, SPELLED),
    "an id with a name in a members div": (
        "## Selections {#zqquimby-and-patel}\n\n::: members\nThe panel "
        "interviewed Jo Zqquimby; both were shortlisted.\n:::\n", 9, SPELLED),
    "a link's title": ('See [the minutes](https://example.org/m "Zqquimby minutes").\n\nThe '
                       "[Zqquimby]{.confidential} case.\n", 9, SPELLED),
    "a link's address": ("The complaint concerned [[Jo Zqquimby]{.confidential}](https://news."
                         "example.org/jo-zqquimby-suspended).\n", 9, SPELLED),
    "a class": ("A [x]{.zqquimby} and [Zqquimby]{.confidential}.\n", 9, SPELLED),
    "an attribute's key": ("A [x]{zqquimby=yes} and [Zqquimby]{.confidential}.\n", 9, SPELLED),
    "an id without the accent": ("## Item {#zqsian}\n\nAbout [Zqsiân]{.confidential}.\n", 9,
                                 SPELLED),
    "a soft hyphen in a decision": ('## Item {decision="Zq&shy;quimby upheld"}\n\nAbout '
                                    "[Zqquimby]{.confidential}.\n", 9, SPELLED),
    "a plural in a decision": ('## Item {decision="Zqquimbys appeal"}\n\nAbout '
                               "[Zqquimby]{.confidential}.\n", 9, SPELLED),
    "a reason naming a withheld span": (
        '## Held {.confidential reason="Zqquimby\'s appeal"}\n\nThe panel heard [Jo Zqquimby]'
        "{.members} again.\n", 9, SPELLED),
    # adversary helper 144: a withheld heading's first word (the item's name) in a decision
    "a withheld heading's first word in a decision": (
        '## Outcome {decision="Zqquimby appeal dismissed"}\n\nDone.\n\n## Zqquimby appeal '
        "{.confidential}\n\nThe appeal was heard.\n", 9, SPELLED),
    "a withheld heading's first word in a link's title (adversary helper 152)": (
        'See [the rules](https://example.org/rules "Zqquimby appeal").\n\n## Zqquimby appeal '
        "{.confidential}\n\nThe appeal was heard.\n", 9, SPELLED),
    "a withheld heading's first word in an id": (
        "## Training {#zqquimby-appeal}\n\nDone.\n\n::: confidential\n### Zqquimby appeal\n\n"
        "The appeal was heard.\n:::\n", 9, SPELLED),
    "a withheld heading's id given again": (
        "## Appeal {.confidential #zqappeal}\n\nHeld.\n\n## Public\n\nSee [y]{#zqappeal}.\n",
        15, SPELLED),
    "a withheld span's title given again": ('A [w]{.confidential title="Zqtitle"} and '
                                            "[z]{#zqtitle}.\n", 9, SPELLED),
    "a letter that does not decompose": ("## Item {#lukaszq}\n\nAbout [Łukaszq]{.confidential}.\n",
                                         9, SPELLED),
    "a look-alike letter in the id": ("## Item {#quіmbyzq}\n\nAbout [Quimbyzq]{.confidential}.\n",
                                      9, SPELLED),
    # adversary helper 113: a name in emphasis or brackets, an autolink, an address's host
    "a name in emphasis in a withheld div": (
        "::: confidential\nThe panel heard from *Zqquimby* (and Zqpatel).\n:::\n\n## Outcome "
        "{#zqquimby-appeal}\n\nDone.\n", 13, SPELLED),
    "a name in brackets in a withheld div": (
        "::: confidential\nThe panel heard from *Zqquimby* (and Zqpatel).\n:::\n\n## Outcome "
        "{#zqpatel-appeal}\n\nDone.\n", 13, SPELLED),
    "an autolink": ("See <https://news.example/jo-zqquimby-suspended>.\n\n::: confidential\n"
                    "The panel heard Jo Zqquimby.\n:::\n", 9, SPELLED),
    "a host read otherwise": ("See [it](https://news.example\\jo-zqquimby-suspended).\n\n"
                              "The panel heard [Jo Zqquimby]{.confidential}.\n", 9, SPELLED),
    "a name before the host": ("See [it](https://zqquimby@news.example/x).\n\nThe panel heard "
                               "[Jo Zqquimby]{.confidential}.\n", 9, SPELLED),
    "a reason naming its own heading's name": (
        '## Appeal of Jo Zqquimby {.confidential reason="Jo Zqquimby appeal"}\n\nHeld.\n', 9,
        SPELLED),
    "a raw link's address": ('The panel discussed [Jo Zqquimby]{.confidential}. See <a href='
                             '"https://news.example/zqquimby">the story</a>.\n', 9, SPELLED, True),
    # adversary helper 105: named at the body's first line, written with a character reference
    "a class written with a reference": ('Met.\n\nThe chair [Jo]{class="confidenti&aacute;l"} '
                                         "opened.\n", 11, "looks like a withholding mark"),
    "an address written with a reference": ("Met.\n\nSee [x](&#106;avascript:alert(1)).\n", 11,
                                            "a link to a script"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(SPELLED_FROM_WITHHELD))
def test_an_attribute_spelled_from_withheld_words_is_refused(
    cli: Cli, project: Project, case: str
) -> None:
    """Adversary helper 105: an id written from a withheld span's words, as the advice to
    give a heading an id of its own invites, published them (one or two words: too few for
    the audit's runs) in the page, its links, the votes page, the feeds and the search; and an
    attribute written with a character reference was named at the body's first line."""
    assert_refused_after_a_line(cli, project, *SPELLED_FROM_WITHHELD[case])


def test_a_pictures_description_in_a_line_spelled_from_withheld_words_is_refused(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 145: a picture in a line of text is shown without its description
    (alt text), which went out unseen in the page's source, the feeds and the search index
    with a withheld name; in a figure, the description is its caption, shown (public text)."""
    png = (Path(__file__).parents[1] / "reports/images/timetable.png").read_bytes()
    withheld = "The panel heard the case of [Jo Zqquimby]{.confidential}.\n\n"
    inline = "Our chart ![Zqquimby at the hearing](chart.png) shows the trend.\n"
    root = project({"reports/a.md": HEAD + withheld + inline, "reports/chart.png": png})
    assert_refused(cli, root, 9, "the picture's description Zqquimby at the hearing " + SPELLED)
    (root / "reports/a.md").write_text(HEAD + withheld + inline.replace("Zqquimby", "Spending"))
    assert cli("check").code == 0
    figure = "![Zqquimby at the hearing](chart.png)\n"
    (root / "reports/a.md").write_text(HEAD + withheld + figure)
    assert cli("check").code == 0, "a figure's description is its caption: shown, public"


@pytest.mark.parametrize(
    "description",
    ['a "Zqquimby" photo', "*Zqquimby*", "**Jo** *Zqquimby*", "a [Zqquimby]{.smallcaps} photo",
     "a ~~Zqquimby~~ photo", "photo [Zqquimby](https://example.org)",
     "Zq$\\mathrm{quimby}$ count"],  # adversary helper 153: TeX inside the name
)  # fmt: skip
def test_a_pictures_description_in_emphasis_spelled_from_withheld_words_is_refused(
    cli: Cli, project: Project, description: str
) -> None:
    """Adversary helper 149: any emphasis, quotes or a link in the description hid it from
    the rule (its words were counted as public text)."""
    png = (Path(__file__).parents[1] / "reports/images/timetable.png").read_bytes()
    body = (f"The panel heard [Jo Zqquimby]{{.confidential}}.\n\nOur chart ![{description}]"
            "(c.png) here.\n")  # fmt: skip
    root = project({"reports/a.md": HEAD + body, "reports/c.png": png})
    assert_refused(cli, root, 9, "the picture's description", SPELLED)


NOT_SPELLED = {
    "the meeting's name, in the front matter": (
        'summary: "The NEC met."\n', "2016-09-20-nec.md",
        '## Timetable {decision="NEC timetable agreed"}\n\nAgreed.\n\n## Staffing '
        "{.confidential}\n\nThe restructure was proposed by the NEC officers.\n"),
    "a reason in the meeting's words": (
        "", "a.md", '## Counsel {.confidential reason="Legal advice"}\n\nThe Governance and '
        "Legal Unit presented counsel's opinion.\n"),
    "a decision's word starting a withheld sentence": (
        "", "a.md", '## Vote {decision="Agreed unanimously"}\n\nDone.\n\n::: confidential\n'
        "She said “we agree.” Unanimously the panel moved on.\n:::\n"),
    "a link to the party's site": (
        "", "a.md", "A complaint against [a Labour councillor]{.confidential} was referred. See "
        "[the policy](https://labour.org.uk/complaints/) and [a story](https://example.org/"
        "rule-changes-votes) on [22 votes to 8]{.members}.\n"),
    "an image's file, never published": (
        "", "a.md", "![The timetable](lincoln-timetable.png)\n\nThe move [to Lincoln]"
        "{.confidential}.\n"),
    # adversary helper 112: a withheld sentence's ordinary words
    "a vote and its key": ("", "a.md", "## Code {decision=\"New code adopted\" vote=for}\n\n"
                           "Adopted. [The case was held over for legal advice, not put to a vote."
                           "]{.confidential}\n"),
    "a link's title and address in conference's words": (
        "", "a.md", "See [the site](https://labour.org.uk/conference/timetable/ \"Annual "
        "conference timetable\").\n\n[Delegates will be briefed before the conference.]"
        "{.members}\n"),
    "an id of a word a withheld span writes in lower case": (
        "", "a.md", "## Staffing {#staff}\n\nText.\n\n## Grievance {.confidential}\n\nFrom "
        "[a member of staff]{.confidential}.\n"),
    "a decision naming the CLP the item concerns": (
        "", "a.md", '## Timetable {clps="witney" decision="Witney timetable agreed"}\n\n'
        "[The agent will be the organiser from Witney.]{.confidential}\n"),
    "a reason inside members text": (
        "", "a.md", "::: members\nThe candidates are [Jo Okafor and Sam Patel]{.confidential "
        'reason="Names withheld until Sleaford is told"}.\n:::\n'),
}  # fmt: skip


NOT_SPELLED |= {  # adversary helper 120: the CLPs, regions and day a report names are public
    "a file name naming the report's CLP": (
        "clps: [witney]\n", "nec-witney.md", "We heard [about the Witney selection]{.members}.\n"),
    "a file name naming its meeting's month": (
        "", "nec-september.md", "We saw [the September timetable]{.members}.\n"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(NOT_SPELLED))
def test_an_attribute_in_the_meetings_words_is_not_refused(
    cli: Cli, project: Project, case: str
) -> None:
    """Adversary helper 110: a decision, reason, link or file name in the words of the meeting
    was refused because withheld text used them too (names, capitals, a heading's words)."""
    front, name, body = NOT_SPELLED[case]
    png = (Path(__file__).parents[1] / "reports/images/timetable.png").read_bytes()
    head = HEAD.replace("---\n\n", front + "---\n\n", 1) if front else HEAD
    project({f"reports/{name}": head + "Public.\n\n" + body, "reports/lincoln-timetable.png": png})
    result = cli("check")
    assert result.code == 0, result.err


def test_a_file_name_or_id_holding_a_withheld_name_is_refused(cli: Cli, project: Project) -> None:
    """Adversary helper 108: a report's file name and `id:` are in every address of it (its
    pages, PDF, feeds' ids, sitemap, record), whatever its body withholds."""
    body = "The panel heard [Jo Zqquimby]{.confidential}.\n"
    root = project({"reports/2016-09-20-zqquimby-appeal.md": HEAD + body})
    result = cli("check")
    assert (
        result.code == 1 and "the file name 2016-09-20-zqquimby-appeal.md is written" in result.err
    )
    assert result.err.startswith("reports/2016-09-20-zqquimby-appeal.md:1: "), "its first line"
    (root / "reports/2016-09-20-zqquimby-appeal.md").rename(root / "reports/a.md")
    (root / "reports/a.md").write_text(HEAD.replace("---\n\n", "id: zqquimby-case\n---\n\n", 1)
                                       + body)  # fmt: skip
    result = cli("check")
    assert result.code == 1 and "id: zqquimby-case is written" in result.err, result.err
    (root / "reports/a.md").write_text(HEAD + body)
    assert cli("check").code == 0


@pytest.mark.parametrize(
    "body",
    [
        "## Appeal {.confidential}\n\nThe panel expelled Jo Zqquimby after a long hearing.\n",
        # adversary helper 159: the name in lower case, in withheld text only (an address)
        "The panel heard [Jo Zqquimby]{.confidential}.\n\n::: confidential\nContact: "
        "jo.zqquimby@example.org\n:::\n",
        "The panel heard [Jo Zqquimby]{.members}.\n\n::: members\nWrite to "
        "zqquimby@example.org.\n:::\n",
        "Public.\n\n::: members\nThe panel heard from Jo Zqquimby and others.\n:::\n",
        # adversary helper 144: a withheld heading's first word, the item's name
        "## Training\n\nDone.\n\n## Zqquimby appeal {.confidential}\n\nThe appeal failed.\n",
        "## Zqquimby {.members}\n\nThe appeal failed.\n",
        "Public.\n\n::: confidential\n### Zqquimby appeal\n\nThe appeal failed.\n:::\n",
    ],
)
def test_a_file_name_or_id_holding_a_name_from_a_withheld_section_is_refused(
    cli: Cli, project: Project, body: str
) -> None:
    """Adversary helper 115: a name withheld in a section or a div (not a span) passed in the
    file name and `id:`, which are in every address of the report; as an id it was refused."""
    root = project({"reports/2016-09-20-zqquimby.md": HEAD + body})
    result = cli("check")
    assert result.code == 1 and "the file name 2016-09-20-zqquimby.md is written" in result.err
    (root / "reports/2016-09-20-zqquimby.md").rename(root / "reports/a.md")
    (root / "reports/a.md").write_text(HEAD.replace("---\n\n", "id: jo-zqquimby\n---\n\n", 1)
                                       + body)  # fmt: skip
    result = cli("check")
    assert result.code == 1 and "id: jo-zqquimby is written" in result.err, result.err


def test_a_file_name_or_id_holding_a_name_another_report_withholds_is_refused(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 159: the report after one withholding `[Jo Zqquimby]`, filed as
    `…-zqquimby-appeal-outcome.md` (or given `id: zqquimby-appeal-2`), put the name in every
    address of it (its pages, PDF, feed ids, sitemap, record): a name is too short for the
    audit's runs. Written in the report's own public text, it is public; a word no report
    withholds passes."""
    first = HEAD + "The panel heard one appeal, from [Jo Zqquimby]{.confidential}.\n"
    later = HEAD.replace("2016-09-20", "2016-10-04") + "The panel concluded the appeal.\n"
    root = project({"reports/2016-09-20-panel.md": first,
                    "reports/2016-10-04-zqquimby-appeal-outcome.md": later})  # fmt: skip
    result = cli("check")
    assert result.code == 1, result.err
    assert result.err.startswith(
        "reports/2016-10-04-zqquimby-appeal-outcome.md:1: the file name "
        "2016-10-04-zqquimby-appeal-outcome.md holds 'zqquimby', a name "
        "reports/2016-09-20-panel.md withholds"), result.err  # fmt: skip
    (root / "reports/2016-10-04-zqquimby-appeal-outcome.md").unlink()
    (root / "reports/2016-10-04-outcome.md").write_text(
        later.replace("---\n\n", "id: zqquimby-appeal-2\n---\n\n", 1))  # fmt: skip
    result = cli("check")
    assert result.code == 1 and "holds 'zqquimby'" in result.err, result.err
    (root / "reports/2016-10-04-outcome.md").write_text(
        later.replace("the appeal.", "the appeal of Jo Zqquimby.").replace(
            "---\n\n", "id: zqquimby-appeal-2\n---\n\n", 1))  # fmt: skip
    assert cli("check").code == 0, "named in its own public text: public"
    (root / "reports/2016-10-04-outcome.md").write_text(
        later.replace("---\n\n", "id: appeal-outcome\n---\n\n", 1))  # fmt: skip
    assert cli("check").code == 0
    (root / "reports/2016-10-04-outcome.md").write_text(
        later + "\n## Outcome {#zqquimby-outcome}\n\nUpheld.\n")  # fmt: skip
    result = cli("check")
    assert result.code == 1, result.err
    assert result.err.startswith("reports/2016-10-04-outcome.md:9: identifier #zqquimby-outcome "
                                 "holds 'zqquimby'"), result.err  # fmt: skip


@pytest.mark.parametrize(
    ("first", "name", "later"),
    [  # adversary helper 160: the plural, run together, split, after digits
        ("[Jo Zqquimby]{.confidential}", "zqquimbys-appeal", ""),
        ("[Jo Zqquimby]{.confidential}", "jozqquimby", ""),
        ("[Jo Zqquimby]{.confidential}", "zq-quimby-appeal", ""),
        ("[Jo Zqquimby]{.confidential}", "zqquimby2", ""),
        ("[Jo Zqquimby]{.members}", "outcome", '## Appeal {decision="Zqquimby appeal upheld"}'),
        (
            "[Jo Zqquimby]{.confidential}",
            "outcome",
            "See [the story](https://example.org/zqquimby).",
        ),
        (
            "an appeal.\n\n::: confidential\nWrite to jo.zqquimby@example.org.\n:::\n\nDone",
            "zqquimby",
            "",
        ),
        (  # adversary helper 164: a withheld heading's first word, the item's name
            "an appeal.\n\n## Zqquimby appeal {.confidential}\n\nUpheld",
            "outcome",
            '## Outcome {decision="Zqquimby appeal upheld"}',
        ),
    ],
)
def test_a_name_another_report_withholds_is_refused_in_any_spelling_and_unread_value(
    cli: Cli, project: Project, first: str, name: str, later: str
) -> None:
    """Adversary helper 160: the rule across reports compared whole words of the file name
    and `id:` only; a decision, a link's address, the plural, the name run together or
    after digits, and a name only in an email address passed."""
    body = "The panel heard " + first + ".\n"
    project({"reports/2016-09-20-panel.md": HEAD + body,
                    f"reports/2016-10-04-{name}.md": HEAD.replace("2016-09-20", "2016-10-04")
                    + "The panel concluded.\n\n" + later + "\n"})  # fmt: skip
    result = cli("check")
    assert result.code == 1 and "a name reports/2016-09-20-panel.md withholds" in result.err, (
        result.err)  # fmt: skip


def test_a_mark_written_otherwise_is_named_at_its_own_line(cli: Cli, project: Project) -> None:
    """Adversary helper 163: `.confidential` on a code block written ``` Confidential, and
    `{-.confidential}` (pandoc's `-` is the class .unnumbered), were named at the blank line
    after the front matter, and the second by a class the writer never wrote."""
    root = project({"reports/a.md": HEAD + "Public.\n\n``` Confidential\nzq code\n```\n"})
    result = cli("check")
    assert "reports/a.md:9: .confidential only works on a heading" in result.err, result.err
    (root / "reports/a.md").write_text(HEAD + "Public.\n\nThe [zq name]{-.confidential} was.\n")
    result = cli("check")
    assert "reports/a.md:9: class .unnumbered" in result.err and "(a - in braces)" in result.err


def test_a_name_a_span_withholds_written_again_in_public_text_is_warned_of(
    cli: Cli, project: Project
) -> None:
    """Honest user helper 162: `[Jo Zqquimby]{.confidential}` and then `Ms Zqquimby argued`
    published the name with no warning: the audit warns only of runs of three words."""
    body = "The appeal of [Jo Zqquimby]{.confidential} was heard.\n\nMs Zqquimby argued.\n"
    root = project({"reports/a.md": HEAD + body})
    result = cli("check")
    assert result.code == 0, result.err
    assert "reports/a.md:9: warning: 'zqquimby', withheld at line 7, is also written" in result.err
    (root / "reports/a.md").write_text(HEAD + body.replace("Ms Zqquimby", "She"))
    assert "warning" not in cli("check").err


def test_a_tag_holding_a_name_another_report_withholds_is_refused(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 164: `tags: [zqquimby-appeal]` made a page whose address holds a name
    another report withholds, and the tag, in lower case, counted as writing the name."""
    later = HEAD.replace("2016-09-20", "2016-10-04").replace(
        "---\n\n", "tags: [zqquimby-appeal]\n---\n\n", 1)  # fmt: skip
    project({"reports/2016-09-20-panel.md": HEAD + "We heard [Jo Zqquimby]{.confidential}.\n",
             "reports/2016-10-04-outcome.md": later + "The panel concluded.\n"})  # fmt: skip
    result = cli("check")
    assert result.code == 1 and "the tag zqquimby-appeal holds 'zqquimby'" in result.err, result.err
    assert result.err.startswith("reports/2016-10-04-outcome.md:5: "), "at tags: (honest user 169)"


@pytest.mark.parametrize("tags", ["[Zqquimby appeal]", "[ZQQUIMBY]"])
def test_a_tag_with_a_capital_is_no_public_text_that_frees_a_name(
    cli: Cli, project: Project, tags: str
) -> None:
    """Adversary helper 170: `tags: [Canaryfield appeal]` counted as writing the name with a
    capital in public text, freed it for itself and for every other report's tags (36 tag
    pages published the name); a tag holding a name its own report withholds was published
    too. A tag is an address, not text."""
    later = HEAD.replace("2016-09-20", "2016-10-04").replace(
        "---\n\n", f"tags: {tags}\n---\n\n", 1)  # fmt: skip
    other = HEAD.replace("2016-09-20", "2016-10-11").replace(
        "---\n\n", "tags: [zqquimby-outcome]\n---\n\n", 1)  # fmt: skip
    heard = "We heard [Jo Zqquimby]{.confidential}.\n"
    root = project({"reports/2016-09-20-panel.md": HEAD + heard,
                    "reports/2016-10-04-outcome.md": later + "The panel concluded.\n",
                    "reports/2016-10-11-later.md": other + "The panel met.\n"})  # fmt: skip
    result = cli("check")
    assert result.code == 1, result.err
    for name in ("2016-10-04-outcome", "2016-10-11-later"):
        assert f"reports/{name}.md:5: the tag " in result.err, result.err
    own = HEAD.replace("---\n\n", f"tags: {tags}\n---\n\n", 1)  # its own report's tag
    (root / "reports/2016-09-20-panel.md").write_text(own + heard)
    result = cli("check")
    assert "reports/2016-09-20-panel.md:5: the tag " in result.err, result.err


def test_a_report_refused_still_withholds_its_names_from_the_others_in_the_same_check(
    cli: Cli, project: Project
) -> None:
    """Honest user helper 169 and adversary helper 170: while the report withholding a name
    had a problem of its own, `check` said nothing of another report's tag holding that name
    (told one by one, the rep fixed one and met the next)."""
    own = HEAD.replace("---\n\n", "tags: [Zqquimby]\n---\n\n", 1)
    later = HEAD.replace("2016-09-20", "2016-10-04").replace(
        "---\n\n", "tags: [zqquimby-appeal]\n---\n\n", 1)  # fmt: skip
    project({"reports/2016-09-20-panel.md": own + "We heard [Jo Zqquimby]{.confidential}.\n",
             "reports/2016-10-04-outcome.md": later + "The panel concluded.\n"})  # fmt: skip
    result = cli("check")
    assert "reports/2016-09-20-panel.md:5: the tag Zqquimby holds 'zqquimby'" in result.err
    assert "reports/2016-10-04-outcome.md:5: the tag zqquimby-appeal holds" in result.err


@pytest.mark.parametrize(
    "withheld",
    ["## Zqquimby appeal {.confidential}\n\nHeard.\n",  # its own heading's name
     "## Disputes {.confidential}\n\nThe panel met. Zqquimby was expelled.\n",  # a sentence's
     "The panel heard [jo zqquimby]{.confidential} at length.\n"],  # a span in lower case
)  # fmt: skip
def test_a_tag_holding_a_word_only_withheld_text_writes_is_refused(
    cli: Cli, project: Project, withheld: str
) -> None:
    """Adversary helper 173: `tags: [zqquimby]` beside `## Zqquimby appeal {.confidential}`,
    or in another report than the one withholding `Zqquimby was expelled.` or `[jo
    zqquimby]`, put the name in a tag page's address, the sitemap and every feed: only a
    capitalised word mid-sentence or in a span counted as a name."""
    tagged = HEAD.replace("2016-09-20", "2016-10-04").replace(
        "---\n\n", "tags: [zqquimby]\n---\n\n", 1)  # fmt: skip
    own = HEAD.replace("---\n\n", "tags: [zqquimby]\n---\n\n", 1)
    alone = {"reports/2016-09-20-panel.md": own + "Public.\n\n" + withheld}
    two = {"reports/2016-09-20-panel.md": HEAD + "Public.\n\n" + withheld,
           "reports/2016-10-04-outcome.md": tagged + "The panel concluded.\n"}  # fmt: skip
    for files in (alone, two):
        root = project(files)
        result = cli("check")
        assert result.code == 1 and "the tag zqquimby holds 'zqquimby'" in result.err, result.err
        for path in (root / "reports").glob("*.md"):
            path.unlink()


def test_a_name_a_confidential_report_holds_is_refused_in_another_reports_file_name(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 160: a report withheld whole (`confidential: true`) was not read for
    names: the follow-up named after its subject put the name in every address."""
    first = HEAD.replace("---\n\n", "confidential: true\n---\n\n", 1)
    project({"reports/2016-09-20-panel.md": first + "The panel heard Jo Zqquimby.\n",
                    "reports/2016-10-04-zqquimby-appeal.md": HEAD.replace(
                        "2016-09-20", "2016-10-04") + "The panel concluded.\n"})  # fmt: skip
    result = cli("check")
    assert result.code == 1 and "holds 'zqquimby'" in result.err, result.err


def test_a_footnote_nothing_refers_to_is_named_with_how_to_mend_it(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 109: pandoc's own words ("Note with key '1' defined but not used")."""
    root = project({"reports/a.md": HEAD + "Text.\n\n[^1]: A note.\n"})
    result = cli("check")
    assert (
        result.code == 1
        and "reports/a.md:9: footnote [^1] is written but nothing refers " in result.err
    )
    assert "refer to it in the text with [^1], or take it out" in result.err
    (root / "reports/a.md").write_text(HEAD + "Text.[^1]\n\n[^1]: A note.\n")
    assert cli("check").code == 0


def test_a_drafts_problem_says_when_it_would_be_published(cli: Cli, project: Project) -> None:
    """Adversary helper 109: a draft's working note was "would be published", which a draft
    is not (yet): every report is checked, and a draft's problem stops the build."""
    draft = HEAD.replace("---\n\n", "status: draft\n---\n\n", 1)
    project({"reports/a.md": draft + "Text.\n\nCONFIDENTIAL: note to self.\n"})
    result = cli("check")
    assert result.code == 1
    assert "it would be published (with the draft, once it is final)" in result.err, result.err


def test_an_attribute_of_words_also_public_or_of_the_same_audience_is_published(
    cli: Cli, project: Project
) -> None:
    """A reason names the kind of item withheld (a withheld heading's words, elsewhere: the
    bench's reports), a decision's words start a withheld sentence, a link's address has a
    withheld heading's word: none is refused."""
    body = (
        "## Staffing {.confidential}\n\nUnanimously agreed, said the Zqchair.\n\n"
        '## Other business {.confidential reason="Staffing matter"}\n\nzq.\n\n'
        '## Finance {decision="Agreed unanimously"}\n\nSee [the rules](https://example.org/'
        "staffing-rules).\n\n"
    ) + (
        "## Budget {#budget}\n\nThe [budget]{.confidential} was agreed.\n\n"
        "## Held {.members #held-zqsmith}\n\nAbout [Zqsmith]{.members}.\n"
    )
    root = project({"reports/a.md": HEAD + body})
    result = cli("build", "--now", NOW)
    assert result.code == 0, result.err
    assert 'id="budget"' in (root / "site/reports/a/index.html").read_text()


@pytest.mark.parametrize("case", sorted(ROUND_18))
def test_sections_cut_short_by_their_container_or_by_strokes_are_refused(
    cli: Cli, project: Project, case: str
) -> None:
    """Held-out round 18: a marked heading in a list item, quote, definition or div whose
    section ended with its container (an item's text indented one space short, a quote split
    by a blank line), and headings of letters drawn as strokes and dots, of math, or of a
    digit drawn as a dot, or drawn as a table's bars, each published what followed."""
    assert_refused_after_a_line(cli, project, *ROUND_18[case])


REPEATS = "repeats the heading of the withheld section it ends (4 lines above)"


def _after_held(heading: str, phrase: str) -> tuple[str, int, str]:
    """A public `heading` (and a canary) after the withheld section `HELD`, refused there."""
    return HELD + heading + "\n\nzq.\n", 13, phrase


GOES_ON = "goes on from the heading of the withheld section it ends (4 lines above)"
CONTINUED = {
    "the same heading, continued": _after_held("## Panel (continued)", GOES_ON),
    "the same heading again": _after_held("## PANEL", REPEATS),
    "part 2 of a members section": (
        "## Panel, part 1 {.members}\n\nCases.\n\n## Panel – part 2\n\nzq.\n", 13, GOES_ON,
    ),
    "continued alone": _after_held("## Continued", GOES_ON),
    "cont'd alone": _after_held("## (Cont’d)", GOES_ON),
    "resumed (adversary helper 96)": _after_held("## Panel (resumed)", GOES_ON),
    "continued from above": _after_held("## Panel – continued from above", GOES_ON),
    "a continuation of it": _after_held("## Continuation of the panel", GOES_ON),
    "shortened": (
        "## Disputes panel {.confidential}\n\nCases.\n\n## Panel (continued)\n\nzq.\n", 13,
        GOES_ON,
    ),
    "a level up": (HELD + "# Panel (continued)\n\nOutcome zq.\n", 13, GOES_ON),
    "after a withheld subheading": (
        "## Panel {.confidential}\n\n### Case\n\nzq.\n\n## Panel (continued)\n\nzq.\n", 15,
        "withheld section it ends (6 lines above)",
    ),
    "numbered (adversary helper 156)": _after_held("## Panel 2", REPEATS),
    "numbered in brackets": _after_held("## Panel (2)", REPEATS),
    "in Roman numerals": _after_held("## Panel II", REPEATS),
    "its outcome": _after_held("## Panel: outcome", REPEATS),
    "its decision": _after_held("## Panel – decision", REPEATS),
    "an update": _after_held("## Panel update", REPEATS),
    "in the afternoon": _after_held("## Panel (afternoon)", REPEATS),
    "its second half": _after_held("## Panel – second half", REPEATS),
    "cont. after other words": _after_held("## Same item, cont.", GOES_ON),
    "contd after a number": _after_held("## Item 4 (contd)", GOES_ON),
    "a soft hyphen in its words (adversary helper 160)": (
        "## Disputes panel {.confidential}\n\nCases.\n\n## Dis\u00adputes panel\n\nzq.\n", 13,
        REPEATS),
    "a look-alike letter in its words": (
        "## Disputes panel {.confidential}\n\nCases.\n\n## D\u0456sputes panel\n\nzq.\n", 13,
        REPEATS),
    "in the plural": (
        "## Disputes panel {.confidential}\n\nCases.\n\n## Disputes panels\n\nzq.\n", 13,
        REPEATS),
    "run together": (
        "## Disputes panel {.confidential}\n\nCases.\n\n## Disputespanel\n\nzq.\n", 13,
        REPEATS),
    "a name of it, with its outcome": (
        "## Appeal of the Zqfield family {.confidential}\n\nCases.\n\n## Zqfield appeal "
        "outcome\n\nzq.\n", 13, REPEATS),
    "a word of it, with its outcome": (
        "## Disputes panel {.confidential}\n\nCases.\n\n## Panel outcome\n\nzq.\n", 13,
        REPEATS),
    "its item's number": (
        "## Item 4: Disputes panel {.confidential}\n\nCases.\n\n## Item 4: result\n\nzq.\n",
        13, REPEATS),
    "continued, in French": _after_held("## Suite", GOES_ON),
    "nothing of its own": _after_held("## Second half", "no words of its own"),
    "what was decided (honest user 165)": _after_held("## What was decided", "no words of"),
    "a confidential item's, inside a members section": (
        "## Members business {.members}\n\nSelections.\n\n### Disputes panel {.confidential}"
        "\n\nCases.\n\n### Disputes panel (continued)\n\nzq.\n", 17, GOES_ON),
    "its name, after a public heading of the same words": (
        "## Disputes panel membership\n\nNames.\n\n## Disputes panel {.confidential}\n\nCases."
        "\n\n## Disputes panel (continued)\n\nzq.\n", 17, "withheld section it ends (4 lines"),
    "its title, after the withheld item's number (adversary helper 164)": (
        "## Item 4: Disputes panel {.confidential}\n\nCases.\n\n## Disputes panel hearing\n\n"
        "zq.\n", 13, REPEATS),
    "its item's number, numbered further": (
        "## Item 4: Disputes panel {.confidential}\n\nCases.\n\n## Item 4.1\n\nzq.\n", 13,
        "withheld section it ends"),
    "the same item": _after_held("## Same item", "no words of its own"),
    "its name inside": (
        "## Disputes panel {.confidential}\n\nCases.\n\n## A statement on the disputes panel "
        "and its work\n\nzq.\n", 13, REPEATS,
    ),
    "its name, under another item's number (adversary helper 170)": (
        "## Item 4: Staffing {.confidential}\n\nCases.\n\n## Item 5: Staffing\n\nzq.\n", 13,
        REPEATS),
    "its title and more, under another item's number": (
        "## Item 4: Disputes panel {.confidential}\n\nCases.\n\n## Item 5: Disputes panel "
        "hearing\n\nzq.\n", 13, REPEATS),
    "its item's number, under another": (
        "## Item 4: Staffing {.confidential}\n\nCases.\n\n## Item 5: Return to item 4\n\nzq.\n",
        13, REPEATS),
    "an outcome, under another item's number": (
        "## Item 4: Staffing {.confidential}\n\nCases.\n\n## Item 5: Outcome\n\nzq.\n", 13,
        "no words of its own"),
    # adversary helper 173: each was published
    "the next of a series, going on, after a public item of that number": (
        "## Item 2: Membership\n\nA.\n\n## Case 1 {.confidential}\n\nCases.\n\n## Case 2 "
        "(continued)\n\nzq.\n", 17, "goes on from"),
    "the next of a series, its outcome": (
        "## Case 1 {.confidential}\n\nCases.\n\n## Case 2: result\n\nzq.\n", 13, REPEATS),
    "the next of a series, its name again": (
        "## Case 4: Jo Zqcs expulsion {.confidential}\n\nCases.\n\n## Case 5: Jo Zqcs "
        "expulsion appeal\n\nzq.\n", 13, REPEATS),
    "a sub-item of the withheld item": (
        "## Item 4: Disputes panel {.confidential}\n\nCases.\n\n## Item 4b\n\nzq.\n", 13,
        REPEATS),
    "a lettered item's decision": (
        "## (a) Disputes panel {.confidential}\n\nCases.\n\n## (b) Decision\n\nzq.\n", 13,
        "no words of its own"),
    "its name, possessive": _after_held("## The panel's ruling", REPEATS),
    "back to it": _after_held("## Back to the panel", REPEATS),
    "more on it": _after_held("## More on this", "no words of its own"),
    "its name going on, under another item's number": (
        "## Item 4: Staffing {.confidential}\n\nCases.\n\n## Item 5: Staffing (continued)\n\n"
        "zq.\n", 13, GOES_ON),
    "a shortened name, under another item's number": (
        "## Item 4: Staffing {.confidential}\n\nCases.\n\n## Item 5: Staff (continued)\n\n"
        "zq.\n", 13, GOES_ON),
    "another item's words and its name": (
        "## Item 4: Staffing {.confidential}\n\nCases.\n\n## Item 5: Finance and staffing "
        "(continued)\n\nzq.\n", 13, GOES_ON),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CONTINUED))
def test_a_heading_that_repeats_or_goes_on_from_a_withheld_one_is_refused(
    cli: Cli, project: Project, case: str
) -> None:
    """Adversary helper 93: `## Disputes panel (continued)` after `## Disputes panel
    {.confidential}` ended the withheld section (a section ends at the next heading of its
    level), and what the writer meant as more of it was published, under its title."""
    assert_refused_after_a_line(cli, project, *CONTINUED[case])


def test_a_public_item_resumed_after_a_withheld_one_and_other_headings_are_published(
    cli: Cli, project: Project
) -> None:
    """Honest user helpers 141 and 162: `## Finance (continued)` after a withheld item goes
    on from the public `## Finance` (or `## Item 2: Finance`) before it, and is public; so
    are headings that share a word or
    a number with a withheld one (`## Panel {.confidential}`, `## Panel members' training`),
    and a withheld item's title of one word inside another (helper 156's rule is for two)."""
    body = (
        "## Finance\n\nThe budget.\n\n## Disputes {.confidential}\n\nCases zq.\n\n"
        "## Finance (continued)\n\nQuestions.\n\n## Item 2: Elections\n\nDates.\n\n"
        "## Item 3: Staffing {.confidential}\n\nzq.\n\n## Elections (continued)\n\nMore.\n\n"
        "## Item 2 (resumed)\n\nDone.\n\n## Item 3 {.confidential}\n\nzq.\n\n"
        "## Item 2 (continued): Elections in May\n\nDates.\n\n## Item 3 {.confidential}\n\nzq.\n\n"
        "## Item 4\n\nRules.\n\n## Staffing {.members}\n\nzq.\n\n"
        "## Staffing committee budget\n\nAgreed.\n\n## Disputes {.confidential}\n\nzq.\n\n"
        "## …and finally\n\nThank you.\n\n### 7b. Pay {.confidential}\n\nzq.\n\n"
        "### 7c. Pensions\n\nAgreed.\n\n## First case {.confidential}\n\nzq.\n\n"
        "## Second case\n\nHeard.\n\n## Case 1 {.confidential}\n\nzq.\n\n## Case 2\n\nHeard.\n"
    )  # (the next of a series: adversary helper 173)
    root = project({"reports/a.md": FRONT + "---\n\n" + body})
    result = cli("build", "--now", NOW)
    assert result.code == 0, result.err
    assert "Questions." in (root / "site/reports/a/index.html").read_text()


def test_another_item_going_on_from_an_earlier_meeting_says_how_to_write_it(
    cli: Cli, project: Project
) -> None:
    """Honest user helper 169: `## Item 5: Finance (continued)` after a withheld `## Item 4:
    Staffing` went on from the last meeting's finance item; published, it let `## Item 5:
    Personnel (continued)` through too (adversary helper 170), so it is refused, saying how
    to write it; written so, it is published."""
    body = "## Item 4: Staffing {.confidential}\n\nzq.\n\n## Item 5: Finance (continued)\n\nOn.\n"
    root = project({"reports/a.md": FRONT + "---\n\n" + body})
    assert_refused(cli, root, 11, "## Item 5: Finance, from the last meeting")
    (root / "reports/a.md").write_text(FRONT + "---\n\n" + body.replace(
        "(continued)", "(from the last meeting)"))  # fmt: skip
    result = cli("build", "--now", NOW)
    assert result.code == 0, result.err
    assert "On." in (root / "site/reports/a/index.html").read_text()


@pytest.mark.parametrize("case", sorted(ROUND_16))
def test_headings_a_writer_may_not_see_are_refused_in_a_marked_report(
    cli: Cli, project: Project, case: str
) -> None:
    """Held-out round 16: a heading with no words (`###` as a press release's end mark, `#`,
    `## {#id}`, `# <!-- -->`, `# 1`), or one that does not start like a title (`# of cases`,
    `# | Ward`), ended a withheld section, and what followed was published."""
    assert_refused_after_a_line(cli, project, *ROUND_16[case])


@pytest.mark.parametrize("case", sorted(ROUND_15))
def test_underlined_headings_and_math_that_drops_words_are_refused(
    cli: Cli, project: Project, case: str
) -> None:
    """Held-out round 15: text underlined with `---`, `===` or a lone `-` (meant as a list
    item) is a heading for both readers, so it ended a withheld section early and what
    followed was published; `\\label` and `\\tag` in math vanished from the page."""
    assert_refused_after_a_line(cli, project, *ROUND_15[case])


@pytest.mark.parametrize("case", sorted(ROUND_13))
def test_marks_split_or_bracketed_otherwise_and_math_that_hides_are_refused(
    cli: Cli, project: Project, case: str
) -> None:
    """Held-out round 13: a space, a no-break space or a tab inside a mark's word, a div's or
    heading's mark broken over a line, other brackets drawn like braces, an attribute name
    written as an entity, a comment naming the level in a sentence, `\\begin*`, TeX in math
    that hides words (or stops Typst), and a size of nothing were all published."""
    assert_refused_after_a_line(cli, project, *ROUND_13[case])


@pytest.mark.parametrize("case", sorted(ROUND_12))
def test_look_alikes_broken_marks_and_what_pandoc_drops_are_refused(
    cli: Cli, project: Project, case: str
) -> None:
    """Held-out round 12: a class given twice on a `<span>` (pandoc kept the first), braces
    drawn like braces, a mark's word broken over a line, a comment "around" a section and a
    mark in a link's address were all published; a LaTeX environment in a table cell
    vanished; a width became a hiding style; scripts passed; a language Typst cannot take
    made the build fail (exit 3)."""
    assert_refused_after_a_line(cli, project, *ROUND_12[case])


@pytest.mark.parametrize("case", sorted(ROUND_11))
def test_marks_as_class_and_keys_that_do_nothing_are_refused(
    cli: Cli, project: Project, case: str
) -> None:
    """Held-out round 11: `{class=confidential}` left as text (or in front matter, or the
    register) was published, as the same with `.confidential` was not; a key given twice,
    `clp=`, `data-decision=` did nothing; `data-pagefind-…` steered the search index."""
    assert_refused_after_a_line(cli, project, *ROUND_11[case])


@pytest.mark.parametrize("case", sorted(MATH))
def test_a_mark_cut_across_by_math_is_refused(cli: Cli, project: Project, case: str) -> None:
    """Held-out round 10: `$` inside a span and a later `$` make math of the span's end for
    both readers, so neither read a mark and the words were published."""
    assert_refused_after_a_line(cli, project, MATH[case], 9, LEFT)


FRONT = "---\ntitle: T\nmeeting: NEC\nmeeting_date: 2016-09-20\n"


SAID = "front matter is published"


def _keyed(line: str, phrase: str = SAID) -> tuple[str, int, str]:
    """A report with `line` in its front matter, refused at that line with `phrase`."""
    return FRONT + line + "\n---\n\nzq\n", 5, phrase


def _titled(title: str, phrase: str = "says the report is a draft") -> tuple[str, int, str]:
    """A report titled `title`, refused at its title's line with `phrase`."""
    return FRONT.replace("title: T", f"title: {title}") + "---\n\nzq\n", 2, phrase


ROUND_20_FRONT = {
    "a comment beside the status (adversary helper 79)": (
        FRONT + "status: final # draft\n---\n\nzq\n", 5, "the comment beside status says 'draft'",
    ),
    "a comment beside confidential": (
        FRONT + "confidential: false  # true until the appeal\n---\n\nzq\n", 5, "says 'true'",
    ),
    "a comment beside publish_at": (
        FRONT + "publish_at: 2016-09-21T09:00:00+01:00 # hold: 2017\n---\n\nzq\n", 5,
        "the comment beside publish_at says 'hold'",
    ),
    "a time in a comment beside publish_at (adversary helper 117: it said '9')": (
        FRONT + "publish_at: 2016-09-21T09:00:00+01:00  # 9am BST\n---\n\nzq\n", 5,
        "the comment beside publish_at says '9am' (YAML drops it; a reader may take it for "
        "the value, even where it agrees): delete it",
    ),
    "a tag that is a label and nothing else (adversary helper 79)": (
        FRONT + "tags: [finance, do not share]\n---\n\nzq\n", 5, "front matter is published",
    ),
    "a summary that is a label and nothing else": (
        FRONT + "summary: In camera.\n---\n\nzq\n", 5, "front matter is published",
    ),
    "a key an editor indented into a folded summary": (
        FRONT + "summary: >-\n  Cases heard.\n  confidential: true\n---\n\nzq\n", 7,
        "not as the key 'confidential'",
    ),
    "a status wrapped into a quoted summary": (
        FRONT + 'summary: "Cases heard\n  status: draft"\n---\n\nzq\n', 6,
        "not as the key 'status'",
    ),
    "a comment in a folded summary": (
        FRONT + "summary: >-\n  Agreed.\n  # not for us: zq was expelled\n---\n\nBody.\n", 7,
        "not as a comment",
    ),
    "a comment in a correction's literal note": (
        FRONT + "corrections:\n  - date: 2016-09-25\n    note: |-\n      22 to 8.\n"
        "      # internal: zq\n---\n\nBody.\n", 9, "not as a comment",
    ),
    "confidential: true under the closing ---": (
        FRONT + "---\nconfidential: true\n\nThe panel expelled zq.\n", 6,
        "a line of the body, not of the front matter",
    ),
    "a title that says it is confidential": _titled("'CONFIDENTIAL: away day'", SAID),
    "a label on a literal summary's second line": (
        FRONT + "summary: |\n  Held in Leeds.\n  CONFIDENTIAL: zq resigned\n---\n\nBody.\n", 5,
        "front matter is published",
    ),
    "a title labelled members only at its end (held-out round 22)": _titled(
        "'Disputes Panel (members only)'", SAID
    ),
    "a heading that says it is not for publication": (
        FRONT + "---\n\nMet.\n\n## CONFIDENTIAL – Disputes panel (not for publication)\n\n"
        "zq\n\n## Finance\n\nAgreed.\n", 9, "says that it is withheld, but nothing marks it",
    ),
    "a paragraph that starts by saying it is members only": (
        FRONT + "---\n\nMet.\n\nMembers only: the shortlist is zq.\n", 9,
        "says that it is withheld",
    ),
    "a heading that says it is confidential at its end": (
        FRONT + "---\n\n## Disputes panel – confidential\n\nzq\n", 7, "says that it is withheld",
    ),
    "a fence indented with a tab is code": (
        FRONT + "---\n\nMet.\n\n\t::: members\n\tShortlist: zq.\n\t:::\n", 9, "is in code",
    ),
    "a fence indented four spaces in a members div": (
        FRONT + "---\n\n::: members\nBriefing.\n\n    ::: confidential\n    zq expelled.\n"
        "    :::\n\nEnd.\n:::\n", 10, "is in code",
    ),
    "round 21: a key in capitals under the closing ---": (
        FRONT + "---\nStatus: Draft\n\nzq\n", 6, "a line of the body",
    ),
    "round 21: a key with = as a list item": (
        FRONT + "---\n\n- confidential = true\n\nzq\n", 7, "a line of the body",
    ),
    "round 21: a capital key with no space, indented into a summary": (
        FRONT + "summary: >-\n  Cases.\n  Confidential:yes\n---\n\nzq\n", 7, "not as the key",
    ),
    "round 21: a comment with no space after #": (
        FRONT + "summary: >-\n  Agreed.\n  #internal: zq\n---\n\nBody.\n", 7,
        "not as a comment",
    ),
    "round 21: not for publication wrapped over two lines": (
        FRONT + "---\n\nThe minute (not for\npublication) says zq.\n", 7, "says that it is",
    ),
    "round 21: a soft hyphen in a label": (
        FRONT + "---\n\n## Con\u00adfidential – Disputes\n\nzq\n", 7, "says that it is",
    ),
    "round 21: a label in single emphasis": (
        FRONT + "---\n\n*CONFIDENTIAL*: the panel expelled zq.\n", 7, "says that it is",
    ),
    "round 21: a Welsh label": (FRONT + "---\n\n## Cyfrinachol – Panel\n\nzq\n", 7, "says"),
    "a label after a short lead-in, written with a ligature": (
        FRONT + "---\n\nMet.\n\n\ufb01ne print: Members only (the shortlist is zq).\n", 9,
        "says that it is withheld",
    ),
    "a label after an item's number": (
        FRONT + "---\n\nItem 4 – Confidential: the panel expelled zq.\n", 7, "says that it is",
    ),
    "a Cyrillic о in not for publication": (
        FRONT + "---\n\nNote: n\u043et for publication: zq.\n", 7, "says that it is withheld",
    ),
    "not for publication wrapped, with a Cyrillic о": (
        FRONT + "---\n\nThe minute (n\u043et for\npublication) says zq.\n", 7,
        "says that it is withheld",
    ),
    "a heading labelled with a Greek ο and a small capital": (
        FRONT + "---\n\n## Disputes – c\u03bfnfidenti\u1d00l\n\nzq\n", 7, "says that it is",
    ),
    "a title labelled with a Cyrillic О": _titled("'C\u041eNFIDENTIAL: away day'", SAID),
    "a key with its value in a definition": (
        FRONT + "---\nTerm\n\n:   status: draft\n\nzq\n", 8, "a line of the body",
    ),
    "a key with its value in a table's cell": (
        FRONT + "---\n| Status: Draft | x |\n|---|---|\n| a | b |\n\nzq\n", 6, "a line of the body",
    ),
    "a key with its value as a numbered item": (
        FRONT + "---\n1. publish_at: 2027-01-01T09:00:00+00:00\n\nzq\n", 6, "a line of the body",
    ),
    # adversary helper 94: each was published
    "a title saying draft, status final": _titled(
        "NEC report zq (draft)", "says the report is a draft, but its status is final"
    ),
    "a title starting DRAFT": _titled("'DRAFT: NEC report zq'"),
    "a title saying first draft (adversary helper 96)": _titled("NEC report (first draft)"),
    "a title saying draft v2": _titled("NEC report – draft v2"),
    "a title starting Draft report": _titled("Draft report from the NEC"),
    "a title saying WIP": _titled("NEC report (WIP)"),
    "a title saying do not send": _titled("NEC report (DO NOT SEND)", SAID),
    "a summary, do not send yet": _keyed("summary: The NEC met. (Summary TBC – do not send yet.)"),
    "a tag draft": _keyed("tags: [finance, draft]", "says the report is a draft"),
    "an author not to be named": _keyed("author: Jo zq (do not name)"),
    "an author to be kept anonymous": _keyed("author: Jo zq – keep anonymous"),
    "a note to remove a name": _keyed("summary: 'TODO: remove zq before publishing'"),
    "a summary that is a setting": _keyed("summary: 'status: draft'", "holds a setting"),
    "a tag that is a setting": _keyed("tags: ['publish_at: 2027-06-01']", "holds a setting"),
    "a correction that calls a name confidential": _keyed(
        "corrections: [{date: 2016-09-21, note: 'Removed the name, zq, which is confidential'}]"
    ),
    "a line to remove before publishing": (
        FRONT + "---\n\nThe panel met.\n\nRemove zq before publishing.\n", 9, "says that it is",
    ),
}  # fmt: skip


def test_a_title_and_tags_about_a_draft_document_are_published(cli: Cli, project: Project) -> None:
    text = (
        FRONT.replace("title: T", "title: Draft manifesto agreed") + "tags: [drafts]\n---\n\nA.\n"
    )
    root = project({"reports/a.md": text})
    assert cli("build", "--now", NOW).code == 0
    assert "Draft manifesto agreed" in (root / "site/reports/a/index.html").read_text()


@pytest.mark.parametrize("case", sorted(ROUND_20_FRONT))
def test_what_yaml_or_code_takes_as_text_and_text_that_says_withheld_are_refused(
    cli: Cli, project: Project, case: str
) -> None:
    """Held-out round 20: `confidential: true` indented into a `>-` summary (as an editor
    leaves it) or written under the closing `---` published the whole report; `# …` lines
    in a block published what the writer took for a comment; a fence indented as code
    published its div; a heading saying "CONFIDENTIAL … (not for publication)" was
    published."""
    text, line, phrase = ROUND_20_FRONT[case]
    assert_refused(cli, project({"reports/a.md": text}), line, phrase)


NOTES_TO_SELF = {  # adversary helper 144: each published at once
    "status: final # WIP": "the comment beside status says 'WIP'",
    "status: final # still waiting for sign-off": "the comment beside status says 'waiting'",
    "status: final # not ready yet": "the comment beside status says 'not ready'",
    "publish_at: 2016-09-21T09:00:00+01:00 # wait for the press release": "says 'wait'",
    "# EMBARGOED UNTIL 8 DECEMBER": "the comment says 'EMBARGOED', but YAML drops it",
    "# do not publish until the NEC statement is out": "the comment says 'publish'",
    "# confidential: keep this whole report off the website": "a key deciding what is",
    "# TODO: set status: draft before committing": "the comment says 'TODO'",
    "summary: The NEC met. # embargoed until 8 Dec": "the comment says 'embargoed'",
    "tags: [nec] # hold until Monday": "the comment says 'hold'",
    "author: Jo Smith # do not name me": "the comment says 'name'",
    # adversary helper 152: notes to self that did not say so in the words looked for
    "# Legal say wait": "the comment says 'Legal'",
    "# Sent to Jon 18/7 for approval": "the comment says 'approval'",
    "# Draft sent to Jon 18/7; he wants changes first": "the comment says 'Draft'",
    "author: Jo Smith # asked not to be named": "the comment says 'named'",
    "author: Jo Smith # use initials only": "the comment says 'initials'",
    "# Not before 8 December": "the comment says 'Not before'",
    "# publish_at: 2031-06-01T09:00:00+01:00": "publish_at is commented out with a time other",
    # adversary helper 154
    "#confidential: true": "a key deciding what is published, commented out",
    "status: final   # not signed off": "the comment beside status says 'not signed off'",
    "# purdah": "the comment says 'purdah'",
    "author: Jo Smith # anon please": "the comment says 'anon'",
    "summary: >-  # draft wording\n  The NEC met.": "the comment says 'draft'",  # (a block's)
}


@pytest.mark.parametrize("line", sorted(NOTES_TO_SELF))
def test_a_comment_in_the_front_matter_saying_to_hold_back_is_refused(
    cli: Cli, project: Project, line: str
) -> None:
    assert_refused(cli, project({"reports/a.md": _keyed(line)[0]}), 5, NOTES_TO_SELF[line])


def test_the_comments_reportback_new_writes_are_no_notes_to_self(
    cli: Cli, project: Project
) -> None:
    """The new report's template explains each key commented out (`# confidential: true  #
    true withholds the whole report…`): read as notes, every new report was refused."""
    root = project({})
    assert cli("new", "Test report", "--date", "2016-09-20").code == 0
    (path,) = (root / "reports").glob("*test-report.md")
    text = path.read_text().replace("status: draft ", "status: final ")
    text = re.sub(r"# publish_at: \S+", "publish_at: 2016-09-20T09:00:00+01:00", text)
    text = text.replace("# confidential: true ", "confidential: false", 1)  # (helper 148)
    notes = "# written on the train\n"  # (a note of a draft, a name, legal: refused, helper 152)
    path.write_text(text.replace("---\n", "---\n" + notes, 1))
    assert "# embargo: not published" in text and "confidential: false" in text
    result = cli("check")
    assert result.code == 0, result.err


def test_a_new_reports_meeting_day_corrected_leaves_its_embargo_line_alone(
    cli: Cli, project: Project
) -> None:
    """Honest user helper 169: `new` without `--date` names the file and the template's
    commented-out embargo by today; the rep then corrects `meeting_date`, and every check
    refused the untouched line as "commented out with a time of its own". An embargo set to
    another day and left commented out is still refused (helper 152)."""
    root = project({})
    assert cli("new", "Org committee report", "--date", "2016-09-27").code == 0
    (path,) = (root / "reports").glob("*org-committee-report.md")
    text = path.read_text().replace("status: draft ", "status: final ")
    path.write_text(text.replace("meeting_date: 2016-09-27", "meeting_date: 2016-09-20"))
    result = cli("check")
    assert result.code == 0, result.err
    path.write_text(text.replace("# publish_at: 2016-09-27T09", "# publish_at: 2016-10-04T09"))
    result = cli("check")
    assert result.code == 1 and ":7: '# publish_at: 2016-10-04T09" in result.err, result.err


def test_a_fence_in_pre_is_refused_where_raw_html_is_allowed(cli: Cli, project: Project) -> None:
    body = "Met.\n\n<pre>\n::: members\nShortlist: zq.\n:::\n</pre>\n"
    files = {"reports/a.md": HEAD + body, "reportback.toml": "[redaction]\nallow_raw_html = true\n"}
    assert_refused(cli, project(files), 10, "is in code")


LABELLED = {
    "a numbered item": "1. Confidential: the panel expelled zq.",
    "a lettered item": "b) Members only – the shortlist is zq.",
    "a lead-in with a hyphen": "Item 4 - Confidential: zq.",
    "the label alone": "**CONFIDENTIAL**",
    "the label in brackets": "(Confidential) The panel expelled zq.",
    "a ratio sign for a colon": "Confidential\u2236 zq.",
    "emphasis inside the words": "The minute (not *for* publication) says zq.",
    "an entity inside the words": "The minute (n&#111;t for publication) says zq.",
    "an escaped space": "The minute (not\\ for publication) says zq.",
    "a direction mark inside a word": "The minute (no\u200et for publication) says zq.",
    "a tag character inside a word": "The minute (no\U000e0020t for publication) says zq.",
    "letters spaced with hyphens": "C-O-N-F-I-D-E-N-T-I-A-L: zq.",
    "Cherokee look-alikes": "\u13dfONFI\u13a0ENTIAL: zq.",
    "a letter with a stroke": "C\u00f8nfidential: zq.",
    "a setext heading": "Disputes – confidential\n-----------------------\n\nzq.",
    "an emphasised label in a heading": "## Disputes – *confidential*\n\nzq.",
    "a heading that is the label alone": "## Cyfrinachol\n\nzq.",
    # adversary helper 100: a look-alike letter in the other case than the one listed
    "a capital f with a hook": "NOT \u0191OR PUBLICATION: zq.",
    "a capital i with a stroke": "CONF\u0197DENTIAL: zq.",
    "a capital Armenian o": "C\u0555NFIDENTIAL: zq.",
    "small Cherokee letters": "confidenti\uab7a\uab6e: zq.",
    "Coptic and Lisu letters": "\u2c9eFF THE RECORD: zq, \ua4e0\ua4f3\ua4d4 \ua4dd\ua4f3\ua4e3 "
    "publication.",
}


@pytest.mark.parametrize("case", sorted(LABELLED))
def test_words_that_say_withheld_in_more_shapes_are_refused(
    cli: Cli, project: Project, case: str
) -> None:
    """An adversary helper's round: each was published where the rule says it is refused."""
    text = FRONT + "---\n\nMet.\n\n" + LABELLED[case] + "\n"
    assert_refused(cli, project({"reports/a.md": text}), 9, "says that it is withheld")


SAID_FINE = (
    "## Confidentiality and data protection\n\nThe policy on confidentiality was agreed.\n\n"
    "Members only need to register once. A confidential ballot was held.\n\n"
    "Vote: confidential ballot held. Agenda: the confidential reporting policy.\n\n"
    "| Item | status: agreed |\n|---|---|\n| Rules | carried |\n\n"
    "## Review of the confidential reporting policy\n\nAgreed.\n\n"
    "## Ending members-only hustings\n\nAgreed.\n\n#NEC2026: a hashtag.\n\n"
    "## Update: confidential reporting line\n\nAgreed.\n\n"
    "## Keeping complaints confidential\n\nAgreed.\n\n"
    "## Disputes – no longer confidential\n\nAgreed.\n\n"
    "## Conference passes (members only price)\n\nAgreed.\n\n"
    "## Adrodd cyfrinachol\n\nVote: members only. C-O-N-F-I-D-E-N-T-S.\n\n"
    "The [panel, not for publication, zqsecret]{.confidential} met.\n\n"
    "The [panel, n\u043et for publication, zqsecret]{.confidential} met.\n\n"
    "## Disputes {.confidential}\n\nCONFIDENTIAL: zqsecret, not for publication.\n\n## Next\n\n"
    "#LabourConference was trending.\n\n"  # adversary helper 100's, refused before:
    "I don't share this optimism; CLPs that don't share this view were outvoted. We were "
    "told in confidence-building workshops that it works.\n\n"  # honest user helper 148's:
    "The NEC decided not to go further than the Chakrabarti recommendations. We don't share "
    "the Tories’ enthusiasm for privatisation. Members who don't share the leadership’s view "
    "are still welcome. Please don't share membership data by email, use Organise. Ministers "
    "don't publish the impact assessments.\n"  # (a colon after, or `would rather keep this
    # quiet`, say what follows is not to be shared: adversary helper 152)
)


@pytest.mark.parametrize(
    "label",
    ["Not to go further than this room: Jo zqquimby was suspended.",
     "Jo zqquimby was suspended; this is not to go further than the NEC.",
     "We'd rather keep this quiet: Jo zqquimby.", "We don't publish what follows.",
     "They don't share the minutes: Jo zqquimby.",
     "Please don't share membership details: Jo zqquimby of 12 Zq Road.",
     "Don't share the panel's opinion yet: Jo zqquimby will be expelled.",
     "The chair told us, in confidence, that Jo zqquimby had been suspended.",  # helper 154
     "Keep shtum: Jo zqquimby was expelled."],
)  # fmt: skip
def test_a_sentence_near_the_prose_wordings_that_says_what_follows_is_withheld_is_refused(
    cli: Cli, project: Project, label: str
) -> None:
    """Adversary helper 152: each passed as one of the statements made prose for honest user
    helper 148 (`Ministers don't publish…`, `…further than the Chakrabarti…`), and was
    published with the name it labelled."""
    body = f"## Elections\n\nAgreed.\n\n{label}\n"
    assert_refused(cli, project({"reports/a.md": HEAD + body}), 11, "says that it is withheld")


def test_words_about_confidentiality_in_public_or_withheld_places_are_fine(
    cli: Cli, project: Project
) -> None:
    summary = "summary: >-\n  The NEC met.\n  #NEC2026 was trending; Note: agreed.\n"
    root = project({"reports/a.md": FRONT + summary + "---\n\n" + SAID_FINE})
    result = cli("build", "--now", NOW)
    assert result.code == 0, result.err
    page = (root / "site/reports/a/index.html").read_text()
    assert "zqsecret" not in page and "Members only need" in page


def test_words_withheld_and_also_in_the_summary_are_a_warning(cli: Cli, project: Project) -> None:
    """Held-out round 20: a confidential sentence repeated in the summary turned the audit off
    for it with no word, where the same in the body is a warning."""
    summary = "summary: The NEC expelled Jo Zqbloggs for bullying staff after a hearing.\n"
    body = "Met.\n\n## Panel {.confidential}\n\nThe NEC expelled Jo Zqbloggs for bullying staff.\n"
    project({"reports/a.md": FRONT + summary + "---\n\n" + body})
    result = cli("check")
    assert result.code == 0
    assert "reports/a.md:12: warning: confidential words 'the nec expelled jo zqbloggs for " in (
        result.err
    )
    assert "also written in public text in the front matter's summary" in result.err


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from("CONFIDENTIALmebrs -:\t\u00ad\u200b\ufb01é#*("), max_size=40))
def test_a_line_read_as_written_is_read_the_same_as_a_reader_reads_it(line: str) -> None:
    """The check of words saying a line is withheld skips reading a line again as a reader
    reads it only where that reading is the line itself, but for case (which its patterns
    ignore)."""
    assert all(pattern.flags & re.I for pattern in intent.PATTERNS)
    if intent._plain_already(line):
        assert intent._plain(line) == line.casefold()


WORDED = ["Not for publication", "NOT FOR PUBLICATION", "don't share", "DON’T PUBLISH this",
          "In camera", "PRIVATE", "told us in confidence", "🤫", "Not ", "for ", "é", "É", "ſ",
          "\u212a", "İ", "ı", "ß", " ", "\n", "–", ":", "x", "X", "Ö", "ö"]  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(WORDED), max_size=12).map("".join))
def test_a_caseless_pattern_reads_a_text_as_the_pattern_with_the_flag_does(text: str) -> None:
    """`SAYS` and `ALONE` search lower-cased text where that is the same as ignoring case
    (ASCII, or no other cased character): they find what `re.I` finds, where it finds it,
    in any text (`ſ` and the Kelvin sign are ASCII letters to `re.I`)."""
    for caseless in (wordings.SAYS, wordings.ALONE):
        found = [m.span() for m in caseless.finditer(text)]
        assert found == [m.span() for m in caseless.pattern.finditer(text)]
        first = caseless.search(text)
        assert (first.span() if first else None) == (found[0] if found else None)
    for example in ("Not for publication", "NOT FOR PUBLICATION", "don’t \u017fhare it"):
        assert wordings.SAYS.search(example) is not None
    with pytest.raises(ValueError, match="lower case"):
        Caseless(r"\bnot (?-i:NEC)")


def test_an_embargo_written_in_lowercase_is_kept(cli: Cli, project: Project) -> None:
    """RFC 3339 allows `t` and `z`: `2027-01-01t09:00:00z` was refused (an adversary
    helper's finding); it embargoes the report until then."""
    meta = "meeting_date: 2016-09-20\npublish_at: 2027-01-01t09:00:00z\n"
    root = project({"reports/a.md": f"---\ntitle: T\nmeeting: NEC\n{meta}---\n\nBody.\n"})
    before = cli("build", "--now", "2027-01-01T08:59:00+00:00")
    assert before.code == 0, before.err
    assert not (root / "site/reports/a").exists()
    assert cli("build", "--now", "2027-01-01T09:00:00+00:00").code == 0
    assert (root / "site/reports/a/index.html").is_file()


def test_a_stray_attribute_with_quotes_is_refused_at_its_line(cli: Cli, project: Project) -> None:
    """An adversary helper's finding: `{decision="   "}` (read as text, its quotes made
    curly) was refused at the body's first line, not its own."""
    body = 'Intro.\n\nMore.\n\n## Space dec {decision="   "}\n\nText.\n'
    project({"reports/a.md": FRONT + "---\n\n" + body})
    result = cli("check")
    assert result.code == 1
    assert result.err.startswith("reports/a.md:11: '{decision=” “}' looks like a decision or"), (
        result.err  # a vote, as it is (adversary helper 104): it said a withholding mark
    )


ODD_BREAK_SHAPES = {  # adversary helper 69: each was published, whole or in part
    "a fence after a line separator": (
        "The panel met.\u2028::: confidential\nJo Zqcs\u2028:::\n",
        7,
    ),
    "a members fence after a paragraph separator": ("Met.\u2029::: members\nZqcs\u2029:::\n", 7),
    "a fence after a next-line character": ("Met.\x85::: confidential\nZqcs\x85:::\n", 7),
    "a fence after a vertical tab": ("Met.\x0b::: confidential\nZqcs\x0b:::\n", 7),
    "a label after a vertical tab": ("The panel met.\x0bConfidential: Jo Zqcs was expelled.\n", 7),
    "a label after a form feed": ("The panel met.\x0cConfidential: Jo Zqcs.\n", 7),
    "a label after a unit separator": ("The panel met.\x1fConfidential: Jo Zqcs.\n", 7),
    "a key after a line separator": ("Jo Zqcs spoke.\u2028status: draft\n", 7),
    "in a list item": ("- item one\u2028::: confidential\n  Zqcs\u2028:::\n", 7),
    "a comment in the summary": ("Body.\n", 6),
    "a key in a folded summary": ("Body.\n", 6),
}
ODD_SUMMARIES = {
    "a comment in the summary": "summary: |\n  Public summary.\u2028  # check with Jo Zqcs\n",
    "a key in a folded summary": "summary: >-\n  Report of the panel.\x85  confidential: true\n",
}


@pytest.mark.parametrize("shape", sorted(ODD_BREAK_SHAPES))
def test_a_line_break_only_some_readers_read_is_refused(
    cli: Cli, project: Project, shape: str
) -> None:
    """Pandoc reads U+2028, U+2029, U+0085 as spaces, and drops a vertical tab or a form
    feed; YAML and editors read some of them as line breaks. A fence, a label or a key
    written after one was part of the line before for pandoc: the section was published as
    text, and so was the report (`status: draft`, `confidential: true` in a summary)."""
    body, line = ODD_BREAK_SHAPES[shape]
    front = FRONT + ODD_SUMMARIES.get(shape, "") + "---\n\n"
    root = project({"reports/a.md": front + body})
    assert_refused(cli, root, line, "some readers take it for a new line and others do not")


def test_a_line_break_only_some_readers_read_is_refused_in_the_register(
    cli: Cli, project: Project
) -> None:
    register = "- meeting: NEC\n  date: 2016-09-20\n  note: |\n    Held.\u2028    # at Jo's home\n"
    project({"reports/a.md": FRONT + "---\n\nBody.\n", "meetings.yaml": register})
    result = cli("build", "--now", NOW)
    assert result.code == 1 and result.err.startswith("meetings.yaml:4: a line separator"), (
        result.err
    )


def test_a_second_comment_end_after_a_comment_is_refused(cli: Cli, project: Project) -> None:
    """Adversary helper 69: `<!-- route: office --> Jo Zqcs --> NEC -->` published "Jo Zqcs"
    (the comment ends at its first `-->`), which the writer may have meant to hide."""
    body = "The panel met. <!-- Complaint route: office --> Jo Zqcs --> NEC -->\n"
    root = project({"reports/a.md": FRONT + "---\n\n" + body})
    assert_refused(cli, root, 7, "a --> after an HTML comment has ended")


UNMARKED_LABELS = [  # adversary helper 72: each was published, and its name with it
    "Everything below is members only. Zqxb was named.",
    "The next item is confidential. Zqxc was named.",
    "Off-the-record: Zqxd was named.",
    "Members-only content below. Zqxe was named.",
    "Nur für Mitglieder: Zqxf was named.",
    "Cyfrinach: Zqxg was named.",
    "I aelodau yn unig: Zqxh was named.",
    "Under embargo: Zqxj was named.",
    "Restricted to members: Zqxk was named.",
    "Do not share: Zqxl was named.",
    "Riservato: Zqxm was named.",
    "Vertrouwelijk: Zqxn was named.",
    "Classified: Zqxo was named.",
    "Geheim: Zqxp was named.",  # adversary helper 74
    "Withheld: Zqxq was named.",
    "NEC only: Zqxr was named.",
    "Officers only: Zqxs was named.",
    "Staff only – Zqxt was named.",
    "Internal: Zqxu was named.",
    "Reserved: Zqxv was named.",
    "Cynghorwyr yn unig: Zqxw was named.",
    # adversary helper 75: a label the lists did not hold, each published with its name
    "Personal and confidential – Zqya was named.",
    "Confidential annex: Zqyb was named.",
    "Confidential business: Zqyc was named.",
    "Treat as confidential: Zqyd was named.",
    "Please treat as confidential – Zqye was named.",
    "Keep confidential: Zqyf was named.",
    "Confidentially, Zqyg was named.",
    "Members: Zqyh was named.",
    "For members: Zqyi was named.",
    "Just for members – Zqyj was named.",
    "Members’ section: Zqyk was named.",
    "Members' eyes only. Zqyl was named.",
    "OFFICIAL-SENSITIVE: Zqym was named.",
    "Private session: Zqyn was named.",
    "In closed session: Zqyo was named.",
    "Not for wider circulation – Zqyp was named.",
    "Not to be made public: Zqyq was named.",
    "Not for disclosure: Zqyr was named.",
    "Legally privileged: Zqys was named.",
    "Limited circulation: Zqyt was named.",
    "Not for the press: Zqyu was named.",
    "Do not forward: Zqyv was named.",
    "Exempt item: Zqyw was named.",
    "Not yet announced: Zqyx was named.",
    "Under wraps: Zqyy was named.",
    "Hold until 5 May: Zqyz was named.",
    "Item 4 – Confidential annex: Zqza was named.",
    "| Case | Confidential notes |\n|---|---|\n| 12 | Zqzb was named |",
    # adversary helper 76: a label after an item's number, after a word that leads in, in
    # more wordings and languages, after what it labels, in a link's words, as capitals
    "Item 4 Confidential: Zqzd was named.",
    "4 Confidential: Zqze was named.",
    "Item 4 Members only: Zqzf was named.",
    "Item 4 Not for the press: Zqzg was named.",
    "Item 4 CONFIDENTIAL Zqzh was named.",
    "Also confidential: Zqzi was named.",
    "Still secret: Zqzj was named.",
    "And confidentially Zqzk was named.",
    "Also for members only: Zqzl was named.",
    "Commercially sensitive: Zqzm was named.",
    "Semi-confidential: Zqzn was named.",
    "OFFICIAL SENSITIVE Zqzo was named.",
    "Only members: Zqzp was named.",
    "For the NEC only: Zqzq was named.",
    "NEC-only: Zqzr was named.",
    "Not for members of the public: Zqzs was named.",
    "Not public yet: Zqzt was named.",
    "Non-attributable: Zqzu was named.",
    "Off-minute: Zqzv was named.",
    "Sub judice: Zqzw was named.",
    "Strictly between us: Zqzx was named.",
    "This stays in the room: Zqzy was named.",
    "Private and personal: Zqzz was named.",
    "Streng vertraulich: Zqaa was named.",
    "Nur Mitglieder: Zqab was named.",
    "Réservé aux adhérents : Zqac was named.",
    "Ne pas diffuser : Zqad was named.",
    "Aelodau'n unig: Zqae was named.",
    "Dim i'w gyhoeddi: Zqaf was named.",
    "Alleen voor leden: Zqag was named.",
    "Zqah was named. This is confidential.",
    "Zqai was named. [Confidential]",
    "Zqaj was named. That is for members only.",
    "Confidential please – Zqak was named.",
    "Item 4 – Not for the press: Zqal was named.",
    "Disputes (not for the press): Zqam was named.",
    "The panel sat ([confidential: Zqan was named](https://example.org/x)).",
    # adversary helper 77
    "Members (only): Zqao was named.",
    "Please do not share: Zqap was named.",
    "Please don't repeat this: Zqaq was named.",
    "Please do not share this outside the party: Zqar was named.",
]
UNMARKED_HEADINGS = [  # adversary helper 75: each published the section below it
    "## Confidential items",
    "## Confidential annex",
    "## Confidential session",
    "## Confidential briefing from the General Secretary",
    "## Disputes (personal and confidential)",
    "## Disputes (keep confidential)",
    "## Disputes (confidential session)",
    "## Disputes – treat as confidential",
    "## Disputes – for members",
    "## Members’ section",
    "## For members",
    "## Members' business",
    "## In camera",
    "## Closed session",
    "## Private session",
    "## Disputes – private session",
    "## Disputes (in private session)",
    # adversary helper 76
    "## Item 4 Confidential",
    "## 4 Confidential",
    "## Item 4 Members only",
    "## Disputes CONFIDENTIAL",
    "## Not for the press",
    "## Not to be made public",
    "## Disputes – not to be made public",
    "## For NEC members",
    "## Strictly between us",
    "## Sub judice",
    "## Commercially sensitive",
    # adversary helper 77
    "## Members (only)",
    "## Please do not share",
    "## Not for social media",
    "## Members' private briefing",
]


def test_a_labelled_heading_is_refused_once_at_its_own_line(cli: Cli, project: Project) -> None:
    """Adversary helper 77: it was refused twice, once at an earlier heading that shares its
    first word (`## Helpline launched`)."""
    body = "## Helpline launched\n\nA new line.\n\n## Helpline (confidential)\n\nZq.\n"
    root = project({"reports/a.md": FRONT + "---\n\n" + body})
    err = assert_refused(cli, root, 11, "says that it is withheld")
    assert "reports/a.md:7:" not in err and err.count("says that it is withheld") == 1, err


@pytest.mark.parametrize("heading", UNMARKED_HEADINGS)
def test_a_heading_saying_it_is_withheld_in_more_words_is_refused(
    cli: Cli, project: Project, heading: str
) -> None:
    body = f"The panel met.\n\n{heading}\n\nZqzc was named.\n"
    root = project({"reports/a.md": FRONT + "---\n\n" + body})
    assert_refused(cli, root, 9, "says that it is withheld, but nothing marks it")


@pytest.mark.parametrize("line", UNMARKED_LABELS)
def test_a_line_saying_it_is_withheld_in_more_words_is_refused(
    cli: Cli, project: Project, line: str
) -> None:
    root = project({"reports/a.md": FRONT + "---\n\nThe panel met.\n\n" + line + "\n"})
    assert_refused(cli, root, 9, "says that it is withheld, but nothing marks it")


def test_everyday_sentences_near_those_words_are_published(cli: Cli, project: Project) -> None:
    body = (
        "The next meeting is in March. The sensitive issue of funding was discussed.\n\n"
        "Members only pay half. Everything below is public.\n\n"
        "We need to know more: the panel asked. Redacted text was shown to the panel.\n\n"
        "See https://example.org/Confidential:papers and labour.org.uk/members-only-area. "
        "The embargo was lifted; e.g.Confidential is a word. The vote was 3.5 to 2.\n\n"
        "Do not share your password, the team said. Need to know: motions close at noon.\n\n"
        "Internal elections: two. Reserved seats: one. Panel only pays half. The NEC only met "
        "twice. For information only: the budget. Draft: the motion read as follows.\n\n"
        "Members: 432,118 at 30 June. This is confidential and free for every member.\n\n"
        "Members asked about selections. Membership figures: 560,000. Not everyone agreed: "
        "the vote was close. Not for the first time, the NEC met online. Closed list "
        "selections were discussed. For members who missed it, the recording is online.\n\n"
        "## Members' questions\n\nThree.\n\n## Not for profit organisations\n\nRules.\n\n"
        "## Update: confidential reporting\n\nA new line.\n\n## Private members' bills\n\nNone.\n\n"
        "Carbon ${}^{14}C$ dates it; $\\frac{1}{2}$ of $x_{}$ voted.\n"
    )
    root = project({"reports/a.md": FRONT + "---\n\n" + body})
    result = cli("build", "--now", NOW)
    assert result.code == 0, result.err
    assert "Members only pay half." in (root / "site/reports/a/index.html").read_text()


def test_a_link_to_a_heading_by_other_words_is_refused_saying_how_to_write_it(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 72: `[the item][Public end]` (pandoc's tree keeps no label) was
    refused as a link to `#the item`, an id nothing has."""
    body = "Public see [the item][Public end] there.\n\n## Public end\n\nDone.\n"
    root = project({"reports/a.md": FRONT + "---\n\n" + body})
    assert_refused(cli, root, 7, "link [the item] to a heading by its words", "(#id)")


HIDDEN_BEFORE = {  # adversary helper 71: each published the report, or the words after it
    "a key in a folded summary, after a no-break space": (
        "summary: >-\n  Public text.\n  \u00a0confidential: true\n",
        "Body.\n",
        7,
    ),
    "a key in a folded summary, a zero-width space in it": (
        "summary: >-\n  Public text.\n  confidential\u200b: true\n",
        "Body.\n",
        7,
    ),
    "a status in a correction's note": (
        "corrections:\n  - date: 2016-09-21\n    note: >-\n      Fixed.\n"
        "      \u200bstatus: draft\n",
        "Body.\n",
        9,
    ),
    "a comment in a folded summary, after a zero-width space": (
        "summary: >-\n  Public text.\n  \u200b# note: Zqcnote secret\n",
        "Body.\n",
        7,
    ),
    "a key in the body, after a no-break space": ("", "Met.\n\n\u00a0status: draft\n", 9),
    "a key in the body, a word joiner in it": ("", "Met.\n\nsta\u2060tus: draft\n", 9),
    "a key in the body, a Cyrillic letter in it": ("", "Met.\n\nst\u0430tus: draft\n", 9),
    "a key in the body, in a quote": ("", "Met.\n\n> \u200bpublish_at: 2027-06-01\n", 9),
    # adversary helper 73: a key in more of the body's shapes, or quoted, or after a sign
    # drawn like a `#` in a folded summary
    "a key as a heading": ("", "Met.\n\n### Status: Draft\n", 9),
    "a key as a task": ("", "Met.\n\n- [ ] status: draft\n", 9),
    "a key in a footnote": ("", "Met.[^1]\n\n[^1]: status: draft\n", 9),
    "a key in quotes": ("", 'Met.\n\n"status": draft\n', 9),
    "a key in curly quotes": ("", "Met.\n\n\u201cpublish_at\u201d: 2027-06-01\n", 9),
    "a quoted key in a folded summary": (
        'summary: >-\n  Public text.\n  "confidential": true\n',
        "Body.\n",
        7,
    ),
    "a sharp sign in a folded summary": (
        "summary: >-\n  Public text.\n  \u266f Jo Zqcs\n",
        "Body.\n",
        7,
    ),
    # adversary helper 74: a key as a footnote's label, a code span, math, or `draft`
    "a key as a footnote's label": ("", "Met.[^status]\n\n[^status]: draft\n", 9),
    "a key in a code span": ("", "Met.\n\n`status: draft`\n", 9),
    "a key in math": ("", "Met.\n\n$confidential: true$\n", 9),
    "a draft key": ("", "Met.\n\ndraft: true\n", 9),
}


@pytest.mark.parametrize("shape", sorted(HIDDEN_BEFORE))
def test_a_key_or_comment_hidden_by_a_character_that_shows_nothing_is_refused(
    cli: Cli, project: Project, shape: str
) -> None:
    front, body, line = HIDDEN_BEFORE[shape]
    root = project({"reports/a.md": FRONT + front + "---\n\n" + body})
    assert_refused(cli, root, line)


@pytest.mark.parametrize("moment", ["2026-12-31T23:59:60+00:00", '"2026-12-31T25:00:00Z"'])
def test_a_time_not_of_the_calendar_is_named_so(cli: Cli, project: Project, moment: str) -> None:
    """Adversary helper 76: a leap second was told it needed a UTC offset, which it had."""
    project({"reports/a.md": FRONT + f"publish_at: {moment}\n---\n\nBody.\n"})
    result = cli("check")
    assert result.code == 1 and "reports/a.md:5: publish_at '2026-12-31T2" in result.err, result.err
    assert "is not a time of the calendar" in result.err, result.err


def test_a_label_in_a_registers_note_is_refused(cli: Cli, project: Project) -> None:
    """Adversary helper 75: the note was published on the record's page."""
    register = '- {meeting: NEC, date: 2016-09-20, note: "Personal and confidential – Zqn"}\n'
    project({"reports/a.md": FRONT + "---\n\nBody.\n", "meetings.yaml": register})
    result = cli("build", "--now", NOW)
    assert result.code == 1 and result.err.startswith("meetings.yaml:1: "), result.err


def test_a_comment_hidden_by_a_zero_width_space_in_the_register_is_refused(
    cli: Cli, project: Project
) -> None:
    register = "- meeting: NEC\n  date: 2016-09-20\n  note: >-\n    Held.\n    \u200b# at Jo's\n"
    project({"reports/a.md": FRONT + "---\n\nBody.\n", "meetings.yaml": register})
    result = cli("build", "--now", NOW)
    assert result.code == 1 and result.err.startswith("meetings.yaml:5: "), result.err


@pytest.mark.parametrize(
    ("front", "body", "line"),
    [  # adversary helper 71: a label after a sentence, in a value or glued to the last one
        ('summary: "Public. Confidential: Zqclabel words"\n', "Body.\n", 5),
        ('summary: "Confidential business: Zqclabel words"\n', "Body.\n", 5),  # helper 75
        ("summary: >-\n  Public.\n  Confidential: Zqclabel words\n", "Body.\n", 5),
        ("", "Public para here.Confidential: Zqclabel words.\n", 7),
        ("", "Public para here;Members only: Zqm words.\n", 7),
        ("", "Public (here)Confidential: Zqclabel words.\n", 7),
        ("", "Public para here.\u200bConfidential: Zqclabel words.\n", 7),
        # adversary helper 73: after an ellipsis, a closing quote, a bullet, a full stop of
        # another script; in another language; in a heading after an ellipsis
        ("", "We met\u2026 Confidential: qxzm6 Jo.\n", 7),
        ("", "He said \u201cyes.\u201dConfidential: qxzm3 Jo.\n", 7),
        ("", "We met \u2022 Confidential: qxzm19 Jo.\n", 7),
        ("", "We met\u3002Confidential: qxzm20 Jo.\n", 7),
        ("", "Preifat: qxzn17 Jo.\n", 7),
        ("", "## Item 4\u2026 Confidential\n\nqxzk3 Jo.\n", 7),
    ],
)
def test_a_label_after_a_sentence_is_refused(
    cli: Cli, project: Project, front: str, body: str, line: int
) -> None:
    root = project({"reports/a.md": FRONT + front + "---\n\n" + body})
    assert_refused(cli, root, line, "withheld")


@pytest.mark.parametrize(
    "link",
    ['<a href="/reports/zq&#x68;iddraft/">it</a>', '<a href="/reports/zq\nhiddraft/">it</a>',
     "<a href='../zqhid&#100;raft'>it</a>"],
)  # fmt: skip
def test_a_raw_html_link_to_a_draft_spelled_with_an_entity_or_a_break_is_refused(
    cli: Cli, project: Project, link: str
) -> None:
    """Adversary helper 71: the entity's `#` was taken for the fragment's, and a tab ended
    the address; a browser follows both to the draft. A tab is now run to spaces before any
    reader reads it (`spaced`), which no browser drops: a line break inside is the case."""
    project({"reports/a.md": FRONT + "---\n\nSee " + link + ".\n",
             "reports/zqhiddraft.md": FRONT + "status: draft\n---\n\nDraft.\n",
             "reportback.toml": "[redaction]\nallow_raw_html = true\n"})  # fmt: skip
    result = cli("check")
    assert result.code == 1, result.err
    assert result.err.startswith("reports/a.md:7: link to ") and "reports/zqhiddraft is not" in (
        result.err
    )


@pytest.mark.parametrize("body", ["See [x]() here.\n", "See [x](<>) here.\n",
                                  "See [r][] here.\n\n[r]: <>\n"])  # fmt: skip
def test_a_link_to_nothing_is_refused_at_its_line(cli: Cli, project: Project, body: str) -> None:
    """Adversary helper 71: Typst stopped on it (exit 3, no line)."""
    root = project({"reports/a.md": FRONT + "---\n\n" + body})
    assert_refused(cli, root, 7, "a link to nothing")


def test_a_register_note_with_an_escape_is_published_without_its_character(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 73: `"\\e"` in a note put a raw ESC, which no page can hold, into the
    record's page; `"\\L"` a line separator into it."""
    register = '- meeting: NEC\n  date: 2016-09-20\n  note: "ok\\eqxzh5 and\\Lmore"\n'
    root = project({"reports/a.md": FRONT + "---\n\nBody.\n", "meetings.yaml": register})
    assert cli("build", "--now", NOW).code == 0
    page = (root / "site/record/index.html").read_text()
    assert "okqxzh5 and more" in page and "\x1b" not in page and "\u2028" not in page


def test_a_link_to_a_file_the_site_does_not_publish_is_a_warning(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 94: `[the chart](images/chart.png)` was published as a broken link
    (the site publishes a file of the reports folder only as an image), with no word."""
    png = (Path(__file__).parents[1] / "reports/images/timetable.png").read_bytes()
    text = (
        "Met.\n\nSee [the chart](images/chart.png), [the site](/clp/) and ![x](images/chart.png).\n"
    )
    project({"reports/a.md": HEAD + text, "reports/images/chart.png": png})
    result = cli("check")
    assert result.code == 0, result.err
    assert "reports/a.md:9: warning: a link to 'images/chart.png', a file the site does not " in (
        result.err
    )
    assert result.err.count("warning:") == 1, result.err


@pytest.mark.parametrize("moment", ["2026-12-31T09:00:00 BST", "2026-12-31T09:00:00+25:00"])
def test_a_time_of_a_zone_that_is_no_offset_is_named_so(
    cli: Cli, project: Project, moment: str
) -> None:
    """Adversary helper 130: these were asked whether they held a leap second."""
    project({"reports/a.md": FRONT + f"publish_at: {moment}\n---\n\nBody.\n"})
    result = cli("check")
    assert "its zone is not a UTC offset from -23:59 to +23:59" in result.err, result.err
