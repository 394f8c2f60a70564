"""Every published byte accounted for: images carry pixels only, SVG is drawn, PDFs read nothing.

Each leak test breaks one step on purpose (the re-encoder, the SVG rasteriser, the PDF's
sandbox) so that a secret gets through, and shows the audit refusing the build.
"""

from __future__ import annotations

import hashlib
import io
import random
import re
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pypdf
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms, PngImagePlugin

from reportback.audit import bytescan, leaks
from reportback.audit.leaks import Auditor, Output, PdfText
from reportback.audit.search import Withheld
from reportback.model import Audience, Fragment
from reportback.output import images, pdf, render, svgdraw
from reportback.output.templates import default_dir
from reportback.pandoc.json_ast import words

from .conftest import NOW, Result, report

Cli = Callable[..., Result]
Project = Callable[[dict[str, str | bytes]], Path]
SECRET = "Councillor Bloggs resigned over the undeclared housing contract payments"
MARK = b"undeclared"
"""A word of the secret that no published byte may hold."""


def _exif(text: str) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010E] = text  # ImageDescription
    exif[0x013B] = text  # Artist
    exif[0x8298] = text  # Copyright
    exif[0x0112] = 6  # Orientation: turn 90° clockwise to view
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}  # GPS
    return exif


def _xp_comment() -> Image.Exif:
    exif = Image.Exif()
    exif[0x9C9C] = SECRET.encode("utf-16-le")  # XPComment, as Windows writes it
    return exif


def _saved(fmt: str, mode: str = "RGB", **options: object) -> bytes:
    out = io.BytesIO()
    Image.new(mode, (32, 16), "navy").save(out, fmt, **options)
    return out.getvalue()


def _png_chunks(kind: str) -> bytes:
    info = PngImagePlugin.PngInfo()
    if kind == "itxt":
        info.add_itxt("Description", SECRET, zip=True)
    else:
        info.add_text("Comment", SECRET, zip=kind == "ztxt")
    return _saved("PNG", pnginfo=info)


def _icc() -> bytes:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return profile + SECRET.encode()  # a description no parser checks


XMP = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:description>{SECRET}</dc:description></x:xmpmeta>'
IMAGES: dict[str, Callable[[], bytes]] = {
    "jpeg-exif.jpg": lambda: _saved("JPEG", exif=_exif(SECRET)),
    "jpeg-xp-utf16.jpg": lambda: _saved("JPEG", exif=_xp_comment()),
    "jpeg-xmp.jpg": lambda: _saved("JPEG", xmp=XMP.encode()),
    "jpeg-comment.jpg": lambda: _saved("JPEG", comment=SECRET),
    "jpeg-icc.jpg": lambda: _saved("JPEG", icc_profile=_icc()),
    "jpeg-trailing.jpg": lambda: _saved("JPEG") + SECRET.encode(),
    "png-text.png": lambda: _png_chunks("text"),
    "png-ztxt.png": lambda: _png_chunks("ztxt"),
    "png-itxt.png": lambda: _png_chunks("itxt"),
    "png-exif.png": lambda: _saved("PNG", exif=_exif(SECRET)),
    "png-icc.png": lambda: _saved("PNG", icc_profile=_icc()),
    "png-trailing.png": lambda: _saved("PNG") + SECRET.encode(),
    "gif-comment.gif": lambda: _saved("GIF", mode="P", comment="x" * 250 + " " + SECRET),
    "webp-xmp.webp": lambda: _saved("WEBP", xmp=XMP.encode(), exif=_exif(SECRET)),
}
BODY = f"Public text.\n\n## Disciplinary {{.confidential}}\n\n{SECRET}.\n"


def _project_with(names: list[str]) -> dict[str, str | bytes]:
    shown = "".join(f"![Photo {n}](img/{n})\n\n" for n in names)
    files: dict[str, str | bytes] = {"reports/a.md": report(shown + BODY, title="T")}
    files |= {f"reports/img/{n}": IMAGES[n]() for n in names}
    return files


def _inflated(data: bytes) -> list[bytes]:
    """Return the file and each zlib stream in it, inflated (a reader's tools can)."""
    out = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        try:
            out.append(zlib.decompressobj().decompress(data[match.end() :]))
        except zlib.error:
            continue
    return out


def _holds_secret(data: bytes) -> bool:
    forms = [MARK, MARK.decode().encode("utf-16-le"), MARK.decode().encode("utf-16-be")]
    return any(form in layer for layer in _inflated(data) for form in forms)


