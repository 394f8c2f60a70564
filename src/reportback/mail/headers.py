"""Message headers: the email policy every message of ours uses, and headers written fast.

A digest goes to thousands of readers; parsing each header with the email package is the
slowest part of a message, so a plain value is written directly (byte for byte what the
package writes: a test holds them to that) and what all readers share is written once.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime
from email.headerregistry import (
    Address,
    AddressHeader,
    HeaderRegistry,
    MessageIDHeader,
    UnstructuredHeader,
)
from email.policy import SMTP
from email.utils import format_datetime
from typing import cast

from reportback.config import Config
from reportback.mail.addresses import ascii_form

HEADERS = SMTP.clone(max_line_length=998)
"""Headers are not folded at 78: long URLs stay literal in List-Unsubscribe (folding would turn
them into encoded words) and a subject is never broken right after its colon."""
UTF8_HEADERS = HEADERS.clone(utf8=True)


@functools.lru_cache(maxsize=4096)
def shared_headers(
    config: Config, host: str, subject: str, date: datetime, clp: str
) -> tuple[bytes, bytes, bytes, bytes]:
    """Return the headers all readers of one digest share: four blocks, around each reader's own.

    Made once per digest, not once per reader: the email package's header parsing is the
    slowest part of a message.
    """
    shared = [
        [("From", config.email.from_)],
        ([("Reply-To", config.email.reply_to)] if config.email.reply_to else [])
        + [("Subject", subject), ("Date", format_datetime(date))],
        [("List-Id", f"{config.site.title}: {clp} <{clp}.{host}>")],
        [("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")],
    ]
    first, second, third, fourth = (b"".join(header(n, v) for n, v in block) for block in shared)
    return first, second, third, fourth


_PLAIN = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*")
"""A value the email package writes back unchanged: printable ASCII words, single spaces."""


def header(name: str, value: str) -> bytes:
    """Return one header as the email package writes it (and refuses it: a line break in it).

    A plain value that fits on one line is written as it is, which is what the package would
    write (a test holds them to that): parsing it costs more than the rest of a message.
    """
    plain = _PLAIN.fullmatch(value) and "=?" not in value and len(name) + len(value) < 990
    if plain and _unchanged(name, value):
        return f"{name}: {value}\r\n".encode("ascii")
    return HEADERS.fold_binary(*HEADERS.header_store_parse(name, value))


def _unchanged(name: str, value: str) -> bool:
    """Tell whether a plain value is one the package keeps as it is for this header."""
    kind = _kind(name.lower())
    if issubclass(kind, AddressHeader):
        return bool(_MAILBOX.fullmatch(value))
    if issubclass(kind, MessageIDHeader):
        return bool(_MESSAGE_ID.fullmatch(value))
    return issubclass(kind, UnstructuredHeader)


@functools.lru_cache(maxsize=64)
def _kind(name: str) -> type:
    """Return the email package's class for a header (it makes a new one each time asked)."""
    return cast(HeaderRegistry, HEADERS.header_factory)[name]


_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_ATOM = rf"{_ATEXT}(?:\.{_ATEXT})*"
_ADDR = rf"{_DOT_ATOM}@{_DOT_ATOM}"
_MAILBOX = re.compile(rf"{_ADDR}|(?:{_ATEXT}(?: {_ATEXT})* )?<{_ADDR}>")
"""An address, alone or after a display name of plain words: written back unchanged."""
_MESSAGE_ID = re.compile(rf"<{_ADDR}>")


def to_header(name: str, email: str) -> bytes:
    """Return the To header: the domain in ASCII; a non-ASCII local part as UTF-8 (SMTPUTF8)."""
    address = ascii_form(email)
    if address.isascii():
        return header("To", _address(name, address))
    return UTF8_HEADERS.fold_binary(*UTF8_HEADERS.header_store_parse("To", _address(name, address)))


def _address(name: str, email: str) -> str:
    local, _, domain = email.rpartition("@")
    return str(Address(display_name=name, username=local, domain=domain))
