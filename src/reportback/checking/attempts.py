"""Text that looks like an attempt at a mark, a fence, a tag or a record left over after
parsing (`{.confidental}`, `:: members`, `<span class=confidential>`, `{vote= for}`): pandoc
reads it as text, and would publish what the rep meant to withhold, or lose the vote."""

from __future__ import annotations

import re
from collections.abc import Iterator

from reportback.checking import nearmiss
from reportback.pandoc import json_ast
from reportback.pandoc.json_ast import Node

COMMENT_OPEN = "<!--"
BRACE = re.compile(r"\{([^{}\n]*)(?:\}|$)", re.M)
BRACES = str.maketrans("｛﹛❴⦃｝﹜❵⦄", "{{{{}}}}")
"""Braces drawn like `{` and `}`: a mark written with them is an attempt, never read."""
BROKEN_BRACE = re.compile(r"\{([^{}]{0,200}\n[^{}]{0,200})\}")
BROKEN = re.compile(r"-?\n[ \t>]*")
"""A line break (after a hyphen, before a quote's marker): `{.confi-⏎dential}`."""


def attempted_mark(text: str) -> str | None:
    """Return the first `{…}` in `text` that looks like an attempt at a withholding mark.

    That is a brace (or one drawn like it) holding a class, id or key that is, or is close
    to, `confidential` or `members`, or a kramdown/MkDocs attribute list `{: …}`, closed or
    not; a closed one over lines is read with the words its line breaks cut joined.
    """
    text = text.translate(BRACES)
    braces = [(m[0], m[1]) for m in BRACE.finditer(text)]
    if "\n" in text:
        braces += [(m[0], BROKEN.sub("", m[1])) for m in BROKEN_BRACE.finditer(text)]
    for brace, inner in braces:
        if inner.lstrip().startswith(":"):
            return brace
        names = [
            part.strip("\"'")
            for token in re.split(r"[\s,;]+", inner)
            for part in token.lstrip(".#:").split("=", 1)  # a key, and a value (class=members)
        ]
        if nearmiss.any_near(names):
            return brace.split("\n")[0]
    for fence in FENCE_LIKE.finditer(text):  # `:: members`, `：：： members`, `-- members`
        if nearmiss.is_near_mark(fence[2] or fence[3]):  # as written: `--`, not `–`
            return fence[1].replace("—", "---").replace("–", "--")
    for dotted in DOTTED.finditer(text):  # `.confidential` in other brackets (︷…︸, ⎧…⎫)
        if nearmiss.is_near_mark(dotted[1]) or nearmiss.is_near_mark(dotted[1] + (dotted[2] or "")):
            return dotted[0]
    return None


def attempted_record(text: str) -> str | None:
    """Return the first `{…}` in `text` holding `decision=` or `vote=` (or a near miss of
    either): pandoc did not attach it (`## Item {vote= for}`), so its words would be published
    and no vote recorded (adversary helper 104)."""
    for brace in BRACE.finditer(text.translate(BRACES)):
        keys = [token.lstrip(".#:").split("=", 1)[0].strip("\"'")
                for token in re.split(r"[\s,;]+", re.sub(r"\s*=\s*", "=", brace[1]))
                if "=" in token]  # fmt: skip
        if any(k in ("decision", "vote") or nearmiss.is_near_record_key(k) for k in keys):
            return brace[0]
    return None


FENCE_LIKE = re.compile(
    r"(?:^|\n)[ \t>]*((?:[:：﹕∶꞉˸︰;；¦-]{2,}|[⁝⋮]+)[ \t]*\{?[ \t]*\.?[ \t]*([^\W\d_][\w-]*)"
    r"|[–—][ \t]*\{?[ \t]*\.?[ \t]*([^\W\d_][\w-]*)[ \t]*\}?[ \t]*(?=\n|$))"
)
"""A line that starts like a fence, with fewer colons or ones drawn like them, and a mark's
word (`:: members`, `::members`, `：：： members`; `-- members` alone on its line, which
smart punctuation makes `– members`): pandoc reads it as text, and
published what it was meant to withhold (adversary helper 77)."""
DOTTED = re.compile(r"(?<=[^\w\s.`'\"])\.\s*([^\W\d_][\w-]*)(?:\s+([^\W\d_][\w-]*))?")
"""A class written as one is (`.confidential`) right after a bracket of any kind (`︷`, `⎧`);
prose or code that names the mark (`marked .confidential`) is no attempt, and `#members` is
a hashtag, or a link to a heading, as often as not."""


