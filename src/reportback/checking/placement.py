"""The rules that read where words are written, not where pandoc resolved them to (the limits
on size and nesting are in `limits`).

Each returns problems as (body offset or line, message); `rules.BodyChecker` names the file.
"""

from __future__ import annotations

import functools
import html
import re
import urllib.parse
from collections.abc import Iterator, Sequence
from typing import Any

from reportback.audit.search import vocabulary_runs
from reportback.checking import intent
from reportback.checking.attempts import (
    BRACES,
    COMMENT_OPEN,
    attempted_mark,
    attempted_record,
    marked_as_written,
    marked_tag,
)
from reportback.checking.regions import Regions, words
from reportback.model import Ast, Audience
from reportback.pandoc import json_ast
from reportback.pandoc.json_ast import Node

ABRUPT_COMMENT = re.compile(r"<!---?>")
"""`<!-->` and `<!--->`: closed at once for HTML and CommonMark, text for pandoc."""

Found = tuple[int, str]
"""A problem at a body line (1-based)."""
RAW = ("RawBlock", "RawInline")


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
        ends = [at for at in (opened, body.find("\n\n", closed)) if at >= 0]
        again = body.find("-->", closed + 3, min(ends, default=len(body)))
        if again >= 0:  # `<!-- a --> Jo Bloggs -->`: meant to end at the second, perhaps
            yield (
                body.count("\n", 0, again) + 1,
                (
                    "a --> after an HTML comment has ended: a comment ends at its first -->, "
                    "so the words before this one are published; end the comment once"
                ),
            )
    seen: set[str] = set()
    for node in json_ast.structure(ast["blocks"]):  # words have no text of their own here
        for text, what in _texts(node):
            yield from _mark_like(text, what, lines, seen)


def _texts(node: Node) -> Iterator[tuple[str, str]]:
    """Yield the texts of a node that pandoc did not read as marks, each with what it is:
    "code": code and raw text, shown as written (a fence with a mark's word in it is an
    attempt: an indented fence is a code block; `<!--` is none);
    "raw": a leaf's text, as written;
    "text": a leaf's words, where a tag with a mark's word is text (`<span &#99;lass=…>`);
    "attribute": never shown as written (attribute values, links' addresses and titles)."""
    kind = node["t"]
    if kind in ("CodeBlock", "Code") or (kind in RAW and not json_ast.is_comment(node)):
        yield node["c"][1], "code"
    elif kind == "DefinitionList":  # its terms: words in no leaf block (as `read_labels`)
        for term, _ in node["c"]:
            parts: list[str] = []
            _text_into(parts, term)
            yield "".join(parts), "raw"
    elif kind in json_ast.LEAVES:
        written = _inline_text(node)
        yield written, "raw"
        if "<" in written:  # a tag in its words is in its text too: without `<`, none to read
            yield json_ast.stringify(node["c"][2] if kind == "Header" else node["c"]), "text"
    found = json_ast.attr(node)
    if found is not None:
        yield from ((value, "attribute") for _, value in found[2])
    if kind in ("Link", "Image"):
        yield urllib.parse.unquote(node["c"][2][0]), "attribute"  # the address, and the title
        yield node["c"][2][1], "attribute"


CHECKS = {
    "code": lambda text: intent.fenced_in_code(text) or attempted_mark(text),
    "raw": lambda text: attempted_mark(text) or attempted_record(text),
    "text": marked_tag,
    "attribute": marked_as_written,
}


