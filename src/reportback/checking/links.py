"""Links to a heading of the same report that its readers could not follow: to no heading,
or to one withheld from them, whose id (made from its words, or given) would be published in
the link's target (`[the vote](#vote-on-jo-smith)`, also `index.html#…` or in raw HTML).

Each returns problems as (body line, message); `rules.BodyChecker` names the file.
"""

from __future__ import annotations

import html
import re
import unicodedata
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from reportback.checking.nearmiss import skeleton
from reportback.checking.placement import line_of
from reportback.checking.spelled import Naming
from reportback.errors import Problem, problem
from reportback.model import Ast, Audience, Source
from reportback.pandoc import json_ast
from reportback.pandoc.json_ast import Node

Found = tuple[int, str]


Heading = tuple[Audience, str, str]
"""An id a reader could link to (a heading's, given or made from its words, or one given to
any element), the level it is withheld at, and a heading's words (casefolded)."""
Linked = tuple[Audience, str, str]
"""A link's level, its target with a `#`, and its words."""
Collected = tuple[list[Heading], list[Linked]]
"""Every id of a report, and every link with a `#` in its target (`collect`)."""


def collect(ast: Ast) -> Collected:
    """Return every id of the report, and every link with a `#` in its target, in one walk
    for both `cross_references` and `anchors`."""
    headings: list[Heading] = []
    links: list[Linked] = []

    def visit(node: Node, level: Audience) -> None:
        attr = json_ast.attr(node)
        if node["t"] == "Header":
            text = json_ast.stringify(node["c"][2], notes=False)
            made = [level]  # an id made from its words is withheld with the most withheld
            json_ast.walk_levels(node["c"][2], lambda _, lv: made.append(lv), level)
            given = node["c"][1][0]
            headings.append((level if given else max(made), given or json_ast.heading_id(text),
                             text.casefold()))  # fmt: skip
            if given and max(made) > Audience.PUBLIC:  # the id its withheld words would make
                headings.append((max(made), json_ast.heading_id(text), ""))
        elif attr is not None and attr[0]:  # an id given to any element (`{#name}`)
            headings.append((max(level, json_ast.mark(node) or Audience.PUBLIC), attr[0], ""))
        for key, value in attr[2] if attr is not None else ():  # `{href="…#id"}`
            if key.casefold() in ("href", "src"):
                links.append((level, value, ""))
        if node["t"] == "Link":  # any: one to a report not published names it
            text = json_ast.stringify(node["c"][1], notes=False)
            links.append((level, node["c"][2][0], text))
        elif node["t"] == "Image" and "#" in node["c"][2][0]:
            links.append((level, node["c"][2][0], json_ast.stringify(node["c"][1], notes=False)))
        elif node["t"] in ("RawInline", "RawBlock") and node["c"][0] == "html":
            links.extend((level, "".join(href), "") for href in HREF.findall(node["c"][1]))

    json_ast.walk_levels(ast["blocks"], visit)
    return headings, links


def cross_references(collected: Collected, lines: list[str]) -> Iterator[Found]:
    """Yield each link to a heading of this report that its readers could not follow: to no
    heading at all, or to one withheld from them (its text or id would be a leak), also with
    a path before the `#` (`index.html#id`, `/reports/r/#id`) or in raw HTML's `href`."""
    headings, links = collected
    for level, target, text in links:
        if "#" not in target:
            continue
        path, name = target.split("#", 1)
        if path:  # another page, perhaps this report's: only its withheld ids are known
            name = _fragment(name)
            found = [lv for lv, ident, _ in headings if ident.casefold() == name]
            if found and max(found) > level:
                yield line_of(lines, target), _withheld_target(target, max(found))
            continue
        found = [lv for lv, ident, title in headings if ident == name or (not name and title
                 == text.casefold())]  # fmt: skip
        line = line_of(lines, f"(#{name})" if name else f"[{text}]")
        line = line_of(lines, f'"{target}"') if line == 1 and not text else line  # raw HTML
        if not found and not name:  # `[the item][Heading]`: pandoc's tree keeps no label
            yield line, (f"link [{text}] to a heading by its words: no heading of this report "
                         "reads so (a link to a heading is read by its own words here); write "
                         f"[{text}](#id) with the heading's id")  # fmt: skip
        elif not found:
            yield line, f"link to #{name}: no heading of this report has that id"
        elif min(found) > level:
            yield line, _withheld_target(f"#{name or text}", min(found))


