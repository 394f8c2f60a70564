"""Pipe-table rows with more cells than the table has columns.

Pandoc drops a pipe-table row's cells after the last column without a word, so nothing reads
them: a `|` inside a cell (`[Robert Smith | deputy]{.members}`) cuts a mark off the words it
withholds, and those words are published (held-out round 47). A row with too many cells is
refused.

Cells are counted as pandoc's Markdown reader splits them: at every `|` that is not escaped
(`\\|`) and not inside a code span. Pipes in math or comments are counted too, so such a row
may be refused although nothing is dropped; the fix is the same (`\\|`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from reportback.checking.regions import Regions

Found = tuple[int, str]

PREFIX = re.compile(r"^[ \t>]*")
"""What a table's lines start with in a quote or a list (not part of a cell)."""
TICKS = re.compile(r"`+")


def crowded(regions: Regions) -> Iterator[Found]:
    """Yield a problem for each pipe-table row with more cells than its delimiter row."""
    body = regions.body
    for kind, start in regions.blocks:
        if kind != "Table":
            continue
        lines = body[start:].split("\n")
        rows = [PREFIX.sub("", line) for line in _table(lines)]
        if len(rows) < 2:
            continue
        columns = cells(rows[1])
        first = regions.line_of(start)
        for number, row in enumerate(rows):
            found = cells(row)
            if number != 1 and found > columns:
                yield (
                    first + number,
                    (
                        f"this table row has {found} cells but the table has {columns} "
                        f"columns: pandoc drops the cells after the last column unread, so "
                        f"nothing would check or withhold their words; write a | inside a "
                        f"cell as \\| (a [span] or a mark cut by | is cut in two)"
                    ),
                )


def _table(lines: list[str]) -> list[str]:
    """Return a table's lines: up to the first blank one."""
    found = []
    for line in lines:
        if not PREFIX.sub("", line).strip():
            break
        found.append(line)
    return found


def cells(row: str) -> int:
    """Return how many cells pandoc's Markdown reader splits a pipe-table row into."""
    text = row.strip()
    separators = []
    at = 0
    while at < len(text):
        char = text[at]
        if char == "\\":
            at += 2
            continue
        if char == "`":
            ticks = TICKS.match(text, at)
            assert ticks is not None
            closing = _closing(text, ticks.end(), len(ticks[0]))
            at = closing if closing is not None else ticks.end()
            continue
        if char == "|":
            separators.append(at)
        at += 1
    count = len(separators) + 1
    if separators and separators[0] == 0:
        count -= 1
    if separators and separators[-1] == len(text) - 1 and len(text) > 1:
        count -= 1
    return max(count, 1)


def _closing(text: str, after: int, length: int) -> int | None:
    """Return where a code span opened by `length` backticks ends (after its closing run)."""
    for run in TICKS.finditer(text, after):
        if len(run[0]) == length:
            return run.end()
    return None
