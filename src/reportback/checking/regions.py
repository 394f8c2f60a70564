"""Where the words are written: every character of a body is public, members or confidential.

Pandoc's Markdown reader resolves footnote and link definitions across the whole document,
so its tree no longer says where a word was written. Pandoc's `commonmark_x` reader with
`+sourcepos` gives every element its source range; the marks it reads (`{.confidential}`,
`{.members}` on a heading, a fenced div or a span) decide the level of each character of the
body. What the audit searches for, what counts as "also public", and where a footnote or link
definition was written are all read from those characters, never from a resolved tree.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from reportback.checking.shapes import Range, Wording, skeleton, wording, wrapper
from reportback.model import Ast, Audience
from reportback.pandoc import json_ast
from reportback.pandoc.json_ast import Node

SOURCE_READER = "commonmark_x-emoji-gfm_auto_identifiers-yaml_metadata_block+sourcepos"
"""The reader that says where each element was written (its marks are compared with the
main reader's, and the report is refused where they disagree). Without emoji: the main reader
leaves `:tada:` as written."""

POSITION = re.compile(r"(?:^|@)((?:\d+:\d+-\d+:\d+;)*\d+:\d+-\d+:\d+)$")
"""A `+sourcepos` position: one range, or several (`7:1-8:1;5:1-8:1`, a heading written
on two lines and underlined), taken together."""
RANGE = re.compile(r"(\d+):(\d+)-(\d+):(\d+)")
ATTRIBUTES = re.compile(r"\{[^{}\n]*\}?")
"""An attribute block as written, `{.confidential reason="…"}` (an unclosed one too)."""
SYNTAX = re.compile(
    r"\[\^[^\]\n]*\]:?"  # footnote labels and references
    r"|^[ \t>]*(?:[-*+]|\d+[.)]|#+|:{3,}[^\n]*|~{3,}[^\n]*|`{3,}[^\n]*|\[[^\]\n]*\]:)(?=\s|$)",
    re.M,
)
"""Markdown syntax that is not words: labels, list and heading markers, fences, definitions."""
ESCAPE = re.compile(r"\\(?=[^\w\s])")
STRETCH = re.compile(rb"(.)\1*", re.S)
"""A run of characters at one level (one byte a character: `Regions.levels`)."""


def words(text: str) -> tuple[str, ...]:
    """Return a source text's words as the audit compares them (entities decoded)."""
    return json_ast.words(html.unescape(text))


@dataclass(frozen=True)
class Unit:
    """A piece of source text at one level: a line, or a paragraph of lines."""

    level: Audience
    line: int
    """Body line (1-based) where it starts."""
    text: str


@dataclass(frozen=True)
class Use:
    """A footnote used at one place, its text written at another."""

    used: int
    """Body offset of the reference."""
    written: int
    """Body offset of the definition's text."""


Spans = tuple[tuple[int, int, int], ...]
Heading = tuple[int, int, tuple[str, ...], int]
"""A heading: its depth, its body offset, its words and how many lists of blocks hold it."""
Verbatim = tuple[str, int, tuple[str, ...]]
"""Text a reader takes as written (code, a code block, a comment): its kind, body offset and
words."""
VERBATIM = {"Code": "code", "CodeBlock": "a code block"}


@dataclass(frozen=True)
class Regions:
    """The level of every character of a body, and what the source reader found in it."""

    body: str
    spans: Spans
    """Withheld ranges of the body (start, end, level); the rest is public."""
    marks: tuple[tuple[str, int, int], ...]
    """Every marked element (kind, level, body offset), in document order, as the source
    reader read it."""
    notes: tuple[Use, ...]
    links: tuple[tuple[int, str], ...]
    """Every link and image: the offset of its use and its target as pandoc resolved it."""
    headings: tuple[Heading, ...] = ()
    """Every heading, in document order, as the source reader read it (sections end at
    headings: the main reader must read the same ones, in the same containers)."""
    verbatim: tuple[Verbatim, ...] = ()
    """Every code span, code block and HTML comment, in document order (what one reader
    takes as written and the other as Markdown moves where the rest is written)."""
    blocks: tuple[tuple[str, int], ...] = ()
    """The source reader's blocks as `skeleton` gives them, each with its body offset."""
    wording: Wording | None = None
    """The source reader's words, in order, and where (kept with the parse, for the rules,
    and left out of the record of a checked report)."""

    @cached_property
    def levels(self) -> bytes:
        """One byte per character of the body: its Audience."""
        levels = bytearray(len(self.body))
        for start, end, level in sorted(self.spans, key=lambda span: span[2]):
            start, end = max(start, 0), min(end, len(self.body))  # a higher level overwrites
            if end > start:
                levels[start:end] = bytes([level]) * (end - start)
        return bytes(levels)

    def stored(self) -> dict[str, Any]:
        """Return the regions as JSON-ready values (the body is stored apart)."""
        return {
            "spans": self.spans, "marks": self.marks,
            "notes": [(u.used, u.written) for u in self.notes], "links": self.links,
            "headings": self.headings, "verbatim": self.verbatim, "blocks": self.blocks,
            "wording": self.wording,
        }  # fmt: skip

    @classmethod
    def restored(cls, body: str, stored: dict[str, Any]) -> Regions:
        return cls(
            body,
            tuple((a, b, c) for a, b, c in stored["spans"]),
            tuple((k, lv, at) for k, lv, at in stored["marks"]),
            tuple(Use(a, b) for a, b in stored["notes"]),
            tuple((a, t) for a, t in stored["links"]),
            tuple((d, at, tuple(ws), n) for d, at, ws, n in stored["headings"]),
            tuple((k, at, tuple(ws)) for k, at, ws in stored["verbatim"]),
            tuple((t, at) for t, at in stored["blocks"]),
            _wording(stored["wording"]),
        )

    def without_wording(self) -> Regions:
        """Return these regions without the words (what a checked report's record keeps)."""
        return replace(self, wording=None)

    def level_at(self, offset: int) -> Audience:
        if not self.levels:
            return Audience.PUBLIC
        return Audience(self.levels[min(max(offset, 0), len(self.levels) - 1)])

    def line_of(self, offset: int) -> int:
        return bisect.bisect_left(self._newlines, max(offset, 0)) + 1

    @cached_property
    def _newlines(self) -> list[int]:
        """Where each line ends (asked for every stretch and problem: counting would take
        the square of a long report's length)."""
        return [match.start() for match in re.finditer("\n", self.body)]

    def units(self) -> Iterator[Unit]:
        """Yield every line, table cell and paragraph of the body, each at the level written."""
        for level, start, text in self._stretches():
            yield from _units(level, self.line_of(start), text)

    def _stretches(self) -> Iterator[tuple[Audience, int, str]]:
        """Yield the maximal stretches of the body at one level."""
        for run in STRETCH.finditer(self.levels):
            yield Audience(run[0][0]), run.start(), self.body[run.start() : run.end()]

    def text_at_most(self, level: Audience) -> str:
        """Return the words written at `level` or below, each stretch apart, space-padded."""
        parts = [" ".join(words(plain(text))) for lv, _, text in self._stretches() if lv <= level]
        return " " + " | ".join(parts) + " "

    def written_at(self, text: str) -> Audience | None:
        """Return the lowest level at which `text` is written verbatim in the body, if at all."""
        found: Audience | None = None
        if not text:
            return None
        at = self.body.find(text)
        while at >= 0:
            level = max(self.level_at(i) for i in range(at, at + len(text)))
            found = level if found is None else min(found, level)
            at = self.body.find(text, at + 1)
        return found


def heading_words(node: Node) -> tuple[str, ...]:
    """Return a heading's words (its notes left out), as both readers are compared."""
    return json_ast.words(json_ast.stringify(node["c"][2], notes=False))


def plain(text: str) -> str:
    """Return source text without its attribute blocks, Markdown syntax and escapes."""
    return ESCAPE.sub("", SYNTAX.sub(" ", ATTRIBUTES.sub(" ", text)))


def _units(level: Audience, first_line: int, text: str) -> Iterator[Unit]:
    paragraph: list[str] = []
    start = first_line
    for number, line in enumerate(text.split("\n"), start=first_line):
        cleaned = plain(line).strip()
        if cleaned:
            yield Unit(level, number, cleaned)
            cells = [c.strip() for c in cleaned.split("|") if c.strip()]
            yield from (Unit(level, number, c) for c in cells if len(cells) > 1)
            if not paragraph:
                start = number
            paragraph.append(cleaned)
        else:
            if len(paragraph) > 1:
                yield Unit(level, start, " ".join(paragraph))
            paragraph = []
    if len(paragraph) > 1:
        yield Unit(level, start, " ".join(paragraph))


QUOTED = re.compile(r"='([^'\"\n]*)'")
FENCE_CLOSE = re.compile(r"^([ \t]*:{3,}[^\n:]*?\S[^\n:]*?)([ \t]*:+)[ \t]*$", re.M)


def for_source_reader(body: str) -> str:
    """Return `body` with attribute syntax only pandoc's Markdown reader accepts rewritten,
    character for character, into what `commonmark_x` reads the same way (positions keep).

    That is `key='value'` (to `key="value"`), `\\"` inside a value (to `''`), and the
    optional closing colons of an opening fence (`::: members :::`, to spaces).
    """

    def attributes(match: re.Match[str]) -> str:
        text = match.group(0).replace('\\"', "''")
        return QUOTED.sub(lambda m: f'="{m.group(1)}"', text)

    body = ATTRIBUTES.sub(attributes, body)
    return FENCE_CLOSE.sub(lambda m: m.group(1) + " " * len(m.group(2)), body)


def regions(body: str, ast: Ast) -> Regions:
    """Return the level of every character of `body`, read from its `+sourcepos` AST."""
    reader = _Reader(body)
    reader.blocks(ast["blocks"], Audience.PUBLIC, (0, len(body)))
    spans = tuple((a, b, lv) for a, b, lv in reader.spans if b > a)
    return Regions(body, spans, tuple(reader.marks), tuple(reader.notes), tuple(reader.links),
                   tuple(reader.headings), tuple(reader.verbatim),
                   tuple(skeleton(ast["blocks"], reader.range_of)),
                   wording(ast["blocks"], reader.range_of))  # fmt: skip


def _wording(stored: Any) -> Wording | None:
    if stored is None:
        return None
    text, runs = stored
    return text, tuple((a, n) for a, n in runs)


CONTAINERS = json_ast.BLOCKS | {"Div"}
"""The first element of a list of blocks (a section's headings close over these)."""
LEAVES = json_ast.INERT | {None}
"""Elements with nothing to read: no position, no mark, no content (None: not an element)."""


class _Reader:
    """Walk a `+sourcepos` AST, turning marked elements into ranges of the body."""

    def __init__(self, body: str) -> None:
        self.body = body
        self.starts = [0] + [m.end() for m in re.finditer("\n", body)]
        self.spans: list[tuple[int, int, int]] = []
        self.marks: list[tuple[str, int, int]] = []
        self.notes: list[Use] = []
        self.links: list[tuple[int, str]] = []
        self.headings: list[Heading] = []
        self.verbatim: list[Verbatim] = []
        self.nesting = 0
        """How many lists of blocks hold the element being read."""
        self.ranges: dict[int, Range | None] = {}
        """Where each node (by its id: the tree lives as long as this) was written."""

    def offset(self, line: int, column: int) -> int:
        if line - 1 >= len(self.starts):
            return len(self.body)
        return min(self.starts[line - 1] + column - 1, len(self.body))

    def range_of(self, node: Node) -> Range | None:
        """Return where a node was written, if its attributes say (each node's read once:
        the walks of blocks, marks and words all ask)."""
        index = json_ast.ATTR_AT.get(node["t"])
        if index is None:
            return None
        key = id(node)
        if key not in self.ranges:
            self.ranges[key] = self._range_of(node, index)
        return self.ranges[key]

    def _range_of(self, node: Node, index: int) -> Range | None:
        position = None
        for key, value in node["c"][index][2]:
            if key == "data-pos":
                position = value  # the last: its own
        match = POSITION.search(position) if position is not None else None
        if match is None:
            return None
        ranges = [[int(g) for g in r] for r in RANGE.findall(match[1])]
        return min(self.offset(a, b) for a, b, _, _ in ranges), max(
            self.offset(c, d) for _, _, c, d in ranges
        )

    def blocks(self, items: list[Any], level: Audience, at: Range) -> None:
        """Walk a list of blocks within `at`; a marked heading's section ends at the next
        heading of the same or a higher level in the list, or with the list."""
        open_: list[tuple[int, int, int]] = []  # marked headings still open: depth, start, level
        self.nesting += 1
        for node, here in _clamped(list(self._unwrapped(items, at)), at):
            if node["t"] == "Header":
                depth = node["c"][0]
                for _, start, lv in (o for o in open_ if o[0] >= depth):
                    self.spans.append((start, here[0], lv))
                open_ = [o for o in open_ if o[0] < depth]
                own = json_ast.mark(node)
                if own is not None:
                    open_.append((depth, here[0], int(own)))
            inner = max([level, *(Audience(o[2]) for o in open_)])
            self.node(node, inner, here)
        for _, start, lv in open_:
            self.spans.append((start, at[1], lv))
        self.nesting -= 1

    def _unwrapped(self, items: list[Any], at: Range) -> Iterator[tuple[Node, Range]]:
        for item in items:
            if not json_ast.is_node(item):
                continue
            here = self.range_of(item) or at
            if item["t"] == "Div" and wrapper(item):
                yield from self._unwrapped(item["c"][1], here)
            else:
                yield item, here

    def node(self, node: Node, level: Audience, at: Range) -> None:
        kind = node["t"]
        here = self.range_of(node) or at
        own = json_ast.mark(node)
        if own is not None:
            if kind in json_ast.MARKABLE:
                self.marks.append((kind, int(own), here[0]))
            self.spans.append((here[0], here[1], int(own)))
            level = max(level, own)
        if json_ast.is_comment(node):  # comments are dropped from every output: withhold them
            self.spans.append((here[0], here[1], int(Audience.CONFIDENTIAL)))
            self.verbatim.append(("a comment", here[0], json_ast.words(node["c"][1])))
        elif kind in VERBATIM:
            self.verbatim.append((VERBATIM[kind], here[0], json_ast.words(node["c"][1])))
        elif kind == "Note":
            written = next((r for n in json_ast.walk(node["c"]) if (r := self.range_of(n))), None)
            if written is not None:
                self.notes.append(Use(at[0], written[0]))
        elif kind in ("Link", "Image"):
            self.links += [(here[0], part) for part in node["c"][2] if part]  # target, title
        elif kind == "Header":
            self.headings.append((node["c"][0], here[0], heading_words(node), self.nesting))
        content, own_attr = node.get("c"), json_ast.ATTR_AT.get(kind)
        if own_attr is None or not isinstance(content, list):
            self.children(content, level, here)
            return
        for n, part in enumerate(content):  # its attributes are strings: nothing to visit
            if n != own_attr:
                self.children(part, level, here)

    def children(self, content: Any, level: Audience, at: Range) -> None:
        if isinstance(content, list):
            if _is_blocks(content):
                self.blocks(content, level, at)
                return
            for item, here in self._items(content, at):  # strings hold no element: not visited
                if isinstance(item, list):
                    self.children(item, level, here)
                elif isinstance(item, dict) and item.get("t") not in LEAVES:
                    self.node(item, level, here)
        elif json_ast.is_node(content):
            self.node(content, level, at)

    def _items(self, content: list[Any], at: Range) -> Iterator[tuple[Any, Range]]:
        """Pair each of `content` with where it was written: a list's items from their first
        block to the next item's (a section ends with its item, as for the main reader)."""
        if len(content) < 2 or not isinstance(content[0], list):
            return ((item, at) for item in content)
        first = [r[0] if _is_blocks(i) and (r := self.range_of(i[0])) else -1 for i in content]
        if -1 in first or first != sorted(first):
            return ((item, at) for item in content)
        return zip(content, zip(first, [*first[1:], at[1]], strict=True), strict=True)


def _is_blocks(value: Any) -> bool:
    """Whether `value` is a list of blocks (a section's headings close over it)."""
    return json_ast.is_node_list(value) and value[0]["t"] in CONTAINERS


def _clamped(found: list[tuple[Node, Range]], at: Range) -> Iterator[tuple[Node, Range]]:
    """End each block where the next begins (pandoc may end a list a line late), and within
    its container."""
    for i, (node, (start, end)) in enumerate(found):
        following = found[i + 1][1][0] if i + 1 < len(found) else at[1]
        yield node, (start, min(end, following) if following >= start else end)
