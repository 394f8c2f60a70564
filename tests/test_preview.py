"""`reportback preview`: built apart from the site, rebuilt on save, reviewed, in a browser."""

from __future__ import annotations

import http.client
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from starlette.testclient import TestClient

from reportback.commands.preview import (
    LoopbackNames,
    Outcome,
    Previewer,
    create_app,
    listening,
)

from .browser import ARTIFACTS_DIR, chromium, running, violations
from .conftest import NOW, Result, report

Cli = Callable[..., Result]
Project = Callable[[dict[str, str | bytes]], Path]
CANARY = "Quaggafrumious"
BODY = f"""Opening words for everyone.

## Budget

The budget was agreed.

## Disputes {{.confidential reason="Disciplinary matter"}}

Sectionsecret Zanzibarine was discussed.

## Other business

::: members
Membersonly Plutonian material.
:::

The candidate was [{CANARY} Smith]{{.confidential}}.
"""


@contextmanager
def previewing(root: Path) -> Iterator[tuple[Previewer, int]]:
    previewer = Previewer(None, root, lambda: datetime.fromisoformat(NOW))
    previewer.start(interval=0.1)
    try:
        with running(create_app(previewer)) as port:
            yield previewer, port
    finally:
        previewer.stop()


def test_preview_builds_apart_and_records_nothing(project: Project) -> None:
    root = project({
        "reports/a.md": report(BODY, title="Public one"),
        "reports/b.md": report("Draft text.\n", title="A draft", status="draft"),
        "reports/c.md": report(
            "Later text.\n", title="Embargoed one", publish_at="2027-01-01T09:00:00+00:00"
        ),
    })  # fmt: skip
    with previewing(root) as (previewer, _):
        assert previewer.outcome.problems == ()
    preview = root / ".reportback" / "preview" / "site"
    assert not (root / "site").exists() and not (root / "feeds").exists()
    assert "Draft — not published" in (preview / "reports/b/index.html").read_text()
    embargoed = (preview / "reports/c/index.html").read_text()
    assert "Embargoed until 1 January 2027, 09:00" in embargoed
    listed = (preview / "index.html").read_text()  # (honest user helper 169: both "Draft")
    for title, said in (("A draft", "Draft"), ("Embargoed one", "Embargoed")):
        item = listed[listed.index(f">{title}<") :]
        assert f'<strong class="draft">{said}</strong>' in item[: item.index("</li>")]
    db = sqlite3.connect(root / ".reportback" / "state.sqlite")
    assert db.execute("SELECT count(*) FROM reports WHERE seq IS NOT NULL").fetchone() == (0,)
    for path in (root / ".reportback" / "preview").rglob("*"):  # the review is never written
        if path.is_file():
            assert CANARY.encode() not in path.read_bytes(), path


def test_review_page_and_reload_in_a_real_browser(project: Project) -> None:
    root = project({"reports/a.md": report(BODY, title="Public one")})
    with previewing(root) as (previewer, port), chromium() as browser:
        page = browser.new_page()
        base = f"http://127.0.0.1:{port}"
        page.goto(f"{base}/reports/a/")
        assert page.get_by_role("heading", name="Public one").is_visible()
        assert violations(page) == []
        page.wait_for_function("() => window.performance !== undefined")
        before = previewer.outcome.generation
        source = root / "reports/a.md"
        source.write_text(source.read_text().replace("Opening words", "Freshly edited words"))
        started = time.monotonic()
        page.get_by_text("Freshly edited words for everyone.").wait_for(timeout=20_000)
        assert previewer.outcome.generation > before
        print(f"change on screen after {time.monotonic() - started:.2f} s")

        page.goto(f"{base}/_review/a/")
        rep = page.locator(".column-rep .held", has_text=CANARY)
        assert rep.count() >= 1 and "confidential" in rep.first.inner_text()
        assert "Disciplinary matter" in page.locator(".column-rep").inner_text()
        assert CANARY not in page.locator(".column-public").inner_text()
        assert CANARY not in page.locator(".column-members").inner_text()
        assert "Plutonian" in page.locator(".column-members").inner_text()
        assert "Plutonian" not in page.locator(".column-public").inner_text()
        assert "[withheld]" in page.locator(".column-public").inner_text()
        summary = page.locator(".summary").inner_text()
        assert "1 section, 1 block, 1 span" in summary and "every CLP" in summary
        assert violations(page) == []
        page.screenshot(path=str(ARTIFACTS_DIR / "preview-review.png"), full_page=True)

        page.goto(f"{base}/reports/a/")
        source.write_text(source.read_text().replace("title: Public one", "titel: Public one"))
        page.get_by_text("a.md:2:").first.wait_for(timeout=20_000)
        assert page.get_by_role("heading", name="The preview cannot be built").is_visible()
        assert violations(page) == []
        assert page.get_by_role("link", name="Show the last good preview").is_visible()


