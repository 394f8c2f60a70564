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

from PIL import ImageColor

from reportback.errors import ImageRefused

SVG_NS = "{http://www.w3.org/2000/svg}"
DROPPED = frozenset({"script", "foreignObject", "title", "desc", "metadata"})
"""SVG elements that carry text or code but draw nothing resvg would draw."""
ANIMATION = frozenset({"set", "animate", "animateMotion", "animateTransform", "animateColor",
                       "discard"})  # fmt: skip
CONDITIONS = frozenset({"systemLanguage", "requiredFeatures", "requiredExtensions"})
HREF = re.compile(r"(?:^|[}:])href$")
PROPERTIES = frozenset({
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity",
    "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray",
    "stroke-dashoffset", "opacity", "display", "visibility", "color", "font", "font-family",
    "font-size", "font-style", "font-weight", "font-variant", "font-variant-ligatures",
    "font-variant-caps", "font-variant-numeric", "font-variant-east-asian", "font-stretch",
    "font-feature-settings", "font-kerning", "text-anchor", "dominant-baseline",
    "alignment-baseline", "baseline-shift", "letter-spacing", "word-spacing", "text-decoration",
    "text-decoration-line", "text-decoration-style", "text-decoration-color", "text-align",
    "line-height", "writing-mode", "direction", "unicode-bidi", "white-space", "stop-color",
    "stop-opacity", "flood-color", "flood-opacity", "lighting-color", "clip-path", "clip-rule",
    "mask", "marker", "marker-start", "marker-mid", "marker-end", "filter", "shape-rendering",
    "image-rendering", "text-rendering", "color-rendering", "color-interpolation",
    "color-interpolation-filters", "paint-order", "mix-blend-mode", "isolation", "vector-effect",
    "overflow", "enable-background", "-inkscape-font-specification", "-inkscape-stroke",
    "solid-color", "solid-opacity"
})  # fmt: skip
"""The style properties an SVG may set: each drawn by resvg as a browser draws it (a
browser's `x`, `transform`, `translate`, `zoom`, `mask-image`, `content-visibility`… moved or
hid what resvg drew), or by neither."""
TRANSFORMS = frozenset({"transform", "gradientTransform", "patternTransform"})
FUNCTIONS = frozenset({"url", "rgb", "rgba", "hsl", "hsla"})
MOVES = frozenset({"matrix", "translate", "scale", "rotate", "skewx", "skewy"})
FUNCTION = re.compile(r"([A-Za-z_-][\w-]*)\s*\(([^()]*)\)?")
UNIT = re.compile(r"[0-9.]\s*(?![eE][+-]?[0-9])[a-zA-Z%]")
"""A unit after a number (`translate(100px)`: a browser moves it, resvg does not)."""
LAID_OUT = frozenset({"textPath", "tref", "textLength", "lengthAdjust"})
"""Text laid out otherwise by resvg and a browser (off the picture, or not at all)."""
FONTS = frozenset({"font", "font-family", "-inkscape-font-specification"})
COLOURS = frozenset({"fill", "stroke", "color", "stop-color", "flood-color", "lighting-color",
                     "solid-color"})  # fmt: skip
GEOMETRY = frozenset({"x", "y", "width", "height", "rx", "ry", "cx", "cy", "r", "x1", "y1",
                      "x2", "y2", "dx", "dy", "fx", "fy", "refX", "refY", "markerWidth",
                      "markerHeight", "font-size", "stroke-width", "letter-spacing",
                      "word-spacing", "stroke-dasharray", "stroke-dashoffset"})  # fmt: skip
