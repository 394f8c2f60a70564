"""The web service over HTTP: every endpoint, tokens, CSRF, rate limits, headers, traversal."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from reportback.config import load_config
from reportback.mail import notices
from reportback.mail.tokens import Tokens, load_secret
from reportback.web.app import SteadyFiles, create_app
from reportback.web.guard import RateLimit

from .conftest import NOW, Result, report

Cli = Callable[..., Result]
Project = Callable[[dict[str, str | bytes]], Path]
ORIGIN = {"origin": "http://testserver"}
BASE_CONFIG = '[site]\nbase_url = "http://testserver"\n'


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def site(project: Project, cli: Cli) -> Path:
    root = project({"reportback.toml": BASE_CONFIG, "reports/a.md": report("Public text.\n")})
    assert cli("build", "--now", NOW).code == 0
    return root


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(site: Path, clock: Clock) -> Iterator[TestClient]:
    app = create_app(load_config(), clock, RateLimit(100, 600), RateLimit(100, 3600), False)
    with TestClient(app) as c:
        yield c


def send_queued(root: Path) -> None:
    """Send the queued confirmations, as `serve`'s sender thread would."""
    tokens = Tokens(load_secret(root / ".reportback"))
    notices.send_queued(load_config(cwd=root), tokens, datetime.now(UTC))


def confirmations(root: Path) -> list[str]:
    send_queued(root)
    folder = root / ".reportback/confirmations"
    return [
        message_from_bytes(p.read_bytes(), policy=default).get_body().get_content()  # type: ignore[union-attr]
        for p in sorted(folder.glob("*.eml"))
    ]


def link(text: str, path: str) -> str:
    found = re.search(rf"http://testserver(/{path}\?token=[\w.-]+)", text)
    assert found, text
    return found.group(1)


def confirmed(client: TestClient, url: str) -> object:
    """Open a confirmation link and press its button, as a person does."""
    page = client.get(url)
    assert page.status_code == 200 and "<button" in page.text, page.text
    return client.post(url)


def status(root: Path, email: str) -> tuple[str, str, str] | None:
    db = sqlite3.connect(root / ".reportback/state.sqlite")
    return db.execute(
        "SELECT status, audience, consent_wording FROM subscribers WHERE email = ?", (email,)
    ).fetchone()


def subscribe(client: TestClient, email: str, **extra: str) -> object:
    data = {"email": email, "clp": "witney", "cadence": "weekly"} | extra
    return client.post("/subscribe", data=data, headers=ORIGIN)


def test_static_site_and_feeds_with_types_etags_and_304(client: TestClient) -> None:
    home = client.get("/")
    assert home.status_code == 200 and home.headers["content-type"].startswith("text/html")
    assert "Public text." in client.get("/reports/a/").text
    rss = client.get("/feeds/clp/witney.xml")
    assert rss.headers["content-type"] == "application/rss+xml"
    assert client.get("/feeds/all.atom").headers["content-type"] == "application/atom+xml"
    etag = rss.headers["etag"]
    assert rss.headers["last-modified"]
    again = client.get("/feeds/clp/witney.xml", headers={"if-none-match": etag})
    assert again.status_code == 304
    assert client.get("/reports/a/a.pdf").headers["content-type"] == "application/pdf"


@pytest.mark.parametrize(
    "path",
    ["/../reportback.toml", "/%2e%2e/reportback.toml", "/feeds/../../reportback.toml",
     "/feeds/%2e%2e/%2e%2e/.reportback/secret", "/..%2f.reportback/state.sqlite",
     "/reports/../../reports/a.md"],
)  # fmt: skip
def test_no_path_traversal(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "title:" not in response.text and "SQLite" not in response.text


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/reports/a", "/reports/a/"),
        ("/reports/a?x=1", "/reports/a/?x=1"),
    ],
)
def test_a_folder_is_redirected_by_its_path_whatever_host_was_named(
    client: TestClient, path: str, location: str
) -> None:
    """Starlette wrote the request's Host header into a folder's redirect: a forged Host
    (`Host: evil.example`) sent the visitor, or a cache, to another site."""
    answer = client.get(path, headers={"Host": "evil.example"}, follow_redirects=False)
    assert answer.status_code in (301, 302, 307, 308)
    assert answer.headers["location"] == location