def _mark_like(text: str, what: str, lines: list[str], seen: set[str]) -> Iterator[Found]:
    found = CHECKS[what](text)
    if found is None or found in seen:
        return
    seen.add(found)
    if found.startswith(":::") and what == "code":
        yield (
            intent.indented_line(lines, found) or line_of(lines, found),
            (
                f"{found!r} is in code (a line indented four spaces or a tab, or a code or "
                "<pre> block), so it withholds nothing: all of the block would be published "
                "as written; start the fence at the start of its line"
            ),
        )
        return
    if not found.startswith(("{", ".", "#")):  # a fence, a comment or a tag
        fix = FENCE_FIX if found.startswith(":::") else "remove it"
        yield (
            line_of(lines, found.split()[0][:40], text),
            f"{found[:40]!r} would be published as written, withholding nothing; {fix}",
        )
        return
    if attempted_record(found) == found:
        yield (
            line_of(lines, found.rstrip("}")[:40], text),
            f"{found!r} looks like a decision or a vote, but pandoc read it as text: it would "
            "be published as written, and no vote recorded; attach it to the heading with no "
            'space around = (## Item {decision="Agreed by 22 votes to 8" vote=for})',
        )
        return
    line = line_of(lines, found.rstrip("}")[:40], text)
    indented = INDENTED_HEADING.match(lines[line - 1]) if 0 < line <= len(lines) else None
    yield (
        line,
        (
            f"{found!r} looks like a withholding mark, but pandoc read it as text (or as "
            "code, math or an attribute's value): it would be published as written. Attach "
            "it with no space, on the same line, outside code and math: "
            "## Heading {.confidential}, ::: confidential, or [words]{.confidential}"
            + (
                "; a heading's # starts its line (indented, pandoc reads it as text)"
                * bool(indented)
            )
            + (CURLY_HINT if CURLY.search(found) else "")
            + (SPACED_HINT if SPACED_VALUE.search(found) else "")
        ),
    )


FENCE_FIX = (
    "a ::: fence opens a div only at a line's start after a blank line: put a blank line "
    "before it, or remove it"
)  # (honest user helper 171: told only to remove it)
CURLY = re.compile("[“”‘’«»„‟‚‛]")
CURLY_HINT = (
    '; write straight quotes (") around a value, and no curly quote or apostrophe in an id '
    "or a class: a word processor's (“…”, ’) are not read, and close each value's quotes"
)  # (honest users 148: a word processor's quotes; 169: a closing quote left out, made curly)
SPACED_VALUE = re.compile(r"""\w=[^"'“‘\s}]+\s+[^=}]*}""")
SPACED_HINT = '; a value holding a space goes in straight quotes (reason="Staffing matter")'
"""`{.confidential reason=Staffing matter}`: pandoc reads no attribute (honest user 169)."""


INDENTED_HEADING = re.compile(r"[ \t]+#{1,6}[ \t]")
"""A heading indented (adversary helper 135): text to pandoc, a heading to CommonMark."""


def headings_in_notes(ast: Ast, lines: list[str]) -> Iterator[Found]:
    """Yield a problem at a marked heading inside a footnote: pandoc's Markdown reader reads
    it, its CommonMark reader reads no heading there, and the rep was told the readers read
    the marks otherwise, at a later line (adversary helper 166)."""
    if not any("^" in line for line in lines):  # no footnote (`[^1]`, `^[…]`): no walk
        return
    for note in json_ast.walk(ast["blocks"]):
        if note["t"] != "Note":
            continue
        for node in json_ast.walk(note["c"]):
            if node["t"] == "Header" and json_ast.mark(node) is not None:
                at = next((n for n, line in enumerate(lines, 1) if NOTE_HEADING.match(line)), 1)
                yield at, ("a heading marked inside a footnote, which one of pandoc's readers "
                           "reads as text: withhold the footnote's words with a ::: div or a "
                           "[span]{.confidential} instead")  # fmt: skip
                return


NOTE_HEADING = re.compile(r"[ \t]+#{1,6}[ \t].*\{[^}]*\.(?:confidential|members)\b")


def _inline_text(node: Node) -> str:
    """Return a leaf block's text, code, math and raw text included (and any note's)."""
    parts: list[str] = []
    _text_into(parts, node["c"][2] if node["t"] == "Header" else node["c"])
    return "".join(parts)


BREAKS = {"Space": " ", "SoftBreak": "\n", "LineBreak": "\n"}
WRITTEN = frozenset({"Code", "Math", "RawInline"})
"""Inlines whose text is a string as written: a mark-like `{…}` in one is published (`$…$`
around `]{.confidential}` makes the span math, for both readers)."""


