"""Words that say a part is withheld, where no mark withholds it.

A writer who types `## CONFIDENTIAL – Disputes panel (not for publication)`, or puts
`confidential: true` on the first line under the front matter's closing `---`, means to
withhold; no mark does, so all of it would be published (held-out round 20). Public text
that says so is refused, with what to do: mark it, or reword it.

Each rule yields problems as (body line, message), as `readers` does.
"""

from __future__ import annotations

import functools
import html
import itertools
import re
from collections.abc import Iterator

from reportback.checking import nearmiss, spelling
from reportback.checking.regions import ATTRIBUTES, Regions
from reportback.checking.wordings import ALONE, CAPS, ENDING, HEADING, MIDDLE, SAYS, STARTS
from reportback.model import Audience

Found = tuple[int, str]

VALUED = (
    r"(?i:(?:[\"'“‘`$]|\[\^)?(?:confidential[\"'”’\]]?[ \t]*[:=][ \t]*[\"'“‘]?"
    r"(?:true|false|yes|no|on|off)\b|draft[\"'”’\]]?[ \t]*[:=][ \t]*[\"'“‘]?(?:true|yes|on)\b"
    r"|status[\"'”’\]]?[ \t]*[:=][ \t]*[\"'“‘]?(?:draft|final)\b"
    r"|publish[ _-]?at[\"'”’\]]?[ \t]*[:=][ \t]*[\"'“‘]?\d))"
)
"""A front-matter key that decides what is published, with its value, as a writer may spell
it (any case, `=` for `:`, `publish at`)."""
DECIDING = rf"(?:{VALUED}|(?:confidential|status|publish_at)[ \t]*:)"
"""The same, or the key exactly as front matter writes it."""
BEFORE_KEY = r"(?:[-*+>|:#]|\d+[.)]|\[[ xX]?\]|\[\^[^\]\n]*\]:)"
"""What may stand before such a key on a line: a list's, a quote's, a table's, a
definition's or a heading's marker, a task's box, a footnote's label (adversary helper 73)."""
KEY_IN_BODY = re.compile(
    rf"^[ \t]*(?:(?:[-*+][ \t]+)?{DECIDING}|(?:{BEFORE_KEY}[ \t]*)+{VALUED})", re.M
)
"""Such a key written below the closing `---`, as a list item, or with its value in a
quote, a numbered item, a definition, a table's cell, a heading, a task or a footnote."""
SETTING = re.compile(VALUED)
"""The same anywhere (in a front matter value: `summary: "status: draft"`; adversary helper
94)."""
DRAFTS = r"(?:draft|draught|drafft|drft|wip|unredacted)"
DRAFTED = re.compile(
    rf"(?i:^[^\w\n]*{DRAFTS}\b(?![ \t]+\w)|^[^\w\n]*(?:draft|draught)[ \t]+(?:report|minutes"
    r"|version|copy|text|summary|notes?)\b|[(\[][ \t]*(?:(?:first|second|rough|early|working"
    rf"|initial)[ \t]+)?(?:{DRAFTS}|work[ \t]+in[ \t]+progress|provisional|not[ \t]+final"
    r"|unfinished|uncut|placeholder|test|rough[ \t]+notes|my[ \t]+notes|to[ \t]+check|do[ \t]+not"
    rf"[ \t]+send)[ \t]*[)\]]|[–—-][ \t]*{DRAFTS}(?:[ \t]+v?\d+(?:\.\d+)*)?[^\w\n]*$"
    r"|\bv0\.\d|^[^\w\n]*not[ \t]+final\b)|\bDRAFT\b"
)
"""A title, summary or tag that says the report is a draft (`NEC report (draft)`, `DRAFT:
…`, `tags: [draft]`; not `Draft budget agreed`)."""
VALUED_IN_BODY = re.compile(rf"^[ \t]*(?:{BEFORE_KEY}[ \t]*)*{VALUED}")
"""The same with its value, as a line is read (`_plain`: folded, so a label is not one)."""
SETEXT = re.compile(r"[ \t]{0,3}(?:=+|-+)[ \t]*")
"""A setext heading's underline: the line above it is a heading."""
HIDDEN = re.compile(
    "[\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e0fff"
    "\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u2800\ufff9-\ufffb\U000110bd"
    "\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d159\U0001d173-\U0001d17a]"
)
"""Characters that show nothing: soft hyphens, zero-width and direction marks, joiners,
variation selectors, fillers, tags, every other format character (Arabic, Syriac, Egyptian,
shorthand and musical ones), the braille blank and the musical null notehead."""
COLONS = str.maketrans("ː⁚፡᛬⸬꞉։∶׃܃܄᠄", "::::::::::::")
"""Characters drawn like a colon (some are letters, so a label before them ran on)."""
MARKUP = re.compile(r"[*_~^\\]")
"""Emphasis and escapes a reader does not read as letters (`not *for* publication`)."""
INLINE_TAG = re.compile(
    r"</?(?:b|strong|em|i|u|mark|span|small|big|s|strike|ins|del|cite|q|abbr|dfn|kbd|samp"
    r"|var|code|sup|sub|font|a|bdi|bdo|time|data|label)\b[^<>]*>",
    re.I,
)
"""An inline tag of raw HTML, which shows no letters of its own."""
CUT = re.compile(r"(?<=[^\W\d_])(?:[\u2010-\u2015\u2212\ufe63\uff0d][ \t]*|-[ \t]+)(?=[^\W\d_])")
"""A word cut by a hyphen and a space, or by a dash: read joined."""
SPACED = re.compile(r"\b(?:\w[ \t.-]){4,}\w\b")
"""Letters spaced out (`C O N F I D E N T I A L`, `C-O-N-F-I-D-E-N-T-I-A-L`)."""
RAW = re.compile(r"[*_~^\\&<]")
"""What a reader's reading of an ASCII line may change but letters spaced out: markup and
entities."""
FUZZY = re.compile(
    r"(?i:(c)[o0]nf[i1l|!]?(?:d|cl)[e3]n[tc]?[i1l|!]?[a4@][l1|i]|(m)[e3]+(?:m|rn)[e3]*b[e3]*r(s?)"
    r"|([l1|i])nt[e3]rn[a4@][l1|i])"
)
"""A label's word written with Latin letters drawn like others (`CONFlDENTIAL`, `Mernbers`,
`Conficlential`, `lnternal`, `Confidentia|`), or misspelt (`Confidental`, `Memebers`)."""
NUMERAL = re.compile(r"(?i:[a-z][013457]|[013457][a-z])")
"""Digits beside letters: a word that may be written with digits for letters."""
DIGITS = str.maketrans("03457", "oeast")
"""Digits drawn like letters (`C0nf1dent1al`; a 1 is read as an i, or as an l before a y
or at a word's end: `on1y`, `confidentia1`)."""


