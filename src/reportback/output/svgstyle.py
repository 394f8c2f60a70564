"""An SVG's styles as resvg and a browser both read them: or refused (`svgsafe`).

Selectors, properties, values, units and transforms are each kept to what resvg draws as
Chromium does (adversary helpers 122, 124, 125 compared the two, construct by construct).
"""

from __future__ import annotations

import re

from PIL import ImageColor

from reportback.errors import ImageRefused

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
    "solid-color", "solid-opacity", "background-color"
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
FONTS = frozenset({"font", "font-family", "-inkscape-font-specification"})
COLOURS = frozenset({"fill", "stroke", "color", "stop-color", "flood-color", "lighting-color",
                     "solid-color"})  # fmt: skip
GEOMETRY = frozenset({"x", "y", "width", "height", "rx", "ry", "cx", "cy", "r", "x1", "y1",
                      "x2", "y2", "dx", "dy", "fx", "fy", "refX", "refY", "markerWidth",
                      "markerHeight", "offset", "font-size", "stroke-width", "letter-spacing",
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
    "color-interpolation": frozenset({"sRGB", "auto"}),
    "color-interpolation-filters": frozenset({"sRGB", "linearRGB"}),
    "background-color": frozenset({"white", "#fff", "#ffffff", "transparent", "none",
                                   "rgb(255, 255, 255)", "rgb(255,255,255)"}),
    # adversary helper 128: a word one reader takes and the other resets
    "visibility": frozenset({"visible", "hidden", "collapse"}),
    "text-anchor": frozenset({"start", "middle", "end"}),
    "dominant-baseline": frozenset({"auto", "alphabetic", "ideographic", "middle", "central",
                                    "mathematical", "hanging"}),
    "alignment-baseline": frozenset({"auto", "baseline", "alphabetic", "ideographic", "middle",
                                     "central", "mathematical", "hanging"}),
    "fill-rule": frozenset({"nonzero", "evenodd"}),
    "clip-rule": frozenset({"nonzero", "evenodd"}),
    "stroke-linecap": frozenset({"butt", "round", "square"}),
    "stroke-linejoin": frozenset({"miter", "round", "bevel"}),
    "font-style": frozenset({"normal", "italic", "oblique"}),
    "font-weight": frozenset({"normal", "bold", "bolder", "lighter", *(f"{n}00" for n in
                                                                      range(1, 10))}),
    "font-stretch": frozenset({"normal", "ultra-condensed", "extra-condensed", "condensed",
                               "semi-condensed", "semi-expanded", "expanded", "extra-expanded",
                               "ultra-expanded"}),
    "text-align": frozenset({"start", "end", "left", "right", "center", "justify"}),
    "isolation": frozenset({"auto", "isolate"}),
    "shape-rendering": frozenset({"auto", "optimizeSpeed", "crispEdges", "geometricPrecision"}),
    "text-rendering": frozenset({"auto", "optimizeSpeed", "optimizeLegibility",
                                 "geometricPrecision"}),
    "image-rendering": frozenset({"auto", "optimizeSpeed", "optimizeQuality"}),
    "color-rendering": frozenset({"auto", "optimizeSpeed", "optimizeQuality"}),
    "font-kerning": frozenset({"auto", "normal", "none"}),
}  # fmt: skip
"""The values a property may take where resvg and a browser lay out others differently (a
`direction: rtl`, `white-space: pre`, `baseline-shift: 1000` or `writing-mode: sideways-rl`
put a browser's text off the picture; `plus-lighter` whitened what resvg drew)."""
PAINTS = frozenset({"none", "currentcolor", "transparent", "context-fill", "context-stroke"})
CAMEL = re.compile(
    r"\b(?:crispEdges|optimizeSpeed|optimizeLegibility|geometricPrecision"
    r"|optimizeQuality|sRGB|linearRGB|currentColor)\b"
)
"""SVG's keywords written with capitals, as both read them."""
RESET = re.compile(r"\b(?:initial|unset|revert|revert-layer)\b", re.IGNORECASE)
NAME = r"-?[A-Za-z_][\w-]*"
TRAILING_DOT = re.compile(r"[0-9]\.(?![0-9])")
"""A number ending in a dot (`width="200."`): resvg reads it, a browser does not."""
NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
ONE_NUMBER = re.compile(rf"{NUMBER}%?")
ONE_LENGTH = re.compile(rf"{NUMBER}(?:px|pt|pc|mm|cm|in|em|ex|%)?|[a-z-]+")
ONE_WORD = re.compile(r"[a-zA-Z-]+|[0-9]{3}")
ASCII_SPACE = " \t\n\r\f"
"""What both read as space around a value (not a no-break space: helper 128)."""
SIZE_WORDS = {
    "letter-spacing": frozenset({"normal"}),
    "word-spacing": frozenset({"normal"}),
    "font-size": frozenset({"xx-small", "x-small", "small", "medium", "large", "x-large",
                            "xx-large", "larger", "smaller"}),
    "baseline-shift": frozenset({"baseline", "sub", "super"}),
}  # fmt: skip
DASHES = re.compile(r"none|(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:px|pt|pc|mm|cm|in|em|ex|%)?"
                    r"(?:(?:[ \t]*,[ \t]*|[ \t]+)(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)"
                    r"(?:px|pt|pc|mm|cm|in|em|ex|%)?)*")  # fmt: skip
NUMBERS = frozenset({"opacity", "fill-opacity", "stroke-opacity", "stop-opacity",
                     "flood-opacity", "solid-opacity", "stroke-miterlimit"})  # fmt: skip
SIZES = frozenset({"stroke-width", "font-size", "letter-spacing", "word-spacing",
                   "stroke-dashoffset", "baseline-shift"})  # fmt: skip
WORDS = frozenset({"visibility", "text-anchor", "dominant-baseline", "alignment-baseline",
                   "fill-rule", "clip-rule", "stroke-linecap", "stroke-linejoin", "display",
                   "writing-mode", "direction", "unicode-bidi", "white-space", "overflow",
                   "isolation", "mix-blend-mode", "shape-rendering", "image-rendering",
                   "text-rendering", "color-rendering", "color-interpolation",
                   "color-interpolation-filters", "vector-effect", "font-style", "font-stretch",
                   "font-weight", "text-align", "font-kerning"})  # fmt: skip
"""Properties that take one number, one length (or keyword), or one word (a weight `700`)."""
SHAPES = {ONE_NUMBER: "number", ONE_LENGTH: "length", ONE_WORD: "word"}
INTEGER = r"\s*[0-9]{1,3}\s*"
PERCENT = r"\s*[0-9]{1,3}(?:\.[0-9]+)?%\s*"
ALPHA = r"(?:,\s*(?:[01]|0?\.[0-9]+)\s*)?"
COLOUR_FUNCTION = re.compile(
    rf"rgba?\((?:{INTEGER},{INTEGER},{INTEGER}|{PERCENT},{PERCENT},{PERCENT}){ALPHA}\)"
    rf"|hsla?\(\s*[0-9]{{1,3}}(?:\.[0-9]+)?\s*,{PERCENT},{PERCENT}{ALPHA}\)"
)
"""rgb() of three integers or three percentages, hsl() of a plain hue and two percentages,
each with an alpha as a number: the forms both read alike (a browser rejected `rgb(0%,0,0)`,
`hsl(0,0,0)`, `rgb(0,0,0,)`, and read `hsl(0deg,…)`, which resvg did not: helper 127)."""
COMPOUND = rf"(?:(?:\*|{NAME})(?:[.#]{NAME})*|(?:[.#]{NAME})+)"
SELECTOR = re.compile(rf"\s*{COMPOUND}(?:\s*>\s*{COMPOUND}|\s+{COMPOUND})*\s*")
"""A selector resvg matches as a browser does: names, classes, ids and `*`, joined by space,
`>` or `+` (resvg skipped `~`, `:not()`, `:last-child`, `[a i]`; `:first-child` matched a
`<use>`'s copy in a browser only, and counted a `<title>` otherwise: adversary helper 124)."""
RULE = re.compile(r"\s*([^{}@\\]+?)\s*\{([^{}]*)\}\s*")


def style_sheet(text: str) -> None:
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.DOTALL)
    at = 0
    while at < len(text.rstrip()):
        rule = RULE.match(text, at)
        if rule is None:
            raise styled(f"a style ({text[at : at + 40].strip()!r})")
        for selector in rule[1].split(","):
            if not SELECTOR.fullmatch(selector):
                raise styled(f"a selector ({selector.strip()[:40]!r})")
        declarations(rule[2])
        at = rule.end()


