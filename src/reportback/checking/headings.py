"""Headings a writer may not see as headings, though both of pandoc's readers do.

A withheld section runs from its marked heading to the next heading of its level or higher,
or to the end of the list, quote, div or definition that holds it. Held-out rounds 15 to 18
ended sections early, and published what followed, with headings nobody reads as headings
(underlined text, `###`, `ーーー`, `# of cases`) and with containers that end where the
writer's indentation slips. In a report with a mark, each is refused.

Each rule yields problems as (body line, message), as `readers` does.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from reportback.checking import intent, nearmiss
from reportback.checking.regions import Regions
from reportback.model import VOTES, Audience
from reportback.pandoc import json_ast
from reportback.pandoc.json_ast import Node

Found = tuple[int, str]

SCRIPTS = ("LATIN", "GREEK", "CYRILLIC", "ARMENIAN", "HEBREW", "ARABIC", "DEVANAGARI",
           "BENGALI", "GURMUKHI", "GUJARATI", "TAMIL", "TELUGU", "KANNADA", "MALAYALAM",
           "SINHALA", "THAI", "GEORGIAN", "HIRAGANA", "KATAKANA", "HANGUL SYLLABLE",
           "CJK UNIFIED IDEOGRAPH", "ETHIOPIC")  # fmt: skip
"""The scripts whose letters count as a heading's words: scripts of many shapes drawn like
dashes, dots, bars and pipes (Ogham, Runic, Tifinagh, Canadian syllabics, Hangul jamo) or
letters that show as nothing (Hangul fillers) do not."""
STROKES = frozenset("一丨丶丿乀乁亅ǀǁǂǃꞏ")
"""Letters of a counted script that are drawn as a single stroke, bar or dot."""
BARS = frozenset("IlıӀاוΙ")
"""Letters drawn as a bar: a heading of these alone (`# I`) shows as a rule."""
ENUMERATOR = re.compile(r"\(?(?:[a-z]|[ivxlc]+)[.)]")
"""An item's letter before a title (`a)`, `(ii)`, `i.`, `c.`): the title is the next word."""
LEADING = frozenset(" \t*_[`!<\\~^#\"'“‘’«(¿¡§ʻ•‣◦▪∙·–—-")
"""What may come before a title's first word: Markdown, quotes, brackets, ¿, ¡, §, ʻ, a
bullet or a dash pasted with it (`## •⇥Any other business`: honest user helper 148)."""
MARKUP = re.compile(r"[*_`$\"“”~^\\]|(?<![^\W\d_])['‘’]")
"""Emphasis, code, math and quotes around a heading's first word: not its letters (an
apostrophe after a letter is: `a’ Chomhairle`)."""
ANCHOR = re.compile(r"\[\]\{[^{}\n]*\}")
"""An empty span, which shows nothing: Word's bookmark before a heading's text (`# []{#_Toc2
.anchor}Any other business`: honest user helper 148)."""
DIGITS = frozenset("0123456789")
YEAR = re.compile(r"(?:19|20)\d\d\b")
"""A year, or a financial year (`2025/26`): a heading's words, though it has no letters."""
PARTICLES = frozenset(
    ["de", "van", "von", "der", "den", "da", "di", "du", "la", "le", "al", "el", "ibn", "bin"]
)
"""Lowercase words a name may start with (`de Montfort University`)."""
NUMBERS = ("VULGAR FRACTION", "ROMAN NUMERAL")
"""Numbers besides 0-9 a title may start with (½, Ⅳ); not digits drawn as dots (٠, ¹)."""


def underlined(marked: bool, regions: Regions) -> Iterator[Found]:
    """Yield a problem at each heading written as a line of text underlined (`---`, `===`,
    a lone `-`): both readers read it as a heading, so it ends the section above it, where a
    writer sees a line of text, a rule or a list."""
    if not marked:
        return
    for _, at, _, _ in regions.headings:
        if not regions.body.startswith("#", at):
            yield (
                regions.line_of(at),
                (
                    "a line of text underlined with ---, === or a lone - is a heading, and "
                    "ends the section above it; in a report with a mark, write each heading "
                    "with # on one line (## Heading), put a blank line before a rule (---), "
                    "and start a list item with its words on the marker's line (- item)"
                ),
            )