@functools.lru_cache(maxsize=4096)
def _plain(line: str) -> str:
    """Return a line as a reader reads it: entities decoded, no emphasis or escapes, no soft
    hyphens or other characters that show nothing, folded as a mark's name is
    (`nearmiss.skeleton`: NFKC `ﬁ`, accents, letters of other alphabets drawn like Latin ones,
    `nоt` with a Cyrillic о), letters spaced out joined, a label's word misspelt or cut into
    pieces read as spelt (`spelling`)."""
    line = nearmiss.skeleton(_bare(line))
    if NUMERAL.search(line):
        line = re.sub(r"\w*[^\W\d_]\w*", _lettered, line)
    if FUZZY.search(line):
        line = FUZZY.sub(_word, line)
    line = SPACED.sub(lambda m: re.sub(r"[ \t.-]", "", m[0]), line)
    line = CUT.sub("", line)  # `Con- fidential:`, `Con–fidential:` (adversary helper 119)
    return spelling.respelt(line) if spelling.misspelt(line) else line


def _word(found: re.Match[str]) -> str:
    """Return the label's word `FUZZY` found, as spelt."""
    return "confidential" if found[1] else f"member{found[3]}" if found[2] else "internal"


def _lettered(word: re.Match[str]) -> str:
    """Return a word with digits drawn like letters read as those letters."""
    return re.sub(r"1(?=y|[^a-z]|$)", "l", word[0]).translate(DIGITS).replace("1", "i")


def _bare(line: str) -> str:
    """Return a line as a reader shows it, case kept: entities decoded, no emphasis, escapes
    or characters that show nothing (`CAPS` reads capitals); an inline tag of raw HTML read
    as emphasis is (`<strong>Confidential</strong> The panel …` as `*Confidential* The panel
    …`; adversary helper 84)."""
    line = INLINE_TAG.sub("*", line) if "<" in line else line
    line = html.unescape(line) if "&" in line else line
    return MARKUP.sub("", HIDDEN.sub("", line)).translate(COLONS)


