"""The reports a digest can show: those a build has put on the site, rendered for readers."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from reportback import database
from reportback.build import pipeline, unchanged
from reportback.config import Config
from reportback.errors import shown_path
from reportback.model import Audience, Published

Wanted = Callable[[dict[str, Published], int], set[str]]
"""Picks the reports to render from those listed, told the lowest stamp held back (or 0)."""


def library(
    config: Config, now: datetime, wanted: Wanted | None = None, settled: bool = False
) -> tuple[pipeline.Prepared, dict[str, Published]]:
    """Return the reports published by a build so far, rendered for both reader audiences.

    Every published report is listed; only those `wanted` picks from that list (all, if
    not given) are rendered and returned: a send renders just the reports its digests show.
    """
    options = pipeline.BuildOptions(now=now, hold_back=True)
    surveyed = pipeline.survey(config, options)
    for problem in surveyed.held:
        say(f"{problem} (held back from digests until it is fixed and built)")
    listed, held = _catalogue(config, surveyed, settled)
    ids = set(listed) if wanted is None else wanted(listed, held)
    only = frozenset(listed[i].slug for i in ids if i in listed)
    audiences = (Audience.PUBLIC, Audience.MEMBERS)
    ready = pipeline.prepare(config, options, audiences, surveyed, only, text=True)
    versions = {a: {r.slug: r for r in ready.rendered[a]} for a in ready.rendered}
    out = {
        i: replace(listed[i], versions={a: versions[a][listed[i].slug] for a in versions})
        for i in sorted(ids & set(listed))
    }
    return ready, out


SAID: set[str] | None = None
"""What this process has said, if it says each thing once (the daemon: it sends every few
seconds while a report is held back, and said so each time, 35,000 lines a day: adversary
helper 139)."""


def say(message: str) -> None:
    """Print `message` to stderr (once in this process, where `SAID` is kept)."""
    if SAID is None or message not in SAID:
        print(message, file=sys.stderr)
    if SAID is not None:
        SAID.add(message)


def _catalogue(
    config: Config, surveyed: pipeline.Survey, settled: bool
) -> tuple[dict[str, Published], int]:
    """List the reports a build has published by now, by id (not yet rendered), as written
    when it published them: one whose file has changed since is held back, and named on
    stderr, until a build publishes it as it is (a digest is made from the file as it is
    now, and must hold only what the site shows). Return them and the lowest stamp held
    back (0 if none). One the state is unsure was mailed (`unsure`) is held back too, unless
    the send has just `settled` that (a dry run's copy of the state settles it, not the state
    read here)."""
    built = unchanged.published(config)
    with database.opened(config.path("state")) as db:
        recorded = {
            slug: (datetime.fromisoformat(at), seq)
            for slug, at, seq in db.execute(
                "SELECT slug, published_at, seq FROM reports "
                "WHERE seq IS NOT NULL AND published_at IS NOT NULL"
            )
        }
        unsure = [] if settled else db.execute("SELECT slug, id FROM unsure").fetchall()
    by_slug = {slug for slug, known in unsure if known is None}  # (not yet recorded)
    by_id = {known for _, known in unsure if known is not None}
    out: dict[str, Published] = {}
    held: list[int] = []
    for item in surveyed.chosen.published:
        slug, meta = item.source.slug, item.source.meta
        if slug not in recorded:  # never built, renamed since, or its build stopped early
            say(
                f"{shown_path(item.source.path)}: not yet published by a build under this "
                "name; held back from digests until `reportback build` publishes it"
            )
            continue
        publication = surveyed.plan.publications[slug]
        if slug in by_slug or publication.id in by_id:
            say(
                f"{shown_path(item.source.path)}: the site showed it before the state had a "
                "record of it (a lost or older state); held back from digests until "
                "`reportback digest send --restored mailed|unmailed` says whether it was mailed"
            )
            held.append(recorded[slug][1])
            continue
        if built.get(slug) != item.source.sha256:
            say(
                f"{shown_path(item.source.path)}: changed since the last build published it; "
                "held back from digests until `reportback build` publishes it as it is now"
            )
            held.append(recorded[slug][1])
            continue
        at, seq = recorded[slug]
        out[publication.id] = Published(
            publication.id, slug, at, meta.clps, meta.regions, {}, seq, item.source.sha256
        )
    return out, min(held, default=0)
