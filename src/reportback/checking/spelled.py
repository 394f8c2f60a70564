"""Attributes spelled from withheld words: an identifier, a class, a value a reader is given.

An identifier is published where its element is (the page's source, a link to it, the votes
page, the feeds, the search index), and so are a class, an attribute's key, a value such as
`decision=` or `reason=` (shown in the placeholder), a link's title and its address. Written
from withheld words (`## Appeal of [Jo Smith]{.confidential} {#appeal-of-jo-smith}`, as the
advice to give a heading an id of its own invites; `decision="Smith's expulsion upheld"`; a
link around a withheld name to `…/jo-smith-suspended`), it publishes them: one or two words
are too few for the audit's runs to find (adversary helpers 105, 108).

Only names are compared: words written with a capital in a withheld span, or in other
withheld text (a heading, emphasis, brackets too) mid-sentence or first in a list item or a
table cell, an email address's words (and a withheld heading's first word in an id, a
decision, a title, a picture's description, the file name or `id:`: `ADDRESSING`), and never
in lower case in text of the audience the value is shown to (`jo.canaryfield@…` in withheld
text is the name still: adversary helper 159); a word also in the report's text for the
element's audience (its front matter and the CLPs it concerns too, plurals alike) is public.
An id, a class or a key (never read as text) is compared with those and a withheld element's
own id or title; a decision, a title, a picture's description (shown only in a figure, as
its caption: one in a line of text was published unseen, helper 145), a link's address (but
a plain host), a raw HTML attribute, the file name or `id:` with those names; a reason (in
the meeting's words) with withheld spans' names only, and with its own element's (helpers
110 and 112 found ~40 kinds of honest wording refused by wider versions). Words are compared
whole and run together (`#jozqsmith`, `zqsmith-2`, `zqsmiths`), without accents, invisible
characters or look-alike letters, from three letters, numbers apart. A confidential report is
not checked: it is never published. `across.py` compares what a report publishes unread with
names other reports withhold (a confidential one's too: 159, 160)."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from reportback.checking import nearmiss, read_labels, visible
from reportback.checking.regions import Regions
from reportback.model import Audience, Source
from reportback.pandoc import json_ast
from reportback.pandoc.json_ast import BLOCKS, Node

ROUTING = frozenset({"clps", "regions"})
"""Keys whose values name CLPs and regions, not text shown (checked against the directory)."""
OWN_KEYS = frozenset({"clps", "regions", "reason", "decision", "vote"})
"""reportback's own keys: read, never published as keys."""
SHORTEST = 3
"""Shorter words (`jo`, `of`) are in too many words to be told apart."""
SQUEEZED_SHORTEST = 6
"""A withheld word is looked for inside a value's words run together from this length."""
OWN_NAMES = frozenset({"identifier #", "the title ", "title="})
"""What a withheld element is named by, withheld with it (not its decision: "Agreed by 16
votes to 6" is every decision's wording)."""
STARTS = BLOCKS - {"Plain", "DefinitionList"}  # an item's, a cell's, a term's first word
SENTENCE_END = re.compile(r"[.!?:…]['’\")\]”»]*$")
Found = tuple[int, str]


class Spelling(NamedTuple):
    found: list[Found]
    """Each attribute (the file name, `id:` too) written from words withheld from it."""
    naming: Naming  # the report's names, for the check `across` reports
    warnings: list[Found]  # each name a withheld span holds that public text writes (162)


