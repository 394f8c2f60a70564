"""What a report may write that a reader is shown: allowed raw HTML from a list of tags and
attributes, no `style=` anywhere, and none of the site's own classes.

Anything else could publish words a reader is never shown (in the page's source, the feeds,
the search index), or words the rep meant to withhold: pandoc reads a raw tag as HTML, never
as a mark. Each problem is a message and the words to find its line by.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

from reportback.checking import nearmiss
from reportback.pandoc import json_ast

HTML_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup",
        "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1",
        "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "kbd", "li", "mark", "ol", "p", "pre",
        "q", "s", "samp", "section", "small", "span", "strong", "sub", "summary", "sup",
        "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "wbr",
        "article", "aside", "header", "footer", "address", "bdi", "bdo", "ruby", "rt",
    }
)  # fmt: skip
"""The tags a report may write as raw HTML: each shows its text where it stands (images go
through Markdown, to be re-encoded)."""
HTML_ATTRIBUTES = frozenset(
    {
        "class", "id", "href", "title", "lang", "dir", "colspan", "rowspan", "scope",
        "headers", "open", "datetime", "start", "reversed", "type", "value",
    }
)  # fmt: skip
"""The attributes raw HTML may carry, besides `data-…` (as in `{…}`, where pandoc writes any
key it does not know as one: an ordinary attribute, if not a near miss of a mark)."""
SITE_CLASSES = frozenset(
    {
        "archive", "body", "clps", "colophon", "corrections", "draft", "draft-banner",
        "error", "feed-links", "filter", "lead", "masthead", "meta", "pdf", "reports",
        "search-results", "site-search", "site-title", "skip", "small",
        "status-not-reported", "subscribe", "tags", "visually-hidden", "withheld",
    }
)  # fmt: skip
"""The classes the default stylesheet (templates/style.css) styles: it hides or moves some
(`skip`, `visually-hidden`), and `withheld` draws a redaction's placeholder."""
CLASSES = frozenset({"unnumbered", "smallcaps", "underline", "mark", "anchor"})
"""The classes a heading, div or span may have besides a mark: pandoc's own (`.anchor`: the
bookmarks its Word reader writes, `[]{#_Toc123 .anchor}`: adversary helper 133). Any other means
nothing to reportback, and might be a mark in other words (adversary helper 129:
`{.confidentialblock}`, `{.membersitem}`, `{.geheim}`, `{.hush}` were published)."""
UNKNOWN_CLASS = (
    "class .{cls} on a heading, div or span means nothing to reportback, which refuses it so "
    "that no mark written another way is published (only {{.confidential}} and {{.members}} "
    "withhold); remove the class"
)
HEADINGS_ONLY = frozenset({"unnumbered"})
"""Pandoc's classes that mean something on a heading alone (`{-}`); `.unlisted`, which keeps
a heading out of a table of contents, means nothing here (the site makes none), and reads
as hidden (adversary helper 132)."""


def means_nothing(cls: str, kind: str) -> bool:
    """Whether a class (not a mark) means nothing on an element of `kind`: on a heading, div
    or span, any but pandoc's own (`CLASSES`); `.unnumbered` (`{-}`) anywhere but on a
    heading; `.unlisted` anywhere, where it reads as hidden (adversary helper 132)."""
    markable = kind in json_ast.MARKABLE
    elsewhere = cls in HEADINGS_ONLY and kind != "Header"
    return (markable and cls not in CLASSES) or elsewhere or cls == "unlisted"


FLAGS = frozenset({"true", "false", "yes", "no", "on", "off", "none", "hidden"})
"""Values that make a key a switch: one reportback does not know, on any element, may be
meant to withhold it (`{public=false}` on a link or an image: adversary helper 132)."""
KEYS = frozenset({"reason", "clps", "regions", "decision", "vote", "lang", "dir", "title", "width",
                  "height", "custom-style"})  # fmt: skip
