"""Compile a report's Typst to PDF in-process, with only allow-listed properties."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import typst

from reportback.audit import bytescan
from reportback.errors import ExternalFailure, InputRefused, problem
from reportback.timing import stage

TEMPLATE = "templates/report.typ"
"""How refusals name the PDF template (the project's override, or the bundled one)."""
TRAILER = re.compile(rb"trailer\s*<<(.*)>>\s*startxref\s*(\d+)\s*%%EOF\s*\Z", re.S)
"""The last trailer of a PDF with a classic cross-reference table (Typst writes one)."""
PREFERENCES = re.compile(rb"/ViewerPreferences\s*<<")
FILE_ACCESS = re.compile(
    r"file not found|escape the project root|outside of project root|access denied|failed to load",
    re.I,
)


@dataclass(frozen=True)
class PdfInfo:
    """The values the Typst template may show; the PDF title and author come from here."""

    title: str
    author: str
    meeting: str
    date: str
    audience: str
    language: str
    draft: bool
    region: str = ""
    """The language's region (en-GB: gb), if any."""
    site: str = ""
    url: str = ""
    published: str = ""
    corrections: str = ""
    """The public corrections, one `date: note` a line."""


def make_pdf(template: str, body: str, info: PdfInfo, files: Mapping[str, bytes]) -> bytes:
    """Return the PDF of `body` laid out by `template` (which defines `report(doc)`).

    Typst's root is a fresh folder holding only `files` (the report's re-encoded images), so
    neither the template nor the body can read anything else; a PDF that embeds a file is
    refused.
    """
    source = f"{template}\n#show: report\n{body}\n"
    inputs = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in asdict(info).items()}
    with stage("render: pdf (typst)"), tempfile.TemporaryDirectory(prefix="reportback-") as root:
        for name, data in files.items():
            (Path(root) / name).write_bytes(data)
        try:
            pdf = _compile(source, inputs, Path(root), info.title)
        except ExternalFailure as failed:  # the template's fault, if it lays out nothing
            _lays_out_alone(template, inputs, Path(root), failed)
            raise
    if not isinstance(pdf, bytes):
        raise ExternalFailure("Typst returned no PDF")
    pdf = show_title(pdf)
    if bytescan.embeds_files(pdf):
        raise InputRefused(
            [problem(TEMPLATE, 1, f"the PDF of {info.title!r} embeds a file; a PDF embeds none")]
        )
    return pdf


def threads_running() -> str | None:
    """Say so if Typst has laid out a PDF in this process: its pool of threads lives on, out
    of Python's sight, and a child forked now that lays one out waits for them forever."""
    return "Typst's threads running" if _compiled else None


_compiled = False


def _lays_out_alone(
    template: str, inputs: dict[str, str], root: Path, failed: ExternalFailure
) -> None:
    """Refuse the template if it cannot lay out a report with no body (adversary helper 99: a
    broken override was blamed on the first report laid out with it, exit 3)."""
    try:
        _compile(f"{template}\n#show: report\n", inputs, root, "a report with no body")
    except ExternalFailure as exc:
        cause = exc.__cause__ or exc
        raise InputRefused(
            [problem(TEMPLATE, 1, f"Typst cannot lay out any report with it: {_short(cause)}")]
        ) from failed


def _compile(source: str, inputs: dict[str, str], root: Path, title: str) -> object:
    global _compiled
    _compiled = True
    try:
        # typst's stubs tie `input` and `root` to one type; bytes source with a str root is fine
        pdf = typst.compile(  # type: ignore[call-overload]
            source.encode("utf-8"),
            root=str(root),
            format="pdf",
            sys_inputs=inputs,
            ignore_system_fonts=True,
        )
    except RuntimeError as exc:
        if FILE_ACCESS.search(str(exc)):
            raise InputRefused(
                [problem(TEMPLATE, 1, f"laying out {title!r} reads a file ({_short(exc)}); the "
                         "PDF template may read only the report's own images")]
            ) from exc  # fmt: skip
        raise ExternalFailure(f"Typst could not lay out {title!r}: {exc}") from exc
    return pdf


def show_title(pdf: bytes) -> bytes:
    """Return the PDF with an update appended that asks viewers to show its title, not its
    file name (`/DisplayDocTitle true`).

    Typst writes the preference only in a PDF/UA-1 export, which would refuse reports that
    pass `check` (an image without a description). An incremental update keeps every byte
    Typst wrote: it adds the catalog again with the preference, a cross-reference section
    for it and a trailer pointing back to Typst's.
    """
    trailer = TRAILER.search(pdf)
    root = re.search(rb"/Root\s+(\d+)\s+0\s+R", trailer[1]) if trailer else None
    catalog = re.search(rb"\n%s 0 obj\s*(<<.*?>>)\s*endobj" % root[1], pdf, re.S) if root else None
    if not (trailer and root and catalog):
        raise ExternalFailure("Typst's PDF has no catalog where reportback looks for it")
    entry = b"/DisplayDocTitle true"
    if PREFERENCES.search(catalog[1]):
        new = PREFERENCES.sub(lambda m: m[0] + entry, catalog[1], count=1)
    elif b"/ViewerPreferences" not in catalog[1]:
        new = catalog[1][:-2] + b"/ViewerPreferences<<" + entry + b">>>>"
    else:
        raise ExternalFailure("Typst's PDF keeps its viewer preferences where reportback cannot")
    obj = b"%s 0 obj\n%s\nendobj\n" % (root[1], new)
    at = len(pdf) + 1
    free = b"0 1\n0000000000 65535 f\r\n"  # a table that starts at 0, as some readers expect
    xref = b"xref\n%s%s 1\n%010d 00000 n\r\n" % (free, root[1], at)
    prior = re.sub(rb"/Prev\s+\d+", b"", trailer[1])
    tail = b"trailer\n<<%s/Prev %s>>\nstartxref\n%d\n%%%%EOF\n" % (prior, trailer[2], at + len(obj))
    return pdf + b"\n" + obj + xref + tail


def _short(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:200]
