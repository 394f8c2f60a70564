"""Publish pixels, not files: every image is decoded and encoded again before it goes out.

A raster image (PNG, JPEG, GIF, WebP) is decoded with Pillow, turned upright by its EXIF
orientation, made what a browser shows (`colours`), and written afresh from its pixels alone:
no EXIF, XMP, ICC profile, comment, text chunk or trailing byte survives. A JPEG stays a JPEG
(quality 90); every other image becomes a PNG; an animated one is refused. An SVG is
rasterised to a PNG (resvg) from a copy `svgsafe` keeps to what resvg and a browser draw alike:
what is published is what is drawn.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from pathlib import Path

from PIL import (
    GifImagePlugin,
    ImageOps,
    JpegImagePlugin,
    PngImagePlugin,
    UnidentifiedImageError,
    WebPImagePlugin,
)
from PIL import Image as Pillow

from reportback.cache import Cache
from reportback.cache import key as cache_key
from reportback.errors import ImageRefused, InputRefused, problem
from reportback.model import Image
from reportback.output import colours, svgdraw, svgsafe

MAX_PIXELS = 40_000_000
"""The largest image published (40 megapixels); a larger one is refused."""
MAX_BYTES = 50 << 20
"""The largest image file read (50 MB): reading one takes ~11 times its size in memory (a
3 GB file had the system kill the build, with no message: adversary helper 102)."""
FORMATS = tuple(
    plugin.format
    for plugin in (PngImagePlugin.PngImageFile, JpegImagePlugin.JpegImageFile,
                   GifImagePlugin.GifImageFile, WebPImagePlugin.WebPImageFile)
)  # fmt: skip
"""The formats an image is read in, whatever its name (a TIFF, BMP or PCX file named `.png`
was decoded: adversary helper 102), their plugins loaded here (Pillow loads only some before
it is asked); a JPEG holding more than one picture (MPO) is a JPEG."""
JPEG_QUALITY = 90


def published_suffix(suffix: str) -> str:
    """Return the file suffix an image with `suffix` is published under."""
    return ".jpg" if suffix.lower() in (".jpg", ".jpeg") else ".png"


def problems(path: Path) -> list[str]:
    """Return why the image at `path` cannot be published (empty: it can)."""
    try:
        clean(read(path), path.suffix, check_only=True)
    except ImageRefused as refused:
        return [str(refused)]
    return []


def published_name(path: Path, cache: Cache | None = None) -> str:
    """Return the name the image at `path` is published under: a hash of its bytes as
    published (pixels only), not of the file as written, whose hash would be a fingerprint
    of its metadata (adversary helper 78 told a hidden room number from it); raise
    ImageRefused. The bytes are kept for `published`: an image is re-encoded once."""
    made = _stored(read(path), path.suffix, cache)
    return f"img-{hashlib.sha256(made).hexdigest()[:16]}{published_suffix(path.suffix)}"


def published(image: Image, cache: Cache | None) -> bytes:
    """Return the bytes of `image` as published: re-encoded once, then from the cache."""
    try:
        return _stored(read(image.source), image.source.suffix, cache)
    except ImageRefused as refused:
        raise InputRefused([problem(image.source, 1, f"image {refused}")]) from refused


def drawn(image: Image) -> str:
    """Return the text an SVG image draws in letters ('' for any other image). Its embedded
    pictures are left as they are: `published` has cleaned them, and they hold no letters."""
    if image.source.suffix.lower() != ".svg":
        return ""
    return svgsafe.drawn_text(svgsafe.safe_svg(read(image.source), _as_is)[1], svgdraw.draw)


def _as_is(data: bytes, suffix: str) -> bytes:
    return data


def read(path: Path) -> bytes:
    """Return an image file's bytes; raise ImageRefused for one over `MAX_BYTES`."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ImageRefused(f"is {size / 2**20:.0f} MB; the largest read is "
                           f"{MAX_BYTES >> 20} MB: make it smaller")  # fmt: skip
    return path.read_bytes()


def _stored(data: bytes, suffix: str, cache: Cache | None) -> bytes:
    """Return an image's bytes re-encoded (`clean`), from the cache if kept there; raise
    ImageRefused."""
    name = cache_key("image", suffix.lower(), data)
    stored = cache.get_bytes("image", name) if cache is not None else None
    if stored is not None:
        return stored
    made = clean(data, suffix)
    if cache is not None:
        cache.put_bytes("image", name, made)
    return made


