"""The withheld runs a build audits for: every report's, less those public text also holds.

A run whose exact words are also in some report's public text is no evidence of a leak, so
it is dropped. Finding those runs means searching all public text for all runs, and the
audit searches new outputs for all runs: 135,000 runs at a thousand reports. Two records in
the state folder keep this in step with the reports instead of redoing it each build:

- for each report, the runs its public text holds (only a changed report's text is searched
  again, while no report's runs change);
- every run by its words, which loads in a tenth of the time the runs take to make.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from reportback.audit.search import (
    Runs,
    Search,
    Withheld,
    fingerprint,
    group_fingerprint,
    ngram_hits,
)
from reportback.cache import load_stored, save_stored
from reportback.model import Audience, Fragment, Withholding
from reportback.timing import stage

Ref = tuple[str, int]
"""A run by its report and its place in the report's fragments."""


@dataclass(frozen=True)
class _Known:
    key: str
    fingerprint: bytes
    """A fingerprint of the report's fragments."""
    holds: tuple[Ref, ...]
    """The runs (of any report) its public text holds, in order. Kept as a tuple of refs
    shared by every report that holds them (`_shared`): a thousand reports hold 430,000 refs
    but 1,400 distinct ones, and sets of them took ten times as long to load and save."""


VERSION = 3
"""Of the record of the runs each report's public text holds."""
INDEX_VERSION = 4
"""Of the stored index of every run by its words."""


def public_runs(reports: Mapping[str, Withholding], folder: Path | None) -> Runs:
    """Return every report's runs less those also in public text, reusing the records."""
    with stage("audit: runs"):
        known = _load(folder)
        digests = {
            slug: known[slug].fingerprint
            if slug in known and known[slug].key == r.key
            else group_fingerprint(r.fragments)
            for slug, r in reports.items()
        }
        every = fingerprint(repr(sorted(digests.items())))
        index = _StoredIndex.load(folder, every, reports)
        if {s: k.fingerprint for s, k in known.items()} == digests:
            holds = {
                slug: known[slug].holds if known[slug].key == r.key else index.held(r.public)
                for slug, r in reports.items()
            }
        else:
            holds = {slug: index.held(r.public) for slug, r in reports.items()}
        if folder is not None and any(
            slug not in known or known[slug].holds is not holds[slug] for slug in reports
        ):
            kept = {s: _Known(r.key, digests[s], holds[s]) for s, r in reports.items()}
            save_stored(folder / "runs.pickle", VERSION, _shared(kept, known))
    dropped = frozenset().union(*holds.values())
    orders: dict[str, list[int]] = {}
    for slug, order in sorted(dropped):
        orders.setdefault(slug, []).append(order)
    groups = {  # a report's runs: its fragments, less those dropped
        slug: group_fingerprint((), digests[slug].hex(), repr(orders.get(slug, [])))
        for slug in reports
    }

    def made(slug: str) -> list[Withheld]:
        fragments = reports[slug].fragments
        return [Withheld(slug, f, o) for o, f in enumerate(fragments) if (slug, o) not in dropped]

    runs = Runs(groups, made)
    runs.full = lambda: index.search(runs, dropped)
    return runs


def _shared(known: dict[str, _Known], loaded: dict[str, _Known]) -> dict[str, _Known]:
    """Return `known` with each distinct ref one object, which pickle then writes once.

    The refs of what was `loaded` are shared already (pickle kept them so): only the reports
    whose runs were found again are written afresh, with those objects.
    """
    refs = {r: r for r in frozenset().union(*(k.holds for k in loaded.values()))}

    def one(slug: str, k: _Known) -> _Known:
        if slug in loaded and loaded[slug].holds is k.holds:
            return k
        return _Known(k.key, k.fingerprint, tuple(refs.setdefault(r, r) for r in k.holds))

    return {slug: one(slug, k) for slug, k in known.items()}


