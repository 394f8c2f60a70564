"""Links to a heading of the same report that its readers could not follow: to no heading,
or to one withheld from them, whose id (made from its words, or given) would be published in
the link's target (`[the vote](#vote-on-jo-smith)`, also `index.html#…` or in raw HTML).

Each returns problems as (body line, message); `rules.BodyChecker` names the file.
"""

from __future__ import annotations

import html
import re
import urllib.parse
from collections.abc import Iterator

from reportback.checking.placement import line_of
from reportback.model import Ast, Audience
from reportback.pandoc import json_ast
from reportback.pandoc.json_ast import Node

Found = tuple[int, str]


def cross_references(ast: Ast, lines: list[str]) -> Iterator[Found]:
    """Yield each link to a heading of this report that its readers could not follow: to no
    heading at all, or to one withheld from them (its text or id would be a leak), also with
    a path before the `#` (`index.html#id`, `/reports/r/#id`) or in raw HTML's `href`."""
    headings: list[tuple[Audience, str, str]] = []
    links: list[tuple[Audience, str, str]] = []

    def visit(node: Node, level: Audience) -> None:
        if node["t"] == "Header":
            text = json_ast.stringify(node["c"][2], notes=False)
            made = [level]  # an id made from its words is withheld with the most withheld
            if not node["c"][1][0]:
                json_ast.walk_levels(node["c"][2], lambda _, lv: made.append(lv), level)
            headings.append((max(made), node["c"][1][0] or json_ast.heading_id(text),
                             text.casefold()))  # fmt: skip
        elif node["t"] in ("Link", "Image") and "#" in node["c"][2][0]:
            text = json_ast.stringify(node["c"][1], notes=False)
            links.append((level, node["c"][2][0], text))
        elif node["t"] in ("RawInline", "RawBlock") and node["c"][0] == "html":
            links.extend((level, href, "") for href in HREF.findall(node["c"][1]) if "#" in href)

    json_ast.walk_levels(ast["blocks"], visit)
    for level, target, text in links:
        path, name = target.split("#", 1)
        if path:  # another page, perhaps this report's: only its withheld ids are known
            name = urllib.parse.unquote(html.unescape(name)).casefold()
            found = [lv for lv, ident, _ in headings if ident.casefold() == name]
            if found and max(found) > level:
                yield line_of(lines, target), _withheld_target(target, max(found))
            continue
        found = [lv for lv, ident, title in headings if ident == name or (not name and title
                 == text.casefold())]  # fmt: skip
        line = line_of(lines, f"(#{name})" if name else f"[{text}]")
        line = line_of(lines, f'"{target}"') if line == 1 and not text else line  # raw HTML
        if not found:
            yield line, f"link to #{name or text}: no heading of this report has that id"
        elif min(found) > level:
            yield line, _withheld_target(f"#{name or text}", min(found))


HREF = re.compile(r"""\bhref\s*=\s*["']?([^"'\s>]+)""", re.I)
"""A link's target in raw HTML (`<a href="#id">`, where raw HTML is allowed)."""


def _withheld_target(target: str, level: Audience) -> str:
    return (
        f"link to {target} points to a heading withheld from its readers ({level.label}), or "
        f"to an id made from a heading's words some of which are: link to a public heading, "
        f"give the heading an id of public words ({{#name}}), or withhold the link too"
    )