@functools.lru_cache(maxsize=4096)
def _plain_already(line: str) -> bool:
    """Whether `_plain(line)` reads as the line itself, known without making it: ASCII is its
    own skeleton (but for case, which the patterns ignore) and holds no hidden character, so
    only markup, entities or letters spaced out would change it."""
    return (
        line.isascii()
        and RAW.search(line) is None
        and SPACED.search(line) is None
        and CUT.search(line) is None
        and NUMERAL.search(line) is None
        and all(m[0].lower() in ("confidential", "members", "member", "internal")
                for m in FUZZY.finditer(line))
        and not spelling.misspelt(line)
    )  # fmt: skip


NOTHING = re.compile(
    r"[ \t*_]*(?:none|nil|n/a|nothing|zero|0)(?:[ \t]*,?[ \t]+(?:this[ \t]+(?:month|time|meeting|"
    r"week|year)|as[ \t]+(?:usual|ever|always)|at[ \t]+(?:either|both|this|the)[ \t]+meetings?"
    r"|today|again|so[ \t]+far|to[ \t]+(?:report|declare|add)))*[ \t*_]*"
    r"(?:[.!][*_]*(?:[ \t]|$)|[;)]?[ \t*_]*$)",
    re.I,
)
"""What a label saying nothing is withheld ends in, the whole of what follows it on its line
(`Confidential items: none this month.`, `… none, as usual.`, `… none at either meeting`,
`… 0`; adversary helpers 91, 117), or up to a full stop (another sentence may follow); not a
sentence that starts so (`Confidential: none of the panel backed Jo, who was expelled.`),
nor one that goes on (`… none, as usual, but Jo…`, `… none – Jo…`: adversary helper 118)."""
PATTERNS = (SAYS, STARTS, ENDING, HEADING, MIDDLE)
"""What says a part is withheld in any case; and `CAPS`, in capitals, read with case kept."""
AT_LINES = PATTERNS[1:]
"""The same, but `SAYS`, which `said_withheld` reads over the whole body at once (wrapped
over lines too): read line by line as well, it cost a tenth of a cold build's check."""
FENCES = re.compile(r"^[ \t>]*:{3,}[^\n]*", re.M)
"""A fence line: syntax (one read as text is text for `read_labels`, which reads blocks)."""
UNMARKED = (
    "says that it is withheld, but nothing marks it: it would be published. Mark it "
    "(## Heading {.confidential} or {.members}, ::: confidential around it, or "
    "[words]{.confidential}), or reword it"
)


def said_withheld(body: str, regions: Regions) -> Iterator[Found]:
    """Yield a problem at each public line that says it is withheld, and at each line that
    is a front-matter key deciding what is published (`confidential: true`)."""
    going_on = _going_on(body.split("\n"))
    keys = {
        n: m[0]
        for m in KEY_IN_BODY.finditer(body)
        if (n := body.count("\n", 0, m.start()) + 1) not in going_on or SETTING.search(m[0])
    }
    for number, line in enumerate(body.split("\n"), start=1):  # `\u200bstatus: draft` too
        if number not in keys and (read := as_read(line)) != line:
            found = VALUED_IN_BODY.search(read)
            keys.update({number: line[:80]} if found else {})  # as written: `'\u200bstatus…'`
    for number, key in keys.items():
        yield (
            number,
            (
                f"{key.strip()!r} is a line of the body, not of the front matter: it would "
                "be published as text, and decide nothing; move it above the front matter's "
                "closing ---"
            ),
        )
    at, said_at = 0, set(keys)
    blanked = ATTRIBUTES.sub(lambda m: " " * len(m[0]), body)  # a mark's own words aside
    blanked = FENCES.sub(lambda m: " " * len(m[0]), blanked)  # and a fence's
    lines = blanked.split("\n")  # blanks keep every offset
    for number, line in enumerate(lines, start=1):
        start, at = at, at + len(line) + 1
        setext = number < len(lines) and line.strip() and SETEXT.fullmatch(lines[number])
        shift = 2 if setext else 0
        line = f"# {line}" if setext else line  # read as the heading it is
        going = number in going_on and _mid_sentence(line)  # a wrapped sentence's words
        at_lines = AT_LINES[1:] if going else AT_LINES
        found = next((m for p in (*at_lines, CAPS) if (m := p.search(line))), None)
        where = start + max(found.end() - 1 - shift, 0) if found else start + _indent(line, shift)
        if not found and not _plain_already(line):  # as a reader reads it
            read = _plain(line)
            found = next((m for p in at_lines if (m := p.search(read))), None)
            found = found or CAPS.search(read := _bare(line))
            if found and len(read) == len(line):  # the same column, as written
                where = start + max(found.end() - 1 - shift, 0)
        ends = _ends(line, lines[number] if number < len(lines) else "")  # `none⇥⏎except…`
        found = None if found and ends and NOTHING.match(found.string, found.end()) else found
        if number not in said_at and found and regions.level_at(where) == Audience.PUBLIC:
            said_at.add(number)
            yield number, f"{found[0].strip()[:40]!r} {UNMARKED}"
    for number, span, words in _wrapped(blanked):  # `SAYS`, on one line or more
        if number not in said_at and Audience.PUBLIC in (regions.level_at(w) for w in span):
            said_at.add(number)
            yield number, f"{' '.join(words.split())[:40]!r} {UNMARKED}"
    for number, joined, where in _hyphenated(lines):  # `Con-⏎fidential:` (helpers 118, 119)
        found = next((m for p in (SAYS, *AT_LINES, CAPS) if (m := p.search(joined))), None)
        found = None if found and NOTHING.match(found.string, found.end()) else found
        if number not in said_at and found and regions.level_at(where) == Audience.PUBLIC:
            said_at.add(number)
            yield number, f"{found[0].strip()[:40]!r} {UNMARKED}"


