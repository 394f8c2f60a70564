"""Every report redacted, each once: from the cache when unchanged, the rest on both cores."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from functools import partial
from typing import Any

from reportback import cache as cachemod
from reportback.build.check_all import progress
from reportback.build.fork import shared
from reportback.cache import Cache
from reportback.errors import ExternalFailure
from reportback.model import (
    Ast,
    Audience,
    Checked,
    Decision,
    Document,
    Fragment,
    Image,
    Item,
    Placeholders,
    RedactedReport,
    Redaction,
    Withholding,
)
from reportback.redaction.redact import public_text, redact

Redacted = tuple[Redaction, Withholding]
_Light = dict[Audience, tuple[tuple[Item, ...], str, tuple[Image, ...], tuple[Decision, ...]]]
"""A redaction as the cache keeps it: each audience's version less its document (kept apart,
read only when rendered) and its source (the report, which the build holds already)."""


def redact_all(
    checked: Sequence[Checked],
    placeholders: Placeholders,
    regions: tuple[str, ...],
    cache: Cache,
    show_progress: bool = False,
) -> dict[str, Redacted]:
    """Redact every report, by slug, in the order given.

    A report the cache holds is read back from it; the rest are redacted, and stored there.
    Redaction is Python, so it runs on one core at a time: it is shared with a forked child
    (`fork.shared`), which sends back what it made.
    """
    around = cachemod.key("redact settings", asdict(placeholders), regions)  # hashed once
    keys = {c.source.slug: _key(c, around) for c in checked}
    one = partial(_redact_cached, keys=keys, placeholders=placeholders, regions=regions,
                  cache=cache)  # fmt: skip
    missing = [c for c in checked if cache.size("redact", keys[c.source.slug]) is None]

    def redact_some(reports: Sequence[Checked]) -> list[Redacted]:
        return [one(c) for c in progress(reports, show_progress, "redacting", len(reports))]

    made = shared(missing, redact_some, "redacting")
    done = {c.source.slug: r for c, r in zip(missing, made, strict=True)}
    return {c.source.slug: done.get(c.source.slug) or one(c) for c in checked}


def _key(checked: Checked, around: str) -> str:
    source = checked.source
    images = sorted((n, asdict(i)) for n, i in checked.images.items())
    return cachemod.key("redact", source.sha256, str(source.path), source.slug, images, around)


def _redact_cached(
    checked: Checked,
    keys: dict[str, str],
    placeholders: Placeholders,
    regions: tuple[str, ...],
    cache: Cache,
) -> Redacted:
    """Redact a report, or reuse its redaction from an unchanged earlier run (same inputs).

    Returns the redaction, without its fragments, and what the report withholds: its
    fragments and public text, read back from the cache only when the audit needs them.
    """
    source = checked.source
    name = keys[source.slug]
    light: _Light | None = _stored_light(cache.get_pickle("redact", name))
    if light is None:
        ast, written = checked.ast, checked.regions
        redaction = redact(source, ast, checked.images, placeholders, regions, written)
        withheld = (redaction.fragments, tuple(public_text(source, written)))
        documents = {a: v.ast for a, v in redaction.versions.items()}
        cache.put_pickle("redacted", name, documents)
        cache.put_pickle("withheld", name, withheld)
        light = {
            a: (v.items, v.summary, v.images, v.decisions) for a, v in redaction.versions.items()
        }
        cache.put_pickle("redact", name, light)
        withholding = Withholding.held(name, *withheld)
    else:
        withholding = Withholding(name, partial(_withheld, cache, name))
    versions = {
        a: RedactedReport(source, a, Document(load=partial(_redacted, cache, name, a)), *fields)
        for a, fields in light.items()
    }  # each document is read back from the cache only when rendered
    return Redaction(versions, ()), withholding


def _stored_light(light: object) -> _Light | None:
    """Return a redaction as the cache keeps it; None if it is not one (not there, or
    unreadable): then the report is redacted again."""
    if not isinstance(light, dict) or not all(
        isinstance(a, Audience) and isinstance(v, tuple) and len(v) == 4 for a, v in light.items()
    ):
        return None
    return light


def _withheld(cache: Cache, name: str) -> tuple[tuple[Fragment, ...], tuple[str, ...]]:
    withheld: tuple[tuple[Fragment, ...], tuple[str, ...]] = _read(cache, "withheld", name)
    return withheld


def _redacted(cache: Cache, name: str, audience: Audience) -> Ast:
    documents: dict[Audience, Ast] = _read(cache, "redacted", name)
    return documents[audience]


def _read(cache: Cache, kind: str, name: str) -> Any:
    """Read a record when it is needed, late in the build: missing or damaged, it cannot be
    made again there, so the build stops with a clear error (not a traceback) and publishes
    nothing."""
    stored = cache.get_pickle(kind, name)
    if stored is None:
        raise ExternalFailure(
            f"the redaction cache lost an entry, or holds a damaged entry, during the build "
            f"({name}); delete .reportback/cache and build again"
        )
    return stored