def unseen(marked: bool, blocks: list[Any], regions: Regions) -> Iterator[Found]:
    """Yield a problem at each heading with no words a reader sees (`###` as a press
    release's end mark, `## {#id}`, `# 1`, `ーーー`, `$\\Box$`), and at each that ends
    withheld material without starting like a title (`# of cases: 12`, `# | Ward`)."""
    if not marked:
        return
    levels = regions.levels
    shown = [_shown(node) for node in json_ast.structure(blocks) if node["t"] == "Header"]
    for (_, at, _, _), text in zip(regions.headings, shown, strict=False):
        if not _ends_withheld(regions.body, levels, at):
            continue  # it ends nothing withheld: what follows is public as written
        if not has_words(text) and not YEAR.match(text.strip()):
            yield (
                regions.line_of(at),
                (
                    "a heading with no words (a line starting with #, such as ### as an end "
                    "mark, # 1, or ## {#id}) ends the section above it, and what follows it "
                    "is published; give it words, or write \\# to keep a # as text"
                ),
            )
        elif not _like_a_title(regions.body, at):
            yield (
                regions.line_of(at),
                (
                    f"{_line_from(regions.body, at)[:40]!r} is a heading (a # and a space at "
                    "the start of a line), and ends the withheld material above it: what "
                    "follows it is published; start a heading with a capital letter or a "
                    "number, or write \\# to keep a # as text ('\\# of cases')"
                ),
            )


def cut_short(marked: bool, blocks: list[Any], lines: list[str]) -> Iterator[Found]:
    """Yield a problem at each marked heading whose section ends with the list item, quote,
    div or definition holding it, where what follows is not a heading: a line indented one
    space short falls out of the item, and a blank line splits a quote in two, so what the
    writer meant to withhold would be published."""
    if not marked:
        return
    for words in [*_cut_short(blocks, None), *_in_raw_html(blocks)]:
        yield (
            words_line_in(lines, words),
            (
                "this withheld section is inside a list item, quote, div or definition, and "
                "ends where that ends, but what follows is not a heading, so it would be "
                "published; indent all of the section alike (as far as the heading's text), "
                "keep a quote's lines joined with >, and follow the container with a heading "
                "of the section's level or higher (a heading inside raw HTML such as "
                "<blockquote> is the report's own, and ends the section)"
            ),
        )


def record_problem(kind: str, key: str, value: str) -> str | None:
    """Return what is wrong with a decision= or vote= attribute (or a near miss of one), if
    anything: a decision is published in the record, so one that says it is withheld
    (`decision="Confidential: expelled"`) is refused as a heading's words are."""
    if key not in ("decision", "vote"):
        return (f"attribute {key}= looks like decision= or vote= but is not one; write "
                "exactly decision=… or vote=… (lower case), or rename it")  # fmt: skip
    if kind != "Header":
        return f"{key}= only works on a heading (an agenda item)"
    if key == "vote" and value not in VOTES:
        return f"vote={value!r} is not a vote: write one of {', '.join(VOTES)}"
    if key == "decision" and not any(c.isalnum() for c in value):  # `\u200b`: helper 129
        return 'decision= is empty: say what was decided, e.g. decision="Agreed"'
    said = intent.says_withheld(value, title=True) if key == "decision" else None
    return f"decision={value[:40]!r}: {said!r} {intent.UNMARKED}" if said else None


def has_words(text: str) -> bool:
    """Whether a heading's text holds a word a reader sees: a letter of a counted script
    (`SCRIPTS`), not a stroke, a filler or a modifier letter."""
    return bool(_letters(text) - BARS)


