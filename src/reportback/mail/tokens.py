"""Signed tokens for unsubscribe, preferences and confirmation links."""

from __future__ import annotations

import functools
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadData, URLSafeTimedSerializer

from reportback.mail.addresses import address_hash

SECRET_VARIABLE = "REPORTBACK_SECRET"
UNSUBSCRIBE = "unsubscribe"
CONFIRM = "confirm"
PREFERENCES = "preferences"
"""The purposes a token can be for; a token for one is refused for another."""


class BadToken(Exception):
    """A token that is forged, expired, or for another purpose."""


def load_secret(state_dir: Path) -> str:
    """Return the signing secret: REPORTBACK_SECRET, or one generated once in the state folder.

    The generated one lets everything work out of the box; set REPORTBACK_SECRET in production
    so that links keep working if the state folder is rebuilt.
    """
    given = os.environ.get(SECRET_VARIABLE, "")
    if given:
        return given
    path = state_dir / "secret"
    if not path.exists():
        state_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


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
