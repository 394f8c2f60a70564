"""Whole builds: audit, crash safety, determinism, embargo, drafts and report identity."""

from __future__ import annotations

import gzip
import io
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import PIL.Image
import pytest

from reportback.audit.leaks import Auditor, Output, PdfText, Verdicts, chunks, pdf_text
from reportback.audit.search import Withheld
from reportback.build import check_all, pipeline, planning, redact_all, swap
from reportback.checking.regions import Regions
from reportback.clps import load_directory
from reportback.config import load_config
from reportback.errors import ExternalFailure
from reportback.model import (
    Ast,
    Audience,
    BuildOptions,
    Document,
    Fragment,
    Image,
    Placeholders,
    Source,
)
from reportback.output import search_index, site
from reportback.output.templates import default_dir
from reportback.redaction.redact import Redaction

from .conftest import NOW, Result, everything, inodes, report, rewritten

Cli = Callable[..., Result]
Project = Callable[[dict[str, str | bytes]], Path]


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def left_beside(folder: Path, wait: float = 10.0) -> list[Path]:
    """Return what a build left beside `folder`, once any old tree it swapped out (removed in
    the background) is gone, or `wait` seconds have passed."""
    deadline = time.monotonic() + wait
    while (left := list(folder.parent.glob(f".{folder.name}.*"))) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@pytest.fixture
def leaky_redactor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give the build a redactor with a bug: every audience gets the unredacted document."""
    real = redact_all.redact

    def leaky(
        source: Source,
        ast: Ast,
        images: dict[str, Image],
        marks: Placeholders,
        regions: tuple[str, ...],
        written: Regions,
    ) -> Redaction:
        done = real(source, ast, images, marks, regions, written)
        whole = replace(done.versions[Audience.PUBLIC], document=Document(ast))
        return Redaction({Audience.PUBLIC: whole, Audience.MEMBERS: whole}, done.fragments)

    monkeypatch.setattr(redact_all, "redact", leaky)


def two_reports() -> dict[str, str | bytes]:
    return {
        "reports/2016-09-20-nec.md": report(
            "The NEC met.\n\n## Disputes {.confidential}\n\n"
            "The panel expelled the member for repeated abuse of other members online.\n",
            title="NEC September",
        ),
        "reports/2016-10-04-org.md": report(
            "The committee met.\n\nIt agreed the minutes.\n",
            title="Org Committee",
            meeting="Organisation Committee",
            meeting_date="2016-10-04",
        ),
    }


def test_audit_refuses_a_leak_the_redactor_let_through(
    cli: Cli, project: Project, leaky_redactor: None
) -> None:
    root = project(two_reports())
    result = cli("build", "--now", NOW)
    assert result.code == 1
    lines = result.err.strip().splitlines()
    first = "2016-09-20-nec: confidential text 'disputes' found in"
    assert (
        "2016-09-20-nec: confidential text 'the panel expelled the member for repeated abuse' "
        "found in reports/2016-09-20-nec/index.html (and 4 more runs)"
    ) in lines
    assert (
        "2016-09-20-nec: confidential text 'the panel expelled the member for repeated abuse' "
        "found in reports/2016-09-20-nec/2016-09-20-nec.pdf (and 4 more runs)"
    ) in lines
    assert not any(line.startswith(first) for line in lines)  # one-word heading: not audited
    assert any(" found in feeds/all.xml" in line for line in lines), "feeds named by folder"
    assert lines[-1] == "refused: leak audit failed; nothing was published"
    assert not (root / "site").exists()


def test_an_output_failing_the_audit_is_never_written_even_to_staging(
    cli: Cli, project: Project, leaky_redactor: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the clean report's page and PDF are made first (by name): they are staged
    files = two_reports()
    clean = files.pop("reports/2016-10-04-org.md")
    files["reports/2016-08-04-org.md"] = str(clean).replace("2016-10-04", "2016-08-04")
    root = project(files)
    written: list[bytes] = []
    real_add = swap.Staging.add

    def add(self: swap.Staging, name: str, data: bytes, key: str | None = None) -> None:
        written.append(data)
        real_add(self, name, data, key)

    monkeypatch.setattr(swap.Staging, "add", add)
    assert cli("build", "--now", NOW).code == 1
    assert written, "outputs audited clean before the leak were staged"
    assert not any(b"expelled the member" in data for data in written)
    assert not list(root.glob(".site.*")) and not list(root.glob(".feeds.*"))


def test_staging_swaps_in_a_changed_tree_and_leaves_an_unchanged_one(tmp_path: Path) -> None:
    target = tmp_path / "site"
    assert _staged({"a.html": b"one", "b/c.html": b"two"}, target)
    first = (target / "a.html").stat().st_ino
    assert not _staged({"a.html": b"one", "b/c.html": b"two"}, target)
    assert (target / "a.html").stat().st_ino == first, "an unchanged tree is not swapped"
    staging = swap.Staging(target)
    staging.add("a.html", b"one")
    assert (target / "b/c.html").exists(), "nothing changes before the commit"
    assert staging.commit(), "a file fewer is a change"
    staging.discard()
    assert sorted(p.name for p in target.rglob("*") if p.is_file()) == ["a.html"]
    assert (target / "a.html").stat().st_ino == first, "unchanged bytes are linked, not rewritten"
    assert not left_beside(target)


def test_the_old_tree_is_removed_after_the_swap_and_a_stopped_removal_is_finished(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "site"
    assert _staged({"a.html": b"one"}, target)
    old = target.stat().st_ino
    assert _staged({"a.html": b"two"}, target)
    assert target.stat().st_ino != old and (target / "a.html").read_bytes() == b"two"
    assert not left_beside(target), "the old tree went, in a process of its own"
    # a remover stopped half way leaves its trash; the next publish removes it
    (tmp_path / ".site.trash-0123").mkdir()
    (tmp_path / ".site.trash-0123/b.html").write_bytes(b"old")
    assert not _staged({"a.html": b"two"}, target)
    assert not left_beside(target)
    # where no process can be started, the old tree is removed before publish returns
    monkeypatch.setattr(swap.subprocess, "run", _no_processes)
    assert _staged({"a.html": b"three"}, target)
    assert not list(tmp_path.glob(".site.*"))


def _staged(files: dict[str, bytes], target: Path) -> bool:
    """Publish `files` as a build does: staged beside `target`, then swapped in whole (or not
    at all, if nothing changed); return whether it was."""
    staging = swap.Staging(target)
    try:
        for name, data in sorted(files.items()):
            staging.add(name, data)
        return staging.commit()
    finally:
        staging.discard()


def _no_processes(*args: object, **kwargs: object) -> None:
    raise OSError("no processes left")


def test_a_ctrl_c_as_the_site_is_swapped_in_says_it_was_published_and_records_it(
    cli: Cli, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Adversary helper 85: a Ctrl-C as the new site and feeds were swapped in said
    "nothing was published", exit 130, of a site that was; the state said the new report
    was "due at the next build". From the swap on it waits for the build to end."""
    root = project({"reports/a.md": report()})
    assert cli("build", "--now", NOW).code == 0
    real = swap._swap

    def pressed_as_swapped(staging: Path, target: Path) -> bool:
        done = real(staging, target)
        os.kill(os.getpid(), signal.SIGINT)  # as a terminal sends it, once the site is in
        return done

    monkeypatch.setattr(swap, "_swap", pressed_as_swapped)
    (root / "reports/b.md").write_text(report(title="Second"))
    result = cli("build", "--now", NOW)
    assert result.code == 130, result.err
    assert "interrupted; the build had published its site and feeds" in result.err, result.err
    assert (root / "site/reports/b/index.html").exists() and "reports/b/" in (
        root / "feeds/all.xml"
    ).read_text()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler, "given back"
    monkeypatch.setattr(swap, "_swap", real)
    out = cli("status", "--now", NOW).out
    assert "reports: 2 published, 0 due" in out, out


