"""Where pandoc's two readers must agree: the Markdown reader, whose tree is redacted, and the
source reader, which says where each word was written (`regions`). Where they read marks,
headings, code or comments differently, a word could be withheld for one and public for the
other, so the report is refused.

Each returns problems as (body line, message); `rules.BodyChecker` names the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property
from typing import Any

from reportback.checking import attempts, continued, headings
from reportback.checking.regions import VERBATIM, Regions, heading_words
from reportback.checking.shapes import levelled_words, skeleton, wording
from reportback.model import Ast, Audience
from reportback.pandoc import json_ast
from reportback.pandoc.json_ast import Node

Found = tuple[int, str]


class MainTree:
    """The Markdown reader's tree in the forms the rules compare with the source reader's,
    each made once, when first asked for: every figure's caption left out, and every table's
    caption before the table (`before`) or, where a table has one, after it (`after`). The
    source reader reads a table's caption as a paragraph, where it was written."""

    def __init__(self, ast: Ast) -> None:
        self.blocks: list[Any] = ast["blocks"]
        held = [n for n in json_ast.structure(self.blocks) if n["t"] in ("Figure", "Table")]
        self.moved = bool(held)
        """Whether any caption is left out or moved (if not, `before` is the tree itself)."""
        self.captioned = any(n["t"] == "Table" and n["c"][1][1] for n in held)
        """Whether a table has a caption (so `after` differs from `before`)."""

    @cached_property
    def before(self) -> list[Any]:
        blocks: list[Any] = _without_captions(self.blocks, False) if self.moved else self.blocks
        return blocks

    @cached_property
    def after(self) -> list[Any]:
        blocks: list[Any] = _without_captions(self.blocks, True)
        return blocks

    @cached_property
    def words_before(self) -> str:
        return wording(self.before, _nowhere)[0]

    @cached_property
    def words_after(self) -> str:
        return wording(self.after, _nowhere)[0]

    def worded_as(self, theirs: str) -> list[Any] | None:
        """Return the form of the tree whose words are `theirs` (the source reader's), if
        either is (the words are walked once for the rules that ask)."""
        if self.words_before == theirs:
            return self.before
        if self.captioned and self.words_after == theirs:
            return self.after
        return None

    @cached_property
    def marks(self) -> list[tuple[str, int]]:
        """The kind and level of every mark, in order."""
        return _marks(self.before)

    def marked(self, regions: Regions) -> bool:
        """Whether either reader read a mark: without one, nothing but comments is withheld."""
        return bool(regions.marks) or bool(self.marks)


def problems(ast: Ast, regions: Regions, lines: list[str]) -> Iterator[Found]:
    """Yield a problem wherever the two readers disagree (each rule below, in turn)."""
    tree = MainTree(ast)
    yield from disagreements(tree, regions, lines)
    yield from heading_disagreements(tree, regions, lines)
    yield from headings.underlined(tree.marked(regions), regions)
    yield from headings.unseen(tree.marked(regions), tree.blocks, regions)
    yield from headings.cut_short(tree.marked(regions), tree.blocks, lines)
    yield from continued.continued(regions)
    yield from verbatim_disagreements(tree, regions, lines)
    apart = [*block_disagreements(tree, regions), *word_disagreements(tree, regions)]
    yield from (list(attempts.list_like(lines)) if apart else []) or apart  # the likely cause
    yield from level_disagreements(tree, regions)


def disagreements(tree: MainTree, regions: Regions, lines: list[str]) -> Iterator[Found]:
    """Yield a problem where the two readers read different marks (kind and level, in order).

    A figure's caption is left out: pandoc's Markdown reader copies it into the image's alt
    text, where the other reader reads it once. A table's caption is a paragraph for the other
    reader, before or after the table, as written: both orders are tried.
    """
    theirs = [(kind, level) for kind, level, _ in regions.marks]
    ours = tree.marks
    if ours == theirs or (tree.captioned and _marks(tree.after) == theirs):
        return
    first = _first_difference(ours, theirs)
    if first < len(theirs):
        line = regions.line_of(regions.marks[first][2])
    else:  # a mark only the Markdown reader read (in raw HTML, say): where it is written
        line = _mark_line(lines, regions, first, Audience(ours[first][1]))
    spaced = 0 < line <= len(lines) and NO_BREAK.search(lines[line - 1])
    yield (
        line,
        (
            "pandoc's two readers read the marks here differently (one reads "
            f"{_named(ours[first : first + 1])}, the other {_named(theirs[first : first + 1])}); "
            "write each mark on a heading, a ::: fenced div or a [span], with blank lines "
            "around blocks" + (NO_BREAK_HINT if spaced else "")
        ),
    )


