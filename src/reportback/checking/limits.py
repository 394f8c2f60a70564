"""The limits a report body must keep: refused before pandoc reads it (a second YAML block,
brackets, quotes or lists nested too deeply, too many attribute blocks), or after (nodes and
block quotes nested deeper than Typst can take).

`before_parsing` yields problems as (body line, message), `rules.BodyChecker` naming the file;
`depth` measures the nesting the checker holds to MAX_DEPTH and MAX_QUOTES.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from reportback.checking.characters import NOT_XML
from reportback.model import Ast
from reportback.pandoc import json_ast

Found = tuple[int, str]
"""A problem at a body line (1-based)."""

MAX_DEPTH = 40
"""Blocks and inlines nested deeper than this are refused (Typst gives up at ~120 levels)."""
MAX_QUOTES = 15
"""Block quotes nested deeper than this are refused (Typst gives up at 18)."""
MAX_WORD = 1_000
"""Characters a word (pandoc's `Str`, no space in it) may hold. Pandoc's Typst writer takes
time growing with the square of a word's length: 0.6 s for 10,000 characters, 12 s for
40,000; one of 200,000 stopped the build after minutes, naming no report (adversary helper
99). A long address is no word: a link's target is written fast."""


def long_word(words: list[str]) -> str | None:
    """Return the first of `words` longer than MAX_WORD, if any."""
    return next((word for word in words if len(word) > MAX_WORD), None)


def depth(ast: Ast) -> tuple[int, int]:
    """Return how deeply the nodes of `ast` nest, and its block quotes (without recursing).

    Words, spaces and breaks (`INERT`, most of the nodes) hold nothing: they are counted
    where they are found, never stacked.
    """
    deepest = quotes = 0
    stack: list[tuple[Any, int, int]] = [(ast["blocks"], 0, 0)]
    while stack:
        value, level, quoted = stack.pop()
        if isinstance(value, list):  # text and numbers hold no node: not stacked
            inert = False
            for v in value:
                if isinstance(v, dict) and v.get("t") in json_ast.INERT:
                    inert = True
                elif isinstance(v, (list, dict)):
                    stack.append((v, level, quoted))
            deepest = max(deepest, level + 1) if inert else deepest
        elif json_ast.is_node(value):
            quoted += value["t"] == "BlockQuote"
            deepest, quotes = max(deepest, level + 1), max(quotes, quoted)
            if isinstance(inner := value.get("c"), (list, dict)):
                stack.append((inner, level + 1, quoted))
    return deepest, quotes


MAX_BRACKETS = 5
"""Brackets nested deeper than this are refused before parsing: pandoc's time to read them
doubles with each level (8 levels: 2 s; 12: over 20 s)."""
CONTAINER = re.compile(r"[ \t]*(?:>|[-*+]|\d{1,9}[.)])(?=[ \t]|$)")
MAX_ATTRIBUTES = 300
"""Attribute blocks in one paragraph beyond this are refused before parsing: the source
reader's time grows with their square (1,000: 1 s; 4,000: 16 s and 2 GB)."""
METADATA_BLOCK = re.compile(
    r"^---[ \t]*\n(?:[ \t]*#.*\n)*[A-Za-z_][\w-]*[ \t]*:.*\n(?:.*\S.*\n)*?(?:---|\.\.\.)[ \t]*$",
    re.M,
)
"""A YAML block (`---`, `key: …` lines, `---` or `...`), which pandoc's reader would merge
into the front matter where metadata blocks are on: never silently text."""


ENTITY = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,9}));")
"""A character written by its number (`&#x1b;`, `&#27;`)."""


def before_parsing(body: str) -> Iterator[Found]:
    """Yield a problem for what must be refused before pandoc reads the body: a second YAML
    block, nesting that pandoc, Python or Typst cannot take, too many attributes."""
    block = METADATA_BLOCK.search(body)
    if block is not None:
        yield (
            body.count("\n", 0, block.start()) + 1,
            (
                "a second YAML block (--- then key: value): front matter goes only at the top "
                "of the file; for a rule, leave a blank line after ---"
            ),
        )
    for start, (begin, end) in _paragraphs(body):
        text = body[begin:end]
        if text.count("{") > MAX_ATTRIBUTES:
            yield (
                start,
                f"more than {MAX_ATTRIBUTES} attribute blocks {{…}} in one paragraph; split it",
            )
        if _bracket_depth(text) > MAX_BRACKETS:
            yield start, f"brackets [ ] nested more than {MAX_BRACKETS} deep; simplify them"
        if len(INLINE_RUN.findall(text)) * len(text) > MAX_SCAN:
            yield start, "too many && or `` in one paragraph for pandoc to read; split it"
    yield from _notes_citing_notes(body)
    yield from _unclosed_angles(body)
    yield from _closed_short(body)
    for entity in ENTITY.finditer(body) if "&#" in body else ():
        number = int(entity[1], 16) if entity[1] else int(entity[2])
        if number < 0x110000 and NOT_XML.match(chr(number)):
            yield (
                body.count("\n", 0, entity.start()) + 1,
                f"{entity[0]} is a control character: no page, feed or PDF can hold it "
                "(it stopped the build); remove it",
            )
    for number, line in enumerate(body.split("\n"), start=1):
        markers, at = 0, 0
        while (match := CONTAINER.match(line, at)) is not None:
            markers, at = markers + 1, match.end()
        if markers > MAX_QUOTES:
            yield number, f"quotes or lists nested more than {MAX_QUOTES} deep; flatten them"


