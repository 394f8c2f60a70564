"""Find footnote and link definitions written inside withheld material but used outside it.

Pandoc resolves definitions globally, so its AST no longer says where one was written. A
second parse of a marked-up copy of the body tells: before each definition line goes a
locator paragraph (which lands where the definition was written) and the definition itself
is tagged (so every use of it carries the tag). A use at a lower level than its definition
is a leak.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from . import tree
from .model import Ast, Audience
from .tree import Node

DEFINITION = re.compile(r"^(?P<prefix>(?:[ \t]*>)*[ \t]*)\[(?P<label>[^\]\n]+)\]:(?P<rest>.*)$")
"""Any indentation: a definition may sit deep in a list item (one in a code block is harmless)."""
FENCE = re.compile(r"^(?:[ \t]{0,3}>)*[ \t]{0,3}(?P<fence>`{3,}|~{3,})")
LINK_TARGET = re.compile(r"^(?P<space>\s*)(?P<url><[^>]*>|\S+)(?P<tail>.*)$")
LOCATOR = re.compile(r"RBLOC(\d+)Z")
TAG = re.compile(r"RBDEF(\d+)Z")
URL_TAG = re.compile(r"^https://rbdef(\d+)\.invalid/$")


@dataclass(frozen=True)
class Definition:
    line: int
    """Line within the body (1-based)."""
    label: str


@dataclass(frozen=True)
class Misuse:
    definition: Definition
    defined_at: Audience
    used_at: Audience


def marked_copy(body: str) -> tuple[str, dict[int, Definition]]:
    """Return the body with locators and tags added, and the definitions found."""
    out: list[str] = []
    found: dict[int, Definition] = {}
    fence: str | None = None
    for number, line in enumerate(body.split("\n"), start=1):
        opened = FENCE.match(line)
        if fence is not None:
            if (
                opened
                and opened.group("fence")[0] == fence[0]
                and len(opened.group("fence")) >= len(fence)
            ):
                fence = None
            out.append(line)
            continue
        if opened:
            fence = opened.group("fence")
            out.append(line)
            continue
        match = DEFINITION.match(line)
        tagged = _tag(match, number) if match else None
        if match is None or tagged is None:
            out.append(line)
            continue
        prefix = match.group("prefix")
        out += [f"{prefix}RBLOC{number}Z", prefix.rstrip(), tagged]
        found[number] = Definition(number, match.group("label"))
    return "\n".join(out), found


def _tag(match: re.Match[str], number: int) -> str | None:
    prefix, label, rest = match.group("prefix"), match.group("label"), match.group("rest")
    if label.startswith("^"):
        return f"{prefix}[{label}]: RBDEF{number}Z{rest}"
    target = LINK_TARGET.match(rest)
    if target is None:
        return None
    url = f"https://rbdef{number}.invalid/"
    return f"{prefix}[{label}]:{target.group('space') or ' '}{url}{target.group('tail')}"


def misuses(ast: Ast, found: dict[int, Definition]) -> list[Misuse]:
    """Return each use of a definition at a lower audience level than where it was written."""
    written: dict[int, Audience] = {}
    used: list[tuple[int, Audience]] = []

    def visit(node: Node, level: Audience) -> None:
        kind = node["t"]
        if kind == "Str":
            for number in LOCATOR.findall(node["c"]):
                written[int(number)] = level
        elif kind == "Note":
            for number in {int(n) for n in TAG.findall(tree.stringify(node["c"]))}:
                used.append((number, level))
        elif kind in ("Link", "Image"):
            tag = URL_TAG.match(node["c"][2][0])
            if tag:
                used.append((int(tag.group(1)), level))

    tree.walk_levels(ast["blocks"], visit)
    out: list[Misuse] = []
    for number, level in used:
        home = written.get(number)
        if number in found and home is not None and level < home:
            out.append(Misuse(found[number], home, level))
    return out


Parser = Callable[[str], Ast]


def check_definitions(body: str, parse: Parser) -> list[Misuse]:
    """Parse a marked copy of `body` (only if it defines anything) and return the misuses."""
    marked, found = marked_copy(body)
    if not found:
        return []
    return misuses(parse(marked), found)
