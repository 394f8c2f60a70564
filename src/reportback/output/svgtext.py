"""The letters a safe SVG draws, as written and as placed on the picture.

No byte of an SVG's PNG holds its letters, so the leak audit reads them beside the pixels
(adversary helper 137): as written, and as placed, line by line and left to right, where each
piece of text is put by its `x`/`y`, `dx`/`dy`, the `transform`s of it and of every element
around it, and a `<use>` that draws it again elsewhere (helper 140 placed the words, and the
letters of one, in another order than written). A text placed a letter at a time (`x="0 9
18"`) is read in its letters' order on the picture.

An audit reads more than is drawn rather than less: each reading is given, one after another.
"""

from __future__ import annotations

import copy
import functools
import io
import itertools
import math
import re
import statistics
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

from reportback.output.svgstyle import FUNCTION, numbers_in

Matrix = tuple[float, float, float, float, float, float]
"""An affine map (a, b, c, d, e, f): x' = a·x + c·y + e, y' = b·x + d·y + f."""
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
"""A number of a list of places (`x="10 20.5 3e1"`)."""
HREF = re.compile(r"(?:^|[}:])href$")
DEPTH = 8
"""How many `<use>`s deep the letters are followed (a safe SVG's are few)."""

Piece = tuple[tuple[int, int], int, float, int, str]
"""A text where it is drawn: the ways its letters and its lines run (degrees), its line, its
place along the line, its order as written, the text."""


def drawn_text(root: Any, draw: Callable[[str], bytes] | None = None) -> str:
    """Return the letters of a safe SVG's tree (lxml) as written, then as placed: its pieces
    apart and run together (a word split between `<tspan>`s, or drawn a letter at a time) and
    a column at a time (a box of words read down: helper 153), the placed ones backwards too
    (a text mirrored, turned over or written right to left), every line's words backwards (a
    right-to-left embedding draws its words so: helper 153), and each
    again without what shows nothing (`Canary&shy;field`) and a word broken at a line's end
    rejoined (helper 145). Given `draw` (SVG to PNG), all of it again with only the pieces
    drawn (`hidden`: helper 149 hid a letter in the middle of a phrase)."""
    readings = _readings(root)
    if draw is not None and (unseen := hidden(root, draw)):
        shown = copy.deepcopy(root)
        for n, (element, kind) in enumerate(_pieces(shown)):
            if n in unseen:
                setattr(element, kind, None)
        readings += "\n" + _readings(shown)
    return readings


def _readings(root: Any) -> str:
    ids = {e.get("id"): e for e in root.iter() if isinstance(e.tag, str) and e.get("id")}
    placed = sorted(_placed(root, IDENTITY, (0.0, 0.0), ids, (), [0]))
    written = list(root.itertext())
    apart, together = " ".join(text for *_, text in placed), _run_together(placed)
    columns = " ".join(p[4] for p in sorted(placed, key=lambda p: (p[0], round(p[2]), p[1], p[3])))
    readings = "\n".join([" ".join(written), "".join(written), apart, together, columns,
                          apart[::-1], together[::-1]])  # fmt: skip
    readings += "\n" + "\n".join(" ".join(line.split()[::-1]) for line in readings.split("\n"))
    shown = "".join(c for c in readings if unicodedata.category(c) != "Cf")
    return "\n".join([readings, shown, BROKEN.sub("", shown)])


TEXTS = ("text", "tspan")
SEEN = 24
"""How far a pixel's colour must move to show a piece drawn: less is the colour under it
(adversary helper 153: `#fefefe` letters on white broke a phrase and showed nothing)."""
CODE = 0x2A0000
"""The first of the colours each piece of text is painted in to see whether it is drawn."""
AS_IT_IS = (
    "display:inherit;visibility:inherit;opacity:1;fill-opacity:inherit;stroke:none;"
    "font-size:inherit;font-family:inherit;font-weight:inherit;font-style:inherit;"
    "letter-spacing:inherit;word-spacing:inherit;clip-path:none;mask:none;filter:none;"
)
"""A wrapper's style: as its text was, whatever the SVG's style sheet says of a `<tspan>`."""


