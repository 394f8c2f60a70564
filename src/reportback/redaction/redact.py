"""Redact a report on pandoc's AST, once per audience, and collect what was withheld."""

from __future__ import annotations

import re
from typing import Any

from reportback.checking.placement import runs
from reportback.checking.regions import Regions, words
from reportback.clps import split_regions
from reportback.model import (
    Ast,
    Audience,
    Decision,
    Document,
    Fragment,
    Image,
    Item,
    Placeholders,
    RedactedReport,
    Redaction,
    Source,
)
from reportback.pandoc import json_ast
from reportback.pandoc.json_ast import Node


def redact(
    source: Source,
    ast: Ast,
    images: dict[str, Image],
    placeholders: Placeholders,
    regions: tuple[str, ...],
    written: Regions,
) -> Redaction:
    """Return one redacted version per reader audience and the fragments withheld.

    The members' version gives each heading the public page's id for it (or its
    placeholder's), so that a members' digest links to what the public page holds."""
    public, ids = _version(source, ast, Audience.PUBLIC, images, placeholders, regions, {})
    members, _ = _version(source, ast, Audience.MEMBERS, images, placeholders, regions, ids)
    versions = {Audience.PUBLIC: public, Audience.MEMBERS: members}
    return Redaction(versions, withheld_fragments(source, written))


def _version(
    source: Source,
    ast: Ast,
    audience: Audience,
    images: dict[str, Image],
    placeholders: Placeholders,
    regions: tuple[str, ...],
    ids: dict[int, str],
) -> tuple[RedactedReport, dict[int, str]]:
    """Return the version for `audience`, and the id each heading read was given (by the
    read heading's identity), its heading's `ids` where given."""
    redactor = _Redactor(audience, placeholders)
    blocks = redactor.nodes(ast["blocks"])
    if not placeholders.enabled:
        blocks = _without_emptied(blocks)
    for read, heading in redactor.headings.items():
        heading["c"][1][0] = ids.get(read, heading["c"][1][0])
    nodes = list(json_ast.structure(blocks))  # in order; the steps below change no structure
    _assign_ids(nodes)
    _resolve_references(nodes)
    items = tuple(_items(nodes, regions))
    decisions = tuple(_decisions(nodes, regions))  # only headings this audience may see
    used = _localise_images(nodes, images)
    _strip_attributes(nodes)
    doc = {"pandoc-api-version": ast["pandoc-api-version"], "meta": {}, "blocks": blocks}
    summary = source.meta.summary or _first_paragraph(nodes)
    made = {read: heading["c"][1][0] for read, heading in redactor.headings.items()}
    return RedactedReport(source, audience, Document(doc), items, summary, used, decisions), made


BLANK = frozenset({"Space", "SoftBreak", "LineBreak"})


def _without_emptied(blocks: list[Node]) -> list[Node]:
    """Return blocks without a paragraph, list item, list, quote or div left showing nothing:
    with no placeholders, an empty list item said where something was withheld, and how many
    (adversary helper 144)."""
    out: list[Node] = []
    for node in blocks:
        kind, content = node["t"], node.get("c", [])
        if kind in ("Para", "Plain") and _bare(content):
            continue
        if kind == "DefinitionList":  # a term withheld: its definitions tell of it (helper 152)
            kept_terms = [item for item in content if not _bare(item[0])]
            if not kept_terms:
                continue
            node = {**node, "c": kept_terms}
        if kind in ("BulletList", "OrderedList"):
            items = content if kind == "BulletList" else content[1]
            kept = [shown for shown in map(_without_emptied, items) if shown]
            if not kept:
                continue
            node = {**node, "c": kept if kind == "BulletList" else [content[0], kept]}
        elif kind in ("BlockQuote", "Div"):
            inner = _without_emptied(content if kind == "BlockQuote" else content[1])
            if not inner:
                continue
            node = {**node, "c": inner if kind == "BlockQuote" else [content[0], inner]}
        out.append(node)
    return out


def _bare(inlines: list[Node]) -> bool:
    """Whether inlines show nothing but spaces and punctuation (`.` left of `[Jo]{…}.`, `— `
    of a quote's attribution: adversary helper 152)."""
    return all(i["t"] in BLANK or (i["t"] == "Str" and not any(map(str.isalnum, i["c"])))
               for i in inlines)  # fmt: skip


IN_HTML = re.compile(r"<!--.*?-->", re.S)
"""A comment inside raw HTML (a `<pre>` holding one, say)."""


