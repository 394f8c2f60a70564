"""Attributes spelled from withheld words: an identifier, a class, a value a reader is given.

An identifier is published where its element is (the page's source, a link to it, the votes
page, the feeds, the search index), and so are a class, an attribute's key, a value such as
`decision=` or `reason=` (shown in the placeholder), a link's title and its address. Written
from withheld words (`## Appeal of [Jo Smith]{.confidential} {#appeal-of-jo-smith}`, as the
advice to give a heading an id of its own invites; `decision="Smith's expulsion upheld"`; a
link around a withheld name to `…/jo-smith-suspended`), it publishes them: one or two words
are too few for the audit's runs to find (adversary helpers 105, 108).

What a reader never reads as text (an identifier, a class, a key) is compared with every
word of a withheld span or heading, a withheld element's id or title, and capitalised words
(names, mid-sentence) of other withheld text, of a higher audience than the element; what
the rep writes as text (a decision, a reason, a title, a link's address, the report's file
name and `id:`) with withheld spans' words only (`UNSEEN`). A word also in the report's text
for that audience (its front matter too, plurals alike) is not withheld (`{#budget}` where a
span withholds "budget" is fine). Words are compared whole and run together (`#jozqsmith`,
`zqsmith-2`, `zqsmiths`), without accents or characters that show nothing, from three letters,
numbers apart. A confidential report is not checked: it is never published.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from urllib.parse import unquote, urlsplit

from reportback.checking import nearmiss
from reportback.checking.regions import Regions
from reportback.model import Audience, Source
from reportback.pandoc import json_ast
from reportback.pandoc.json_ast import Node

ROUTING = frozenset({"clps", "regions"})
"""Keys whose values name CLPs and regions, not text shown (checked against the directory)."""
SHORTEST = 3
"""Shorter words (`jo`, `of`) are in too many words to be told apart."""
SQUEEZED_SHORTEST = 6
"""A withheld word is looked for inside a value's words run together from this length."""
OWN_NAMES = frozenset({"identifier #", "the title ", "title="})
"""What a withheld element is named by, withheld with it (not its decision: "Agreed by 16
votes to 6" is every decision's wording)."""
SENTENCE_END = re.compile(r"[.!?:]['’\")\]]*$")


def spelled(
    blocks: list[Node], regions: Regions, source: Source | None = None
) -> Iterator[tuple[int, str]]:
    """Yield the line and a message for each attribute written from words withheld from its
    element's audience; and for the report's file name and `id:` (in every address of it).
    A confidential report is never published: nothing is."""
    if source is not None and source.meta.confidential:
        return
    spans: dict[Audience, set[str]] = {}  # a withheld span's words
    capitals: dict[Audience, set[str]] = {}  # its words written with a capital
    named: dict[Audience, set[str]] = {}  # a withheld name: capitalised, mid-sentence
    headed: dict[Audience, set[str]] = {}  # a withheld heading's words, a withheld id
    shown: dict[Audience, list[str]] = {Audience.PUBLIC: _front(source)}
    attributed: list[tuple[Node, Audience]] = []

    def visit(node: Node, level: Audience) -> None:
        texts = list(_strings(node))
        shown.setdefault(level, []).extend(texts)
        if json_ast.mark(node) is not None and node["t"] == "Span":
            spans.setdefault(level, set()).update(_words(json_ast.stringify(node["c"][1])))
            capitals.setdefault(level, set()).update(
                w for text in json_ast.strings(node["c"][1]) if text[:1].isupper()
                for w in _words(text))  # fmt: skip
        elif json_ast.mark(node) is not None and node["t"] == "Header":
            headed.setdefault(level, set()).update(_words(json_ast.stringify(node["c"][2])))
        elif level > Audience.PUBLIC:
            named.setdefault(level, set()).update(_capitalised(texts))
        if json_ast.attr(node) is not None or node["t"] in ("Link", "Image"):
            attributed.append((node, level))
            if level > Audience.PUBLIC:  # a withheld element's id or title
                given = [v for what, v, _ in _given(node, level) if what in OWN_NAMES]
                headed.setdefault(level, set()).update(_words(" ".join(given)))

    json_ast.walk_levels(blocks, visit)
    public: dict[Audience, set[str]] = {}
    names = names_of(source) if source is not None else []
    report = [(what, value, Audience.PUBLIC) for what, value in names]
    for node, level in [*attributed, (None, Audience.PUBLIC)]:
        for what, value, at in _given(node, level) if node is not None else report:
            pools = ([spans, named, headed] if what in UNSEEN else
                     [capitals] if what == "the address " else [spans])  # fmt: skip
            higher = set().union(*(ws for pool in pools for lv, ws in pool.items() if lv > at))
            if not higher:
                continue
            if at not in public:  # the words an element of this audience is shown with
                public[at] = _with_plurals(_words(" ".join(t for lv, ts in shown.items()
                                                           if lv <= at for t in ts)))  # fmt: skip
            compared = _path(value) if what == "the address " else value
            if word := _spells(_words(compared), higher - public[at]):
                yield (
                    _line(regions, value, level),
                    f"{what}{value} is written from words withheld in this report "
                    f"({word!r}), and would publish them: write it from public words",
                )