@dataclass(frozen=True)
class Anchors:
    """A report's ids withheld from some readers, and its links with a path (to another
    page), for the check across reports. Ids are kept as `_key`s."""

    withheld: tuple[tuple[str, Audience], ...] = ()
    """Each id withheld from some readers, and from whom."""
    links: tuple[tuple[int, Audience, str], ...] = ()
    """Each link's body line, its level and its target."""
    public: tuple[str, ...] = ()
    """Each id of a public heading (its words are public: a link to it is fine)."""
    naming: Naming = field(default_factory=Naming)
    """Its names withheld, and its addresses' words (`across.named_across`)."""


def anchors(collected: Collected, lines: list[str], placed: Iterable[tuple[int, str]]) -> Anchors:
    """Return a report's withheld ids and its links to other pages.

    `placed` is each link's body line and target as the source reader found them, in
    order: a link is named at its own line, the nth to a target at the nth's (the first line
    holding its target only for one the source reader has not placed: an `href` given)."""
    headings, links = collected
    withheld = tuple((_key(i), lv) for lv, i, _ in headings if lv > Audience.PUBLIC)
    public = tuple(_key(i) for lv, i, _ in headings if lv == Audience.PUBLIC)
    waiting: dict[str, list[int]] = {}
    for line, target in placed:
        waiting.setdefault(target, []).append(line)

    def line_of_link(target: str) -> int:
        at = waiting.get(target)
        return at.pop(0) if at else line_of(lines, target)

    linked = tuple((line_of_link(t), lv, t) for lv, t, _ in links if t.split("#", 1)[0])
    return Anchors(withheld, linked, public)


def across(reports: list[tuple[Source, Anchors]]) -> list[Problem]:
    """Return a problem for each link to another report's id withheld from the link's
    readers: the id, made from withheld words or given to withheld text, would be published
    in the link's target (`../r/#appeal-of-jo-smith`: an adversary helper's leak; also when a
    heading linked to is withheld later). Ids are compared as `_key`s (`#appeal-of-jo-smith-1`,
    `#appeal_of_jo_smith/` too), and one a public heading of that report has too is fine. A
    link naming a report is checked against its ids; one naming none, against every report's."""
    ids = {s.slug: _withheld(s, a) for s, a in reports if a.withheld or _hidden(s)}
    shown = [(s, a) for s, a in reports if not _hidden(s)]
    named = list(_naming(shown, [s for s, _ in reports if _hidden(s)]))
    problems = [
        problem(source.path, source.body_line + line - 1,
                f"link to {target!r}: reports/{report.slug} is not published ("
                f"{'confidential' if report.meta.confidential else 'a draft'}), and the link "
                "would name it: remove the link")
        for source, line, target, report in named
    ]  # fmt: skip
    done = {(source.slug, line, target) for source, line, target, _ in named}
    for source, found in reports:
        for line, level, target in found.links:
            if "#" not in target or (source.slug, line, target) in done:
                continue
            path, _, name = target.partition("#")
            if _same_page(path, source.slug):  # `./#id`, `index.html#id`: `cross_references`'
                continue
            parts = set(re.split(r"[/?#]", path))
            named_ids = [s.slug for s, _ in reports if s.slug in parts] or list(ids)
            keys = (_key(name), _key(name, again=True))
            for slug in (s for s in named_ids if s != source.slug and s in ids):
                withheld, public = ids[slug]
                hit = next((k for k in keys if withheld.get(k, level) > level), None)
                if hit is not None and not public.intersection(keys):
                    message = f"{_withheld_target(target, withheld[hit])} (in reports/{slug})"
                    problems.append(problem(source.path, source.body_line + line - 1, message))
                    break
    return problems


def naming_embargoed(
    reports: Iterable[tuple[Source, Anchors]], embargoed: list[Source]
) -> list[Problem]:
    """Return a problem for each link of a report published now that names one embargoed
    (its folder or its PDF, spelled in any way `_names` reads): the name would be published
    before the report is (an adversary helper's `../<name>`, `../<NAME>`, `../<name>?x`)."""
    return [
        problem(source.path, source.body_line + line - 1,
                f"link to {target!r}: reports/{report.slug} is embargoed until "
                f"{report.meta.publish_at}, and the link would name it before it is "
                "published: remove it, or embargo this report as long")
        for source, line, target, report in _naming(reports, embargoed)
    ]  # fmt: skip


def _naming(
    reports: Iterable[tuple[Source, Anchors]], unpublished: list[Source]
) -> Iterator[tuple[Source, int, str, Source]]:
    """Yield each link of `reports` that names one of `unpublished` (its folder or its PDF):
    the report it is in, its line, its target and the report it names."""
    names = {_spelled(s.slug): s for s in unpublished}  # spelled once, for every link
    if not names:
        return
    for source, found in reports:
        for line, level, target in found.links:
            if (report := _names(_path(target), names, level)) is not None:
                yield source, line, target, report