LENGTH_UNITS = frozenset({"px", "pt", "pc", "mm", "cm", "in", "em", "ex", "%"})
"""The units resvg reads (a browser's `vw`, `ch`, `rem`, `Q`… covered what resvg drew)."""
KEYWORDS = {
    "display": frozenset({"none", "inline", "block", "inline-block"}),
    "writing-mode": frozenset({"lr-tb", "lr", "horizontal-tb"}),
    "white-space": frozenset({"normal", "pre"}),
    "direction": frozenset({"ltr"}),
    "unicode-bidi": frozenset({"normal"}),
    "vector-effect": frozenset({"none"}),
    "baseline-shift": frozenset({"baseline", "sub", "super", "0"}),
    "mix-blend-mode": frozenset({"normal", "multiply", "screen", "overlay", "darken", "lighten",
                                 "color-dodge", "color-burn", "hard-light", "soft-light",
                                 "difference", "exclusion", "hue", "saturation", "color",
                                 "luminosity"}),
    "overflow": frozenset({"visible", "hidden", "auto", "scroll"}),
}  # fmt: skip
"""The values a property may take where resvg and a browser lay out others differently (a
`direction: rtl`, `white-space: pre`, `baseline-shift: 1000` or `writing-mode: sideways-rl`
put a browser's text off the picture; `plus-lighter` whitened what resvg drew)."""
PAINTS = frozenset({"none", "currentcolor", "transparent", "context-fill", "context-stroke"})
CAMEL = re.compile(
    r"\b(?:crispEdges|optimizeSpeed|optimizeLegibility|geometricPrecision"
    r"|optimizeQuality|sRGB|linearRGB)\b"
)
"""SVG's keywords written with capitals, as both read them."""
KEPT_SPACES = re.compile(r"white-space\s*[:=]\s*[\"']?\s*pre")
SPACES = re.compile(r"^\s|\s\s")
"""Spaces a browser keeps under `white-space: pre` (80 of them put the text off the picture)
and resvg does not."""
ROOT_SIZE = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?(?:px|pt|pc|mm|cm|in)?")
ATTLIST = re.compile(rb"<!ATTLIST", re.IGNORECASE)
RESET = re.compile(r"\b(?:initial|unset|revert|revert-layer)\b", re.IGNORECASE)
NAME = r"-?[A-Za-z_][\w-]*"
COMPOUND = rf"(?:(?:\*|{NAME})(?:[.#]{NAME})*|(?:[.#]{NAME})+)"
SELECTOR = re.compile(rf"\s*{COMPOUND}(?:\s*[>+]\s*{COMPOUND}|\s+{COMPOUND})*\s*")
"""A selector resvg matches as a browser does: names, classes, ids and `*`, joined by space,
`>` or `+` (resvg skipped `~`, `:not()`, `:last-child`, `[a i]`; `:first-child` matched a
`<use>`'s copy in a browser only, and counted a `<title>` otherwise: adversary helper 124)."""
RULE = re.compile(r"\s*([^{}@\\]+?)\s*\{([^{}]*)\}\s*")
STYLESHEET = re.compile(rb"<\?xml-stylesheet\b[^>]*?\bhref\s*=\s*[\"']([^\"']*)")
"""A style sheet an SVG names before its root (`<?xml-stylesheet href="x.css"?>`)."""
EMBEDDED = re.compile(r"\s*data:image/(png|jpeg|gif|webp);base64,(.*)", re.DOTALL)


Clean = Callable[[bytes, str], bytes]
"""Clean an embedded picture (its bytes and suffix) as any image is cleaned."""


def safe_svg(data: bytes, clean: Clean) -> tuple[object, str]:
    """Return the SVG's root element and its text with only what draws, each embedded
    picture `clean`ed; raise ImageRefused for one that refers to any file, or that a
    browser would show otherwise than resvg draws it."""
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities="internal", no_network=True, load_dtd=False, remove_comments=True,
        remove_pis=True, huge_tree=False,
    )  # fmt: skip
    for found in STYLESHEET.finditer(data):  # dropped with every processing instruction
        if not internal(value := found[1].decode("utf-8", "replace")):  # but named: helper 115
            raise _refers(value)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ImageRefused(f"is not a well-formed SVG ({exc})") from exc
    if root.tag not in (f"{SVG_NS}svg", "svg"):
        raise ImageRefused("is not an SVG (its root element is not <svg>)")
    _document(data, root)
    for element in list(root.iter()):
        if not isinstance(element.tag, str):  # an entity left unresolved: external
            raise ImageRefused("refers to an external entity; write the SVG without a DTD")
        tag = etree.QName(element).localname
        if tag in DROPPED:
            element.getparent().remove(element)
            continue
        _element(element, tag)
        if tag in ANIMATION or tag == "switch":
            what = "animates" if tag in ANIMATION else "chooses what it draws for each reader"
            raise ImageRefused(f"{what} (<{tag}>), which is published as one still picture: "
                               "remove it")  # fmt: skip
        if tag == "style":
            _style_sheet("".join(element.itertext()))
        for name, value in list(element.attrib.items()):
            _attribute(element, etree.QName(name).localname, name, value, clean)
    drawn = str(etree.tostring(root, encoding="unicode"))
    if KEPT_SPACES.search(drawn) and any(SPACES.search(t) for t in _texts(root)):
        raise _styled("spaces kept in its text (white-space: pre) where a browser lays them "
                      "out otherwise than resvg (leading, or two together)")  # fmt: skip
    return root, drawn