NO_BREAK = re.compile("[\u00a0\u202f\u2007]\\{")
"""A no-break space before a mark's brace (honest user helper 148: a Mac's Option-Space)."""
NO_BREAK_HINT = "; the space before its { is a no-break space (Option-Space): type a plain one"


def _mark_line(lines: list[str], regions: Regions, first: int, level: Audience) -> int:
    """Return the first line after the marks both readers read (the first `first`) that
    writes a mark of `level` as a class (`.confidential`, `class="confidential"`)."""
    after = regions.line_of(regions.marks[first - 1][2]) if first else 0
    written = re.compile(rf"(?:\.|class\s*=\s*[\"']?){level.label}\b", re.IGNORECASE)
    loosely = re.compile(rf"[{{=][^}}\n]*{level.label}", re.IGNORECASE)  # `class="&#32;…`
    for pattern in (written, loosely):  # (adversary helper 143: named at the body's first line)
        found = (n for n, text in enumerate(lines, start=1) if n > after and pattern.search(text))
        if (line := next(found, 0)) > 0:
            return line
    return max(after, 1)


def heading_disagreements(tree: MainTree, regions: Regions, lines: list[str]) -> Iterator[Found]:
    """Yield a problem where the two readers read different headings (depth, words and how
    many lists of blocks hold each, in order): a section ends at the next heading in its list
    of blocks, so both must end it at the same place."""
    ours = list(_headings(tree.blocks))
    theirs = [(depth, found, nesting) for depth, _, found, nesting in regions.headings]
    if ours == theirs or not tree.marked(regions):  # no mark: no section to end
        return
    first = _first_difference(ours, theirs)
    if first < len(theirs):
        line = regions.line_of(regions.headings[first][1])
    else:  # a heading only the main reader read: the first line holding its words
        line = headings.words_line_in(lines, ours[first][1])
    yield (
        line,
        (
            "pandoc's two readers read the headings here differently, so a section would end "
            "in a different place for each; put a blank line before and after every heading, "
            "write a heading on one line, use only lists, quotes and ::: divs around it, and "
            "pipe tables"
        ),
    )


def verbatim_disagreements(tree: MainTree, regions: Regions, lines: list[str]) -> Iterator[Found]:
    """Yield a problem where the two readers take different text as written (code spans,
    code blocks, HTML comments, in order): what one reads as code or a comment the other
    reads as Markdown, and a `:::` or a definition in it moves where the rest is written."""
    marked = tree.marked(regions)  # with no mark, only a comment's words are withheld
    kept = [v for v in regions.verbatim if marked or v[0] == "a comment"]
    theirs = [(kind, found) for kind, _, found in kept]

    def verbatim(blocks: list[Any]) -> list[tuple[str, tuple[str, ...]]]:
        return [v for v in _verbatim(blocks) if marked or v[0] == "a comment"]

    ours = verbatim(tree.before)
    if ours == theirs or (tree.captioned and verbatim(tree.after) == theirs):
        return
    first = _first_difference(ours, theirs)
    if first < len(theirs):
        line = regions.line_of(kept[first][1])
    else:
        line = headings.words_line_in(lines, ours[first][1])
    what = (ours[first:] or theirs[first:])[0][0]
    yield (
        line,
        (
            f"pandoc's two readers read {what} here differently, so they would disagree about "
            "where the words after it are written; close each code span with as many "
            "backticks as opened it, each code block with its own fence, and each comment "
            "with -->, with nothing inside that closes it early; use pipe tables"
        ),
    )


RAW_APART = (
    "pandoc's two readers read the raw HTML here differently (each ends an HTML block holding "
    "Markdown, such as <details> or <div>, in a different place), so they would disagree "
    "about what is withheld; in a report that withholds anything, write it in Markdown "
    "instead (a ::: div, a heading)"
)


