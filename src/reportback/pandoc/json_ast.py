"""Helpers for pandoc's JSON AST: attributes, marks, walking with audience levels, text."""

from __future__ import annotations

import functools
import pickle
import re
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from reportback.model import Audience

T = TypeVar("T")

Node = dict[str, Any]

BLOCKS = frozenset(
    {
        "Plain", "Para", "LineBlock", "CodeBlock", "RawBlock", "BlockQuote", "OrderedList",
        "BulletList", "DefinitionList", "Header", "HorizontalRule", "Table", "Figure", "Div",
    }
)  # fmt: skip
ATTR_AT = {
    "Header": 1,
    "CodeBlock": 0,
    "Div": 0,
    "Span": 0,
    "Link": 0,
    "Image": 0,
    "Code": 0,
    "Table": 0,
    "Figure": 0,
}
MARKS = {"confidential": Audience.CONFIDENTIAL, "members": Audience.MEMBERS}
MARKABLE = frozenset({"Header", "Div", "Span"})
LEAVES = frozenset({"Plain", "Para", "LineBlock", "CodeBlock", "Header"})
INERT = frozenset({"Str", "Space", "SoftBreak", "LineBreak"})
"""Inlines with no attributes and no elements inside."""

COMMENTS = re.compile(r"(?<!\s)\s*+(?:<!--(?:(?!-->).)*-->\s*)+", re.S)
"""HTML comments and the blanks around them; a match starts only where blanks start (tried at
each blank of a run, the square of the run's length: 50,000 tabs took 22 s)."""

Attr = tuple[str, list[str], list[list[str]]]
WORD = re.compile(r"[^\W_]+")
"""A word, as the audit compares them: `_` separates (Markdown uses it for emphasis)."""


def is_node(value: Any) -> bool:
    return isinstance(value, dict) and "t" in value


def is_node_list(value: Any) -> bool:
    if not isinstance(value, list) or not value:
        return False
    for item in value:  # noqa: SIM110 (a loop, not all(): it runs for every list of a report)
        if not (isinstance(item, dict) and "t" in item):
            return False
    return True


def attr(node: Node) -> Attr | None:
    """Return the (id, classes, key-values) of a node that has attributes."""
    index = ATTR_AT.get(node["t"])
    if index is None:
        return None
    ident, classes, pairs = node["c"][index]
    return ident, classes, pairs


def mark(node: Node) -> Audience | None:
    """Return the withholding level a node's classes ask for, if any."""
    found = attr(node)
    if found is None:
        return None
    levels = [MARKS[c] for c in found[1] if c in MARKS]
    return max(levels) if levels else None


def attr_value(node: Node, key: str) -> str | None:
    found = attr(node)
    if found is None:
        return None
    return next((v for k, v in found[2] if k == key), None)


