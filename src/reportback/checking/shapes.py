"""The two readers' trees in forms that compare: their blocks (`skeleton`) and their words
(`wording`), each with where it was written when the tree says."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from reportback.model import Audience
from reportback.pandoc import json_ast
from reportback.pandoc.json_ast import Node, words

Range = tuple[int, int]
LABELS = frozenset({"Table:", "[x]", "[X]"})
"""What starts a paragraph as syntax for the Markdown reader (a table's caption label, a done
task's box: ☒) and as text for the source reader."""
Wording = tuple[str, tuple[tuple[int, int], ...]]
"""Words joined by spaces, and runs of them: the body offset of the element they are in, and
how many."""


def wording(blocks: list[Any], range_of: Callable[[Node], Range | None]) -> Wording:
    """Return the words of `blocks` in order, with the runs of them in each element that has
    a position (a figure's caption, for the main reader, is left to the caller; a caption's
    label `Table:` is left out)."""
    found: list[str] = []
    runs: list[tuple[int, int]] = []
    _wording_into(found, runs, blocks, 0, range_of)
    return " ".join(found), tuple(runs)


def _wording_into(
    found: list[str],
    runs: list[tuple[int, int]],
    value: list[Any],
    here: int,
    range_of: Callable[[Node], Range | None],
) -> None:
    for item in value:
        if isinstance(item, list):
            _wording_into(found, runs, item, here, range_of)
        elif isinstance(item, dict) and "t" in item:
            if item["t"] == "Str":
                ws = _words_of(item["c"])
                if not ws:
                    continue
                found += ws
                if runs and runs[-1][0] == here:
                    runs[-1] = (here, runs[-1][1] + len(ws))
                else:
                    runs.append((here, len(ws)))
            elif isinstance(item.get("c"), list):
                place = range_of(item) if item["t"] in json_ast.ATTR_AT else None
                inner = item["c"][_label(item) :]
                _wording_into(found, runs, inner, place[0] if place else here, range_of)


def _words_of(text: str) -> tuple[str, ...]:
    """Return the words of a `Str` (a plain word is its own lower case: NFKC, casefold)."""
    return (text.lower(),) if text.isascii() and text.isalnum() else words(text)


SPACES = json_ast.INERT - {"Str"}
"""Inlines of no words, marks or elements: a space, a line break."""
AS_WRITTEN = frozenset({"Code", "CodeBlock", "Math", "RawInline"})
"""Elements whose text is their second part, words the level rule counts too: a code span
or math written before a span one reader ends early was published (`^[`x`\\[]{.members}^`)."""


ATTRIBUTED = frozenset({"Code", "Link", "Image", "Span", "Figure"})
"""Inline elements whose attributes' words the level rule counts too (`{title="…"}`, a class
or a key on a code span or an empty span written before a span one reader ends early was
published), and a figure, to which the Markdown reader moves the id of an image alone in
its paragraph."""
POSITIONS = frozenset({"data-pos", "wrapper"})
"""The source reader's own attributes (where an element was written)."""


def _attribute_words(node: Node) -> list[str]:
    """Return the words of a node's attributes: its id, classes, keys and values (not the
    source reader's positions, nor a class the Markdown reader makes an element of)."""
    found = json_ast.attr(node)
    if found is None:
        return []
    identifier, classes, pairs = found
    values = [identifier, *(c for c in classes if c not in ELEMENTS)]
    values += [part for k, v in pairs if k not in POSITIONS for part in (k, v)]
    return [w for value in values for w in words(value)]


ELEMENTS = frozenset({"smallcaps", "underline", "ul", "uri", "email"})
"""Classes only one reader gives: of a span the Markdown reader reads as an element of its
own (`SmallCaps`, `Underline`, where the source reader keeps a span of that class), and of an
autolink (`<https://…>`, `<a@b.org>`: the Markdown reader's, for the kitchen-sink test)."""


def word_levels(blocks: list[Any]) -> bytes:
    """Return the level of each word of `blocks` (and of each word of code, math, raw inline
    HTML and inline attributes among them), in order, as the tree's own marks say: a marked
    span, div or heading, and the section a marked heading opens (up to the next heading of
    the same or a higher level in its list of blocks). Either reader's tree: the source
    reader's wrappers mark nothing."""
    return bytes(word.level for word in levelled_words(blocks))


class Levelled(NamedTuple):
    """A word at its level, and how many of `wording`'s words come before it (where it is)."""

    level: int
    word: str
    before: int
    worded: bool
    """Whether it is one of `wording`'s words (not code, math or raw HTML)."""


def levelled_words(blocks: list[Any]) -> list[Levelled]:
    """Return each word `word_levels` counts, with its level and where it is."""
    out: list[Levelled] = []
    _levels_into(out, blocks, int(Audience.PUBLIC))
    return out


def _levels_into(out: list[Levelled], value: list[Any], level: int) -> None:
    sections: list[tuple[int, int]] = []  # the marked headings still open: depth, level
    here = level
    for item in _unwrapped(value):
        if isinstance(item, list):
            _levels_into(out, item, here)
        elif isinstance(item, dict) and "t" in item:
            kind = item["t"]
            if kind in SPACES:  # most of a tree's nodes: no words, marks or elements
                continue
            own = json_ast.mark(item) if kind in json_ast.ATTR_AT else None
            if kind == "Header":
                depth = item["c"][0]
                sections = [s for s in sections if s[0] < depth]
                if own is not None:
                    sections.append((depth, int(own)))
                here = max([level, *(s[1] for s in sections)])
            inner = max(here, int(own)) if own is not None else here
            before = out[-1].before + out[-1].worded if out else 0  # `wording`'s words so far
            if kind in ATTRIBUTED:  # what its attributes say (a feed's HTML shows them)
                out += [Levelled(inner, w, before, False) for w in _attribute_words(item)]
            if kind == "Str":
                found = enumerate(_words_of(item["c"]))
                out += [Levelled(here, w, before + n, True) for n, w in found]
            elif kind in AS_WRITTEN:
                out += [Levelled(inner, w, before, False) for w in words(item["c"][1])]
            elif isinstance(item.get("c"), list):
                _levels_into(out, item["c"][_label(item) :], inner)


def _unwrapped(items: list[Any]) -> Iterator[Any]:
    """Yield the items of a list, each of the source reader's wrapper divs as what it holds
    (a heading's section goes on past the end of its wrapper)."""
    for item in items:
        if isinstance(item, dict) and item.get("t") == "Div" and wrapper(item):
            yield from _unwrapped(item["c"][1])
        else:
            yield item


SAME = {"Plain": "Para", "LineBlock": "Para", "Figure": "Para"}
"""Blocks the two readers make differently of the same lines, and that hold no block the
other reads (a figure: a paragraph of one image for the source reader)."""


def skeleton(
    items: list[Any], range_of: Callable[[Node], Range | None] = lambda _: None, at: int = 0
) -> Iterator[tuple[str, int]]:
    """Yield a list of blocks as tokens, each with its body offset (if `range_of` knows it):
    every block's kind, and `(`, `|` and `)` around the lists of blocks it holds. The source
    reader's wrappers are left out; a table is one token (the source reader has only pipe
    tables: a report with marks must use those)."""
    for node in items:
        if not json_ast.is_node(node):
            continue
        here = (range_of(node) or (at, at))[0]
        if node["t"] == "Div" and wrapper(node):
            yield from skeleton(node["c"][1], range_of, here)
            continue
        if _empty_list(node):  # `* * *`: a rule for one reader, lists of nothing for the other
            yield "HorizontalRule", here
            continue
        yield SAME.get(node["t"], node["t"]), here
        inner = _block_lists(node)
        for n, blocks in enumerate(inner):
            yield "(" if n == 0 else "|", here
            yield from skeleton(blocks, range_of, here)
        if inner:
            yield ")", here


def _block_lists(node: Node) -> list[list[Any]]:
    """Return the lists of blocks a block holds (none for a table or a figure)."""
    kind, content = node["t"], node.get("c")
    if content is None:
        return []
    if kind == "Div":
        return [content[1]]
    if kind == "BlockQuote":
        return [content]
    if kind == "BulletList":
        return list(content)
    if kind == "OrderedList":
        return list(content[1])
    if kind == "DefinitionList":
        return [blocks for _, definitions in content for blocks in definitions]
    return []


def _label(node: Node) -> int:
    """Return how many inlines a paragraph starts with that spell a table caption's label
    (`Table:`) or a done task's box (`[x]`): syntax for the Markdown reader, text for the
    source reader (left out for both)."""
    if node["t"] not in ("Para", "Plain"):
        return 0
    text = ""
    for n, inline in enumerate(node["c"][:3], start=1):
        if inline.get("t") != "Str":
            break
        text += str(inline["c"])
        if text in LABELS:
            return n
    return 0


def _empty_list(node: Node) -> bool:
    """Whether a node is a bullet list of nothing but empty bullet lists."""
    if node["t"] == "Div" and wrapper(node):
        return all(_empty_list(inner) for inner in node["c"][1])
    if node["t"] != "BulletList":
        return False
    return all(all(_empty_list(inner) for inner in item) for item in node["c"])


def wrapper(node: Node) -> bool:
    """Whether a div is the source reader's own wrapper (a position, nothing written)."""
    found = json_ast.attr(node)
    return found is not None and ["wrapper", "1"] in found[2]