TABLE_APART = (
    "a table only one of pandoc's two readers reads as one (a grid table of +---+ lines, or "
    "a simple or multiline one, as a Word export writes), so they would disagree about what "
    "is withheld; in a report that withholds anything, write it as a pipe table (| a | b |)"
)


def block_disagreements(tree: MainTree, regions: Regions) -> Iterator[Found]:
    """Yield a problem where the two readers read different blocks (kind and what holds
    what, in order) in a report that withholds anything: where a list, quote or div ends
    decides where a definition written after it is, for each reader."""
    theirs = [token for token, _ in regions.blocks]
    if not tree.marked(regions):
        return
    ours = _skeleton(tree.before)
    if ours == theirs or (tree.captioned and _skeleton(tree.after) == theirs):
        return
    first = _first_difference(ours, theirs)
    at = regions.blocks[min(first, len(regions.blocks) - 1)][1] if regions.blocks else 0
    if "RawBlock" in ours[first : first + 2] + theirs[first : first + 2]:
        yield regions.line_of(at), RAW_APART  # `<details>` around Markdown (helper 101)
        return
    if "Table" in ours[first : first + 1] and "Table" not in theirs[first : first + 1]:
        yield regions.line_of(at), TABLE_APART  # Word's, as pandoc exports it (helper 155)
        return
    yield (
        regions.line_of(at),
        (
            "pandoc's two readers read the blocks here differently (a list, quote, div or "
            "table ends in a different place for each), so they would disagree about what is "
            "withheld; put a blank line around each block, indent an item's lines alike, close "
            "each ::: fence on a line of its own, and use pipe tables; a line of a "
            "paragraph that starts like a list item other than 1. (such as 2026., (a), b) "
            "or II.) starts a list for one reader only: for a list, put a blank line before "
            "it; for text, write 2026\\. instead"
        ),
    )


def word_disagreements(tree: MainTree, regions: Regions) -> Iterator[Found]:
    """Yield a problem where the two readers read different words, in order, in a report
    that withholds anything: what one reads as text the other reads as a definition, a
    marker or syntax, and where it ends the rest of the block for one of them."""
    theirs, runs = regions.wording or ("", ())
    if not tree.marked(regions):
        return
    if tree.worded_as(theirs) is not None:
        return
    first = _first_difference(tree.words_before.split(" "), theirs.split(" "))
    yield (
        regions.line_of(_run_at(runs, first)),
        (
            "pandoc's two readers read the words here differently (one reads as text what "
            "the other reads as a definition, a list marker or other syntax), so they would "
            "disagree about what is withheld; put a blank line around each block and start "
            "each definition on a line of its own; a line that starts like a list item other "
            "than 1. (such as a), 2026. or II.) starts a list for one reader only: put a "
            "blank line before a list"
        ),
    )


def level_disagreements(tree: MainTree, regions: Regions) -> Iterator[Found]:
    """Yield a problem where the two readers read the same words, but the Markdown reader
    reads one outside a mark the source reader reads it inside (`^[Jo\\[]{.confidential}^`:
    for one, a span of nothing after "[Jo"; for the other, a span of "Jo[": the name was
    published, a held-out adversary's finding). Where the Markdown reader withholds more,
    nothing is published that should not be."""
    theirs, runs = regions.wording or ("", ())
    if not tree.marked(regions):
        return
    blocks = tree.worded_as(theirs)
    if blocks is None:
        return  # the words differ: `word_disagreements` says where
    ours, written = levelled_words(blocks), regions.word_levels
    n = next((n for n, (w, b) in enumerate(zip(ours, written, strict=False)) if w.level < b), -1)
    if n < 0 and len(ours) != len(written):  # code, math or attributes read apart
        at = ours[min(len(written), len(ours) - 1)].before if ours else 0
        yield (regions.line_of(_run_at(runs, at)), CODE_APART)
        return
    if n < 0:
        return
    first, level = ours[n], Audience(written[n])
    yield (
        regions.line_of(_run_at(runs, first.before)),
        (
            f"pandoc's two readers read the marks here differently: the word {first.word!r} "
            f"is {level.label} for one and {Audience(first.level).label} for the other, so it "
            "would be published; write the span without a bracket or caret that could end it "
            "early (\\[ inside ^...^ or ~...~), or put the mark around the whole of the "
            "superscript or subscript"
        ),
    )


