"""The letters an SVG draws, read where they are drawn: the leak audit reads them so.

Adversary helper 140 placed an SVG's words, and the letters of one, in another order than
written (by their x); moved by a `transform`, by `dx`, or drawn again by a `<use>`, they were
still read only as written and where their own `x` put them. A group turned upside down or
mirrored is read in its own way, as a reader turns the picture to read it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from reportback.errors import ImageRefused
from reportback.output import svgdraw, svgsafe, svgtext

from .conftest import NOW, Result, report

Cli = Callable[..., Result]
Project = Callable[[dict[str, str | bytes]], Path]

PHRASE = "qorvath blenmist frendal"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="40">{}</svg>'
MOVED = {
    "text moved": '<text transform="translate(200 30)">frendal</text>'
    '<text transform="translate(5 30)">qorvath</text>'
    '<text transform="translate(90,30)">blenmist</text>',
    "groups moved": '<g transform="translate(200 0)"><text y="30">frendal</text></g>'
    '<g transform="translate(5)"><text y="30">qorvath</text></g>'
    '<g transform="matrix(1 0 0 1 90 0)"><text y="30">blenmist</text></g>',
    "drawn by use": '<defs><text id="c" y="30">frendal</text><text id="a" y="30">qorvath</text>'
    '<text id="b" y="30">blenmist</text></defs><use href="#a" x="5"/><use href="#b" x="90"/>'
    '<use href="#c" x="200"/>',
    "dx": '<text x="200" y="30">frendal<tspan dx="-195">qorvath</tspan></text>'
    '<text x="90" y="30">blenmist</text>',
    "mirrored": '<g transform="scale(-1 1) translate(-300 0)"><text x="200" y="30">frendal</text>'
    '<text x="10" y="30">qorvath</text><text x="100" y="30">blenmist</text></g>',
    "turned": '<g transform="rotate(180 150 20)"><g transform="translate(10 0)">'
    '<text y="10">qorvath</text></g><g transform="translate(200 0)"><text y="10">frendal</text>'
    '</g><g transform="translate(100 0)"><text y="10">blenmist</text></g></g>',
    # adversary helper 145: what shows nothing, a word split, letters one at a time, a break
    "a soft hyphen": '<text x="5" y="30">qorvath blen&#173;mist frendal</text>',
    "a zero-width space": '<text x="5" y="30">qorvath blen&#8203;mist fren&#8288;dal</text>',
    "a word split": '<text x="5" y="30">qorvath blen<tspan fill="red">mist</tspan> frendal</text>',
    "a letter each": "<text y='30'>"
    + "".join(
        f'<tspan x="{5 + 8 * i + (8 if i > 6 else 0) + (8 if i > 14 else 0)}">{c}</tspan>'
        for i, c in enumerate(PHRASE.replace(" ", ""))
    )
    + "</text>",
    "a word broken": '<text x="5" y="20">qorvath blen-<tspan x="5" y="35">mist frendal</tspan>'
    "</text>",
    "letters moved": '<g transform="translate(300 0) scale(-1 1)">'
    f'<text y="30" x="{" ".join(str(10 * i + 5) for i in range(24))}">{PHRASE}</text></g>',
}


def _read(svg: str) -> str:
    return " ".join(svgsafe.drawn_text(svgsafe.safe_svg(svg.encode(), lambda d, s: d)[1]).split())


@pytest.mark.parametrize("shape", list(MOVED))
def test_an_svgs_words_are_read_where_they_are_drawn(shape: str) -> None:
    assert PHRASE in _read(SVG.format(MOVED[shape]))


HIDDEN = {  # adversary helper 149: a piece not drawn, in the middle of the phrase
    "not displayed": '<tspan display="none">Q</tspan>',
    "of no size": '<tspan font-size="0">Q</tspan>',
    "of almost no size": '<tspan font-size="0.01">Q</tspan>',
    "invisible": '<tspan visibility="hidden">Q</tspan>',
    "unpainted": '<tspan fill="none">Q</tspan>',
    "transparent": '<tspan fill-opacity="0">Q</tspan>',
    "hidden by a class": '<tspan class="h">Q</tspan>',
    "white on white": '<tspan fill="white">Q</tspan>',
    "a word": '<tspan display="none">and</tspan>',
    # adversary helper 153: letters a shade off the colour under them
    "near white on white": '<tspan fill="#fafafa">qq</tspan>',
}


@pytest.mark.parametrize("shape", sorted(HIDDEN))
def test_words_are_read_without_a_piece_that_is_not_drawn(shape: str) -> None:
    text = f"qorvath blen{HIDDEN[shape]}mist frendal"
    svg = SVG.format(f'<style>.h{{display:none}}</style><rect width="300" height="40" '
                     f'fill="white"/><text x="5" y="30" font-size="12">{text}</text>')  # fmt: skip
    safe = svgsafe.safe_svg(svg.encode(), lambda d, s: d)[1]
    assert PHRASE not in " ".join(svgsafe.drawn_text(safe).split())
    assert PHRASE in " ".join(svgsafe.drawn_text(safe, svgdraw.draw).split())


def test_every_piece_drawn_is_read_as_drawn() -> None:
    """A piece of text drawn (outlined only, or over another colour) is never taken for one
    hidden; spaces are no piece."""
    svg = SVG.format('<rect width="300" height="40" fill="navy"/><text x="5" y="30" '
                     'fill="white">qorvath <tspan fill="none" stroke="red">blen</tspan>mist'
                     '<tspan> </tspan>frendal</text>')  # fmt: skip
    safe = svgsafe.safe_svg(svg.encode(), lambda d, s: d)[1]
    assert svgtext.hidden(etree.fromstring(safe.encode()), svgdraw.draw) == set()


def test_words_written_backwards_and_drawn_forwards_are_read() -> None:
    """Adversary helper 149: a right-to-left override, or a mirror, drew a phrase written
    backwards."""
    override = SVG.format(f'<text x="5" y="30">&#x202E;{PHRASE[::-1]}</text>')
    assert PHRASE in _read(override)


def test_words_embedded_right_to_left_or_in_a_column_are_read_as_drawn() -> None:
    """Adversary helper 153: a right-to-left embedding draws its words in the other order,
    and a box of words down the picture is read a column at a time."""
    embedded = SVG.format(f'<text x="5" y="30">\u202b{" ".join(PHRASE.split()[::-1])}\u202c</text>')
    assert PHRASE in _read(embedded)
    pairs = zip(PHRASE.split(), ["budget", "agreed", "in"], strict=True)
    column = "".join(f'<text x="{x}" y="{20 + 30 * n}">{word}</text>'
                     for n, pair in enumerate(pairs)
                     for x, word in zip((5, 150), pair, strict=True))  # fmt: skip
    assert PHRASE in _read(SVG.format(column).replace('height="40"', 'height="120"'))


def test_text_in_a_marker_is_refused() -> None:
    """Adversary helper 153: text in markers is drawn where a path's points fall, in another
    order than written."""
    svg = SVG.format('<defs><marker id="m" overflow="visible"><text>frendal</text></marker>'
                     '</defs><path d="M 5 20 L 90 20" marker-end="url(#m)"/>')  # fmt: skip
    with pytest.raises(ImageRefused, match=r"text in a <marker>"):
        svgsafe.safe_svg(svg.encode(), lambda d, s: d)


def test_transforms_compose_as_svg_says() -> None:
    """Each function applies to what follows it: `translate(10) scale(2)` puts x=1 at 12."""
    matrix = svgtext.transform("translate(10) scale(2)")
    assert svgtext._map(matrix, (1.0, 0.0)) == (12.0, 0.0)
    turned = svgtext.transform("rotate(90 10 10)")
    assert [round(v, 6) for v in svgtext._map(turned, (20.0, 10.0))] == [10.0, 20.0]
    assert svgtext.transform("scale(2 3)")[:4] == (2.0, 0.0, 0.0, 3.0)


def test_a_use_of_itself_ends() -> None:
    """A `<use>` that draws its own group again is followed only so far, not forever."""
    svg = SVG.format('<g id="g"><text x="5" y="30">qorvath</text><use href="#g" x="9"/></g>')
    assert 0 < _read(svg).count("qorvath") <= 6 * (2 + svgtext.DEPTH)  # six readings


@pytest.mark.parametrize("shape", ["drawn by use", "look-alike"])
def test_withheld_words_an_svg_draws_are_refused(cli: Cli, project: Project, shape: str) -> None:
    svg = SVG.format(MOVED.get(shape, '<text x="5" y="30">qorvath blenmist frendаl</text>'))
    body = f"[{PHRASE}]{{.confidential}} Public.\n\n![A chart](chart.svg)\n"
    root = project({"reports/a.md": report(body),
                    "reports/chart.svg": svg})  # fmt: skip
    result = cli("build", "--now", NOW)
    assert result.code == 1, result.err
    found = rf"^a: confidential text '{PHRASE}' found in reports/a/img-\w+\.png"
    assert re.search(found, result.err, re.M), result.err
    assert not (root / "site").exists()
