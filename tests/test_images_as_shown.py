"""An image is published as a browser shows it, or refused (adversary helper 122).

Each case hides something from a browser (a colour profile that flattens text into its
background, a gamma that darkens it away, an animated PNG's first picture that no browser
shows, an SVG style resvg ignores) that reportback published before: its pixels are now made
what the browser shows, or the image is refused with its report's line.
"""

from __future__ import annotations

import base64
import io
import re
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageCms, ImageDraw, ImageStat

from reportback.errors import ImageRefused
from reportback.output import images

from .conftest import NOW, Result

Cli = Callable[..., Result]
Project = Callable[[dict[str, str | bytes]], Path]
HEAD = "---\ntitle: T\nmeeting: NEC\nmeeting_date: 2016-09-20\n---\n\n"
D50_SRGB = {"R": (0.4361, 0.2225, 0.0139), "G": (0.3851, 0.7169, 0.0971),
            "B": (0.1431, 0.0606, 0.7141)}  # fmt: skip
"""sRGB's primaries as an ICC profile gives them (XYZ, adapted to D50)."""


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _icc(red: tuple[float, ...], green: tuple[float, ...], blue: tuple[float, ...]) -> bytes:
    """Return a v2 RGB display profile with these primaries and a linear curve."""

    def xyz(v: tuple[float, ...]) -> bytes:
        return b"XYZ \0\0\0\0" + b"".join(struct.pack(">i", round(c * 65536)) for c in v)

    tags = [(b"desc", b"desc\0\0\0\0" + struct.pack(">I", 2) + b"x\0" + b"\0" * 79),
            (b"wtpt", xyz((0.9642, 1.0, 0.8249))), (b"rXYZ", xyz(red)), (b"gXYZ", xyz(green)),
            (b"bXYZ", xyz(blue)), *((t, b"curv\0\0\0\0\0\0\0\0") for t in (b"rTRC", b"gTRC",
                                                                          b"bTRC"))]  # fmt: skip
    offset, table, body = 128 + 4 + 12 * len(tags), struct.pack(">I", len(tags)), b""
    for name, data in tags:
        table += name + struct.pack(">II", offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    head = bytearray(128)
    struct.pack_into(">I", head, 0, 128 + len(table) + len(body))
    head[8:24] = bytes([2, 0x10, 0, 0]) + b"mntrRGB XYZ "
    head[36:40] = b"acsp"
    head[68:80] = struct.pack(">iii", 63190, 65536, 54061)
    return bytes(head) + table + body


def _text(background: tuple[int, ...], ink: tuple[int, ...]) -> Image.Image:
    drawn = Image.new("RGB", (160, 40), background)
    ImageDraw.Draw(drawn).rectangle((20, 10, 140, 30), fill=ink)  # stands for the hidden text
    return drawn


def _saved(image: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def _published(data: bytes, suffix: str = ".png") -> Image.Image:
    return Image.open(io.BytesIO(images.clean(data, suffix))).convert("RGB")


def _with_chunk(png: bytes, kind: bytes, data: bytes) -> bytes:
    at = png.index(b"IDAT") - 4
    return png[:at] + _chunk(kind, data) + png[at:]


def _colours(image: Image.Image) -> int:
    return len(image.getcolors(1 << 16) or [])


@pytest.mark.parametrize(("fmt", "suffix"), [("PNG", ".png"), ("JPEG", ".jpg")])
def test_a_colour_profile_is_applied_not_dropped(fmt: str, suffix: str) -> None:
    """A profile that shows red as blue is published blue, as a browser shows it."""
    swapped = _icc(D50_SRGB["B"], D50_SRGB["G"], D50_SRGB["R"])
    red = _saved(Image.new("RGB", (16, 16), (255, 0, 0)), fmt, icc_profile=swapped)
    r, g, b = _published(red, suffix).getpixel((8, 8))  # type: ignore[misc]
    assert b > 240 and r < 10 and g < 10, (r, g, b)


def test_text_a_profile_flattens_into_its_background_is_not_published() -> None:
    """A profile with no red shows text that differs only in red as flat colour: so is the
    published image (it was published with the text readable)."""
    flat = _icc((0.0, 0.0, 0.0), D50_SRGB["G"], D50_SRGB["B"])
    png = _saved(_text((0, 200, 200), (255, 200, 200)), icc_profile=flat)
    assert _colours(_published(png)) == 1


def test_a_profile_of_srgb_keeps_the_pixels() -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    png = _saved(Image.new("RGB", (16, 16), (12, 200, 99)), icc_profile=srgb)
    shown = _published(png).getpixel((8, 8))
    assert all(abs(a - b) <= 2 for a, b in zip(shown, (12, 200, 99), strict=True)), shown  # type: ignore[arg-type]


def test_a_pngs_gamma_is_applied() -> None:
    """Grey text on black under a gamma of 0.01 is black in a browser: so it is published."""
    png = _saved(_text((0, 0, 0), (200, 200, 200)))
    hidden = _with_chunk(png, b"gAMA", struct.pack(">I", 1000))
    assert ImageStat.Stat(_published(hidden)).extrema == [(0, 0)] * 3
    usual = _with_chunk(png, b"gAMA", struct.pack(">I", 45455))  # sRGB's: left as it is
    assert _published(usual).getpixel((30, 20)) == (200, 200, 200)


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda png: _with_chunk(png, b"cHRM", struct.pack(">8I", 31270, 32900, 15000, 6000,
                                                            30000, 60000, 64000, 33000)),
         "asks to be shown in colours other than sRGB's (its cHRM)"),
        (lambda png: _saved(Image.open(io.BytesIO(png)), icc_profile=b"not a profile" * 20),
         "has a colour profile that cannot be read"),
    ],
)  # fmt: skip
def test_colours_no_browser_agrees_on_are_refused(
    make: Callable[[bytes], bytes], said: str
) -> None:
    with pytest.raises(ImageRefused, match=re.escape(said)):
        images.clean(make(_saved(_text((0, 0, 0), (9, 9, 9)))), ".png")