def _assert_pixels_only(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif(), "EXIF"
        for key in ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment", "dpi"):
            assert key not in image.info, key
        assert not getattr(image, "text", {}), "PNG text chunks"
        end = b"\xff\xd9" if image.format == "JPEG" else b"IEND\xaeB`\x82"
        assert data.endswith(end), "bytes after the image ends"
    assert not _holds_secret(data)


def test_an_image_is_named_by_what_is_published_not_by_its_metadata(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 78: the name was a hash of the file as written, so it told which of
    several candidate originals (a hidden room number in a PNG text chunk) was used."""
    files = _project_with(["png-text.png", "png-ztxt.png"])
    root = project(files)
    result = cli("build", "--now", NOW)
    assert result.code == 0, result.err
    (published,) = (root / "site/reports/a").glob("img-*.png")  # the same pixels: one name
    assert published.name == f"img-{hashlib.sha256(published.read_bytes()).hexdigest()[:16]}.png"
    source = hashlib.sha256(files["reports/img/png-text.png"]).hexdigest()[:16]  # type: ignore[arg-type]
    assert source not in published.name


def test_published_images_carry_pixels_only_on_the_site_and_in_the_pdf(
    cli: Cli, project: Project
) -> None:
    root = project(_project_with(list(IMAGES)))
    result = cli("build", "--now", NOW)
    assert result.code == 0, result.err
    folder = root / "site/reports/a"
    published = sorted(folder.glob("img-*"))
    page = (folder / "index.html").read_text()
    shown = re.findall(r'<img src="(img-[^"]+)"', page)
    assert len(shown) == len(IMAGES), "every image is shown"
    assert {p.name for p in published} == set(shown), "those of the same pixels share a file"
    assert {p.suffix for p in published} == {".jpg", ".png"}
    for path in published:
        _assert_pixels_only(path.read_bytes())
    turned = [p for p in published if Image.open(p).size == (16, 32)]
    assert len(turned) == 3, "the EXIF orientation is applied (a JPEG, a PNG and a WebP)"
    whole = (folder / "a.pdf").read_bytes()
    assert not _holds_secret(whole)
    embedded = [i for page in pypdf.PdfReader(io.BytesIO(whole)).pages for i in page.images]
    assert {Path(i.name).suffix for i in embedded} == {".jpg", ".png"}  # identical ones once
    for image in embedded:
        with Image.open(io.BytesIO(image.data)) as opened:
            assert not opened.getexif() and "icc_profile" not in opened.info


@pytest.fixture
def broken_reencoder(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give the build a re-encoder with a bug: it returns the file as it was."""
    monkeypatch.setattr(images, "clean", lambda data, suffix, check_only=False: data)
    monkeypatch.setattr(images, "published_suffix", lambda suffix: suffix.lower())


@pytest.mark.parametrize("name", sorted(IMAGES))
def test_the_audit_refuses_an_image_the_reencoder_let_through(
    cli: Cli, project: Project, broken_reencoder: None, name: str
) -> None:
    root = project(_project_with([name]))
    result = cli("build", "--now", NOW)
    assert result.code == 1, result.err
    published = "reports/a/img-"
    found = rf"^a: confidential text '.*' found in {published}\w+\.\w+( \(and .*\))?; the pic"
    assert re.search(found, result.err, re.M)
    assert result.err.strip().endswith("refused: leak audit failed; nothing was published")
    assert not (root / "site").exists()


SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" onload="alert(1)">'
    f"<title>{SECRET}</title><desc>{SECRET}</desc><metadata>{SECRET}</metadata>"
    f"<!-- {SECRET} --><script>alert('{SECRET}')</script>"
    '<foreignObject width="40" height="20"><div xmlns="http://www.w3.org/1999/xhtml">'
    f"{SECRET}</div></foreignObject>"
    '<rect width="40" height="20" fill="#008000" onclick="steal()"/></svg>'
)


def test_svg_is_published_as_the_pixels_it_draws(cli: Cli, project: Project) -> None:
    root = project(
        {"reports/a.md": report("![Chart](chart.svg)\n\n" + BODY), "reports/chart.svg": SVG}
    )
    assert cli("build", "--now", NOW).code == 0
    folder = root / "site/reports/a"
    assert not list((root / "site").rglob("*.svg"))
    (png,) = folder.glob("img-*.png")
    _assert_pixels_only(png.read_bytes())
    with Image.open(png) as drawn:
        assert drawn.size == (40, 20) and drawn.getpixel((5, 5))[:3] == (0, 128, 0)
    for path in (root / "site").rglob("*"):
        if path.is_file():
            assert not _holds_secret(path.read_bytes()), path
            assert b"alert(" not in path.read_bytes() and b"steal()" not in path.read_bytes()


@pytest.mark.parametrize(
    ("inside", "shown"),
    [
        ('<image href="other.jpg" width="9" height="9"/>', "'other.jpg'"),
        ('<image xlink:href="/etc/hostname.png" width="9" height="9"/>', "'/etc/hostname.png'"),
        ('<use href="parts.svg#a"/>', "'parts.svg#a'"),
    ],
)
def test_an_svg_that_refers_to_another_file_is_refused(
    cli: Cli, project: Project, inside: str, shown: str
) -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="9" height="9">{inside}</svg>'
    )
    head = "---\ntitle: T\nmeeting: NEC\nmeeting_date: 2016-09-20\n---\n\n"
    root = project({"reports/a.md": head + "![Chart](chart.svg)\n", "reports/chart.svg": svg,
                    "reports/other.jpg": IMAGES["jpeg-exif.jpg"]()})  # fmt: skip
    result = cli("build", "--now", NOW)
    assert result.code == 1
    assert result.err.startswith(
        f"reports/a.md:7: image 'chart.svg' refers to {shown}; an SVG may refer only to its "
        "own parts (#id) and embedded data: images\n"
    )
    assert not (root / "site").exists()