def spelled(blocks: list[Node], regions: Regions, source: Source) -> Spelling:
    """Read a report's attributes, names and addresses (`Spelling`). A confidential report is
    never published: nothing of it is refused or warned of here."""
    confidential = source.meta.confidential  # all of it withheld: its names, for `across`
    spanned: dict[Audience, set[str]] = {}  # a withheld span's words with a capital
    named: dict[Audience, set[str]] = {}  # a name in other withheld text: mid-sentence
    owned: dict[Audience, set[str]] = {}  # a withheld element's own id or title
    items: dict[Audience, set[str]] = {}  # a withheld heading's first word: an item's name
    lower: dict[Audience, set[str]] = {}  # words written in lower case: no name, to those
    # who read them (an email address in withheld text is a name still: adversary helper 159)
    shown: dict[Audience, list[str]] = {Audience.PUBLIC: _front(source)}  # no tag: an address
    attributed: list[tuple[Node, Audience]] = []
    reasons: set[str] = set()
    described = {id(n) for image in json_ast.walk(blocks) if image["t"] == "Image"
                 for n in json_ast.walk(image["c"][1])}  # fmt: skip

    def visit(node: Node, level: Audience) -> None:
        texts = list(_strings(node))
        if node["t"] == "Link" and _autolink(node):  # its words are its address
            texts = []
        if node["t"] == "Image" or id(node) in described:  # a picture's description, in any
            texts = []  # emphasis (helper 149): shown, in a figure, as its caption
        shown.setdefault(level, []).extend(texts)
        lower.setdefault(level, set()).update(
            w for text in texts if text[:1].islower() for w in compared_words(text))  # fmt: skip
        own = json_ast.mark(node) is not None
        if own and node["t"] == "Span":  # a marked span's words written with a capital
            spanned.setdefault(level, set()).update(
                w for text in json_ast.strings(node["c"][1]) if text[:1].isupper()
                for w in compared_words(text))  # fmt: skip
        elif node["t"] == "Header" and level > Audience.PUBLIC:  # as other text; its first
            heading = json_ast.strings(node["c"][2])  # word, the item's name, for some
            named.setdefault(level, set()).update(_capitalised(heading))
            items.setdefault(level, set()).update(_capitalised(heading[:1], starts=False))
        elif level > Audience.PUBLIC:  # inside an inline element, no sentence starts
            named.setdefault(level, set()).update(_capitalised(texts, node["t"] in STARTS))
        if level > Audience.PUBLIC:  # an email address names its owner (helper 160)
            named.setdefault(level, set()).update(
                w for text in texts for m in EMAIL.finditer(text) for w in compared_words(m[1])
            )
        if json_ast.attr(node) is not None or node["t"] in ("Link", "Image") or _html(node):
            attributed.append((node, level))
            if level > Audience.PUBLIC:
                given = [v for what, v, _ in _given(node, level) if what in OWN_NAMES]
                owned.setdefault(level, set()).update(compared_words(" ".join(given)))
        for key in ROUTING:  # the CLPs and regions an item concerns are public
            if concerned := json_ast.attr_value(node, key):
                shown[Audience.PUBLIC].append(concerned)
        if reason := json_ast.attr_value(node, "reason"):  # public (its placeholder's), but
            reasons.update(compared_words(reason))  # to a reason itself: each is checked

    json_ast.walk_levels(blocks, visit, Audience.CONFIDENTIAL if confidential else Audience.PUBLIC)
    given: list[tuple[Node | None, str, str, Audience, Audience]] = [
        (node, what, value, at, level)
        for node, level in attributed
        for what, value, at in _given(node, level)
    ]
    for what, value in (("the file name ", source.path.name), ("id: ", source.meta.id or "")):
        given.append((None, what, value, Audience.PUBLIC, Audience.PUBLIC))  # at line 1 (148)
    public: dict[Audience, set[str]] = {}
    found: list[Found] = []
    for node, what, value, at, level in given:
        pools = ([spanned, named, owned] if what in UNSEEN else
                 [spanned] if what in NAMING else [spanned, named])  # fmt: skip
        pools += [items] if what in ADDRESSING else []
        higher = set().union(*(ws for pool in pools for lv, ws in pool.items() if lv > at))
        if what == "reason=" and node is not None:  # and the names its element withholds
            higher |= _capitalised(json_ast.strings(node["c"][2 if node["t"] == "Header" else 1]))
        higher -= set().union(*(ws for lv, ws in lower.items() if lv <= at))
        if not higher:
            continue
        if at not in public:  # the words an element of this audience is shown with
            public[at] = _shown_to(shown, at)
        shown_here = public[at] | (reasons if what != "reason=" else set())
        if word := _spells(compared_words(_compared(what, value)), higher - shown_here):
            found.append((
                2 - source.body_line if node is None else _line(regions, value, level),
                f"{what}{value} is written from words withheld in this report ({word!r}), and "
                "would publish them: write it from public words",
            ))  # fmt: skip
    shown_to_all = set() if confidential else public.get(Audience.PUBLIC) or _shown_to(shown)
    held = (spanned, named, items)  # an item's name too (`## Smith appeal`: helper 164)
    names = set().union(*(ws for pool in held for lv, ws in pool.items() if lv > 0))
    names -= shown_to_all | set().union(*(ws for lv, ws in lower.items() if lv == 0))
    unseen = tuple((1 if node is None else source.body_line + _line(regions, v, lv) - 1,
                    what, _compared(what, v))
                   for node, what, v, at, lv in given
                   if at == Audience.PUBLIC and v and what in ACROSS)  # fmt: skip
    unseen += tuple((1, "the tag ", tag) for tag in source.meta.tags)  # read by `across` only,
    # against every report's withheld words (adversary helpers 164, 170, 173)
    front = " ".join(_front(source)).split()  # written with a capital: its words (not a tag's:
    capitals = [t for t in [*shown.get(Audience.PUBLIC, []), *front] if t[:1].isupper()]  # 170)
    named_here = _with_plurals(compared_words(" ".join([*capitals, *source.meta.clps])))
    public_words = (set() if confidential else shown_to_all) | reasons
    written = compared_words(" ".join(t for lv, ts in shown.items() if lv > 0 for t in ts))
    held_only, public_only = _named(set(written) - public_words), _named(public_words)
    naming = Naming(_kept(_named(names)), _kept(named_here), () if confidential else unseen,
                    _kept(held_only), _kept(public_only))  # fmt: skip
    if confidential:
        return Spelling([], naming, [])
    spans = set().union(*(ws for lv, ws in spanned.items() if lv > 0)) & shown_to_all
    spans = {w for w in spans - lower.get(Audience.PUBLIC, set()) - CALENDAR if len(w) > 3}
    return Spelling(found, naming, list(_also_shown(regions, _named(spans), source.body_line)))


