"""The build, stage by stage: load → check → redact → render → site → audit → publish."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from reportback import cache as cachemod
from reportback import database
from reportback.audit.leaks import Auditor, Output, PdfText, Verdicts
from reportback.audit.withheld import Withholding, public_runs
from reportback.build import publications, unchanged
from reportback.build.check_all import load_and_check, progress
from reportback.build.fork import Aside
from reportback.build.redact_all import Redacted, redact_all
from reportback.build.swap import Staging
from reportback.cache import Cache
from reportback.checking.rules import Checked
from reportback.clps import Directory, load_directory
from reportback.config import Config
from reportback.errors import ExternalFailure, InputRefused, LeakFound
from reportback.model import (
    Audience,
    Image,
    Publication,
    RedactedReport,
    RenderedReport,
    StoredPdf,
)
from reportback.output import images, search_index
from reportback.output.feeds import FeedFile, FeedWriter
from reportback.output.render import RenderSettings, render
from reportback.output.site import Outputs, ReportView, SiteBuilder, report_page, view
from reportback.output.templates import Templates
from reportback.pandoc import json_ast
from reportback.pandoc.worker import Pandoc, Pandocs
from reportback.record import pages as record_pages
from reportback.record import register
from reportback.timing import stage

FEEDS = "feeds/"
"""How feed files are named in the audit (they are published to the feeds folder)."""


@dataclass(frozen=True)
class BuildOptions:
    now: datetime
    drafts: bool = False
    progress: bool = False
    embargoed: bool = False
    """The rep's preview: embargoed reports are shown too, marked as drafts are."""


@dataclass(frozen=True)
class BuildResult:
    published: tuple[str, ...]
    embargoed: tuple[str, ...]
    drafts: tuple[str, ...]
    withheld: tuple[str, ...]
    files: int
    changed: bool
    next_embargo: datetime | None = None
    warnings: tuple[str, ...] = ()
    """What passed but the rep should know, as `file:line: warning: …` lines."""
    marks: tuple[int, int, int] = (0, 0, 0)
    """The sections, blocks and spans withheld from the reports shown."""


@dataclass(frozen=True)
class Selection:
    """Which reports go out now, which are shown as drafts, and which stay hidden."""

    published: tuple[Checked, ...]
    drafts: tuple[Checked, ...]
    embargoed: tuple[Checked, ...]
    confidential: tuple[Checked, ...]
    show_drafts: bool

    @property
    def shown(self) -> tuple[Checked, ...]:
        return self.published + (self.drafts if self.show_drafts else ())

    @property
    def hidden(self) -> tuple[Checked, ...]:
        return self.embargoed + self.confidential + (() if self.show_drafts else self.drafts)


def directory_for(config: Config) -> Directory:
    return load_directory(config.path("clps") if config.paths.clps else None)


def check(config: Config, show_progress: bool = False) -> list[Checked]:
    """Validate every report and the meetings register; raise InputRefused listing every
    problem."""
    return _with_register(config, partial(_checked, config, directory_for(config), show_progress))


def _with_register(config: Config, work: Callable[[], list[Checked]]) -> list[Checked]:
    """Run `work` and check the meetings register; raise the problems of both at once."""
    problems = []
    try:
        register.load(config.root)
    except InputRefused as exc:
        problems = exc.problems
    try:
        done = work()
    except InputRefused as exc:
        if not problems:
            raise
        raise InputRefused(problems + exc.problems, exc.hint, exc.outcome) from None
    if problems:
        raise InputRefused(problems)
    return done


def _checked(config: Config, directory: Directory, show_progress: bool) -> list[Checked]:
    cache = Cache(config.path("state") / "cache")
    raw_html = config.redaction.allow_raw_html
    reports = config.path("reports")
    return load_and_check(reports, directory, cache, raw_html, show_progress)


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


@dataclass(frozen=True)
class Survey:
    """Every report checked and chosen, with its identity and publication decided."""

    directory: Directory
    templates: Templates
    checked: tuple[Checked, ...]
    chosen: Selection
    plan: publications.Plan


