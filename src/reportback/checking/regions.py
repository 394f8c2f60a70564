"""Where the words are written: every character of a body is public, members or confidential.

Pandoc's Markdown reader resolves footnote and link definitions across the whole document,
so its tree no longer says where a word was written. Pandoc's `commonmark_x` reader with
`+sourcepos` gives every element its source range; the marks it reads (`{.confidential}`,
`{.members}` on a heading, a fenced div or a span) decide the level of each character of the
body. What the audit searches for, what counts as "also public", and where a footnote or link
definition was written are all read from those characters, never from a resolved tree
(`source_reader` reads them from that AST).
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from reportback.checking.shapes import Wording
from reportback.model import Audience
from reportback.pandoc import json_ast
from reportback.pandoc.json_ast import Node

ATTRIBUTES = re.compile(r"\{[^{}\n]*\}?")
"""An attribute block as written, `{.confidential reason="…"}` (an unclosed one too)."""
SYNTAX = re.compile(
    r"\[\^[^\]\n]*\]:?"  # footnote labels and references
    r"|^[ \t>]*(?:[-*+]|\d+[.)]|#+|:{3,}[^\n]*|~{3,}[^\n]*|`{3,}[^\n]*|\[[^\]\n]*\]:)(?=\s|$)",
    re.M,
)
"""Markdown syntax that is not words: labels, list and heading markers, fences, definitions."""
ESCAPE = re.compile(r"\\(?=[^\w\s])")
UNSHOWN = re.compile(
    r"(!\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\()[ \t]*(?:<[^>\n]*>|[^\s)]*)"  # ![alt](file)
    r"|^((?:[ \t>]|[-*+:][ \t]|\d+[.)][ \t])*)\[[^\]\n]*\]:[^\n]*"  # [ref]: address "title"
    r"(?:\n[ \t>]*(?:\"[^\"\n]*\"|'[^'\n]*'|\([^)\n]*\))[ \t]*$)?"  # its title, on its own line
    r"|(\]\[)[^\]\n]+(?=\])",  # [words][label]: the label
    re.M,
)
"""What an output never shows of public text: an image's file (an output names it by its
digest, `img-….png`), a link's label (`[words][label]`: adversary helper 140), and a link or
image definition, which shows only where something uses it (a used one's address and title
are in that link's output; one never used, or used only in withheld material, is in none:
helpers 137, 138). Words written there are no evidence that withheld words saying the same
are public."""
ADDRESS = re.compile(r"[a-z][a-z0-9+.-]*:", re.I)
"""An address with a scheme (`https:`, `mailto:`): a link's, never an image's (a file);
where a definition is used, its address is in that link's output (adversary helper 150: a
build refused what `check` passed, a public address said again in withheld text)."""
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
    word_levels: bytes = b""
    """The level of each of those words, as the source reader's marks say (kept, and left
    out, with them)."""

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
            "wording": self.wording, "word_levels": self.word_levels,
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
            bytes(stored["word_levels"]),
        )

    def without_wording(self) -> Regions:
        """Return these regions without the words (what a checked report's record keeps)."""
        return replace(self, wording=None, word_levels=b"")

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

    def units(self, published: bool = False) -> Iterator[Unit]:
        """Yield every line, table cell and paragraph of the body, each at the level written;
        if `published`, without what no output shows of it (an image's file name)."""
        for level, start, text in self._stretches():
            shown = UNSHOWN.sub(r"\1\2\3", text) if published else text
            yield from _units(level, self.line_of(start), shown)
        for at, target in self.links if published else ():  # a used definition's address
            written = self.written_at(target) if ADDRESS.match(target) else None  # is its
            if written is not None:  # link's (not an image's: a file), at its use's level or
                level = max(self.level_at(at), written)  # where written (the audit's to find
                yield from _units(level, self.line_of(at), target)  # if in withheld text)

    def marked_units(self) -> Iterator[Unit]:
        """Yield the lines and paragraphs of each withheld range on its own: a span marked
        inside a withheld section is a phrase of its own too (adversary helper 140: within
        its section's paragraph, only that paragraph's runs of eight were searched)."""
        for start, end, level in self.spans:
            if level:
                yield from _units(Audience(level), self.line_of(start), self.body[start:end])

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


def _wording(stored: Any) -> Wording | None:
    if stored is None:
        return None
    text, runs = stored
    return text, tuple((a, n) for a, n in runs)
