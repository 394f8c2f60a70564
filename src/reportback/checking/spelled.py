"""Attributes spelled from withheld words: an identifier or a value a reader is given.

An identifier is published where its element is (the page's source, a link to it, the votes
page, the feeds, the search index), and so is a value such as `decision=`. Written from the
words of a withheld span or heading (`## Appeal of [Jo Smith]{.confidential}
{#appeal-of-jo-smith}`, as the advice to give a heading an id of its own invites), it
publishes them; one or two words are too few for the audit's runs to find (adversary helper
105). Such an attribute of an element of a lower audience than the words is refused, unless
the words are also public in the report (`{#budget}` where a span withholds "budget").
"""

from __future__ import annotations

from collections.abc import Iterator

from reportback.model import Audience
from reportback.pandoc import json_ast
from reportback.pandoc.json_ast import Node

ROUTING = frozenset({"clps", "regions", "reason"})
"""Keys whose values name CLPs and regions, or say why words are withheld: not text shown."""
SQUEEZED_SHORTEST = 6
"""Withheld words joined with nothing between them are looked for in an identifier written
without separators (`#jozqsmith`) only from this length (shorter ones are in many words)."""


def spelled(blocks: list[Node]) -> Iterator[tuple[str, str]]:
    """Yield a message and the value to find its line by, for each attribute written from the
    words of a withheld span or heading of a higher audience than its element."""
    withheld: list[tuple[Audience, tuple[str, ...]]] = []
    attributed: list[tuple[Node, Audience]] = []
    shown: dict[Audience, list[str]] = {}

    def visit(node: Node, level: Audience) -> None:
        own = json_ast.mark(node)
        if own is not None and node["t"] in ("Span", "Header"):
            text = json_ast.stringify(node["c"][1 if node["t"] == "Span" else 2], notes=False)
            if words := json_ast.words(text):
                withheld.append((level, words))
        if json_ast.attr(node) is not None:
            attributed.append((node, level))
        shown.setdefault(level, []).extend(_strings(node))

    json_ast.walk_levels(blocks, visit)
    public: dict[Audience, tuple[str, str]] = {}
    for node, level in attributed:
        higher = [w for lv, w in withheld if lv > level]
        ident, _, pairs = json_ast.attr(node) or ("", [], [])
        given = [("identifier #", ident)] + [(f"{k}=", v) for k, v in pairs if k not in ROUTING]
        given = [(what, value) for what, value in given if value]
        if not (higher and given):
            continue
        if level not in public:  # the words an element of this audience is shown with
            words = json_ast.words(" ".join(w for lv, ws in shown.items() if lv <= level
                                            for w in ws))  # fmt: skip
            public[level] = (_joined(words), "".join(words))
        seen, squeezed = public[level]
        for what, value in given:
            tokens = json_ast.words(value)
            if any(_spells(tokens, words, what == "identifier #", seen, squeezed)
                   for words in higher):  # fmt: skip
                yield (
                    f"{what}{value} is written from words withheld in this report, and would "
                    "publish them: write it from public words",
                    value,
                )


def _spells(
    tokens: tuple[str, ...], words: tuple[str, ...], squeeze: bool, seen: str, squeezed: str
) -> bool:
    """Return whether an attribute's words hold withheld `words` not shown elsewhere: as
    whole words, or, in an identifier, run together (`#jozqsmith`)."""
    joined, together = _joined(words), "".join(words)
    if joined in _joined(tokens) and joined not in seen:
        return True
    return (
        squeeze
        and len(together) >= SQUEEZED_SHORTEST
        and together in "".join(tokens)
        and together not in squeezed
    )


def _joined(words: tuple[str, ...]) -> str:
    """Return words joined so that a run of them is found only as whole words."""
    return "\x00" + "\x00".join(words) + "\x00"


def _strings(node: Node) -> Iterator[str]:
    """Yield the words directly inside a node (the inlines of a paragraph, heading, span…)."""
    content = node.get("c")
    for part in content if isinstance(content, list) else ():
        for item in part if isinstance(part, list) else [part]:
            if isinstance(item, dict) and item.get("t") == "Str":
                yield item["c"]
