"""A label's word as a reader reads it however it is typed: one slip of a key away
(`Confidentail`, `Mmebers`, `Sercet`, `Pirvate`) or cut into pieces (`Con-fi-den-tial`,
`Con·fi·den·tial`, `Con’fidential`). Each was published (adversary helper 88). `intent` reads
each word of a line so before its patterns read the line.
"""

from __future__ import annotations

import re
import string

KEYWORDS = (
    "confidential", "confidentially", "members", "member", "secret", "private", "embargoed",
    "publication", "publish", "restricted", "internal", "only",
)  # fmt: skip
"""The words of labels read through one slip of a key (a letter added, dropped, changed or
two swapped)."""
REAL = frozenset({
    "embers", "ember", "secrete", "secrets", "secreta", "privates", "embargoes", "interval",
    "infernal", "internals", "oily", "inly", "publications", "publicatio", "onlay",
})  # fmt: skip
"""Words one slip from a label's that are words of their own."""
PIECES = re.compile(r"[^\W\d_]+(?:[-‐‑·.|’'`][^\W\d_]+)*")
"""A word, or a word cut by hyphens, stops, bars or apostrophes between its letters."""
CUTS = re.compile(r"[-‐‑·.|’'`]")


def _slips(word: str) -> set[str]:
    """Return every spelling one slip of a key from `word`."""
    letters = string.ascii_lowercase
    out = {word[:i] + word[i + 1 :] for i in range(len(word))}
    out |= {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    out |= {word[:i] + c + word[i + 1 :] for i in range(len(word)) for c in letters}
    out |= {word[:i] + c + word[i:] for i in range(len(word) + 1) for c in letters}
    return out


MISSPELT = {
    slip: word for word in reversed(KEYWORDS) for slip in _slips(word)
    if slip not in REAL and slip not in KEYWORDS
}  # fmt: skip
"""Each slip, with the label's word it is read as."""


def _read(word: str) -> str | None:
    """Return the label's word a word (or its pieces) reads as, if it is one written
    otherwise; else None."""
    if not 3 <= len(word) <= 40:  # no slip of a key is shorter; none cut is so long
        return None
    joined = word.lower() if word.isalpha() else CUTS.sub("", word).lower()
    if joined in KEYWORDS:
        return joined if joined != word.lower() else None
    return MISSPELT.get(joined)


def misspelt(line: str) -> bool:
    """Whether a line holds a label's word written otherwise."""
    return any(_read(word) is not None for word in PIECES.findall(line))


def respelt(line: str) -> str:
    """Return a line with each label's word written otherwise written as it is spelt."""
    return PIECES.sub(lambda m: _read(m[0]) or m[0], line)