def _apng_hiding_its_first_picture() -> bytes:
    """Return an animated PNG whose first picture (IDAT) is not one of its frames: a browser
    shows only the frame after it; Pillow's first frame was the hidden picture."""
    hidden, shown = _saved(_text((255, 255, 255), (255, 0, 0))), _saved(Image.new("RGB", (160, 40)))
    at = shown.index(b"IDAT")
    frame = shown[at + 4 : at + 4 + struct.unpack(">I", shown[at - 4 : at])[0]]
    start, end = hidden.index(b"IDAT") - 4, hidden.index(b"IEND") - 4
    control = struct.pack(">IIIIIHHBB", 0, 160, 40, 0, 0, 1, 1, 0, 0)
    return (hidden[:start] + _chunk(b"acTL", struct.pack(">II", 1, 0)) + hidden[start:end]
            + _chunk(b"fcTL", control) + _chunk(b"fdAT", struct.pack(">I", 1) + frame)
            + hidden[end:])  # fmt: skip


def test_an_animated_png_is_refused_at_its_line(cli: Cli, project: Project) -> None:
    root = project({"reports/a.md": HEAD + "![Chart](chart.png)\n",
                    "reports/chart.png": _apng_hiding_its_first_picture()})  # fmt: skip
    result = cli("build", "--now", NOW)
    assert result.code == 1, result.err
    assert result.err.startswith(
        "reports/a.md:7: image 'chart.png' is animated, and is published as one picture, which "
        "a browser may show for a moment or never: save the one you mean as a still image\n"
    ), result.err
    assert not (root / "site").exists()


def _svg(inside: str, style: str = "") -> str:
    sheet = f"<style>{style}</style>" if style else ""
    return ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'width="40" height="40">{sheet}{inside}</svg>')  # fmt: skip


