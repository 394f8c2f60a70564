"""The signing secret: every command signs and reads links with the same one, or refuses."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from reportback.errors import UsageError
from reportback.mail.tokens import CHECK, SECRET_VARIABLE, Tokens, load_secret

from .conftest import Result, report

Cli = Callable[..., Result]
Project = Callable[[dict[str, str | bytes]], Path]


def test_a_secret_other_than_the_one_links_were_signed_with_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Adversary helper 107: `digest send` run without REPORTBACK_SECRET signed every link it
    mailed with a generated secret; `serve`, run with it, refused them all, and nothing said
    why: nobody could unsubscribe."""
    state = tmp_path / ".reportback"
    monkeypatch.delenv(SECRET_VARIABLE, raising=False)
    generated = load_secret(state)
    token = Tokens(generated).make(1, "a@example.org", "unsubscribe")
    assert load_secret(state) == generated  # the same again: accepted
    monkeypatch.setenv(SECRET_VARIABLE, "set in the service's environment")
    with pytest.raises(UsageError) as refused:
        load_secret(state)
    said = str(refused.value)
    assert said.startswith(f"{state / CHECK}: the secret in {SECRET_VARIABLE} is not")
    assert "links already mailed would stop working" in said and "delete" in said
    assert "set in the service" not in said and generated not in said  # names no secret
    (state / CHECK).unlink()  # changed on purpose
    assert load_secret(state) == "set in the service's environment"
    monkeypatch.delenv(SECRET_VARIABLE)
    with pytest.raises(UsageError, match=r"secret \(REPORTBACK_SECRET is not set\) is not"):
        load_secret(state)
    assert Tokens(generated).read(token, "unsubscribe")[0] == 1
    assert generated not in (state / CHECK).read_text()


def test_a_command_given_another_secret_stops_with_its_reason_and_mails_nothing(
    cli: Cli, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project({"reports/a.md": report("Public text.\n")})
    monkeypatch.delenv(SECRET_VARIABLE, raising=False)
    assert cli("build", "--now", "2026-11-22T12:00:00+00:00").code == 0
    assert cli("digest", "send", "--dry-run", "--now", "2026-11-22T12:00:00+00:00").code == 0
    monkeypatch.setenv(SECRET_VARIABLE, "another")
    result = cli("digest", "send", "--now", "2026-11-22T12:00:00+00:00")
    assert result.code == 2 and "is not the secret this project signed" in result.err
    assert "Traceback" not in result.err
    assert not (root / ".reportback/outbox").exists()
