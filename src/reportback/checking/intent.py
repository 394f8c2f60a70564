"""Words that say a part is withheld, where no mark withholds it.

A writer who types `## CONFIDENTIAL – Disputes panel (not for publication)`, or puts
`confidential: true` on the first line under the front matter's closing `---`, means to
withhold; no mark does, so all of it would be published (held-out round 20). Public text
that says so is refused, with what to do: mark it, or reword it.

Each rule yields problems as (body line, message), as `readers` does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from reportback.checking import nearmiss
from reportback.checking.regions import ATTRIBUTES, Regions
from reportback.model import Audience

Found = tuple[int, str]

KEY_IN_BODY = re.compile(r"^[ \t]*(confidential|status|publish_at)[ \t]*:", re.M)
"""A front-matter key that decides what is published, written below the closing `---`."""
SAYS = re.compile(
    r"\b(?:not (?:for|to be) (?:publication|published|circulation|circulated|shared)"
    r"|do not (?:publish|circulate)|strictly confidential|private and confidential)\b",
    re.I,
)
"""Words that say what they are in is withheld, wherever they are."""
STARTS = re.compile(r"^[^\w\n]*(?:confidential|members[ -]only)\b\s*[:\-–—(]", re.I)
"""A line (or a value) that starts by saying it is withheld: `CONFIDENTIAL – …`,
`Confidential: …`, `Members only (…)`."""
HEADING = re.compile(r"^[ \t]{0,3}#+[ \t].*\b(?:confidential|members[ -]only)\b", re.I)
"""A heading that says it is withheld anywhere in it: `## Disputes panel – confidential`."""
PATTERNS = (SAYS, STARTS, HEADING)
UNMARKED = (
    "says that it is withheld, but nothing marks it: it would be published. Mark it "
    "(## Heading {.confidential} or {.members}, ::: confidential around it, or "
    "[words]{.confidential}), or reword it"
)


def said_withheld(body: str, regions: Regions) -> Iterator[Found]:
    """Yield a problem at each public line that says it is withheld, and at each line that
    is a front-matter key deciding what is published (`confidential: true`)."""
    keys = {body.count("\n", 0, m.start()) + 1: m[0] for m in KEY_IN_BODY.finditer(body)}
    for number, key in keys.items():
        yield (
            number,
            (
                f"{key.strip()!r} is a line of the body, not of the front matter: it would "
                "be published as text, and decide nothing; move it above the front matter's "
                "closing ---"
            ),
        )
    at = 0
    for number, written in enumerate(body.split("\n"), start=1):
        start, at = at, at + len(written) + 1
        line = ATTRIBUTES.sub(lambda m: " " * len(m[0]), written)  # a mark's own words aside
        said = (p.search(line) for p in PATTERNS if number not in keys)
        found = next((m for m in said if m is not None), None)
        if found is not None and regions.level_at(start + found.end() - 1) == Audience.PUBLIC:
            yield number, f"{found[0].strip()[:40]!r} {UNMARKED}"


def says_withheld(text: str) -> str | None:
    """Return the words of a value (not a heading) that say it is withheld, if any."""
    for pattern in PATTERNS[:2]:
        found = pattern.search(text)
        if found is not None:
            return found[0].strip()[:40]
    return None


FENCE = re.compile(r"^[ \t>]*(:{3,}[ \t]*\{?[ \t]*\.?([^\W\d_][\w-]*))", re.M)
"""A fence as it opens a div (`::: members`, `::: {.confidential}`), at a line's start."""


def fenced_in_code(text: str) -> str | None:
    """Return a fence with a mark's word that code or raw text holds (a fence indented four
    spaces or a tab is a code block, and shows as written)."""
    for fence in FENCE.finditer(text):
        if nearmiss.is_near_mark(fence[2]):
            return fence[1]
    return None


def indented_line(lines: list[str], fence: str) -> int | None:
    """Return the first line holding `fence` indented as code (a tab, four spaces)."""
    code = re.compile(r"[ \t>]*(?:\t| {4})")
    return next((n for n, line in enumerate(lines, 1) if fence in line and code.match(line)), None)
