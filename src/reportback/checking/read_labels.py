"""Words that say a part is withheld, as pandoc's Markdown reader reads each public block.

`intent.said_withheld` reads the source line by line. A reader joins what the source splits:
a label in a table's second cell (`| 4 | Confidential: … |`), a phrase wrapped inside a quote
(`> not for` / `> publication`) or a grid table's cell, a word cut by a comment or an empty
span (`Confi<!-- -->dential:`), a lead-in holding a footnote, a span or an image, a label
after a sentence (`The panel met. Confidential: …`), or raw HTML (`<p>Confidential: …</p>`,
where it is allowed). Each was published (an adversary helper's round). Here every public
block's words are read as a reader shows them, withheld spans left out.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

from reportback.checking.intent import FENCES, UNMARKED, says_withheld
from reportback.checking.regions import ATTRIBUTES
from reportback.model import Ast, Audience
from reportback.pandoc import json_ast
from reportback.pandoc.json_ast import Node

Said = tuple[str, tuple[str, ...]]
"""A problem's message, and words to find its line by (the words said, or where a comment
cuts them, the block's longest words)."""
TAG = re.compile(r"<[^<>]*>")
BREAKS = re.compile(r"<\s*/?\s*(?:br|p|div|li|tr|td|th|h[1-6]|hr|blockquote)\b", re.I)
"""A tag that starts a new line for a reader (`Item 4<br>Confidential: …`, adversary helper
76): a label after it starts a line."""
SHOWN = re.compile(
    r"""\b(?:title|alt|aria-label|data-[\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I
)
"""An attribute whose value a reader is shown (a tooltip) or the page's source holds."""
CODE_END = "\x00"
"""Where a code span ends, in a block's words (no report holds it: such characters are
dropped on reading)."""
STRUCK = re.compile("\x01[^\x01\x02]*\x02")
"""Struck-out words, between \x01 and \x02 in a block's words: read, and read left out
(`not ~~really~~ for publication` says `not for publication`; adversary helper 100)."""
TEX = re.compile(r"\\[a-zA-Z]+|\\.|[{}]")
"""A TeX command, escape or brace, which math shows no letters of."""
WORDS = ("Para", "Plain", "Header")
SPACES = frozenset({"Space", "SoftBreak", "LineBreak"})


def said_in_blocks(ast: Ast) -> Iterator[Said]:
    """Yield a problem for each public block whose words, as read, say they are withheld."""
    found: list[Said] = []

    def visit(node: Node, level: Audience) -> None:
        if level != Audience.PUBLIC:
            return
        kind = node["t"]
        if kind in WORDS:
            texts = [_public(node["c"][2] if kind == "Header" else node["c"])]
        elif kind == "LineBlock":
            texts = [_public(line) for line in node["c"]]
        elif kind in ("Link", "Image"):  # its words, as a reader reads them apart
            texts = [_public(node["c"][1])]
        elif kind == "DefinitionList":
            texts = [_public(term) for term, _ in node["c"]]
        elif kind in ("RawBlock", "RawInline") and node["c"][0] == "html":
            raw = json_ast.COMMENTS.sub(" ", node["c"][1])
            texts = [html.unescape(TAG.sub(_tag_as_read, raw))]
            texts += [html.unescape(a or b) for a, b in SHOWN.findall(raw)]
        else:
            texts = []
        attr = json_ast.attr(node)  # values a page's source holds (`data-note="members only"`)
        values = [v for k, v in attr[2] if k not in ("decision", "vote")] if attr else []
        if kind in ("Link", "Image"):  # its title: `[…](url "Confidential")`, a tooltip: read
            texts.append(node["c"][2][1])  # as words are (`"private"`; adversary helper 96)
        texts = [r for t in texts for r in _readings(t)]
        for text, alone in [(t, True) for t in texts] + [(v, False) for v in values]:
            said = says_withheld(text, title=kind == "Header", alone=alone)
            if said is not None:
                longest = sorted(text.split(), key=len, reverse=True)[:2]
                found.append((f"{said!r} {UNMARKED}", (said, *longest)))

    json_ast.walk_levels(ast["blocks"], visit)
    yield from found


def _readings(text: str) -> list[str]:
    """Return a block's words as a reader reads them: a code span joined to the words around
    it, and set apart from them; struck-out words read, and left out (one reading each)."""
    texts = [text]
    if "\x01" in text:
        left_out = text
        while STRUCK.search(left_out):  # the innermost first: struck inside struck
            left_out = STRUCK.sub("", left_out)
        texts = [text.replace("\x01", "").replace("\x02", ""), re.sub(r"[ \t]+", " ", left_out)]
    if CODE_END in text:
        return [t.replace(CODE_END, sep) for t in texts for sep in ("", "·")]
    return texts


def _tag_as_read(tag: re.Match[str]) -> str:
    return "\n" if BREAKS.match(tag[0]) else " "


def _public(inlines: list[Any]) -> str:
    """Return the words of inlines as a reader shows them, withheld spans and notes left
    out, nothing put between words a comment or an empty span cuts."""
    parts: list[str] = []
    _into(inlines, parts)
    return re.sub(r"\s+", _space, "".join(parts)).strip()


def _space(run: re.Match[str]) -> str:
    """A run of spaces as one: a line break if it holds one (a label after it starts a line)."""
    return "\n" if "\n" in run[0] else " "


def _into(value: list[Any], parts: list[str]) -> None:
    for item in value:  # a list of inlines (or of lists of them), walked in one loop a list
        if not isinstance(item, dict):
            if isinstance(item, list):
                _into(item, parts)
            continue
        kind = item.get("t")
        if kind == "Str":
            parts.append(item["c"])
        elif kind == "LineBreak" or (kind == "RawInline" and BREAKS.match(item["c"][1])):
            parts.append("\n")
        elif kind in SPACES:
            parts.append(" ")
        elif kind == "Code":  # read joined and set apart: ``Confi`d`ential:``, ``x `y`Conf…``
            parts.append(item["c"][1] + CODE_END)
        elif kind == "Math":  # as shown: `Conf$\text{idential}$:` (adversary helper 88)
            parts.append(TEX.sub("", item["c"][1]))
        elif kind in ("Note", "RawInline") or kind is None:
            continue
        elif kind in json_ast.ATTR_AT and (json_ast.mark(item) or Audience.PUBLIC) > 0:
            parts.append(" ")
        elif kind in ("Link", "Image"):
            _into(item["c"][1], parts)
        elif kind == "Strikeout":
            parts.append("\x01")
            _into(item["c"], parts)
            parts.append("\x02")
        elif isinstance(content := item.get("c"), list):
            _into(content, parts)


QUOTES = str.maketrans("‘’“”", "''\"\"")
"""Quotes as written: pandoc makes them curly."""


def line_of(lines: list[str], said: str, *words: str) -> int | None:
    """Return the line of a label a block says: one holding it whole, else one holding its
    first word and one of the block's `words`, or its first word (not only a word it shares
    with another line: the same label was refused twice, once at a line of other text;
    adversary helper 77's `## Helpline launched` before `## Helpline (confidential)`); a
    mark's words left out (an attribute block, a fence: `## Panel {.confidential}` is not where
    `###### Confidential` is said; adversary helper 96). None if no line holds it."""
    shown = [" ".join(FENCES.sub(" ", ATTRIBUTES.sub(" ", line)).casefold().translate(QUOTES)
                      .split()) for line in lines]  # fmt: skip
    said = " ".join(said.casefold().translate(QUOTES).split())  # as written: pandoc makes
    # quotes curly, and a run of blanks shows as one (`## In\tcamera`: adversary helper 104)
    whole = [n for n, line in enumerate(shown, 1) if said in line]
    own = [w.casefold() for w in words if w.casefold() not in said]  # the block's, not the label's
    if whole:  # the label as said (`## Helpline (confidential)`, not `## Helpline launched`),
        both = [n for n in whole if any(w in shown[n - 1] for w in own)]  # on its block's line
        return (both or whole)[0]  # (helper 148: "handled in confidence, by…" above it)
    said = (said.split() or [said])[0]
    holding = [n for n, line in enumerate(shown, 1) if said in line]
    both = [n for n in holding if any(w.casefold() in shown[n - 1] for w in words)]
    return (both or holding)[0] if holding else None