def _texts(root: Any) -> list[str]:
    """Return the text of each text element's parts (not the spaces between its tags)."""
    texts: list[str] = []
    for element in root.iter(f"{SVG_NS}text", f"{SVG_NS}tspan", "text", "tspan"):
        texts += [t for t in (element.text, element.tail) if t and t.strip()]
    return texts


def _attribute(element: Any, local: str, name: str, value: str, clean: Clean) -> None:
    attrib = element.attrib
    if name.startswith(SVG_NS) or local in LAID_OUT:
        raise _styled(f"{local}={value[:40]!r}")
    if local.lower().startswith("on"):
        del attrib[name]
    elif HREF.search(name):
        if not internal(value):
            raise _refers(value)
        attrib[name] = _cleaned(value, clean)
    elif local in CONDITIONS:
        raise ImageRefused(f"chooses what it draws by the reader's settings ({local}=): "
                           "remove it")  # fmt: skip
    elif local == "style":
        _declarations(value)
    elif local in TRANSFORMS:
        _moves(local, value)
    elif local in PROPERTIES or "url(" in value:
        _value(local, value)
    elif local in GEOMETRY:
        _lengths(local, value)
    elif local == "viewBox" and not _positive_box(value):
        raise _styled(f"viewBox={value[:40]!r} (a box of no size)")
    elif local == "class" and re.search(r"[^\S ]", value):
        raise _styled(f"class={value[:40]!r} (names apart by spaces only)")


def _style_sheet(text: str) -> None:
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.DOTALL)
    at = 0
    while at < len(text.rstrip()):
        rule = RULE.match(text, at)
        if rule is None:
            raise _styled(f"a style ({text[at : at + 40].strip()!r})")
        for selector in rule[1].split(","):
            if not SELECTOR.fullmatch(selector):
                raise _styled(f"a selector ({selector.strip()[:40]!r})")
        _declarations(rule[2])
        at = rule.end()


def _declarations(text: str) -> None:
    for declaration in text.split(";"):
        if not declaration.strip():
            continue
        name, colon, value = declaration.partition(":")
        name = name.strip()
        if not colon or name not in PROPERTIES:
            raise _styled(f"the style property {name[:40]!r}")
        value = re.sub(r"!\s*important\s*$", "", value.strip())
        _value(name, value)


def _value(name: str, value: str) -> None:
    if "\\" in value or RESET.search(value):
        raise _styled(f"{name}: {value[:40]!r}")
    keywords = CAMEL.sub("", re.sub(r"url\([^)]*\)|#[0-9A-Fa-f]+\b", "", value))
    if name not in FONTS and keywords != keywords.lower():
        raise _styled(f"{name}: {value[:40]!r} (keywords in lower case)")
    if name in KEYWORDS and value.strip() not in KEYWORDS[name]:
        raise _styled(f"{name}: {value[:40]!r}")
    if name in COLOURS and not _colour(value.strip()):
        raise _styled(f"{name}: {value[:40]!r} (a colour by name, #hex, rgb() or hsl())")
    if name in GEOMETRY:
        _lengths(name, value)
    for function in FUNCTION.finditer(value):
        kind, inside = function[1].lower(), function[2]
        if kind not in FUNCTIONS or ("/" in inside and kind != "url"):
            raise _styled(f"{name}: {value[:40]!r}")
        if kind == "url" and not inside.strip("'\" ").startswith("#"):
            raise _refers(inside.strip("'\" "))