TERM = {"t": "Para"}
"""What follows a term's last definition when another term follows: no heading."""
VOID = frozenset(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "source", "track", "wbr"])  # fmt: skip
TAG = re.compile(r"<(/?)([A-Za-z][\w-]*)[^>]*?(/?)>")


def _cut_short(blocks: list[Any], after: Node | None) -> Iterator[tuple[str, ...]]:
    """Yield the words of each marked heading in `blocks` whose section runs to their end,
    where `after` (what follows the container, None at the end of the report) is not a
    heading; and the same in every container within."""
    open_: list[tuple[int, tuple[str, ...]]] = []
    for n, block in enumerate(blocks):
        following = blocks[n + 1] if n + 1 < len(blocks) else after
        if block["t"] == "Header":
            open_ = [(level, words) for level, words in open_ if level < block["c"][0]]
            if json_ast.mark(block):
                open_.append((block["c"][0], json_ast.words(json_ast.stringify(block["c"][2]))))
        for inner, inner_after in _contents(block, following):
            yield from _cut_short(inner, inner_after)
    if after is not None:
        closing = after["c"][0] if after["t"] == "Header" else 0
        yield from (words for level, words in open_ if not 0 < closing <= level)


def _contents(block: Node, following: Node | None) -> Iterator[tuple[list[Any], Node | None]]:
    """Yield each list of blocks a block holds, with what follows it."""
    kind = block["t"]
    if kind in ("BulletList", "OrderedList"):
        items = block["c"] if kind == "BulletList" else block["c"][1]
        for n, item in enumerate(items):
            yield item, _first(items[n + 1]) if n + 1 < len(items) else following
    elif kind == "BlockQuote":
        yield block["c"], following
    elif kind == "Div":  # a marked div's fence ends its withholding where the writer wrote it
        yield block["c"][1], None if json_ast.mark(block) is not None else following
    elif kind == "DefinitionList":
        terms = block["c"]
        for t, (_, definitions) in enumerate(terms):
            for n, definition in enumerate(definitions):
                last = t + 1 == len(terms)
                later = following if last else TERM
                yield definition, _first(definitions[n + 1]) if n + 1 < len(definitions) else later


def _first(blocks: list[Any]) -> Node:
    return blocks[0] if blocks else TERM


def _in_raw_html(blocks: list[Any]) -> Iterator[tuple[str, ...]]:
    """Yield the words of each heading written between a raw HTML tag and its end tag
    (`<blockquote>` … `</blockquote>`): pandoc reads it as the report's own heading."""
    depth = 0
    for node in json_ast.structure(blocks):
        if node["t"] == "RawBlock" and node["c"][0] == "html":
            for close, name, empty in TAG.findall(node["c"][1]):
                if not empty and name.lower() not in VOID:
                    depth = max(depth - 1, 0) if close else depth + 1
        elif node["t"] == "Header" and depth:
            yield json_ast.words(json_ast.stringify(node["c"][2]))


def _shown(node: Node) -> str:
    """A heading's text as shown: without math and code, whose letters are commands."""
    return json_ast.stringify([
        n for n in node["c"][2] if not (isinstance(n, dict) and n.get("t") in ("Math", "Code"))
    ], notes=False)  # fmt: skip


def _letters(text: str) -> set[str]:
    return {c for c in text if c.isalpha() and c not in STROKES and _counted(c)}


def _counted(character: str) -> bool:
    name = unicodedata.name(character, "")
    return unicodedata.category(character) != "Lm" and name.startswith(SCRIPTS)


def _ends_withheld(body: str, levels: bytes, at: int) -> bool:
    """Whether the text just before `at` (spaces aside) is withheld from what is at `at`."""
    before = len(body[:at].rstrip())
    return before > 0 and levels[before - 1] > levels[min(at, len(levels) - 1)]


def _line_from(body: str, at: int) -> str:
    end = body.find("\n", at)
    return body[at:] if end < 0 else body[at:end]