def hidden(root: Any, draw: Callable[[str], bytes]) -> set[int]:
    """Return the pieces of text (`_pieces`, by number) that are not drawn: hidden, of no
    size, transparent, clipped, covered, off the picture or in the colour under them.

    The picture is drawn as it is, with every piece transparent, and with each piece painted
    in a colour of its own: a piece is drawn if its colour shows where the first two differ.
    """
    from lxml import etree
    from PIL import Image, ImageChops

    trees = [root, copy.deepcopy(root), copy.deepcopy(root)]
    for paint, tree in ((True, trees[1]), (False, trees[2])):
        for n, (element, kind) in enumerate(list(_pieces(tree))):
            fill = f"fill:#{CODE + n:06x}" if paint else "fill-opacity:0;stroke-opacity:0"
            _wrap(element, kind, AS_IT_IS + fill)
    try:
        pngs = [draw(etree.tostring(tree, encoding="unicode")) for tree in trees]
    except ValueError:  # (svgdraw.NotDrawn) it was drawn as published: nothing to tell
        return set()
    shown, painted, bare = (Image.open(io.BytesIO(png)).convert("RGBA") for png in pngs)
    bands = ImageChops.difference(shown, bare).split()
    changed = functools.reduce(ImageChops.lighter, bands).point(lambda v: 255 if v > SEEN else 0)
    where = Image.composite(painted, Image.new("RGBA", painted.size), changed)
    colours = {
        (c[0] << 16) | (c[1] << 8) | c[2]
        for _, c in where.getcolors(where.width * where.height) or []
        if isinstance(c, tuple) and c[3]
    }
    pieces = enumerate(_pieces(root))  # (spaces draw nothing, hidden or not)
    return {n for n, (e, kind) in pieces if getattr(e, kind).strip() and CODE + n not in colours}


def _pieces(root: Any) -> Iterator[tuple[Any, str]]:
    """Yield each piece of text an SVG draws, in order: a text's or tspan's own text
    (`"text"`), and the text after an element inside one (`"tail"`)."""
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag.rpartition("}")[2] not in TEXTS:
            continue
        if element.text:
            yield element, "text"
        for child in element:
            if child.tail:
                yield child, "tail"


def _wrap(element: Any, kind: str, style: str) -> None:
    """Put a piece of text in a `<tspan>` of its own, styled `style`."""
    from lxml import etree

    namespace = etree.QName(element).namespace
    wrapper = etree.Element(f"{{{namespace}}}tspan" if namespace else "tspan", style=style)
    wrapper.text = getattr(element, kind)
    setattr(element, kind, None)
    if kind == "text":
        element.insert(0, wrapper)
    else:
        element.addnext(wrapper)


BROKEN = re.compile(r"(?<=\w)[-\u2010\u00ad]\s*(?=\w)")
"""A hyphen ending a line in a word that goes on on the next (or any hyphen: one reading)."""
SPACE = 1.6
"""A gap between letters placed one at a time this many times their usual gap is a space."""


def _run_together(placed: list[Piece]) -> str:
    """Return the pieces run together, a line at a time; letters placed one at a time with a
    space where the gap after one is wider than their usual gap."""
    lines: list[str] = []
    for _, pieces in itertools.groupby(placed, key=lambda piece: piece[:2]):
        line = list(pieces)
        gaps = [b[2] - a[2] for a, b in itertools.pairwise(line) if _letters(a, b)]
        usual = statistics.median(gaps) if gaps else 0.0
        text = line[0][4]
        for a, b in itertools.pairwise(line):
            wide = _letters(a, b) and usual > 0 and b[2] - a[2] > SPACE * usual
            text += (" " if wide else "") + b[4]
        lines.append(text)
    return "\n".join(lines)


def _letters(a: Piece, b: Piece) -> bool:
    return len(a[4].strip()) == 1 and len(b[4].strip()) == 1