def declarations(text: str) -> None:
    named: set[str] = set()
    for declaration in text.split(";"):
        if not declaration.strip():
            continue
        name, colon, value = declaration.partition(":")
        name = name.strip()
        if not colon or name not in PROPERTIES:
            raise styled(f"the style property {name[:40]!r}")
        if name in named:  # a browser kept the first if the second was wrong (helper 128)
            raise styled(f"{name} twice")
        named.add(name)
        if "!" in value:  # both `!important`: a browser took the specific one, resvg the last
            raise styled(f"{name}: {value.strip()[:40]!r} (!important)")
        property_value(name, value.strip(ASCII_SPACE))


def property_value(name: str, value: str) -> None:
    if "\\" in value or RESET.search(value) or re.search(r"url\(\s*['\"]|url\([^)]*%", value):
        raise styled(f"{name}: {value[:40]!r}")
    if name not in FONTS and TRAILING_DOT.search(re.sub(r"url\([^)]*\)", "", value)):
        raise styled(f"{name}: {value[:40]!r} (a number ending in a dot)")
    if (name == "font" and "/" in value) or (
        name == "color" and not opaque(value.strip(ASCII_SPACE))
    ):
        raise styled(f"{name}: {value[:40]!r}")
    keywords = CAMEL.sub("", re.sub(r"url\([^)]*\)|#[0-9A-Fa-f]+\b", "", value))
    if name not in FONTS and keywords != keywords.lower():
        raise styled(f"{name}: {value[:40]!r} (keywords in lower case)")
    if name in KEYWORDS and value.strip(ASCII_SPACE) not in KEYWORDS[name]:
        raise styled(f"{name}: {value[:40]!r}")
    if name in COLOURS and not colour(value.strip(ASCII_SPACE)):
        raise styled(f"{name}: {value[:40]!r} (a colour by name, #hex, rgb() or hsl())")
    if name in GEOMETRY:
        lengths(name, value)
    plain(name, value)
    for function in FUNCTION.finditer(value):
        kind, inside = function[1].lower(), function[2]
        if kind not in FUNCTIONS or ("/" in inside and kind != "url"):
            raise styled(f"{name}: {value[:40]!r}")
        if kind == "url" and not inside.strip("'\" ").startswith("#"):
            raise refers(inside.strip("'\" "))


