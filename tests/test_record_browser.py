"""The search page and the votes filter in a real browser (Debian chromium), served by
`reportback serve`'s app with its strict Content-Security-Policy."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .conftest import NOW, Result, report
from .test_record import CONFIDENTIAL, MEMBERS, PUBLIC_DECISION, record_project
from .test_web_live import ARTIFACTS, serving

Cli = Callable[..., Result]
Project = Callable[[dict[str, str | bytes]], Path]


def test_search_and_the_votes_filter_in_a_real_browser(cli: Cli, project: Project) -> None:
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is needed (apt-get install chromium)"
    from playwright.sync_api import sync_playwright

    root = record_project(project)
    (root / "reports/2025-10-06-org.md").write_text(report(  # another year: another shard
        "## Conference timetable {decision=\"Agreed\" vote=for}\n\nThe committee met.\n",
        title="Organisation Committee", meeting="Organisation Committee",
        meeting_date="2025-10-06", tags=["conference"],
    ))  # fmt: skip
    assert cli("build", "--now", NOW).code == 0
    ARTIFACTS.mkdir(exist_ok=True)
    errors: list[str] = []
    with serving() as port, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            search_and_filter(browser, port, errors)
        finally:
            browser.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def search_and_filter(browser: Any, port: int, errors: list[str]) -> None:
    """Search from the header, search for the canaries, filter the votes."""
    page = browser.new_page()
    page.set_default_timeout(20_000)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    base = f"http://127.0.0.1:{port}"

    page.goto(f"{base}/index.html")  # the header's search box leads to the search page
    page.get_by_label("Search the reports").fill("timetable")
    page.get_by_label("Search the reports").press("Enter")
    page.wait_for_url("**/search/index.html?q=timetable")
    found = results(page)
    assert "/reports/2026-09-20-nec/" in " ".join(found), found
    assert "/reports/2025-10-06-org/" in " ".join(found), found  # merged from its shard
    page.screenshot(path=str(ARTIFACTS / "record-1-search.png"), full_page=True)
    for canary in (CONFIDENTIAL, MEMBERS, "Zanzibar", "quokka", "Marmalade", "withdrawn"):
        page.goto(f"{base}/search/index.html?q={canary}")
        assert results(page) == [], canary
        assert page.locator("#search-status").inner_text() == "Nothing found"

    page.goto(f"{base}/votes/index.html")
    rows = page.locator("#votes-table tbody tr")
    assert rows.count() == 3 and PUBLIC_DECISION in page.content()
    page.get_by_label("Vote").select_option("against")
    assert visible_items(page) == ["Selection timetable"]
    assert page.locator("#votes-status").inner_text() == "1 decisions match"
    page.get_by_label("Vote").select_option("")
    page.get_by_label("Topic").select_option("conference")
    assert visible_items(page) == ["Conference timetable"]
    page.get_by_label("Vote").select_option("against")
    assert visible_items(page) == []
    page.screenshot(path=str(ARTIFACTS / "record-2-votes.png"), full_page=True)


def results(page: Any) -> list[str]:
    """Wait for the search to finish; return the links it found."""
    page.wait_for_function(
        "() => !['', 'Searching…'].includes(document.getElementById('search-status').textContent)"
    )
    status = page.locator("#search-status").inner_text()
    assert status != "" and not status.startswith("Search is not available"), status
    links = page.locator("#search-results a")
    return [str(links.nth(i).get_attribute("href")) for i in range(links.count())]


def visible_items(page: Any) -> list[str]:
    cells = page.locator("#votes-table tbody tr:visible td:nth-child(3)")
    return [cells.nth(i).inner_text() for i in range(cells.count())]