CODE_APART = (
    "pandoc's two readers read the code, math or attributes here differently, so they would "
    "disagree about what is withheld; write no \\[ inside ^...^ or ~...~, and write code, "
    "math and attributes whole, inside or outside a mark"
)


def _skeleton(blocks: list[Any]) -> list[str]:
    return [token for token, _ in skeleton(blocks)]


def _run_at(runs: tuple[tuple[int, int], ...], word: int) -> int:
    """Return the body offset of the element holding the `word`th word (0 if none does)."""
    counted = 0
    for at, count in runs:
        counted += count
        if counted > word:
            return at
    return runs[-1][0] if runs else 0


def _headings(value: Any, nesting: int = 0) -> Iterator[tuple[int, tuple[str, ...], int]]:
    """Yield each heading's depth, words and how many lists of blocks hold it, in order."""
    if isinstance(value, list):
        blocks = json_ast.is_node_list(value) and value[0]["t"] in json_ast.BLOCKS
        for item in value:
            if not (isinstance(item, dict) and item.get("t") in json_ast.INERT):
                yield from _headings(item, nesting + blocks)
    elif json_ast.is_node(value):
        if value["t"] == "Header":
            yield value["c"][0], heading_words(value), nesting
        if isinstance(value.get("c"), (list, dict)):
            yield from _headings(value["c"], nesting)


def _verbatim(blocks: list[Any]) -> list[tuple[str, tuple[str, ...]]]:
    """Return the kind and words of every code span, code block and comment, in order."""
    found = []
    for node in json_ast.structure(blocks):
        if json_ast.is_comment(node):
            found.append(("a comment", json_ast.words(node["c"][1])))
        elif node["t"] in VERBATIM:
            found.append((VERBATIM[node["t"]], json_ast.words(node["c"][1])))
    return found


def _nowhere(_: Node) -> None:
    """Where the main reader's tree says a node was written: nowhere."""


def _first_difference(ours: list[Any], theirs: list[Any]) -> int:
    return next((i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b),
                min(len(ours), len(theirs)))  # fmt: skip


def _marks(blocks: list[Any]) -> list[tuple[str, int]]:
    """Return the kind and level of every mark the Markdown reader read, in order."""
    out: list[tuple[str, int]] = []

    def visit(node: Node, _: Audience) -> None:
        level = json_ast.mark(node) if node["t"] in json_ast.MARKABLE else None
        if level is not None:
            out.append((node["t"], int(level)))

    json_ast.walk_levels(blocks, visit)
    return out


def _without_captions(value: Any, captions_after: bool) -> Any:
    """Return blocks with every figure's caption emptied (a shallow copy where needed), and
    every table's caption set before it, or after it with `captions_after`: the source
    reader reads a table's caption as a paragraph, where it was written."""
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, dict) and item.get("t") in json_ast.INERT:
                out.append(item)  # most of a tree: nothing inside to change
            elif json_ast.is_node(item) and item["t"] == "Table":
                attr, (short, caption), *rest = item["c"]
                table = {"t": "Table", "c": [attr, [short, []], *rest]}
                around = _without_captions(caption, captions_after)
                out += [table, *around] if captions_after else [*around, table]
            else:
                out.append(_without_captions(item, captions_after))
        return out
    if json_ast.is_node(value):
        if value["t"] == "Figure":
            attr, _, blocks = value["c"]
            figure = [attr, [None, []], _without_captions(blocks, captions_after)]
            return {"t": "Figure", "c": figure}
        if "c" in value and isinstance(value["c"], (list, dict)):
            return {"t": value["t"], "c": _without_captions(value["c"], captions_after)}
    return value


KINDS = {"Header": "a heading", "Div": "a fenced div", "Span": "a span"}


def _named(marks: list[tuple[str, int]]) -> str:
    if not marks:
        return "no mark"
    kind, level = marks[0]
    return f"{KINDS.get(kind, kind)} marked {Audience(level).label}"