def test_a_save_during_the_first_build_is_built_too(project: Project) -> None:
    root = project({"reports/a.md": report("Opening words.\n", title="Public one")})
    source = root / "reports/a.md"

    class SavedWhileBuilding(Previewer):
        def rebuild(self) -> Outcome:
            if self.outcome.generation == 0:  # the rep saves while the first build runs
                source.write_text(source.read_text().replace("Opening", "Saved"))
            return super().rebuild()

    previewer = SavedWhileBuilding(None, root, lambda: datetime.fromisoformat(NOW))
    previewer.start(interval=0.05)
    try:
        deadline = time.monotonic() + 30
        while previewer.outcome.generation < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        previewer.stop()
    assert previewer.outcome.generation == 2  # built again: the save was seen
    page = root / ".reportback/preview/site/reports/a/index.html"
    assert "Saved words." in page.read_text()


def test_review_summary_links_and_digests(project: Project) -> None:
    body = BODY + (
        "\nThe [chair of the Organisation Committee]{.confidential} spoke.\n\n"
        "Later the chair of the Organisation Committee left.\n"
    )
    meta = {"regions": ["Wales"], "clps": ["witney"], "publish_at": "2027-01-01T09:00:00+00:00"}
    root = project({"reports/a.md": report(body, title="Public one", **meta)})
    previewer = Previewer(None, root, lambda: datetime.fromisoformat(NOW))
    previewer.rebuild()
    with TestClient(create_app(previewer)) as client:
        page = client.get("/_review/a/?clp=witney").text
        assert "embargoed until 2027-01-01T09:00:00+00:00" in page
        assert "CLPs: Witney; regions: Wales" in page
        assert "are also written in public text at line" in page
        public = client.get("/_review/a/digest-public.html?clp=witney")
        members = client.get("/_review/a/digest-members.html?clp=witney")
        assert public.status_code == members.status_code == 200
        assert "Plutonian" in members.text and "Plutonian" not in public.text
        assert CANARY not in members.text and CANARY not in public.text
        assert "unsafe-inline" in public.headers["content-security-policy"]
        assert "unsafe-inline" not in client.get("/_review/a/").headers["content-security-policy"]
        pdf = client.get("/_review/a/members.pdf")
        assert pdf.headers["content-type"] == "application/pdf"
        assert client.get("/_review/nothing/").status_code == 404
        assert client.get("/../reportback.toml").status_code == 404
        assert client.get("/reports/a/").text.count("/_preview/reload.js") == 1
        assert client.get("/_preview/reload.js").headers["content-type"].startswith("text/java")


def test_preview_says_who_can_open_it() -> None:
    assert "this computer only" in listening("127.0.0.1")
    warning = listening("0.0.0.0")
    assert warning.startswith("WARNING") and "confidential" in warning


def test_the_preview_answers_only_requests_naming_this_computer(project: Project) -> None:
    """Held-out round 22 (DNS rebinding): a page at attacker.example, its name then pointed
    at 127.0.0.1, was of the preview's origin, and read the review pages."""
    root = project({"reports/a.md": report(BODY, title="Public one")})
    previewer = Previewer(None, root, lambda: datetime.fromisoformat(NOW))
    previewer.start(interval=0.1)
    try:
        with running(LoopbackNames(create_app(previewer))) as port:
            for host in (f"127.0.0.1:{port}", "localhost", f"[::1]:{port}", "LOCALHOST:1"):
                status, text = _get(port, "/_review/a/", host)
                assert status == 200 and CANARY in text, host
            for host in (f"attacker.example:{port}", "127.0.0.1.nip.io", "", "[::1"):
                for path in ("/", "/_review/a/", "/reports/a/"):
                    status, text = _get(port, path, host)
                    assert status == 421, (host, path)
                    assert CANARY not in text and "Public one" not in text
    finally:
        previewer.stop()


def _get(port: int, path: str, host: str) -> tuple[int, str]:
    """GET `path` from the server on `port`, sent to the name `host` (the Host header)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": host})
        answer = connection.getresponse()
        return answer.status, answer.read().decode("utf-8", "replace")
    finally:
        connection.close()
