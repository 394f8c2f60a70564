"""An image's pixels as a browser shows them: in sRGB, its colour profile or gamma applied.

A browser draws an image through its colour profile (ICC), or a PNG's gamma (`gAMA`) and
primaries (`cHRM`); the published image keeps neither, so its pixels are first made what the
browser showed. Dropped unconverted, a profile or gamma chosen to hide text (flat colour on
screen, text in the pixels) published the text (adversary helper 122). Refused: an animated
image (published as one picture a browser may never show), a profile that cannot be read,
primaries that are not sRGB's, and the chunks and markers a browser reads otherwise than
Pillow (helpers 124, 125).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from PIL import Image as Pillow
from PIL import ImageCms

from reportback.errors import ImageRefused

SRGB_GAMMA = 1 / 2.2
"""A PNG's gamma (its `gAMA`) as sRGB has it, near enough: left as it is."""
SRGB_PRIMARIES = (0.3127, 0.3290, 0.64, 0.33, 0.30, 0.60, 0.15, 0.06)
"""sRGB's white point and red, green and blue primaries (x, y), as a PNG's `cHRM` gives them."""
NEAR = 0.01
SPACES = {"RGB": "RGB", "GRAY": "L", "CMYK": "CMYK"}
"""The pixels each colour space of a profile applies to (Pillow's mode)."""


def refusals(image: Pillow.Image, data: bytes) -> None:
    """Raise ImageRefused for an image whose pixels cannot be shown as a browser shows them."""
    if getattr(image, "n_frames", 1) > 1:
        raise ImageRefused("is animated, and is published as one picture, which a browser may "
                           "show for a moment or never: save the one you mean as a still "
                           "image")  # fmt: skip
    if image.format == "PNG":
        _png(data, image)
    elif image.format == "JPEG":
        _jpeg(data)
    if icc := image.info.get("icc_profile"):
        _profile(icc)
    elif "srgb" not in image.info and _other_primaries(image.info.get("chromaticity")):
        raise ImageRefused("asks to be shown in colours other than sRGB's (its cHRM): "
                           "save it as sRGB")  # fmt: skip


def _other_primaries(primaries: tuple[float, ...] | None) -> bool:
    """Whether a PNG's `cHRM` names primaries other than sRGB's."""
    pairs = zip(primaries or SRGB_PRIMARIES, SRGB_PRIMARIES, strict=False)
    return any(abs(a - b) > NEAR for a, b in pairs)


def as_shown(image: Pillow.Image, info: dict[Any, Any]) -> Pillow.Image:
    """Return the image's pixels in sRGB, as a browser shows them: through its ICC profile,
    or (a PNG without one, nor an `sRGB` chunk) its gamma."""
    icc = info.get("icc_profile")
    gamma = float(info.get("gamma") or 0.0)
    if not icc and ("srgb" in info or not gamma or abs(gamma - SRGB_GAMMA) <= NEAR):
        return image
    image = eight_bit(image)
    alpha = None
    if image.mode == "P" and "transparency" not in image.info:
        image = image.convert("RGB")
    if "transparency" in image.info or image.mode in ("RGBA", "LA", "PA", "RGBa", "La", "P"):
        image = image.convert("RGBA")
        alpha = image.getchannel("A")
    if icc:
        shown = _through(image, _profile(icc))
    else:
        shown = _gamma_applied(image.convert("L" if image.mode in ("1", "L") else "RGB"), gamma)
    if alpha is not None:
        shown = shown.convert("RGBA" if shown.mode == "RGB" else "LA")
        shown.putalpha(alpha)
    return shown


def eight_bit(image: Pillow.Image) -> Pillow.Image:
    """Return a 16-bit or 32-bit grey image as 8-bit grey; any other as it is."""
    if image.mode.startswith("I") or image.mode == "F":
        deep = image.mode.startswith("I;16") or image.getextrema()[1] > 255  # type: ignore[operator]
        return image.convert("I").point(lambda v: v * (1 / 257 if deep else 1)).convert("L")
    return image


def _profile(icc: bytes) -> ImageCms.ImageCmsProfile:
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    except (OSError, ValueError, TypeError, ImageCms.PyCMSError) as exc:
        raise ImageRefused("has a colour profile that cannot be read: save it as sRGB") from exc
    if profile.profile.xcolor_space.strip() not in SPACES:
        raise ImageRefused("has a colour profile for neither RGB, grey nor CMYK: save it as "
                           "sRGB")  # fmt: skip
    return profile


def _through(image: Pillow.Image, profile: ImageCms.ImageCmsProfile) -> Pillow.Image:
    """Return `image` (no alpha) drawn through `profile`, in sRGB."""
    mode = SPACES[profile.profile.xcolor_space.strip()]
    if image.mode in ("RGBA", "LA"):
        image = image.convert("RGB" if mode == "RGB" else "L" if mode == "L" else image.mode)
    if image.mode == "1" or (image.mode == "L" and mode == "RGB"):
        image = image.convert(mode)
    if image.mode != mode:
        raise ImageRefused(f"has a colour profile for {mode} pixels but its pixels are "
                           f"{image.mode}: save it as sRGB")  # fmt: skip
    try:
        shown = ImageCms.profileToProfile(
            image, profile, ImageCms.createProfile("sRGB"), outputMode="RGB",
            renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
        )  # fmt: skip
    except (OSError, ValueError, ImageCms.PyCMSError) as exc:
        raise ImageRefused(f"has a colour profile that cannot be applied ({exc})") from exc
    assert shown is not None
    return shown