def words_line_in(lines: list[str], written: tuple[str, ...]) -> int:
    """Return the first line holding all of `written` (1 if none does)."""
    return next((n for n, text in enumerate(lines, start=1)
                 if all(w in text.casefold() for w in written)), 1)  # fmt: skip


def _like_a_title(body: str, at: int) -> bool:
    """Whether the heading written at `at` starts like a title: after its #s, Markdown,
    quotes and symbols (£, ✅), a first word that starts with a capital letter, a letter of a
    script without capitals, a digit 0-9, ½ or Ⅳ (or is like eBay: a capital inside)."""
    line = ANCHOR.sub("", _line_from(body, at))
    start = next((n for n, c in enumerate(line) if not _leading(c)), len(line))
    word = MARKUP.sub("", (line[start:].split() or [""])[0])  # `*continued:*`, `$x$`, `'and'`
    # are read by their letters (adversary helper 152: their markup made them like `e-petitions`)
    if word.startswith(("…", "...")) or (word[:1] == "@" and _letters(word)):
        return True  # …and finally; @uklabour statement
    if ENUMERATOR.fullmatch(word):  # a) Finance, (ii) Apologies, c. 200 members
        word = (line[start:].split()[1:2] or [""])[0]
    first = word[:1]
    if not first:
        return False
    if first in DIGITS or unicodedata.name(first, "").startswith(NUMBERS):
        return True
    case = unicodedata.category(first) if first in _letters(first) else ""
    if case in ("Lu", "Lt", "Lo"):
        return True
    following = (line[start:].split()[1:2] or [""])[0]
    return (
        case == "Ll"
        and (
            any(c.isupper() or c in "-." for c in word.rstrip(".,:;!?")[1:])  # eBay, e-petitions
            or (word in PARTICLES and following[:1].isupper())  # de Montfort University
            or (len(_letters(word)) <= 2 and _mutated(word, following))
        )
    )


def _mutated(particle: str, following: str) -> bool:
    """Whether a short lowercase word leads a Celtic title: an elided article (`a’
    Chomhairle`) or a word whose capital comes after a mutation (`i mBéal Feirste`)."""
    return particle.endswith(("’", "'")) or any(c.isupper() for c in following[1:])


def _leading(character: str) -> bool:
    if "\u2500" <= character <= "\u259f":  # box drawing and blocks: a table's bars
        return False
    kind = unicodedata.category(character)
    return character in LEADING or kind in ("So", "Sc", "Sk", "Ps", "Mn", "Me", "Cf")


def id_problem(node: Node, ident: str) -> str | None:
    """Say what is wrong with an element's id, if anything: a near miss of a mark (but a
    heading's own, the one pandoc makes of its words: helper 141), or an id on a heading
    spelled from the words it withholds, which the id would publish (`## Hearing on [5
    December]{.confidential} {#hearing-on-5-december}`, in lower case too, where one or two
    words are too few for the audit: adversary helper 142)."""
    if node["t"] == "Header" and (spelled := _spelled(node, ident)):
        return (
            f"identifier #{ident} is spelled from words the heading withholds ({spelled}), "
            "and is published wherever the heading is: name it from its words shown"
        )
    if not json_ast.own_id(node) and nearmiss.is_near_id(ident, node["t"] in ("Span", "Div")):
        return nearmiss.message(f"identifier #{ident}")
    return None


def _spelled(node: Node, ident: str) -> str:
    """Return a word of a heading's withheld words, not among its words shown, that its id
    holds ('' if none): a word of the id, or, from three letters, inside one."""
    inlines = node["c"][2]
    withheld = {w for n in json_ast.walk(inlines) if json_ast.mark(n) is not None
                for w in json_ast.words(json_ast.stringify(n["c"][1], notes=False))}  # fmt: skip
    shown = set(json_ast.words(json_ast.visible_text(inlines, Audience.PUBLIC)))
    named = json_ast.words(ident.replace("_", " "))
    squeezed = "".join(named)
    found = [w for w in sorted(withheld - shown) if w in named or (len(w) >= 3 and w in squeezed)]
    return found[0] if found else ""
