"""The two baselines, each run as its own process by the benchmark.

python -m bench.baselines naive REPORTS OUT SAMPLE — the naive pipeline on the first SAMPLE
reports: python-frontmatter, one `pypandoc.convert_text` per format (a standalone HTML page,
and the HTML that WeasyPrint lays out as the PDF), WeasyPrint for the PDF. No redaction, no
feeds, no audit: it only has to be faster than that to be a fair baseline.

python -m bench.baselines floor REPORTS OUT — the build's floor: the tools' work alone on every
report, on a pool of one pandoc worker per core: pandoc parses the body and writes it as
HTML and Typst in one request, Typst lays the Typst out with the bundled template. No
checks, no redaction, no site, no feeds, no audit: what no build of these reports can beat.

python -m bench.baselines pelican REPORTS OUT — Pelican, the static site generator a Python
user would pick instead, building the same reports to HTML plus its feeds (all, per category
and per tag), with its content cache off.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

PELICAN_CONF = """\
SITENAME = "NEC report-back"
SITEURL = ""
TIMEZONE = "Europe/London"
DEFAULT_LANG = "en"
PATH = "content"
FEED_DOMAIN = "http://localhost:8000"
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
CATEGORY_FEED_RSS = "feeds/{slug}.rss.xml"
TAG_FEED_ATOM = "feeds/tag-{slug}.atom.xml"
TAG_FEED_RSS = "feeds/tag-{slug}.rss.xml"
FEED_MAX_ITEMS = 20
RSS_FEED_SUMMARY_ONLY = False
DEFAULT_PAGINATION = 20
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False
"""


def naive(reports: Path, out: Path, sample: int) -> dict[str, float | int]:
    import frontmatter
    import pypandoc
    import weasyprint

    out.mkdir(parents=True, exist_ok=True)
    paths = sorted(reports.glob("*.md"))[:sample]
    pandoc_s = pdf_s = 0.0
    for path in paths:
        post = frontmatter.load(path)
        start = time.perf_counter()
        title = str(post.metadata["title"])
        args = ["--standalone", f"--metadata=title:{title}"]
        page = pypandoc.convert_text(post.content, "html5", format="markdown", extra_args=args)
        printable = pypandoc.convert_text(post.content, "html", format="markdown")
        pandoc_s += time.perf_counter() - start
        (out / f"{path.stem}.html").write_text(page, encoding="utf-8")
        start = time.perf_counter()
        weasyprint.HTML(string=printable).write_pdf(out / f"{path.stem}.pdf")
        pdf_s += time.perf_counter() - start
    return {
        "sample": len(paths),
        "pandoc_s_per_report": pandoc_s / len(paths),
        "weasyprint_s_per_report": pdf_s / len(paths),
    }


def floor(reports: Path) -> dict[str, float | int]:
    """Run the tools' work on every report (see the module's docstring); return its figures."""
    from dataclasses import asdict

    import frontmatter
    import typst

    from reportback.output.pdf import PdfInfo
    from reportback.output.templates import Templates
    from reportback.pandoc.worker import Pandoc, Pandocs

    template = Templates(reports.parent / "templates").text("report.typ")
    paths = sorted(reports.glob("*.md"))
    info = PdfInfo("Report", "The rep", "NEC", "1 January 2027", "public", "en", False, "gb")
    inputs = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in asdict(info).items()}

    def one(pandoc: Pandoc, path: Path) -> int:
        ast, _ = pandoc.parse(frontmatter.load(path).content)
        out = pandoc.write(ast, ("html5", "typst"))
        source = f"{template}\n#show: report\n{out['typst']}\n".encode()
        pdf = typst.compile(source, format="pdf", sys_inputs=inputs, ignore_system_fonts=True)
        return len(out["html5"]) + len(pdf)

    start = time.perf_counter()
    with Pandocs() as pandocs:
        made = sum(pandocs.map(one, paths))
    return {"reports": len(paths), "bytes": made, "wall_s": time.perf_counter() - start}


def pelican_project(reports: Path, root: Path) -> Path:
    """Write the reports as Pelican Markdown articles (metadata header, same body)."""
    import frontmatter

    content = root / "content"
    content.mkdir(parents=True, exist_ok=True)
    for path in sorted(reports.glob("*.md")):
        post = frontmatter.load(path)
        meta = post.metadata
        head = [
            f"Title: {meta['title']}",
            f"Date: {meta['meeting_date']}",
            f"Category: {meta['meeting']}",
            f"Tags: {', '.join(str(t) for t in _tags(meta.get('tags')))}",
            f"Slug: {path.stem}",
        ]
        if meta.get("summary"):
            head.append(f"Summary: {meta['summary']}")
        text = "\n".join(head) + "\n\n" + post.content + "\n"
        (content / f"{path.stem}.md").write_text(text, encoding="utf-8")
    (root / "pelicanconf.py").write_text(PELICAN_CONF, encoding="utf-8")
    return root


def _tags(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


if __name__ == "__main__":
    kind, reports_dir, out_dir = sys.argv[1:4]
    if kind == "naive":
        print(json.dumps(naive(Path(reports_dir), Path(out_dir), int(sys.argv[4]))))
    elif kind == "floor":
        print(json.dumps(floor(Path(reports_dir))))
    elif kind == "pelican-project":
        pelican_project(Path(reports_dir), Path(out_dir))
    else:
        sys.exit(f"unknown baseline {kind!r}")
