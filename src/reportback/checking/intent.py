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
import re
from collections.abc import Iterator

from reportback.checking import nearmiss
from reportback.checking.regions import ATTRIBUTES, Regions
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
VALUED_IN_BODY = re.compile(rf"^[ \t]*(?:{BEFORE_KEY}[ \t]*)*{VALUED}")
"""The same with its value, as a line is read (`_plain`: folded, so a label is not one)."""
GAP = r"[\s\-]*"
"""What may stand between the words of a phrase: spaces, line breaks, hyphens, or nothing
(the words run together once characters that show nothing are taken out)."""
SAYS = re.compile(
    rf"\b(?:not{GAP}(?:for|to{GAP}be){GAP}(?:publication|published|circulation|circulated|shared)"
    rf"|not{GAP}for{GAP}(?:(?:public|wider|general|onward){GAP})?(?:release|distribution"
    rf"|circulation|consumption|transmission|disclosure)"
    rf"|don[’'`]?t{GAP}(?:publish|circulate|share)|(?:privileged|private){GAP}(?:and|&)"
    rf"{GAP}confidential|commercial(?:ly)?{GAP}in{GAP}confidence"
    rf"|must{GAP}not{GAP}be{GAP}(?:published|shared|circulated|made{GAP}public)"
    rf"|for{GAP}internal{GAP}use{GAP}only"
    rf"|do{GAP}not{GAP}(?:publish|circulate)|strictly{GAP}(?:confidential|private)"
    rf"|(?:the{GAP}following|what{GAP}follows|(?:this|the){GAP}next(?:{GAP}(?:part|section"
    rf"|item|paragraph)s?)?|everything{GAP}(?:(?:else{GAP})?below|(?:that{GAP})?follows))"
    rf"{GAP}(?:is|are){GAP}(?:strictly{GAP})?(?:confidential|private|(?:for{GAP})?members"
    rf"[’'`]?{GAP}only)|members[’'`]?{GAP}only{GAP}(?:content|material|business|items?"
    rf"|information|section){GAP}(?:below|follows)"
    rf")\b",
    re.I,
)
"""Words that say what they are in is withheld, wherever they are (also wrapped)."""
QUALIFIED = (
    r"(?:(?:strictly|highly|commercially|very|most|nb|for(?:[ \t]+(?:party|labour))?)[ \t]+)?"
)
"""Words before a label that keep it one (`Highly confidential:`, `For members only:`)."""
LABELS = (
    rf"(?:{QUALIFIED}(?:confidential|(?:[\w'’]+[ \t]+)?(?:member|mbr|memb\.?)[’'`]?s?[’'`]?"
    r"[ -]?only)"
    r"|cyfrinachol|embargoed|(?:personal|private)[ \t]*(?:and|&)[ \t]*confidential"
    r"|(?:please[ \t]+)?(?:treat|keep|handle|hold|regard)[ \t]+(?:(?:this|it|these|as|in|strictly)"
    r"[ \t]+){0,2}(?:confidential|private)"
    r"|only[ \t]+for[ \t]+(?:party[ \t]+)?members"
    r"|members[’'`]?[ \t]+(?:section|business|area|items?|session|part|matters?)"
    r"|(?:[\w'’]+[ \t]+){0,3}eyes[ \t]+only"
    r"|(?:i[ \t]+)?aelodau[ \t]+yn[ \t]+unig)"
)
NOUNS = (
    r"(?:items?|matters?|minutes?|papers?|information|details|sections?|parts?|discussions?"
    r"|annex(?:es)?|appendix|appendices|briefings?|business|reports?|notes?|sessions?|updates?"
    r"|materials?|correspondence|advice|cases?|documents?|submissions?|comments?|remarks?)"
)
"""What a label may name (`Confidential annex:`, `## Confidential items`; adversary helper 75)."""
AFTER = (
    rf"(?:[ \t]+(?:{NOUNS}|follows"
    r"|until[ \t][^:\n]{1,30}?|to[ \t]+the[ \t]+\w+)(?:[ \t]+follows)?)?"
)
"""Words after a label that keep it one (`Confidential item:`, `Confidential until 2027:`)."""
STRICT = (
    r"(?:private|(?:top[ \t]+)?secret|in[ \t]+(?:strict(?:est)?[ \t]+)?confidence"
    r"|off[ \t-]+(?:the[ \t-]+)?record|internal[ \t]+only"
    r"|conf\.|confid\.?|confdl\.?|conf(?=[ \t]*[:–—])|restricted|in[ \t]+camera|non[ \t-]?public"
    r"|not[ \t]+(?:for[ \t]+the[ \t]+)?(?:public|website)|unpublished"
    r"|(?:under[ \t]+)?(?:the[ \t]+)?chatham[ \t]+house(?:[ \t]+rules?)?"
    r"|not[ \t]+yet[ \t]+(?:announced|public|published|released)|official[ \t-]*sensitive"
    r"|do[ \t]+not[ \t]+(?:forward|disclose|share|circulate|publish|distribute|copy|repeat|quote)"
    r"|(?:legally[ \t]+)?privileged|(?:limited|restricted)[ \t]+(?:circulation|distribution)"
    r"|exempt(?:[ \t]+(?:items?|business))?|under[ \t]+wraps|hold[ \t]+until[ \t][^:\n]{1,30}?"
    r"|(?:in[ \t]+)?(?:private|closed)[ \t]+session|gizli|গোপনীয়|fortrolig|confidenziale"
    r"|vertraulich|confidentiel(?:le)?|confidencial|vertrouwelijk|riservat[oa]|cyfrinach"
    r"|nur[ \t]+f(?:ü|ue)r[ \t]+mitglieder|r[ée]serv[ée][ \t]+aux[ \t]+membres|poufne|tajne"
    r"|solo[ \t]+para[ \t]+(?:los[ \t]+)?miembros|sigiloso|конфиденциально|rúnda|dìomhair"
    r"|classified|sensitive|redacted|under[ \t]+embargo"
    r"|reserved[ \t]+business|exempt[ \t]+information|between[ \t]+ourselves"
    r"|restricted[ \t]+to[ \t]+(?:party[ \t]+)?members|preifat|konfidentiell?t?|خفیہ|withheld"
    r"|geheim|priv[ée]|internal|reserved|(?:[\w'’]+[ \t]+){1,2}yn[ \t]+unig"
    r"|(?:nec|officers?|officials?|staff|committee|panel|trustees?|councillors?|delegates?"
    r"|executive|leadership|organisers?|secretar(?:y|ies)|chairs?)[ \t]+only"
    r"|buill[ \t]+a-mh(?:à|a)in|nfp|p&c|otr|embargo)"
)
"""Labels only with a colon or a dash after them (`Private:`, `In confidence –`, `Conf.:`,
`Restricted:`, `In camera:`, `Vertraulich:`), being words of everyday text too."""
ENDS = r"(?:[^\w\s'’\"“”]|_)"
"""What ends a label that starts a line: a colon, a dash, a bracket, a stop, a symbol
(`CONFIDENTIAL ★`, `Confidential 🔒`); not a quote."""
NUMBER = r"(?:(?:\d+|[a-z])[.)]|\(\d+\))[ \t]+"
"""A numbered item's marker: `1. `, `1) `, `a. `, `(1) `."""
LEAD = r"(?:(?:[\w'’(),]+[ \t]+){0,9}[\w'’(),]+[ \t]*(?:[:–—(→»|~/,·]|[ \t]-)[^\w\n]*){1,3}"
"""Up to ten words (commas and brackets too) and a colon, dash, comma or other separator
before a label, up to three times: `Fine print: `, `Item 4 – `, `Item 4 on the agenda of
the day - `, `Item 4 (Disputes, second complaint) – `, `Re: item 4: `, `Item 4 → `."""
AFTER_LEAD = r"[^\w\n]*?(?:[:\-–—(_]|[^\w\s'’\"“”.,;!?|])"
"""What ends a label after a lead-in: a colon, dash or bracket, or a symbol (`⚠`); not a
stop (`Vote: members only.`), nor a table's pipe."""
FOR_MEMBERS = r"(?:(?:just|only|strictly)[ \t]+)?for[ \t]+(?:(?:the|party)[ \t]+)?members"
"""`For members`: a label with a colon or a dash after it, or as a heading's last words, not
before a comma (`For members, the social is free.`)."""
LINE_ONLY = (
    rf"(?:members[’'`]?|{FOR_MEMBERS}"
    rf"|not[ \t]+(?:yet[ \t]+)?(?:for|to[ \t]+be)(?:[ \t]+[\w'’]+){{1,3}})"
)
"""Labels only with a colon or a dash after them at a line's start, not as a heading's words
(`Members:`, `Not to be made public:`, `Not for the press –`; `## Not for profit bodies`)."""
STARTS = re.compile(
    rf"^(?:[^\w\n]|_)*(?:{NUMBER})?(?:{LABELS}{AFTER}(?:\b|(?=_))[^\w\n]*?(?:{ENDS}|$)"
    rf"|{STRICT}[^\w\n]*?[:–—-]|{LINE_ONLY}[^\w\n]*?(?:[:–—]|-(?!\w))"
    rf"|confidentially\b[^\w\n]*?[,:–—-]"
    rf"|{LEAD}(?:{LABELS}{AFTER}(?:\b|(?=_)){AFTER_LEAD}"
    rf"|{QUALIFIED}confidential\b[^\w\n]*?\.|{STRICT}[^\w\n]*?[:–—]))",
    re.I,
)
"""A line (or a value) that starts by saying it is withheld: `CONFIDENTIAL – …`,
`Confidential: …`, `*CONFIDENTIAL*: …`, `Members only (…)`, `Cyfrinachol – …`, `(Confidential)
…`, the label alone, also as a numbered item (`1. Confidential: …`) or after a short lead-in
(`Fine print: Members only (…)`, `Item 4 – Confidential: …`; not `Vote: members only.`)."""
HEADING = re.compile(
    rf"^[ \t]{{0,3}}#+[ \t]+(?:{QUALIFIED}confidential[ \t]+{NOUNS}\b"
    rf"|(?:.*[–—:(\[|/,·→»~…•-][ \t]*)?(?:{LABELS}{AFTER}|{STRICT}|{FOR_MEMBERS}|conf\.?)"
    r"(?:\b|(?<=\.))[)\]*_.]*(?![ \t]*[^\W_]))",
    re.I,
)
"""A heading labelled withheld (`## Disputes panel – confidential`, `## Panel (confidential)`,
`## Confidential`), not one about confidentiality (`## Review of the confidential reporting
policy`, `## Update: confidential reporting`, `## Keeping complaints confidential`)."""
CAPS = re.compile(
    rf"^[^\w\n]*(?:{NUMBER})?(?:{LEAD})?(?:(?:STRICTLY|HIGHLY|PRIVATE (?:AND|&)) )?(?:CONFIDENTIAL"
    r"|(?:NEC )?MEMBERS?[’']?S?[’']?[ -]ONLY|NOT FOR PUBLICATION|IN CONFIDENCE|EMBARGOED"
    r"|CYFRINACHOL|PRIVATE|(?:TOP )?SECRET|OFF THE RECORD|RESTRICTED|IN CAMERA)\b(?![’'])"
    r"(?![ \t]+(?!ITEM|MATTER|MINUTE|PAPER|NAMES)[A-Z]{2,}\b)"
)
"""A label in capitals starting a line, with nothing after it but the words it labels
(`CONFIDENTIAL The panel heard …`): the capitals say it is a label. Not a title in
capitals (`CONFIDENTIAL REPORTING LINE`)."""
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
SPACED = re.compile(r"\b(?:\w[ \t.-]){4,}\w\b")
"""Letters spaced out (`C O N F I D E N T I A L`, `C-O-N-F-I-D-E-N-T-I-A-L`)."""
RAW = re.compile(r"[*_~^\\&]")
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
    `nоt` with a Cyrillic о), letters spaced out joined."""
    line = nearmiss.skeleton(_bare(line))
    if NUMERAL.search(line):
        line = re.sub(r"\w*[^\W\d_]\w*", _lettered, line)
    if FUZZY.search(line):
        line = FUZZY.sub(_word, line)
    return SPACED.sub(lambda m: re.sub(r"[ \t.-]", "", m[0]), line)


def _word(found: re.Match[str]) -> str:
    """Return the label's word `FUZZY` found, as spelt."""
    return "confidential" if found[1] else f"member{found[3]}" if found[2] else "internal"