def _load(folder: Path | None) -> dict[str, _Known]:
    """Return the record of each report's runs (none: all public text is searched again)."""
    known = load_stored(folder / "runs.pickle", VERSION, dict) if folder is not None else None
    return known or {}


class _StoredIndex:
    """Every run of every report by its words, stored beside the records.

    Each entry is the run's words, then its places: report number, order and level. It
    holds the reports by number, the run lengths, and every word of every run (a text that
    no such word is in holds no run).
    """

    def __init__(
        self, entries: dict[str, str], slugs: list[str], lengths: list[int], vocabulary: set[str]
    ) -> None:
        self.entries = entries
        self.slugs = slugs
        self.lengths = lengths
        self.vocabulary = vocabulary

    @classmethod
    def load(
        cls, folder: Path | None, every: bytes, reports: Mapping[str, Withholding]
    ) -> _StoredIndex:
        """Return the index of the runs named `every`: stored, or made (and stored)."""
        path = folder / "runs.index" if folder is not None else None
        stored = load_stored(path, INDEX_VERSION, tuple) if path is not None else None
        if stored is not None and stored[0] == every:
            return cls(*stored[1:])
        index = cls.made(reports)
        if path is not None:
            kept = (every, index.entries, index.slugs, index.lengths, index.vocabulary)
            save_stored(path, INDEX_VERSION, kept)
        return index

    @classmethod
    def made(cls, reports: Mapping[str, Withholding]) -> _StoredIndex:
        slugs = list(reports)
        places: dict[str, list[str]] = {}
        for number, slug in enumerate(slugs):
            for order, f in enumerate(reports[slug].fragments):
                places.setdefault(" ".join(f.words), []).append(f"{number}:{order}:{f.level}")
        lengths = sorted({k.count(" ") + 1 for k in places})
        vocabulary = {word for k in places for word in k.split(" ")}
        return cls({k: ",".join(v) for k, v in places.items()}, slugs, lengths, vocabulary)

    def places(self, words: str) -> Iterator[tuple[str, int, int]]:
        for place in self.entries[words].split(","):
            number, order, level = place.split(":")
            yield self.slugs[int(number)], int(order), int(level)

    @cached_property
    def everything(self) -> _StoredSearch:
        return _StoredSearch(self, None)

    def held(self, public: Iterable[str]) -> tuple[Ref, ...]:
        """Return the runs that `public` text holds, in order."""
        found = ngram_hits(list(public), self.everything, Audience.PUBLIC)
        return tuple(sorted({(w.report, w.order) for w in found}))

    def search(self, runs: Runs, dropped: frozenset[Ref]) -> Search:
        return _StoredSearch(self, runs, dropped)


class _StoredSearch(Search):
    """A search of the stored index; a run found is made from its report's fragments."""

    def __init__(
        self, index: _StoredIndex, runs: Runs | None, dropped: frozenset[Ref] = frozenset()
    ) -> None:
        self.stored = index
        self.runs = runs
        self.dropped = dropped
        """Runs also in public text: found, they are passed over without being made."""
        self.lengths = index.lengths
        self.vocabulary = index.vocabulary
        self.found: dict[str, list[Withheld]] = {}
        """The runs of each entry looked up: the same words recur in a thousand outputs."""

    def lookup(self, words: tuple[str, ...]) -> list[Withheld]:
        key = " ".join(words)
        if key not in self.stored.entries:
            return []
        if key not in self.found:
            self.found[key] = self._made(key, words)
        return self.found[key]

    def _made(self, key: str, words: tuple[str, ...]) -> list[Withheld]:
        places = self.stored.places(key)
        if self.runs is None:  # every run, dropped or not: stand-ins that name its place
            return [Withheld(s, Fragment(Audience(lv), words, key), o) for s, o, lv in places]
        kept = [(s, o) for s, o, _ in places if (s, o) not in self.dropped]
        return [w for s, o in kept if (w := self.runs.by_order(s).get(o)) is not None]