def _path(address: str) -> str:
    """Return what a link's address says past its host (`labour.org.uk` names the party)."""
    parts = urlsplit(unquote(address))
    return " ".join((parts.path, parts.query, parts.fragment))


UNSEEN = frozenset({"identifier #", "class .", "attribute key "})
"""What a reader never reads as text (an id, a class, a key): compared with every withheld
word, names in withheld text and withheld headings' too. A decision, a reason, a title, an
address, a file name or `id:` is compared with withheld spans only: the rep writes them as
text, in the words of the meeting, which withheld text shares (adversary helper 110: "Legal
advice" beside "the Governance and Legal Unit", "Agreed unanimously" beside "…” Unanimously",
`2016-09-20-nec.md`); a link's address, past its host, with their capitalised words only
(names: a link to `…/labour-votes-rule-changes` beside "[by 22 votes to 8]")."""


def _front(source: Source | None) -> list[str]:
    """Return the front matter's published words: the report's title, meeting, summary,
    tags and corrections."""
    if source is None:
        return []
    meta = source.meta
    return [meta.title, meta.meeting, meta.summary or "", *meta.tags,
            *(c.note for c in meta.corrections)]  # fmt: skip


def _with_plurals(words: list[str]) -> set[str]:
    """Return words with each one's plural or singular too (public "councillors" holds
    "councillor")."""
    found = set(words)
    return found | {w + "s" for w in found} | {w[:-1] for w in found if w.endswith("s")}


def _line(regions: Regions, value: str, level: Audience) -> int:
    """Return the first line a value is written on where the text is of `level` or lower (a
    public id given again to withheld text is named where it is public); or, written with a
    reference (`&shy;`), its longest word's; 1 if none is."""
    for needle in [value, *sorted(value.split(), key=len, reverse=True)]:
        at = regions.body.find(needle)
        while at >= 0 and regions.level_at(at) > level:
            at = regions.body.find(needle, at + 1)
        if at >= 0:
            return regions.line_of(at)
    return 1


def names_of(source: Source) -> list[tuple[str, str]]:
    """Return a report's names, in its every address (a confidential one is never published):
    its file name and its `id:`."""
    meta = source.meta
    return [] if meta.confidential else [("the file name ", source.path.name),
                                         ("id: ", meta.id or "")]  # fmt: skip


def _given(node: Node, level: Audience) -> Iterator[tuple[str, str, Audience]]:
    """Yield what an element publishes besides its text: what it is, the value, and the
    audience it is shown to (a reason, where its withheld element is: to anyone)."""
    ident, classes, pairs = json_ast.attr(node) or ("", [], [])
    yield "identifier #", ident, level
    for name in classes:
        if name not in json_ast.MARKS:
            yield "class .", name, level
    for key, value in pairs:
        if key not in ROUTING:
            yield "attribute key ", key, level
            yield f"{key}=", value, Audience.PUBLIC if key == "reason" else level
    if node["t"] in ("Link", "Image"):
        address, title = node["c"][2]
        if node["t"] == "Link":  # an image's is not published: its file is renamed
            yield "the address ", address, level
        yield "the title ", title, level


def _spells(tokens: Iterable[str], held: set[str]) -> str:
    """Return a withheld word a value's words hold: whole, or inside them run together."""
    tokens = [t for t in tokens if t]
    for t in tokens:
        if len(t) >= SHORTEST and not t.isdigit() and t in held:
            return t
    together = "".join(tokens)
    return next((w for w in held if len(w) >= SQUEEZED_SHORTEST and w in together), "")


def _words(text: str) -> list[str]:
    """Return a text's words as compared here: folded as the audit folds them, without
    characters that show nothing (`zq&shy;smith`) or accents (`Siân` as `sian`)."""
    if not text.isascii():
        text = INVISIBLE.sub("", text)
    return [_bare(w) if not w.isascii() else w for w in json_ast.words(text)]


INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f"
                       "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]")  # fmt: skip
"""Characters that show nothing (and split no word for a reader)."""


def _bare(word: str) -> str:
    """Return a word without accents, its look-alike letters as the Latin ones they look
    like (`quіmby` with a Cyrillic і, `łukasz`, `søren`: adversary helper 111)."""
    return nearmiss.skeleton(word)


def _capitalised(texts: list[str]) -> set[str]:
    """Return the words of `texts` (one element's words, in order) written with a capital
    and not starting a sentence: names, mostly."""
    found: set[str] = set()
    for before, text in zip([".", *texts], texts, strict=False):
        if text[:1].isupper() and not SENTENCE_END.search(before):
            found.update(_words(text))
    return found


def _strings(node: Node) -> Iterator[str]:
    """Yield the words directly inside a node (the inlines of a paragraph, heading, span…)."""
    content = node.get("c")
    for part in content if isinstance(content, list) else ():
        for item in part if isinstance(part, list) else [part]:
            if isinstance(item, dict) and item.get("t") == "Str":
                yield item["c"]
