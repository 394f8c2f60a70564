"""An SVG as resvg will draw it, and as a browser shows it: or refused.

The rep sees an SVG in a browser; the site shows what resvg draws of it. Where the two differ,
what the browser hides could be published: so an SVG is kept to what both read alike. A copy
loses its scripts, handlers, comments, titles, descriptions, metadata and foreignObject; one
that refers to any file or address is refused; so is one that animates (a picture published
still may show what its animation hides) or chooses what to draw by the reader's language,
and a style that resvg reads otherwise than a browser (adversary helper 122: `@media`,
`:not()`, `var()`, `clip-path: inset()`, `mask-image`, `content-visibility`, `~`, an
escaped name, a property in capitals, a colour with `/ alpha`, `unset`, `display: contents`,
a length in a `transform` were each hidden in a browser and drawn by resvg; helper 124
found ~60 more, from keywords in capitals to text laid out off the picture). A picture
embedded in it (`data:` image) is published through the same cleaning as any image.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import Any

from reportback.errors import ImageRefused
from reportback.output import svgstyle, svgtext

SVG_NS = "{http://www.w3.org/2000/svg}"
DROPPED = frozenset({"script", "foreignObject", "title", "desc", "metadata"})
"""SVG elements that carry text or code but draw nothing resvg would draw."""
ANIMATION = frozenset({"set", "animate", "animateMotion", "animateTransform", "animateColor",
                       "discard"})  # fmt: skip
CONDITIONS = frozenset({"systemLanguage", "requiredFeatures", "requiredExtensions"})
HREF = re.compile(r"(?:^|[}:])href$")
MARKER = re.compile(r"(?:^|;)\s*marker(?:-start|-mid|-end)?\s*:")
"""A marker property in a style (not `paint-order: markers fill stroke`, which Inkscape
writes on a rectangle: honest user helper 148)."""
LAID_OUT = frozenset({"textPath", "tref", "textLength", "lengthAdjust", "transform-origin"})
"""Text laid out otherwise by resvg and a browser (off the picture, or not at all)."""
KEPT_SPACES = re.compile(r"white-space\s*[:=]\s*[\"']?\s*pre")
SPACES = re.compile(r"^\s|\s\s")
"""Spaces a browser keeps under `white-space: pre` (80 of them put the text off the picture)
and resvg does not."""
ROOT_SIZE = re.compile(r"([0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)(px|pt|pc|mm|cm|in)?")
"""A root's width or height as both read it: a number, and a unit of absolute size."""
PIXELS = {None: 1.0, "px": 1.0, "pt": 4 / 3, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54,
          "in": 96.0}  # fmt: skip
"""Pixels in each unit, at 96 an inch (as resvg is asked to draw)."""
ATTLIST = re.compile(rb"<!ATTLIST", re.IGNORECASE)
STYLESHEET = re.compile(rb"<\?xml-stylesheet\b[^>]*?\bhref\s*=\s*[\"']([^\"']*)")
"""A style sheet an SVG names before its root (`<?xml-stylesheet href="x.css"?>`)."""
EMBEDDED = re.compile(r"\s*data:image/(png|jpeg|gif|webp);base64,(.*)", re.DOTALL)


Clean = Callable[[bytes, str], bytes]
"""Clean an embedded picture (its bytes and suffix) as any image is cleaned."""