def test_an_svg_that_names_a_style_sheet_is_refused(cli: Cli, project: Project) -> None:
    """Adversary helper 115: `<?xml-stylesheet href=…?>` was dropped, not refused, though the
    README refuses an SVG that refers to any address."""
    svg = ('<?xml-stylesheet type="text/css" href="http://example.org/x.css"?>\n'
           '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>')  # fmt: skip
    head = "---\ntitle: T\nmeeting: NEC\nmeeting_date: 2016-09-20\n---\n\n"
    root = project({"reports/a.md": head + "![Chart](chart.svg)\n", "reports/chart.svg": svg})
    result = cli("build", "--now", NOW)
    assert result.code == 1
    assert result.err.startswith(
        "reports/a.md:7: image 'chart.svg' refers to 'http://example.org/x.css'; an SVG may "
        "refer only to its own parts (#id) and embedded data: images\n"
    ), result.err
    assert not (root / "site").exists()


def test_the_audit_refuses_an_svg_published_as_written(
    cli: Cli, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(images, "published_suffix", lambda suffix: suffix.lower())
    monkeypatch.setattr(images, "clean", lambda data, suffix, check_only=False: data)
    root = project(
        {"reports/a.md": report("![Chart](chart.svg)\n\n" + BODY), "reports/chart.svg": SVG}
    )
    result = cli("build", "--now", NOW)
    assert result.code == 1
    assert re.search(
        r"^a: confidential text '.*' found in reports/a/img-\w+\.svg", result.err, re.M
    )
    assert not (root / "site").exists()


def _template(extra: str) -> str:
    return (default_dir() / "report.typ").read_text(encoding="utf-8") + extra


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('\n#let stolen = read("/../reports/a.md")\n', "reads a file"),
        ('\n#let stolen = read("../reports/a.md")\n', "reads a file"),
        ('\n#pdf.attach("notes.txt", bytes("hello"))\n', "embeds a file; a PDF embeds none"),
    ],
)
def test_a_pdf_template_can_read_and_attach_nothing(
    cli: Cli, project: Project, extra: str, message: str
) -> None:
    files = {"reports/a.md": report(BODY), "templates/report.typ": _template(extra)}
    root = project(files)
    result = cli("build", "--now", NOW)
    assert result.code == 1, result.err
    assert result.err.startswith("templates/report.typ:1: ")
    assert message in result.err.splitlines()[0]
    assert not (root / "site").exists()


def test_a_pdf_typst_cannot_lay_out_names_its_report(cli: Cli, project: Project) -> None:
    """A report the template cannot lay out (here: a word it panics on) is named, exit 3."""
    panics = _template('\n#show "Zqword": it => panic("x")\n')
    files = {"reports/a.md": report("Zqword.\n\n" + BODY), "templates/report.typ": panics}
    root = project(files)
    result = cli("build", "--now", NOW)
    assert result.code == 3, result.err
    assert result.err.startswith("reports/a.md: Typst could not lay out "), result.err
    assert not (root / "site").exists()


def test_a_pdf_template_that_lays_out_nothing_is_refused(cli: Cli, project: Project) -> None:
    """Adversary helper 99: a broken template override was blamed on the first report laid
    out with it (exit 3); the template is refused, exit 1."""
    for broken in ('\n#panic("x")\n', "\n#let broken = (\n"):
        files = {"reports/a.md": report(BODY), "templates/report.typ": _template(broken)}
        root = project(files)
        result = cli("build", "--now", NOW)
        assert result.code == 1, result.err
        assert result.err.startswith(
            "templates/report.typ:1: Typst cannot lay out any report with it: "
        ), result.err
        assert not (root / "site").exists()


