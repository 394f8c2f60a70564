"""Render a redacted report: HTML and plain text with pandoc, PDF with Typst."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from reportback.cache import Cache
from reportback.errors import ExternalFailure, shown_path
from reportback.model import Publication, RedactedReport, RenderedReport, StoredPdf
from reportback.output import images
from reportback.output.pdf import PdfInfo, make_pdf
from reportback.pandoc.worker import Pandoc


@dataclass(frozen=True)
class RenderSettings:
    """What rendering needs beyond the report: the Typst template, the reports root and the
    cache of re-encoded images."""

    typst_template: str
    reports: Path
    rep: str
    language: str
    cache: Path | None = None
    site: str = ""
    """The site's title and base URL, for the PDF's footer."""
    base: str = ""


def render(
    report: RedactedReport,
    publication: Publication,
    pandoc: Pandoc,
    settings: RenderSettings,
    draft: bool = False,
    text: bool = True,
) -> RenderedReport:
    """Render one audience's version of a report; its plain text too if `text` (a digest's).
    Pandoc or Typst failing says which report they could not write or lay out."""
    try:
        return _rendered(report, publication, pandoc, settings, draft, text)
    except ExternalFailure as exc:
        raise ExternalFailure(f"{shown_path(report.source.path)}: {exc}") from exc


def _rendered(
    report: RedactedReport,
    publication: Publication,
    pandoc: Pandoc,
    settings: RenderSettings,
    draft: bool,
    text: bool,
) -> RenderedReport:
    formats = ("html5", "typst", "plain") if text else ("html5", "typst")
    out = pandoc.write(report.ast, formats, top=2)  # the title is level 1
    meta = report.source.meta
    info = PdfInfo(
        title=meta.title,
        author=meta.author or settings.rep,
        meeting=meta.meeting,
        date=meta.meeting_date.strftime("%-d %B %Y"),
        audience=report.audience.label,
        language=settings.language.split("-")[0].lower(),
        draft=draft,
        region=settings.language.partition("-")[2].lower(),
        site=settings.site,
        url=f"{settings.base}reports/{report.source.slug}/" if settings.base else "",
        published=_day(publication.published_at),
        corrections="\n".join(f"{c.date:%-d %B %Y}: {c.note}" for c in meta.corrections),
    )
    cache = Cache(settings.cache) if settings.cache is not None else None
    files = {image.name: images.published(image, cache) for image in report.images}
    pdf = make_pdf(settings.typst_template, out["typst"], info, files)  # images by name
    html = _title_footnotes(out["html5"])
    pdf_file = StoredPdf.held("", pdf)
    return RenderedReport(report, publication, html, out.get("plain"), pdf_file, draft)


def plain_text(report: RedactedReport, pandoc: Pandoc) -> str:
    """Write the plain text `render` makes, alone."""
    return pandoc.write(report.ast, ("plain",), top=2)["plain"]


def _day(moment: datetime | None) -> str:
    return moment.strftime("%-d %B %Y") if moment is not None else ""


def _title_footnotes(html: str) -> str:
    """Give pandoc's footnotes section a heading (an untitled section is poor for readers)."""
    return re.sub(
        r'(<section id="footnotes"[^>]*>)\n<hr />',
        r'\1\n<h2 id="footnotes-title">Notes</h2>',
        html,
        count=1,
    )


def plain_summary(text: str, limit: int = 300) -> str:
    """Return `text` on one line, cut at a word boundary to at most `limit` characters."""
    line = re.sub(r"\s+", " ", text).strip()
    if len(line) <= limit:
        return line
    return line[: limit - 1].rsplit(" ", 1)[0] + "…"