@dataclass(frozen=True)
class Prepared(Survey):
    """Every report surveyed and redacted; rendered for the audiences asked for."""

    withheld: dict[str, Withholding]
    """What each report withholds, and its text that is public by its marks (for the audit)."""
    rendered: dict[Audience, tuple[RenderedReport, ...]]


def survey(config: Config, options: BuildOptions) -> Survey:
    """Run load → check → select, and decide each report's id; raise InputRefused on problems."""
    directory = directory_for(config)
    templates = Templates(config.path("templates"))
    with stage("check"):
        checked = _with_register(config, partial(_checked, config, directory, options.progress))
    chosen = select(checked, options.now, options.drafts, options.embargoed)
    going_out = {c.source.slug for c in chosen.published}
    db = database.connect(config.path("state"))
    plan = publications.plan(db, [c.source for c in checked], options.now, going_out)
    db.close()
    return Survey(directory, templates, tuple(checked), chosen, plan)


def prepare(
    config: Config,
    options: BuildOptions,
    audiences: tuple[Audience, ...] = (Audience.PUBLIC,),
    surveyed: Survey | None = None,
    only: frozenset[str] | None = None,
) -> Prepared:
    """Run survey → redact → render; render only the slugs in `only`, if given.

    Every report is redacted (from the cache when unchanged), so the audit always knows
    every withheld run, whichever reports are rendered.
    """
    ready = surveyed or survey(config, options)
    templates, directory, chosen = ready.templates, ready.directory, ready.chosen
    placeholders = templates.placeholders(config.redaction.placeholders)
    cache = Cache(config.path("state") / "cache")
    with stage("redact"):
        redacted = redact_all(ready.checked, placeholders, directory.regions, cache,
                              options.progress)  # fmt: skip
    settings = RenderSettings(
        templates.text("report.typ"), config.path("reports"), config.site.rep,
        config.site.language, config.path("state") / "cache", config.site.title,
        config.site.base,
    )  # fmt: skip
    shown = [c for c in chosen.shown if only is None or c.source.slug in only]
    drafts = {c.source.slug for c in chosen.drafts}
    rendered = {}
    with Pandocs() as pandocs:
        for audience in audiences:
            jobs = (  # each named as it is asked for, once
                _job(redacted[c.source.slug], audience, ready.plan.publications[c.source.slug],
                     c.source.slug in drafts, settings)
                for c in shown
            )  # fmt: skip
            known = partial(_rendered_before, cache=cache)
            done = pandocs.map(partial(_render, settings=settings, cache=cache), jobs, known)
            what = f"rendering ({audience.label})"
            rendered[audience] = tuple(progress(done, options.progress, what, len(shown)))
    withheld = {slug: r[1] for slug, r in redacted.items()}
    withheld[SITE] = site_text(config, directory)
    return Prepared(
        directory, templates, ready.checked, chosen, ready.plan, withheld, rendered
    )  # fmt: skip


SITE = "(the site)"
"""The audit's name for the text the site itself publishes."""


def site_text(config: Config, directory: Directory) -> Withholding:
    """Return what the site publishes of its own, public by definition: the CLP and region
    names, the rep's name and the site's title. Words a report withholds that are also these
    never refuse a build (the redactor still keeps them out of that report's own outputs)."""
    names = [config.site.title, config.site.rep, *directory.regions]
    names += [c.name for c in directory.clps]
    return Withholding.held(cachemod.key("site text", names), (), tuple(names))


def build(config: Config, options: BuildOptions) -> BuildResult:
    """Build the site; on any refusal, raise and leave the published outputs untouched."""
    folders = [config.path("site"), config.path("feeds")]
    where = unchanged.path_for(config, *folders)
    with stage("no-op check"):
        inputs = unchanged.inputs(
            config, (options.drafts, options.embargoed)
        )  # as read before the build started
        before = unchanged.load(where)
        if unchanged.unchanged(
            before, unchanged.fingerprint(config, inputs), options.now, folders
        ) and _same_day(config, before, options.now):  # the record counts days since meetings
            assert before is not None
            return _result_from(before)
    result = _build(config, options)
    with stage("manifest"):
        after = unchanged.Manifest(
            fingerprint=unchanged.fingerprint(config, inputs),
            built_at=options.now.isoformat(),
            next_embargo=result.next_embargo.isoformat() if result.next_embargo else None,
            files=unchanged.snapshot(folders),
            result={k: v for k, v in asdict(result).items() if k not in ("next_embargo",)},
        )
        unchanged.save(where, after)
    return result