TAG = re.compile(r"<[A-Za-z][^<>]*>?")


def marked_as_written(text: str) -> str | None:
    """Return what in `text` that is published as written (front matter, the meetings
    register, an attribute's value) looks like a mark, a fence, a comment or a tag with a
    mark's word (`<span class=confidential>`): the rep may think it withholds."""
    found = attempted_mark(text)
    if found is not None:
        return found
    for token in (":::", COMMENT_OPEN):
        if token in text:
            return token
    return marked_tag(text)


def marked_tag(text: str) -> str | None:
    """Return a tag written in `text` with a mark's word in it (`<span class=confidential>`,
    in text: `&lt;span …` or `<span &#99;lass=…>`, which pandoc leaves as text)."""
    for tag in TAG.finditer(text):
        if any(nearmiss.is_near_mark(w) for w in re.split(r"[\s=\"'/<>]+", tag[0]) if w):
            return tag[0]
    return None


EMPTY_MARKED = re.compile(
    r"\[(?:\s|\\\s|&#?\w+;|<!--.*?-->|[*_~`]|\[\]\{[^{}]*\})*\]\{[^{}]*?\.(?:confidential|members)\b"
    r"|^[ \t>]*:{3,}[ \t]*\{?[ \t]*\.?(?:confidential|members)\b[^\n]*\n"
    r"(?:[ \t>]*(?:<!--.*?-->|&#?\w+;|[\\*_#+-]|\d+[.)])*[ \t]*\n)*[ \t>]*:{3,}[ \t]*$",
    re.M | re.S,
)
"""A marked span or fenced div as written with nothing inside: its brackets or fences."""
EMPTY = (
    "this marked {} is empty: it withholds nothing, and what it was meant to withhold may "
    "follow it, published (a fence closed at once, `[ ]` marked); put the words inside it, or "
    "take the mark out"
)
UNSEEN = " \u00a0\u00ad\u034f\u180e\u200b\u200c\u200d\u2060\ufeff\t\n"


def withholds_nothing(node: Node) -> bool:
    """Whether a marked span or div holds nothing to withhold: only spaces, breaks and
    comments (`- [ ]{.members} Jo's task`, a `::: confidential` fence closed at once): what the
    rep meant to withhold is then written after it, and published (adversary helper 114).
    What pandoc reads into no element (a link's definition) is compared as written
    (`empty_at`)."""
    return all(_blank(child) for child in node["c"][1])


HOLDERS = frozenset({"Plain", "Para", "BlockQuote", "Emph", "Strong", "Strikeout", "Underline",
                     "SmallCaps", "Superscript", "Subscript"})  # fmt: skip
"""Elements that are their list of children (an empty `[[]{.smallcaps}]{.members}` too)."""


def _blank(node: Node) -> bool:
    """Whether a node shows nothing a reader could be withheld from: no letter, no code, no
    picture (`***`, an empty list, quote, heading, span or code too: adversary helper 120)."""
    kind, content = node["t"], node.get("c", [])
    if kind == "Str":
        return not str(content).strip(UNSEEN).strip()
    if kind in ("Code", "CodeBlock"):
        return not str(content[1]).strip(UNSEEN).strip()
    if kind in ("RawInline", "RawBlock"):
        return json_ast.is_comment(node)
    if kind in HOLDERS:
        return all(_blank(child) for child in content)
    if kind in ("Span", "Div", "Header"):
        return all(_blank(child) for child in content[-1])
    if kind in ("BulletList", "OrderedList"):  # an ordered one's items come after its style
        items = content if kind == "BulletList" else content[1]
        return all(_blank(block) for item in items for block in item)
    return kind in ("Space", "SoftBreak", "LineBreak", "HorizontalRule")


def empty_at(body: str, taken: set[int]) -> int:
    """Return the body line of the first empty marked span or div written in `body` whose
    line is not `taken` (0 if none)."""
    lines = (body.count("\n", 0, m.start()) + 1 for m in EMPTY_MARKED.finditer(body))
    return next((n for n in lines if n not in taken), 0)