def test_a_folder_asked_for_with_two_slashes_is_not_redirected_to_a_host(site: Path) -> None:
    """`//reports` (a client sends it as it is) was redirected to `//reports/`: a host."""
    files = SteadyFiles(directory=site / "site", html=True)
    scope = {"type": "http", "method": "GET", "path": "//reports", "root_path": "",
             "query_string": b"", "headers": [(b"host", b"evil.example")],
             "scheme": "http", "server": ("evil.example", 80)}  # fmt: skip
    answer = asyncio.run(files.get_response(files.get_path(scope), scope))
    assert answer.headers["location"] == "/reports/"


def test_security_headers_everywhere(client: TestClient) -> None:
    for path in ("/", "/subscribe", "/healthz", "/feeds/all.xml", "/confirm?token=x"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_double_opt_in_then_one_click_unsubscribe(client: TestClient, site: Path) -> None:
    response = subscribe(client, "new@example.org", cadence="monthly")
    assert response.status_code == 200 and "Check your inbox" in response.text
    assert status(site, "new@example.org") == ("pending", "public", "")
    mails = confirmations(site)
    assert len(mails) == 1
    confirm = link(mails[0], "confirm")
    page = confirmed(client, confirm)
    assert "You are subscribed" in page.text and "Witney" in page.text  # type: ignore[attr-defined]
    state = status(site, "new@example.org")
    assert state is not None and state[:2] == ("active", "public") and "unsubscribe" in state[2]
    assert "Already confirmed" in client.get(confirm).text  # reused: changes nothing
    assert "Already confirmed" in client.post(confirm).text
    config = load_config()
    tokens = Tokens(load_secret(config.path("state")))
    sid = (
        sqlite3.connect(site / ".reportback/state.sqlite")
        .execute("SELECT id FROM subscribers WHERE email = 'new@example.org'")
        .fetchone()[0]
    )
    token = tokens.make(sid, "new@example.org", "unsubscribe")
    shown = client.get(f"/unsubscribe?token={token}")
    assert shown.status_code == 200 and "<button" in shown.text
    assert status(site, "new@example.org")[0] == "active"  # type: ignore[index]  # GET never unsubscribes
    done = client.post(f"/unsubscribe?token={token}", data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "You are unsubscribed" in done.text
    assert status(site, "new@example.org")[0] == "unsubscribed"  # type: ignore[index]


def test_following_a_confirmation_link_confirms_nothing_until_its_button_is_pressed(
    client: TestClient, site: Path
) -> None:
    """Mail scanners open every link of a message, by GET or HEAD (adversary helper 107)."""
    subscribe(client, "scanned@example.org")
    confirm = link(confirmations(site)[0], "confirm")
    assert client.head(confirm).status_code == 200
    page = client.get(confirm)
    assert page.status_code == 200 and "Witney" in page.text
    assert 'method="post"' in page.text and "<button" in page.text
    assert status(site, "scanned@example.org")[0] == "pending"  # type: ignore[index]
    assert "You are subscribed" in client.post(confirm).text
    assert status(site, "scanned@example.org")[0] == "active"  # type: ignore[index]


def test_one_click_needs_the_rfc8058_body_but_no_cookie_or_origin(
    client: TestClient, site: Path
) -> None:
    subscribe(client, "one@example.org")
    confirmed(client, link(confirmations(site)[0], "confirm"))
    sid = (
        sqlite3.connect(site / ".reportback/state.sqlite")
        .execute("SELECT id FROM subscribers WHERE email = 'one@example.org'")
        .fetchone()[0]
    )
    token = Tokens(load_secret(load_config().path("state"))).make(
        sid, "one@example.org", "unsubscribe"
    )
    client.cookies.clear()
    assert client.post(f"/unsubscribe?token={token}", data={}).status_code == 400
    assert status(site, "one@example.org")[0] == "active"  # type: ignore[index]
    ok = client.post(f"/unsubscribe?token={token}", content=b"List-Unsubscribe=One-Click",
                     headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert ok.status_code == 200
    assert status(site, "one@example.org")[0] == "unsubscribed"  # type: ignore[index]


@pytest.mark.parametrize("path", ["/confirm", "/unsubscribe", "/preferences"])
def test_forged_tokens_change_nothing(client: TestClient, site: Path, path: str) -> None:
    subscribe(client, "victim@example.org")
    forged = Tokens("not the secret").make(1, "victim@example.org", path.strip("/"))
    for token in (forged, "garbage", ""):
        response = client.get(f"{path}?token={token}")
        assert response.status_code == 400 and "This link does not work" in response.text
    response = client.post(f"/unsubscribe?token={forged}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 400
    assert status(site, "victim@example.org")[0] == "pending"  # type: ignore[index]


def test_expired_confirmation_and_wrong_purpose(
    client: TestClient, site: Path, clock: Clock
) -> None:
    subscribe(client, "late@example.org")
    confirm = link(confirmations(site)[0], "confirm")
    token = confirm.split("token=")[1]
    assert client.get(f"/unsubscribe?token={token}").status_code == 400  # wrong purpose
    import time_machine

    with time_machine.travel(datetime.now(UTC) + timedelta(days=4)):
        assert client.get(confirm).status_code == 400
    assert status(site, "late@example.org")[0] == "pending"  # type: ignore[index]


def test_no_enumeration_of_subscribers(client: TestClient, site: Path, clock: Clock) -> None:
    first = subscribe(client, "known@example.org")
    confirmed(client, link(confirmations(site)[0], "confirm"))
    again = subscribe(client, "known@example.org")
    unknown = subscribe(client, "unknown@example.org")
    assert first.text == again.text == unknown.text  # type: ignore[attr-defined]
    mails = confirmations(site)
    assert len(mails) == 3  # the known address is told it already gets the reports
    already = next(mail for mail in mails if "already gets them" in mail)
    assert "a weekly digest, for Witney" in already and "confirm?token" not in already
    page = client.get(link(already, "preferences"))  # where to change what it gets
    assert page.status_code == 200 and 'value="witney" selected' in page.text
    assert status(site, "known@example.org")[0] == "active"  # type: ignore[index]
    subscribe(client, "known@example.org", clp="witney", cadence="monthly")
    assert len(confirmations(site)) == 3  # told once while a confirmation link would work
    clock.now += timedelta(days=4)
    subscribe(client, "known@example.org")
    assert len(confirmations(site)) == 4


def test_csrf_on_every_form(client: TestClient, site: Path) -> None:
    data = {"email": "x@example.org", "clp": "witney", "cadence": "weekly"}
    assert client.post("/subscribe", data=data).status_code == 403
    assert (
        client.post("/subscribe", data=data, headers={"origin": "https://evil.example"}).status_code
        == 403
    )
    page = client.get("/subscribe?clp=witney")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None
    ok = client.post("/subscribe", data=data | {"csrf": token.group(1)})
    assert ok.status_code == 200
    client.cookies.clear()
    assert client.post("/subscribe", data=data | {"csrf": token.group(1)}).status_code == 403


def test_a_page_elsewhere_is_refused_whatever_cookie_and_token_it_sends(
    client: TestClient, site: Path
) -> None:
    """Adversary helper 107: a cookie planted for the site and the same value in the form
    passed from any Origin, `null` too, and an Origin of the site's host by plain http."""
    data = {"email": "x@example.org", "clp": "witney", "cadence": "weekly", "csrf": "abc"}
    client.cookies.set("rb_csrf", "abc")
    for origin in ("http://evil.example", "null", "https://testserver", "http://testserver:81"):
        answer = client.post("/subscribe", data=data, headers={"origin": origin})
        assert answer.status_code == 403, origin
    for referer in ("http://evil.example/page", "https://testserver/"):
        assert client.post("/subscribe", data=data, headers={"referer": referer}).status_code == 403
    assert (
        client.post(
            "/subscribe", data=data, headers={"referer": "http://testserver/clp/"}
        ).status_code
        == 200
    )
    assert client.post("/subscribe", data=data).status_code == 200  # nothing named: the token
    assert status(site, "x@example.org") is not None


def test_rate_limits_per_ip_and_address(site: Path, clock: Clock) -> None:
    app = create_app(load_config(), clock, RateLimit(3, 600), RateLimit(2, 3600), False)
    with TestClient(app) as client:
        codes = [subscribe(client, f"r{i}@example.org").status_code for i in range(4)]  # type: ignore[attr-defined]
    assert codes == [200, 200, 200, 429]
    app = create_app(load_config(), clock, RateLimit(100, 600), RateLimit(2, 3600), False)
    with TestClient(app) as client:
        for _ in range(3):
            clock.now += timedelta(minutes=11)
            assert subscribe(client, "same@example.org").status_code == 200  # type: ignore[attr-defined]
        folder = site / ".reportback/confirmations"
        send_queued(site)
        to_same = [p for p in folder.glob("*.eml") if b"To: same@example.org" in p.read_bytes()]
        assert len(to_same) == 1, "nothing more is mailed while the first link works"
        clock.now += timedelta(days=4)  # the link expired: a new request gets a new one
        app2 = create_app(load_config(), clock, RateLimit(100, 600), RateLimit(2, 3600), False)
    with TestClient(app2) as client:
        assert subscribe(client, "same@example.org").status_code == 200  # type: ignore[attr-defined]
    send_queued(site)
    to_same = [p for p in folder.glob("*.eml") if b"To: same@example.org" in p.read_bytes()]
    assert len(to_same) == 2
    db = sqlite3.connect(site / ".reportback/state.sqlite")
    assert (
        db.execute("SELECT COUNT(*) FROM subscribers WHERE email='same@example.org'").fetchone()[0]
        == 1
    )


def test_an_ipv6_network_is_limited_as_one_client_and_everyone_together_too(
    site: Path, clock: Clock
) -> None:
    """Adversary helper 107: each IPv6 address was a client of its own, and a home connection
    has a /64 of them; and nothing limited the confirmations everyone together could queue."""
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    def asked(client: TestClient, n: int, sender: str) -> int:
        headers = ORIGIN | {"x-forwarded-for": sender}
        data = {"email": f"v{n}@example.org", "clp": "witney", "cadence": "weekly"}
        return client.post("/subscribe", data=data, headers=headers).status_code

    app = create_app(load_config(), clock, RateLimit(3, 600), RateLimit(100, 3600), False,
                     overall=RateLimit(100, 3600))  # fmt: skip
    with TestClient(ProxyHeadersMiddleware(app, trusted_hosts="*")) as client:  # type: ignore[arg-type]
        codes = [asked(client, n, f"2001:db8:1:2::{n}") for n in range(1, 5)]
        assert codes == [200, 200, 200, 429]
        assert asked(client, 5, "2001:db8:1:3::1") == 200  # another network
        assert asked(client, 6, "::ffff:192.0.2.1") == 200
    app = create_app(load_config(), clock, RateLimit(100, 600), RateLimit(100, 3600), False,
                     overall=RateLimit(5, 3600))  # fmt: skip
    with TestClient(ProxyHeadersMiddleware(app, trusted_hosts="*")) as client:  # type: ignore[arg-type]
        codes = [asked(client, n, f"192.0.2.{n}") for n in range(1, 8)]
    assert codes == [200] * 5 + [429] * 2


def test_bad_input_and_size_limit(client: TestClient) -> None:
    assert subscribe(client, "not-an-address").status_code == 400  # type: ignore[attr-defined]
    assert subscribe(client, "ok@example.org", clp="atlantis").status_code == 400  # type: ignore[attr-defined]
    huge = {"email": "a@example.org", "clp": "witney", "cadence": "weekly", "pad": "x" * 20000}
    assert client.post("/subscribe", data=huge, headers=ORIGIN).status_code == 413


def test_a_form_sent_back_with_a_problem_keeps_what_was_typed_and_names_what_is_missing(
    client: TestClient,
) -> None:
    """Adversary helper 107: after a mistyped address the form came back empty, and a
    missing cadence was told to choose a CLP as well."""
    page = subscribe(client, "ann@example", cadence="monthly")
    assert 'value="ann@example"' in page.text  # type: ignore[attr-defined]
    assert 'value="witney" selected' in page.text  # type: ignore[attr-defined]
    assert 'value="monthly" checked' in page.text  # type: ignore[attr-defined]
    assert "That does not look like an email address." in page.text  # type: ignore[attr-defined]
    unescaped = subscribe(client, '"><script>x</script>@example.org')
    assert "<script>x" not in unescaped.text  # type: ignore[attr-defined]
    assert "Please choose your CLP." in subscribe(client, "a@example.org", clp="").text  # type: ignore[attr-defined]
    missing = subscribe(client, "a@example.org", cadence="hourly")
    assert "Please choose how often to hear from us." in missing.text  # type: ignore[attr-defined]
    assert "choose your CLP" not in missing.text  # type: ignore[attr-defined]


def test_imported_members_keep_members_audience_whatever_the_form_says(
    cli: Cli, client: TestClient, site: Path
) -> None:
    (site / "m.csv").write_text("email,clp\nmember@example.org,witney\n")
    assert cli("subscribers", "import", "m.csv").code == 0
    subscribe(client, "member@example.org", clp="witney")
    assert status(site, "member@example.org")[:2] == ("active", "members")  # type: ignore[index]
    subscribe(client, "stranger@example.org")
    mails = confirmations(site)  # the member is told they already get the reports
    assert sorted("already gets them" in mail for mail in mails) == [False, True]
    confirmed(client, link(next(mail for mail in mails if "confirm?token" in mail), "confirm"))
    assert status(site, "stranger@example.org")[:2] == ("active", "public")  # type: ignore[index]


def _preferences(
    client: TestClient, site: Path, email: str
) -> tuple[sqlite3.Connection, int, str, Any]:
    """Open the state, and the preferences page of `email` by its link's token."""
    db = sqlite3.connect(site / ".reportback/state.sqlite")
    sid = db.execute("SELECT id FROM subscribers WHERE email = ?", (email,)).fetchone()[0]
    token = Tokens(load_secret(load_config().path("state"))).make(sid, email, "preferences")
    return db, sid, token, client.get(f"/preferences?token={token}")


def _save(client: TestClient, token: str, page: str, clp: str, cadence: str) -> Any:
    """Post the preferences form of `page` with a CLP and a cadence."""
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    data = {"clp": clp, "cadence": cadence, "csrf": csrf.group(1)}
    return client.post(f"/preferences?token={token}", data=data)


def test_preferences_change_clp_and_cadence(client: TestClient, site: Path) -> None:
    subscribe(client, "pref@example.org")
    confirmed(client, link(confirmations(site)[0], "confirm"))
    db, sid, token, page = _preferences(client, site, "pref@example.org")
    assert page.status_code == 200 and 'value="witney" selected' in page.text
    saved = _save(client, token, page.text, "hackney-north-and-stoke-newington", "immediate")
    assert saved.status_code == 200 and "Saved." in saved.text
    row = db.execute("SELECT clp, cadence FROM subscribers WHERE id = ?", (sid,)).fetchone()
    assert row == ("hackney-north-and-stoke-newington", "immediate")
    forged = client.post(f"/preferences?token={token}", data={"clp": "witney", "cadence": "weekly"})
    assert forged.status_code == 403
    assert "No reports are being sent" not in saved.text
    assert db.execute("SELECT cadence_at FROM subscribers WHERE id = ?", (sid,)).fetchone()[0]


def test_a_members_clp_is_the_membership_lists_not_the_preferences_pages(
    cli: Cli, client: TestClient, site: Path
) -> None:
    """Adversary helper 172: an imported member chose another CLP on the preferences page and
    kept the members' audience, so members' material for that CLP (and its region) went to
    them. A member's CLP is the list's; the page changes their cadence only."""
    (site / "m.csv").write_text("email,clp\nmember@example.org,witney\n")
    assert cli("subscribers", "import", "m.csv").code == 0
    db, sid, token, page = _preferences(client, site, "member@example.org")
    assert "from the party's membership list" in page.text and 'id="pref-clp"' not in page.text
    saved = _save(client, token, page.text, "hackney-north-and-stoke-newington", "monthly")
    assert saved.status_code == 200 and "Saved." in saved.text
    row = db.execute("SELECT clp, cadence, audience FROM subscribers WHERE id = ?", (sid,))
    assert row.fetchone() == ("witney", "monthly", "members")


def test_preferences_of_an_address_that_unsubscribed_say_nothing_is_sent(
    client: TestClient, site: Path
) -> None:
    """Adversary helper 107: the page showed the usual form and answered "Saved." to an
    address that had unsubscribed, which was sent nothing."""
    subscribe(client, "gone@example.org")
    confirmed(client, link(confirmations(site)[0], "confirm"))
    sid = sqlite3.connect(site / ".reportback/state.sqlite").execute(
        "SELECT id FROM subscribers WHERE email = 'gone@example.org'").fetchone()[0]  # fmt: skip
    tokens = Tokens(load_secret(load_config().path("state")))
    unsubscribe = f"/unsubscribe?token={tokens.make(sid, 'gone@example.org', 'unsubscribe')}"
    client.post(unsubscribe, data={"List-Unsubscribe": "One-Click"})
    preferences = f"/preferences?token={tokens.make(sid, 'gone@example.org', 'preferences')}"
    page = client.get(preferences)
    assert (
        "No reports are being sent to this address" in page.text and "it unsubscribed" in page.text
    )
    assert 'href="/subscribe?clp=witney"' in page.text and ">unsubscribe</a>" not in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    saved = client.post(preferences, data={"clp": "witney", "cadence": "monthly", "csrf": csrf[1]})
    assert (
        "Your choices are saved for then" in saved.text
        and '<p role="status">Saved.' not in saved.text
    )
    assert status(site, "gone@example.org")[0] == "unsubscribed"  # type: ignore[index]


def test_subscribe_forms_are_on_home_and_clp_pages(site: Path) -> None:
    home = (site / "site/index.html").read_text()
    assert 'action="subscribe"' in home and "Ynys Môn</option>" in home
    page = (site / "site/clp/witney/index.html").read_text()
    assert 'action="../../subscribe"' in page and 'name="clp" value="witney"' in page


def test_dynamic_pages_pass_the_nu_html_checker(
    client: TestClient, site: Path, tmp_path: Path
) -> None:
    import subprocess

    from .test_site import vnu_jar

    jar = vnu_jar()
    assert jar is not None
    subscribe(client, "valid@example.org")
    confirm = link(confirmations(site)[0], "confirm")
    sid = (
        sqlite3.connect(site / ".reportback/state.sqlite")
        .execute("SELECT id FROM subscribers WHERE email = 'valid@example.org'")
        .fetchone()[0]
    )
    tokens = Tokens(load_secret(load_config().path("state")))
    pages = {
        "subscribe": client.get("/subscribe?clp=witney").text,
        "confirm": client.get(confirm).text,
        "confirmed": client.post(confirm).text,
        "bad-link": client.get("/confirm?token=nope").text,
        "unsubscribe": client.get(
            f"/unsubscribe?token={tokens.make(sid, 'valid@example.org', 'unsubscribe')}"
        ).text,
        "preferences": client.get(
            f"/preferences?token={tokens.make(sid, 'valid@example.org', 'preferences')}"
        ).text,
    }
    files = []
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(str(path))
    done = subprocess.run(["java", "-jar", str(jar), "--format", "gnu", *files],
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr


def test_a_file_swapped_while_it_is_answered_is_answered_whole_from_one_version(
    tmp_path: Path,
) -> None:
    """Held-out round 22: the headers came from the file as it was looked up, the bytes from
    the one a build swapped in after, so pages and PDFs broke off at every publish."""
    from reportback.web.app import SteadyFiles

    page = tmp_path / "index.html"
    page.write_text("<p>old</p>\n")
    looked_up = page.stat()
    page.write_text("<p>the new and much longer version of the page</p>\n")  # the swap
    files = SteadyFiles(directory=tmp_path)
    for method in ("GET", "HEAD"):
        scope = {"type": "http", "method": method, "headers": []}
        answer = files.file_response(str(page), looked_up, scope)
        assert int(answer.headers["content-length"]) == len(page.read_bytes())
        assert answer.body == (page.read_bytes() if method == "GET" else b"")
        assert "accept-ranges" not in answer.headers


@pytest.mark.parametrize(
    "email", ["=?utf-8?q?victim?=@example.org", "=?utf-8?q?ceo=40victim.org=2C_x?=@example.org"]
)
def test_an_address_holding_an_encoded_word_is_refused(
    client: TestClient, site: Path, email: str
) -> None:
    """Adversary helper 89: stored as written, it was mailed as decoded (`victim@…`), so any
    number of encodings sent any number of confirmations to one victim, and put a second
    address in the To header."""
    assert subscribe(client, email).status_code == 400  # type: ignore[attr-defined]
    assert confirmations(site) == []
    assert status(site, email) is None


@pytest.mark.parametrize(
    "body", [b"email=%ff%fe@example.org&clp=witney", b"email=a@x.org&email=b@x.org&clp=witney"]
)
def test_an_address_of_bytes_of_no_text_or_given_twice_is_refused(
    client: TestClient, site: Path, body: bytes
) -> None:
    """Adversary helper 130: `%ff%fe@example.org` was stored (and a confirmation queued to it)
    as `\ufffd\ufffd@example.org`; of two addresses, the last was taken unsaid."""
    headers = ORIGIN | {"content-type": "application/x-www-form-urlencoded"}
    assert client.post("/subscribe", content=body, headers=headers).status_code == 400
    assert confirmations(site) == []


def test_the_cross_site_check_trusts_the_host_asked_for_only_on_this_computer(
    client: TestClient,
) -> None:
    """Adversary helper 89: a POST naming another Host, and that host as its Origin (DNS
    rebinding), passed the cross-site check with no token; the base URL is the site's own."""
    data = {"email": "x@example.org", "clp": "witney", "cadence": "weekly"}  # no token
    evil = {"host": "evil.example", "origin": "http://evil.example"}
    assert client.post("/subscribe", data=data, headers=evil).status_code == 403
    local = {"host": "127.0.0.1:8000", "origin": "http://127.0.0.1:8000"}
    assert client.post("/subscribe", data=data, headers=local).status_code == 200
    assert client.post("/subscribe", data=data, headers=ORIGIN).status_code == 200


def test_the_access_log_writes_no_link_token(site: Path) -> None:
    """Adversary helper 107: `serve`'s log held every link's token (`GET /preferences?token=…`),
    and a preferences or unsubscribe token works for as long as the address is subscribed."""
    import subprocess
    import sys

    from .smtp import free_port
    from .test_imports import serve_script

    asked = ("/preferences?token=zqtokenone", "/confirm?a=1&token=zqtokentwo&b=2")
    script = serve_script(free_port(), asked)
    run = subprocess.run([sys.executable, "-c", script], cwd=site, capture_output=True,
                         text=True, timeout=120)  # fmt: skip
    logged = run.stdout + run.stderr  # uvicorn writes its access log to stdout
    assert "GET /preferences?token=… HTTP/1.1" in logged, logged
    assert "GET /confirm?a=1&token=…&b=2 HTTP/1.1" in logged
    assert "zqtoken" not in logged


def test_a_body_sent_too_slowly_is_answered_408_in_time() -> None:
    """Adversary helper 107: bodies trickled a byte at a time held connections for minutes."""
    from reportback.web.guard import Guard

    async def never_called(scope: object, receive: object, send: object) -> None:
        raise AssertionError("the app was reached")

    async def trickle() -> dict[str, object]:
        await asyncio.sleep(0.05)
        return {"type": "http.request", "body": b"x", "more_body": True}

    sent: list[dict[str, object]] = []

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/subscribe",
             "headers": [(b"content-length", b"15000")]}  # fmt: skip
    started = asyncio.run(_timed(Guard(never_called, body_seconds=0.5), scope, trickle, send))
    assert sent[0]["status"] == 408 and 0.5 <= started < 5


async def _timed(app: object, scope: object, receive: object, send: object) -> float:
    import time

    start = time.monotonic()
    await app(scope, receive, send)  # type: ignore[operator]
    return time.monotonic() - start


def test_a_sample_digests_links_say_they_were_made_for_nobody(client: TestClient) -> None:
    """Adversary helper 107: the rep trying a test digest's one-click unsubscribe was told
    the link did not work, "or belong to an address that has since been erased"."""
    tokens = Tokens(load_secret(load_config().path("state")))
    for purpose in ("unsubscribe", "preferences"):
        page = client.get(f"/{purpose}?token={tokens.make(0, 'rep@example.org', purpose)}")
        assert page.status_code == 200 and "A link from a sample digest" in page.text
    one_click = f"/unsubscribe?token={tokens.make(0, 'rep@example.org', 'unsubscribe')}"
    answer = client.post(one_click, data={"List-Unsubscribe": "One-Click"})
    assert "A link from a sample digest" in answer.text and "Nothing was changed" in answer.text
    forged = Tokens("another secret").make(0, "rep@example.org", "unsubscribe")
    assert "This link does not work" in client.get(f"/unsubscribe?token={forged}").text