def opaque(value: str) -> bool:
    """Whether a colour has no alpha (resvg drops `color`'s alpha under `currentcolor`)."""
    four = re.fullmatch(r"#[0-9a-fA-F]{4}(?:[0-9a-fA-F]{4})?", value) is not None
    return value != "transparent" and not four and not value.startswith(("rgba", "hsla"))


def moves(name: str, value: str) -> None:
    if re.search(r",\s*(?:\)|$)", value):  # a browser drops the list; resvg applied it
        raise styled(f"{name}={value[:40]!r} (a comma with nothing after it)")
    for function in FUNCTION.finditer(value):
        kind, numbers = function[1].lower(), numbers_in(function[2])
        if kind not in MOVES or UNIT.search(function[2]) or numbers is None:
            raise styled(f"{name}={value[:40]!r} (numbers only, no units)")
        singular = len(numbers) == 6 and numbers[0] * numbers[3] == numbers[1] * numbers[2]
        flat = (kind == "scale" and 0 in numbers) or (kind == "matrix" and singular)
        if flat:
            raise styled(f"{name}={value[:40]!r} (flattened to nothing)")


def numbers_in(text: str) -> list[float] | None:
    try:
        return [float(n) for n in re.split(r"[\s,]+", text.strip()) if n]
    except ValueError:
        return None


def colour(value: str) -> bool:
    """Whether a colour is written as resvg and a browser both read it: a name (not a
    system colour, such as `Canvas`), #hex, rgb()/hsl() with an alpha as a number."""
    if value in PAINTS or value == "currentColor" or value in ImageColor.colormap:
        return True
    if re.fullmatch(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})", value):
        return True
    if value.startswith("url("):
        after = value.partition(")")[2].strip()
        return ")" in value and colour(after or "none")
    return COLOUR_FUNCTION.fullmatch(value) is not None


def plain(name: str, value: str) -> None:
    """Refuse a value with anything after what it says (`1,`, `visible;`, `start x`), or
    a word neither reads alike (`letter-spacing: norm`): a browser takes it as wrong and
    inherits (a hidden group's `visibility`), resvg reads its start, or resets it (adversary
    helpers 127, 128)."""
    shape = ONE_NUMBER if name in NUMBERS else ONE_LENGTH if name in SIZES else ONE_WORD
    if name in NUMBERS | SIZES | WORDS and not shape.fullmatch(value.strip(ASCII_SPACE)):
        raise styled(f"{name}: {value[:40]!r} (one {SHAPES[shape]} and nothing after it)")
    word = value.strip(ASCII_SPACE)
    if name in SIZES and word.isalpha() and word not in SIZE_WORDS.get(name, ()):
        raise styled(f"{name}: {value[:40]!r}")
    if name == "stroke-dasharray" and not DASHES.fullmatch(word):
        raise styled(f"{name}: {value[:40]!r} (none, or lengths of no sign)")


def lengths(name: str, value: str) -> None:
    if TRAILING_DOT.search(value):
        raise styled(f"{name}={value[:40]!r} (a number ending in a dot)")
    for unit in re.findall(r"[0-9.](?![eE][+-]?[0-9])([a-zA-Z%]+)", value):
        if unit not in LENGTH_UNITS:
            raise styled(f"{name}={value[:40]!r} (a length in {unit}, which resvg does not "
                          "read)")  # fmt: skip


def positive_box(value: str) -> bool:
    numbers = numbers_in(value)
    return numbers is not None and len(numbers) == 4 and numbers[2] > 0 and numbers[3] > 0


def styled(what: str) -> ImageRefused:
    return ImageRefused(f"has {what}, which resvg draws otherwise than a browser: what a "
                        "browser hides could be published; keep to plain styles")  # fmt: skip


def refers(value: str) -> ImageRefused:
    return ImageRefused(f"refers to {value[:60]!r}; an SVG may refer only to its own parts "
                        "(#id) and embedded data: images")  # fmt: skip