class _Redactor:
    """Rebuild a list of nodes without what `audience` may not see, leaving the nodes read
    as they were (each version is made from the same document)."""

    def __init__(self, audience: Audience, placeholders: Placeholders) -> None:
        self.audience = audience
        self.placeholders = placeholders
        self.count = 0
        self.headings: dict[int, Node] = {}
        """The heading made for each heading read (by its identity), shown or placeholder."""

    def withheld(self, node: Node) -> Audience | None:
        level = json_ast.mark(node)
        return level if level is not None and level > self.audience else None

    def nodes(self, items: list[Node]) -> list[Node]:
        out: list[Node] = []
        skipping: int | None = None
        for node in items:
            if node["t"] == "Header":
                depth = node["c"][0]
                if skipping is not None and depth <= skipping:
                    skipping = None
                level = self.withheld(node) if skipping is None else None
                if level is not None:
                    skipping = depth
                    made = self.section(node, level)
                    if made:
                        self.headings[id(node)] = made[0]
                    out += made
                    continue
                if skipping is None:
                    self.headings[id(node)] = self.node(node)[0]
                    out.append(self.headings[id(node)])
                    continue
            if skipping is None:
                out += self.node(node)
        return out

    def node(self, node: Node) -> list[Node]:
        kind = node["t"]
        if kind in ("RawBlock", "RawInline") and json_ast.is_comment(node):
            return []
        if kind in ("RawBlock", "RawInline"):  # HTML, where allowed: its comments dropped too
            return [{"t": kind, "c": [node["c"][0], IN_HTML.sub("", node["c"][1])]}]
        level = self.withheld(node) if kind in json_ast.ATTR_AT else None  # only these are marked
        if level is not None:
            if kind in json_ast.BLOCKS:
                return self.block(node, level)
            return self.inline()
        content = node.get("c")
        if isinstance(content, (list, dict)):  # made anew: the document read is never changed
            return [{**node, "c": self.value(content)}]
        return [node]  # a word, a space or a break: nothing ever changes one, so it is shared

    def value(self, value: Any) -> Any:
        if json_ast.is_node_list(value):
            return self.nodes(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if json_ast.is_node(value):
            found = self.node(value)
            return found[0] if found else {"t": "Str", "c": ""}
        return value

    def section(self, node: Node, level: Audience) -> list[Node]:
        if not self.placeholders.enabled:
            return []
        self.count += 1
        depth = node["c"][0]
        own = "" if self.audience == Audience.PUBLIC else "m"  # apart from the public's ids
        ident = f"withheld-{own}{self.count}"
        heading = _header(depth, ident, self.placeholders.section(level))
        return [heading, *self.reason(node)]

    def block(self, node: Node, level: Audience) -> list[Node]:
        if not self.placeholders.enabled:
            return []
        text = self.placeholders.block(level)
        reason = json_ast.attr_value(node, "reason")
        if reason:
            text += " " + self.placeholders.reason.format(reason=reason)
        return [_div("withheld", [_para(text)])]

    def reason(self, node: Node) -> list[Node]:
        reason = json_ast.attr_value(node, "reason")
        if not reason:
            return []
        return [_div("withheld", [_para(self.placeholders.reason.format(reason=reason))])]

    def inline(self) -> list[Node]:
        if not self.placeholders.enabled:
            return []
        text = {"t": "Str", "c": self.placeholders.inline}
        return [{"t": "Span", "c": [["", ["withheld"], []], [text]]}]


def _header(depth: int, ident: str, text: str) -> Node:
    return {"t": "Header", "c": [depth, [ident, ["withheld"], []], _inlines(text)]}


def _para(text: str) -> Node:
    return {"t": "Para", "c": _inlines(text)}


def _div(cls: str, blocks: list[Node]) -> Node:
    return {"t": "Div", "c": [["", [cls], []], blocks]}


def _inlines(text: str) -> list[Node]:
    out: list[Node] = []
    for i, word in enumerate(text.split()):
        if i:
            out.append({"t": "Space"})
        out.append({"t": "Str", "c": word})
    return out


def _assign_ids(nodes: list[Node]) -> None:
    """Give every heading without an explicit id one made from its redacted text."""
    headers = [n for n in nodes if n["t"] == "Header"]
    taken = {n["c"][1][0] for n in headers if n["c"][1][0]}
    for node in headers:
        if node["c"][1][0]:
            continue
        base = json_ast.heading_id(json_ast.stringify(node["c"][2], notes=False))
        ident, n = base, 0
        while ident in taken:
            n += 1
            ident = f"{base}-{n}"
        taken.add(ident)
        node["c"][1][0] = ident


def _resolve_references(nodes: list[Node]) -> None:
    """Point each implicit heading reference (`[Heading text]`, read as a link to "#") at
    the id its heading was given."""
    ids = {
        json_ast.stringify(n["c"][2], notes=False).casefold(): n["c"][1][0]
        for n in reversed(nodes)
        if n["t"] == "Header"
    }
    for node in nodes:
        if node["t"] == "Link" and node["c"][2][0] == "#":
            text = json_ast.stringify(node["c"][1], notes=False).casefold()
            if text in ids:
                node["c"][2][0] = f"#{ids[text]}"


def _items(nodes: list[Node], known: tuple[str, ...]) -> list[Item]:
    found: list[Item] = []
    for node in nodes:
        if node["t"] != "Header":
            continue
        clps = tuple((json_ast.attr_value(node, "clps") or "").split())
        regions = tuple(split_regions(json_ast.attr_value(node, "regions") or "", known)[0])
        if clps or regions:
            title = json_ast.stringify(node["c"][2], notes=False)
            found.append(Item(title, node["c"][1][0], clps, regions))
    return found


def _decisions(nodes: list[Node], known: tuple[str, ...]) -> list[Decision]:
    """Return the decisions and votes recorded on the headings left after redaction."""
    found: list[Decision] = []
    for node in nodes:
        if node["t"] != "Header":
            continue
        decision = (json_ast.attr_value(node, "decision") or "").strip()
        vote = json_ast.attr_value(node, "vote") or ""
        if decision or vote:
            title = json_ast.stringify(node["c"][2], notes=False)
            clps = tuple((json_ast.attr_value(node, "clps") or "").split())
            regions = tuple(split_regions(json_ast.attr_value(node, "regions") or "", known)[0])
            found.append(Decision(title, node["c"][1][0], decision, vote, clps, regions))
    return found


def _localise_images(nodes: list[Node], images: dict[str, Image]) -> tuple[Image, ...]:
    used: dict[str, Image] = {}
    for node in nodes:
        if node["t"] == "Image":
            image = images[node["c"][2][0]]
            node["c"][2][0] = image.name
            used[image.name] = image
    return tuple(used[k] for k in sorted(used))


def _strip_attributes(nodes: list[Node]) -> None:
    """Drop reportback's own attributes (clps, regions, reason, decision, vote) from what is
    written."""
    for node in nodes:
        found = json_ast.attr(node)
        if found is not None:
            found[2][:] = [kv for kv in found[2] if kv[0] not in OWN_KEYS]


OWN_KEYS = frozenset({"clps", "regions", "reason", "decision", "vote"})


def _first_paragraph(nodes: list[Node]) -> str:
    """Return the first paragraph the rep wrote, not a placeholder (a report opening with a
    members' div was summed up as "Material for members withheld.": an adversary helper's
    finding)."""
    made = {
        id(p) for n in nodes if n["t"] == "Div" and "withheld" in n["c"][0][1] for p in n["c"][1]
    }
    for node in nodes:
        if node["t"] == "Para" and id(node) not in made:
            text = json_ast.stringify(node["c"], notes=False)
            if text:
                return text
    return ""


def withheld_fragments(source: Source, regions: Regions) -> tuple[Fragment, ...]:
    """Return every run of withheld words the audit must not find in a lower output.

    They are read from the source text of the withheld regions (definitions and comments
    included), not from the redactor's work, so that a redactor bug is still caught.
    """
    whole = Audience.CONFIDENTIAL if source.meta.confidential else None
    units = [(whole or u.level, u.text) for u in regions.units() if whole or u.level]
    units += [(whole or u.level, u.text) for u in regions.marked_units()]
    units += [(whole or level, text) for level, text in decisions_written(regions)
              if whole or level]  # fmt: skip
    if whole is not None:
        meta = source.meta
        units += [(whole, meta.title), (whole, meta.summary or ""), (whole, " ".join(meta.tags))]
        units += [(whole, c.note) for c in meta.corrections]
    return _fragments(units)


def public_text(source: Source, regions: Regions) -> list[str]:
    """Return the report's text that is public by where it is written (found independently
    of `_Redactor`).

    The audit does not count withheld words as leaked where the same words are also public:
    a confidential "[the General Secretary]" must not stop every page that names the office.
    """
    if source.meta.confidential:
        return []
    units = [u.text for u in regions.units(published=True) if u.level == Audience.PUBLIC]
    units += [text for level, text in decisions_written(regions) if level == Audience.PUBLIC]
    meta = source.meta
    units += [meta.title, meta.meeting, meta.summary or "", " ".join(meta.tags)]
    return units + [c.note for c in meta.corrections]


DECISION = re.compile(r"""\bdecision\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s}]+))""")
"""A decision= attribute in the source: its text is prose, which `units` leaves out with
the rest of each attribute block."""


def decisions_written(regions: Regions) -> list[tuple[Audience, str]]:
    """Return the text of every decision= written in the body, at the level it is written."""
    return [
        (regions.level_at(m.start()), next(g for g in m.groups() if g is not None))
        for m in DECISION.finditer(regions.body)
    ]


def _fragments(units: list[tuple[Audience, str]]) -> tuple[Fragment, ...]:
    found: dict[tuple[Audience, tuple[str, ...]], Fragment] = {}
    for level, text in units:
        for run in runs(words(text)):
            found.setdefault((level, run), Fragment(level, run, " ".join(run)))
    return tuple(found.values())