def _same_day(config: Config, before: unchanged.Manifest | None, now: datetime) -> bool:
    """Return whether the last build was made on the same local day as `now`, or the
    record's pages could not differ (no register: every meeting in it has a report)."""
    if not register.path_for(config.root).exists():
        return True
    zone = ZoneInfo(config.site.timezone)
    built = datetime.fromisoformat(before.built_at) if before is not None else None
    return built is not None and built.astimezone(zone).date() == now.astimezone(zone).date()


def _result_from(old: unchanged.Manifest) -> BuildResult:
    """Return the result of a build that found nothing to do, from the last build's manifest."""
    r = old.result
    return BuildResult(
        published=tuple(r["published"]),
        embargoed=tuple(r["embargoed"]),
        drafts=tuple(r["drafts"]),
        withheld=tuple(r["withheld"]),
        files=int(r["files"]),
        changed=False,
        next_embargo=datetime.fromisoformat(old.next_embargo) if old.next_embargo else None,
        warnings=tuple(r.get("warnings", ())),
        marks=(*r.get("marks", (0, 0, 0)),),
    )


def _build(config: Config, options: BuildOptions) -> BuildResult:
    ready = prepare(config, options)
    gc.freeze()  # all made so far lasts the build: not scanned for cycles (nor, forked, copied)
    try:
        return _publish(config, options, ready)
    finally:
        gc.unfreeze()


def _publish(config: Config, options: BuildOptions, ready: Prepared) -> BuildResult:
    """Make, audit and publish the site and the feeds of reports `prepare`d."""
    rendered = list(ready.rendered[Audience.PUBLIC])
    builder = SiteBuilder(ready.templates.jinja(), config.site, ready.directory)
    views = [view(r, config.site.rep) for r in rendered]
    lists = Aside(partial(builder.lists, views), "lists of reports")  # beside the feeds
    feeds = FeedWriter(config, ready.directory, config.path("state") / "cache" / "feeds.pickle")
    records = config.path("state") / "published"
    with stage("record"):
        meetings = register.load(config.root)
        zone = ZoneInfo(config.site.timezone)
        record = record_pages.record_of(meetings, views, options.now, zone)
        decisions = record_pages.decisions_feed(record, builder, config.feeds.max_items)
    stagings: list[Staging] = []
    try:
        site = Staging(config.path("site"), records / "site.pickle")
        feeds_tree = Staging(config.path("feeds"), records / "feeds.pickle")
        stagings = [site, feeds_tree]  # the site first: a feed never links to a page not there
        outputs = [  # the feeds first: their 350 MB is written while the site is made
            (feeds_tree, FEEDS, (
                Planned(f"{FEEDS}{feed.name}", feed.key, partial(_feed_output, feed))
                for feed in feeds.each(rendered)
            )),
            (feeds_tree, FEEDS, _planned(decisions, FEEDS)),  # the record's (issue 23)
            (site, "", _site_plans(config, ready, builder, views, lists)),
            (site, "", _planned(record_pages.pages(builder, record))),  # the record's
            (site, "", _search_plans(site)),  # last: Pagefind indexes the audited site
        ]  # fmt: skip
        with stage("audit"):
            auditor = _auditor(ready, config.path("state"), "build")
        files = _audit_and_stage(outputs, auditor)
        if not options.drafts:  # a preview records no publication
            db = database.connect(config.path("state"))
            publications.record(db, ready.plan.rows)  # the instants, kept if the swap never happens
            db.close()
        with stage("publish"):
            changed = [staging.commit(auditor.trust) for staging in stagings]
        if not options.drafts:  # only now, with the site in place, are they published
            db = database.connect(config.path("state"))
            publications.went_live(db, (c.source.slug for c in ready.chosen.published))
            db.close()
    finally:
        lists.close()
        for staging in stagings:
            staging.discard()
    chosen = ready.chosen
    return BuildResult(
        published=tuple(sorted(c.source.slug for c in chosen.published)),
        embargoed=tuple(sorted(c.source.slug for c in chosen.embargoed)),
        drafts=tuple(sorted(c.source.slug for c in chosen.drafts)),
        withheld=tuple(sorted(c.source.slug for c in chosen.confidential)),
        files=files,
        changed=any(changed),
        next_embargo=min(
            (c.source.meta.publish_at for c in chosen.embargoed if c.source.meta.publish_at),
            default=None,
        ),
        warnings=tuple(str(w) for c in ready.checked for w in c.warnings),
        marks=_marks(chosen.shown),
    )