def _also_shown(regions: Regions, names: frozenset[str], first: int) -> Iterator[Found]:
    """Yield a warning at the public line that writes a name a withheld span holds (`[Jo
    Canaryfield]{.confidential}` … `Ms Canaryfield argued`): one or two words are too few for
    the audit's runs, which warn of three or more (honest user helper 162)."""
    for name in sorted(names):
        written = re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", regions.body, re.I)
        found = [(regions.level_at(m.start()), m.start()) for m in written]
        public = next((at for level, at in found if level == Audience.PUBLIC), None)
        held = next((at for level, at in found if level > Audience.PUBLIC), None)
        if public is not None and held is not None:
            yield (
                regions.line_of(public),
                f"warning: {name!r}, withheld at line {first + regions.line_of(held) - 1}, is also "
                "written in public text here; the leak audit cannot search for it",
            )


CALENDAR = frozenset(n.lower() for n in [*calendar.month_name[1:], *calendar.day_name])
"""Words with a capital that name no one (as `The` does, at a span's start: too short)."""
ACROSS = frozenset({"the file name ", "id: ", "identifier #", "decision=", "the title ",
                    "the address "})  # fmt: skip
"""What a report publishes unread, or as a name, compared with names others withhold."""
EMAIL = re.compile(r"([\w.+-]+)@[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True)
class Naming:
    """A report's names withheld from the public and public nowhere in it (all of a
    confidential report's); the words it shows with a capital (and its front matter's),
    which are public; and what it publishes that `ACROSS` compares, each with its file line.
    Words are kept as one text each, split when read (`words`): a set of strings for each of
    a thousand reports, kept for every build and edit, took ~80 MB (the bench's peak RSS)."""

    withheld: str = ""
    shown: str = ""
    unseen: tuple[tuple[int, str, str], ...] = ()
    held: str = ""
    """Every word only its withheld text writes, a name or not (`Canaryfield was expelled.`,
    `[jo canaryfield]`), which no tag may hold unless public text writes it (helper 173)."""
    public: str = ""
    """Every word its public text writes, in any case."""


def _kept(words: Iterable[str]) -> str:
    return " ".join(sorted(words))


def _shown_to(shown: dict[Audience, list[str]], at: Audience = Audience.PUBLIC) -> set[str]:
    return _with_plurals(
        compared_words(" ".join(t for lv, ts in shown.items() if lv <= at for t in ts))
    )


def _named(words: set[str]) -> frozenset[str]:
    return frozenset(w for w in words if len(w) >= SHORTEST and not w.isdigit())


def _compared(what: str, address: str) -> str:
    """Return what a value says that is compared with names: a link's address but its host,
    where the host is plainly one (`news.example\\jo-smith` or `jo@news.example` is read
    whole, as a browser may read it otherwise; adversary helper 113)."""
    if what != "the address ":
        return address
    address = unquote(address)
    try:
        host = urlsplit(address).hostname or ""
    except ValueError:
        return address
    plain = HOST.fullmatch(host) and f"//{host}" in address.lower()
    return address.lower().replace(f"//{host}", " ", 1) if plain else address


HOST = re.compile(r"[a-z0-9.-]+")


def _autolink(link: Node) -> bool:
    """Whether a link's words are its address (`<https://…>`, `<a@b.org>`)."""
    words, target = json_ast.stringify(link["c"][1]), link["c"][2][0]
    return target in (words, f"mailto:{words}")


UNSEEN = frozenset({"identifier #", "class .", "attribute key "})
"""What a reader never reads as text: compared with a withheld element's own id and title too."""
ADDRESSING = frozenset({"identifier #", "decision=", "the file name ", "id: ", "the title ",
                        "the picture's description "})  # fmt: skip
"""What a withheld heading's first word (the item's name: `## Smith appeal`) may not spell:
the report's addresses, an id and a decision, which name an item (adversary helper 144: the
heading's words went into every address of the report), and a title or a picture's
description, which no reader sees (helper 152). A link's address may
(`https://example.org/staffing-rules` beside `## Staffing {.confidential}`)."""
NAMING = frozenset({"reason="})
"""A reason names the kind of item withheld, in the words of the meeting, which other
withheld text shares ("Legal advice" beside "the Governance and Legal Unit", a withheld
heading "Staffing" and elsewhere "Staffing matter"): compared with withheld spans' names only.
A file name and `id:` are compared with names in all withheld text (adversary helper 115:
`jo-zqsmith.md` beside a withheld section naming Jo Zqsmith was in every address)."""


def _front(source: Source) -> list[str]:
    """Return the front matter's published words: the report's title, meeting, summary
    (not its tags: addresses), corrections, the CLPs and regions it concerns, and its
    meeting's day, month and year as a page shows them (`nec-witney.md` with `clps:
    [witney]`, `nec-december.md`: adversary helper 120)."""
    meta = source.meta
    day = meta.meeting_date.strftime("%A %-d %B %Y")
    return [meta.title, meta.meeting, meta.summary or "", day,
            *(c.note for c in meta.corrections), *(c.replace("-", " ") for c in meta.clps),
            *meta.regions]  # fmt: skip


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


def _html(node: Node) -> bool:
    """Whether a node is raw HTML (allowed with `allow_raw_html`)."""
    return node["t"] in ("RawInline", "RawBlock") and str(node["c"][0]).startswith("html")


def _given(node: Node, level: Audience) -> Iterator[tuple[str, str, Audience]]:
    """Yield what an element publishes besides its text: what it is, the value, and the
    audience it is shown to (a reason, where its withheld element is: to anyone)."""
    if _html(node):  # raw HTML's attributes, as a browser reads them (adversary helper 113)
        for tag, attrs in visible.tags(node["c"][1]):
            for key, value in attrs:
                yield f"<{tag} {key}=", value or "", level
        return
    ident, classes, pairs = json_ast.attr(node) or ("", [], [])
    yield "identifier #", ident, level
    for name in classes:
        if name not in json_ast.MARKS:
            yield "class .", name, level
    for key, value in pairs:
        if key not in OWN_KEYS:
            yield "attribute key ", key, level
        if key not in ROUTING and key != "vote":  # a vote is one of five words
            yield f"{key}=", value, Audience.PUBLIC if key == "reason" else level
    if node["t"] in ("Link", "Image"):
        address, title = node["c"][2]
        if node["t"] == "Link":  # an image's is not published: its file is renamed
            yield "the address ", address, level
        yield "the title ", title, level
    if node["t"] == "Image":  # unseen beside the picture (adversary helper 145), its TeX as
        described = read_labels.TEX.sub("", json_ast.stringify(node["c"][1]))  # (helper 153)
        yield "the picture's description ", described, level


def _spells(tokens: Iterable[str], held: set[str]) -> str:
    """Return a withheld word a value's words hold: whole, or inside them run together."""
    tokens = [t for t in tokens if t]
    for t in tokens:
        if len(t) >= SHORTEST and not t.isdigit() and t in held:
            return t
    together = "".join(tokens)
    return next((w for w in held if len(w) >= SQUEEZED_SHORTEST and w in together), "")


def compared_words(text: str) -> list[str]:
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


def _capitalised(texts: list[str], starts: bool = True) -> set[str]:
    """Return the words of `texts` (one element's words, in order) written with a capital
    and not starting a sentence (`starts`: the element's first word does): names, mostly."""
    found: set[str] = set()
    for before, text in zip([".", *texts] if starts else ["", *texts], texts, strict=False):
        letters = text.lstrip("([{\"'“‘«*_-–—")
        if letters[:1].isupper() and not SENTENCE_END.search(before):
            found.update(compared_words(letters))
    return found


def _strings(node: Node) -> Iterator[str]:
    """Yield the words directly inside a node (the inlines of a paragraph, heading, span…;
    a definition list's terms)."""
    content = node.get("c")
    if node["t"] == "DefinitionList":  # `Zqsmith` ⏎ `:   appeal upheld` (review of 164)
        content = [term for term, _ in node["c"]]
    for part in content if isinstance(content, list) else ():
        for item in part if isinstance(part, list) else [part]:
            if isinstance(item, dict) and item.get("t") == "Str":
                yield item["c"]