HIDDEN = '<text id="a" class="h" x="1" y="20" font-size="9">Jo Smith</text>'
HIDING_STYLES = [
    "@media all { .h { display: none } }", "@layer x { .h { display: none } }",
    "@supports (display: none) { .h { display: none } }", ".h:last-child { display: none }",
    ":is(.h) { display: none }", "text:not(.v) { display: none }", ":where(.h) { opacity: 0 }",
    "[class=H i] { display: none }", ".h { display: var(--x) }", "svg ~ text { display: none }",
    ".h { clip-path: inset(50%) }", ".h { mask-image: linear-gradient(#000, #000) }",
    ".h { content-visibility: hidden }", "#\\61 { display: none }", "#a { DISPLAY: none }",
    "#a { transform: translate(100px) }", "#a { x: 100px }", "#a { fill: unset }",
    "#a { display: contents }", "#a { fill: rgb(0 0 0 / 0) }", "#a { zoom: 0.01 }",
]  # fmt: skip
HIDING_ELEMENTS = [
    HIDDEN.replace("Smith", 'Smith<set attributeName="display" to="none" fill="freeze"/>'),
    HIDDEN.replace("Smith", 'Smith<animate attributeName="opacity" to="0" fill="freeze"/>'),
    f"<switch><g systemLanguage='xx'/>{HIDDEN}</switch>",
    HIDDEN.replace('id="a"', 'fill="rgb(0 0 0 / 0)"'),
    HIDDEN.replace('id="a"', 'transform="translate(100px)"'),
    HIDDEN.replace('id="a"', 'style="Display: none"'),
    HIDDEN.replace('id="a"', 'filter="opacity(0)"'),
]


@pytest.mark.parametrize(
    "svg", [_svg(HIDDEN, style) for style in HIDING_STYLES] + [_svg(e) for e in HIDING_ELEMENTS]
)
def test_an_svg_a_browser_would_show_otherwise_than_resvg_draws_is_refused(svg: str) -> None:
    """Each hid the text in a browser; resvg drew it (adversary helper 122, and probes of
    resvg against what a browser does)."""
    with pytest.raises(ImageRefused, match=r"resvg draws otherwise than a browser|animates"
                                           r"|chooses what it draws"):  # fmt: skip
        images.clean(svg.encode(), ".svg")


PLAIN_SVGS = {
    "matplotlib": _svg('<path d="M 0 0 L 9 9" style="fill: none; stroke: #1f77b4; '
                       'stroke-width: 1.5; stroke-linecap: square"/>',
                       "*{stroke-linejoin: round; stroke-linecap: butt}"),
    "inkscape": _svg('<text xml:space="preserve" style="font-style:normal;font-size:10.5px;'
                     "line-height:1.25;font-family:sans-serif;letter-spacing:0px;fill:#000000;"
                     "fill-opacity:1;stroke:none;-inkscape-font-specification:'Sans Bold'\" "
                     'x="1" y="10">Seats</text>'),
    "d3": _svg('<g class="axis"><text class="tick">1</text><path d="M0 0H9" '
               'stroke="currentColor"/></g>', ".axis text { font: 10px sans-serif; fill: #333 } "
               ".axis path, g > path { fill: none; stroke: #000; shape-rendering: crispEdges }"),
    "transforms": _svg('<g transform="translate(10,5) rotate(45) scale(1e-1)">'
                       '<rect width="9" height="9" fill="url(#g)"/></g><defs>'
                       '<linearGradient id="g" gradientTransform="rotate(90)">'
                       '<stop offset="0" stop-color="hsl(120, 50%, 50%)"/></linearGradient>'
                       '</defs><g aria-label="Seats (2024)"/>'),
    # honest user helper 148: Inkscape's paint order, which names markers, on a rectangle
    "inkscape paint order": _svg('<rect x="10" y="10" width="50" height="20" style="fill:#e4003b;'
                                 'stroke:#000000;paint-order:markers fill stroke"/>'),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(PLAIN_SVGS))
def test_plain_svgs_from_common_tools_are_drawn(name: str) -> None:
    assert images.clean(PLAIN_SVGS[name].encode(), ".svg").startswith(b"\x89PNG")


def _embedded(data: bytes) -> str:
    href = f"data:image/png;base64,{base64.b64encode(data).decode()}"
    return _svg(f'<image width="16" height="16" xlink:href="{href}"/>')


def test_a_picture_embedded_in_an_svg_is_cleaned_as_any_image() -> None:
    swapped = _icc(D50_SRGB["B"], D50_SRGB["G"], D50_SRGB["R"])
    red = _saved(Image.new("RGB", (16, 16), (255, 0, 0)), icc_profile=swapped)
    r, g, b = _published(_embedded(red).encode(), ".svg").getpixel((8, 8))  # type: ignore[misc]
    assert b > 240 and r < 10, (r, g, b)
    with pytest.raises(ImageRefused, match="embeds a picture that is animated"):
        images.clean(_embedded(_apng_hiding_its_first_picture()).encode(), ".svg")