def _gamma_applied(image: Pillow.Image, gamma: float) -> Pillow.Image:
    """Return `image` (L or RGB) as a browser shows it under a PNG's `gamma`: each sample
    decoded to light by that gamma, and encoded again as sRGB."""
    table = [round(255 * _srgb((v / 255) ** (1 / gamma))) for v in range(256)]
    return image.point(table * len(image.getbands()))


def _srgb(light: float) -> float:
    light = min(max(light, 0.0), 1.0)
    return 12.92 * light if light <= 0.0031308 else 1.055 * light ** (1 / 2.4) - 0.055


SHOWN_BY = (b"gAMA", b"cHRM", b"iCCP", b"sRGB", b"PLTE", b"tRNS")
"""A PNG's chunks that say how its pixels are shown: a browser reads each once, before the
pixels; Pillow read one after them, or the last of two (adversary helper 124)."""


FORMED: dict[bytes, Callable[[bytes], bool]] = {
    b"sRGB": lambda body: len(body) == 1 and body[0] <= 3,
    b"gAMA": lambda body: len(body) == 4 and int.from_bytes(body, "big") > 0,
    b"cHRM": lambda body: len(body) == 32,
    b"iCCP": lambda body: 0 < body.find(b"\0") < 80 and body[body.find(b"\0") + 1 :][:1] == b"\0",
}
"""How each of those chunks is written: one written otherwise a browser ignores, Pillow did
not (an `sRGB` of intent 9 over a gamma of 20, a gAMA of 6 bytes, a profile with no name)."""


def _png(data: bytes, image: Pillow.Image) -> None:
    chunks: list[tuple[bytes, bytes]] = []
    at = 8
    while at + 8 <= len(data) and (not chunks or chunks[-1][0] != b"IEND"):
        size = int.from_bytes(data[at : at + 4], "big")
        chunks.append((data[at + 4 : at + 8], data[at + 8 : at + 8 + size]))
        at += 12 + size
    kinds = [kind for kind, _ in chunks]
    pixels = kinds.index(b"IDAT") if b"IDAT" in kinds else len(kinds)
    for kind in SHOWN_BY:
        where = [n for n, k in enumerate(kinds) if k == kind]
        if len(where) > 1 or any(n > pixels for n in where):
            raise ImageRefused(f"has its {kind.decode()} chunk twice or after its pixels, "
                               "which viewers read differently: save it again")  # fmt: skip
    for kind, body in chunks:
        if kind in FORMED and not FORMED[kind](body):  # a browser ignores it (helper 125)
            raise ImageRefused(f"has a malformed {kind.decode()} chunk, which viewers read "
                               "differently: save it again")  # fmt: skip
    header = chunks[0][1] if chunks and chunks[0][0] == b"IHDR" else b""
    if b"tRNS" in kinds and len(header) >= 13 and header[9] in (0, 2):  # grey or RGB
        raise ImageRefused("has a transparent colour (tRNS), which viewers read differently: "
                           "save it with an alpha channel")  # fmt: skip
    palette = next((body for kind, body in chunks if kind == b"PLTE"), None)
    if image.mode in ("P", "PA") and palette is not None:
        highest = (
            image.getchannel(0).getextrema()[1] if image.mode == "PA" else image.getextrema()[1]
        )
        if int(highest) >= len(palette) // 3:  # type: ignore[arg-type]
            raise ImageRefused("has pixels of colours its palette does not hold: save it again")


def _jpeg(data: bytes) -> None:
    """Refuse a JPEG whose colour profile is in pieces numbered otherwise than 1 to N of N:
    a browser ignores it; Pillow applied it (adversary helper 124)."""
    pieces: list[tuple[int, int]] = []
    at = 2
    while at + 4 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        if marker == 0xFF or marker == 0x01 or 0xD0 <= marker <= 0xD8:
            at += 1 if marker == 0xFF else 2
            continue
        if marker == 0xDA:  # the pixels start
            break
        size = int.from_bytes(data[at + 2 : at + 4], "big")
        body = data[at + 4 : at + 2 + size]
        if marker == 0xE2 and body.startswith(b"ICC_PROFILE\0") and len(body) >= 14:
            pieces.append((body[12], body[13]))
        at += 2 + size
    numbers, counts = sorted(n for n, _ in pieces), {c for _, c in pieces}
    if pieces and (len(counts) != 1 or numbers != list(range(1, len(pieces) + 1))
                   or counts != {len(pieces)}):  # fmt: skip
        raise ImageRefused("has a colour profile in pieces that do not fit together: save it "
                           "as sRGB")  # fmt: skip
