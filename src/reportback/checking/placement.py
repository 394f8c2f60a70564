"""The rules that read where words are written, not where pandoc resolved them to (the limits
on size and nesting are in `limits`).

Each returns problems as (body offset or line, message); `rules.BodyChecker` names the file.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterator
from typing import Any

from reportback.checking import nearmiss
from reportback.checking.regions import VERBATIM, Regions, heading_words, words
from reportback.model import Ast, Audience
from reportback.pandoc import json_ast
from reportback.pandoc.json_ast import Node

BRACE = re.compile(r"\{([^{}\n]*)(?:\}|$)", re.M)
COMMENT_OPEN = "<!--"
ABRUPT_COMMENT = re.compile(r"<!---?>")
"""`<!-->` and `<!--->`: closed at once for HTML and CommonMark, text for pandoc."""

Found = tuple[int, str]
"""A problem at a body line (1-based)."""


def attempted_mark(text: str) -> str | None:
    """Return the first `{…}` in `text` that looks like an attempt at a withholding mark.

    That is a brace holding a class, id or key that is, or is close to, `confidential` or
    `members`, or a kramdown/MkDocs attribute list `{: …}`, closed or not.
    """
    for match in BRACE.finditer(text):
        inner = match.group(1)
        if inner.lstrip().startswith(":"):
            return match.group(0)
        for token in re.split(r"[\s,;]+", inner):
            name = token.lstrip(".#:").split("=", 1)[0].strip("\"'")
            if name and nearmiss.is_near_name(name, "class"):
                return match.group(0)
    return None


def leftovers(ast: Ast, lines: list[str]) -> Iterator[Found]:
    """Yield text pandoc read as text that looks like a mark, and a comment never closed."""
    body = "\n".join(lines)
    abrupt = ABRUPT_COMMENT.search(body)
    if abrupt is not None:
        yield (
            body.count("\n", 0, abrupt.start()) + 1,
            (
                f"{abrupt.group(0)} is a comment that ends at once: what follows it would be "
                "published; write <!-- … -->"
            ),
        )
    opened = body.find(COMMENT_OPEN)
    while opened >= 0:
        closed = body.find("-->", opened + len(COMMENT_OPEN))
        if closed < 0:
            yield (
                body.count("\n", 0, opened) + 1,
                (
                    "an HTML comment (<!--) is never closed with -->; close it, or its text "
                    "would be published"
                ),
            )
            break
        opened = body.find(COMMENT_OPEN, closed)
    seen: set[str] = set()
    for node in json_ast.structure(ast["blocks"]):  # words have no text of their own here
        for text, attribute in _texts(node):
            yield from _mark_like(text, attribute, lines, seen)


def _texts(node: Node) -> Iterator[tuple[str, bool]]:
    """Yield the texts of a node that pandoc did not read as marks: a leaf's text and code,
    and (True) attribute values and link and image titles."""
    kind = node["t"]
    if kind in ("CodeBlock", "Code"):
        yield node["c"][1], False
    elif kind in json_ast.LEAVES:
        yield _inline_text(node), False
    found = json_ast.attr(node)
    if found is not None:
        yield from ((value, True) for _, value in found[2])
    if kind in ("Link", "Image"):
        yield node["c"][2][1], True


def _mark_like(text: str, attribute: bool, lines: list[str], seen: set[str]) -> Iterator[Found]:
    if attribute and COMMENT_OPEN in text and "<!--" not in seen:
        seen.add("<!--")
        yield (
            _line_of(lines, COMMENT_OPEN),
            (
                "an HTML comment (<!--) in an attribute or a title would be published as "
                "written; remove it"
            ),
        )
    found = attempted_mark(text)
    if found is not None and found not in seen:
        seen.add(found)
        yield (
            _line_of(lines, found.rstrip("}")[:40]),
            (
                f"{found!r} looks like a withholding mark, but pandoc read it as text: it would "
                "be published as written. Attach it with no space, on the same line: "
                "## Heading {.confidential}, ::: confidential, or [words]{.confidential}"
            ),
        )


def _inline_text(node: Node) -> str:
    """Return a leaf block's text, code included, notes left to their own paragraphs."""
    parts: list[str] = []
    for inner in json_ast.walk(node["c"][2] if node["t"] == "Header" else node["c"]):
        if inner["t"] == "Str":
            parts.append(inner["c"])
        elif inner["t"] in ("Space", "SoftBreak", "LineBreak"):
            parts.append(" " if inner["t"] == "Space" else "\n")
        elif inner["t"] == "Code":
            parts.append(inner["c"][1])
    return "".join(parts)


def _line_of(lines: list[str], needle: str) -> int:
    for number, line in enumerate(lines, start=1):
        if needle in line or needle in html.unescape(line):
            return number
    return 1


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


def definitions(ast: Ast, regions: Regions) -> Iterator[Found]:
    """Yield each footnote or link whose text or target was written at a higher level than
    where it is used."""
    found: list[Found] = []
    for use in regions.notes:
        used, written = regions.level_at(use.used), regions.level_at(use.written)
        if written > used:
            label = _label(regions.body, use.used, r"\[(\^[^\]\n]*)\]")
            found.append((regions.line_of(use.written), _misuse("footnote", label, written, used)))
    for at, target in regions.links:
        used = regions.level_at(at)
        home = regions.written_at(target)
        if home is not None and home > used:
            label = _label(regions.body, at, r"!?\[((?:\\.|[^\]\\\n])*)\](?:\[([^\]\n]*)\])?")
            line = _target_line(regions, target, used)
            found.append((line, _misuse("link definition", label, home, used)))
    yield from found or _resolved(ast, regions)