HYPHEN_END = re.compile(
    r"[^\W\d_](?:-|[\u00ad\u2010-\u2015\u2043\u2212\ufe63\uff0d]|&shy;|&#45;|&#x2d;)"
    r"(?:[ \t\u00a0\u200b\\]|<!--.*?-->)*$",
    re.I,
)
"""A word cut at a line's end by a hyphen (any of Unicode's, or written as an entity), with
what shows nothing after it."""


def _hyphenated(lines: list[str]) -> Iterator[tuple[int, str, int]]:
    """Yield each word cut by a hyphen at a line's end, joined to the next line as a reader
    joins it (`Con-⏎fidential: Jo…` read "Confidential: Jo…"), with its line and the body
    offset where the next line starts."""
    at = 0
    for number, (line, after) in enumerate(itertools.pairwise(lines), start=1):
        at += len(line) + 1
        if (cut := HYPHEN_END.search(line)) and (rest := re.match(r"[ \t>]*(?=[*_]*\w)", after)):
            before = line[: cut.start() + 1].lstrip(" \t>")  # the whole line: `Members on-`
            joined = re.sub(r"[*_]", "", before + after[rest.end() :])  # `*fidential*:`
            yield number, joined, at + rest.end()


GOES_ON = re.compile(r"[ \t>]*[a-z]")
"""A line that goes on in lower case (no markup before it)."""
NEXT_BLOCK = re.compile(r"[ \t]*(?:$|[-*+>#|:]|\d{1,9}[.)][ \t])")
"""A line that starts another block (or none: a blank line)."""


def _ends(line: str, after: str) -> bool:
    """Whether a paragraph ends with `line`: by a stop at its end, or as the next line is
    blank or starts another block (`Private business: none⇥⏎except that Jo…` goes on: a label
    saying none is not one only where it ends; adversary helper 119)."""
    return bool(re.search(r"[.!][\"'”’*_]*[ \t]*$", line) or NEXT_BLOCK.match(after))


MID_SENTENCE = re.compile(
    r"(?:confidential|members(?:[ \t]+only)?|in[ \t]+confidence|private|restricted)"
    r"(?:(?:[ \t]+[a-z]+)?,[ \t]*(?=[a-z])|[ \t]+(?=[a-z])|[.!?]['’\")\]]*(?:[ \t]|$))"
    r"[^:;–—…→\n]*"
)
"""A label's word a wrapped sentence may hold (`…cases are⏎confidential, as ever.`): one of
a few, in lower case, then the sentence going on in lower case (after a comma, or none:
`…stay⏎confidential until the hearing.`), or ending (`…open to⏎members only.`: helper 141),
with no colon or dash after (`…told us⏎off the record, Jo…`, `…⏎confidential, pending appeal:
Jo…` are labels: adversary helpers 118, 119)."""


def _mid_sentence(line: str) -> bool:
    """Whether a line a wrapped sentence goes on on starts with a label's word that sentence
    holds (`MID_SENTENCE`), and nothing else a label would say."""
    return MID_SENTENCE.fullmatch(line.lstrip(" \t>")) is not None


STOPS = re.compile(r"(?:[.!?:;…][\"'”’)\]*_]*|^[ \t]*(?:#|:::|\||```|~~~|<).*|^\s*)$")
"""A line after which a new sentence or block starts: a stop at its end, or a heading, fence,
table row or tag, or a blank line."""


