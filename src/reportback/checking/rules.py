"""The fail-closed rules on a parsed report body; each problem names the file and line."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

from reportback.cache import Cache
from reportback.checking import (
    attempts,
    headings,
    intent,
    limits,
    links,
    nearmiss,
    pandoc_warnings,
    placement,
    read_labels,
    readers,
    tables,
    visible,
)
from reportback.checking.regions import Regions
from reportback.checking.source_reader import spaced
from reportback.checking.spelled import spelled
from reportback.clps import Directory, did_you_mean, split_regions
from reportback.errors import ImageRefused, Problem, problem
from reportback.model import Ast, Audience, Image, Source
from reportback.model import Checked as Checked  # commands/review.py imports it from here
from reportback.output import images
from reportback.pandoc import json_ast
from reportback.pandoc.json_ast import Node
from reportback.pandoc.worker import Warning_

IMAGE_TYPES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"})
COMMENT_AS_TEXT = re.compile("<![-\u2013\u2014]")
"""A comment's opening as the main reader leaves it in text: `<!--`, or `<!–` (smart dashes)."""


SCRIPTED = re.compile(r"\s*(?:javascript|vbscript|data)\s*:", re.I)
SIZE = re.compile(r"auto|(?=[\d.]*[1-9])\d+(?:\.\d+)?(?:%|px|cm|mm|in|em|pt)?")
"""A size that is not nothing: `0`, `0em` or `0.0%` would hide what it sizes."""
LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
"""A language tag whose language Typst takes (pandoc gives it only the two or three letters
before the first `-`)."""


