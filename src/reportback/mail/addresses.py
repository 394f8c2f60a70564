"""Email addresses: as stored, as hashed once erased, and as handed to an SMTP server."""

from __future__ import annotations

import hashlib

from email_validator import EmailNotValidError, validate_email


def normalise(address: str) -> str:
    """Return an address as stored: validated syntax (no DNS), lower-case; one holding an
    encoded word (`=?utf-8?q?ann?=@example.org`) is refused: mail programs decode it into
    another address (adversary helper 89: one victim, any number of confirmations)."""
    if "=?" in address:
        raise EmailNotValidError("an address cannot hold an encoded word (=?…?=)")
    return str(validate_email(address.strip(), check_deliverability=False).normalized).lower()


def address_hash(address: str) -> str:
    """Return the hash kept for an erased or suppressed address (never the address itself)."""
    return hashlib.sha256(address.strip().lower().encode("utf-8")).hexdigest()


def ascii_form(address: str) -> str:
    """Return an address with its domain in ASCII (IDNA), which every server takes; a
    non-ASCII local part is kept (it needs a server that offers SMTPUTF8).

    Raise ValueError if the address cannot be written so.
    """
    if address.isascii():
        return address
    local, _, domain = address.rpartition("@")
    if not domain.isascii():
        try:
            domain = validate_email(address, check_deliverability=False).ascii_domain
        except EmailNotValidError as exc:
            raise ValueError(f"not a valid address {address!r}: {exc}") from exc
    return f"{local}@{domain}"
