"""A public heading that goes on with the withheld item it ends, in its words or in others.

A section ends at the next heading of its level: `## Disputes panel (continued)`, `## Disputes
panel 2` or `## Item 4 (contd)` after `## Disputes panel {.confidential}` ends it, and what the
writer meant as more of it is published, under its name (adversary helpers 93, 96 and 156).

Each rule yields problems as (body line, message), as `readers` does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from reportback.checking.nearmiss import skeleton
from reportback.checking.regions import Regions

Found = tuple[int, str]

GOING_ON = frozenset({
    "continued", "continues", "continuing", "continuation", "cont", "contd", "ctd", "cntd",
    "resumed", "resumes", "parhad", "parhau", "fortsetzung", "suite", "suivre", "continua",
    "continuacion", "vervolg", "seguito",
})  # fmt: skip
"""Words that say a heading goes on with the one before it (`Disputes panel (continued)`,
`Cont'd`, `(resumed)`, Welsh `parhad`, French `suite`, …: accents left out); and `part`, `pt`,
`teil` with what follows them (`Panel, part 2`)."""
PARTS = ("part", "pt", "parts", "teil", "rhan")
LINKING = frozenset({
    "d", "again", "more", "further", "follow", "up", "followup", "concluded", "conclusion",
    "end", "ends", "rest", "remainder", "the", "of", "and", "on", "over", "overleaf", "from",
    "above", "after", "break", "session", "outcome", "outcomes", "decision",
    "decisions", "result", "results", "update", "updates", "morning", "afternoon", "evening",
    "half", "day", "a", "an", "for", "to", "in", "at", "by", "with", "vote", "votes", "la",
    "le", "du", "de", "des", "what", "was", "were", "is", "it", "we", "decided", "verdict",
    "finding", "sanction", "resolution", "resolved", "happened", "same", "ditto", "as", "re",
    "bis", "redux", "hearing", "ruling", "s", "back", "this", "that", "these", "afterwards",
    "recommendation", *GOING_ON,
})  # fmt: skip
"""Words a heading going on from another may add (`– continued from above`, `: outcome`,
`update`, `(afternoon)`, `What was decided`, `Verdict`: adversary helpers 156 and 160, honest
user 165; `Panel's ruling`, `Back to the panel`, `More on this`: 173), in the singular."""
APART = frozenset({"item", "agenda", "part"})
"""Words a heading shares with every other, which tell no item from another."""
NUMBERED = re.compile(
    r"\d+|[ivx]+|[a-z]|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth"
)
"""A number, in Roman numerals, a letter or a word, after a title (`Disputes panel 2`,
`(ii)`, `II`, `(b)`, `Second half`: adversary helper 173)."""
SUB = re.compile(r"(\d{1,2})[a-z]")
"""A sub-item's number (`4b`): of the item numbered by its digits."""
JOINED = 6
"""Letters from which a title run together, or cut by an invisible character, is compared
(`Disputespanel`, `Dis&shy;putes panel`)."""


def _title(words: tuple[str, ...]) -> tuple[str, ...]:
    """Return a heading's words less those saying it goes on (`LINKING`, `part 2`), each
    as it looks (no accents, look-alike letters as Latin ones) and in the singular."""
    words = tuple(_folded(w) for w in words)
    parts = [i + 1 for i, word in enumerate(words) if word in PARTS]
    skipped = {*parts, *(i - 1 for i in parts)}
    return tuple(w for i, w in enumerate(words) if i not in skipped and w not in FOLDED)


def _folded(word: str) -> str:
    word = skeleton(word)
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


FOLDED = frozenset(_folded(w) for w in LINKING)
"""The linking words as `_folded` makes them (`this`: `thi`, `afterwards`: `afterward`)."""
GRAMMAR = frozenset(_folded(w) for w in (
    "d", "the", "of", "and", "on", "a", "an", "for", "to", "in", "at", "by", "with", "la", "le",
    "du", "de", "des", "what", "was", "were", "is", "it", "we", "as", "re", "s", "this", "that",
    "these", "from", "over",
))  # fmt: skip
"""Linking words any title may hold (`Digital and data (6)`: the bench's), which say no more
than that it is a title."""


def _holds(title: tuple[str, ...], theirs: tuple[str, ...]) -> bool:
    """Whether a heading's title names a withheld one's item: the same, but for a number
    after it if that has none (`Disputes panel 2`; not `Item 4` after `Item 3`); some of its
    words and no others (`Panel outcome`, `Outcome of the Canaryfield appeal` after `Appeal
    of the Canaryfield family`, `Item 4: result` after `Item 4: Disputes panel`); or it whole,
    among others (`A statement on the disputes panel`) (adversary helpers 156 and 160)."""
    if not _numbers(theirs):
        title = tuple(w for w in title if not NUMBERED.fullmatch(w))
    if not theirs or not title:
        return False
    n = len(theirs)
    return set(title) <= set(theirs) or (
        n >= 2 and any(title[i : i + n] == theirs for i in range(len(title) - n + 1))
    )


MARKED = re.compile(r"\{[^{}\n]*\.(?:confidential|members)\b")


def _numbers(title: tuple[str, ...]) -> bool:
    """Whether a title holds a number (`## 2027`, `## 2025/26`: a year's heading)."""
    return any(NUMBERED.fullmatch(w) for w in title)


