"""Read a membership export: a UTF-8 CSV of members, each row checked before any is stored."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from pathlib import Path

from email_validator import EmailNotValidError

from reportback.clps import Directory, did_you_mean
from reportback.errors import InputRefused, Problem, no_pipe, problem
from reportback.mail.addresses import normalise
from reportback.model import CADENCES

COLUMNS = ("email", "name", "clp", "cadence", "consent_date")


@dataclass(frozen=True)
class Member:
    """One validated row of a members CSV."""

    line: int
    email: str
    name: str
    clp: str
    cadence: str | None
    """None where the file gives none: weekly for a new subscriber, and kept for a known one
    (who may have chosen it on the preferences page)."""
    consent_date: str | None


def read_members(
    path: Path, directory: Directory, today: date | None = None
) -> tuple[list[Member], list[Problem], list[str]]:
    """Parse and validate a members CSV; return good rows, bad rows and warnings (a consent
    dated after `today` is a bad row)."""
    no_pipe(path)
    try:  # as bytes: a line break in a quoted cell is kept as written (`\r\n`)
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InputRefused([problem(path, 1, f"cannot read: {exc.strerror}")]) from exc
    except UnicodeDecodeError as exc:
        raise InputRefused([problem(path, 1, "not UTF-8 text")]) from exc
    rows = _rows(path, csv.reader(io.StringIO(text, newline="")))
    header = [h.strip().lower() for h in next(rows, (1, []))[1]]
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if twice:  # held-out round D3: the last of two was taken, unsaid
        message = (
            f"column {twice[0]!r} appears twice in the header row (names are read in any case)"
        )
        raise InputRefused([problem(path, 1, message)])
    missing = [c for c in ("email", "clp") if c not in header]
    if missing:
        raise InputRefused([problem(path, 1, f"missing column {missing[0]!r} in the header row")])
    extra = [h for h in header if h not in COLUMNS]
    warnings = [f"{path}:1: ignoring columns: {', '.join(extra)}"] if extra else []
    by_name = {c.name.casefold(): c.slug for c in directory.clps}
    members: list[Member] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        values = dict(zip(header, (cell.strip() for cell in row), strict=False))
        over = [cell for cell in row[len(header) :] if cell.strip()]  # `Smith, Jo` (helper 116)
        absent = [h for h in header[len(row) :] if h in ("email", "clp")]  # helper 130
        found = _member(values, line, by_name, directory, today) if not (over or absent) else (
            f"{len(row)} cells where the header has {len(header)}: no {absent[0]} given"
            if absent else f"{len(row)} cells where the header has {len(header)}: a value "
            "holding a comma must be in quotes (\"Smith, Jo\")")  # fmt: skip
        if isinstance(found, str):
            problems.append(problem(path, line, found))
        elif found.email in seen:
            problems.append(
                problem(path, line, f"{found.email} already on line {seen[found.email]}")
            )
        else:
            seen[found.email] = line
            members.append(found)
    return members, problems, warnings


SWALLOWED = re.compile(r"[\r\n][^\r\n]*,")
"""A line break in a cell followed by a line holding a comma: rows a quote left open took in
(a name with a line break alone is a bad row)."""


def _rows(path: Path, reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """Yield each row with the line it starts on (a quoted cell may span lines); refuse the
    file at the row CSV cannot read (a quote never closed swallows the rest of the file,
    until a cell is longer than the csv module reads: an adversary helper's traceback)."""
    end = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            message = f"cannot read this row as CSV ({exc}): is a quote left open?"
            raise InputRefused([problem(path, end + 1, message)]) from None
        start, end = end + 1, reader.line_num  # type: ignore[attr-defined]
        if end > start and any(SWALLOWED.search(cell) for cell in row):  # helper 116
            message = f"a quote opened on this row is closed only on line {end}: the rows "
            message += "between are read as one cell (and would be lost); close the quote"
            raise InputRefused([problem(path, start, message)])
        yield start, row


def _member(
    values: dict[str, str],
    line: int,
    by_name: dict[str, str],
    directory: Directory,
    today: date | None = None,
) -> Member | str:
    try:
        email = normalise(values.get("email", ""))
    except EmailNotValidError as exc:
        return f"bad email address {values.get('email', '')!r}: {exc}"
    clp = values.get("clp", "")
    slug = clp if clp in directory.by_slug else by_name.get(clp.casefold())
    if slug is None:
        close = did_you_mean(clp, directory.by_slug)
        return f"unknown CLP {clp!r}{close or ' (use its slug or exact name)'}"
    cadence = (values.get("cadence") or "").lower() or None
    if cadence is not None and cadence not in CADENCES:
        return f"cadence must be one of {', '.join(CADENCES)}, not {cadence!r}"
    consent = values.get("consent_date") or None
    if consent is not None:
        try:
            consent = date.fromisoformat(consent).isoformat()
        except ValueError:
            return f"consent_date must be a date (YYYY-MM-DD), not {consent!r}"
        if today is not None and consent > (today + timedelta(days=1)).isoformat():
            return (  # it would lift any erasure: a renewal date, or a typo
                f"consent_date {consent} is in the future; give the day consent was given"
            )
    name = values.get("name", "")
    if not _plain_name(name):
        return f"name {name!r} holds a line break or another control character"
    if len(name) > MAX_NAME:
        return f"name is {len(name):,} characters long; at most {MAX_NAME}"
    return Member(line, email, _decoded(name), slug, cadence, consent)


CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
MAX_NAME = 100
"""The longest name a member may have: a longer one made lines past SMTP's 998 octets, and
every message to them was refused (adversary helpers 106, 107)."""


def _decoded(name: str) -> str:
    """Return a name as a mail reader shows it: an encoded word in it decoded, so that the
    To header quotes what it holds (held-out round D3: `=?utf-8?q?Friend_=3Ceve=40evil.org=3E?=`
    was written out decoded and unquoted, addressing a members' digest to eve@evil.org)."""
    return str(make_header(decode_header(name))) if "=?" in name else name


def _plain_name(name: str) -> bool:
    """Tell whether a name is free of control characters, as typed and as a mail reader
    would decode it (an encoded word can hide a line break)."""
    try:
        decoded = str(make_header(decode_header(name))) if "=?" in name else name
    except (HeaderParseError, LookupError, UnicodeError, ValueError):
        return False
    return not (CONTROL.search(name) or CONTROL.search(decoded))