def _moves(name: str, value: str) -> None:
    for function in FUNCTION.finditer(value):
        kind, numbers = function[1].lower(), _numbers(function[2])
        if kind not in MOVES or UNIT.search(function[2]) or numbers is None:
            raise _styled(f"{name}={value[:40]!r} (numbers only, no units)")
        singular = len(numbers) == 6 and numbers[0] * numbers[3] == numbers[1] * numbers[2]
        flat = (kind == "scale" and 0 in numbers) or (kind == "matrix" and singular)
        if flat:
            raise _styled(f"{name}={value[:40]!r} (flattened to nothing)")


def _numbers(text: str) -> list[float] | None:
    try:
        return [float(n) for n in re.split(r"[\s,]+", text.strip()) if n]
    except ValueError:
        return None


def _document(data: bytes, root: Any) -> None:
    """Refuse what changes how the whole SVG is read: defaults a DTD gives attributes, an
    encoding but UTF-8, a size a browser reads otherwise (adversary helper 124)."""
    docinfo = root.getroottree().docinfo
    if ATTLIST.search(data):
        raise _styled("a DTD giving attributes defaults (<!ATTLIST>)")
    if (docinfo.encoding or "utf-8").lower() not in ("utf-8", "us-ascii", "ascii"):
        raise ImageRefused(f"is written in {docinfo.encoding}: save it as UTF-8")
    for side in ("width", "height"):
        given = root.get(side)
        if given is None or not ROOT_SIZE.fullmatch(given):
            raise ImageRefused(f"has {side}={given!r}, which a browser reads otherwise than "
                               "resvg: give the SVG a width and a height (`400` or `400px`, "
                               "`288pt`, `160mm`)")  # fmt: skip


def _element(element: Any, tag: str) -> None:
    get = element.get
    parent = element.getparent()
    if tag in LAID_OUT:
        raise _styled(f"<{tag}>")
    if tag == "style" and any(key not in ("type", "id") for key in element.attrib):
        raise _styled("a <style> for some media or readers only (media=, title=)")
    if tag == "symbol" and any(get(k) is not None for k in ("x", "y", "width", "height")):
        raise _styled("a <symbol> placed or sized (x=, y=, width=, height=)")
    if tag == "pattern" and any("href" in k for k in element.attrib):
        raise _styled("a <pattern> taking another's parts (href=)")
    if tag == "use" and parent is not None and parent.tag.endswith("clipPath"):
        raise _styled("a <use> in a <clipPath>")
    if tag == "use" and "0" in (get("width"), get("height")):
        raise _styled("a <use> of no size")
    marked = [k for k in ("marker", "marker-start", "marker-mid", "marker-end") if get(k)]
    marked += ["marker"] if "marker" in (get("style") or "") else []
    if marked and tag not in ("path", "line", "polyline", "polygon", "g", "svg"):
        raise _styled(f"markers on a <{tag}>")


def _colour(value: str) -> bool:
    """Whether a colour is written as resvg and a browser both read it: a name (not a
    system colour, such as `Canvas`), #hex, rgb()/hsl() with an alpha as a number."""
    if value in PAINTS or value in ImageColor.colormap:
        return True
    if re.fullmatch(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})", value):
        return True
    if value.startswith("url("):
        after = value.partition(")")[2].strip()
        return ")" in value and _colour(after or "none")
    found = re.fullmatch(r"(rgba?|hsla?)\(([^()/]*)\)", value)
    parts = found[2].split(",") if found else []
    return len(parts) in (3, 4) and (len(parts) == 3 or "%" not in parts[3])


def _lengths(name: str, value: str) -> None:
    for unit in re.findall(r"[0-9.](?![eE][+-]?[0-9])([a-zA-Z%]+)", value):
        if unit not in LENGTH_UNITS:
            raise _styled(f"{name}={value[:40]!r} (a length in {unit}, which resvg does not "
                          "read)")  # fmt: skip


def _positive_box(value: str) -> bool:
    numbers = _numbers(value)
    return numbers is not None and len(numbers) == 4 and numbers[2] > 0 and numbers[3] > 0


def _styled(what: str) -> ImageRefused:
    return ImageRefused(f"has {what}, which resvg draws otherwise than a browser: what a "
                        "browser hides could be published; keep to plain styles")  # fmt: skip


def _refers(value: str) -> ImageRefused:
    return ImageRefused(f"refers to {value[:60]!r}; an SVG may refer only to its own parts "
                        "(#id) and embedded data: images")  # fmt: skip


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