def clean(data: bytes, suffix: str, check_only: bool = False) -> bytes:
    """Return the image in `data` as pixels only (PNG, or JPEG for a JPEG); raise ImageRefused."""
    if suffix.lower() == ".svg":
        return _rasterise(data, check_only)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Pillow.DecompressionBombWarning)
        try:
            if check_only:  # on a file of its own: verify reads it, and leaves it unusable
                with Pillow.open(io.BytesIO(data), formats=FORMATS) as opened:
                    _bounded(opened.size)
                    opened.verify()
            with Pillow.open(io.BytesIO(data), formats=FORMATS) as opened:
                _bounded(opened.size)
                colours.refusals(opened, data)  # reads a palette image's pixels
                if check_only:
                    return b""
                opened.seek(0)
                shown = colours.as_shown(ImageOps.exif_transpose(opened), opened.info)
                return _encode(shown, published_suffix(suffix))
        except ImageRefused:
            raise
        except UnidentifiedImageError as exc:  # its message names an object in memory
            raise ImageRefused("is not a PNG, JPEG, GIF or WebP image, whatever its name "
                               "(another format, or damaged)") from exc  # fmt: skip
        except (Pillow.DecompressionBombError, Pillow.DecompressionBombWarning) as exc:
            raise ImageRefused(f"is over {MAX_PIXELS // 1_000_000} megapixels, the most "
                               "published: scale it down") from exc  # fmt: skip
        except (OSError, ValueError, SyntaxError) as exc:
            raise ImageRefused(f"cannot be read as an image ({exc})") from exc


def _bounded(size: tuple[int, int]) -> None:
    width, height = size
    if width * height > MAX_PIXELS:
        raise ImageRefused(
            f"is {width}×{height} pixels ({width * height / 1e6:.0f} megapixels); "
            f"the most published is {MAX_PIXELS // 1_000_000}: scale it down"
        )


def _encode(image: Pillow.Image, suffix: str) -> bytes:
    """Write `image`'s pixels, and nothing else, as a fresh JPEG or PNG.

    What is under a (nearly) transparent pixel is not drawn, but it is kept: text "erased" to
    transparency in a screenshot keeps its colours there, for anyone to read back. So an
    image with transparency keeps none (a PNG: black under each clear pixel), or is laid on
    white (a JPEG, which has no transparency: as a page shows it).
    """
    jpeg = suffix == ".jpg"
    image = colours.eight_bit(image)
    if "transparency" in image.info or image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        image = _cleared(image.convert("RGBA"))
        if jpeg:
            white = Pillow.new("RGBA", image.size, (255, 255, 255, 255))
            image = Pillow.alpha_composite(white, image).convert("RGB")
    if jpeg:
        mode = "L" if image.mode in ("1", "L", "LA", "I", "I;16") else "RGB"
    else:
        keep = ("1", "L", "LA", "RGB", "RGBA")
        transparent = "transparency" in image.info or image.mode.endswith("A")
        mode = image.mode if image.mode in keep else "RGBA" if transparent else "RGB"
    pixels = image.convert(mode) if image.mode != mode else image
    fresh = Pillow.frombytes(mode, pixels.size, pixels.tobytes())  # no info, no palette
    out = io.BytesIO()
    if jpeg:
        fresh.save(out, "JPEG", quality=JPEG_QUALITY)
    else:
        fresh.save(out, "PNG")
    return out.getvalue()


CLEAR = 16
"""Pixels less opaque than this (of 255: 6%) are cleared: an eraser at less than full
strength leaves text drawn at alpha 1 or 3, invisible on the page but there to read back."""


def _cleared(image: Pillow.Image) -> Pillow.Image:
    """Return an RGBA image with every (nearly) transparent pixel transparent black."""
    clear = image.getchannel("A").point(lambda a: 255 if a < CLEAR else 0).convert("1")
    return Pillow.composite(Pillow.new("RGBA", image.size, (0, 0, 0, 0)), image, clear)


def _rasterise(data: bytes, check_only: bool) -> bytes:
    """Return a PNG of what the SVG in `data` draws; refuse one that refers to anything."""
    size, safe = svgsafe.safe_svg(data, clean)
    _bounded(size)
    if check_only:
        return b""
    try:
        png = svgdraw.draw(safe)
    except svgdraw.NotDrawn as exc:
        raise ImageRefused(f"cannot be drawn as an SVG ({exc})") from exc
    return clean(png, ".png")