def _after_pixels(png: bytes, kind: bytes, data: bytes) -> bytes:
    at = png.index(b"IEND") - 4
    return png[:at] + _chunk(kind, data) + png[at:]


def _palette_short() -> bytes:
    """A palette image whose pixels use index 250 of a one-colour palette."""
    header = struct.pack(">IIBBBBB", 8, 8, 8, 3, 0, 0, 0)
    rows = b"".join(b"\0" + bytes([250] * 8) for _ in range(8))
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"PLTE", b"\xff\xff\xff")
            + _chunk(b"IDAT", zlib.compress(rows)) + _chunk(b"IEND", b""))  # fmt: skip


def _grey_keyed() -> bytes:
    """A 16-bit grey image whose colour 0x1234 is transparent (tRNS)."""
    png = _saved(Image.new("I;16", (8, 8), 0x1234))
    return _with_chunk(png, b"tRNS", b"\x12\x34")


def _jpeg_profile_misnumbered() -> bytes:
    jpeg = _saved(Image.new("RGB", (8, 8), (250, 250, 250)), "JPEG", icc_profile=_icc(
        D50_SRGB["R"], D50_SRGB["G"], D50_SRGB["B"]))  # fmt: skip
    return jpeg.replace(b"ICC_PROFILE\0\x01\x01", b"ICC_PROFILE\0\x02\x01", 1)


def _animated_gif() -> bytes:
    first, then = _text((255, 255, 255), (255, 0, 0)), Image.new("RGB", (160, 40), "white")
    return _saved(first, "GIF", save_all=True, append_images=[then], duration=[10, 1000])