def test_the_audit_refuses_a_pdf_whose_template_attached_a_report(
    cli: Cli, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the broken step: the PDF's folder holds the report's source (as the reports folder did),
    # and the render-time check for attachments is off
    real = render.make_pdf

    def leaky(template: str, body: str, info: pdf.PdfInfo, files: dict[str, bytes]) -> bytes:
        source = {"source.md": Path("reports/a.md").read_bytes()}
        return real(template, body, info, files | source)

    monkeypatch.setattr(render, "make_pdf", leaky)
    monkeypatch.setattr(pdf, "bytescan", SimpleNamespace(embeds_files=lambda data: False))
    files = {"reports/a.md": report(BODY), "templates/report.typ": _template(
        '\n#pdf.attach("/source.md")\n')}  # fmt: skip
    root = project(files)
    result = cli("build", "--now", NOW)
    assert result.code == 1, result.err
    lines = result.err.splitlines()
    assert any(re.match(r"a: confidential text '.*' found in reports/a/a\.pdf", ln) for ln in lines)
    assert "reports/a/a.pdf: the PDF embeds a file (or cannot be read to the end)" in lines
    assert not (root / "site").exists()


def _withheld() -> list[Withheld]:
    fragment = Fragment(Audience.CONFIDENTIAL, words(SECRET)[:8], SECRET)
    return [Withheld("a", fragment)]


def test_the_audit_refuses_a_file_type_it_cannot_read(tmp_path: Path) -> None:
    auditor = Auditor(_withheld(), PdfText(None))
    found = auditor.check(Output("reports/a/notes.bin", b"harmless", Audience.PUBLIC))
    assert [str(leak) for leak in found] == [
        "reports/a/notes.bin: the audit cannot read this type of file, so it is not published"
    ]
    assert auditor.check(Output("reports/a/ok.css", b"p { color: red }", Audience.PUBLIC)) == []


def test_the_audit_reads_a_pdfs_outline_that_no_page_shows() -> None:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_outline_item(title=SECRET + " ✓", page_number=0)  # not Latin-1: written as UTF-16
    out = io.BytesIO()
    writer.write(out)
    assert not _holds_secret(out.getvalue()), "the outline is not in the file as plain text"
    found = Auditor(_withheld(), PdfText(None)).check(
        Output("x.pdf", out.getvalue(), Audience.PUBLIC)
    )
    assert [str(leak) for leak in found] == [f"a: confidential text {SECRET!r} found in x.pdf"]


def test_bytes_inside_a_font_or_an_image_are_not_taken_for_an_attachment() -> None:
    # a font's or an image's compressed bytes can inflate to `/AF ` by chance (the bench
    # corpus's report 981 did); only a PDF's objects can embed a file
    def stream(dictionary: bytes, content: bytes) -> bytes:
        data = zlib.compress(content)
        return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (dictionary, len(data), data)

    writer = pypdf.PdfWriter()
    writer.add_blank_page(200, 200)
    out = io.BytesIO()
    writer.write(out)
    plain = out.getvalue()
    chance = b"\x00\x17/AF \x93\x02/EmbeddedFile\x00"
    font = plain + b"\n99 0 obj\n" + stream(b"/Subtype /Type1C", chance) + b"\nendobj\n"
    assert not bytescan.embeds_files(plain)
    assert not bytescan.embeds_files(font)
    held = stream(b"/Type /ObjStm /N 1 /First 5 /Xobj 1", b"1 0 << /AF [2 0 R] >>")
    objects = plain + b"\n98 0 obj\n" + held
    assert bytescan.embeds_files(objects + b"\nendobj\n")
    unreadable = plain + b"\n98 0 obj\n<< /Type /ObjStm /Length 9 >>\nstream\nnot zlib!\nendstream"
    assert bytescan.embeds_files(unreadable), "an object stream that cannot be read fails closed"
    writer.add_attachment("notes.txt", b"hello")
    attached = io.BytesIO()
    writer.write(attached)
    assert bytescan.embeds_files(attached.getvalue())


def _typeset(body: str, title: str = "Report") -> bytes:
    info = pdf.PdfInfo(title, "The rep", "NEC", "1 January 2027", "public", "en", False)
    return pdf.make_pdf((default_dir() / "report.typ").read_text(), body, info, {})


def test_words_typst_makes_of_math_are_read_in_the_pdf(cli: Cli, project: Project) -> None:
    # an adversary's find against auditing the Typst source instead of the PDF's text: math
    # letters split by an invisible command are "Q u i m … b y" in the source and the page
    # (pandoc leaves the TeX as written), but Typst sets them as one word
    body = (
        '## Disputes panel {.confidential reason="Disciplinary matter"}\n\n'
        "Quimby is expelled\n\n## Finance\n\n"
        "The budget was agreed. $Quim{}by$ is expelled\n"
    )
    root = project({"reports/a.md": report(body)})
    result = cli("build", "--now", NOW)
    assert result.code == 1, result.err
    assert "a: confidential text 'quimby is expelled' found in reports/a/a.pdf" in result.err
    assert not (root / "site").exists()


def test_a_pdfs_raw_bytes_are_read_but_not_its_pages_drawing() -> None:
    typeset = _typeset("Public words only, drawn in the fonts' own codes.", title=SECRET)
    text = bytescan.pdf_bytes_text(typeset)
    assert SECRET in text, "the properties are read from the bytes"
    pages = bytescan._page_contents(typeset)
    assert pages, "Typst's pages have content streams"
    assert " Tf" not in text and " Tj" not in text, "no drawing operator is read"
    whole = bytescan.text_of(b"".join(zlib.decompress(s) for s in _streams(typeset)))
    assert " Tf" in whole or " TJ" in whole, "the pages' streams do hold the drawing"


def test_a_pdfs_bytes_are_read_inflated_and_what_no_stream_holds_is_read_raw() -> None:
    """The file is read without the bytes a stream inflated from, but nothing else goes."""
    inflated = zlib.compress(b"words kept inside a stream")
    stored = zlib.compress(b"words stored without compression", 0)
    cut = zlib.compress(b"a stream cut short by the end of the file")[:-8]
    pdf_bytes = (
        b"%PDF-1.7\n1 0 obj\n<< /Length 9 >>\nstream\n" + inflated
        + b"words written after the stream ends\nendstream\nendobj\n"
        + b"2 0 obj\n<< >>\nstream\nwords never compressed\nendstream\nendobj\n"
        + b"3 0 obj\n<< >>\nstream\n" + stored + b"\nendstream\nendobj\n"
        + b"4 0 obj\n<< >>\nstream\n" + cut
    )  # fmt: skip
    text = bytescan.pdf_bytes_text(pdf_bytes)
    for written in ("words kept inside a stream", "words written after the stream ends",
                    "words never compressed", "words stored without compression"):  # fmt: skip
        assert written in text
    assert bytescan.text_of(cut) in text, "a stream with no end is read raw as well"
    payload, chance = next((p, t) for p in _payloads() if (t := _chance(p)))
    noisy = b"1 0 obj\n<< >>\nstream\n" + zlib.compress(payload) + b"\nendstream\nendobj\n"
    assert chance not in bytescan.pdf_bytes_text(noisy), "compressed bytes are not read as text"


def test_an_images_stream_in_a_pdf_is_read_as_its_pixels_are() -> None:
    """Pixels are read for ASCII, as a published image's are: the whole of `STRINGS` over a
    40-megapixel image's stream took tens of seconds."""
    pixels = b"\x01\x02words spelt by pixels\x03" + "é".encode() * 8
    dictionary = b"<< /Type /XObject /Subtype /Image /Width 9 /Height 1 >>"
    pdf_bytes = b"%PDF-1.7\n5 0 obj\n" + dictionary + b"\nstream\n" + zlib.compress(pixels)
    text = bytescan.pdf_bytes_text(pdf_bytes + b"\nendstream\nendobj\n")
    assert "words spelt by pixels" in text
    assert "é" * 6 not in text, "UTF-8 is not read in pixels"
    assert "é" * 6 in bytescan.pdf_bytes_text(pdf_bytes.replace(b"/Image", b"/Form"))


def test_an_image_under_the_pixel_limit_whose_pdf_stream_is_large_builds(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 81: a 23-megapixel PNG passed `check`, then the build stopped with a
    traceback: the PDF holds its 69 MB of pixels inflated, over the audit's 64 MB limit."""
    large = io.BytesIO()
    Image.new("RGB", (4800, 4800), (10, 20, 30)).save(large, "PNG")
    root = project({"reports/a.md": report("Text.\n\n![A plan](a.png)\n"),
                    "reports/a.png": large.getvalue()})  # fmt: skip
    assert cli("check").code == 0
    result = cli("build", "--now", NOW)
    assert result.code == 0, result.err
    assert len(list((root / "site/reports/a").glob("img-*.png"))) == 1


def _chance(payload: bytes) -> str:
    """Return a string found by chance in `payload`'s compressed bytes, not in the payload."""
    found = bytescan.text_of(zlib.compress(payload)).splitlines()
    return next((t for t in found if t not in bytescan.text_of(payload)), "")


def _payloads() -> Iterator[bytes]:
    """Random bytes, differently each time, the same in every run."""
    for seed in range(10_000):
        generate = random.Random(seed)
        yield bytes(generate.randrange(256) for _ in range(400))


def test_pdf_literal_strings_are_unescaped_as_pdf_reads_them() -> None:
    literal = rb"a\(b\)c\\d\n\101\1012\0\
e\x\r"
    assert bytescan._unescape(literal) == b"a(b)c\\d\nAA2\x00ex\r"
    assert bytescan._unescape(b"no escapes") == b"no escapes"


def test_a_file_read_clean_is_not_read_again_until_a_run_is_new(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    reads: list[str] = []
    real = leaks.chunks
    monkeypatch.setattr(leaks, "chunks", lambda o, t: reads.append(o.name) or real(o, t))
    page = Output("clps/x/index.html", b"<p>Public words only</p>", Audience.PUBLIC)
    store = tmp_path / "verdicts.pickle"
    for _ in range(2):
        auditor = Auditor(_withheld(), PdfText(None), verdicts=leaks.Verdicts(store))
        assert auditor.check_all([page]) == []
    assert reads == ["clps/x/index.html"], "the same bytes were read once"
    fresh = [*_withheld(), Withheld("b", Fragment(Audience.CONFIDENTIAL, ("new", "run", "x"), "x"))]
    Auditor(fresh, PdfText(None), verdicts=leaks.Verdicts(store)).check_all([page])
    assert len(reads) == 2, "a new run means reading it again"


def _streams(data: bytes) -> list[bytes]:
    found = []
    for match in bytescan.PDF_STREAM.finditer(data):
        end = data.find(b"endstream", match.end())
        raw = data[match.end() : end].rstrip(b"\r\n")
        try:
            zlib.decompress(raw)
        except zlib.error:
            continue
        found.append(raw)
    return found


@settings(max_examples=300, deadline=None)
@example([b"7", b" " * 40, b"0", b" ", b"obj"])  # a header wider than the first window
@given(st.lists(st.sampled_from([b"1", b"23", b"0", b" ", b"\n", b"\t", b" " * 40, b"obj",
                                 b"endobj", b"x", b"stream"]), max_size=30))  # fmt: skip
def test_object_headers_are_found_as_the_header_pattern_finds_them(parts: list[bytes]) -> None:
    """`_objects` finds headers from each `obj` back: exactly the pattern's matches."""
    pdf_bytes = b"".join(parts)
    expected = [(m.end(), int(m[1])) for m in bytescan.PDF_OBJECT.finditer(pdf_bytes)]
    assert bytescan._objects(pdf_bytes) == expected


def test_text_drawn_outside_the_page_is_read() -> None:
    """A viewer shows nothing outside the page's box, but a copy of the file carries it: the
    audit reads every character drawn (PDFium's text range, not the page's bounded text)."""
    typeset = _typeset("Public words.\n\n#place(top + left, dx: -12cm, dy: -4cm)[zq off the page]")
    assert "zq off the page" in leaks.pdf_text(typeset)


def _erased(mode: str, alpha: int = 0) -> Image.Image:
    """A screenshot with a name 'erased' to transparency: its pixels keep their colours
    (a red stripe) under alpha 0 (or an eraser's 1-3), beside a visible blue half."""
    image = Image.new("RGBA", (40, 20), (0, 0, 255, 255))
    for x in range(20):
        for y in range(20):
            image.putpixel((x, y), (200, 10, 10, alpha))
    if mode == "P":  # a palette with one transparent entry, holding the red
        paletted = image.convert("RGB").quantize(colors=4)
        red = paletted.getpixel((0, 0))
        paletted.info["transparency"] = red
        return paletted
    return image.convert(mode)


def _pixels(image: Image.Image, mode: str = "RGBA") -> list[bytes]:
    data, size = image.convert(mode).tobytes(), len(mode)
    return [data[i : i + size] for i in range(0, len(data), size)]


def _hidden_colours(data: bytes) -> set[tuple[int, ...]]:
    with Image.open(io.BytesIO(data)) as opened:
        pixels = _pixels(opened)
        return {tuple(p[:3]) for p in pixels if p[3] == 0} | {
            tuple(p[:3]) for p in pixels if p[0] > 150 and p[2] < 100
        }


@pytest.mark.parametrize(("mode", "suffix", "alpha"), [
    ("RGBA", ".png", 0), ("LA", ".png", 0), ("P", ".png", 0), ("RGBA", ".jpg", 0),
    ("RGBA", ".png", 1), ("RGBA", ".png", 3),
])  # fmt: skip
def test_what_is_under_a_transparent_pixel_is_not_published(
    mode: str, suffix: str, alpha: int
) -> None:
    """Held-out round 20: text erased to transparency kept its colours under alpha 0, in the
    published PNG and in the PDF; a PNG named .jpg was flattened with them showing. Round 21:
    and under alpha 1 or 3 (an eraser at less than full strength)."""
    buffer = io.BytesIO()
    source = _erased(mode, alpha)
    source.save(buffer, "PNG")
    made = images.clean(buffer.getvalue(), suffix)
    hidden = _hidden_colours(made)
    assert hidden <= {(0, 0, 0)}, hidden
    with Image.open(io.BytesIO(made)) as opened:
        right = opened.convert("RGBA").getpixel((30, 10))
    drawn = source.convert("RGBA").getpixel((30, 10))
    assert all(abs(a - b) < 8 for a, b in zip(right, drawn, strict=True)), "what is drawn is kept"


def test_an_erased_name_is_not_in_the_pdf_either(cli: Cli, project: Project) -> None:
    buffer = io.BytesIO()
    _erased("RGBA").save(buffer, "PNG")
    body = "Public.\n\n![The chart](chart.png)\n"
    root = project({"reports/a.md": report(body), "reports/chart.png": buffer.getvalue()})
    assert cli("build", "--now", NOW).code == 0
    whole = (root / "site/reports/a/a.pdf").read_bytes()
    embedded = [i for page in pypdf.PdfReader(io.BytesIO(whole)).pages for i in page.images]
    assert embedded
    for image in embedded:
        with Image.open(io.BytesIO(image.data)) as opened:
            assert not any(p[0] > 150 and p[2] < 100 for p in _pixels(opened, "RGB"))


@pytest.mark.parametrize(("mode", "down", "spelt"), [
    ("RGBA", False, ""), ("RGB", False, ""), ("L", False, ""), ("L", True, ""), ("RGB", True, ""),
    ("L", False, "backwards"), ("L", False, "utf-16"), ("L", True, "backwards"),
])  # fmt: skip
def test_withheld_text_spelled_in_an_images_pixels_is_refused(
    cli: Cli, project: Project, mode: str, down: bool, spelt: str
) -> None:
    """Adversary helper 63: a lossless image whose bytes of colour spell a withheld phrase
    was published, pixels intact; the audit read only the compressed file. It decodes the
    pixels, all bands and each alone, along the rows and down the columns (helper 167),
    forwards, backwards and every other byte (UTF-16: helper 170)."""
    phrase = b"qorvath blenmist frendal"
    phrase = {"backwards": phrase[::-1], "utf-16": phrase.decode().encode("utf-16-le")}.get(
        spelt, phrase)  # fmt: skip
    bands = len(mode)
    red = b"".join(bytes([c, 0, 0]) for c in phrase + b"\0")  # RGB: in the red band alone
    spelled = red if mode == "RGB" else phrase + b"\0" * (4 if mode == "RGBA" else 1)
    width = len(spelled) // bands  # RGBA: four letters a pixel; L: one; a row ends with a 0
    buffer = io.BytesIO()
    image = Image.frombytes(mode, (width, 1), spelled).resize((width, 4), Image.Resampling.NEAREST)
    (image.transpose(Image.Transpose.TRANSPOSE) if down else image).save(buffer, "PNG")
    body = "[qorvath blenmist frendal]{.confidential} Public.\n\n![A chart](chart.png)\n"
    root = project({"reports/a.md": report(body), "reports/chart.png": buffer.getvalue()})
    result = cli("build", "--now", NOW)
    assert result.code == 1, result.err
    found = r"^a: confidential text 'qorvath blenmist frendal' found in reports/a/img-\w+\.png"
    assert re.search(found, result.err, re.M), result.err
    assert not (root / "site").exists()


@pytest.mark.parametrize(
    "elsewhere",
    [
        {"reports/b.md": report("Notes.\n\nqorvath blenmist frendal\n", status="draft")},
        {
            "reports/b.md": report(
                "Notes.\n\nqorvath blenmist frendal\n", publish_at="2099-01-01T09:00:00+00:00"
            )
        },
        {
            "reports/b.md": report("Notes.\n\n![Map](qorvath-blenmist-frendal.png)\n"),
            "reports/qorvath-blenmist-frendal.png": _saved("PNG"),
        },
        {
            "reports/b.md": report("Notes.\n\n![Map][m]\n\n[m]: <qorvath blenmist frendal.png>\n"),
            "reports/qorvath blenmist frendal.png": _saved("PNG"),
        },
        {
            "reports/a.md": report(
                "[qorvath blenmist frendal]{.confidential} Public.\n\n"
                "![A chart](chart.png) ![Map](qorvath-blenmist-frendal.png)\n"
            ),
            "reports/qorvath-blenmist-frendal.png": _saved("PNG"),
        },
    ],
    ids=["draft", "embargoed", "image-file", "image-reference", "same-report"],
)
def test_withheld_words_are_not_public_for_being_in_what_no_output_shows(
    cli: Cli, project: Project, elsewhere: dict[str, str | bytes]
) -> None:
    """Adversary helper 137: withheld words are no leak where public text holds them too,
    and public text counted a draft's, an embargoed report's and an image's file name, which
    no output shows: an image spelling a confidential phrase in its pixels (or an attribute
    holding it) was published beside a draft saying it."""
    spelled = io.BytesIO()
    Image.frombytes("L", (24, 1), b"qorvath blenmist frendal").save(spelled, "PNG")
    body = "[qorvath blenmist frendal]{.confidential} Public.\n\n![A chart](chart.png)\n"
    files = {"reports/a.md": report(body), "reports/chart.png": spelled.getvalue(), **elsewhere}
    root = project(files)
    result = cli("build", "--now", NOW)
    assert result.code == 1, result.err
    found = r"^a: confidential text 'qorvath blenmist frendal' found in reports/a/img-\w+\.png"
    assert re.search(found, result.err, re.M), result.err
    assert not (root / "site").exists()


@pytest.mark.parametrize(
    ("size", "said"),
    [
        (
            'width="100%" height="100%" viewBox="0 0 100000 100000"',
            "has width='100%', which a browser reads otherwise than resvg",
        ),
        ('width="1e5" height="1e5"', "is 100001×100001 pixels"),
        ('width="10furlongs" height="10"', "has width='10furlongs', which a browser reads"),
    ],
    ids=["percent", "exponent", "unit"],
)
def test_an_svg_drawn_too_large_is_refused_before_it_is_drawn(
    cli: Cli, project: Project, size: str, said: str
) -> None:
    """Adversary helper 63: an SVG 100% wide of a 100,000-unit viewBox was read as 100 pixels
    and drawn at 100,000 square: resvg asked for 40 GB and aborted the build."""
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" {size}><rect width="9" height="9"/></svg>'
    head = "---\ntitle: T\nmeeting: NEC\nmeeting_date: 2016-09-20\n---\n\n"
    root = project({"reports/a.md": head + "![Chart](chart.svg)\n", "reports/chart.svg": svg})
    result = cli("build", "--now", NOW)
    assert result.code == 1
    assert result.err.startswith(f"reports/a.md:7: image 'chart.svg' {said}"), result.err
    assert not (root / "site").exists()


@pytest.mark.parametrize(
    ("head", "text"),
    [("", "qorvath blenmist frendal"),
     ('<!DOCTYPE svg [<!ENTITY c "qorvath blenmist frendal">]>', "&c;"),
     ("", '<tspan>qorvath</tspan> <tspan dy="2">blenmist</tspan> frendal'),
     # adversary helper 140: placed in another order than written, words or letters
     ("", '<tspan x="200">frendal</tspan> <tspan x="5">qorvath</tspan> '
          '<tspan x="90">blenmist</tspan>'),
     ("", f'<tspan x="{" ".join(str(240 - 10 * i) for i in range(24))}">'
          f'{"qorvath blenmist frendal"[::-1]}</tspan>')],
    ids=["text", "entity", "tspans", "words-placed", "letters-placed"],
)  # fmt: skip
def test_withheld_text_an_svg_draws_in_letters_is_refused(
    cli: Cli, project: Project, head: str, text: str
) -> None:
    """Adversary helper 137: an SVG's <text> is drawn into its PNG as letters, which no byte
    of the PNG holds; a public SVG saying a confidential phrase was published as a picture
    of it. The audit reads the text an SVG draws beside its pixels."""
    svg = (f'{head}<svg xmlns="http://www.w3.org/2000/svg" width="300" height="40">'
           f'<text x="5" y="30" font-size="12">{text}</text></svg>')  # fmt: skip
    body = "[qorvath blenmist frendal]{.confidential} Public.\n\n![A chart](chart.svg)\n"
    root = project({"reports/a.md": report(body), "reports/chart.svg": svg})
    result = cli("build", "--now", NOW)
    assert result.code == 1, result.err
    found = r"^a: confidential text 'qorvath blenmist frendal' found in reports/a/img-\w+\.png"
    assert re.search(found, result.err, re.M), result.err
    assert "write them in the report's public text too, as its caption" in result.err
    assert not (root / "site").exists()
    (root / "reports/a.md").write_text(report(body.replace("qorvath", "zindle")))
    assert cli("build", "--now", NOW).code == 0, "the same SVG, withholding nothing it says"


def test_an_svg_of_no_width_is_said_to_have_none(cli: Cli, project: Project) -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9"><rect width="9"/></svg>'
    project({"reports/a.md": report("![Chart](chart.svg)\n"), "reports/chart.svg": svg})
    result = cli("build", "--now", NOW)
    assert result.code == 1
    assert "image 'chart.svg' has no width, which a browser reads otherwise" in result.err


def test_an_svg_that_cannot_be_drawn_in_bounded_memory_is_refused() -> None:
    """resvg aborts the process it draws in when it cannot allocate: it draws in a child
    whose memory is bounded, and its abort is a refusal."""
    huge = ('<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="100%" '
            'viewBox="0 0 100000 100000"><rect width="9" height="9"/></svg>')  # fmt: skip
    with pytest.raises(svgdraw.NotDrawn, match="needs more than 3 GB to draw"):
        svgdraw.draw(huge)
    drawn = svgdraw.draw(huge.replace("100000", "40"))
    with Image.open(io.BytesIO(drawn)) as image:
        assert image.size == (40, 40) and image.getpixel((4, 4))[3] == 255


@pytest.mark.parametrize("written", ["<my chart.png>", "my%20chart.png"])
def test_an_image_named_with_a_space_is_found(cli: Cli, project: Project, written: str) -> None:
    """Adversary helper 63: pandoc writes a space in a link's target as %20, and an image
    named `my chart.png` was refused as not found."""
    body = f"Public.\n\n![The chart]({written})\n"
    root = project({"reports/a.md": report(body), "reports/my chart.png": _saved("PNG")})
    result = cli("build", "--now", NOW)
    assert result.code == 0, result.err
    (png,) = (root / "site/reports/a").glob("img-*.png")
    assert png.name in (root / "site/reports/a/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_a_16_bit_grey_image_keeps_its_greys(suffix: str) -> None:
    """Adversary helper 94: a 16-bit greyscale PNG was published as a white image (its
    values, up to 65,535, were cut at 255)."""
    grey = Image.new("I;16", (256, 4))
    grey.putdata([x * 257 for x in range(256)] * 4)
    written = io.BytesIO()
    grey.save(written, "PNG")
    with Image.open(io.BytesIO(images.clean(written.getvalue(), suffix))) as shown:
        assert shown.mode == "L"
        assert shown.getextrema()[0] <= 2 and shown.getextrema()[1] >= 253
        assert abs(shown.getpixel((128, 0)) - 128) <= 3  # type: ignore[operator]


@pytest.mark.parametrize("family", ["", ' font-family="Arial"', ' font-family="serif"'])
def test_an_svgs_text_is_drawn(family: str) -> None:
    """Adversary helper 94: an SVG's text was not drawn (resvg looked for Times New Roman,
    which few systems have), so a chart's labels were gone from the page and the PDF."""
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="50">'
           f'<text x="5" y="30" font-size="20"{family}>Seats won</text></svg>')  # fmt: skip
    with Image.open(io.BytesIO(images.clean(svg.encode(), ".svg"))) as drawn:
        alpha = drawn.convert("RGBA").getchannel("A")
        assert alpha.getbbox() is not None, "nothing drawn"
        assert sum(1 for a in alpha.tobytes() if a > 128) > 200


def _tiff() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(out, "TIFF")
    return out.getvalue()


def _huge(root: Path) -> None:
    """A PNG made a byte past the largest image file read (its size, not its bytes, on disk)."""
    with (root / "reports" / "chart.png").open("r+b") as handle:
        handle.truncate(images.MAX_BYTES + 1)


@pytest.mark.parametrize(
    ("data", "then", "said"),
    [
        (_tiff, None, "is not a PNG, JPEG, GIF or WebP image, whatever its name"),
        (lambda: b"", None, "is not a PNG, JPEG, GIF or WebP image, whatever its name"),
        (lambda: _saved("PNG"), _huge, "is 50 MB; the largest read is 50 MB: make it smaller"),
    ],
    ids=["a TIFF named .png", "an empty file", "a file over 50 MB"],
)
def test_an_image_file_pillow_should_not_read_is_refused_in_its_own_words(
    cli: Cli,
    project: Project,
    data: Callable[[], bytes],
    then: Callable[[Path], None] | None,
    said: str,
) -> None:
    """Adversary helper 102: a TIFF (BMP, PCX…) named `.png` was decoded and published; a
    3 GB image had the system kill the build, with no message; an unreadable one was refused
    with `<_io.BytesIO object at 0x7f…>` in the message."""
    head = "---\ntitle: T\nmeeting: NEC\nmeeting_date: 2016-09-20\n---\n\n"
    root = project({"reports/a.md": head + "![Chart](chart.png)\n", "reports/chart.png": data()})
    if then is not None:
        then(root)
    result = cli("build", "--now", NOW)
    assert result.code == 1, result.err
    assert result.err.startswith(f"reports/a.md:7: image 'chart.png' {said}"), result.err
    assert "0x" not in result.err
