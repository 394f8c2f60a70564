"""A public heading that goes on with the withheld item it ends, in its words or in others.

A section ends at the next heading of its level: `## Disputes panel (continued)`, `## Disputes
panel 2` or `## Item 4 (contd)` after `## Disputes panel {.confidential}` ends it, and what the
writer meant as more of it is published, under its name (adversary helpers 93, 96 and 156).

Each rule yields problems as (body line, message), as `readers` does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from reportback.checking.regions import Regions

Found = tuple[int, str]

GOING_ON = frozenset({
    "continued", "continues", "continuing", "continuation", "cont", "contd", "ctd", "cntd",
    "resumed", "resumes", "parhad", "fortsetzung",
})  # fmt: skip
"""Words that say a heading goes on with the one before it (`Disputes panel (continued)`,
`Cont'd`, `(resumed)`, Welsh `parhad`); and `part`, `pt`, `teil` with what follows them
(`Panel, part 2`)."""
PARTS = ("part", "pt", "parts", "teil", "rhan")
LINKING = frozenset({
    "d", "again", "more", "further", "follow", "up", "followup", "concluded", "conclusion",
    "end", "ends", "rest", "remainder", "the", "of", "and", "on", "over", "overleaf", "from",
    "above", "after", "break", "second", "third", "session", "outcome", "outcomes", "decision",
    "decisions", "result", "results", "update", "updates", "morning", "afternoon", "evening",
    "half", "day", *GOING_ON,
})  # fmt: skip
"""Words a heading going on from another may add (`– continued from above`, `: outcome`,
`update`, `(afternoon)`, `– second half`: adversary helper 156)."""
NUMBERED = re.compile(r"\d+|[ivx]+")
"""A number, or one in Roman numerals, after a title (`Disputes panel 2`, `(ii)`, `II`)."""


def _title(words: tuple[str, ...]) -> tuple[str, ...]:
    """Return a heading's words less those saying it goes on (`LINKING`, `part 2`)."""
    parts = [i + 1 for i, word in enumerate(words) if word in PARTS]
    skipped = {*parts, *(i - 1 for i in parts)}
    return tuple(w for i, w in enumerate(words) if i not in skipped and w not in LINKING)


def _holds(title: tuple[str, ...], theirs: tuple[str, ...]) -> bool:
    """Whether a heading's title is a withheld one's, but for a number after it if that has
    none (`Disputes panel 2`; not `Item 4` after `Item 3`), or holds a title of two words or
    more whole (`Outcome of the disputes panel`): it names, and goes on with, the item
    withheld (adversary helper 156)."""
    if not any(NUMBERED.fullmatch(w) for w in theirs):
        title = tuple(w for w in title if not NUMBERED.fullmatch(w))
    if title == theirs:
        return bool(theirs)
    n = len(theirs)
    return n >= 2 and any(title[i : i + n] == theirs for i in range(len(title) - n + 1))


def continued(regions: Regions) -> Iterator[Found]:
    """Yield a problem at each public heading that repeats, or says it goes on from, the
    withheld heading whose section it ends (`## Disputes panel (continued)`, `## Continued`,
    `## Panel, part 2` after `## Disputes panel {.confidential}`; `## Disputes panel 2`,
    `## Disputes panel: outcome`, `## Item 4 (contd)`): a section ends at the next heading of
    its level, so what a writer meant as more of it was published (adversary helpers 93, 96
    and 156). A heading marked itself is meant as it is marked; one going on from a public
    heading before the withheld section is public (`## Finance (continued)`)."""
    headings = regions.headings
    for index, (depth, at, words, _) in enumerate(headings):
        ended, lowest = [], 7  # the sections it ends: those still open, of its level or lower
        for heading in reversed(headings[:index]):
            if heading[0] < lowest:  # still open here
                if heading[0] < depth:
                    break  # a section of a higher level holds it
                ended.append(heading)
                lowest = heading[0]
        withheld = [h for h in ended if regions.level_at(h[1]) > 0]
        if not withheld or regions.level_at(at) > 0:
            continue
        before = min(withheld, key=lambda h: h[0])  # the top of the withheld part it ends
        title, theirs = _title(words), _title(before[2])
        going_on = bool(GOING_ON.intersection(words)) or any(w in PARTS for w in words)
        public = {_title(h[2]) for h in headings[:index] if regions.level_at(h[1]) == 0}
        resumed = bool(title) and title in public  # `## Finance (continued)`, after a break
        if not _holds(title, theirs) and (not going_on or resumed):  # `Item 4 (contd)` (156)
            continue
        line = regions.line_of(at)
        apart = line - regions.line_of(before[1])
        yield (
            line,
            (
                f"this heading {'goes on from' if going_on else 'repeats'} the heading of the "
                f"withheld section it ends ({apart} line{'s' * (apart > 1)} above), but is not "
                "withheld with it: a section ends at the next heading of its level, so this one "
                "and what follows it would be published. Mark it too (## Heading "
                "{.confidential} or {.members}), or give it a heading of its own"
            ),
        )
