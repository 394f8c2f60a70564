"""A real SMTP server (aiosmtpd) on loopback that records messages and can misbehave."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Faults:
    """How the server misbehaves; each rule is keyed by recipient or by message number."""

    refuse: dict[str, str] = field(default_factory=dict)
    """RCPT replies by recipient, e.g. {"x@y": "550 5.1.1 no such user"}."""
    defer_once: set[str] = field(default_factory=set)
    """Recipients whose first DATA gets 451."""
    close_at: set[int] = field(default_factory=set)
    """Message numbers (1-based, counting DATA commands) answered 421 and disconnected."""
    drop_at: set[int] = field(default_factory=set)
    """Message numbers whose connection is dropped after DATA, with no reply (message kept)."""
    drop_for: set[str] = field(default_factory=set)
    """Recipients whose every message is kept and its connection dropped with no reply."""
    drop_at_rcpt: set[str] = field(default_factory=set)
    """Recipients whose RCPT TO drops the connection: before DATA, the server got nothing."""
    refuse_data: dict[str, str] = field(default_factory=dict)
    """DATA replies by recipient (the message read, then refused), e.g. "554 5.7.1 spam"."""
    delay: float = 0.0
    on_message: Callable[[int], None] | None = None
    """Called with each message's number as its DATA arrives (before it is accepted)."""


class Recorder:
    """The aiosmtpd handler: keeps every accepted message."""

    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if address in self.faults.drop_at_rcpt:
            server.transport.abort()
            return None
        reply = self.faults.refuse.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        if self.faults.delay:
            time.sleep(self.faults.delay)
        with self.lock:
            self.count += 1
            number = self.count
        if self.faults.on_message is not None:
            self.faults.on_message(number)
        rcpt = envelope.rcpt_tos[0]
        if rcpt in self.faults.defer_once:
            self.faults.defer_once.discard(rcpt)
            return "451 4.3.0 try again later"
        if rcpt in self.faults.refuse_data:
            return self.faults.refuse_data[rcpt]
        if number in self.faults.close_at:
            return "421 4.3.2 closing connection"  # aiosmtpd closes the connection after a 421
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        if number in self.faults.drop_at or rcpt in self.faults.drop_for:
            server.transport.abort()
            return None
        return "250 2.0.0 accepted"

    def parsed(self) -> list[EmailMessage]:
        return [message_from_bytes(data, policy=default) for _, _, data in self.messages]  # type: ignore[misc]


class Server:
    """Start and stop the recorder on a free loopback port."""

    def __init__(self, faults: Faults | None = None, smtputf8: bool = True) -> None:
        self.recorder = Recorder(faults or Faults())
        self.port = free_port()
        self.controller = Controller(
            self.recorder, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=smtputf8
        )

    def __enter__(self) -> Server:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    def config(self, connections: int = 2, security: str = "none", extra: str = "") -> str:
        return (
            '[site]\nbase_url = "https://nec.example.org"\n\n'
            f'[email]\nfrom = "reports@nec.example.org"\nsmtp_host = "127.0.0.1"\n'
            f'smtp_port = {self.port}\nsmtp_security = "{security}"\n'
            f"connections = {connections}\n{extra}"
        )
