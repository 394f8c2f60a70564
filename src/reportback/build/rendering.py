"""Every report shown rendered for each audience asked for, from the render cache when unchanged.

A rendering is named by all it is made from (the redaction, the front matter, the audience,
whether it is a draft, the settings, the images and the publication date): one the cache
holds is read back from it on the build's own thread; only the rest are shared with a forked
child (whose results come back pickled), rendered on the pandoc workers and stored under
their names.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from importlib.metadata import version

from reportback import cache as cachemod
from reportback.audit.bytescan import Unreadable
from reportback.audit.leaks import PdfText
from reportback.build.check_all import PANDOC, progress
from reportback.build.fork import shared
from reportback.build.redact_all import Redacted
from reportback.cache import Cache
from reportback.config import Config
from reportback.errors import ExternalFailure
from reportback.model import (
    Audience,
    Checked,
    Publication,
    RedactedReport,
    RenderedReport,
    StoredPdf,
    Survey,
)
from reportback.output import pdf
from reportback.output.render import RenderSettings, plain_text, render
from reportback.pandoc.worker import Pandoc, Pandocs
from reportback.timing import stage

RENDERERS = (PANDOC, version("typst"))
"""What renders a report besides reportback: a rendering (and the page made from it, keyed by
its key) is made again when either changes."""


@dataclass(frozen=True)
class _Job:
    """A report to render for one audience, named by all its rendering is made from."""

    report: RedactedReport
    publication: Publication
    draft: bool
    key: str


def render_all(
    config: Config,
    ready: Survey,
    redacted: Mapping[str, Redacted],
    shown: Iterable[Checked],
    audiences: tuple[Audience, ...],
    show_progress: bool = False,
    text: bool = False,
) -> dict[Audience, tuple[RenderedReport, ...]]:
    """Render the reports `shown` (redacted) for each audience, in order; with their plain
    text only if `text` (a digest shows it, a build does not)."""
    templates = ready.templates
    settings = RenderSettings(
        templates.text("report.typ"), config.path("reports"), config.site.rep,
        config.site.language, config.path("state") / "cache", config.site.title,
        config.site.base,
    )  # fmt: skip
    cache = Cache(config.path("state") / "cache")
    named = cachemod.key("render settings", settings, RENDERERS)  # hashed once (a template)
    shown = list(shown)
    drafts = {c.source.slug for c in ready.chosen.drafts}
    rendered = {}
    for audience in audiences:
        jobs = [
            _job(redacted[c.source.slug], audience, ready.plan.publications[c.source.slug],
                 c.source.slug in drafts, named)
            for c in shown
        ]  # fmt: skip
        earlier = [_rendered_before(job, cache, text) for job in jobs]
        missing = [job for job, done in zip(jobs, earlier, strict=True) if done is None]

        def render_some(some: Sequence[_Job], label: str = audience.label) -> list[RenderedReport]:
            with Pandocs() as pandocs:
                done = pandocs.map(partial(_render, settings=settings, cache=cache, text=text),
                                   some)  # fmt: skip
                return list(progress(done, show_progress, f"rendering ({label})", len(some)))

        refused = pdf.threads_running()
        bar = partial(progress, enabled=show_progress, what=f"rendering ({audience.label})",
                      total=len(missing))  # fmt: skip
        made = iter(shared(missing, render_some, "rendering", refused, bar) if missing else ())
        rendered[audience] = tuple(done if done is not None else next(made) for done in earlier)
    return rendered


def _job(
    redacted: Redacted,
    audience: Audience,
    publication: Publication,
    draft: bool,
    settings: str,
) -> _Job:
    """Name a rendering by all it is made from (the PDF shows the publication date); the
    `settings` by their key."""
    redaction, withheld = redacted
    report = redaction.versions[audience]
    images = [(i.name, i.source.read_bytes()) for i in report.images]
    key = cachemod.key("render", withheld.key, report.source.meta, report.audience, draft,
                       settings, images, publication.published_at)  # fmt: skip
    return _Job(report, publication, draft, key)


def _render(
    pandoc: Pandoc, job: _Job, settings: RenderSettings, cache: Cache, text: bool
) -> RenderedReport:
    """Render a report (with its plain text if `text`), and store its rendering by its key;
    one a build rendered, without its text, is given its text alone."""
    made = _rendered_before(job, cache, False) if text else None
    if made is None:
        with stage("render"):
            made = render(job.report, job.publication, pandoc, settings, job.draft, text)
        with contextlib.suppress(Unreadable):  # the audit's read of it, here on two cores
            PdfText.kept_in(cache.folder)(made.pdf)  # (what it cannot read, the audit names)
        cache.put_bytes("pdf", job.key, made.pdf)
        cache.put_pickle("render", job.key, made.html)
        made = replace(made, pdf_file=_stored(job.key, len(made.pdf), cache))
    if text and made.text is None:
        made = replace(made, text=plain_text(job.report, pandoc))
    if made.text is not None:
        cache.put_pickle("plain", job.key, made.text)
    return made


def _rendered_before(job: _Job, cache: Cache, text: bool) -> RenderedReport | None:
    """Return the report's rendering stored by its key, if it is there (with its PDF, and its
    plain text if `text`)."""
    html = cache.get_pickle("render", job.key)
    size = cache.size("pdf", job.key)
    plain = cache.get_pickle("plain", job.key) if text else None
    if size is None or not isinstance(html, str) or (text and not isinstance(plain, str)):
        return None  # none, or unreadable: render it again
    return RenderedReport(job.report, job.publication, html, plain, _stored(job.key, size, cache),
                          job.draft)  # fmt: skip


def _stored(key: str, size: int, cache: Cache) -> StoredPdf:
    """Name a PDF in the cache, read only when audited: a thousand PDFs are not held in
    memory."""
    return StoredPdf(key, size, partial(_stored_pdf, cache, key))


def _stored_pdf(cache: Cache, name: str) -> bytes:
    data = cache.get_bytes("pdf", name)
    if data is None:
        raise ExternalFailure(
            f"a rendered PDF went missing from the cache during the build ({name}); build again"
        )
    return data