def _marks(shown: Iterable[Checked]) -> tuple[int, int, int]:
    counts = [json_ast.count_marks(c.ast["blocks"]) for c in shown]
    return (sum(c[0] for c in counts), sum(c[1] for c in counts), sum(c[2] for c in counts))


def _site_plans(
    config: Config,
    ready: Prepared,
    builder: SiteBuilder,
    views: list[ReportView],
    lists: Aside[Outputs],
) -> Iterator[Planned]:
    """Name every file of the site, in order, with how to make it.

    The lists of reports are made at once (in `lists`, started before the feeds were
    made). A report's own page, PDF and images are named
    with a key (all they are made from): one the published site holds is kept, neither made
    (the page), nor audited, nor read again.
    """
    with stage("site"):
        pages = lists.result()
        plans = [Planned(n, None, partial(Output, n, d, Audience.PUBLIC)) for n, d in pages.items()]
        around = cachemod.key(
            "report page",
            ready.templates.fingerprint(),
            repr(config.site),
            repr(ready.directory.clps),
        )
    for report, shown in zip(ready.rendered[Audience.PUBLIC], views, strict=True):
        page = report_page(shown)
        plans.append(
            Planned(page, cachemod.key(around, repr(shown)), partial(_page, builder, shown))
        )
        folder = page.removesuffix("index.html")
        pdf = f"{folder}{report.slug}.pdf"  # named by its render: read only if not kept
        plans.append(
            Planned(pdf, cachemod.key("pdf", report.pdf_file.key), partial(_pdf, pdf, report))
        )
        cache = Cache(config.path("state") / "cache")
        for image in report.redacted.images:  # keyed by its source: made, it is re-encoded
            name, data = f"{folder}{image.name}", image.source.read_bytes()
            made = partial(_image, name, image, cache, report.slug)
            plans.append(Planned(name, cachemod.key("image", data), made))
    yield from sorted(plans, key=lambda plan: plan.name)


def _planned(outputs: dict[str, bytes], prefix: str = "") -> Iterator[Planned]:
    """Plan public outputs already made (each is audited before it is staged)."""
    for name, data in sorted(outputs.items()):
        output = partial(Output, f"{prefix}{name}", data, Audience.PUBLIC)
        yield Planned(f"{prefix}{name}", None, output)


def _search_plans(site: Staging) -> Iterator[Planned]:
    """Plan the search index, made by Pagefind from the staged site once all of it is there."""
    yield from _planned(search_index.index(site.written()))


def _image(name: str, image: Image, cache: Cache, slug: str) -> Output:
    with stage("images"):
        data = images.published(image, cache)
    return Output(name, data, Audience.PUBLIC, slug)


def _pdf(name: str, report: RenderedReport) -> Output:
    return Output(name, report.pdf, Audience.PUBLIC, report.slug)


def _page(builder: SiteBuilder, report: ReportView) -> Output:
    with stage("site"):
        name, data = report_page(report), builder.report_page(report)
    return Output(name, data, Audience.PUBLIC, report.slug)


@dataclass(frozen=True)
class _Job:
    """A report to render for one audience, named by all its rendering is made from."""

    report: RedactedReport
    publication: Publication
    draft: bool
    key: str


