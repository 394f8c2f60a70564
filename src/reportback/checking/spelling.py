"""A label's word as a reader reads it however it is typed: one slip of a key away
(`Confidentail`, `Mmebers`, `Sercet`, `Pirvate`) or cut into pieces (`Con-fi-den-tial`,
`Con·fi·den·tial`, `Con’fidential`). Each was published (adversary helper 88). `intent` reads
each word of a line so before its patterns read the line.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator

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
CUT = re.escape("-‐‑·.|’'`˗⁃‧•ー⸺⸻ـ,/…()[]+ʼ")
PIECES = re.compile(rf"[^\W\d_]+(?:[{CUT}]{{1,3}}[^\W\d_]+)*")
"""A word, or a word cut by hyphens, stops, bars, apostrophes, dots, commas, slashes or
brackets between its letters (`Con˗fidential`, `Members•only`, `Confi/dential`, `Membersʼ`:
adversary helpers 170 and 173)."""
CUTS = re.compile(f"[{CUT}]")
LONGEST_CUT = 4
"""The most pieces a space cuts a label's word into that are read joined (`Con fi den tial`)."""


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


def _read(piece: re.Match[str]) -> str | None:
    """Return the label's word a word (or its pieces) reads as, if it is one written
    otherwise; else None."""
    word = piece[0]
    if not 3 <= len(word) <= 40:  # no slip of a key is shorter; none cut is so long
        return None
    plain = word.isascii() and word.isalpha()  # most words: no cut (ـ and ー are letters)
    joined = word.lower() if plain else CUTS.sub("", word).lower()
    if joined in KEYWORDS:
        return joined if joined != word.lower() else None
    parts = [] if plain else [p for p in CUTS.split(word.lower()) if p]  # `Members·only`:
    if len(parts) > 1 and all(p in KEYWORDS for p in parts) and not ADDRESS.search(_whole(piece)):
        return " ".join(parts)  # two label words
    return MISSPELT.get(joined)


ADDRESS = re.compile(r"[.][^\W\d_]+[.@]|[@/]")
"""What a word holds if it is (part of) an address (`members.only@…`: honest user helper
133's; `Members.only:` is a label's two words)."""


def _whole(piece: re.Match[str]) -> str:
    """Return a piece with the character after it if that goes on as an address does (`@`,
    or a stop and a letter), which `_read` reads as an address's."""
    after = piece.string[piece.end() : piece.end() + 2]
    if after[:1] not in ("@", ".") or after == ".":  # most pieces
        return piece[0]
    return piece[0] + after[0] if after[0] == "@" or after[1].isalnum() else piece[0]


def _runs(pieces: list[re.Match[str]]) -> Iterator[tuple[int, int, str]]:
    """Yield each run of up to `LONGEST_CUT` pieces a space apart that joined make a label's
    word (`Confi dential`, `Con fi den tial`; not `members only`): its start, end and the
    word."""
    for i, first in enumerate(pieces):
        if first[0].lower() not in STARTS:
            continue
        joined, end = first[0].lower(), first.end()
        for piece in pieces[i + 1 : i + LONGEST_CUT]:
            if piece.start() != end + 1 or not piece.string[end].isspace():
                break
            joined, end = joined + piece[0].lower(), piece.end()
            if joined in KEYWORDS:
                yield first.start(), end, joined
                break
            if joined not in STARTS:
                break


def misspelt(line: str) -> bool:
    """Whether a line holds a label's word written otherwise."""
    pieces = list(PIECES.finditer(line))
    if any(_read(piece) is not None for piece in pieces):
        return True
    return next(_runs(pieces), None) is not None  # cut by a space: `respelt` joins it


STARTS = frozenset(k[:i] for k in KEYWORDS for i in range(1, len(k)))
"""What a label's word cut in pieces may start with."""


def respelt(line: str) -> str:
    """Return a line with each label's word written otherwise written as it is spelt."""
    line = PIECES.sub(lambda m: _read(m) or m[0], line)
    out, at = [], 0
    for start, end, joined in _runs(list(PIECES.finditer(line))):
        if start >= at:
            out += [line[at:start], joined]
            at = end
    return "".join([*out, line[at:]])