"""The keys a heading, div or span may have (others are refused as UNKNOWN_KEY); pandoc's
Word reader writes `custom-style` (adversary helper 133)."""
UNKNOWN_KEY = (
    "attribute {key}= means nothing to reportback here, which refuses it so that nothing is "
    "published that it was meant to withhold (only {{.confidential}} and {{.members}} "
    "withhold); remove it"
)
STYLE = (
    "style= is not allowed: a style can hide words from view (display: none, opacity: 0 …) "
    "that are still published; withhold them with {.confidential} or {.members}, and style "
    "the site in templates/style.css"
)
UNSHOWN = re.compile(r"<[!?]|</(?![A-Za-z])|</[A-Za-z][^\s/>]*(?=[\s/])[^>]*[^\s/>][^>]*>")
"""What a browser reads as a comment, once real comments are gone (`<?…>`, `<!…>`, `</ …>`),
or drops unread: whatever an end tag holds after its name (`</em title="…">`; Python's
parser drops it too, so it is found here)."""
STEERS_SEARCH = (
    "attribute {key}= steers the site's search index (Pagefind: what it indexes, and the "
    "titles it shows), which the build makes from what is shown; a report may not use it"
)
NATIVE_START = re.compile(r"<(?:span|div)(?=[\s/>])[^>]*>", re.I)
SCRIPT = "attribute {key}= is an event handler, a script run in the reader's browser; remove it"
NATIVE_END = re.compile(r"</(?:span|div)(?=[\s/])[^>]*[^\s/>][^>]*>", re.I)
"""An end tag of a `<span>` or `<div>` holding more than its name: pandoc reads these two as
its own spans and divs even where raw HTML is not allowed, and drops the rest unread."""
SHOWN_NOWHERE = (
    "its words would be published but not shown; write what is public as Markdown, and "
    "withhold the rest with {.confidential} or {.members}"
)

Problem = tuple[str, tuple[str, ...]]
"""A message, and the words to find its line by."""


def raw_html(text: str) -> Iterator[Problem]:
    """Yield what allowed raw HTML may not hold: a tag or attribute not on the lists, a mark
    or a near miss of one, a site class, a style, or what a browser reads as a comment."""
    unshown = UNSHOWN.search(json_ast.COMMENTS.sub(" ", text))
    if unshown is not None:
        written = unshown[0].split("\n")[0][:40]
        yield f"{written!r} in raw HTML is not allowed: {SHOWN_NOWHERE}", (written,)
    for tag, attrs in tags(text):
        if tag not in HTML_TAGS:
            message = f"raw HTML <{tag}> is not allowed: {_listed('tags', HTML_TAGS)}"
            yield message, (f"<{tag}", f"</{tag}")
        for key, value in attrs:
            yield from _html_attribute(tag, key, value or "")


def steers_search(key: str) -> bool:
    """Whether a key is Pagefind's (`data-pagefind-…`; pandoc writes `pagefind-…` as one)."""
    return key.casefold().removeprefix("data-").startswith("pagefind")


def given_twice(names: list[str]) -> list[str]:
    """Return the names given more than once, each once, in order."""
    return list(dict.fromkeys(name for name in names if names.count(name) > 1))


def native_tags(text: str) -> Iterator[Problem]:
    """Yield what pandoc would drop or publish unshown from a `<span …>` or `<div …>` it reads
    as its own (raw HTML allowed or not) in a body (its comments taken out): words after an
    end tag's name, or an attribute given twice (pandoc keeps the first: `class="x"
    class="members"` withheld nothing)."""
    for end in NATIVE_END.finditer(text):
        written = end[0].split("\n")[0][:40]
        yield (
            f"{written!r}: an end tag holds only its name; pandoc drops the rest, and its "
            "words would be published nowhere",
            (written,),
        )
    for start in NATIVE_START.finditer(text):
        for tag, attrs in tags(start[0]):
            for key in given_twice([key for key, _ in attrs]):
                yield (f"attribute {key}= is given more than once on <{tag}>; pandoc keeps "
                       "only the first, and drops the rest unread"), (f"<{tag}",)  # fmt: skip


