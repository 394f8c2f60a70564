"""DKIM signatures (dkimpy), covering both List-Unsubscribe headers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import dkim

from reportback.config import EmailConfig
from reportback.errors import InputRefused, problem

SIGNED = (
    b"from", b"to", b"subject", b"date", b"message-id", b"list-id",
    b"list-unsubscribe", b"list-unsubscribe-post", b"mime-version", b"content-type",
)  # fmt: skip


@dataclass(frozen=True)
class Signer:
    selector: bytes
    domain: bytes
    key: bytes

    @classmethod
    def from_config(cls, cfg: EmailConfig) -> Signer | None:
        """Return a signer if a key is configured (selector and domain are then required)."""
        if not cfg.dkim_key:
            return None
        if not (cfg.dkim_selector and cfg.dkim_domain):
            message = "[email] dkim_key needs dkim_selector and dkim_domain too"
            raise InputRefused([problem("reportback.toml", 1, message)])
        path = Path(cfg.dkim_key)
        try:
            key = path.read_bytes()
        except OSError as exc:
            raise InputRefused([problem(path, 1, f"cannot read DKIM key: {exc.strerror}")]) from exc
        return cls(cfg.dkim_selector.encode(), cfg.dkim_domain.encode(), key)

    def sign(self, message: bytes) -> bytes:
        """Return the message with a DKIM-Signature header in front."""
        signature = dkim.sign(
            message, self.selector, self.domain, self.key, include_headers=list(SIGNED)
        )
        return bytes(signature) + message