def _placed(
    element: Any,
    outer: Matrix,
    at: tuple[float, float],
    ids: dict[str, Any],
    using: tuple[str, ...],
    count: list[int],
) -> Iterator[Piece]:
    """Yield each text of `element` and below where it is drawn: `outer` maps the parent's
    places onto the picture, `at` is where the parent's text is (a piece given no place of
    its own is there); `using` are the ids a `<use>` has followed to here."""
    tag = str(element.tag).rpartition("}")[2]
    matrix = _times(outer, transform(element.get("transform") or ""))
    if tag in ("use", "svg"):  # what it draws starts at its x and y
        matrix = _times(matrix, (1, 0, 0, 1, _first(element, "x", 0.0), _first(element, "y", 0.0)))
    if tag == "use":
        target = next((v for k, v in element.attrib.items() if HREF.search(k)), "")
        found = ids.get(target[1:]) if target.startswith("#") else None
        if found is not None and target not in using and len(using) < DEPTH:
            yield from _placed(found, matrix, (0.0, 0.0), ids, (*using, target), count)
        return
    x = _first(element, "x", at[0]) + _first(element, "dx", 0.0)
    y = _first(element, "y", at[1]) + _first(element, "dy", 0.0)
    here = (x, y)
    text = element.text or ""
    xs = [float(n) for n in NUMBER.findall(element.get("x") or "")]
    if len(xs) > 1 and text:  # a letter each, as far as the places go
        yield from (_piece(matrix, (n, y), c, count) for n, c in zip(xs, text, strict=False))
        text, here = text[len(xs) :], (xs[min(len(xs), len(text)) - 1], y)
    yield _piece(matrix, here, text, count)
    for child in element:
        if isinstance(child.tag, str):
            yield from _placed(child, matrix, here, ids, using, count)
        if child.tail:
            yield _piece(matrix, here, child.tail, count)


def _piece(matrix: Matrix, at: tuple[float, float], text: str, count: list[int]) -> Piece:
    """Place a text: by the way its letters run (a group turned or mirrored is read in its
    own way, as a reader turns the picture), then by its line, then along the line."""
    count[0] += 1
    along, across = _axes(matrix)
    point = _map(matrix, at)
    way = (round(math.degrees(math.atan2(along[1], along[0]))) % 360,
           round(math.degrees(math.atan2(across[1], across[0]))) % 360)  # fmt: skip
    return (way, round(_dot(point, across)), _dot(point, along), count[0], text)


def _axes(m: Matrix) -> tuple[tuple[float, float], tuple[float, float]]:
    """Return the directions a map gives a line of letters and the next line (unit long)."""
    return _unit(m[0], m[1]), _unit(m[2], m[3])


def _unit(x: float, y: float) -> tuple[float, float]:
    size = math.hypot(x, y) or 1.0
    return (x / size, y / size)


def _dot(p: tuple[float, float], q: tuple[float, float]) -> float:
    return p[0] * q[0] + p[1] * q[1]


def _first(element: Any, name: str, default: float) -> float:
    found = NUMBER.search(element.get(name) or "")
    return float(found[0]) if found else default


def transform(value: str) -> Matrix:
    """Return the map a `transform` attribute names (`svgstyle.moves` has checked it)."""
    matrix = IDENTITY
    for function in FUNCTION.finditer(value):
        kind, numbers = function[1].lower(), numbers_in(function[2]) or []
        matrix = _times(matrix, _move(kind, numbers))
    return matrix


def _move(kind: str, given: list[float]) -> Matrix:
    n = given + [0.0] * (6 - len(given))  # what is not given is 0 (a scale's y: its x)
    if kind == "matrix":
        return (n[0], n[1], n[2], n[3], n[4], n[5])
    if kind == "translate":
        return (1.0, 0.0, 0.0, 1.0, n[0], n[1])
    if kind == "scale":
        return (n[0], 0.0, 0.0, n[1] if len(given) > 1 else n[0], 0.0, 0.0)
    angle = math.radians(n[0])
    if kind == "rotate":
        cos, sin = math.cos(angle), math.sin(angle)
        turn = (cos, sin, -sin, cos, 0.0, 0.0)
        return _times(_times((1, 0, 0, 1, n[1], n[2]), turn), (1, 0, 0, 1, -n[1], -n[2]))
    if kind == "skewx":
        return (1.0, 0.0, math.tan(angle), 1.0, 0.0, 0.0)
    if kind == "skewy":
        return (1.0, math.tan(angle), 0.0, 1.0, 0.0, 0.0)
    return IDENTITY


def _times(m: Matrix, n: Matrix) -> Matrix:
    """Return the map that applies `n`, then `m`."""
    a1, b1, c1, d1, e1, f1 = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a1 * a2 + c1 * b2,
        b1 * a2 + d1 * b2,
        a1 * c2 + c1 * d2,
        b1 * c2 + d1 * d2,
        a1 * e2 + c1 * f2 + e1,
        b1 * e2 + d1 * f2 + f1,
    )


def _map(m: Matrix, point: tuple[float, float]) -> tuple[float, float]:
    x, y = point
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