def walk(value: Any) -> Iterator[Node]:
    """Yield every node below `value`, depth first, in document order.

    A node's children are read after the node is yielded, so a caller may change them first.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict) and "t" in item:
            yield item
            if "c" in item:
                stack.append(item["c"])


def structure(value: Any) -> Iterator[Node]:
    """Yield every node below `value` but words, spaces and breaks (`INERT`: no attributes,
    nothing inside; most of a report's nodes), as `walk` does."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            for inner in reversed(item):
                if not (isinstance(inner, dict) and inner.get("t") in INERT):
                    stack.append(inner)
        elif isinstance(item, dict) and "t" in item:
            yield item
            if "c" in item:
                stack.append(item["c"])


def strings(value: list[Any]) -> list[str]:
    """Return the text of every word (`Str`) below `value`, in document order."""
    found: list[str] = []
    _strings_into(found, value)
    return found


def _strings_into(found: list[str], value: list[Any]) -> None:
    for item in value:
        if isinstance(item, list):
            _strings_into(found, item)
        elif isinstance(item, dict) and "t" in item:
            if item["t"] == "Str":
                found.append(item["c"])
            elif isinstance(item.get("c"), list):
                _strings_into(found, item["c"])


def copy(value: T) -> T:
    """Return a deep copy of a JSON-like AST (pickle does it in C, ~10x faster than deepcopy)."""
    result: T = pickle.loads(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
    return result


def walk_levels(
    value: Any, visit: Callable[[Node, Audience], None], level: Audience = Audience.PUBLIC
) -> None:
    """Call visit(node, level) for every node, with the audience level it is withheld at.

    A marked heading raises the level of everything after it up to the next heading of the
    same or a higher level in the same list of blocks. Words, spaces and line breaks (`INERT`:
    no attributes, nothing inside) are not visited: they are most of a report's nodes.
    """
    if isinstance(value, list):
        _walk_list(value, visit, level)
    elif is_node(value):
        _walk_node(value, visit, level)


def _walk_list(items: list[Any], visit: Callable[[Node, Audience], None], level: Audience) -> None:
    sections: list[tuple[int, Audience]] = []  # the marked headings still open, with depths
    here = level
    for item in items:
        if isinstance(item, dict):
            if "t" not in item or item["t"] in INERT:
                continue
            if item["t"] == "Header":
                depth = item["c"][0]
                sections = [s for s in sections if s[0] < depth]
                own = mark(item)
                if own is not None:
                    sections.append((depth, own))
                here = max([level, *(s[1] for s in sections)])
            _walk_node(item, visit, here)
        elif isinstance(item, list):
            _walk_list(item, visit, here)
        # text, numbers: no nodes below


def _walk_node(node: Node, visit: Callable[[Node, Audience], None], level: Audience) -> None:
    own = mark(node) if node["t"] in ATTR_AT else None
    here = max(level, own) if own is not None else level
    visit(node, here)
    content = node.get("c")
    if isinstance(content, list):
        _walk_list(content, visit, here)
    elif isinstance(content, dict) and "t" in content:
        _walk_node(content, visit, here)


def stringify(value: Any, notes: bool = True) -> str:
    """Return the plain text of inlines or blocks (footnotes included unless notes=False)."""
    parts: list[str] = []
    _text(value, parts, notes)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _text(value: Any, out: list[str], notes: bool) -> None:
    if isinstance(value, list):
        for item in value:
            _text(item, out, notes)
        return
    if not is_node(value):
        return
    kind = value["t"]
    content = value.get("c")
    if kind == "Str":
        out.append(content)
    elif kind in ("Space", "SoftBreak", "LineBreak"):
        out.append(" ")
    elif kind in ("Code", "Math", "CodeBlock"):
        out.append(" " + content[1] + " ")
    elif kind in ("RawBlock", "RawInline") or (kind == "Note" and not notes):
        return
    elif kind in BLOCKS:
        out.append(" ")
        _text(content, out, notes)
        out.append(" ")
    elif content is not None:
        _text(content, out, notes)


def visible_text(value: Any, audience: Audience) -> str:
    """Return the text of a leaf that `audience` may read, skipping withheld inlines and notes."""
    parts: list[str] = []

    def keep(node: Node) -> bool:
        level = mark(node)
        return node["t"] != "Note" and (level is None or level <= audience)

    _text(_pruned(value, keep), parts, notes=False)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _pruned(value: Any, keep: Callable[[Node], bool]) -> Any:
    if isinstance(value, list):
        return [_pruned(v, keep) for v in value if not (is_node(v) and not keep(v))]
    if is_node(value) and "c" in value:
        return {"t": value["t"], "c": _pruned(value["c"], keep)}
    return value


@functools.lru_cache(maxsize=8)
def words(text: str) -> tuple[str, ...]:
    """Return the normalised words of a text, as the leak audit compares them.

    The last few are remembered: the audit reads a report's own page and PDF twice (for
    every report's runs, then for its own, ignoring spacing).
    """
    return tuple(WORD.findall(folded(text)))


def folded(text: str) -> str:
    """Return a text as the leak audit reads its words: NFKC, case folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def heading_id(text: str) -> str:
    """Return a heading identifier the way pandoc's auto_identifiers makes one."""
    folded = unicodedata.normalize("NFKC", text).lower()
    kept = re.sub(r"[^\w\s.-]", "", folded)
    slug = re.sub(r"\s+", "-", kept.strip())
    slug = re.sub(r"^[^a-z]+", "", slug)
    return slug or "section"


def own_id(node: Node) -> bool:
    """Whether a heading's id is the one pandoc makes of its words (`## Confidential
    reporting line {#confidential-reporting-line}` says nothing more: helper 141)."""
    return node["t"] == "Header" and bool(
        node["c"][1][0] == heading_id(stringify(node["c"][2], notes=False))
    )


def is_comment(node: Node) -> bool:
    """Return whether a raw node is nothing but an HTML comment."""
    if node["t"] not in ("RawBlock", "RawInline"):
        return False
    fmt, text = node["c"]
    return str(fmt).startswith("html") and bool(COMMENTS.fullmatch(text))


def count_marks(blocks: list[Node]) -> tuple[int, int, int]:
    """Return how many sections, blocks and spans the withholding marks in `blocks` withhold."""
    sections = divs = spans = 0
    for node in structure(blocks):
        if mark(node) is None:
            continue
        if node["t"] == "Header":
            sections += 1
        elif node["t"] in BLOCKS:
            divs += 1
        else:
            spans += 1
    return sections, divs, spans