def _lettered(word: re.Match[str]) -> str:
    """Return a word with digits drawn like letters read as those letters."""
    return re.sub(r"1(?=y|[^a-z]|$)", "l", word[0]).translate(DIGITS).replace("1", "i")


def _bare(line: str) -> str:
    """Return a line as a reader shows it, case kept: entities decoded, no emphasis, escapes
    or characters that show nothing (`CAPS` reads capitals)."""
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
        and NUMERAL.search(line) is None
        and all(m[0].lower() in ("confidential", "members", "member", "internal")
                for m in FUZZY.finditer(line))
    )  # fmt: skip


PATTERNS = (SAYS, STARTS, HEADING)
"""What says a part is withheld in any case; and `CAPS`, in capitals, read with case kept."""
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
    keys = {body.count("\n", 0, m.start()) + 1: m[0] for m in KEY_IN_BODY.finditer(body)}
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
        found = next((m for p in (*PATTERNS, CAPS) if (m := p.search(line))), None)
        where = start + max(found.end() - 1 - shift, 0) if found else start + _indent(line, shift)
        if not found and not _plain_already(line):  # as a reader reads it
            read = _plain(line)
            found = next((m for p in PATTERNS if (m := p.search(read))), None)
            found = found or CAPS.search(read := _bare(line))
            if found and len(read) == len(line):  # the same column, as written
                where = start + max(found.end() - 1 - shift, 0)
        if number not in said_at and found and regions.level_at(where) == Audience.PUBLIC:
            said_at.add(number)
            yield number, f"{found[0].strip()[:40]!r} {UNMARKED}"
    for number, where, words in _wrapped(blanked):
        if number not in said_at and regions.level_at(where) == Audience.PUBLIC:
            said_at.add(number)
            yield number, f"{' '.join(words.split())[:40]!r} {UNMARKED}"