def _label(body: str, at: int, pattern: str) -> str:
    line_end = body.find("\n", at)
    match = re.match(pattern, body[at : line_end if line_end >= 0 else len(body)])
    return next((g for g in reversed(match.groups()) if g), "") if match else ""


def _resolved(ast: Ast, regions: Regions) -> Iterator[Found]:
    """Yield each note or link target the main reader resolved from withheld text.

    Whatever shape the main reader accepted a definition in, the words it resolved a public
    note to must be written somewhere at the note's level or below.
    """
    allowed = functools.cache(regions.text_at_most)  # made for a level only when asked
    found: list[Found] = []

    def visit(node: Node, level: Audience) -> None:
        if level >= Audience.CONFIDENTIAL:
            return
        if node["t"] == "Note":
            text = f" {' '.join(words(json_ast.stringify(node['c'])))} "
            home = next((lv for lv in Audience if text in allowed(lv)), None)
            if text.strip() and home is not None and home > level:
                line = _words_line(regions, text.strip(), level)
                found.append((line, _misuse("footnote", "", home, level)))
        elif node["t"] in ("Link", "Image"):
            for target in (t for t in node["c"][2] if t):  # its target and its title
                home = regions.written_at(target)
                if home is not None and home > level:
                    line = _target_line(regions, target, level)
                    found.append((line, _misuse("link definition", "", home, level)))

    json_ast.walk_levels(ast["blocks"], visit)
    yield from found


def _target_line(regions: Regions, target: str, level: Audience) -> int:
    at = regions.body.find(target)
    while at >= 0 and regions.level_at(at) <= level:
        at = regions.body.find(target, at + 1)
    return regions.line_of(max(at, 0))


def _words_line(regions: Regions, text: str, level: Audience) -> int:
    for unit in regions.units():
        if unit.level > level and text in " ".join(words(unit.text)):
            return unit.line
    return 1


def _misuse(what: str, label: str, written: Audience, used: Audience) -> str:
    named = f"{what} [{label}]" if label else what
    return (
        f"{named} is written inside {written.label} material but used in {used.label} "
        "material; move the definition out or the reference in"
    )


def also_public(regions: Regions, confidential: bool, first_line: int) -> Iterator[Found]:
    """Yield a warning for each withheld passage whose words are also written in public text.

    The audit cannot tell such words apart from the public ones, so it does not search for
    them; the rep may mean it (an office named in confidence and in public), or not.
    """
    if confidential:
        return
    public = [(u.line, words(u.text)) for u in regions.units() if not u.level]

    @functools.cache
    def first_lines(n: int) -> dict[tuple[str, ...], int]:
        """Every run of `n` public words, with the first line of public text holding it."""
        lines: dict[tuple[str, ...], int] = {}
        for line, ws in public:
            for i in range(len(ws) - n + 1):
                lines.setdefault(ws[i : i + n], line)
        return lines

    warned: set[int] = set()
    for unit in regions.units():
        if not unit.level or unit.line in warned:
            continue
        for run in runs(words(unit.text)):
            where = first_lines(len(run)).get(run)
            if where is not None:
                warned.add(unit.line)
                yield (
                    unit.line,
                    (
                        f"warning: {unit.level.label} words {' '.join(run)!r} are also written in "
                        f"public text at line {where + first_line - 1}; the leak audit "
                        "cannot search for them"
                    ),
                )
                break


AUDIT_WINDOW = 8
AUDIT_SHORTEST = 3


def runs(ws: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Return the runs of words the audit searches for: every 8 in a row, or all of 3 to 7."""
    if len(ws) >= AUDIT_WINDOW:
        return [ws[i : i + AUDIT_WINDOW] for i in range(len(ws) - AUDIT_WINDOW + 1)]
    return [ws] if len(ws) >= AUDIT_SHORTEST else []


def cross_references(ast: Ast, lines: list[str]) -> Iterator[Found]:
    """Yield each link to a heading of this report that its readers could not follow: to no
    heading at all, or to one withheld from them (its text or id would be a leak)."""
    headings: list[tuple[Audience, str, str]] = []
    links: list[tuple[Audience, str, str]] = []

    def visit(node: Node, level: Audience) -> None:
        if node["t"] == "Header":
            text = json_ast.stringify(node["c"][2], notes=False)
            headings.append((level, node["c"][1][0] or json_ast.heading_id(text), text.casefold()))
        elif node["t"] == "Link" and node["c"][2][0].startswith("#"):
            text = json_ast.stringify(node["c"][1], notes=False)
            links.append((level, node["c"][2][0][1:], text))

    json_ast.walk_levels(ast["blocks"], visit)
    for level, name, text in links:
        found = [lv for lv, ident, title in headings if ident == name or (not name and title
                 == text.casefold())]  # fmt: skip
        line = _line_of(lines, f"(#{name})" if name else f"[{text}]")
        if not found:
            yield line, f"link to #{name or text}: no heading of this report has that id"
        elif min(found) > level:
            yield (
                line,
                (
                    f"link to #{name or text} points to a heading withheld from its readers "
                    f"({min(found).label}); link to a public heading, or withhold the link too"
                ),
            )
