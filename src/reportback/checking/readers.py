"""Where pandoc's two readers must agree: the Markdown reader, whose tree is redacted, and the
source reader, which says where each word was written (`regions`). Where they read marks,
headings, code or comments differently, a word could be withheld for one and public for the
other, so the report is refused.

Each returns problems as (body line, message); `rules.BodyChecker` names the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from reportback.checking.regions import VERBATIM, Regions, heading_words
from reportback.model import Ast, Audience
from reportback.pandoc import json_ast
from reportback.pandoc.json_ast import Node

Found = tuple[int, str]


def disagreements(ast: Ast, regions: Regions) -> Iterator[Found]:
    """Yield a problem where the two readers read different marks (kind and level, in order).

    A figure's caption is left out: pandoc's Markdown reader copies it into the image's alt
    text, where the other reader reads it once. A table's caption is a paragraph for the other
    reader, before or after the table, as written: both orders are tried.
    """
    theirs = [(kind, level) for kind, level, _ in regions.marks]
    ours = _marks(ast)
    if ours == theirs or _marks(ast, captions_after=True) == theirs:
        return
    first = next((i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b),
                 min(len(ours), len(theirs)))  # fmt: skip
    at = regions.marks[min(first, len(regions.marks) - 1)][2] if regions.marks else 0
    yield (
        regions.line_of(at),
        (
            "pandoc's two readers read the marks here differently (one reads "
            f"{_named(ours[first : first + 1])}, the other {_named(theirs[first : first + 1])}); "
            "write each mark on a heading, a ::: fenced div or a [span], with blank lines "
            "around blocks"
        ),
    )


def heading_disagreements(ast: Ast, regions: Regions, lines: list[str]) -> Iterator[Found]:
    """Yield a problem where the two readers read different headings (depth, words and how
    many lists of blocks hold each, in order): a section ends at the next heading in its list
    of blocks, so both must end it at the same place."""
    ours = list(_headings(ast["blocks"]))
    theirs = [(depth, found, nesting) for depth, _, found, nesting in regions.headings]
    if ours == theirs:
        return
    first = _first_difference(ours, theirs)
    if first < len(theirs):
        line = regions.line_of(regions.headings[first][1])
    else:  # a heading only the main reader read: the first line holding its words
        line = _words_line_in(lines, ours[first][1])
    yield (
        line,
        (
            "pandoc's two readers read the headings here differently, so a section would end "
            "in a different place for each; put a blank line before and after every heading, "
            "write a heading on one line, and use only lists, quotes and ::: divs around it"
        ),
    )


def verbatim_disagreements(ast: Ast, regions: Regions, lines: list[str]) -> Iterator[Found]:
    """Yield a problem where the two readers take different text as written (code spans,
    code blocks, HTML comments, in order): what one reads as code or a comment the other
    reads as Markdown, and a `:::` or a definition in it moves where the rest is written."""
    theirs = [(kind, found) for kind, _, found in regions.verbatim]
    ours = _verbatim(ast)
    if ours == theirs or _verbatim(ast, captions_after=True) == theirs:
        return
    first = _first_difference(ours, theirs)
    if first < len(theirs):
        line = regions.line_of(regions.verbatim[first][1])
    else:
        line = _words_line_in(lines, ours[first][1])
    what = (ours[first:] or theirs[first:])[0][0]
    yield (
        line,
        (
            f"pandoc's two readers read {what} here differently, so they would disagree about "
            "where the words after it are written; close each code span with as many "
            "backticks as opened it, each code block with its own fence, and each comment "
            "with -->, with nothing inside that closes it early"
        ),
    )


def _headings(value: Any, nesting: int = 0) -> Iterator[tuple[int, tuple[str, ...], int]]:
    """Yield each heading's depth, words and how many lists of blocks hold it, in order."""
    if isinstance(value, list):
        blocks = json_ast.is_node_list(value) and value[0]["t"] in json_ast.BLOCKS
        for item in value:
            yield from _headings(item, nesting + blocks)
    elif json_ast.is_node(value):
        if value["t"] == "Header":
            yield value["c"][0], heading_words(value), nesting
        if isinstance(value.get("c"), (list, dict)):
            yield from _headings(value["c"], nesting)


def _verbatim(ast: Ast, captions_after: bool = False) -> list[tuple[str, tuple[str, ...]]]:
    """Return the kind and words of every code span, code block and comment, in order (a
    figure's caption left out, a table's moved after it with `captions_after`)."""
    found = []
    for node in json_ast.structure(_without_captions(ast["blocks"], captions_after)):
        if json_ast.is_comment(node):
            found.append(("a comment", json_ast.words(node["c"][1])))
        elif node["t"] in VERBATIM:
            found.append((VERBATIM[node["t"]], json_ast.words(node["c"][1])))
    return found


def _first_difference(ours: list[Any], theirs: list[Any]) -> int:
    return next((i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b),
                min(len(ours), len(theirs)))  # fmt: skip


def _words_line_in(lines: list[str], written: tuple[str, ...]) -> int:
    """Return the first line holding all of `written` (1 if none does)."""
    return next((n for n, text in enumerate(lines, start=1)
                 if all(w in text.casefold() for w in written)), 1)  # fmt: skip


def _marks(ast: Ast, captions_after: bool = False) -> list[tuple[str, int]]:
    """Return the kind and level of every mark the Markdown reader read, in order; with
    `captions_after`, a table's caption after its cells."""
    out: list[tuple[str, int]] = []

    def visit(node: Node, _: Audience) -> None:
        level = json_ast.mark(node) if node["t"] in json_ast.MARKABLE else None
        if level is not None:
            out.append((node["t"], int(level)))

    json_ast.walk_levels(_without_captions(ast["blocks"], captions_after), visit)
    return out


def _without_captions(value: Any, captions_after: bool) -> Any:
    """Return blocks with every figure's caption emptied (a shallow copy where needed), and
    with `captions_after`, every table's caption moved after it."""
    if isinstance(value, list):
        out = []
        for item in value:
            if captions_after and json_ast.is_node(item) and item["t"] == "Table":
                attr, (short, caption), *rest = item["c"]
                table = [attr, [short, []], *_without_captions(rest, True)]
                after = [["", [], []], _without_captions(caption, True)]
                out += [{"t": "Table", "c": table}, {"t": "Div", "c": after}]
            else:
                out.append(_without_captions(item, captions_after))
        return out
    if json_ast.is_node(value):
        if value["t"] == "Figure":
            attr, _, blocks = value["c"]
            return {
                "t": "Figure",
                "c": [attr, [None, []], _without_captions(blocks, captions_after)],
            }
        if "c" in value and isinstance(value["c"], (list, dict)):
            return {"t": value["t"], "c": _without_captions(value["c"], captions_after)}
    return value


KINDS = {"Header": "a heading", "Div": "a fenced div", "Span": "a span"}


def _named(marks: list[tuple[str, int]]) -> str:
    if not marks:
        return "no mark"
    kind, level = marks[0]
    return f"{KINDS.get(kind, kind)} marked {Audience(level).label}"