def _job(
    redacted: Redacted,
    audience: Audience,
    publication: Publication,
    draft: bool,
    settings: RenderSettings,
) -> _Job:
    """Name a rendering by all it is made from (the PDF shows the publication date)."""
    redaction, withheld = redacted
    report = redaction.versions[audience]
    images = [(i.name, i.source.read_bytes()) for i in report.images]
    key = cachemod.key("render", withheld.key, report.source.meta, report.audience, draft,
                       settings, images, publication.published_at)  # fmt: skip
    return _Job(report, publication, draft, key)


def _render(pandoc: Pandoc, job: _Job, settings: RenderSettings, cache: Cache) -> RenderedReport:
    """Render a report, and store its rendering by its key."""
    with stage("render"):
        result = render(job.report, job.publication, pandoc, settings, job.draft)
    cache.put_bytes("pdf", job.key, result.pdf)
    cache.put_json("render", job.key, {"html": result.html, "text": result.text})
    return replace(result, pdf_file=StoredPdf.held(job.key, result.pdf))


def _rendered_before(job: _Job, cache: Cache) -> RenderedReport | None:
    """Return the report's rendering stored by its key, if it is there (with its PDF)."""
    stored = cache.get_json("render", job.key)
    size = cache.size("pdf", job.key)
    if stored is None or size is None:
        return None
    pdf = StoredPdf(job.key, size, partial(_stored_pdf, cache, job.key))
    return RenderedReport(job.report, job.publication, stored["html"], stored["text"], pdf,
                          job.draft)  # fmt: skip


def _stored_pdf(cache: Cache, name: str) -> bytes:
    data = cache.get_bytes("pdf", name)
    if data is None:
        raise ExternalFailure(
            f"a rendered PDF went missing from the cache during the build ({name}); build again"
        )
    return data


@dataclass(frozen=True)
class Planned:
    """An output named before it is made.

    One with a `key` that the published tree already holds a file made from (under the same
    audit) is kept as it is: it is neither made, nor audited, nor read again.
    """

    name: str
    key: str | None
    make: Callable[[], Output]


def _feed_output(feed: FeedFile) -> Output:
    pieces = feed.make()
    return Output(f"{FEEDS}{feed.name}", pieces, Audience.PUBLIC)


def _audit_and_stage(
    outputs: Sequence[tuple[Staging, str, Iterable[Planned]]], auditor: Auditor
) -> int:
    """Audit each output as it is made and stage it if clean; raise LeakFound on any leak.

    Each output is named as the audit reports it: its staging tree's `prefix` (feeds/), then
    its name in that tree. Nothing that fails the audit is ever written, and no output is
    held after it is staged. Return the number of files staged.
    """
    leaks: list[str] = []
    files = 0
    try:
        for staging, prefix, planned in outputs:
            for plan in planned:
                name = plan.name.removeprefix(prefix)
                if plan.key is not None:
                    with stage("publish"):
                        if staging.reuse(name, plan.key, auditor.trust):
                            auditor.kept(plan.key)
                            files += 1
                            continue
                output = plan.make()
                with stage("audit"):
                    found = auditor.check(output, plan.key)
                leaks += found
                if not leaks:
                    with stage("publish"):
                        staging.add(name, output.content, plan.key)
                    files += 1
    finally:
        auditor.save()
    if leaks:
        raise LeakFound(leaks)
    return files


def check_for_leaks(
    files: Iterable[Output], ready: Prepared, state_dir: Path, kind: str = "build"
) -> None:
    """Raise LeakFound if any output holds withheld text of a higher audience."""
    leaks = _auditor(ready, state_dir, kind).check_all(files)
    if leaks:
        raise LeakFound(leaks)


def _auditor(ready: Prepared, state_dir: Path, kind: str) -> Auditor:
    """Return the audit of a build's outputs (each `kind`, a build or a digest, remembers its
    own clean verdicts)."""
    hidden = [c.source.slug for c in ready.chosen.hidden]
    pdf_text = PdfText(state_dir / "cache" / "pdftext")
    verdicts = Verdicts(state_dir / "cache" / "audit" / f"{kind}.pickle")
    runs = public_runs(ready.withheld, state_dir / "cache" / "audit")
    return Auditor(runs, pdf_text, hidden, verdicts)
