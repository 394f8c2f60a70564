"""`reportback digest test`: one real digest to one address, through the configured SMTP.

Nothing is recorded: no ledger row, no subscriber, no sent mark.
"""

from __future__ import annotations

from datetime import datetime

from reportback.config import Config
from reportback.errors import ExternalFailure, UsageError
from reportback.mail.addresses import normalise
from reportback.mail.sample import preview
from reportback.mail.smtp import Job, Outcome, SmtpServer


def send_test(config: Config, now: datetime, to: str, clp: str | None, audience: str) -> str:
    """Send the digest `clp`'s readers of `audience` would get now to `to`; return a note."""
    try:
        address = normalise(to)
    except ValueError as exc:
        raise UsageError(f"not an email address: {to!r}") from exc
    if not config.email.smtp_host:
        raise UsageError(
            "no SMTP server is set ([email] smtp_host in reportback.toml); `digest test` sends "
            "through it. To see a digest without one, use `reportback digest preview`"
        )
    sample = preview(config, now, clp, audience, "immediate", address)
    outcomes: list[Outcome] = []
    SmtpServer(config.email).deliver(
        [Job(0, config.email.from_, address, sample.message)], outcomes.append
    )
    outcome = outcomes[0] if outcomes else None
    if outcome is None or outcome.status != "sent":
        said = f"{outcome.status}: {outcome.error}" if outcome else "no answer"
        raise ExternalFailure(f"the SMTP server did not take the test digest ({said})")
    return f"sent a test digest ({sample.note}) to {address}; nothing was recorded"
