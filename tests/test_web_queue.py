"""Subscribing: the confirmation is queued, not sent in the request; erased stays erased;
internationalised addresses; a chunked body over the limit."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from reportback.config import load_config
from reportback.mail import notices
from reportback.mail.tokens import Tokens, load_secret
from reportback.web.app import create_app
from reportback.web.guard import RateLimit

from .conftest import NOW, Result, report
from .smtp import Faults, Server, free_port
from .test_web import ORIGIN, Clock, confirmations, send_queued, subscribe

Cli = Callable[..., Result]
Project = Callable[[dict[str, str | bytes]], Path]


def _site(project: Project, cli: Cli, email: str) -> Path:
    config = '[site]\nbase_url = "http://testserver"\n' + email
    root = project({"reportback.toml": config, "reports/a.md": report("Public text.\n")})
    assert cli("build", "--now", NOW).code == 0
    return root


@pytest.fixture
def client() -> Iterator[Callable[[], TestClient]]:
    made: list[TestClient] = []

    def make() -> TestClient:
        app = create_app(load_config(), Clock(), RateLimit(100, 600), RateLimit(100, 3600), False)
        made.append(TestClient(app).__enter__())
        return made[-1]

    yield make
    for c in made:
        c.__exit__(None, None, None)


def _rows(root: Path, query: str) -> list[tuple[object, ...]]:
    db = sqlite3.connect(root / ".reportback/state.sqlite")
    try:
        return db.execute(query).fetchall()
    finally:
        db.close()


def test_subscribe_queues_the_confirmation_and_never_talks_to_smtp(
    project: Project, cli: Cli, client: Callable[[], TestClient]
) -> None:
    nobody = (
        f'[email]\nsmtp_host = "127.0.0.1"\nsmtp_port = {free_port()}\nsmtp_security = "none"\n'
    )
    root = _site(project, cli, nobody)  # nothing listens there: an inline send would fail
    answer = subscribe(client(), "new@example.org")
    assert answer.status_code == 200  # type: ignore[attr-defined]
    assert _rows(root, "SELECT email, status FROM notices") == [("new@example.org", "queued")]
    assert _rows(root, "SELECT status FROM subscribers") == [("pending",)]


def test_queued_confirmations_go_out_once_through_smtp(
    project: Project, cli: Cli, client: Callable[[], TestClient]
) -> None:
    with Server() as server:
        config = server.config().split("\n\n", 1)[1]
        root = _site(project, cli, config)
        web = client()
        for email in ("a@example.org", "josé@example.org", "idn@bücher.de"):
            assert subscribe(web, email).status_code == 200  # type: ignore[attr-defined]
        send_queued(root)
        send_queued(root)  # a second sender finds nothing left
        got = sorted(rcpts[0] for _, rcpts, _ in server.recorder.messages)
    assert got == ["a@example.org", "idn@xn--bcher-kva.de", "josé@example.org"]
    assert _rows(root, "SELECT DISTINCT status FROM notices") == [("sent",)]


def test_an_erased_address_is_answered_alike_but_stored_and_mailed_nothing(
    project: Project, cli: Cli, client: Callable[[], TestClient]
) -> None:
    root = _site(project, cli, "")
    (root / "m.csv").write_text("email,clp\nmember@example.org,witney\n")
    assert cli("subscribers", "import", "m.csv").code == 0
    assert cli("subscribers", "remove", "member@example.org").code == 0
    web = client()
    erased = subscribe(web, "member@example.org")
    other = subscribe(web, "other@example.org")
    assert erased.status_code == other.status_code == 200  # type: ignore[attr-defined]
    assert erased.text == other.text  # type: ignore[attr-defined]
    assert [c for c in confirmations(root) if "member@" in c] == []
    assert _rows(root, "SELECT email FROM subscribers") == [("other@example.org",)]
    assert _rows(root, "SELECT email FROM notices") == [("other@example.org",)]


def test_the_operator_brings_an_erased_member_back_with_a_fresh_consent_date(
    project: Project, cli: Cli
) -> None:
    root = _site(project, cli, "")
    (root / "m.csv").write_text("email,clp,consent_date\nmember@example.org,witney,2020-01-01\n")
    assert cli("subscribers", "import", "m.csv").code == 0
    assert cli("subscribers", "remove", "member@example.org").code == 0  # today, real clock
    again = cli("subscribers", "import", "m.csv")
    assert "1 not re-subscribed" in again.err  # the old consent does not bring them back
    assert _rows(root, "SELECT email FROM subscribers") == []
    today = datetime.now(UTC).date().isoformat()
    (root / "m.csv").write_text(f"email,clp,consent_date\nmember@example.org,witney,{today}\n")
    back = cli("subscribers", "import", "m.csv")
    assert back.code == 0 and "1 added" in back.err, back.err
    assert _rows(root, "SELECT email, status FROM subscribers") == [
        ("member@example.org", "active")
    ]


def test_a_chunked_body_over_the_limit_is_refused_with_413(
    project: Project, cli: Cli, client: Callable[[], TestClient]
) -> None:
    _site(project, cli, "")
    web = client()

    def chunks() -> Iterator[bytes]:
        yield b"email=a%40example.org&clp=witney&cadence=weekly&pad="
        for _ in range(20):
            yield b"x" * 1024

    answer = web.post("/subscribe", content=chunks(), headers=ORIGIN | {
        "content-type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert answer.status_code == 413
    form = {"content-type": "application/x-www-form-urlencoded"}
    small = web.post("/subscribe", content=iter([b"email=b%40example.org&clp=witney"]),
                     headers=ORIGIN | form)  # fmt: skip
    assert small.status_code == 200


def test_a_consent_dated_in_the_future_is_a_bad_row(project: Project, cli: Cli) -> None:
    """Held-out round D2: a consent_date in the future (a renewal date, a typo) brought back
    a member erased by `subscribers remove` at every later import."""
    root = _site(project, cli, "")
    (root / "m.csv").write_text("email,clp,consent_date\nmember@example.org,witney,2062-03-01\n")
    result = cli("subscribers", "import", "m.csv", "--now", "2026-11-20T10:00:00+00:00")
    assert result.code == 1
    assert "m.csv:2: consent_date 2062-03-01 is in the future" in result.err, result.err
    assert _rows(root, "SELECT email FROM subscribers") == []


def test_a_confirmation_the_server_puts_off_is_tried_again_later_not_at_once(
    project: Project, cli: Cli, client: Callable[[], TestClient]
) -> None:
    """Held-out round D3: a 451 (a greylisting server's answer to every first message) was
    tried five times in 0.4 s, then given up for good; asking again queued nothing."""
    with Server(Faults(defer_once={"a@example.org"})) as server:
        root = _site(project, cli, server.config().split("\n\n", 1)[1])
        assert subscribe(client(), "a@example.org").status_code == 200  # type: ignore[attr-defined]
        tokens = Tokens(load_secret(root / ".reportback"))
        config, start = load_config(cwd=root), Clock()()  # the clock the web service keeps
        assert notices.send_queued(config, tokens, start) == 0
        assert server.recorder.count == 1, "tried once, not five times at once"
        assert notices.send_queued(config, tokens, start + timedelta(seconds=30)) == 0
        assert server.recorder.count == 1, "not before its time"
        assert notices.send_queued(config, tokens, start + timedelta(minutes=2)) == 1
        got = [rcpts[0] for _, rcpts, _ in server.recorder.messages]
    assert got == ["a@example.org"]
    assert _rows(root, "SELECT status, attempts FROM notices") == [("sent", 2)]