TEX = re.compile(
    r"\\begin\b\W{0,3}\S{0,40}"
    r"|\\(?:if(?!f(?![A-Za-z]))[a-z]*|else|fi|(?:re|provide)?newcommand|def|let|[hv]space"
    r"|m?kern|mspace|[hm]skip|color|textcolor|label|tag)(?![A-Za-z])"
    r"|\\[hv]?phantom\s*\{\s*[^}\s]"
    r"|\\(?:math[a-z]+|text[a-z]*|operatorname|boldsymbol)\s*\{\s*\}"
    r"|\\[A-Za-z]+\*?\s*(?:\[[^\]\n]*\]\s*)?(?:\{(?:[^{}\n]|\{[^{}\n]*\})*\}\s*)*"
    r"\{(?:\s|\{\s*\}|\\left\.|\\right\.)*\}"
    r"|\\(?:sqrt|[dt]?frac|binom|overline|underline|math[a-z]+|text[a-z]*)\s*(?=\$|\\[)\]]|$)"
)
"""TeX that hides or drops words: an environment (`\\begin{…}`, which pandoc drops in a
table cell or a line block), a condition or a macro (`\\iffalse … \\fi`: pandoc's reader
drops what it holds, even in math), a phantom or a space of -100em, a `\\label` or `\\tag`
(pandoc's writers drop them and what they hold); or that Typst cannot set
(`\\mathrm{}`; a command with an argument left empty, `\\frac{1}{}`, `\\sqrt{}`, which
stopped the build after `check` passed: adversary helper 75)."""


def tex(text: str) -> Iterator[Problem]:
    """Yield each piece of TeX in a body (its comments taken out; code included) that hides,
    drops or breaks words."""
    for found in TEX.finditer(text):
        yield (
            f"TeX ({found[0][:40]!r}) is not allowed here: pandoc or Typst would drop or hide "
            "what it holds, or stop on it; write Markdown (and plain math)",
            (found[0][:40],),
        )


def is_script(key: str) -> bool:
    """Whether a key is an event handler (`onclick`): pandoc writes it as it is, a script."""
    return re.fullmatch(r"on[a-z]+", key.casefold()) is not None


def _html_attribute(tag: str, key: str, value: str) -> Iterator[Problem]:
    names = value.split() if key == "class" else [value] if key == "id" else []
    for name in names:
        kind = "class" if key == "class" else "identifier"
        if name in json_ast.MARKS or nearmiss.is_near_name(name, kind):
            yield _in_html(f'{key}="{name}"', tag), (name, f"<{tag}")
        elif key == "class" and name in SITE_CLASSES:
            yield site_class(name), (name, f"<{tag}")
    if key == "style":
        yield STYLE, ("style",)
    elif steers_search(key):
        yield STEERS_SEARCH.format(key=key), (key, f"<{tag}")
    elif key not in ("class", "id") and nearmiss.is_near_pair(key, value):
        yield _in_html(key, tag), (key, f"<{tag}")
    elif key not in HTML_ATTRIBUTES and not key.startswith("data-"):
        message = f"attribute {key}= on raw HTML <{tag}> is not allowed: "
        yield message + _listed("attributes", HTML_ATTRIBUTES), (key, f"<{tag}")


def site_class(name: str) -> str:
    return (
        f"class .{name} is one of the site's own (templates/style.css), which may hide, move "
        "or restyle what it holds; a report may not use it"
    )


def _listed(what: str, allowed: frozenset[str]) -> str:
    return f"a report may use only these {what}: {', '.join(sorted(allowed))}"


def _in_html(what: str, tag: str) -> str:
    return (
        f"{what} on raw HTML <{tag}> withholds nothing: the tag's text would be published "
        "(hidden from view at most); mark a heading, a ::: fenced div or a [span] "
        "{.confidential} or {.members} instead"
    )


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        self.found.append((tag, []))


def tags(text: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Return the tags in a piece of HTML, start and end, with their attributes (names in
    lower case, values with character references read, as a browser reads them)."""
    parser = _Tags()
    parser.feed(text)
    parser.close()
    return parser.found


COMMENTED = re.compile(r"<!--(.*?)(?:-->|\Z)", re.S)
"""A comment's words (one scan: never again from each `<!--` of a long run of them)."""


def comment_shown(node: json_ast.Node) -> tuple[str, str] | None:
    """Return what holds an HTML comment with words that a reader is shown as written (code
    or math: pandoc drops comments everywhere else), and the comment's first line."""
    if node["t"] not in ("Code", "CodeBlock", "Math"):
        return None
    for found in COMMENTED.finditer(node["c"][1]):
        if re.search(r"\w", found[1]):
            return "math" if node["t"] == "Math" else "code", found[0].split("\n")[0]
    return None
