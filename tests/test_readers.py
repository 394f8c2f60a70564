"""What readers expect of a site: sitemap, robots.txt, canonical and card metadata, 404, tags."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from starlette.testclient import TestClient

from reportback.config import load_config
from reportback.web.app import create_app

from .conftest import NOW, Result, report

Cli = Callable[..., Result]
Project = Callable[[dict[str, str | bytes]], Path]
CANARY = "Snorkelwhistle Bandersnatch Quibbleton"
BODY = f"Open words.\n\n## Secret {{.confidential}}\n\n{CANARY} agreed the thing.\n"


def test_sitemap_robots_canonical_cards_404_and_tags(cli: Cli, project: Project) -> None:
    root = project({
        "reportback.toml": '[site]\nbase_url = "https://nec.example.org/reports-site"\n',
        "reports/a.md": report(BODY, title="First", tags=["Rule changes", "NEC"],
                               summary="What happened."),
        "reports/b.md": report("Other.\n", title="Second", tags=["NEC"]),
    })  # fmt: skip
    assert cli("build", "--now", NOW).code == 0
    site = root / "site"
    sitemap = (site / "sitemap.xml").read_text()
    base = "https://nec.example.org/reports-site/"
    for url in ("", "reports/a/", "reports/b/", "clp/witney/", "tags/rule-changes/", "tags/nec/"):
        assert f"<loc>{base}{url}</loc>" in sitemap, url
    assert "404" not in sitemap
    assert (site / "robots.txt").read_text() == (
        f"User-agent: *\nAllow: /\nSitemap: {base}sitemap.xml\n"
    )
    page = (site / "reports/a/index.html").read_text()
    assert f'<link rel="canonical" href="{base}reports/a/">' in page
    assert '<meta property="og:title" content="First">' in page
    assert '<meta property="og:description" content="What happened.">' in page
    assert '<meta name="twitter:card" content="summary">' in page
    assert '<link rel="icon" href="data:image/svg+xml' in page
    assert 'href="../../tags/rule-changes/index.html">Rule changes</a>' in page
    nec = (site / "tags/nec/index.html").read_text()
    assert "First" in nec and "Second" in nec
    assert "Second" not in (site / "tags/rule-changes/index.html").read_text()
    for name in ("sitemap.xml", "404.html", "tags/nec/index.html", "reports/a/index.html"):
        assert CANARY.split()[0] not in (site / name).read_text(), name
    with TestClient(create_app(load_config(), send_confirmations=False)) as client:
        missing = client.get("/no/such/page")
        assert missing.status_code == 404 and "Page not found" in missing.text


def test_new_outputs_are_audited(cli: Cli, project: Project) -> None:
    """A template that let withheld text into the new outputs is caught by the leak audit."""
    for name, template in (
        ("404.html", '{% extends "base.html" %}{% block main %}<p>' + CANARY + " agreed the "
         "thing.</p>{% endblock %}\n"),
        ("sitemap.xml", "<urlset><!-- " + CANARY + " agreed the thing. --></urlset>\n"),
        ("tag.html", '{% extends "base.html" %}{% block main %}<p>' + CANARY + " agreed the "
         "thing.</p>{% endblock %}\n"),
    ):  # fmt: skip
        root = project({"reports/a.md": report(BODY, tags=["NEC"]), f"templates/{name}": template})
        result = cli("build", "--now", NOW)
        assert result.code == 1, name
        assert "leak audit failed" in result.err, name
        assert not (root / "site").exists()
        (root / "templates" / name).unlink()


def test_atom_entries_of_one_build_have_distinct_updated(cli: Cli, project: Project) -> None:
    import feedparser

    root = project({f"reports/r{n}.md": report(f"Text {n}.\n", title=f"R{n}") for n in range(4)})
    assert cli("build", "--now", NOW).code == 0
    for feed in ("all.atom", "clp/witney.atom"):
        parsed = feedparser.parse((root / "feeds" / feed).read_bytes())
        updated = [e.updated for e in parsed.entries]
        assert len(updated) == 4 and len(set(updated)) == 4, (feed, updated)


def test_dark_scheme_placeholder_and_404_in_a_real_browser(cli: Cli, project: Project) -> None:
    from .browser import chromium, violations

    body = "Open words.\n\nThe [name]{.confidential} spoke.\n"
    root = project({"reports/a.md": report(body, tags=["NEC"])})
    assert cli("build", "--now", NOW).code == 0
    with chromium() as browser:
        page = browser.new_page(color_scheme="dark")
        page.goto((root / "site/reports/a/index.html").as_uri())
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(22, 24, 27)"
        span = page.locator("span.withheld")
        assert span.inner_text() == "[withheld]"
        style = span.evaluate(
            "e => [getComputedStyle(e).borderLeftStyle, getComputedStyle(e).borderTopStyle]"
        )
        assert style == ["dashed", "dashed"]  # a box around it, not a stray bar
        assert violations(page) == []
        light = browser.new_page(color_scheme="light")
        light.goto((root / "site/reports/a/index.html").as_uri())
        assert light.evaluate("getComputedStyle(document.body).backgroundColor") == (
            "rgb(255, 255, 255)"
        )
        for name in ("404.html", "tags/nec/index.html", "index.html"):
            light.goto((root / "site" / name).as_uri())
            assert violations(light) == [], name


def test_digest_fits_a_phone_marks_members_and_passes_axe(cli: Cli, project: Project) -> None:
    from .browser import chromium, violations

    body = "Open words.\n\n::: members\nFor the members only.\n:::\n"
    root = project({"reports/a.md": report(body)})
    assert cli("build", "--now", NOW).code == 0
    for audience in ("public", "members"):
        made = cli("digest", "preview", "--clp", "witney", "--audience", audience, "--now", NOW)
        assert made.code == 0, made.err
    public = root / "digest-preview/witney-public-weekly.html"
    members = root / "digest-preview/witney-members-weekly.html"
    assert "please do not forward" not in public.read_text()
    assert "For members: please do not forward." in members.read_text()
    eml = (root / "digest-preview/witney-members-weekly.eml").read_bytes()
    assert b"For members: please do not forward." in eml
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 800})
        for path in (public, members):
            page.goto(path.as_uri())
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (path.name, width)
            assert violations(page) == [], path.name


def test_pdf_language_title_heading_corrections_and_footer(cli: Cli, project: Project) -> None:
    import io

    import pypdf

    corrections = [{"date": "2026-12-01", "note": "The vote was 22 to 8."}]
    root = project({
        "reportback.toml": '[site]\ntitle = "Jo\'s NEC reports"\nbase_url = "https://nec.example.org/"\n',
        "reports/a.md": report(BODY, title="The September NEC", corrections=corrections),
    })  # fmt: skip
    assert cli("build", "--now", NOW).code == 0
    data = (root / "site/reports/a/a.pdf").read_bytes()
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert reader.outline[0]["/Title"] == "The September NEC"
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Corrections" in text and "1 December 2026: The vote was 22 to 8." in text
    assert "Jo's NEC reports" in text and "https://nec.example.org/reports/a/" in text
    assert "Published 22 November 2026" in text
    assert CANARY.split()[0] not in text


def test_digest_test_sends_one_real_digest_and_records_nothing(cli: Cli, project: Project) -> None:
    import sqlite3

    from .smtp import Server

    body = "Open words.\n\n::: members\nFor the members only.\n:::\n"
    with Server() as smtp:
        root = project({"reportback.toml": smtp.config(), "reports/a.md": report(body)})
        assert cli("build", "--now", NOW).code == 0
        sent = cli("digest", "test", "--to", "me@example.org", "--audience", "members",
                   "--now", NOW)  # fmt: skip
        assert sent.code == 0, sent.err
        assert "to me@example.org; nothing was recorded" in sent.err
        mails = smtp.recorder.parsed()
        assert len(mails) == 1 and mails[0]["To"].addresses[0].addr_spec == "me@example.org"
        assert "For the members only." in str(mails[0].get_body(("plain",)).get_content())
        again = cli("digest", "test", "--to", "me@example.org", "--audience", "public",
                    "--now", NOW)  # fmt: skip
        assert again.code == 0, again.err
        ids = {m["Message-ID"] for m in smtp.recorder.parsed()}
        assert len(ids) == 2, "each test its own Message-ID (held-out round D2)"
        db = sqlite3.connect(root / ".reportback/state.sqlite")
        assert db.execute("SELECT count(*) FROM outbox").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM subscribers").fetchone() == (0,)
        (root / "reportback.toml").write_text("")
        refused = cli("digest", "test", "--to", "me@example.org", "--now", NOW)
        assert refused.code == 2 and "no SMTP server is set" in refused.err


def test_pdf_asks_viewers_to_show_its_title(cli: Cli, project: Project) -> None:
    import io

    import pypdf

    root = project({"reports/a.md": report(BODY, title="The September NEC")})
    assert cli("build", "--now", NOW).code == 0
    reader = pypdf.PdfReader(io.BytesIO((root / "site/reports/a/a.pdf").read_bytes()))
    preferences = reader.trailer["/Root"]["/ViewerPreferences"]
    assert preferences["/DisplayDocTitle"] == pypdf.generic.BooleanObject(True)
    assert reader.metadata is not None and reader.metadata.title == "The September NEC"