BOUNDS = frozenset({"begin", "end", "start", "stop", "only", "section", "block", "item"})
FILLER = frozenset(
    {
        "the", "following", "is", "are", "this", "that", "these", "until", "further", "notice",
        "from", "here", "below", "above", "for", "in", "not", "do", "to", "be", "kept", "keep",
        "strictly", "x", "all", "text", "part",
    }
)  # fmt: skip
"""Words around a mark's word in a comment meant as the start or end of withheld text
(`<!-- the following is CONFIDENTIAL until further notice -->`): a comment with a mark's
word and only these besides is refused."""


def comment_as_mark(text: str) -> bool:
    """Whether a comment reads as the start or end of withheld text: a mark's word, near
    enough, and only `FILLER` besides."""
    words = [w for w in nearmiss.name_words(text) if w not in BOUNDS]
    return any(nearmiss.is_near_mark(w) for w in words) and all(
        w in FILLER or nearmiss.is_near_name(w, "class") for w in words
    )


RAW_FENCED = re.compile(
    r"^[ \t>]*(?P<fence>`{3,}|~{3,})[ \t]*\{[ \t]*=[^}\n]*\}[ \t]*\n(?P<text>.*?)^[ \t>]*(?P=fence)"
    r"|(?P<ticks>`+)(?P<code>(?:(?!(?P=ticks)).)+?)(?P=ticks)\{[ \t]*=",
    re.M | re.S,
)
"""A raw block or inline raw text as written: ```` ```{=html} ````…```` ``` ````, `` `…`{=html} ``
(its text, to compare with a comment's)."""


def raw_comment_at(body: str, comment: str) -> int:
    """Return the body line of a raw block or inline raw text written around `comment` (a
    comment pandoc read; 0 if it was written alone): the contract refuses a raw block
    whatever it holds (adversary helper 114)."""
    for found in RAW_FENCED.finditer(body):
        inside = found["text"] if found["fence"] else found["code"]
        if " ".join(inside.replace(">", " ").split()) == " ".join(
            comment.replace(">", " ").split()
        ):
            return body.count("\n", 0, found.start()) + 1
    return 0


LIST_LIKE = re.compile(
    r"[ ]{0,3}(?P<marker>\(?(?:\d{1,9}|[A-Za-z]|[IVXLCDMivxlcdm]{1,6})(?P<end>[.)]))[ \t]+\S"
)
"""A line that starts like an ordered list's item (`5.`, `2026.`, `b)`, `(a)`, `iv.`)."""
EXAMPLE = re.compile(r"[ ]{0,3}\(@[\w-]*\)[ \t]+\S")
"""An example list's item (`(@)`, `(@good)`): a list for pandoc's Markdown reader only."""
STARTS_BLOCK = re.compile(r"\s*(?:$|[-*+>#|:`~<]|\d{1,9}[.)]\s|\(?[A-Za-z][.)]\s)")


def list_like(lines: list[str]) -> Iterator[tuple[int, str]]:
    """Yield each line that starts an example list's item (adversary helper 143: `(@)` was
    refused with advice about `2026.`), and each line of a paragraph, after its first, that
    starts like an ordered list's item other than `1.`: a list for one of pandoc's readers,
    text for the other (adversary helper 117: "We lost by 9 votes to⏎5. The matter will come
    back", named at the paragraph's first line and the next heading as the blocks read
    apart)."""
    for number, line in enumerate(lines, start=1):
        if EXAMPLE.match(line):
            yield (
                number,
                f"{line.strip()[:40]!r} is an item of an example list ((@)), which only one "
                "of pandoc's two readers reads as a list, so they would disagree about what is "
                "withheld: number the list as an ordinary one (1., 2., …)",
            )
    for number, line in enumerate(lines[1:], start=2):
        found = LIST_LIKE.match(line)
        if not found or found["marker"] in ("1.", "1)") or STARTS_BLOCK.match(lines[number - 2]):
            continue
        marker, end = found["marker"], found["end"]
        yield (
            number,
            (
                f"{line.strip()[:40]!r} starts like a list's item ({marker}) on a line of a "
                "paragraph, which pandoc's two readers read apart (a list for one, text for the "
                "other), so they would disagree about what is withheld: for text, write "
                f"{marker[:-1]}\\{end} or join it to the line before; for a list, put a blank line "
                "before it"
            ),
        )
