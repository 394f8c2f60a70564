"""The build, stage by stage: load/check → select → redact → render → site → audit → publish.

Each stage is done by a module of its own (`check_all`, `redact_all`, `rendering`, `planning`,
`audited`, `swap`), with the values of `model` between them; this one calls them in order.
"""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from reportback import database
from reportback.audit.leaks import Output
from reportback.build import audited, identity, interrupts, publications
from reportback.build.check_all import check_project, hold
from reportback.build.publications import Plan
from reportback.build.redact_all import redact_all
from reportback.build.rendering import render_all
from reportback.build.swap import SWAPS, Staging, commit_all
from reportback.cache import Cache
from reportback.checking import links
from reportback.clps import directory_for
from reportback.config import Config
from reportback.errors import InputRefused, LeakFound, Problem, shown_path
from reportback.model import (
    Audience,
    BuildOptions,
    BuildResult,
    Checked,
    Prepared,
    Selection,
    Survey,
)  # fmt: skip
from reportback.output.templates import Templates
from reportback.timing import stage

__all__ = [  # the library, as the commands and the mail use it
    "BuildOptions", "BuildResult", "Prepared", "Survey", "check", "check_for_leaks",
    "directory_for", "prepare", "run", "select", "survey",
]  # fmt: skip


def check(config: Config, show_progress: bool = False) -> list[Checked]:
    """Validate every report, the meetings register and the templates folder (as a build
    does: adversary helper 120); raise InputRefused listing every problem."""
    Templates.of(config)
    checked = check_project(config, directory_for(config), show_progress)
    identity.no_copies([c.source for c in checked], {})  # as a build refuses them
    if (config.path("state") / database.FILE).is_file():  # and an id: the ledger knows not
        now = datetime.now(UTC)  # (honest user helper 148: `check` passed, `build` refused)
        going = {c.source.slug for c in select(checked, now, drafts=False).published}
        with database.opened(config.path("state")) as db:
            publications.plan(db, [c.source for c in checked], now, going)
    return checked


def survey(config: Config, options: BuildOptions) -> Survey:
    """Run load/check → select, and decide each report's id; raise InputRefused on problems."""
    directory = directory_for(config)
    templates = Templates.of(config)
    held: dict[str, list[Problem]] | None = {} if options.hold_back else None
    with stage("check"):
        checked = check_project(config, directory, options.progress, held)
    with database.opened(config.path("state")) as db:
        checked, chosen, plan = _decided(db, checked, options, held)
    problems = tuple(p for found in (held or {}).values() for p in found)
    return Survey(directory, templates, tuple(checked), chosen, plan, problems)


def _decided(
    db: sqlite3.Connection,
    checked: list[Checked],
    options: BuildOptions,
    held: dict[str, list[Problem]] | None,
) -> tuple[list[Checked], Selection, Plan]:
    """Choose each report's fate and decide its identity. Given `held` (`digest send`), a
    report the identities refuse (a copy, an id twice) is left out, named there, and the rest
    decided again: it stopped every digest (an adversary helper's finding)."""
    while True:
        chosen = select(checked, options.now, options.drafts, options.embargoed)
        going_out = {c.source.slug for c in chosen.published}
        sources = [c.source for c in checked]
        try:
            _no_names_too_soon(chosen)
            plan = publications.plan(db, sources, options.now, going_out, frozenset(held or ()))
            return checked, chosen, publications.shown_ids(plan, chosen.published)
        except InputRefused as refused:
            named = {Path(p.path).stem for p in refused.problems} - set(held or ())
            if held is None or not named & {s.slug for s in sources}:
                raise
            hold(held, refused.problems)
            checked = [c for c in checked if c.source.slug not in held]


def _no_names_too_soon(chosen: Selection) -> None:
    """Refuse a report going out now that links to one still embargoed (it names it)."""
    linking = [(c.source, c.anchors) for c in chosen.published if c.anchors is not None]
    found = links.naming_embargoed(linking, [c.source for c in chosen.embargoed])
    if found:
        raise InputRefused(found)


def select(
    checked: list[Checked], now: datetime, drafts: bool, embargoed: bool = False
) -> Selection:
    """Decide each report's fate at `now` (with `embargoed`, an embargoed one is shown, marked,
    among the drafts: the rep's preview)."""
    published: list[Checked] = []
    all_drafts: list[Checked] = []
    embargoed_list: list[Checked] = []
    confidential: list[Checked] = []
    for item in checked:
        meta = item.source.meta
        if meta.confidential:
            confidential.append(item)
        elif meta.status == "draft":
            all_drafts.append(item)
        elif meta.publish_at is not None and meta.publish_at > now:
            (all_drafts if embargoed else embargoed_list).append(item)
        else:
            published.append(item)
    return Selection(
        tuple(published), tuple(all_drafts), tuple(embargoed_list), tuple(confidential), drafts
    )


def prepare(
    config: Config,
    options: BuildOptions,
    audiences: tuple[Audience, ...] = (Audience.PUBLIC,),
    surveyed: Survey | None = None,
    only: frozenset[str] | None = None,
    text: bool = False,
) -> Prepared:
    """Run survey → redact → render; render only the slugs in `only`, if given, and with
    their plain text if `text`.

    Every report is redacted (from the cache when unchanged), so the audit always knows
    every withheld run, whichever reports are rendered.
    """
    ready = surveyed or survey(config, options)
    placeholders = ready.templates.placeholders(config.redaction.placeholders)
    cache = Cache(config.path("state") / "cache")
    with stage("redact"):
        redacted = redact_all(ready.checked, placeholders, ready.directory.regions, cache,
                              options.progress)  # fmt: skip
    shown = [c for c in ready.chosen.shown if only is None or c.source.slug in only]
    rendered = render_all(config, ready, redacted, shown, audiences, options.progress, text)
    withheld = audited.withheld(config, ready, redacted, placeholders, options.now)
    return Prepared(ready.directory, ready.templates, ready.checked, ready.chosen, ready.plan,
                    ready.held, withheld, rendered)  # fmt: skip