def _names(path: str, names: dict[str, Source], level: Audience) -> Source | None:
    """Return the report withheld whole that a link's path names (its folder, its PDF or its
    source file, `<name>.md`, `file:<name>.md`), if the link is shown to anyone (not in
    confidential text): its parts read as a server or a browser might (`_spelled`, as `names`
    are), and a name another site's address holds only after `reports/`."""
    if level >= Audience.CONFIDENTIAL:
        return None
    parts = [part.strip() for part in re.split(r"[/?#;:\\]", _spelled(path)) if part.strip()]
    relative = not re.match(r"[a-zA-Z][\w+.-]*:|[/\\]{2}", path)  # another site's: `reports/…`
    for before, part in zip(["", *parts], parts, strict=False):
        name = re.sub(r"\.(?:pdf|md)$", "", part)  # its source too (adversary helper 85)
        if name in names and (part != name or relative or before == "reports"):
            return names[name]
    return None


def _path(target: str) -> str:
    """Return a link's path, before its `#`, as a browser reads it from HTML: entities
    decoded first (`zq&#x68;idden`: the `#` is the entity's, adversary helper 71), and
    tabs and line breaks, which a browser drops from an address, left out."""
    return re.sub(r"[\t\n\r]", "", html.unescape(target)).partition("#")[0]


def _spelled(text: str) -> str:
    """Return a link's path (or a report's name) as it names a file, whatever its spelling:
    decoded (percent-encoding, twice over too, and entities), in Unicode's compatibility form
    (full-width letters, a decomposed é), casefolded (a server may not tell case apart)."""
    for _ in range(3):
        text = urllib.parse.unquote(text)
    return unicodedata.normalize("NFKC", html.unescape(text)).casefold()


def _hidden(source: Source) -> bool:
    """Whether a whole report is withheld (confidential, or a draft)."""
    return source.meta.confidential or source.meta.status == "draft"


def _withheld(source: Source, found: Anchors) -> tuple[dict[str, Audience], set[str]]:
    """Return a report's withheld ids and its public ones (all withheld, in a report that
    is withheld whole: its headings' words are withheld too)."""
    if _hidden(source):
        everything = [k for k, _ in found.withheld] + list(found.public)
        return dict.fromkeys(everything, Audience.CONFIDENTIAL), set()
    return dict(found.withheld), set(found.public)


def _same_page(path: str, slug: str) -> bool:
    """Whether a link's path names the page it is on (`./`, `index.html`, `?x`, its PDF)."""
    rest = re.sub(r"^(?:\./)+", "", path).split("?", 1)[0]
    return rest in ("", "index.html", f"{slug}.pdf")


def _key(ident: str, again: bool = False) -> str:
    """Return an id, or a link's fragment, as its letters and digits: decoded, folded as a
    mark's name is, cut at a `/`, `?`, `#` or `&`, without `.html`, and with nothing between
    words (`#appeal_of_jo_smith/` is `appealofjosmith`); `again`, without the `-1` pandoc
    puts after an id used before."""
    name = urllib.parse.unquote(html.unescape(ident))
    name = re.split(r"[/?#&]", name, maxsplit=1)[0].removesuffix(".html")
    name = re.sub(r"-\d+$", "", name) if again else name
    return "".join(c for c in skeleton(name) if c.isalnum())


def _fragment(name: str) -> str:
    """Return a link's fragment as the id it names (decoded, casefolded)."""
    return urllib.parse.unquote(html.unescape(name)).casefold()


HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^"'\s>]+))""", re.I)
"""A link's target in raw HTML (`<a href="#id">`, where raw HTML is allowed)."""


def _withheld_target(target: str, level: Audience) -> str:
    return (
        f"link to {target} points to a heading withheld from its readers ({level.label}), or "
        f"to an id made from a heading's words some of which are: link to a public heading, "
        f"give the heading an id of public words ({{#name}}), or withhold the link too"
    )


def unpublished(target: str, source: Path, reports: Path) -> str:
    """Return a warning if a link's `target` is a file of the reports folder other than a
    report (`[the chart](images/chart.png)`): the site publishes a file only as an image
    (`![…](…)`), so the link was published broken (adversary helper 94); else ''."""
    if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:|[/#?]", target):
        return ""  # an address, or a page of the site
    path = (source.parent / urllib.parse.unquote(target.split("#")[0])).resolve()
    if not (path.is_relative_to(reports) and path.is_file() and path.suffix.lower() != ".md"):
        return ""
    return (
        f"warning: a link to {target!r}, a file the site does not publish: it would be "
        "broken; show an image as one (![words](file)), or link to an address"
    )