class BodyChecker:
    """Collect the problems of one report body."""

    def __init__(self, source: Source, shown: str, directory: Directory, reports: Path,
                 raw_html: bool, cache: Cache | None = None) -> None:  # fmt: skip
        self.source = source
        self.shown = shown
        self.directory = directory
        self.reports = reports.resolve()
        self.raw_html = raw_html
        self.cache = cache
        """Where the images it names by their re-encoded bytes keep those bytes."""
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.images: dict[str, Image] = {}
        self.lines = spaced(source.body).split("\n")  # as both readers read it: tabs run
        self.raw_lines: set[int] = set()
        self.empty_lines: set[int] = set()
        self.anchors = links.Anchors()
        """Its withheld ids and links to other pages' ids, once `run` has read them."""

    def at(self, body_line: int, message: str) -> None:
        if self.source.meta.status == "draft":  # checked too: a build refuses all for it
            message = message.replace("would be published", "would be published (with the "
                                      "draft, once it is final)")  # fmt: skip
        self.problems.append(problem(self.shown, self.source.body_line + body_line - 1, message))

    def line_of(self, *needles: str) -> int:
        """Return the body line where one of `needles` is written (1 if none is).

        Preferred, in turn: a line where it stands as a whole word in attributes (`{…}` or a
        `:::` fence), then anywhere as a whole word, then anywhere at all (`.member` on its
        fence, not in an earlier sentence about "members")."""
        tokens = [re.compile(rf"(?<![\w-]){re.escape(n)}(?![\w-])") for n in needles if n]
        attrs = re.compile(r"\{[^}]*$|\{.*\}|^\s*:::")
        tests: list[Callable[[str], bool]] = [
            lambda line: bool(attrs.search(line)) and any(t.search(line) for t in tokens),
            lambda line: any(t.search(line) for t in tokens),
            lambda line: any(n and n in line for n in needles),
            lambda line: any(n and n in html.unescape(line) for n in needles),  # `&aacute;`
            lambda line: any(n and n.strip(".").casefold() in line.casefold() for n in needles),
        ]  # the last: `.confidential` on a code block written ``` Confidential (helper 163)
        for test in tests:
            for number, line in enumerate(self.lines, start=1):
                if test(line):
                    return number
        return 1

    def near(self, message: str, *needles: str, node: Node | None = None) -> None:
        """Record a problem at the first body line containing one of `needles`; given a link
        or an image, at the first holding its address and the first needle."""
        at = str(node["c"][2][0]) if node is not None and node["t"] in ("Link", "Image") else ""
        found = [n for n, ln in enumerate(self.lines, 1) if at and at in ln and needles[0] in ln]
        self.at(found[0] if found else self.line_of(*needles), message)

    def refused_before_parsing(self) -> bool:
        """Record what must be refused before pandoc reads the body; return whether any was."""
        for line, message in limits.before_parsing(self.source.body):
            self.at(line, message)
        return bool(self.problems)

    def run(self, ast: Ast, warnings: list[Warning_], regions: Regions) -> list[Problem]:
        deepest, quotes = limits.depth(ast)
        if quotes > limits.MAX_QUOTES:
            self.at(1, f"block quotes nested more than {limits.MAX_QUOTES} deep; flatten them")
        elif deepest > limits.MAX_DEPTH:
            self.at(1, f"nested more than {limits.MAX_DEPTH} levels deep (divs, lists, "
                       "quotes, emphasis…); flatten it")  # fmt: skip
        for line, message in placement.headings_in_notes(ast, self.lines):
            self.at(line, message)  # alone: what the readers then disagree on is its doing
        if self.problems:
            return self.problems
        for warning in warnings:
            self.at(warning.line, pandoc_warnings.message(warning))
        collected = links.collect(ast)
        placed = [(regions.line_of(at), target) for at, target in regions.links]
        spelling = spelled(ast["blocks"], regions, self.source)
        self.anchors = replace(links.anchors(collected, self.lines, placed), naming=spelling.naming)
        found = [
            *readers.problems(ast, regions, self.lines),
            *placement.definitions(ast, regions),
            *placement.leftovers(ast, self.lines),
            *links.cross_references(collected, self.lines),
            *tables.crowded(regions),
            *spelling.found,
        ]
        said: list[tuple[int, str]] = []
        if not self.source.meta.confidential:  # a confidential report is never published
            said = list(intent.said_withheld(regions.body, regions))  # tabs run, as it reads
            said += [(line, message) for message, needles in read_labels.said_in_blocks(ast)
                     if (line := read_labels.line_of(self.lines, *needles) or self.line_of(
                         *needles)) not in {n for n, _ in said}]  # fmt: skip
        for line, message in [*found, *said]:
            self.at(line, message)
        for node in json_ast.structure(ast["blocks"]):
            self._node(node)
        uncommented = json_ast.COMMENTS.sub(" ", self.source.body)
        for message, needles in visible.native_tags(uncommented):
            self.near(message, *needles)
        for message, needles in visible.tex(uncommented):
            if self.line_of(*needles) not in self.raw_lines:  # one problem a line
                self.near(message, *needles)
        texts = json_ast.strings(ast["blocks"])
        if (word := limits.long_word(texts)) is not None:
            self.near(f"a word of {len(word):,} characters with no space: pandoc takes minutes to "
                      f"lay out such a word in the PDF; break it up (at most {limits.MAX_WORD:,})",
                      word[:40])  # fmt: skip
        if any(text.startswith(":::") for text in texts):
            self._stray_fence()
        if any("<!" in text for text in texts):
            self._comment_as_text(texts)
        self.warnings += [
            problem(self.shown, self.source.body_line + line - 1, message)
            for line, message in [*placement.also_public(
                regions, self.source.meta.confidential, self.source.body_line, _front(self.source)
            ), *spelling.warnings]
        ]  # fmt: skip
        return self.problems

    def _node(self, node: Node) -> None:
        kind = node["t"]
        if kind in ("RawBlock", "RawInline"):
            self._raw(node)
        elif kind == "Image":
            self._image(node)
        elif (shown := visible.comment_shown(node)) is not None:  # adversary helpers 76, 105
            what, first = shown
            line = self.line_of(first) if any(first in ln for ln in self.lines) else 0
            self.at(line or self.line_of("<!--"), f"an HTML comment in {what} is shown as "
                    "written (comments are dropped everywhere else): take it out of the "
                    f"{what}")  # fmt: skip
        elif kind == "Link" and nearmiss.is_mark_as_address(node["c"][2][0]):
            self.near(f"a link to {node['c'][2][0]!r} is a mark written as a link's address: "
                      "its words would be published; write [words]{.confidential} or "
                      "[words]{.members}", f"({node['c'][2][0]}", node['c'][2][0])  # fmt: skip
        elif kind == "Link" and SCRIPTED.match(node["c"][2][0]):
            self.near("a link to a script (javascript:, vbscript:, data:) is not allowed; link "
                      "to a page", node["c"][2][0][:40])  # fmt: skip
        elif kind == "Link" and not node["c"][2][0].strip():  # Typst stops on it: exit 3
            words = json_ast.stringify(node["c"][1], notes=False)
            self.near("a link to nothing (`[words]()`, `<>`): give it an address, or write the "
                      "words without a link", f"[{words}]", "]()", "<>")  # fmt: skip
        elif kind == "Link" and (broken := links.unpublished(node["c"][2][0], self.source.path,
                                                             self.reports)):  # fmt: skip
            line = self.source.body_line + self.line_of(node["c"][2][0]) - 1
            if (found := problem(self.shown, line, broken)) not in self.warnings:  # once a file
                self.warnings.append(found)
        if json_ast.attr(node) is not None:
            self._attributes(node)

    def _stray_fence(self) -> None:
        depth = 0
        for number, line in enumerate(self.lines, start=1):
            if re.match(r"^:{3,}\s*\S", line):
                depth += 1
            elif re.match(r"^:{3,}\s*$", line):
                if depth == 0:
                    self.at(number, "stray ::: fence: it closes no fenced div")
                    return
                depth -= 1
        self.near("a ::: fence was not read as a fenced div (check its attributes)", ":::")

    def _comment_as_text(self, texts: list[str]) -> None:
        """Refuse an HTML comment the main reader read as text (a `--` inside it, or a line
        block's line end in it), where the source reader read a comment: its words would be
        published, and the audit, told they are a comment, might not search for them all."""
        if any(COMMENT_AS_TEXT.search(text) for text in texts):
            self.near(
                "an HTML comment (<!--) here is read as text, and would be published as "
                "written: write it on its own, with no -- inside it, or remove it",
                "<!--",
                "&lt;!--",
                "&#60;!--",
                "&#x3c;!--",
                "&#X3C;!--",  # as written
            )

    def _raw(self, node: Node) -> None:
        fmt, text = node["c"]
        if json_ast.is_comment(node):
            if not self.raw_html and (line := attempts.raw_comment_at(self.source.body, text)):
                what = f"a raw {fmt} block" if node["t"] == "RawBlock" else f"`…`{{={fmt}}}"
                self.at(line, f"{what} is not allowed "
                        f"({text.strip()[:40]!r}): write a comment as <!-- … --> alone (it is "
                        "dropped), or set [redaction] allow_raw_html = true")  # fmt: skip
            elif attempts.comment_as_mark(text):
                self.near(
                    f"the comment {text.strip()[:40]!r} reads like the start or end of withheld "
                    "text, but a comment withholds only itself: what follows it is published; "
                    "withhold it in a ::: confidential (or members) fenced div",
                    text.strip().split("\n")[0][:40],
                )
            return
        if self.raw_html and str(fmt).startswith("html"):
            for message, needles in visible.raw_html(text):
                self.near(message, *needles)
            return
        first = next((ln.strip() for ln in text.split("\n") if ln.strip()), text)
        line = self.line_of(f"{{={fmt}}}", first[:40])
        if line in self.raw_lines:
            return  # one problem per line: <b>…</b> is one mistake, not two
        self.raw_lines.add(line)
        what = "raw HTML" if str(fmt).startswith("html") else f"a raw {fmt} block"
        fix = "write Markdown"  # never another format, allowed or not (adversary helper 138)
        fix += "" if self.raw_html else ", or set [redaction] allow_raw_html = true for HTML"
        if node["t"] == "RawInline" and "\\" in first and fmt in ("tex", "latex"):  # (101)
            what = "a TeX command (a backslash before letters)"  # or a path (helper 117)
            fix = "write \\\\ for each backslash (C:\\\\Users), or put it in `code`"
        self.at(line, f"{what} is not allowed ({first[:40]!r}); {fix}")

    def _attributes(self, node: Node) -> None:
        found = json_ast.attr(node)
        assert found is not None
        ident, classes, pairs = found
        kind = node["t"]
        marked = json_ast.mark(node) is not None
        for cls in classes:
            if cls in json_ast.MARKS:
                if kind not in json_ast.MARKABLE:
                    self.near(
                        f".{cls} only works on a heading, a fenced div or a [span]; "
                        f"not on {_kind_name(kind)}",
                        cls,
                        node=node,
                    )
            elif nearmiss.is_near_name(cls, "class"):
                self.near(nearmiss.message(f"class .{cls}"), cls, node=node)
            elif cls in visible.SITE_CLASSES:
                self.near(visible.site_class(cls), cls)
            elif visible.means_nothing(cls, kind):  # adversary helpers 129, 132
                short = cls == "unnumbered"  # `{-}` is pandoc's for it (adversary helper 163)
                text = visible.UNKNOWN_CLASS.format(cls=cls) + " (a - in braces)" * short
                self.near(text, cls, *("{-", " -}") * short)
        empty = marked and kind in ("Span", "Div") and attempts.withholds_nothing(node)
        if empty and (line := attempts.empty_at(self.source.body, self.empty_lines)):
            self.empty_lines.add(line)  # empty as written too: not a link's definition
            self.at(line, attempts.EMPTY.format("[span]" if kind == "Span" else "fenced div"))
        if nearmiss.pair_near(classes) and not any(  # `{.mem bers}`, unless one was refused
            nearmiss.is_near_name(cls, "class") for cls in classes
        ):
            self.near(nearmiss.message(f"classes .{' .'.join(classes)}"), classes[0])
        if ident and (said := headings.id_problem(node, ident)):
            self.near(said, ident)
        keys = [key for key, _ in pairs]
        for key in visible.given_twice(keys):
            self.near(f"attribute {key}= is given more than once here, and only the first "
                      "would count; write it once", f"{key}=")  # fmt: skip
        for key, value in pairs:
            self._pair(kind, marked, key, value)
        recorded = any(key in ("decision", "vote") for key in keys)
        shown = json_ast.visible_text(node["c"][2], Audience.PUBLIC) if kind == "Header" else ""
        if recorded and kind == "Header" and not headings.has_words(shown):
            self.near("a decision or vote needs a heading with words: the item's title", "{")

    def _pair(self, kind: str, marked: bool, key: str, value: str) -> None:
        if key == "reason":
            if not marked:
                self.near("reason= needs .confidential or .members on the same element", "reason")
        elif key in ("clps", "regions"):
            if kind != "Header":  # at its own line, not an earlier heading's clps=
                written = [f"{key}={q}{value}{q}" for q in ('"', "'", "")]
                found = [w for w in written if w in self.source.body] or [f"{key}="]
                self.near(f"{key}= only works on a heading", *found)
            else:
                self._concerns(key, value)
        elif key in ("decision", "vote") or nearmiss.is_near_record_key(key):
            self._record(kind, key, value)
        elif nearmiss.is_near_routing_key(key):
            self.near(f"attribute {key}= looks like clps= or regions= but is not one; write "
                      "exactly clps=… or regions=… (lower case), or rename it", key)  # fmt: skip
        elif visible.steers_search(key):
            self.near(visible.STEERS_SEARCH.format(key=key), key)
        elif visible.is_script(key):
            self.near(visible.SCRIPT.format(key=key), key)
        elif key in ("width", "height") and not SIZE.fullmatch(value):
            self.near(f"{key}={value!r} is not a size (50%, 300px, 4cm …): pandoc writes it "
                      "into a style, which could hide words", key)  # fmt: skip
        elif key == "lang" and not LANGUAGE.fullmatch(value):
            self.near(f"lang={value!r} is not a language code (fr, cy, en-GB …)", "lang")
        elif not value and kind in ("Span", "Div"):
            self.near(f"attribute {key} has no value (<span {key}>): its word would be published "
                      f"as data-{key}, never shown; remove it", key)  # fmt: skip
        elif nearmiss.is_near_pair(key, value):
            self.near(nearmiss.message(f"attribute {key}={value}"), key)
        elif key == "style":
            self.near(visible.STYLE, "style")
        elif key == "dir" and value.lower() not in ("ltr", "rtl", "auto"):
            self.near(f"dir={value!r} is not a direction: ltr, rtl or auto", "dir")
        elif key not in visible.KEYS and (
            kind in json_ast.MARKABLE or value.strip().casefold() in visible.FLAGS
        ):  # on a part, or a switch on anything (`{public=false}`: adversary helper 132)
            self.near(visible.UNKNOWN_KEY.format(key=key), key)

    def _record(self, kind: str, key: str, value: str) -> None:
        """Check a decision= or vote= attribute (or a near miss of one)."""
        message = headings.record_problem(kind, key, value)
        if message is not None:
            self.near(message, f"{key}=" if key in ("decision", "vote") else key)

    def _concerns(self, key: str, value: str) -> None:
        if key == "clps":
            unknown = [s for s in value.split() if s not in self.directory.by_slug]
        else:
            unknown = split_regions(value, self.directory.regions)[1]
        known = self.directory.by_slug if key == "clps" else self.directory.regions
        for name in unknown:
            noun = "CLP slug" if key == "clps" else "region"
            self.near(f"unknown {noun} {name!r} in {key}={did_you_mean(name, known)}", name)

    def _image(self, node: Node) -> None:
        src = node["c"][2][0]
        if src in self.images:
            return
        written = [src] if src in self.source.body else [re.split(r"[\\/]", src)[-1]]
        written = [w for w in written if w] or ["]()", "](<>)", "]( )"]  # none: `![](<>)`
        # (its file's name where its address is not written as read: `img\..\x.png`)
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", src) or src.startswith("//"):
            shown = src if len(src) <= 80 else f"{src[:60]}…"  # a `data:` picture (helper 148)
            self.near(f"image {shown!r}: images must be files inside the reports folder (save "
                      "it as a file beside the report, and name that)", *written)  # fmt: skip
            return
        path = (self.source.path.parent / unquote(src)).resolve()  # pandoc writes ' ' as %20
        if not path.is_relative_to(self.reports):
            self.near(f"image {src!r} is outside the reports folder", *written)
        elif path.suffix.lower() not in IMAGE_TYPES:
            self.near(f"image {src!r}: only {', '.join(sorted(IMAGE_TYPES))} files", *written)
        elif not path.is_file():
            self.near(f"image {src!r} not found", *written)
        elif found := images.problems(path):
            self.near(f"image {src!r} {found[0]}", *written)
        else:
            try:
                self.images[src] = Image(path, images.published_name(path, self.cache))
            except ImageRefused as refused:
                self.near(f"image {src!r} {refused}", src)


def _kind_name(kind: str) -> str:
    names = {"CodeBlock": "a code block", "Code": "inline code", "Link": "a link"}
    names |= {"Image": "an image", "Table": "a table", "Figure": "a figure"}
    return names.get(kind, kind)


def _front(source: Source) -> list[tuple[str, str]]:
    """Return the front matter's published values, each with its key."""
    meta = source.meta
    texts = [("title", meta.title), ("meeting", meta.meeting), ("summary", meta.summary or "")]
    return texts + [("tags", " ".join(meta.tags))] + [("corrections", c.note)
                                                        for c in meta.corrections]  # fmt: skip
