"""The withheld runs a build audits for: every report's, less those public text also holds.

A run whose exact words are also in some report's public text is no evidence of a leak, so
it is dropped. Finding those runs means searching all public text for all runs: about a
second at a thousand reports. A record in the state folder keeps, for each report, the runs
its public text holds; while no report's runs change, only a changed report's public text is
searched again, and only for the runs it could hold.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .audit import Runs, Withheld, _ngram_hits, _Search, group_digest
from .cache import write_atomic
from .model import Audience, Fragment
from .timing import stage
from .tree import words

Ref = tuple[str, int]
"""A run by its report and its place in the report's fragments."""


@dataclass(frozen=True)
class Withholding:
    """What one report adds to the audit: its withheld runs and its public text."""

    key: str
    """Names the report's redaction: the same key, the same fragments and public text."""
    fragments: tuple[Fragment, ...]
    public: tuple[str, ...]


@dataclass(frozen=True)
class _Known:
    key: str
    digest: bytes
    """A digest of the report's fragments."""
    holds: frozenset[Ref]
    """The runs (of any report) its public text holds."""


VERSION = 1


def public_runs(reports: Mapping[str, Withholding], record: Path | None) -> Runs:
    """Return every report's runs less those also in public text, reusing the record."""
    with stage("audit: runs"):
        known = _load(record)
        digests = {
            slug: known[slug].digest
            if slug in known and known[slug].key == r.key
            else group_digest(r.fragments)
            for slug, r in reports.items()
        }
        same_runs = {s: k.digest for s, k in known.items()} == digests
        if same_runs:
            holds = {
                slug: known[slug].holds if known[slug].key == r.key else _held(r.public, reports)
                for slug, r in reports.items()
            }
        else:
            holds = _all_held(reports)
        if record is not None and (not same_runs or any(
            known[s].holds is not holds[s] for s in reports
        )):  # fmt: skip
            kept = {s: _Known(r.key, digests[s], holds[s]) for s, r in reports.items()}
            write_atomic(record, pickle.dumps((VERSION, kept), pickle.HIGHEST_PROTOCOL))
    dropped = frozenset(ref for refs in holds.values() for ref in refs)
    orders: dict[str, list[int]] = {}
    for slug, order in sorted(dropped):
        orders.setdefault(slug, []).append(order)
    groups = {  # a report's runs: its fragments, less those dropped
        slug: group_digest((), digests[slug].hex(), repr(orders.get(slug, []))) for slug in reports
    }

    def made(slug: str) -> list[Withheld]:
        fragments = reports[slug].fragments
        return [Withheld(slug, f, o) for o, f in enumerate(fragments) if (slug, o) not in dropped]

    return Runs(groups, made)


def _load(record: Path | None) -> dict[str, _Known]:
    try:
        if record is not None and record.is_file():
            version, known = pickle.loads(record.read_bytes())
            if version == VERSION and isinstance(known, dict):
                return known
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
        pass  # an unreadable record only means searching all public text again
    return {}


def _all_held(reports: Mapping[str, Withholding]) -> dict[str, frozenset[Ref]]:
    """Search every report's public text for every run."""
    search = _Search(_every_run(reports))
    held = {}
    for slug, report in reports.items():
        hits = _ngram_hits(
            list(report.public), search.index, search.lengths, Audience.PUBLIC, search.vocabulary
        )
        held[slug] = frozenset((w.report, w.order) for w in hits)
    return held


def _held(public: Iterable[str], reports: Mapping[str, Withholding]) -> frozenset[Ref]:
    """Search one report's public text for every run: look each run up among its word runs."""
    longest = max((len(f.words) for r in reports.values() for f in r.fragments), default=0)
    grams: set[tuple[str, ...]] = set()
    for text in public:
        ws = words(text)
        for n in range(1, longest + 1):
            grams.update(ws[i : i + n] for i in range(len(ws) - n + 1))
    return frozenset(
        (slug, order)
        for slug, r in reports.items()
        for order, f in enumerate(r.fragments)
        if f.level > Audience.PUBLIC and f.words in grams
    )


def _every_run(reports: Mapping[str, Withholding]) -> list[Withheld]:
    return [
        Withheld(slug, f, order)
        for slug, r in reports.items()
        for order, f in enumerate(r.fragments)
    ]