def safe_svg(data: bytes, clean: Clean) -> tuple[tuple[int, int], str]:
    """Return the size in pixels the SVG is drawn at, and its text with only what draws,
    each embedded picture `clean`ed; raise ImageRefused for one that refers to any file, or
    that a browser would show otherwise than resvg draws it."""
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities="internal", no_network=True, load_dtd=False, remove_comments=True,
        remove_pis=True, huge_tree=False,
    )  # fmt: skip
    for found in STYLESHEET.finditer(data):  # dropped with every processing instruction
        if not internal(value := found[1].decode("utf-8", "replace")):  # but named: helper 115
            raise svgstyle.refers(value)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ImageRefused(f"is not a well-formed SVG ({exc})") from exc
    if root.tag not in (f"{SVG_NS}svg", "svg"):
        raise ImageRefused("is not an SVG (its root element is not <svg>)")
    size = _document(data, root)
    ids = [i for e in root.iter() if isinstance(e.tag, str) and (i := e.get("id")) is not None]
    if len(ids) != len(set(ids)):  # a browser refers to the first, resvg to the last
        raise svgstyle.styled("an id given twice")
    for element in list(root.iter()):
        if not isinstance(element.tag, str):  # an entity left unresolved: external
            raise ImageRefused("refers to an external entity; write the SVG without a DTD")
        tag = etree.QName(element).localname
        if tag in DROPPED:  # but a style sheet in it is a browser's (adversary helper 125)
            if any(etree.QName(e).localname == "style" for e in element.iter() if e is not element):
                raise svgstyle.styled(f"a <style> inside <{tag}>")
            element.getparent().remove(element)
            continue
        _element(element, tag)
        if tag in ANIMATION or tag == "switch":
            what = "animates" if tag in ANIMATION else "chooses what it draws for each reader"
            raise ImageRefused(f"{what} (<{tag}>), which is published as one still picture: "
                               "remove it")  # fmt: skip
        if tag == "style":
            if len(element) or element.get("type", "text/css") != "text/css":
                raise svgstyle.styled("a <style> holding elements, or of a type but text/css")
            svgstyle.style_sheet(element.text or "")
        for name, value in list(element.attrib.items()):
            _attribute(element, etree.QName(name).localname, name, value, clean)
    drawn = str(etree.tostring(root, encoding="unicode"))
    if KEPT_SPACES.search(drawn) and any(SPACES.search(t) for t in _texts(root)):
        raise svgstyle.styled("spaces kept in its text (white-space: pre) where a browser "
                              "lays them out otherwise (leading, or two together)")  # fmt: skip
    return size, drawn


def drawn_text(safe: str, draw: Callable[[str], bytes] | None = None) -> str:
    """Return every text a safe SVG (`safe_svg`'s) holds: what it draws in letters, as
    written and as placed, and (given `draw`) only what is drawn (`svgtext`)."""
    from lxml import etree

    return svgtext.drawn_text(etree.fromstring(safe.encode("utf-8")), draw)


def _texts(root: Any) -> list[str]:
    """Return the text of each text element's parts (not the spaces between its tags)."""
    texts: list[str] = []
    for element in root.iter(f"{SVG_NS}text", f"{SVG_NS}tspan", "text", "tspan"):
        texts += [t for t in (element.text, element.tail) if t and t.strip()]
    return texts


def _attribute(element: Any, local: str, name: str, value: str, clean: Clean) -> None:
    attrib = element.attrib
    if name.startswith(SVG_NS) or local in LAID_OUT:
        raise svgstyle.styled(f"{local}={value[:40]!r}")
    if (
        value != value.strip(svgstyle.ASCII_SPACE)
        and local in svgstyle.PROPERTIES | svgstyle.GEOMETRY
    ):
        value = attrib[name] = value.strip(svgstyle.ASCII_SPACE)  # as a browser reads it
    if local.lower().startswith("on"):
        del attrib[name]
    elif HREF.search(name):
        if not internal(value) or (value.strip().startswith("#") and "%" in value):
            raise svgstyle.refers(value)
        attrib[name] = _cleaned(value, clean)
    elif local in CONDITIONS:
        raise ImageRefused(f"chooses what it draws by the reader's settings ({local}=): "
                           "remove it")  # fmt: skip
    elif local == "style":
        svgstyle.declarations(value)
    elif local in svgstyle.TRANSFORMS:
        svgstyle.moves(local, value)
    elif local in svgstyle.PROPERTIES or "url(" in value:
        svgstyle.property_value(local, value)
    elif local in svgstyle.GEOMETRY:
        svgstyle.lengths(local, value)
    elif local == "viewBox" and not svgstyle.positive_box(value):
        raise svgstyle.styled(f"viewBox={value[:40]!r} (a box of no size)")
    elif local == "class" and re.search(r"[^\S ]", value):
        raise svgstyle.styled(f"class={value[:40]!r} (names apart by spaces only)")