SHOWN_OTHERWISE = {
    "a gamma after the pixels": (lambda: _after_pixels(_saved(_text((255,) * 3, (254,) * 3)),
                                                       b"gAMA", struct.pack(">I", 400)), "gAMA"),
    "a gamma twice": (lambda: _with_chunk(_with_chunk(_saved(_text((255,) * 3, (254,) * 3)),
                                                      b"gAMA", struct.pack(">I", 400)),
                                          b"gAMA", struct.pack(">I", 45455)), "gAMA"),
    "a profile after the pixels": (lambda: _after_pixels(
        _saved(Image.new("RGB", (8, 8))), b"iCCP", b"x\0\0" + zlib.compress(b"p")), "iCCP"),
    "a transparent colour": (_grey_keyed, "transparent colour"),
    "colours the palette lacks": (_palette_short, "palette does not hold"),
    "a JPEG profile misnumbered": (_jpeg_profile_misnumbered, "pieces that do not fit"),
    "an animated GIF": (_animated_gif, "is animated"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(SHOWN_OTHERWISE))
def test_an_image_a_browser_reads_otherwise_is_refused(case: str) -> None:
    """Adversary helper 124: each showed a browser one picture (254 on 255, a clear pixel, a
    clean second frame) and published another (165 on 255, grey, the first frame)."""
    make, said = SHOWN_OTHERWISE[case]
    data = make()
    with pytest.raises(ImageRefused, match=said):
        images.clean(data, ".jpg" if data[:2] == b"\xff\xd8" else ".png")


@pytest.mark.parametrize(("width", "pixels"), [("288pt", 384), ("210mm", 794), ("2in", 192)])
def test_an_svg_sized_in_print_units_is_drawn_at_96_dpi(width: str, pixels: int) -> None:
    """Adversary helper 124: every matplotlib (pt), Inkscape and LibreOffice (mm) SVG was
    refused ("invalid size": resvg was asked to draw at 0 dots an inch)."""
    svg = _svg('<rect width="9" height="9"/>').replace(
        'width="40" height="40"', f'width="{width}" height="{width}"'
    )
    assert _published(svg.encode(), ".svg").size == (pixels, pixels)


def _around(inside: str, head: str = "", root: str = 'width="40" height="40"') -> str:
    return (f'{head}<svg xmlns="http://www.w3.org/2000/svg" xmlns:svg="http://www.w3.org/2000/svg"'
            f' xmlns:xlink="http://www.w3.org/1999/xlink" {root}>{inside}</svg>')  # fmt: skip


HIDING_MORE = {
    "a keyword in capitals": _around(HIDDEN.replace('id="a"', 'display="NONE"')),
    "visibility in capitals": _around(HIDDEN.replace('id="a"', 'visibility="Hidden"')),
    "a system colour": _around(HIDDEN.replace('id="a"', 'fill="Canvas"')),
    "an alpha in percent": _around(HIDDEN.replace('id="a"', 'fill="rgba(255,0,0,0%)"')),
    "a cover in vw": _around(HIDDEN + '<rect width="100vw" height="40" fill="white"/>'),
    "text right to left": _around(HIDDEN.replace('id="a"', 'direction="rtl"')),
    "spaces kept": _around(HIDDEN.replace('id="a"', 'style="white-space:pre"').replace(
        ">Jo", ">" + " " * 80 + "Jo")),
    "a baseline shifted away": _around(HIDDEN.replace('id="a"', 'baseline-shift="1000"')),
    "text sideways": _around(HIDDEN.replace('id="a"', 'writing-mode="sideways-rl"')),
    "text squeezed": _around(HIDDEN.replace('id="a"', 'textLength="0.01"')),
    "text on a path": _around('<rect id="r" width="9" height="9"/><text><textPath '
                              'href="#r">Jo Smith</textPath></text>'),
    "a style sheet for print": _around(HIDDEN).replace("<text", '<style media="print">.h '
                                                       "{display: none}</style><text", 1),
    "a class apart by a tab": _around(HIDDEN.replace('class="h"', 'class="x&#9;h"')).replace(
        "<text", "<style>.x { fill: red } .h { fill: white }</style><text", 1),
    "an attribute in the svg namespace": _around(HIDDEN.replace('id="a"', 'svg:display="none"')),
    "a default from the DTD": _around(HIDDEN, '<!DOCTYPE svg [<!ATTLIST text display CDATA '
                                              '#FIXED "none">]>'),
    "a box of no size": _around(f'<svg viewBox="0 0 0 0" width="40" height="40">{HIDDEN}</svg>'),
    "a group scaled to nothing": _around(f'<g transform="scale(0)">{HIDDEN}</g>'),
    "markers on a rect": _around('<rect width="9" height="9" marker-start="url(#m)"/>'),
    "a blend that whitens": _around(HIDDEN.replace('id="a"',
                                                   'style="mix-blend-mode:plus-lighter"')),
    "a width a browser reads as 300": _around(HIDDEN, root='width="100%" height="40"'),
    "another encoding": _around(HIDDEN, '<?xml version="1.0" encoding="ISO-8859-1"?>'),
    # adversary helper 125
    "a number ending in a dot": _around('<rect width="200." height="9"/>'),
    "a transparent colour under currentcolor": _around(
        '<g color="transparent"><rect width="9" height="9" fill="currentcolor"/></g>'),
    "a font shorthand with a line height": _around(HIDDEN.replace('id="a"',
                                                                  'style="font:0/0 a"')),
    "two rules both important": _around(HIDDEN).replace("<text", "<style>#a {display: none "
                                                        "!important}</style><text", 1),
    "a sibling after a title": _around(HIDDEN).replace("<text", "<style>title + .h {display: "
                                                       "none}</style><text", 1),
    "a style split by an element": _around(HIDDEN).replace(
        "<text", "<style>.h {display: <x/>none}</style><text", 1),
    "a style of no type": _around(HIDDEN).replace("<text", '<style type="">.h {display: none}'
                                                  "</style><text", 1),
    "a style inside metadata": _around(HIDDEN).replace(
        "<text", "<metadata><style>.h {display: none}</style></metadata><text", 1),
    "an id given twice": _around('<clipPath id="c"/><clipPath id="c"><rect width="9" '
                                 'height="9"/></clipPath><rect width="9" height="9" '
                                 'clip-path="url(#c)"/>'),
    "a quoted address in a filter": _around('<rect width="9" height="9" '
                                            "filter=\"url('#f')\"/>"),
    "an encoded address": _around('<clipPath id="é"/><rect width="9" height="9" '
                                  'clip-path="url(#%C3%A9)"/>'),
    "a mask in linear light": _around('<mask id="m" color-interpolation="linearRGB"/>'),
    "a filter's colours left to the reader": _around(
        '<filter id="f"><feFlood color-interpolation-filters="auto"/></filter>'),
    "a gradient with no stops": _around('<linearGradient id="g"/><rect width="9" height="9" '
                                        'fill="url(#g) black"/>'),
    "a line painted by a gradient": _around(
        '<linearGradient id="g"><stop stop-color="black"/></linearGradient>'
        '<line x1="2" y1="9" x2="30" y2="9" stroke="url(#g)" stroke-width="9"/>'),
    # adversary helper 127
    "an opacity with a comma after it": _around(
        '<g fill-opacity="0"><text x="1" y="20" fill-opacity="1,">Jo Smith</text></g>'),
    "a visibility with a word after it": _around(
        '<g visibility="hidden"><text x="1" y="20" visibility="visible x">Jo Smith</text></g>'),
    "a colour a browser rejects": _around(
        '<g fill="white"><text x="1" y="20" fill="rgb(0%,0,0)">Jo Smith</text></g>'),
    "a hue with a unit": _around(
        '<g fill="black"><rect width="9" height="9" fill="hsl(0deg,0%,100%)"/></g>'),
    "a marker under a filter": _around(
        '<marker id="mk" markerWidth="9" markerHeight="9"><text y="9">Jo Smith</text></marker>'
        '<filter id="f"><feOffset dx="0"/></filter>'
        '<path d="M1 5 H30" marker-start="url(#mk)" filter="url(#f)"/>'),
    # adversary helper 128
    "a visibility no browser reads": _around(
        '<g visibility="hidden"><text x="1" y="20" visibility="bogus">Jo Smith</text></g>'),
    "a spacing no browser reads": _around(
        '<g letter-spacing="1000"><text x="1" y="20" style="letter-spacing:norm">Jo</text></g>'),
    "a no-break space after a value": _around(
        '<g visibility="hidden"><text x="1" y="20" visibility="visible&#xA0;">Jo</text></g>'),
    "a property twice": _around(
        '<text x="1" y="20" style="visibility:hidden;visibility:visible">Jo Smith</text>'),
    "a transform with a comma after it": _around(
        '<text x="1010" y="20" transform="translate(-1000),">Jo Smith</text>'),
    "a transform's origin": _around('<text x="1" y="20" transform="rotate(180)" '
                                    'transform-origin="15,5">Jo Smith</text>'),
    "dashes of a negative length": _around(
        '<g stroke-dasharray="0 1000"><text stroke="black" stroke-dasharray="-5 5">Jo</text></g>'),
    "an svg of no width": _around(f'<svg width="0" height="40">{HIDDEN}</svg>'),
    "an svg of a negative width": _around(f'<svg width="-10" height="40">{HIDDEN}</svg>'),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(HIDING_MORE))
def test_more_svgs_a_browser_shows_otherwise_are_refused(case: str) -> None:
    """Adversary helper 124: each hid its text (or a red square) in Chromium, and resvg drew
    it; each is refused now."""
    with pytest.raises(ImageRefused):
        images.clean(HIDING_MORE[case].encode(), ".svg")


@pytest.mark.parametrize("options", [{}, {"transparency": 0}])
def test_a_palette_png_is_checked_and_built(
    cli: Cli, project: Project, options: dict[str, object]
) -> None:
    """Adversary helper 125: every palette PNG was a traceback in `check` and `build` (the
    palette's range was read before the file was verified, which Pillow allows only first)."""
    png = _saved(_text((255, 255, 255), (0, 0, 120)).convert("P"), **options)
    root = project({"reports/a.md": HEAD + "![Chart](chart.png)\n", "reports/chart.png": png})
    assert cli("check").code == 0
    result = cli("build", "--now", NOW)
    assert result.code == 0, result.err
    assert list((root / "site").rglob("img-*.png"))


@pytest.mark.parametrize(
    ("kind", "body"),
    [(b"sRGB", b"\x09"), (b"gAMA", struct.pack(">IH", 1000, 0)), (b"iCCP", b"\0\0" + b"x")],
)
def test_a_chunk_a_browser_ignores_is_refused(kind: bytes, body: bytes) -> None:
    """Adversary helper 125: a browser ignores a malformed sRGB, gAMA or iCCP chunk; Pillow
    did not, so text at 254 on 255 (hidden) was published at 100 or 214."""
    png = _with_chunk(_saved(_text((255,) * 3, (254,) * 3)), kind, body)
    with pytest.raises(ImageRefused, match=f"malformed {kind.decode()}"):
        images.clean(png, ".png")