def _indent(line: str, shift: int) -> int:
    """Return the column of a line's first character that is not a space (as written)."""
    return max(len(line) - len(line.lstrip()) - shift, 0)


def _wrapped(blanked: str) -> Iterator[tuple[int, int, str]]:
    """Yield the words that say a part is withheld wrapped over lines, as written and as a
    reader reads them: each with its line, the body offset where it starts (as read: the
    same column of a line its reading leaves as long, else the line's start) and the words."""
    for found in SAYS.finditer(blanked):
        yield blanked.count("\n", 0, found.start()) + 1, found.start(), found[0]
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
        yield index + 1, starts[index] + (column if same else indent), found[0]


SENTENCE = re.compile(
    r"(?<=[.!?;)\]…。．﹒․‽؟;।•\"'”’»])([\s\u00ad\u034f\u180e\u200b-\u200f\u2060-\u2064\ufeff"
    r"\u3164]*)(?=[^\W\d_])"
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


def says_withheld(text: str, title: bool = False) -> str | None:
    """Return the words of a value that say it is withheld, if any; a `title` (a report's,
    a meeting's name) is read as a heading too (`Disputes Panel (members only)`)."""
    patterns = (*PATTERNS, CAPS) if title else (*PATTERNS[:2], CAPS)
    for pattern in patterns:
        if pattern is SAYS:  # anywhere, wrapped over lines too
            said = [text]
        else:  # at a line's start (a literal or folded value has several: round 22 review),
            said = [f"# {part}" if pattern is HEADING else part  # or a sentence's
                    for line in text.splitlines() for part in sentences(line)]  # fmt: skip
        for value in said:  # as written, then as a reader reads it (ASCII: the same)
            found = pattern.search(value)
            if found is None and not _plain_already(value):
                found = pattern.search(_bare(value) if pattern is CAPS else _plain(value))
            if found is not None:
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