def _document(data: bytes, root: Any) -> tuple[int, int]:
    """Return the size in pixels the SVG is drawn at; refuse what changes how the whole SVG
    is read: defaults a DTD gives attributes, an encoding but UTF-8, a size a browser reads
    otherwise (adversary helper 124), or none a picture can have."""
    docinfo = root.getroottree().docinfo
    if ATTLIST.search(data):
        raise svgstyle.styled("a DTD giving attributes defaults (<!ATTLIST>)")
    if (docinfo.encoding or "utf-8").lower() not in ("utf-8", "us-ascii", "ascii"):
        raise ImageRefused(f"is written in {docinfo.encoding}: save it as UTF-8")
    sizes = []
    for side in ("width", "height"):
        given = root.get(side)
        if given is None or (found := ROOT_SIZE.fullmatch(given)) is None:
            said = f"no {side}" if given is None else f"{side}={given!r}"  # not width=None
            raise ImageRefused(f"has {said}, which a browser reads otherwise than resvg: give "
                               "the SVG a width and a height (`400` or `400px`, `288pt`, "
                               "`160mm`)")  # fmt: skip
        sizes.append(float(found[1]) * PIXELS[found[2]])
    if not all(0 < size < 1e9 for size in sizes):
        raise ImageRefused(f"would be drawn at {sizes[0]:g}×{sizes[1]:g} pixels")
    return int(sizes[0]) + 1, int(sizes[1]) + 1


def _element(element: Any, tag: str) -> None:
    get = element.get
    parent = element.getparent()
    if tag in LAID_OUT:
        raise svgstyle.styled(f"<{tag}>")
    if tag == "style" and any(key not in ("type", "id") for key in element.attrib):
        raise svgstyle.styled("a <style> for some media or readers only (media=, title=)")
    if tag == "text" and any(str(a.tag).endswith("marker") for a in element.iterancestors()):
        raise svgstyle.styled("text in a <marker> (drawn where a path's points fall)")
    if tag == "symbol" and any(get(k) is not None for k in ("x", "y", "width", "height")):
        raise svgstyle.styled("a <symbol> placed or sized (x=, y=, width=, height=)")
    if tag == "pattern" and any("href" in k for k in element.attrib):
        raise svgstyle.styled("a <pattern> taking another's parts (href=)")
    if tag == "use" and parent is not None and parent.tag.endswith("clipPath"):
        raise svgstyle.styled("a <use> in a <clipPath>")
    if tag in ("use", "svg") and any(
        (n := svgstyle.numbers_in(re.sub(r"[a-z%]+$", "", get(k) or "1"))) is None
        or any(x <= 0 for x in n)
        for k in ("width", "height")
    ):
        raise svgstyle.styled(f"a <{tag}> of no size")
    painted = " ".join(get(k) or "" for k in ("fill", "stroke", "style"))
    if tag == "line" and "url(" in painted:  # its box has no height or width (helper 125)
        raise svgstyle.styled("a <line> painted by a gradient or pattern")
    stops = tag.endswith("Gradient") and any(
        str(e.tag).rpartition("}")[2] == "stop" for e in element
    )
    if tag.endswith("Gradient") and not stops and not any("href" in k for k in element.attrib):
        raise svgstyle.styled(f"a <{tag}> with no stops")  # a browser paints none; resvg a fallback
    marked = [k for k in ("marker", "marker-start", "marker-mid", "marker-end") if get(k)]
    marked += ["marker"] if MARKER.search(get("style") or "") else []
    if marked and tag not in ("path", "line", "polyline", "polygon", "g", "svg"):
        raise svgstyle.styled(f"markers on a <{tag}>")
    if marked and any(  # under a filter, a mask or a clip
        e.get(k) or k in (e.get("style") or "")
        for e in (element, *element.iterancestors())
        for k in ("filter", "mask", "clip-path")
    ):  # a shape of no height: a browser drew none of it (helper 127)
        raise svgstyle.styled("markers under a filter, a mask or a clip")


def internal(href: str) -> bool:
    href = href.strip()
    return href.startswith("#") or re.match(r"data:image/(png|jpeg|gif|webp);", href) is not None


def _cleaned(href: str, clean: Clean) -> str:
    """Return an embedded picture's address with its picture cleaned as any image is."""
    found = EMBEDDED.fullmatch(href)
    if found is None:
        if href.strip().startswith("#"):
            return href
        raise ImageRefused("embeds a picture not written in base64 (data:image/…;base64,…)")
    kind, text = found.groups()
    try:
        picture = base64.b64decode(re.sub(r"\s+", "", text), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImageRefused("embeds a picture whose base64 cannot be read") from exc
    try:
        made = clean(picture, ".jpg" if kind == "jpeg" else f".{kind}")
    except ImageRefused as refused:
        raise ImageRefused(f"embeds a picture that {refused}") from refused
    shown = "jpeg" if kind == "jpeg" else "png"
    return f"data:image/{shown};base64,{base64.b64encode(made).decode()}"
