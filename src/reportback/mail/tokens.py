"""Signed tokens for unsubscribe, preferences and confirmation links."""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadData, URLSafeTimedSerializer

from reportback.errors import UsageError, shown_path
from reportback.mail.addresses import address_hash

SECRET_VARIABLE = "REPORTBACK_SECRET"
UNSUBSCRIBE = "unsubscribe"
CONFIRM = "confirm"
PREFERENCES = "preferences"
"""The purposes a token can be for; a token for one is refused for another."""
NOBODY = 0
"""The subscriber a sample digest's links are signed for (`digest test`, `digest preview`):
nobody; the web pages say so."""


class BadToken(Exception):
    """A token that is forged, expired, or for another purpose."""


def load_secret(state_dir: Path) -> str:
    """Return the signing secret: REPORTBACK_SECRET, or one generated once in the state folder.

    The generated one lets everything work out of the box; set REPORTBACK_SECRET in production
    so that links keep working if the state folder is rebuilt. Either way it must be the one
    the project signed with before (`same_as_before`).
    """
    given = os.environ.get(SECRET_VARIABLE, "")
    if given:
        return same_as_before(state_dir, given, f"the secret in {SECRET_VARIABLE}")
    path = state_dir / "secret"
    if not path.exists():
        state_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    generated = path.read_text().strip()
    return same_as_before(
        state_dir, generated, f"{shown_path(path)} ({SECRET_VARIABLE} is not set)"
    )


CHECK = "secret.check"
"""A keyed digest of the secret the project first signed a link with (not the secret)."""


def same_as_before(state_dir: Path, secret: str, named: str) -> str:
    """Return `secret` if it is the one the project signs with; refuse it if the project
    signed with another before, named in its state folder's `CHECK`, written on first use.

    One command run without REPORTBACK_SECRET beside a `serve` run with it signed every
    link it mailed with the generated secret, which `serve` refused: nobody could
    unsubscribe, and nothing said why (adversary helper 107).
    """
    mark = hmac.new(secret.encode("utf-8"), b"reportback: the secret's check", hashlib.sha256)
    path = state_dir / CHECK
    if not path.exists():  # written whole, then linked: a reader never sees it half written
        state_dir.mkdir(parents=True, exist_ok=True)
        made = state_dir / f".{CHECK}.{os.getpid()}"
        made.write_text(mark.hexdigest() + "\n", encoding="utf-8")
        try:
            os.link(made, path)
        except FileExistsError:
            pass  # another command's, at the same moment: compared below
        finally:
            made.unlink()
    before = path.read_text(encoding="utf-8", errors="replace").strip()
    if hmac.compare_digest(before, mark.hexdigest()):
        return secret
    raise UsageError(
        f"{shown_path(path)}: {named} is not the secret this project signed its links with "
        "before, so the unsubscribe and preferences links already mailed would stop working. "
        f"Give every command (serve, digest, run) the same {SECRET_VARIABLE}; to change the "
        f"secret on purpose (the links already mailed stop working), delete {shown_path(path)}"
    )


@functools.lru_cache(maxsize=16)
def _serializer(secret: str, purpose: str) -> URLSafeTimedSerializer:
    """Return the serializer for one purpose, made once (a digest makes two tokens a reader)."""
    return URLSafeTimedSerializer(secret, salt=f"reportback-{purpose}")


@dataclass(frozen=True)
class Tokens:
    """Make and read tokens bound to a subscriber (id and address) and a purpose."""

    secret: str

    def _serializer(self, purpose: str) -> URLSafeTimedSerializer:
        return _serializer(self.secret, purpose)

    def make(self, subscriber: int, email: str, purpose: str) -> str:
        return str(self._serializer(purpose).dumps([subscriber, address_hash(email)[:16]]))

    def read(self, token: str, purpose: str, max_age: int | None = None) -> tuple[int, str]:
        """Return (subscriber id, address hash prefix); raise BadToken if it is not valid."""
        try:
            value = self._serializer(purpose).loads(token, max_age=max_age)
        except BadData as exc:
            raise BadToken(str(exc)) from exc
        if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int)):
            raise BadToken("malformed token")
        return value[0], str(value[1])
