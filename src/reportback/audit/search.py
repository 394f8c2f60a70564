"""The withheld runs, indexed by their words, and the search of a text for them.

A text is read as a reader could read it (markup as source and as visible text), in words
folded for case, accents and punctuation (`json_ast.words`); a run is found where its words
follow one another.
"""

from __future__ import annotations

import hashlib
import html
import re
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from reportback.model import Audience, Fragment
from reportback.pandoc.json_ast import folded, words

FEW = 200
"""Runs few enough (a build after one report's withheld text changed searches every output for
that report's runs only) that a text is first looked through for a word of each: most texts
hold none, and are not split into words (adding a report with a confidential section to the
bench's 1,000: audit 7.7 s to 5.8 s, build 10.7 s to 8.6 s). Many runs (a full audit) would
make that look slower than splitting the words."""
SQUEEZED_SHORTEST = 24
"""Shorter fragments are only matched word by word: squeezed, they would match inside words."""
TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True, slots=True)
class Withheld:
    """A fragment and the report it was withheld from."""

    report: str
    fragment: Fragment
    order: int = 0
    """Position in the report, so the first leak in reading order is the one named."""


def streams(text: str) -> list[str]:
    """Return the texts a reader could see in a piece of markup: source and visible text,
    and its addresses' %-escapes decoded (`…/jo%20smith%2Dsuspended`: adversary helper 138)."""
    once = html.unescape(text)
    twice = html.unescape(TAG.sub(" ", once))
    return [html.unescape(once), TAG.sub(" ", twice), *unescaped(once)]


PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")


def unescaped(text: str) -> list[str]:
    """Return the text with its %-escapes decoded, if it has any (an address's), as often
    as they make more (`%2520`: adversary helper 140)."""
    out: list[str] = []
    while PERCENT.search(text) and len(out) < MOST_ESCAPED:
        out.append(text := urllib.parse.unquote(text))
    return out


MOST_ESCAPED = 3
"""How many times over an address's escapes are decoded."""


class Runs:
    """The withheld runs to search for, by report, each report's with a digest of its runs.

    Two audits that give a report the same digest search for the same runs of it. A build's
    runs are made only when a search needs them (most pieces are known clean).
    """

    def __init__(self, groups: Mapping[str, bytes], made: Callable[[str], list[Withheld]]):
        self.groups = dict(groups)
        self.made = made
        self.cache: dict[str, list[Withheld]] = {}
        self.orders: dict[str, dict[int, Withheld]] = {}
        self.full: Callable[[], Search] | None = None
        """Makes the search for every run, if it has a quicker way than making each run."""

    @classmethod
    def given(cls, withheld: Iterable[Withheld]) -> Runs:
        by_report: dict[str, list[Withheld]] = {}
        for item in withheld:
            by_report.setdefault(item.report, []).append(item)
        groups = {r: group_fingerprint(w.fragment for w in items) for r, items in by_report.items()}
        return cls(groups, lambda report: by_report.get(report, []))

    def of(self, report: str) -> list[Withheld]:
        if report not in self.cache:
            self.cache[report] = self.made(report) if report in self.groups else []
        return self.cache[report]

    def by_order(self, report: str) -> dict[int, Withheld]:
        if report not in self.orders:
            self.orders[report] = {w.order: w for w in self.of(report)}
        return self.orders[report]

    def all(self, reports: Iterable[str] | None = None) -> list[Withheld]:
        return [w for r in (self.groups if reports is None else reports) for w in self.of(r)]


def group_fingerprint(fragments: Iterable[Fragment], *more: str) -> bytes:
    """Return a digest of some withheld runs (their audience and words, in order)."""
    return fingerprint(repr([(int(f.level), f.words) for f in fragments]), *more)


def fingerprint(*parts: str | bytes) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.digest()


class Search:
    """Withheld runs indexed by their words, ready to search texts for."""

    needed: re.Pattern[str] | None = None
    """Finds a word, one of each run's, in a text folded as `words` folds it: a text with
    none of them holds no run (a run's words are all in the text if it holds it). None: a
    text is split into words whatever it holds (runs too many to look for each)."""

    def __init__(self, withheld: list[Withheld]) -> None:
        self.index, self.lengths = _index(withheld)
        self.vocabulary = {word for words_ in self.index for word in words_}
        needed = {max(words_, key=len) for words_ in self.index if words_}
        self.needed = (
            re.compile("|".join(re.escape(w) for w in sorted(needed, key=len, reverse=True)))
            if 0 < len(needed) <= FEW
            else None
        )

    def lookup(self, words: tuple[str, ...]) -> Iterable[Withheld]:
        """Return the runs of exactly these words."""
        return self.index.get(words, ())

    def hits(self, piece: str, pdf: bool, audience: Audience) -> set[Withheld]:
        if not self.lengths:
            return set()
        texts = [piece, *unescaped(piece)] if pdf else streams(piece)
        return ngram_hits(texts, self, audience)


Index = dict[tuple[str, ...], list[Withheld]]


def _index(withheld: list[Withheld]) -> tuple[Index, list[int]]:
    """Return the withheld runs by their words, and the run lengths to look for."""
    index: Index = {}
    for item in withheld:
        index.setdefault(item.fragment.words, []).append(item)
    return index, sorted({len(k) for k in index})


def ngram_hits(texts: list[str], search: Search, audience: Audience) -> set[Withheld]:
    """Return the runs of a higher audience than `audience` that the texts hold."""
    hits: set[Withheld] = set()
    lengths, lookup = search.lengths, search.lookup
    for text in texts:
        if search.needed is not None and not search.needed.search(folded(text)):
            continue  # none of the words some run needs: none of the runs
        for run in vocabulary_runs(words(text), search.vocabulary, lengths[0] if lengths else 1):
            for n in lengths:
                for i in range(len(run) - n + 1):
                    for item in lookup(run[i : i + n]):
                        if item.fragment.level > audience:
                            hits.add(item)
    return hits


def vocabulary_runs(
    ws: tuple[str, ...], vocabulary: set[str] | None, shortest: int
) -> list[tuple[str, ...]]:
    """Split words into runs of words that occur in some fragment (only those can match)."""
    if vocabulary is None:
        return [ws]
    runs: list[tuple[str, ...]] = []
    start = 0
    for i, word in enumerate(ws):
        if word not in vocabulary:
            if i - start >= shortest:
                runs.append(ws[start:i])
            start = i + 1
    if len(ws) - start >= shortest:
        runs.append(ws[start:])
    return runs


def squeezed_hits(texts: list[str], own: list[Withheld], audience: Audience) -> set[Withheld]:
    """Match a report's own fragments ignoring spacing (PDF text may split or join words)."""
    squeezed = ["".join(words(t)) for t in texts]
    hits: set[Withheld] = set()
    for item in own:
        needle = "".join(item.fragment.words)
        long_enough = len(needle) >= SQUEEZED_SHORTEST
        if item.fragment.level > audience and long_enough and any(needle in s for s in squeezed):
            hits.add(item)
    return hits
