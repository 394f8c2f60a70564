"""Reading a body's `+sourcepos` AST into its `Regions`: where each element was written, and
at which level each character of the body is.

Pandoc's `commonmark_x` reader with `+sourcepos` gives every element its source range; the
marks it reads (`{.confidential}`, `{.members}` on a heading, a fenced div or a span) decide
the level of each character (`regions.Regions`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from reportback.checking.regions import (
    ATTRIBUTES,
    VERBATIM,
    Heading,
    Regions,
    Use,
    Verbatim,
    heading_words,
)  # fmt: skip
from reportback.checking.shapes import Range, skeleton, word_levels, wording, wrapper
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
QUOTED = re.compile(r"='([^'\"\n]*)'")
CLASSES = re.compile(r"""(?<![\w-])class=(["'])([^"'\n]*\s[^"'\n]*)\1""")
"""A class attribute naming several classes (`class="members confidential"`), which
`commonmark_x` does not read as classes."""


def _classes(match: re.Match[str]) -> str:
    """Return `class="a b"` as `.a .b`, padded to its length (too many classes to fit: as it
    is, and the two readers disagree, which refuses the report)."""
    dotted = " ".join(f".{name}" for name in match.group(2).split())
    return dotted.ljust(len(match.group(0))) if len(dotted) <= len(match.group(0)) else match[0]


UNNUMBERED = re.compile(r"""("[^"]*"|'[^']*')|(?<=[{\s])-(?=[\s}])""")
"""`-`, pandoc's shorthand for `.unnumbered` (`## Notes {.members -}`), which `commonmark_x`
does not read: the readers disagreed and the report was refused (adversary helper 60). A
quoted value (its first group) is kept as it is."""
FENCE_CLOSE = re.compile(r"^([ \t]*:{3,}[^\n:]*?[^\s:][^\n:]*?)([ \t]*:+)[ \t]*$", re.M)
"""An opening fence's closing colons (`::: members :::`); not a fence of colons alone
(`:::::` closing a long fence was cut to `::::`, which closes nothing: an adversary helper's
false refusal)."""


TAB_STOP = 4


def spaced(body: str) -> str:
    """Return a body with each tab run to the next stop of four, as pandoc's command line has
    it before any reader reads it (asked directly, as here, a reader takes a tab as it is:
    `>\tQuoted` was a code block to the Markdown reader and a paragraph to CommonMark's, and
    the source reader gives a tab's columns run, not its characters; adversary helper 103)."""
    return body.expandtabs(TAB_STOP)


def for_source_reader(body: str) -> str:
    """Return `body` with attribute syntax only pandoc's Markdown reader accepts rewritten,
    character for character, into what `commonmark_x` reads the same way (positions keep).

    That is `key='value'` (to `key="value"`), `\\"` inside a value (to `''`), a class
    attribute of several classes (to `.a .b`), `-` for `.unnumbered` (to a space), and the
    optional closing colons of an opening fence (`::: members :::`, to spaces).
    """

    def attributes(match: re.Match[str]) -> str:
        text = match.group(0).replace('\\"', "''")
        text = UNNUMBERED.sub(lambda m: m[1] or " ", text)
        return CLASSES.sub(_classes, QUOTED.sub(lambda m: f'="{m.group(1)}"', text))

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
                   wording(ast["blocks"], reader.range_of),
                   word_levels(ast["blocks"]))  # fmt: skip


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
            written = self._first_written(node)
            if written is not None:
                self.notes.append(Use(at[0], written[0]))
        elif kind in ("Link", "Image"):
            self.links += [(here[0], part) for part in node["c"][2] if part]  # target, title
        elif kind == "Header":
            start = here[0] if self.range_of(node) else self._heading_start(node, here[0])
            self.headings.append((node["c"][0], start, heading_words(node), self.nesting))
        content, own_attr = node.get("c"), json_ast.ATTR_AT.get(kind)
        if own_attr is None or not isinstance(content, list):
            self.children(content, level, here)
            return
        for n, part in enumerate(content):  # its attributes are strings: nothing to visit
            if n != own_attr:
                self.children(part, level, here)

    def _first_written(self, node: Node) -> Range | None:
        """Return where the first element inside `node` that says so was written."""
        return next((r for n in json_ast.walk(node["c"]) if (r := self.range_of(n))), None)

    def _heading_start(self, node: Node, used: int) -> int:
        """Return where a heading with no position of its own (in a note) was written: the
        # before its first word on that word's line, or the word (underlined text); `used`
        (where its note is used) if none of its words has a position."""
        first = self._first_written(node)
        if first is None:
            return used
        word = first[0]
        line = self.body.rfind("\n", 0, word) + 1
        mark = self.body.find("#", line, word)
        return word if mark < 0 else mark

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
