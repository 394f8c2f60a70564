"""What a writer reads in front matter's lines that YAML reads otherwise: a line that looks
like a comment or a key inside a value written over several lines (words of the value), and
a comment beside a key that decides what is published (a note, not the value)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

import yaml

from reportback.checking.intent import DECIDING, as_read
from reportback.output.template_folders import default_dir

REQUIRED = ("title", "meeting", "meeting_date")
KEYS = (
    *REQUIRED, "publish_at", "status", "confidential", "summary", "clps", "regions", "tags",
    "author", "id", "corrections",
)  # fmt: skip
"""The front matter's keys (the contract's)."""
DECIDES = ("status", "confidential", "publish_at")
"""The keys that decide whether and when a report is published."""
NAMES = "|".join((*KEYS, "date", "note", "attended", "meeting"))
LOOKS_LIKE = re.compile(
    rf"^[ \t]*(?:([#♯⌗⋕])(?:[ \t]|$|[^\s#]*:)|-?[ \t]*[\"'“‘]?({NAMES})[\"'”’]?[ \t]*:(?:[ \t]|$)"
    rf"|-?[ \t]*({DECIDING}))"
)
"""A line that reads as a YAML comment (`# …`) or a key (`confidential: true`)."""


def read_as_text(text: str, node: yaml.Node) -> Iterator[tuple[int, str]]:
    """Yield (line, message) for each line of a value written over several lines (a `>-` or
    `|` block, a value wrapped onto the next lines) that a writer reads as a comment or as a
    key (indented by an editor): YAML reads it as words of the value, which are published,
    and the key is not set (`confidential: true` under `summary: >-` published the report)."""
    lines = text.split("\n")
    stack: list[tuple[yaml.Node, str]] = [(node, "")]
    while stack:
        item, owner = stack.pop()
        if isinstance(item, yaml.MappingNode):
            stack += [(v, owner or str(k.value)) for k, v in item.value]
        elif isinstance(item, yaml.SequenceNode):
            stack += [(v, owner) for v in item.value]
        elif isinstance(item, yaml.ScalarNode):
            start, end = item.start_mark, item.end_mark
            for number in range(start.line + 1, min(end.line + 1, len(lines))):
                line = lines[number][: end.column] if number == end.line else lines[number]
                found = LOOKS_LIKE.match(line) or LOOKS_LIKE.match(as_read(line))
                if found is None:  # (as read: `\u200b# note`, `\u00a0confidential: true`)
                    continue
                what = "a comment" if found[1] else f"the key {found[2] or found[3]!r}"
                yield (
                    number + 1,
                    f"{line.strip()[:40]!r} is inside the text of {owner or 'a value'}: YAML "
                    f"reads it as words of that text, which are published, not as {what}; "
                    + ("delete it (it would be published: withhold text in a report's body)"
                       if found[1] else "move it to the start of its line"),
                )  # fmt: skip


AGAINST = {
    "status": re.compile(
        r"\b(?:draft|hold\w*|never|withh\w*|confidential|embargo\w*|later|until|wip|todo"
        r"|unfinished|waiting|pending|provisional|sign[ \t-]?off|not[ \t]+(?:yet[ \t]+)?ready"
        r"|not[ \t]+(?:yet[ \t]+)?(?:for[ \t]+)?publi\w*)\b", re.I,
    ),
    "confidential": re.compile(
        r"\b(?:true|yes|on|withh\w*|secret|private|members|draft|hold\w*|never|until)\b", re.I
    ),
    "publish_at": re.compile(
        r"\b(?:draft|never|hold\w*|later|confidential|postpone\w*|wait\w*)\b|\d[\w:./-]*", re.I
    ),
}  # fmt: skip
"""Words in a comment that say otherwise beside a value that publishes (`status: final #
draft`, `confidential: false # true`, `publish_at: … # hold until 2027`)."""
PUBLISHES = {"status": ("final",), "confidential": ("false", "no", "off")}
"""The values that publish, of the keys deciding whether a report is published (any time
`publish_at` holds publishes then)."""


def explains(comment: str) -> bool:
    """Whether a comment is one `reportback new`'s template writes beside a key, to say what
    it does (`confidential: false  # true withholds the whole report…`: adversary helper
    148)."""
    return " ".join(comment.lstrip("#").split()) in _explanations()


@functools.cache
def _template() -> str:
    """The text of the bundled `reportback new` template, whose comments are no notes."""
    return (default_dir() / "new-report.md").read_text(encoding="utf-8")


@functools.cache
def _explanations() -> frozenset[str]:
    return frozenset(" ".join(m[1].split()) for m in EXPLAINED.finditer(_template()))


EXPLAINED = re.compile(r"(?:[ \t]|^)#[ \t]*([^#\n]+)$", re.M)
"""A comment of the template: beside a key, or on a line of its own (`#   (default: …)`)."""


def commented_keys(
    text: str, node: yaml.Node, deciding: tuple[str, ...]
) -> Iterator[tuple[int, str]]:
    """Yield (line, message) for each key deciding what is published whose value publishes,
    with a comment beside it that says otherwise (`status: final # draft`, `publish_at: … #
    hold until May`): YAML drops the comment, a reader may take it for the value (adversary
    helper 79). A comment beside a value that withholds reads one way."""
    lines = text.split("\n")
    for key, value in node.value if isinstance(node, yaml.MappingNode) else ():
        end, name = value.end_mark, str(key.value)
        if name not in deciding or end.line >= len(lines):
            continue
        if name in PUBLISHES and str(value.value).lower() not in PUBLISHES[name]:
            continue  # a value that withholds: a comment beside it reads one way
        comment = lines[end.line][end.column :].lstrip()
        if comment.startswith("#") and not explains(comment):  # any note of the rep's: one
            found = AGAINST[name].search(comment)  # that says otherwise in other words
            said = found[0] if found else " ".join(comment.lstrip("#").split())[:40]
            yield (  # (`# not signed off`, `# on ice`: adversary helper 154) goes unread too
                end.line + 1,
                f"{lines[end.line].strip()[:60]!r}: the comment beside {name} says "
                f"{said!r} (YAML drops it; a reader may take it for the value, even "
                "where it agrees): delete it",
            )


NOTE = re.compile(
    r"\b(?:embargo\w*|wip|todo|unfinished|sign[ \t-]?off|draft\w*|rough|hold\w*|held|wait\w*"
    r"|await\w*|approv\w*|clear(?:ed|ance)|legal|lawyers?|sub[ \t]+judice|publi\w*|releas\w*"
    r"|circulat\w*|(?:not|only)[ \t]+(?:before|after|until|yet)|until|pending|check(?:ing|s)?"
    r"|changes|confidential\w*|secret|private|sensitive|off[ \t]+the[ \t]+record"
    r"|names?|named|naming|anon\w*|pseudonym\w*|initials|identif\w*"
    r"|not[ \t]+(?:yet[ \t]+)?(?:ready|final)|(?:do[ \t]+not|don'?t|never)[ \t]+(?:post|send|share)"
    r"|unapproved|signed[ \t]+off|incomplete|fixme|tbc|xxx|hang[ \t]+fire|on[ \t]+ice|parked"
    r"|under[ \t]+review|uncleared|subject[ \t]+to|once[ \t]+agreed|libel\w*|defamat\w*|court"
    r"|investigation|purdah|ratif\w*|unratified|green[ \t]+light|credit|keep[ \t]+me"
    r"|run[ \t]+(?:it[ \t]+|this[ \t]+)?past|sit[ \t]+on|minutes[ \t]+not"
    r"|off[ \t]+the[ \t]+(?:web|website|site))\b",
    re.I,
)
"""A word in a comment that may say the report, or a value, is not to go out yet, or not as
it is (adversary helpers 144, 152: `# Legal say wait`, `# Sent to Jon for approval`, `author:
Jo Smith # asked not to be named`). YAML drops a comment, and nothing reads it: one that
might say so is refused, and is to be deleted (`# written on the train` is no such note)."""
COMMENTED_KEY = re.compile(rf"^[ \t]*#[ \t]*-?[ \t]*(?:{NAMES})[ \t]*:")
"""A key commented out, as `reportback new` writes the optional ones (with what each does)."""


def held_notes(text: str, deciding: tuple[str, ...], name: str = "") -> Iterator[tuple[int, str]]:
    """Yield (line, message) for each comment, on a line of its own or beside a key that does
    not decide publication (`commented_keys` reads those), that says to hold the report or a
    value back (`# EMBARGOED UNTIL 8 DECEMBER`, `author: Jo Smith # do not name me`): YAML
    drops it and the build publishes at once (adversary helper 144). Of a key commented out
    (the template's, with what it does: `# confidential: true  # true withholds…`) only the
    value is read; one that decides publication is refused without the template's note beside
    it, and `publish_at` with a time other than the template's (helpers 152, 154): 09:00 on
    the meeting's day, or on the day the file is named by (`new` names it by the day it is
    given, or today, and the rep corrects `meeting_date` after: honest user helper 169)."""
    lines = text.split("\n")
    days = {m[1] for m in MEETING_DAY.finditer(text)} | set(re.findall(r"^\d{4}-\d\d-\d\d", name))
    after: dict[int, int] = {}  # where on each line YAML's last token ends
    beside: dict[int, str] = {}  # the key whose value ends on the line
    try:
        tokens = list(yaml.scan(text))
    except yaml.YAMLError:
        return
    key = ""
    for previous, token in zip([None, *tokens], tokens, strict=False):
        start, end = token.start_mark, token.end_mark
        if isinstance(token, yaml.ScalarToken) and isinstance(previous, yaml.KeyToken):
            key = str(token.value)
        for number in range(start.line, end.line + 1):
            column = end.column if number == end.line else len(lines[number])
            if number == start.line and getattr(token, "style", None) in ("|", ">"):
                header = BLOCK_HEADER.match(lines[number], start.column)  # `>-  # a note`:
                column = header.end() if header else column  # its note is on the key's line
            after[number] = max(after.get(number, 0), column)
            beside[number] = key
    for number, line in enumerate(lines):
        found = COMMENT.search(line, after.get(number, 0))
        if found is None or beside.get(number) in deciding:
            continue
        note = found[1]
        if explains(f"#{note}"):  # one the template writes
            continue
        if commented := COMMENTED_KEY.match(line):  # its value, not what it says it does
            written, note, told = _key_written(commented)
            nine = [f"{day}T09:00:00" in written for day in days]  # the template's embargo
            if written.startswith("publish_at:") and nine and not any(nine):
                yield (number + 1, f"{line.strip()[:60]!r}: {EMBARGO_OFF}")
                continue
            if written.split(":")[0] in deciding and not explains(told):
                yield (number + 1, f"{line.strip()[:60]!r}: {KEY_OFF}")  # as the template
                continue  # has it, with what it does (`#confidential: true`: helper 154)
            if written in _template_keys():
                continue
        if said := NOTE.search(note):
            yield (
                number + 1,
                f"{line.strip()[:60]!r}: the comment says {said[0]!r}, but YAML drops it and "
                "nothing holds the report back: withhold what is meant (status: draft, "
                "publish_at, a mark in the body), then delete the comment",
            )


COMMENT = re.compile(r"(?:^|[ \t])#(.*)$")
BLOCK_HEADER = re.compile(r"[|>][-+0-9]*")
"""A block value's header (`>-`, `|+2`), which a comment may follow on the key's line."""
MEETING_DAY = re.compile(r"^meeting_date:[ \t]*[\"']?(\d{4}-\d\d-\d\d)", re.M)
KEY_OFF = (
    "a key deciding what is published, commented out: YAML drops it and it decides nothing; "
    "remove the '# ' to set it, or delete the line"
)
EMBARGO_OFF = (
    "publish_at is commented out with a time other than the template's (09:00 on the meeting's "
    "day), so YAML drops it and the report is published at once; remove the '# ' to embargo "
    "it, or delete the line"
)
"""The template's `# publish_at:` gives the meeting's day at 09:00; another was set and left
commented out (adversary helper 152)."""


@functools.cache
def _template_keys() -> frozenset[str]:
    """The keys the template writes commented out, with their values (`tags: [selections,
    rule changes]`, `author: Your Name`): no note of the rep's."""
    keys = (COMMENTED_KEY.match(line) for line in _template().split("\n"))
    return frozenset(_key_written(m)[0] for m in keys if m is not None)


