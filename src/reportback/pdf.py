"""Compile a report's Typst to PDF in-process, with only allow-listed properties."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import typst

from .errors import ExternalFailure
from .timing import stage


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


def make_pdf(template: str, body: str, info: PdfInfo, root: Path) -> bytes:
    """Return the PDF of `body` laid out by `template` (which defines `report(doc)`)."""
    source = f"{template}\n#show: report\n{body}\n"
    inputs = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in asdict(info).items()}
    with stage("render: pdf (typst)"):
        pdf = _compile(source, inputs, root, info.title)
    if not isinstance(pdf, bytes):
        raise ExternalFailure("Typst returned no PDF")
    return pdf


def _compile(source: str, inputs: dict[str, str], root: Path, title: str) -> object:
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
        raise ExternalFailure(f"Typst could not lay out {title!r}: {exc}") from exc
    return pdf