MAX_SCAN = 1_000_000
"""The most characters pandoc's reader may look through for the ends of what `<` (in a
report) and runs of `&` or `` ` `` (in a paragraph) open: it looks for each one's end through
the rest, so the time grows with their number times the length (200 `<a` in a report of
80 kB: 40 s; 8,000 `&` in a row: 11 s)."""
INLINE_RUN = re.compile(r"&(?=&)|&#(?![0-9]{1,7};|[xX][0-9a-fA-F]{1,6};)|`(?=`)")
"""What pandoc's reader looks for the end of through the rest of a paragraph: `&` after `&`,
`&#` that is not a character's number, a backtick after a backtick (`& `, `&amp;` and single
backticks cost nothing)."""
PARAGRAPH = re.compile(r"(?:[^\S\n]*\S[^\n]*(?:\n|$))+")
"""Lines that are not blank, one after the other."""
ANGLE = re.compile(r"<(?:!--|!\[CDATA\[|\?)?")
CLOSES = {"<": ">", "<!--": "-->", "<![CDATA[": "]]>", "<?": "?>"}


def _closed_short(body: str) -> Iterator[Found]:
    """Yield a problem at a bare fence shorter than the one it would close (`:::: confidential`
    … `:::`): pandoc's Markdown reader ends the div there, its CommonMark reader does not, and
    the rep was told of blocks, marks and headings read otherwise (honest user helper 169)."""
    opened: list[tuple[int, int]] = []  # the fences still open: colons, line
    code = ""  # the fence of the code block the line is in (nothing in it is a fence)
    for number, line in enumerate(body.split("\n"), start=1):
        if code:
            code = "" if line.lstrip().startswith(code) else code
        elif found := CODE_FENCE.match(line):
            code = found[1][0] * 3
        elif found := FENCE.match(line):
            if found[2].strip(": \t"):
                opened.append((len(found[1]), number))
            elif opened and len(found[1]) < opened[-1][0]:
                width, at = opened.pop()
                yield number, (f"this fence closes the one of {width} colons {number - at} "
                               f"line{'s' * (number - at > 1)} above for one of pandoc's readers, "
                               f"not for the other: close it with {':' * width}")  # fmt: skip
            elif opened:
                opened.pop()


CODE_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
FENCE = re.compile(r"(:{3,})(.*)$")


def _unclosed_angles(body: str) -> Iterator[Found]:
    """Yield a problem where the `<` that nothing closes in their paragraph would take
    pandoc's reader too long: it looks for the end of each through the rest of the report."""
    looked, first = 0, -1
    for _, (start, end) in _paragraphs(body):
        last = {closer: body.rfind(closer, start, end) for closer in CLOSES.values()}
        for match in ANGLE.finditer(body, start, end):
            if last[CLOSES[match[0]]] < match.end():
                looked += len(body) - match.start()
                first = match.start() if first < 0 else first
    if looked > MAX_SCAN:
        yield (
            body.count("\n", 0, first) + 1,
            (
                "too many < that nothing closes for pandoc to read (it looks for the end of "
                "each through the rest of the report); close each with >, or write &lt;"
            ),
        )


NOTE_DEFINITION = re.compile(r"^(?:[^\w\[\]\n]|\w{1,9}[.)]|\[[ xX]\])*?\[\^[^\]\n]+\]:")
"""A footnote definition's start, after any containers' markers: quotes, list items (bullets,
numbers, letters, `(i)`, `#.`, task boxes) and definitions (`:`, `~`)."""
CITATION = re.compile(r"\[\^[^\]\n]+\](?!:)")


def _notes_citing_notes(body: str) -> Iterator[Found]:
    """Yield a problem where a footnote's text cites a footnote: pandoc's source reader never
    finishes reading one that cites itself (or two that cite each other), even unused.

    A definition's text is its line, the lines that follow it, and after a blank line the
    indented ones; more is read than pandoc may take, never less.
    """
    inside, blank = False, False
    for number, line in enumerate(body.split("\n"), start=1):
        opened = NOTE_DEFINITION.match(line)
        if opened is None and inside:
            inside = not line.strip() or not blank or line.startswith((" ", "\t"))
            blank = blank or not line.strip()
        if opened is not None:
            inside, blank = True, False
        if inside and CITATION.search(line, opened.end() if opened else 0):
            yield (number, "a footnote's text cites a footnote ([^…]): pandoc cannot read "
                           "notes in notes; write the reference out in words")  # fmt: skip


def _paragraphs(body: str) -> Iterator[tuple[int, tuple[int, int]]]:
    """Yield each paragraph (lines that are not blank, between blank lines): its first line
    and where it starts and ends in `body`."""
    line, counted = 1, 0
    for paragraph in PARAGRAPH.finditer(body):
        line += body.count("\n", counted, paragraph.start())
        counted = paragraph.start()
        yield line, paragraph.span()


BRACKET = re.compile(r"\\.|[\[\]]", re.S)
"""A bracket, or an escaped character (an escaped bracket is text)."""


def _bracket_depth(text: str) -> int:
    """Return how deeply the brackets of `text` nest (a `]` that closes none is ignored)."""
    depth = deepest = 0
    for match in BRACKET.finditer(text):
        if match[0] == "[":
            depth += 1
            deepest = max(deepest, depth)
        elif match[0] == "]" and depth:
            depth -= 1
    return deepest