def _key_written(commented: re.Match[str]) -> tuple[str, str, str]:
    """Return a key commented out with its value, as one line of single spaces; the value as
    written; and the comment beside it (`# true withholds…`, '' if none)."""
    value, *told = re.split(r"[ \t]#", commented.string[commented.end() :], maxsplit=1)
    key = commented.string[: commented.end()].lstrip(" \t#")
    return " ".join((key + value).split()), value, f"#{''.join(told)}"


def not_yaml(head: str, error: yaml.YAMLError) -> tuple[int, str]:
    """Return the line and the words of why front matter is not YAML, with what to do."""
    mark = getattr(error, "problem_mark", None)
    line = mark.line + 1 if mark is not None else 1
    reason = getattr(error, "problem", None) or str(error)
    lines = head.split("\n")
    spaced = next((n for n, text in enumerate(lines, 1) if NBSP_KEY.match(text)), 0)
    if spaced:  # `meeting:\u00a0NEC`: named at the next line (honest user helper 171)
        return spaced, f"{reason}: a no-break space after a key's colon; type a plain space"
    if "'\\t'" in reason:  # `title:\t"x"`, aligned by an editor (adversary helper 104)
        reason += ": YAML takes no tab there; write spaces"
    if "mapping values are not allowed" in reason:  # `title: NEC report: January` (117)
        curly = 0 < line <= len(lines) and any(c in lines[line - 1] for c in "“”‘’")
        reason += ": a value holding ': ' must be in quotes (title: \"NEC: January\")"
        reason += "; straight ones: a word processor's “…” are not quotes to YAML" * curly
    return line, reason


NBSP_KEY = re.compile(r"[ \t]*[\w-]+:\u00a0")
"""A key, its colon and a no-break space: YAML reads no key there (a Mac's Option-Space)."""
