"""DKIM signatures (dkimpy), covering both List-Unsubscribe headers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from reportback.config import Config, EmailConfig
from reportback.errors import InputRefused, line_of, problem

SIGNED = (
    b"from", b"to", b"subject", b"date", b"message-id", b"list-id",
    b"list-unsubscribe", b"list-unsubscribe-post", b"mime-version", b"content-type",
)  # fmt: skip
DNS_NAME = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)(?:\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*")
"""A selector or a domain as DNS has them (`rb2026`, `nec.example.org`)."""
PROBE = b"From: a@example.org\r\nSubject: probe\r\n\r\nprobe\r\n"
"""A message signed once with a configured key, to know it can sign (adversary helper 130: a
public key, or a file of no key, was a traceback in the first send)."""


@dataclass(frozen=True)
class Signer:
    selector: bytes
    domain: bytes
    key: bytes

    @classmethod
    def from_config(cls, config: Config) -> Signer | None:
        """Return a signer if a key is configured (`problems` has refused it otherwise)."""
        cfg = config.email
        if not cfg.dkim_key:
            return None
        refuse_problems(config)  # as every command did before it ran (`settings_checked`)
        return cls(cfg.dkim_selector.encode(), cfg.dkim_domain.encode(), _key(cfg, config.root))

    def sign(self, message: bytes) -> bytes:
        """Return the message with a DKIM-Signature header in front."""
        import dkim  # only where mail is signed

        signature = dkim.sign(
            message, self.selector, self.domain, self.key, include_headers=list(SIGNED)
        )
        return bytes(signature) + message


def refuse_problems(config: Config) -> None:
    """Refuse the DKIM settings `problems` finds, each at its line of the settings."""
    found = problems(config.email, config.root)
    if found:
        file = config.file or config.root / "reportback.toml"
        text = file.read_text(encoding="utf-8-sig") if config.file else ""
        raise InputRefused([problem(file, line_of(text, "email", k), m) for k, m in found])


def problems(cfg: EmailConfig, root: Path) -> list[tuple[str, str]]:
    """Say what is wrong with the DKIM settings, each with its key: a key without a selector
    and a domain, either of those without a key (mail would go unsigned), a key file that
    cannot be read or holds no private key to sign with. Paths are from `root`."""
    if not cfg.dkim_key:
        named = [k for k in ("dkim_selector", "dkim_domain") if getattr(cfg, k)]
        return [(k, f"[email] {k} is set but dkim_key is not: mail would go unsigned")
                for k in named]  # fmt: skip
    if not (cfg.dkim_selector and cfg.dkim_domain):
        return [("dkim_key", "[email] dkim_key needs dkim_selector and dkim_domain too")]
    unlike = [(k, v) for k, v in (("dkim_selector", cfg.dkim_selector), ("dkim_domain",
             cfg.dkim_domain)) if not DNS_NAME.fullmatch(v)]  # fmt: skip
    if unlike:  # `d=a;b=c` put a tag of its own into every signature (adversary helper 134)
        return [(k, f"[email] {k} {v!r} is not a DNS name (letters, digits, hyphens, dots; "
                 "a host not in ASCII in its xn-- form)") for k, v in unlike]  # fmt: skip
    try:
        key = _key(cfg, root)
    except OSError as exc:
        return [("dkim_key", f"[email] dkim_key: cannot read {cfg.dkim_key}: {exc.strerror}")]
    import dkim

    try:
        dkim.sign(PROBE, cfg.dkim_selector.encode(), cfg.dkim_domain.encode(), key)
    except dkim.DKIMException as exc:
        why = str(exc).splitlines()[0].strip() or type(exc).__name__
        message = f"[email] dkim_key {cfg.dkim_key} is not a PEM private key to sign with ({why})"
        return [("dkim_key", message)]
    return []


def _key(cfg: EmailConfig, root: Path) -> bytes:
    return (root / Path(cfg.dkim_key).expanduser()).read_bytes()