GC_THRESHOLDS = (50_000, 50, 50)
"""How rarely the build looks for cycles: its millions of small containers (the documents)
hold none, and at Python's default (700, 10, 10) looking cost seconds of a cold build."""


def run(config: Config, options: BuildOptions) -> BuildResult:
    """Build the site; on any refusal, raise and leave the published outputs untouched."""
    usual = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        ready = prepare(config, options)
        gc.freeze()  # all made so far lasts the build: not scanned (nor, forked, copied)
        try:
            return _publish(config, options, ready)
        finally:
            gc.unfreeze()
    finally:
        gc.set_threshold(*usual)


def _publish(config: Config, options: BuildOptions, ready: Prepared) -> BuildResult:
    """Run site → audit → publish: make, audit and publish the site and the feeds of reports
    `prepare`d."""
    from reportback.build.planning import Planner  # what makes outputs: a no-op never loads it

    records = config.path("state") / "published"
    trees: list[Staging] = []
    planner: Planner | None = None
    pdfs: audited.Beside | None = None
    try:
        site = Staging(config.path("site"), records / "site.pickle")
        feeds = Staging(config.path("feeds"), records / "feeds.pickle")
        trees = [site, feeds]  # the site first: a feed never links to a page not there
        with stage("audit"):
            auditor = audited.auditor(ready, config.path("state"), "build")
        held = partial(site.holds, trust=auditor.trust)
        planner = Planner(config, ready, options.now, held)
        unread = [p for p in planner.pdfs if not (p.key and held(p.name, p.key))]
        pdfs = audited.Beside(auditor, unread)  # audited beside the rest, if they are many
        files = audited.audit_and_stage(planner.plans(site, feeds), auditor, pdfs)
        if not options.drafts:  # a preview records no publication
            _record(config, ready.plan.rows)  # the instants, kept if the swap never happens
        with stage("publish"):
            interrupts.hold()  # a Ctrl-C from here on waits: nothing is left half recorded
            changed = commit_all(trees, auditor.trust, config.path("state") / SWAPS)
        if not options.drafts:  # only now, with the site in place, are they published
            _went_live(config, ready, options.now)
    finally:
        if planner is not None:
            planner.close()
        if pdfs is not None:
            pdfs.close()
        for tree in trees:
            tree.discard()
    return _result(ready, files, any(changed))


def _record(config: Config, rows: Iterable[identity.ReportRow]) -> None:
    with database.opened(config.path("state")) as db:
        publications.record(db, rows)


def _went_live(config: Config, ready: Prepared, now: datetime) -> None:
    """Stamp the reports published, now on the site; take any no longer published out of
    the messages waiting, even those a send under way has read (it reads each again)."""
    published = ready.chosen.published
    with database.opened(config.path("state")) as db:
        publications.went_live(db, {c.source.slug: c.source.sha256 for c in published})
        ids = {ready.plan.publications[c.source.slug].id for c in published}
        publications.drop_withdrawn(db, now, ids)


def _result(ready: Prepared, files: int, changed: bool) -> BuildResult:
    chosen = ready.chosen
    return BuildResult(
        published=tuple(sorted(c.source.slug for c in chosen.published)),
        embargoed=tuple(sorted(c.source.slug for c in chosen.embargoed)),
        drafts=tuple(sorted(c.source.slug for c in chosen.drafts)),
        withheld=tuple(sorted(c.source.slug for c in chosen.confidential)),
        files=files,
        changed=changed,
        next_embargo=min(
            (c.source.meta.publish_at for c in chosen.embargoed if c.source.meta.publish_at),
            default=None,
        ),
        warnings=(*(str(w) for c in ready.checked for w in c.warnings), *_early(chosen)),
        marks=_marks(chosen.shown),
        sources=tuple(sorted((c.source.slug, c.source.sha256) for c in chosen.published)),
        renamed=ready.plan.renamed,
    )


def _early(chosen: Selection) -> Iterator[str]:
    """Say which reports a build whose time is ahead of the clock (`--now`) published before
    their embargo ends (adversary helper 147: `--now 2026-12-21` for `2026-12-12`)."""
    clock = datetime.now(UTC)
    for c in chosen.published:
        if c.source.meta.publish_at is not None and c.source.meta.publish_at > clock:
            yield (
                f"{shown_path(c.source.path)}: published before its embargo ends "
                f"({c.source.meta.publish_at.isoformat()}) by this machine's clock, as this "
                "build's time (--now) is later; build again without --now to take it off"
            )


def _marks(shown: Iterable[Checked]) -> tuple[int, int, int]:
    counts = [c.marks for c in shown]
    return (sum(c[0] for c in counts), sum(c[1] for c in counts), sum(c[2] for c in counts))


def check_for_leaks(
    files: Iterable[Output], ready: Prepared, state_dir: Path, kind: str = "build"
) -> None:
    """Raise LeakFound if any output holds withheld text of a higher audience."""
    leaks = audited.auditor(ready, state_dir, kind).check_all(files)
    if leaks:
        raise LeakFound(leaks)
