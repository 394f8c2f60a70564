"""Pandoc's warnings on a report body, said as reportback's own problems are."""

from __future__ import annotations

import re

from reportback.pandoc.worker import Warning_

KEY = re.compile(r"key '([^']*)'")
POSITION = re.compile(r"\s*(?:at )?line \d+ column \d+")


def message(warning: Warning_) -> str:
    """Return what to tell the writer of a warning pandoc logged reading their report."""
    if warning.kind == "UnclosedDiv":
        return "unclosed ::: fence: this fenced div is never closed"
    if warning.kind == "NoteDefinedButNotUsed" and (key := KEY.search(warning.message)):
        return (f"footnote [^{key[1]}] is written but nothing refers to it: refer to it in the "
                f"text with [^{key[1]}], or take it out")  # fmt: skip
    return f"pandoc: {POSITION.sub('', warning.message).strip()}"