def _text_into(parts: list[str], value: list[Any]) -> None:
    for item in value:
        if isinstance(item, list):
            _text_into(parts, item)
        elif isinstance(item, dict) and "t" in item:
            kind = item["t"]
            if kind == "Str":
                parts.append(item["c"])
            elif kind in BREAKS:
                parts.append(BREAKS[kind])
            elif kind in WRITTEN:  # code, math and raw text are published as written
                parts.append(item["c"][1])
            elif isinstance(item.get("c"), list):
                _text_into(parts, item["c"])


QUOTES = str.maketrans("“”‘’", "\"\"''")
"""Curly quotes as written straight (pandoc reads `"` in text as `“` or `”`)."""


def line_of(lines: list[str], needle: str, around: str = "") -> int:
    """Return the first line holding `needle` as written, or as pandoc read it (braces drawn
    like braces, entities and escapes, quotes made curly, any run of spaces as one): the
    first holding the line of `around` (a node's text) that holds it, if any does (an earlier
    line may hold the same mark, attached: adversary helper 103), else 1."""
    lines_around = [ln for ln in around.split("\n") if needle in ln and ln.strip() != needle]
    for wanted in [*lines_around[:1], needle]:
        wanted = " ".join(wanted.split("\n")[0].translate(QUOTES).split())
        for number, line in enumerate(lines, start=1):
            read = " ".join(html.unescape(UNESCAPED.sub(r"\1", line)).translate(BRACES)
                            .translate(QUOTES).split())  # fmt: skip
            if wanted in line or wanted in read or _unquoted(wanted) in _unquoted(read):
                return number
    return 1


UNESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
"""A backslash escape, as pandoc reads it (`{\\.confidential}` is text: adversary helper 143)."""


def _unquoted(text: str) -> str:
    """Return text without quotes, as a mark pandoc read as text may be quoted (it dropped
    the quotes of `{class=\t"confidential"}`; adversary helper 104)."""
    return text.replace('"', "").replace("'", "")


def definitions(ast: Ast, regions: Regions) -> Iterator[Found]:
    """Yield each footnote or link whose text or target was written at a higher level than
    where it is used."""
    found: list[Found] = []
    for use in regions.notes:  # a definition is where its line starts, not its first word
        start = regions.body.rfind("\n", 0, use.written) + 1  # (`[^a]: [Jo]{.members} …`)
        used, written = regions.level_at(use.used), regions.level_at(start)
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
        "material; move the definition out or the reference in (a section marked on its "
        "heading runs to the next heading like it, or to the end of the file: before "
        "definitions at the end, a heading such as ## Notes ends it)"
    )


def also_public(
    regions: Regions, confidential: bool, first_line: int, front: Sequence[tuple[str, str]] = ()
) -> Iterator[Found]:
    """Yield a warning for each withheld passage whose words are also written in public text,
    the `front` matter's values (key, text) included.

    The audit cannot tell such words apart from the public ones, so it does not search for
    them; the rep may mean it (an office named in confidence and in public), or not.
    """
    if confidential:
        return
    units = list(regions.units())
    held = [(unit, runs(words(unit.text))) for unit in units if unit.level]
    vocabulary = {word for _, found in held for run in found for word in run}
    shown = regions.units(published=True)  # as the audit counts them (helper 142: a label)
    public = [(f"at line {u.line + first_line - 1}", words(u.text)) for u in shown if not u.level]
    public += [(f"in the front matter's {key}", words(text)) for key, text in front]

    @functools.cache
    def first_lines(n: int) -> dict[tuple[str, ...], str]:
        """Every run of `n` public words all found in withheld runs (no other can be one),
        with where public text first holds it."""
        lines: dict[tuple[str, ...], str] = {}
        for line, ws in public:
            for stretch in vocabulary_runs(ws, vocabulary, n):
                for i in range(len(stretch) - n + 1):
                    lines.setdefault(stretch[i : i + n], line)
        return lines

    warned: set[int] = set()
    for unit, found in held:
        if unit.line in warned:
            continue
        for run in found:
            where = first_lines(len(run)).get(run)
            if where is not None:
                warned.add(unit.line)
                yield (
                    unit.line,
                    (
                        f"warning: {unit.level.label} words {' '.join(run)!r} are also written in "
                        f"public text {where}; the leak audit "
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