def _going_on(lines: list[str]) -> set[int]:
    """Return the numbers of the lines that go on with a sentence wrapped from the line
    before (in lower case, after no stop): a word at such a line's start is mid-sentence,
    not a label (adversary helper 117: "…the details of individual cases are⏎confidential,
    as they always are." was refused as a label)."""
    return {n for n, line in enumerate(lines[1:], start=2)
            if GOES_ON.match(line) and not STOPS.search(lines[n - 2])}  # fmt: skip


def _indent(line: str, shift: int) -> int:
    """Return the column of a line's first character that is not a space (as written)."""
    return max(len(line) - len(line.lstrip()) - shift, 0)


def _wrapped(blanked: str) -> Iterator[tuple[int, tuple[int, int], str]]:
    """Yield the words that say a part is withheld, on a line or wrapped over lines, as
    written and as a reader reads them: each with its line, the body offsets where they start
    and end (as read: the same columns of a line its reading leaves as long, else the line's
    start) and the words."""
    for found in SAYS.finditer(blanked):
        where = (found.start(), max(found.end() - 1, found.start()))
        yield blanked.count("\n", 0, found.start()) + 1, where, found[0]
    lines = blanked.split("\n")
    read = [line if _plain_already(line) else _plain(line) for line in lines]
    if read == lines:
        return
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    text = "\n".join(read)
    for found in SAYS.finditer(text):
        index = text.count("\n", 0, found.start())
        column = found.start() - (text.rfind("\n", 0, found.start()) + 1)
        same = len(read[index]) == len(lines[index])
        indent = len(lines[index]) - len(lines[index].lstrip())
        at = starts[index] + (column if same else indent)
        end = at + len(found[0]) - 1 if same and "\n" not in found[0] else at
        yield index + 1, (at, end), found[0]


SENTENCE = re.compile(
    r"(?<=[.!?;)\]…。．﹒․‽؟;।•\"'”’»])([\s\u00ad\u034f\u180e\u200b-\u200f\u2060-\u2064\ufeff"
    r"\u3164]*)(?=[(\[{\"'“‘«]*[^\W\d_])"
)
"""Where a sentence may end and the next start: after a stop (`.`, `…`, `。`), a closing
bracket or quote, or a bullet, before a letter (adversary helpers 71 and 73)."""


def sentences(line: str) -> list[str]:
    """Return a line, then each of its sentences if it has more than one: one starts after
    a space, or with a capital right after the stop (`The panel met.Confidential: …`; not
    `example.org/members-only`, an address)."""
    cuts = [m.end() for m in SENTENCE.finditer(line)
            if any(c.isspace() for c in m[1]) or line[m.end()].isupper()]  # fmt: skip
    if not cuts:
        return [line]
    return [line, *(line[a:b].strip() for a, b in zip([0, *cuts], [*cuts, len(line)], strict=True))]


def as_read(line: str) -> str:
    """Return a line as a reader reads it (`_plain`): no character that shows nothing, a
    no-break or wide space as a space, letters drawn alike as one (`stаtus`, Cyrillic а)."""
    return line if _plain_already(line) else _plain(line)


def says_withheld(text: str, title: bool = False, alone: bool = True) -> str | None:
    """Return the words of a value that say it is withheld, if any; a `title` (a report's,
    a meeting's name) is read as a heading too (`Disputes Panel (members only)`); `alone`,
    a value or sentence that is a label and nothing else too (`In camera.`, `tags: [private]`;
    not an attribute's value: `title="Secret"` is a tooltip's word)."""
    patterns = [p for p in (*PATTERNS, ALONE, CAPS)
                if (title or p is not HEADING) and (alone or p is not ALONE)]  # fmt: skip
    parts = [part for line in text.splitlines() for part in sentences(line)]
    for pattern in patterns:
        # SAYS anywhere (wrapped over lines too); the rest at the start of a line (a literal
        # or folded value has several: round 22 review) or of a sentence
        said = [text] if pattern is SAYS else parts
        said = [f"# {part}" for part in parts] if pattern is HEADING else said
        for value in said:  # as written, then as a reader reads it (ASCII: the same)
            found = pattern.search(value)
            if found is None and not _plain_already(value):
                found = pattern.search(_bare(value) if pattern is CAPS else _plain(value))
            if found is not None and not NOTHING.match(found.string, found.end()):
                return found[0].strip().removeprefix("# ")[:40]
    return None


FENCE = re.compile(r"^(?:[ \t>]|<[^<>\n]*>)*(:{3,}[ \t]*\{?[ \t]*\.?([^\W\d_][\w-]*))", re.M)
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