def _core(title: tuple[str, ...]) -> tuple[str, ...]:
    """Return a title without its item's number (`Item 4: Disputes panel`: disputes panel)."""
    return tuple(w for w in title if w not in APART and not NUMBERED.fullmatch(w))


def _items(words: tuple[str, ...]) -> list[str]:
    """Return the numbers of the items a heading names (`Item 4.1`, `4 (b)`: 4; not `7c`, a
    sub-item of its own: honest user helper 165's `### 7c. Pensions` after `### 7b. …`;
    `Item 5: Return to item 4`: 5 and 4, adversary helper 170)."""
    return [w for i, w in enumerate(words)
            if re.fullmatch(r"\d{1,2}", w) and (i == 0 or words[i - 1] in APART)]  # fmt: skip


def _run_together(words: tuple[str, ...], theirs: tuple[str, ...]) -> bool:
    """Whether a heading's title is a withheld one's run together, or cut by an invisible
    character (`Disputespanel`, `Dis&shy;putes panel update`)."""
    mine, other = ("".join(skeleton(w) for w in ws if w not in LINKING) for ws in (words, theirs))
    return len(other) >= JOINED and mine == other


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
        end = regions.body.find("\n", at)
        if MARKED.search(regions.body, at, end if end >= 0 else len(regions.body)):
            continue  # marked itself: meant as it is marked
        mine = regions.level_at(at)  # inside a members section, a confidential item's (160)
        withheld = [h for h in ended if regions.level_at(h[1]) > mine]
        if not withheld:
            continue
        before = min(withheld, key=lambda h: h[0])  # the top of the withheld part it ends
        title = _title(words)
        said = {_folded(w) for w in words}
        says_so = bool(GOING_ON & said) or any(w in PARTS for w in said)
        going_on = says_so or not title
        numbered = bool(_items(words) or _numbers(title))  # `## Item 5`; `## 2027`, a year's
        linked = any(_folded(w) in FOLDED - GRAMMAR for w in words)  # `## Item 5: Outcome`
        going_on = going_on or not (_core(title) or (numbered and not linked))  # `## Same item`
        public = [h[2] for h in headings[:index] if regions.level_at(h[1]) <= mine]
        own = {w for w in title if w not in APART and not NUMBERED.fullmatch(w)}  # a word, or
        resumed = any(own & set(_title(p)) or set(_items(words)) & set(_items(p)) for p in public)
        # an item's number, of a public heading before: after a break, `## Finance (continued)`
        # after `## Item 2: Finance` (162), `## Item 2 (continued)` after `## Item 2: …` (165);
        # not a number of another series (`## Case 2 (contd)` after `## Item 2: …`: 173)
        named = _names(words, before[2], linked)
        if not named and (resumed or not going_on):  # `Item 4 (contd)` (156), `## Outcome`,
            continue  # `## Second half`: nothing of its own (160); named, public before or not
        line = regions.line_of(at)
        apart = line - regions.line_of(before[1])
        yield (
            line,
            (
                f"this heading {_says(named, says_so)} the heading of the "
                f"withheld section it ends ({apart} line{'s' * (apart > 1)} above), but is not "
                "withheld with it: a section ends at the next heading of its level, so this one "
                "and what follows it would be published. Mark it too (## Heading "
                "{.confidential} or {.members}), or give it a heading of its own"
                + (ELSEWHERE * (says_so and not named and bool(_core(title))))
            ),
        )


def _names(words: tuple[str, ...], withheld: tuple[str, ...], linked: bool) -> bool:
    """Whether a heading's words (`linked`: with words that go on) name the withheld heading's
    item: as `_holds` says, or run together; its words under another item's number too (`##
    Item 5: Disputes panel hearing`: adversary helper 170), but not as the next of a series
    (`## Case 2` after `## Case 1`, the same words and no more: honest user 169, the bench's
    `## Motions (6)` after `(5)`; not `## Case 2: outcome`: 173); its item's number (164,
    170); a sub-item of it (`## Item 4b`: 173)."""
    title, theirs = _title(words), _title(withheld)
    core = _core(theirs)
    numbers = [{w for w in t if NUMBERED.fullmatch(w)} for t in (title, theirs)]
    series = bool(numbers[0] - numbers[1] and numbers[1] - set(_items(withheld)))
    series = series and not _items(words) and _core(title) == core and not linked
    subs = {m[1] for w in title if (m := SUB.fullmatch(w))}
    return (
        _holds(title, theirs)
        or _run_together(words, withheld)
        or (bool(core) and not series and _holds(_core(title), core))
        or bool(set(_items(withheld)) & set(_items(words)))
        or bool(subs & numbers[1] and not any(SUB.fullmatch(w) for w in theirs))
    )


ELSEWHERE = (
    "; if it goes on from an item of an earlier meeting, say so in other words (## Item 5: "
    "Finance, from the last meeting)"
)
"""Honest user helper 169's `## Item 5: Finance (continued)` after a withheld `## Item 4:
Staffing`: refused (`## Item 5: Personnel (continued)` is its shape: adversary helper 170)."""


def _says(named: bool, says_so: bool) -> str:
    if says_so:
        return "goes on from"
    return "repeats" if named else "has no words of its own (only words that go on from), after"
