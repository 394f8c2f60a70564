"""Characters a report may not hold as written: those no output can hold, dropped, and those
read as a line break by some readers and not by others, or that reorder letters, refused."""

from __future__ import annotations

import re
from pathlib import Path

from reportback.errors import Problem, problem

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
"""Control characters and lone surrogates (`"\\ud800"` in YAML) no XML, HTML, PDF or email
may hold; they are dropped on reading."""
ODD_BREAKS = {
    "\x0b": "a vertical tab (a word processor's line break)",
    "\x0c": "a form feed (a page break)",
    "\x1c": "a file separator", "\x1d": "a group separator",
    "\x1e": "a record separator", "\x1f": "a unit separator",
    "\x85": "a next-line character (U+0085)",
    "\u2028": "a line separator (U+2028)", "\u2029": "a paragraph separator (U+2029)",
}  # fmt: skip
"""Characters some readers take for a line break and others do not: pandoc reads each as a
space (or not at all), YAML reads the last three as line breaks, Python's `splitlines` all
of them. A fence, a label or a key written after one was read as part of the line before
(adversary helper 69: `The panel met.\\u2028::: confidential` published the section)."""
REVERSING = {
    "\u202d": "a left-to-right override (U+202D)", "\u202e": "a right-to-left override (U+202E)"
}  # fmt: skip
"""Characters that show the letters after them in another order: a label written backwards
showed forwards, and was published (`\u202elaitnedifnoC:` reads `Confidential:`; adversary
helper 88)."""
ODD_BREAK = re.compile(f"[{''.join(ODD_BREAKS)}{''.join(REVERSING)}]")


def odd_breaks(text: str, shown: str | Path, first_line: int = 1) -> list[Problem]:
    """Return a problem for each line holding a character read as a line break by some
    readers and not by others (`ODD_BREAKS`), or that reorders letters (`REVERSING`): the
    file is refused, not read two ways."""
    problems = []
    for number, line in enumerate(text.split("\n"), first_line):
        found = ODD_BREAK.search(line)
        if found is None:
            continue
        if found[0] in REVERSING:
            why = (f"{REVERSING[found[0]]} here: it shows the letters after it in another "
                   "order, so what a reader sees is not what is written; take it out")  # fmt: skip
        else:
            why = (f"{ODD_BREAKS[found[0]]} here: some readers take it for a new line and others "
                   "do not, so what follows it (a ::: fence, a label, a key) would be read two "
                   "ways; write a new line, or a space, instead")  # fmt: skip
        problems.append(problem(shown, number, why))
    return problems
