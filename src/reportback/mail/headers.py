"""How message headers are written: the email policy every message of ours uses."""

from __future__ import annotations

from email.policy import SMTP

HEADERS = SMTP.clone(max_line_length=998)
"""Headers are not folded at 78: long URLs stay literal in List-Unsubscribe (folding would turn
them into encoded words) and a subject is never broken right after its colon."""