TERMINATED = (
    "import os, signal, sys\n"
    "from reportback.build import rendering, swap\n"
    "real = getattr({module}, {name!r})\n"
    "def then_terminated(*args, **kwargs):\n"
    "    done = real(*args, **kwargs)\n"
    "    os.kill(os.getpid(), signal.SIGTERM)  # as a service manager stops it\n"
    "    return done\n"
    "setattr({module}, {name!r}, then_terminated)\n"
    "from reportback import main\n"
    "sys.exit(main())\n"
)
"""A build sent SIGTERM once `module.name` (a stage's step) has run."""


@pytest.mark.parametrize(
    ("module", "name", "left"),
    [
        ("rendering", "render_all", "nothing was published"),
        ("swap", "_swap", "the build had published its site and feeds"),
    ],
)
def test_a_sigterm_stops_a_build_saying_what_it_left(
    cli: Cli, project: Project, module: str, name: str, left: str
) -> None:
    """A SIGTERM (a service manager stopping the build, `kill`) killed it without a word:
    it is handled as a Ctrl-C, exit 143; from the swap on it waits for the build to end."""
    root = project({"reports/a.md": report()})
    assert cli("build", "--now", NOW).code == 0
    before = snapshot(root / "site")
    (root / "reports/b.md").write_text(report(title="Second"))
    script = TERMINATED.format(module=module, name=name)
    run = subprocess.run([sys.executable, "-c", script, "build", "--now", NOW], cwd=root,
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert run.returncode == 143, run.stderr
    assert run.stderr.startswith(f"stopped by SIGTERM; {left}"), run.stderr
    assert "Traceback" not in run.stderr
    published = (root / "site/reports/b/index.html").exists()
    assert published == (name == "_swap")
    assert published or snapshot(root / "site") == before
    assert not [p.name for p in root.iterdir() if ".new-" in p.name]  # no staging left
    out = cli("status", "--now", NOW).out
    assert f"reports: {2 if published else 1} published" in out, out


def test_refused_build_leaves_previous_site_untouched(cli: Cli, project: Project) -> None:
    root = project(two_reports())
    assert cli("build", "--now", NOW).code == 0
    before = snapshot(root / "site")
    (root / "reports/2016-10-04-org.md").write_text(report("::: private\nx\n:::\n"))
    assert cli("build", "--now", NOW).code == 1
    assert snapshot(root / "site") == before


@pytest.mark.parametrize("where", ["rendering", "writing"])
def test_crash_mid_build_leaves_previous_site_intact(
    cli: Cli, project: Project, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    root = project(two_reports())
    assert cli("build", "--now", NOW).code == 0
    before = snapshot(root / "site")
    (root / "reports/2016-10-04-org.md").write_text(report("Changed text.\n"))
    calls = {"n": 0}
    made = 1 if where == "rendering" else len(before) // 2  # an edit makes only a few pages

    def crash_midway(*args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] > made:
            raise RuntimeError("power cut")

    with monkeypatch.context() as patch:
        if where == "rendering":
            real_page = site.SiteBuilder.page

            def page(self: site.SiteBuilder, *a: object, **k: object) -> bytes:
                crash_midway()
                return real_page(self, *a, **k)  # type: ignore[arg-type]

            patch.setattr(site.SiteBuilder, "page", page)
        else:
            import reportback.build.swap as swap

            real_write, real_link = swap._write, swap.os.link

            def write(path: Path, data: bytes) -> None:
                crash_midway()
                real_write(path, data)

            def link(a: Path, b: Path) -> None:
                crash_midway()
                real_link(a, b)

            patch.setattr(swap, "_write", write)
            patch.setattr(swap.os, "link", link)
        with pytest.raises(RuntimeError, match="power cut"):
            cli("build", "--now", NOW)
    assert snapshot(root / "site") == before
    assert not list(root.glob(".site.*")), "the half-written staging folder was removed"
    assert cli("build", "--now", NOW).code == 0
    assert "Changed text." in (root / "site/reports/2016-10-04-org/index.html").read_text()


def test_rebuild_without_change_is_byte_identical(cli: Cli, project: Project) -> None:
    root = project(two_reports())
    assert cli("build", "--now", NOW).code == 0
    first = snapshot(root / "site")
    result = cli("build", "--now", "2026-12-01T00:00:00+00:00")
    assert result.code == 0
    assert result.err.startswith("unchanged:")
    assert snapshot(root / "site") == first


def test_editing_one_report_rewrites_only_changed_files(cli: Cli, project: Project) -> None:
    root = project(two_reports())
    assert cli("build", "--now", NOW).code == 0
    everything = inodes(root / "site")
    index = {p for p in everything if p.relative_to(root / "site").parts[0] == "pagefind"}
    before = {p: i for p, i in everything.items() if p not in index}
    path = root / "reports/2016-10-04-org.md"
    path.write_text(
        path.read_text().replace("agreed the minutes", "agreed the minutes, as amended")
    )
    assert cli("build", "--now", NOW).code == 0
    assert rewritten(root / "site", before) == [
        "reports/2016-10-04-org/2016-10-04-org.pdf",
        "reports/2016-10-04-org/index.html",
    ]
    after = set((root / "site/pagefind").rglob("*.pf_fragment"))
    assert after - index, "the search index holds the new text (its fragment is new)"


def test_an_edit_indexes_only_its_years_shard_of_the_search_index(
    cli: Cli, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = two_reports()
    files["reports/2017-01-10-nec.md"] = report("The NEC met in January.\n", title="NEC January",
                                                meeting_date="2017-01-10")  # fmt: skip
    root = project(files)
    assert cli("build", "--now", NOW).code == 0
    shards = sorted(p.name for p in (root / "site/pagefind").iterdir())
    assert shards == ["2016", "2017", "record"]
    search = (root / "site/search/index.html").read_text()
    assert 'data-pagefind="../pagefind/record/pagefind.js"' in search
    assert 'data-pagefind-merge="../pagefind/2017/ ../pagefind/2016/"' in search

    def kept() -> dict[str, int]:  # each shard's index in the state folder, by its inode
        store = next((root / ".reportback/cache/search").iterdir())
        return {p.name.split("-")[0]: p.stat().st_ino for p in store.iterdir()}

    before = kept()
    read: list[str] = []  # the index files read from the store to be audited and published
    real = planning._stored_file
    monkeypatch.setattr(planning, "_stored_file", lambda n, p: read.append(n) or real(n, p))
    unkeyed: list[str] = []  # pages a shard is named by their bytes (read), not their keys
    named = search_index._named

    def spy(tree: Path, pages: list[str], keys: dict[str, str]) -> list[str | bytes]:
        unkeyed.extend(p for p in pages if p not in keys)
        return named(tree, pages, keys)

    monkeypatch.setattr(search_index, "_named", spy)
    path = root / "reports/2017-01-10-nec.md"
    path.write_text(path.read_text().replace("met in January", "met in snowy January"))
    assert cli("build", "--now", NOW).code == 0
    assert unkeyed == [], "every page a shard indexes is named by the key it was made from"
    assert read and {name.split("/")[1] for name in read} == {"2017"}, "the others were kept"
    after = kept()
    assert after["2016"] == before["2016"] and after["record"] == before["record"]
    assert after["2017"] != before["2017"] and len(after) == 3  # made again; the old one gone
    fragments = (root / "site/pagefind/2017/fragment").glob("*.pf_fragment")
    assert any(b"snowy" in gzip.decompress(p.read_bytes()) for p in fragments)


def test_a_clp_page_is_made_again_only_when_what_it_lists_changes(
    cli: Cli, project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    files = two_reports()
    files["reports/2016-11-01-witney.md"] = report(
        "The NEC met about Witney.\n", title="Witney", meeting_date="2016-11-01", clps=["witney"]
    )
    root = project(files)
    assert cli("build", "--now", NOW).code == 0
    log = tmp_path / "made.log"  # the CLP pages are made in a forked child: it logs to a file
    real = site.SiteBuilder.clp_page

    def clp_page(self: site.SiteBuilder, page: site.ClpPage) -> bytes:
        with log.open("a") as out:
            out.write(page.clp.slug + "\n")
        return real(self, page)

    def made() -> list[str]:
        names = log.read_text().split() if log.exists() else []
        log.unlink(missing_ok=True)
        return names

    monkeypatch.setattr(site.SiteBuilder, "clp_page", clp_page)
    path = root / "reports/2016-11-01-witney.md"
    path.write_text(path.read_text().replace("about Witney", "about Witney and Carterton"))
    assert cli("build", "--now", NOW).code == 0
    assert made() == ["witney"], "only the page listing the edited report was made again"
    assert "Carterton" in (root / "site/clp/witney/index.html").read_text()
    assert cli("build", "--now", NOW).code == 0
    assert made() == []
    path = root / "reports/2016-10-04-org.md"  # a report for every CLP, in text no list shows
    path.write_text(path.read_text().replace("agreed the minutes", "agreed the minutes again"))
    assert cli("build", "--now", NOW).code == 0
    assert made() == [], "a list shows no report's text: an edit to it alone makes no page"
    page = root / "site/reports/2016-10-04-org/index.html"
    assert "agreed the minutes again" in page.read_text()
    path.write_text(path.read_text().replace("The committee met.", "The committee met twice."))
    assert cli("build", "--now", NOW).code == 0  # its summary, on every CLP's page: every page
    everyone = len(load_directory().clps)
    assert len(made()) == everyone
    assert "The committee met twice." in (root / "site/clp/witney/index.html").read_text()
    (root / "templates").mkdir(exist_ok=True)  # what shows a page changed: every page again
    (root / "templates/clp.html").write_text(
        (default_dir() / "clp.html").read_text().replace("Concerns your CLP", "About your CLP")
    )
    assert cli("build", "--now", NOW).code == 0
    assert len(made()) == everyone
    clps = len(list((root / "site/clp").glob("*/index.html")))
    sitemap = (root / "site/sitemap.xml").read_text()
    assert clps == everyone and sitemap.count("/clp/") == everyone + 1  # each and the directory


def test_a_list_is_made_again_only_when_what_it_lists_changes(
    cli: Cli, project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The home page, the archive, the tag pages, the sitemap...: each is kept as published
    unless what it is made from changed, and when none is to be made, none is."""
    files = two_reports()
    files["reports/2016-11-01-witney.md"] = report(
        "The NEC met about Witney.\n\nMore.\n", title="Witney", meeting_date="2016-11-01",
        tags=["Selections"],
    )  # fmt: skip
    root = project(files)
    assert cli("build", "--now", NOW).code == 0
    log = tmp_path / "made.log"  # the lists are made in a forked child: it logs to a file
    real_page, real_lists = site.SiteBuilder.page, site.SiteBuilder.lists

    def page(self: site.SiteBuilder, template: str, *args: Any, **kwargs: Any) -> bytes:
        with log.open("a") as out:
            out.write(f"{template}\n")
        return real_page(self, template, *args, **kwargs)

    def lists(self: site.SiteBuilder, *args: Any) -> site.Outputs:
        with log.open("a") as out:
            out.write("lists\n")
        return real_lists(self, *args)

    def made() -> list[str]:
        names = log.read_text().split() if log.exists() else []
        log.unlink(missing_ok=True)
        lists = ("index.html", "archive.html", "clps.html", "tag.html", "404.html", "lists")
        return sorted(n for n in names if n in lists)  # not the reports', CLPs' or record's

    monkeypatch.setattr(site.SiteBuilder, "page", page)
    monkeypatch.setattr(site.SiteBuilder, "lists", lists)
    path = root / "reports/2016-11-01-witney.md"
    path.write_text(path.read_text().replace("More.", "More, and more."))
    assert cli("build", "--now", NOW).code == 0
    assert made() == [], "text no list shows: no list made, nor the lists' child started"
    assert "More, and more." in (root / "site/reports/2016-11-01-witney/index.html").read_text()
    path.write_text(path.read_text().replace("about Witney", "about Witney and Carterton"))
    assert cli("build", "--now", NOW).code == 0  # its summary: the lists showing it
    assert made() == ["archive.html", "index.html", "lists", "tag.html"]
    for name in ("index.html", "tags/selections/index.html"):  # the archive shows no summary
        assert "Witney and Carterton" in (root / "site" / name).read_text(), name
    new = report("New.\n", title="December", tags=["Rules"], meeting_date="2016-12-01")
    (root / "reports/2016-12-01-nec.md").write_text(new)
    assert cli("build", "--now", NOW).code == 0  # a new report: the lists of it, the sitemap
    assert made() == ["archive.html", "index.html", "lists", "tag.html"]
    sitemap = (root / "site/sitemap.xml").read_text()
    assert "tags/rules/" in sitemap and "reports/2016-12-01-nec/" in sitemap
    (root / "reports/2016-12-01-nec.md").unlink()
    assert cli("build", "--now", NOW).code == 0
    assert not (root / "site/tags/rules").exists()
    assert "tags/rules/" not in (root / "site/sitemap.xml").read_text()
    assert (root / "site/tags/selections/index.html").is_file()


def test_a_report_page_is_made_again_only_when_the_report_or_what_shows_it_changes(
    cli: Cli, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(two_reports())
    assert cli("build", "--now", NOW).code == 0
    made: list[str] = []
    real = site.SiteBuilder.report_page

    def report_page(self: site.SiteBuilder, report: site.ReportView) -> bytes:
        made.append(report.slug)
        return real(self, report)

    monkeypatch.setattr(site.SiteBuilder, "report_page", report_page)
    path = root / "reports/2016-10-04-org.md"
    path.write_text(path.read_text().replace("agreed the minutes", "agreed the minutes again"))
    assert cli("build", "--now", NOW).code == 0
    assert made == ["2016-10-04-org"], "the unchanged report's page was kept, not made"
    page = (default_dir() / "report.html").read_text(encoding="utf-8")
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates/report.html").write_text(
        page.replace("{% block main %}", "{% block main %}<p>Read at the meeting</p>", 1)
    )
    assert cli("build", "--now", NOW).code == 0
    assert sorted(made[1:]) == ["2016-09-20-nec", "2016-10-04-org"], "a template is an input"
    for slug in made[1:]:
        assert "Read at the meeting" in (root / f"site/reports/{slug}/index.html").read_text()
    (root / "reportback.toml").write_text('[site]\ntitle = "Reports from the NEC"\n')
    assert cli("build", "--now", NOW).code == 0
    assert len(made) == 5, "so are the site settings"
    assert "Reports from the NEC" in (root / "site/reports/2016-09-20-nec/index.html").read_text()


def test_embargoed_report_appears_only_from_its_time(cli: Cli, project: Project) -> None:
    files = two_reports()
    files["reports/2016-11-22-away.md"] = report(
        "zqembargoed findings\n", title="Away day", publish_at="2026-12-01T09:00:00+00:00"
    )
    root = project(files)
    assert cli("build", "--now", "2026-12-01T08:59:59+00:00").code == 0
    text = everything(root / "site")
    assert "zqembargoed" not in text
    assert "2016-11-22-away" not in text
    assert "Away day" not in text
    assert cli("build", "--now", "2026-12-01T09:00:00+00:00").code == 0
    page = (root / "site/reports/2016-11-22-away/index.html").read_text()
    assert "zqembargoed" in page
    assert 'datetime="2026-12-01T09:00:00+00:00"' in page
    assert "Away day" in (root / "site/index.html").read_text()


def test_a_build_says_which_reports_it_took_off_the_site_and_why(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 88: a build whose clock was set back before a report's publish_at
    took it off the site and out of every feed without a word."""
    files = two_reports()
    files["reports/2016-11-22-away.md"] = report(
        "Findings.\n", title="Away day", publish_at="2026-12-01T09:00:00+00:00"
    )
    root = project(files)
    assert cli("build", "--now", "2026-12-02T09:00:00+00:00").code == 0
    (root / "reports/2016-10-04-org.md").unlink()
    back = cli("build", "--now", "2026-11-30T09:00:00+00:00")
    assert back.code == 0, back.err
    assert (
        "no longer published: reports/2016-11-22-away, taken off the site and out of the feeds; "
        "it is embargoed at this build's time (2026-11-30T09:00:00+00:00): is that time right?"
    ) in back.err
    assert "no longer published: reports/2016-10-04-org, taken off" in back.err
    assert "its file is gone" in back.err
    again = cli("build", "--now", "2026-11-30T09:00:00+00:00")
    assert "no longer published" not in again.err, "said once, by the build that did it"


def test_a_build_says_a_report_renamed_moved_not_that_its_file_is_gone(
    cli: Cli, project: Project
) -> None:
    """Honest user helper 169: a report renamed (`…-v2.md` kept, the first copy deleted) was
    said to be "no longer published … its file is gone", though it was published again,
    its identity kept, under its new name."""
    root = project(two_reports())
    assert cli("build", "--now", "2026-12-02T09:00:00+00:00").code == 0
    (root / "reports/2016-10-04-org.md").rename(root / "reports/2016-10-04-org-v2.md")
    moved = cli("build", "--now", "2026-12-03T09:00:00+00:00")
    assert moved.code == 0, moved.err
    assert (
        "no longer published: reports/2016-10-04-org, taken off the site and out of the feeds; "
        "its file was renamed: it is reports/2016-10-04-org-v2 now"
    ) in moved.err
    assert "its file is gone" not in moved.err


def test_a_build_ahead_of_the_clock_says_what_it_published_before_its_embargo(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 147: `--now` mistyped ahead of the clock published an embargoed
    report on the real site and in the feeds without a word."""
    clock = datetime.now(UTC)
    ends = (clock + timedelta(days=15)).replace(microsecond=0)
    files = two_reports()
    files["reports/2016-11-22-away.md"] = report("Findings.\n", publish_at=ends.isoformat())
    project(files)
    ahead = cli("build", "--now", (clock + timedelta(days=16)).isoformat())
    assert ahead.code == 0, ahead.err
    said = f"reports/2016-11-22-away.md: published before its embargo ends ({ends.isoformat()})"
    assert said in ahead.err and "by this machine's clock" in ahead.err
    assert "2016-10-04-org.md: published before" not in ahead.err
    assert said not in cli("build", "--now", (clock + timedelta(days=14)).isoformat()).err


@pytest.mark.parametrize("folders", [["--site", "site", "--feeds", "feeds"], ["--site", "./site/"],
                                     ["--feeds", "feeds"], ["--site", "site/preview"],
                                     ["--site", "feeds/x"], ["--feeds", "feeds/sub"]])  # fmt: skip
def test_a_preview_is_never_built_into_the_published_folders(
    cli: Cli, project: Project, folders: list[str]
) -> None:
    """Adversary helper 90: `build --drafts --site site --feeds feeds` published every draft
    on the public site, its lists and tag pages, with exit 0; helper 94: `--site site/preview`
    put the drafts' pages and PDFs in a folder of the site."""
    files = two_reports()
    files["reports/draft.md"] = report("zqdraft text\n", title="Draft one", status="draft")
    root = project(files)
    assert cli("build", "--now", NOW).code == 0
    before = everything(root / "site")
    result = cli("build", "--drafts", *folders, "--now", NOW)
    assert result.code == 2, result.err
    assert "--drafts builds a private preview, never in (or over) the published site" in (
        result.err
    )
    assert everything(root / "site") == before and "Draft one" not in before
    assert not any("Draft one" in p.read_text() for p in (root / "feeds").rglob("*.xml"))


def test_drafts_are_never_published_but_can_be_previewed(cli: Cli, project: Project) -> None:
    files = two_reports()
    files["reports/draft.md"] = report("zqdraft text\n", title="Draft one", status="draft")
    root = project(files)
    assert cli("build", "--now", NOW).code == 0
    assert "zqdraft" not in everything(root / "site")
    published = snapshot(root / "site")
    preview = cli("build", "--now", NOW, "--drafts")
    assert preview.code == 0 and preview.err.startswith("previewed: 2 reports"), preview.err
    assert snapshot(root / "site") == published, "a preview never touches the published site"
    page = (root / ".reportback/preview/site/reports/draft/index.html").read_text()
    assert "Draft — not published." in page
    assert "zqdraft" not in everything(root / ".reportback/preview/feeds")
    db = sqlite3.connect(root / ".reportback/state.sqlite")
    assert db.execute("SELECT published_at FROM reports WHERE slug='draft'").fetchall() == []


def test_previews_record_nothing_a_real_build_then_takes_for_a_lost_state(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 97: a second `build --drafts` read the preview's own site as the
    published one, found the draft there unknown to the state, and recorded it as shown by
    a lost or restored state: every real build then said so, and once the draft was made
    final and published, digests held it back from every subscriber."""
    files = two_reports()
    files["reports/draft.md"] = report("Draft text.\n", title="Draft one", status="draft")
    root = project(files)
    assert cli("build", "--now", NOW).code == 0
    for _ in range(2):
        preview = cli("build", "--now", NOW, "--drafts")
        assert preview.code == 0 and "had no record" not in preview.err, preview.err
    (root / "reports/draft.md").write_text(report("Draft text.\n", title="Draft one"))
    built = cli("build", "--now", NOW)
    assert built.code == 0 and "had no record" not in built.err, built.err
    db = sqlite3.connect(root / ".reportback/state.sqlite")
    assert db.execute("SELECT * FROM unsure").fetchall() == []


def test_publication_time_is_recorded_once(cli: Cli, project: Project) -> None:
    root = project(two_reports())
    assert cli("build", "--now", "2026-11-22T12:00:00+00:00").code == 0
    assert cli("build", "--now", "2026-11-29T12:00:00+00:00").code == 0
    page = (root / "site/reports/2016-10-04-org/index.html").read_text()
    assert 'datetime="2026-11-22T12:00:00+00:00"' in page


def test_renamed_report_keeps_its_identity(cli: Cli, project: Project) -> None:
    root = project(two_reports())
    assert cli("build", "--now", NOW).code == 0
    db = sqlite3.connect(root / ".reportback/state.sqlite")
    before = db.execute(
        "SELECT id, published_at FROM reports WHERE slug='2016-10-04-org'"
    ).fetchone()
    (root / "reports/2016-10-04-org.md").rename(root / "reports/2016-10-04-organisation.md")
    assert cli("build", "--now", "2026-12-01T00:00:00+00:00").code == 0
    after = db.execute(
        "SELECT id, published_at FROM reports WHERE slug='2016-10-04-organisation'"
    ).fetchone()
    assert after == before
    assert not (root / "site/reports/2016-10-04-org").exists()


def test_a_new_report_for_the_meeting_of_a_deleted_one_is_a_new_report(
    cli: Cli, project: Project
) -> None:
    """An adversary helper's finding: a report deleted, then another written for the same
    meeting and date (a supplementary report) took the deleted one's identity and its
    publication, and was mailed to nobody who had had the first. A file renamed keeps its
    title, and so its identity (`test_renamed_report_keeps_its_identity`)."""
    root = project(two_reports())
    assert cli("build", "--now", NOW).code == 0
    (root / "reports/2016-10-04-org.md").unlink()
    assert cli("build", "--now", "2026-12-01T00:00:00+00:00").code == 0
    later = report("Follow-up.\n", title="Org Committee: finance follow-up",
                   meeting="Organisation Committee", meeting_date="2016-10-04")  # fmt: skip
    (root / "reports/2016-10-04-org-finance.md").write_text(later)
    assert cli("build", "--now", "2026-12-02T00:00:00+00:00").code == 0
    db = sqlite3.connect(root / ".reportback/state.sqlite")
    row = db.execute(
        "SELECT id, published_at FROM reports WHERE slug='2016-10-04-org-finance'"
    ).fetchone()
    assert row == ("2016-10-04-org-finance", "2026-12-02T00:00:00+00:00")


def test_an_id_that_would_make_a_published_report_another_is_refused(
    cli: Cli, project: Project
) -> None:
    """An adversary helper's finding: `id:` added to a report already published (and mailed)
    made it a new report, mailed to every member again."""
    root = project(two_reports())
    assert cli("build", "--now", NOW).code == 0
    path = root / "reports/2016-10-04-org.md"
    original = path.read_text()
    path.write_text(
        original.replace("title: Org Committee\n", "title: Org Committee\nid: org-10\n")
    )
    for args in (["check"], ["build", "--now", "2026-12-01T00:00:00+00:00"]):  # check too
        result = cli(*args)  # (honest user helper 148: `check` passed, then `build` refused)
        assert result.code == 1
        assert result.err.startswith(
            "reports/2016-10-04-org.md:3: id: 'org-10', but this report was published as "
            "'2016-10-04-org'"
        ), result.err
    path.write_text(
        original.replace("title: Org Committee\n", "title: Org Committee\nid: 2016-10-04-org\n")
    )
    assert cli("build", "--now", "2026-12-01T00:00:00+00:00").code == 0


def _row(root: Path, slug: str) -> tuple[str, str] | None:
    db = sqlite3.connect(root / ".reportback/state.sqlite")
    try:
        return db.execute("SELECT id, published_at FROM reports WHERE slug = ?", (slug,)).fetchone()
    finally:
        db.close()


ORG = {"meeting": "Organisation Committee", "meeting_date": "2016-10-04"}


def test_a_file_name_used_again_for_another_meeting_is_a_new_report(
    cli: Cli, project: Project
) -> None:
    """An adversary helper's finding: a report deleted, and a new one (another meeting date,
    title and text) written to its file name later, was published and mailed to nobody.
    The same file with one of them corrected is the same report."""
    root = project(two_reports())
    assert cli("build", "--now", NOW).code == 0
    path = root / "reports/2016-10-04-org.md"
    path.write_text(report("It agreed the minutes.\n", title="Org, corrected", **ORG))
    assert cli("build", "--now", "2026-12-01T00:00:00+00:00").code == 0
    assert _row(root, "2016-10-04-org") == ("2016-10-04-org", NOW)
    new = {"meeting": "Organisation Committee", "meeting_date": "2027-01-12"}
    path.write_text(report("A new meeting.\n", title="Org Committee, January", **new))
    assert cli("build", "--now", "2027-01-20T00:00:00+00:00").code == 0
    assert _row(root, "2016-10-04-org") == (
        "2016-10-04-org-2027-01-12",
        "2027-01-20T00:00:00+00:00",
    )
    assert cli("build", "--now", "2027-01-21T00:00:00+00:00").code == 0
    assert _row(root, "2016-10-04-org") == (
        "2016-10-04-org-2027-01-12",
        "2027-01-20T00:00:00+00:00",
    ), "and stays one"


def test_a_renamed_file_is_known_by_its_text_before_a_new_report_of_its_meeting(
    cli: Cli, project: Project
) -> None:
    """An adversary helper's finding: a report renamed while another was added for the same
    meeting, date and title: whichever name sorted first took the old identity (the old one
    was mailed again, the new one to nobody). A file renamed with its text unchanged keeps it;
    a title that differs only in case or Unicode form is the same title."""
    root = project(two_reports())
    assert cli("build", "--now", NOW).code == 0
    path = root / "reports/2016-10-04-org.md"
    text = path.read_text()
    path.rename(root / "reports/zz-org-old.md")
    (root / "reports/aa-org-new.md").write_text(
        report("Another report.\n", title="ORG COMMITTEE", **ORG)
    )
    assert cli("build", "--now", "2026-12-01T00:00:00+00:00").code == 0
    assert _row(root, "zz-org-old") == ("2016-10-04-org", NOW)
    assert _row(root, "aa-org-new") == ("aa-org-new", "2026-12-01T00:00:00+00:00")
    (root / "reports/aa-org-new.md").unlink()
    (root / "reports/zz-org-old.md").unlink()
    for name in ("one", "two"):  # neither is the old text: which is the renamed one?
        (root / f"reports/{name}.md").write_text(text.replace("met", f"met ({name})"))
    result = cli("build", "--now", "2026-12-02T00:00:00+00:00")
    assert result.code == 1
    assert (
        "reports/one.md:1: this report and reports/two.md could each be 'zz-org-old' "
        "renamed" in result.err
    ), result.err


def test_a_copy_of_a_report_is_refused(cli: Cli, project: Project) -> None:
    """An adversary helper's finding: a copy left behind under another name was published
    and mailed to every member as a second report."""
    root = project(two_reports())
    (root / "reports/2016-10-04-org-copy.md").write_bytes(
        (root / "reports/2016-10-04-org.md").read_bytes()
    )
    result = cli("build", "--now", NOW)
    assert result.code == 1
    assert result.err.startswith(
        "reports/2016-10-04-org.md:1: the same text, byte for byte, as "
        "reports/2016-10-04-org-copy.md: remove one of the two"
    ), result.err


HOLD_THE_BUILD = """
import fcntl, sys, time
with open(sys.argv[1], "a+") as handle:
    fcntl.flock(handle, fcntl.LOCK_EX)
    handle.write("4242"); handle.flush()
    print("held", flush=True)
    time.sleep(3)
"""


def test_a_build_waits_for_another_to_finish(cli: Cli, project: Project) -> None:
    """Held-out round D2: a build run by hand while the daemon built failed with a traceback
    (each removed the other's staging folder)."""
    root = project(two_reports())
    lock = root / ".reportback/build.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_BUILD, str(lock)],
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        built = cli("build", "--now", NOW)
        waited = time.monotonic() - started
    finally:
        holder.wait(timeout=30)
    assert built.code == 0, built.err
    assert "another build (pid 4242) is running; waiting for it to finish" in built.err
    assert waited > 1, "it waited for the lock"
    assert (root / "site/index.html").exists()


def test_two_reports_with_one_id_are_refused(cli: Cli, project: Project) -> None:
    """Held-out round D2: a report whose id was another's (given as `id:`, or kept by a
    renamed report whose old name a new report then took) was published, and never mailed:
    the ledger knows a report by its id. A new report under a name freed by a rename gets
    that name and its meeting date as its id (it was refused: an adversary helper's finding);
    one given another's id is refused."""
    root = project(two_reports())
    assert cli("build", "--now", NOW).code == 0
    (root / "reports/2016-10-04-org.md").rename(root / "reports/2016-10-04-organisation.md")
    assert cli("build", "--now", "2026-12-01T00:00:00+00:00").code == 0
    text = report("A new report.\n", title="New", meeting_date="2016-10-11")
    (root / "reports/2016-10-04-org.md").write_text(text)  # the old name, taken again
    built = cli("build", "--now", "2026-12-02T00:00:00+00:00")
    assert built.code == 0, built.err
    db = sqlite3.connect(root / ".reportback/state.sqlite")
    ids = dict(db.execute("SELECT slug, id FROM reports").fetchall())
    db.close()
    assert ids["2016-10-04-org"] == "2016-10-04-org-2016-10-11"
    assert ids["2016-10-04-organisation"] == "2016-10-04-org"
    given = text.replace("title:", "id: 2016-10-04-organisation\ntitle:")
    (root / "reports/2016-10-04-org.md").write_text(given)
    for command in (["check"], ["build", "--now", "2026-12-02T00:00:00+00:00"]):
        refused = cli(*command)
        assert refused.code == 1 and "2016-10-04-organisation" in refused.err, refused.err


def test_clp_pages_list_addressed_reports_and_concerning_items(cli: Cli, project: Project) -> None:
    files = {
        "reports/a.md": report(
            '## Hackney selection {clps="hackney-north-and-stoke-newington"}\n\nTimetable.\n\n'
            '## London matters {regions="London"}\n\nx\n\n'
            '## Secret {.confidential clps="witney"}\n\ny\n',
            title="Everyone",
        ),
        "reports/b.md": report("Only Witney.\n", title="Witney only", clps=["witney"]),
    }
    root = project(files)
    assert cli("build", "--now", NOW).code == 0
    hackney = (root / "site/clp/hackney-north-and-stoke-newington/index.html").read_text()
    assert "Concerns your CLP" in hackney
    assert 'href="../../reports/a/index.html#hackney-selection"' in hackney
    assert 'href="../../reports/a/index.html#london-matters"' in hackney
    assert "Witney only" not in hackney
    witney = (root / "site/clp/witney/index.html").read_text()
    assert "Witney only" in witney
    assert "Concerns your CLP" not in witney  # the confidential item's tag does not count
    assert len(list((root / "site/clp").glob("*/index.html"))) == len(load_directory().clps)


def test_home_and_clp_pages_list_the_latest_twenty_and_the_archive_lists_all(
    cli: Cli, project: Project
) -> None:
    files: dict[str, str | bytes] = {
        f"reports/r{n:02d}.md": report(
            f"Text {n}.\n", title=f"Meeting number {n}", meeting_date=f"2016-01-{n + 1:02d}"
        )
        for n in range(23)
    }
    root = project(files)
    assert cli("build", "--now", NOW).code == 0
    site = root / "site"
    home = (site / "index.html").read_text()
    listed = re.findall(r'<a href="reports/(r\d+)/index.html">', home)
    assert list(dict.fromkeys(listed)) == [f"r{n:02d}" for n in range(22, 2, -1)]
    assert 'href="reports/index.html">Every report (23)' in home
    archive = (site / "reports/index.html").read_text()
    assert re.findall(r'<a href="(r\d+)/index.html">', archive) == [
        f"r{n:02d}" for n in range(22, -1, -1)
    ]
    assert '<h2 id="year-2016">2016</h2>' in archive
    witney = (site / "clp/witney/index.html").read_text()
    assert "Meeting number 3<" in witney and "Meeting number 2<" not in witney
    assert "The 20 latest of 23 reports for Witney" in witney


def test_images_are_published_by_content_hash(cli: Cli, project: Project) -> None:
    png = (Path(__file__).parent.parent / "reports/images/timetable.png").read_bytes()
    files = {
        "reports/a.md": report(
            "![A chart](img/zqsecretname.png)\n\n::: confidential\n![x](img/other.png)\n:::\n"
        ),
        "reports/img/zqsecretname.png": png,
        "reports/img/other.png": png[:-1] + b"\x83",
    }
    root = project(files)
    assert cli("build", "--now", NOW).code == 0
    folder = root / "site/reports/a"
    images = sorted(p.name for p in folder.glob("img-*"))
    assert len(images) == 1
    with PIL.Image.open(folder / images[0]) as published, PIL.Image.open(io.BytesIO(png)) as source:
        assert published.convert("RGB").tobytes() == source.convert("RGB").tobytes()
    assert "zqsecretname" not in everything(root / "site")


def test_withheld_words_that_are_also_public_do_not_refuse(cli: Cli, project: Project) -> None:
    body = (
        "The General Secretary reported on the ballot.\n\n"
        "A complaint about [the General Secretary]{.confidential} was noted.\n"
    )
    root = project({"reports/a.md": report(body)})
    result = cli("build", "--now", NOW)
    assert result.code == 0, result.err
    page = (root / "site/reports/a/index.html").read_text()
    assert 'A complaint about <span class="withheld">[withheld]</span> was noted.' in page


def test_public_text_exception_does_not_hide_a_real_leak(
    cli: Cli, project: Project, leaky_redactor: None
) -> None:
    body = (
        "The General Secretary reported on the ballot.\n\n"
        "A complaint about [the Treasurer of Witney CLP]{.confidential} was noted.\n"
    )
    project({"reports/a.md": report(body)})
    result = cli("build", "--now", NOW)
    assert result.code == 1
    assert (
        "a: confidential text 'the treasurer of witney clp' found in reports/a/index.html"
        in result.err
    )


LEAKING = "[the budget](https://example.org/budget){#zq-tangerine-velvet}"
"""A public link whose id says a confidential phrase: the audit's, to find."""
UNUSED = "[unused]: https://example.org/"


@pytest.mark.parametrize(
    ("elsewhere", "channel"),
    [  # adversary helper 138: each let the id by, as words some output shows
        ({"reports/b.md": report(f"Notes.\n\n{UNUSED}x \"zq tangerine velvet\"\n")}, LEAKING),
        ({"reports/b.md": report(f"Notes.\n\n{UNUSED}zq-tangerine-velvet\n")}, LEAKING),
        ({"reports/b.md": report("Notes [[y][r]]{.confidential}.\n\n"
                                 '[r]: https://example.org/x\n  "zq tangerine velvet"\n')},
         LEAKING),
        ({"templates/placeholders.toml": 'members_section = "zq tangerine velvet"\n'}, LEAKING),
        ({}, "[the budget](https://example.org/zq%20tangerine%20velvet)"),
        ({}, "[the budget](https://example.org/%7Aq-tangerine-velvet)"),
        # adversary helper 140
        ({"reports/b.md": report("See [the agenda][zq tangerine velvet].\n\n"
                                 "[zq tangerine velvet]: https://example.org/agenda\n")},
         LEAKING),
        ({}, "[the budget](https://example.org/?q=zq%2520tangerine%2520velvet)"),
    ],
    ids=["unused-definition", "unused-address", "used-only-withheld", "placeholder-for-nothing",
         "percent-spaces", "percent-letter", "a-links-label", "percent-twice"],
)  # fmt: skip
def test_withheld_words_are_found_where_no_output_shows_them_elsewhere(
    cli: Cli, project: Project, elsewhere: dict[str, str], channel: str
) -> None:
    """Withheld words are no leak where some output shows them anyway; a link definition
    nothing public uses, and a stand-in for material no report withholds, are shown by none.
    An address's %-escapes are read decoded."""
    body = f"The [zq tangerine velvet]{{.confidential}} case.\n\nPublic: {channel}\n"
    root = project({"reports/a.md": report(body), **elsewhere})
    result = cli("build", "--now", NOW)
    assert result.code == 1, result.err
    assert "a: confidential text 'zq tangerine velvet' found in reports/a/index.html" in result.err
    assert not (root / "site").exists()


def test_check_does_not_call_a_links_label_public(cli: Cli, project: Project) -> None:
    """Adversary helper 142: `check` warned that withheld words were also public where they
    were a link's label, which no output shows (and the build then refused)."""
    body = ("The [zq tangerine velvet]{.confidential} case.\n\n"
            "See [the agenda][zq tangerine velvet].\n\n"
            "[zq tangerine velvet]: https://example.org/agenda\n")  # fmt: skip
    project({"reports/a.md": report(body)})
    result = cli("check")
    assert result.code == 0 and "also written in public text" not in result.err, result.err


def test_a_used_definitions_address_is_public_as_its_link_shows_it(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 150: a public address said again in withheld text passed `check`
    (an inline link) but refused the build when the link used a definition, whose address
    was counted as shown nowhere; the link's output shows it."""
    body = ("The NEC published [its statement][s] on rules.\n\n"
            "[s]: https://example.org/zq-statement-on-tangerine-rules\n\n"
            "## Disputes {.confidential}\n\nWe discussed "
            "https://example.org/zq-statement-on-tangerine-rules at length.\n")  # fmt: skip
    project({"reports/a.md": report(body)})
    checked, built = cli("check"), cli("build", "--now", NOW)
    assert checked.code == built.code == 0, built.err
    assert "are also written in public text at line" in built.err


def test_a_date_withheld_on_the_day_the_site_says_it_published_is_no_leak(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 141: `[5 December 2026]{.confidential}` refused the build made on 5
    December 2026: the site says each report was published that day, in the same words."""
    body = "The next hearing is on [5 December 2026]{.confidential}.\n"
    project({"reports/a.md": report(body)})
    result = cli("build", "--now", "2026-12-05T12:00:00+00:00")
    assert result.code == 0, result.err


def test_a_span_marked_inside_a_withheld_section_is_a_phrase_of_its_own(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 140: a span marked inside a confidential section was searched only
    as part of its paragraph (runs of eight), so its three words went by in a public id."""
    body = ("## Disputes {.confidential}\n\nThe chair was [zq tangerine velvet]{.confidential}"
            f" this time.\n\n## Budget\n\nPublic: {LEAKING}\n")  # fmt: skip
    root = project({"reports/a.md": report(body)})
    result = cli("build", "--now", NOW)
    assert result.code == 1, result.err
    assert "a: confidential text 'zq tangerine velvet' found in reports/a/index.html" in result.err
    assert not (root / "site").exists()


def test_crash_between_the_two_renames_of_the_fallback_swap_is_recovered(
    cli: Cli, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reportback.build.swap as swap

    root = project(two_reports())
    assert cli("build", "--now", NOW).code == 0
    before = snapshot(root / "site")
    (root / "site").rename(root / ".site.old-4242")  # what a crash mid-swap leaves behind
    (root / ".site.new-4242").mkdir()
    monkeypatch.setattr(swap, "_exchange", lambda a, b: False)  # force the two-rename path
    assert cli("build", "--now", NOW).code == 0
    assert snapshot(root / "site") == before
    assert not left_beside(root / "site")


@pytest.mark.parametrize("first", [True, False], ids=["first-build", "rebuild"])
def test_a_swap_that_fails_puts_back_the_trees_swapped_before_it(
    cli: Cli, project: Project, monkeypatch: pytest.MonkeyPatch, first: bool
) -> None:
    """Adversary helper 139: a feeds folder that could not be renamed (a mount point, or
    immutable) stopped the build after the new site was swapped in: the site from one build,
    the feeds from another, and the build said nothing was published."""
    import errno

    import reportback.build.swap as swap

    root = project(two_reports())
    if not first:
        assert cli("build", "--now", NOW).code == 0
        edited = report("The committee met, edited.\n", title="ORG October")
        (root / "reports/2016-10-04-org.md").write_text(edited, encoding="utf-8")
    before = {name: snapshot(root / name) if (root / name).exists() else None
              for name in ("site", "feeds")}  # fmt: skip
    real = swap._swap

    def failing(staging: Path, target: Path) -> bool:
        if target.name == "feeds":
            raise OSError(errno.EBUSY, "Device or resource busy", str(target))
        return real(staging, target)

    monkeypatch.setattr(swap, "_swap", failing)
    result = cli("build", "--now", NOW)
    assert result.code == 3, result.err
    after = {name: snapshot(root / name) if (root / name).exists() else None
             for name in ("site", "feeds")}  # fmt: skip
    assert after == before
    assert not left_beside(root / "site") and not (root / ".reportback/swaps.json").exists()
    monkeypatch.setattr(swap, "_swap", real)
    assert cli("build", "--now", NOW).code == 0
    page = (root / "site/reports/2016-10-04-org/index.html").read_text(encoding="utf-8")
    assert first or "edited" in page


def test_a_build_with_nothing_to_do_is_skipped_but_any_change_is_noticed(
    cli: Cli, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(
        {
            "reports/a.md": report("Public text.\n"),
            "reports/later.md": report(
                "Embargoed text.\n", title="Later", publish_at="2026-12-01T09:00:00+00:00"
            ),
        }
    )
    assert cli("build", "--now", NOW).code == 0
    real = pipeline.run
    calls: list[int] = []

    def counting(*args: object, **kwargs: object) -> pipeline.BuildResult:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "run", counting)
    unchanged = cli("build", "--now", NOW)
    assert unchanged.code == 0 and "unchanged: 1 report," in unchanged.err
    assert calls == []
    (root / "site/reports/a/index.html").unlink()  # a published file went missing
    assert cli("build", "--now", NOW).code == 0 and len(calls) == 1
    assert (root / "site/reports/a/index.html").is_file()
    (root / "templates").mkdir()
    (root / "templates/style.css").write_text("body { color: black; }\n")
    assert cli("build", "--now", NOW).code == 0 and len(calls) == 2
    assert (root / "site/style.css").read_text() == "body { color: black; }\n"
    assert cli("build", "--now", "2026-12-01T08:59:59+00:00").code == 0 and len(calls) == 2
    assert not (root / "site/reports/later").exists()
    assert cli("build", "--now", "2026-12-01T09:00:00+00:00").code == 0 and len(calls) == 3
    assert (root / "site/reports/later/index.html").is_file()
    (root / "reports/a.md").write_text(report("Edited text.\n"))
    assert cli("build", "--now", "2026-12-01T09:00:00+00:00").code == 0 and len(calls) == 4
    assert "Edited text." in (root / "site/reports/a/index.html").read_text()


def test_a_report_edited_while_a_build_runs_is_built_next_time(
    cli: Cli, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project({"reports/a.md": report("First text.\n")})
    real = pipeline.run

    def edit_during(*args: object, **kwargs: object) -> pipeline.BuildResult:
        result = real(*args, **kwargs)  # type: ignore[arg-type]
        (root / "reports/a.md").write_text(report("Edited while building.\n"))
        return result

    monkeypatch.setattr(pipeline, "run", edit_during)
    assert cli("build", "--now", NOW).code == 0
    monkeypatch.setattr(pipeline, "run", real)
    assert cli("build", "--now", NOW).code == 0
    assert "Edited while building." in (root / "site/reports/a/index.html").read_text()


def test_incremental_audit_searches_a_clean_piece_again_for_new_withheld_runs(
    tmp_path: Path,
) -> None:
    record = tmp_path / "verdicts.pickle"
    page = Output(
        "page.html", b"<p>The panel expelled the member for repeated abuse online.</p>",
        Audience.PUBLIC,
    )  # fmt: skip
    other = Withheld("r", _fragment("a different confidential matter about the budget"))
    assert _audit(page, [other], record) == []
    assert Verdicts(record).clean  # the page was recorded as clean of `other`
    leak = Withheld("r", _fragment("the panel expelled the member for repeated abuse"))
    found = _audit(page, [other, leak], record)
    assert found == [
        "r: confidential text 'the panel expelled the member for repeated abuse' found in page.html"
    ]
    assert _audit(page, [other], record) == []


def test_a_report_pages_clean_verdict_is_kept_by_every_audit_not_every_other(
    tmp_path: Path,
) -> None:
    record = tmp_path / "verdicts.pickle"
    page = Output("reports/r/index.html", b"<p>The budget was agreed.</p>", Audience.PUBLIC, "r")
    own = Withheld("r", _fragment("a confidential matter about the panel hearing"))
    for _ in range(3):
        assert _audit(page, [own], record) == []
        assert len(Verdicts(record).clean) == 2  # the page's text, and it against its own runs


def test_a_pdfs_text_read_back_from_its_cache_is_the_text_pdfium_gave(
    cli: Cli, project: Project
) -> None:
    root = project({"reports/r.md": report("Public text.\n\nMore public text.\n")})
    assert cli("build", "--now", NOW).code == 0
    data = (root / "site/reports/r/r.pdf").read_bytes()
    fresh = pdf_text(data)
    assert "\r\n" in fresh  # PDFium ends lines so; a text-mode read would make them \n
    cache = PdfText(root / "pdftext")
    assert cache(data) == fresh  # extracted, then stored
    assert cache(data) == fresh  # read back
    record = root / "verdicts.pickle"
    pdf = Output("reports/r/r.pdf", data, Audience.PUBLIC, "r")
    own = [Withheld("r", _fragment("a confidential matter about the panel hearing"))]
    assert Auditor(own, PdfText(None), verdicts=Verdicts(record)).check_all([pdf]) == []
    first = Verdicts(record).clean
    assert Auditor(own, cache, verdicts=Verdicts(record)).check_all([pdf]) == []
    assert Verdicts(record).clean == first  # the same text: the same verdicts, known again


def test_an_output_kept_unread_keeps_its_pieces_known_clean(tmp_path: Path) -> None:
    record = tmp_path / "verdicts.pickle"
    feed = Output("feeds/all.xml", b"<rss><item>Budget agreed.</item></rss>", Audience.PUBLIC)
    run = [Withheld("r", _fragment("a confidential matter about the panel hearing"))]
    first = Auditor(run, PdfText(None), verdicts=Verdicts(record))
    assert first.check(feed, key="k") == []
    first.save()
    for _ in range(2):  # kept as published twice: never read, still known clean
        kept = Auditor(run, PdfText(None), verdicts=Verdicts(record))
        kept.kept("k")
        kept.save()
    assert Verdicts(record).keyed["k"] and Verdicts(record).keyed["k"] <= Verdicts(record).clean


def test_a_list_page_is_audited_item_by_item_and_a_leak_in_an_item_is_found(
    tmp_path: Path,
) -> None:
    page = Output(
        "clp/witney/index.html",
        b"<ol><li>Budget agreed.</li><li>Note: the panel expelled the member for abuse</li></ol>",
        Audience.PUBLIC,
    )
    assert len(chunks(page, PdfText(None))) == 3  # the page's head, then each item
    own = Output("reports/r/index.html", page.data, Audience.PUBLIC, "r")
    assert len(chunks(own, PdfText(None))) == 1  # a report's own page is audited whole
    leak = Withheld("r", _fragment("the panel expelled the member for abuse"))
    found = _audit(page, [leak], tmp_path / "v.pickle")
    assert found == [
        "r: confidential text 'the panel expelled the member for abuse' found in "
        "clp/witney/index.html"
    ]


def test_incremental_audit_trusts_only_its_own_record_of_clean_pieces(tmp_path: Path) -> None:
    page = Output("page.html", b"<p>the panel expelled the member for abuse</p>", Audience.PUBLIC)
    leak = Withheld("r", _fragment("the panel expelled the member for abuse"))
    record = tmp_path / "verdicts.pickle"
    record.write_bytes(b"not a pickle")  # unreadable: a full audit
    assert _audit(page, [leak], record) != []
    assert _audit(page, [leak], record) != []


def _audit(output: Output, runs: list[Withheld], record: Path) -> list[str]:
    """Audit `output` for `runs` as a build's audit does, its verdicts kept in `record`."""
    found = Auditor(runs, PdfText(None), verdicts=Verdicts(record)).check_all([output])
    return [str(leak) for leak in found]


def _fragment(text: str) -> Fragment:
    words = tuple(text.split())
    return Fragment(Audience.CONFIDENTIAL, words, text)


def test_a_report_checked_before_is_checked_again_when_what_it_depends_on_changes(
    cli: Cli, project: Project
) -> None:
    png = (Path(__file__).parent.parent / "reports/images/timetable.png").read_bytes()
    root = project({"reports/a.md": report("![A chart](img/chart.png)\n"),
                    "reports/img/chart.png": png})  # fmt: skip
    assert cli("build", "--now", NOW).code == 0
    assert (root / ".reportback/cache/checked").is_dir()  # its verdict was kept
    flipped = PIL.Image.open(io.BytesIO(png)).transpose(PIL.Image.Transpose.FLIP_TOP_BOTTOM)
    flipped.save(root / "reports/img/chart.png")  # same name, new picture
    assert cli("build", "--now", NOW).code == 0
    images = list((root / "site/reports/a").glob("img-*"))
    assert [PIL.Image.open(p).convert("RGB").tobytes() for p in images] == [
        flipped.convert("RGB").tobytes()
    ]
    (root / "reports/img/chart.png").unlink()
    result = cli("build", "--now", NOW)
    assert result.code == 1
    assert "image 'img/chart.png' not found" in result.err
    assert (root / "site/reports/a").is_dir()  # refused: the previous site stays


def test_a_file_in_pieces_is_written_whole_even_by_short_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pieces = (b"<rss>", b"", "é".encode() * 5000, b"<item/>" * 3, b"</rss>")
    swap._write(tmp_path / "whole.xml", pieces)
    assert (tmp_path / "whole.xml").read_bytes() == b"".join(pieces)
    real, calls = swap.os.writev, []

    def short(fd: int, buffers: list[bytes]) -> int:  # the kernel may write less than asked
        calls.append(len(buffers))
        return real(fd, [bytes(memoryview(b"".join(buffers))[:7])])

    monkeypatch.setattr(swap.os, "writev", short)
    swap._write(tmp_path / "short.xml", pieces)
    assert (tmp_path / "short.xml").read_bytes() == b"".join(pieces)
    assert len(calls) == -(-len(b"".join(pieces)) // 7)


def test_a_kept_pdf_is_never_read_and_a_missing_one_is_published_from_the_cache(
    cli: Cli, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reportback.cache import Cache

    root = project(two_reports())
    assert cli("build", "--now", NOW).code == 0
    pdfs = {p.name: p.read_bytes() for p in (root / "site/reports").rglob("*.pdf")}
    read: list[str] = []
    real = Cache.get_bytes

    def get_bytes(self: Cache, kind: str, name: str) -> bytes | None:
        read.append(kind)
        return real(self, kind, name)

    monkeypatch.setattr(Cache, "get_bytes", get_bytes)
    path = root / "reports/2016-10-04-org.md"
    path.write_text(path.read_text().replace("agreed the minutes", "agreed the minutes again"))
    assert cli("build", "--now", NOW).code == 0
    assert read.count("pdf") == 1, (
        "the edited report's PDF is read back to be audited; the other's is kept, unread"
    )
    changed = (root / "site/reports/2016-10-04-org/2016-10-04-org.pdf").read_bytes()
    assert changed != pdfs["2016-10-04-org.pdf"]
    shutil.rmtree(root / "site")
    assert cli("build", "--now", NOW).code == 0
    assert read.count("pdf") == 3, "with no site to keep them from, both are read"
    assert (root / "site/reports/2016-09-20-nec/2016-09-20-nec.pdf").read_bytes() == pdfs[
        "2016-09-20-nec.pdf"
    ]
    assert (root / "site/reports/2016-10-04-org/2016-10-04-org.pdf").read_bytes() == changed


def test_a_prepared_build_holds_neither_the_words_of_its_reports_nor_their_pdfs(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a build holds for every report stays small (issue 26's peak memory and an edit's
    fixed cost): a checked report keeps where each word was written, not the words the rules
    read, and holds not even that: it is read from the cache only to redact it afresh; a PDF
    is read from the cache each time it is asked for, never kept."""
    root = project(two_reports())
    config = load_config(cwd=root)
    read: list[str] = []
    real = check_all._regions
    monkeypatch.setattr(check_all, "_regions", lambda *a: read.append(a[1]) or real(*a))
    for afresh in (True, False):  # checked afresh, then read back from the records
        read.clear()
        ready = pipeline.prepare(config, BuildOptions(now=datetime.fromisoformat(NOW)))
        assert len(ready.checked) == 2
        assert bool(read) == afresh, "regions are read back when, and only when, redacted afresh"
        read.clear()
        regions = [c.regions for c in ready.checked]
        assert len(read) == 2, "regions held, not read from the cache when asked for"
        assert all(r.wording is None for r in regions)
        assert [bool(r.spans) for r in regions] == [True, False]  # still known
        for rendered in ready.rendered[Audience.PUBLIC]:
            assert rendered.pdf.startswith(b"%PDF-")
            assert rendered.pdf_file.data is not rendered.pdf_file.data  # read, not kept
    shutil.rmtree(root / ".reportback/cache/regions")  # lost while a build runs: a clear error
    with pytest.raises(ExternalFailure, match="the check cache lost an entry"):
        _ = ready.checked[0].regions


def test_a_draft_whose_name_ends_another_reports_name_is_not_taken_for_it(
    cli: Cli, project: Project
) -> None:
    """A draft `c.md` beside a published `nec.md` failed the audit: `c.pdf` was found in
    `nec.pdf` (a later round's finding); a withheld report's own name is still refused."""
    root = project({
        "reports/nec.md": report("Public.\n", title="NEC"),
        "reports/c.md": report("Draft.\n", title="C", status="draft"),
    })  # fmt: skip
    built = cli("build", "--now", NOW)
    assert built.code == 0, built.err
    assert (root / "site/reports/nec/nec.pdf").exists() or list(root.glob("site/**/nec.pdf"))


@pytest.mark.parametrize(
    ("text", "named"),
    [('<a href="/reports/c/">x</a>', True), ('<a href="c.pdf">x</a>', True),
     ('<a href="/reports/nec/nec.pdf">x</a>', False), ("<p>etc.pdf</p>", False)],
)  # fmt: skip
def test_the_audit_finds_a_withheld_reports_name_and_not_the_end_of_another(
    text: str, named: bool
) -> None:
    output = Output("index.html", text.encode(), Audience.PUBLIC)
    found = Auditor([], PdfText(None), hidden_slugs=["c"]).check_all([output])
    assert bool([f for f in found if "names a withheld report" in str(f)]) == named, found


def test_the_default_summary_is_the_first_paragraph_written_not_a_placeholder(
    cli: Cli, project: Project
) -> None:
    """A report opening with a members' div was summed up, in its page's description and its
    feed entries, as the placeholder (an adversary helper's finding)."""
    body = "::: members\nMembers first.\n:::\n\nThen the public paragraph.\n"
    root = project({"reports/a.md": report(body)})
    assert cli("build", "--now", NOW).code == 0
    page = (root / "site/reports/a/index.html").read_text()
    assert '<meta name="description" content="Then the public paragraph."' in page
