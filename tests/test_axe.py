"""axe-core finds nothing on any page type, light and dark: the built site's, and the
subscription pages that `reportback serve` renders, each served over HTTP with the site's
strict CSP."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reportback.config import load_config
from reportback.mail.tokens import Tokens, load_secret
from reportback.web.app import create_app

from .browser import chromium, running, violations
from .conftest import NOW, Result
from .test_record import record_project
from .test_record_browser import results

Cli = Callable[..., Result]
Project = Callable[[dict[str, str | bytes]], Path]
SITE_PAGES = {
    "home": "/",
    "report": "/reports/2026-09-20-nec/",
    "archive": "/reports/",
    "CLP": "/clp/witney/",
    "CLP directory": "/clp/",
    "tag": "/tags/selections/",
    "record": "/record/",
    "votes": "/votes/",
    "search": "/search/",
    "404": "/no/such/page",
    "subscribe form": "/subscribe",
    "bad link": "/confirm?token=nope",
}
EMAIL = "reader@example.org"


def test_every_page_type_has_no_axe_violations(cli: Cli, project: Project) -> None:
    root = record_project(project)
    assert cli("build", "--now", NOW).code == 0
    app = create_app(load_config(), send_confirmations=False)
    found: dict[str, list[str]] = {}
    with running(app) as port, chromium() as browser:
        page = browser.new_page()
        base = f"http://127.0.0.1:{port}"
        for name, path in SITE_PAGES.items():
            page.goto(base + path)
            found[name] = in_both_schemes(page)
        page.goto(f"{base}/search/?q=timetable")
        assert results(page)
        found["search results"] = in_both_schemes(page)
        subscribe(page, base, "not an address")
        found["subscribe form with an error"] = in_both_schemes(page)
        subscribe(page, base, EMAIL)
        assert page.get_by_role("heading", level=1).inner_text() == "Check your inbox"
        found["check your inbox"] = in_both_schemes(page)
        page.goto(f"{base}/confirm?token={token(root, 'confirm')}")
        found["confirm"] = in_both_schemes(page)
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", level=1).inner_text() == "You are subscribed"
        found["confirmed"] = in_both_schemes(page)
        for name, purpose in (("preferences", "preferences"), ("unsubscribe", "unsubscribe")):
            page.goto(f"{base}/{purpose}?token={token(root, purpose)}")
            found[name] = in_both_schemes(page)
        page.get_by_role("button", name="Unsubscribe").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", level=1).inner_text() == "You are unsubscribed"
        found["unsubscribed"] = in_both_schemes(page)
    assert found == {name: [] for name in found}


def in_both_schemes(page: Any) -> list[str]:
    """Return axe-core's violations on the page, in the light and the dark colour scheme."""
    found = []
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        found += [f"{scheme}: {v}" for v in violations(page)]
    return found


def subscribe(page: Any, base: str, email: str) -> None:
    """Send the subscribe form, past the browser's own check of the address."""
    page.goto(f"{base}/subscribe")
    page.locator("form[action='/subscribe']").evaluate("form => { form.noValidate = true }")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Your CLP").select_option("witney")
    page.get_by_role("button", name="Subscribe").click()
    page.wait_for_load_state()


def token(root: Path, purpose: str) -> str:
    """Return a link's token for the one subscriber, as an email would carry it."""
    db = sqlite3.connect(root / ".reportback/state.sqlite")
    sid = db.execute("SELECT id FROM subscribers WHERE email = ?", (EMAIL,)).fetchone()[0]
    db.close()
    return Tokens(load_secret(root / ".reportback")).make(sid, EMAIL, purpose)
