"""Read the text in a published file's raw bytes, for the leak audit.

The audit reads pages as a reader does; this reads what a reader's tools could dig out of
the bytes: every string in a file (ASCII, UTF-8, and UTF-16 either way round), the inflated
streams and decoded strings of a PDF (embedded images, attachments, outline, XMP), the
compressed text chunks of a PNG, the comment and application blocks of a GIF, and the
decoded pixels of any image (a lossless image's bytes of colour can spell words). It trusts
no earlier step: a re-encoded image should hold no text, and this is how the audit knows.
"""

from __future__ import annotations

import bisect
import html
import io
import re
import zlib
from collections.abc import Iterator

IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
BINARY_TYPES = (".pdf", *IMAGE_TYPES)
"""The file types whose raw bytes this module reads (text types are read as text)."""
SHORTEST = 6
"""The shortest string read: the audit's shortest run is three words, and shorter runs of
printable bytes are mostly chance in compressed data (a photo's is 40% printable)."""
STRINGS = re.compile(rb"(?:[\t\n\r\x20-\x7e]|[\xc2-\xf4][\x80-\xbf]{1,3}){%d,}" % SHORTEST)
"""Runs of printable ASCII or UTF-8 (like strings(1))."""
ASCII = re.compile(rb"[\t\n\r\x20-\x7e]{%d,}" % SHORTEST)
"""Runs of printable ASCII: what an image's pixels are read for (the whole of `STRINGS`
took 10 s over a 12-megapixel photo's pixels and bands; this, 1 s)."""
UTF16 = (
    re.compile(rb"(?:[\t\n\r\x20-\x7e\xa0-\xff]\x00){%d,}" % SHORTEST),
    re.compile(rb"(?:\x00[\t\n\r\x20-\x7e\xa0-\xff]){%d,}" % SHORTEST),
)
"""The same in UTF-16, little- and big-endian (EXIF's XP tags, PDF strings)."""
PDF_STREAM = re.compile(rb"stream\r?\n")
PDF_OBJECT = re.compile(rb"(\d+)\s+\d+\s+obj\b")
"""An object's header, `N G obj`; found by `_objects`, from each `obj` back."""
OBJ = re.compile(rb"obj\b")
HEAD = re.compile(rb"(\d+)\s+\d+\s+\Z")
NUMBERS = re.compile(rb"[\d\s]*")
SPACES = (b" ", b"\t", b"\n", b"\r", b"\x0b", b"\x0c")
"""What `\\s` matches in bytes."""
CONTENTS = re.compile(rb"/Contents\s*(\d+\s+\d+\s+R|\[[^\]]*\])")
PDF_STREAM_BODY = re.compile(rb"stream\r?\n.*?endstream", re.S)
PRINTABLE = re.compile(rf"[^\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd]{{{SHORTEST},}}")
PDF_HEX = re.compile(rb"<([0-9A-Fa-f\s]{4,})>")
PDF_LITERAL = re.compile(rb"\((?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\)", re.S)
EMBEDDED = re.compile(rb"/(?:EmbeddedFiles?|FileAttachment|AF|Filespec)\b")


class Unreadable(ValueError):
    """Bytes the audit cannot read to the end (a stream that inflates without bound)."""


MAX_INFLATED = 256 << 20
"""The most one stream may inflate to (a bomb is not read further, and is refused): more than
the pixels of the largest image published (40 megapixels of four bytes: a PDF holds them
inflated; at 64 MB, a 23-megapixel PNG stopped the build: adversary helper 81)."""
TOO_LARGE = f"inflates to more than {MAX_INFLATED >> 20} MB"
IMAGE_STREAM = re.compile(rb"/Subtype\s*/Image\b")
"""An image's dictionary: its stream is pixels, read as an image's are (`ASCII`)."""


def text_of(data: bytes) -> str:
    """Return every string the bytes hold, one per line."""
    parts = [m.group().decode("utf-8", errors="replace") for m in STRINGS.finditer(data)]
    if b"\x00" in data:  # UTF-16 text has a zero byte in every code of ASCII or Latin-1
        parts += [m.group().decode("utf-16-le") for m in UTF16[0].finditer(data)]
        parts += [m.group().decode("utf-16-be") for m in UTF16[1].finditer(data)]
    return "\n".join(parts)


def gunzip_text(data: bytes) -> str:
    """Return the text of gzip-compressed bytes (a search index file) and every string in
    them; raise Unreadable if they are not gzip or inflate without bound."""
    inflater = zlib.decompressobj(wbits=31)
    try:
        plain = inflater.decompress(data, MAX_INFLATED)
    except zlib.error as exc:
        raise Unreadable(f"not gzip: {exc}") from None
    if inflater.unconsumed_tail or not inflater.eof:
        raise Unreadable("it inflates beyond the limit, or is cut short")
    return plain.decode("utf-8", errors="replace") + "\n" + text_of(plain)


def image_text(data: bytes) -> str:
    """Return the text an image file holds anywhere: strings, PNG chunks, GIF blocks, and
    its pixels (a lossless image's bytes of colour can spell text: an adversary helper's
    did); raise Unreadable if its pixels cannot be decoded."""
    parts = [text_of(data)]
    if data.startswith(b"\x89PNG"):
        parts += [text_of(chunk) for chunk in _png_text(data)]
    elif data.startswith(b"GIF8"):
        parts += [text_of(block) for block in _gif_blocks(data)]
    parts += [m.group().decode("ascii") for p in _pixels(data) for m in ASCII.finditer(p)]
    return _with_entities_decoded("\n".join(parts))


def _pixels(data: bytes) -> Iterator[bytes]:
    """Yield each frame's pixels as decoded, all bands together, then each band alone; row by
    row, then column by column (a sentence spelled down the columns: adversary helper 167);
    each read forwards, backwards, and every other byte (as UTF-16 spells ASCII: 170). A JPEG
    keeps no byte as it was given, and is read once (a photo's reads took 6 s)."""
    from PIL import Image, ImageSequence

    try:
        with Image.open(io.BytesIO(data)) as image:
            lossless = image.format != "JPEG"
            for frame in ImageSequence.Iterator(image):
                for read in [frame, *[frame.transpose(Image.Transpose.TRANSPOSE)] * lossless]:
                    bands = read.split() if len(read.getbands()) > 1 else []
                    for pixels in [read.tobytes(), *(band.tobytes() for band in bands)]:
                        yield pixels
                        yield from (pixels[::-1], pixels[::2], pixels[1::2]) if lossless else ()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise Unreadable(f"its pixels cannot be decoded: {exc}") from None


def pdf_bytes_text(data: bytes) -> str:
    """Return the text of a PDF's bytes: the file and every stream inflated, with strings.

    The pages' content streams are left out: they draw text in the fonts' own codes, and
    what they draw is read as a reader sees it (PDFium's text); the rest of them is
    operators and numbers. They are most of a PDF's inflated
    bytes and most of the words a whole read would find.

    The file itself is read without the bytes each stream inflated from: their inflated
    bytes are read instead, and what a stream holds beyond its end is read with the file.
    """
    parts = []
    objects = _objects(data)
    pages = _page_contents(data, objects)
    streams = list(_numbered(data, objects))
    layers = [(None, _without(data, streams), False), *((n, o, i) for n, _, o, i in streams)]
    for number, layer, image in layers:
        if number in pages:
            continue
        if image:  # pixels, read as an image's are (the whole of `STRINGS` is slow there)
            parts += [m.group().decode("ascii") for m in ASCII.finditer(layer)]
            continue
        parts.append(text_of(layer))
        objects_text = PDF_STREAM_BODY.sub(b" ", layer)  # strings live outside streams' bytes
        parts += [t for s in _strings(objects_text) for t in PRINTABLE.findall(_pdf_string(s))]
    return _with_entities_decoded("\n".join(parts))


def _page_contents(pdf: bytes, objects: list[tuple[int, int]] | None = None) -> set[int]:
    """Return the object numbers of the pages' content streams."""
    numbers: set[int] = set()
    try:
        for layer in _object_layers(pdf, objects):
            for match in CONTENTS.finditer(layer):
                numbers.update(int(n) for n in re.findall(rb"(\d+)\s+\d+\s+R", match[1]))
    except Unreadable:
        return set()  # every stream read whole
    return numbers


Span = tuple[int, int]
"""Where some bytes start and end in a file."""


Stream = tuple[int | None, Span | None, bytes, bool]
"""A PDF's stream: its object's number, the bytes it was inflated from (where it ended), its
bytes inflated, and whether it is an image's."""


def _numbered(data: bytes, objects: list[tuple[int, int]]) -> Iterator[Stream]:
    """Yield every zlib stream in a PDF, inflated, with the number of its object, where it
    ended the bytes it was inflated from, and whether its dictionary says it is an image."""
    heads = [at for at, _ in objects]
    for match in PDF_STREAM.finditer(data):
        unpack = zlib.decompressobj()
        try:
            out = unpack.decompress(data[match.end() :], MAX_INFLATED)
        except zlib.error:
            continue  # not a zlib stream (a JPEG, say): its raw bytes are read with the file
        if unpack.unconsumed_tail:
            raise Unreadable(f"a stream {TOO_LARGE}")
        at = bisect.bisect_left(heads, match.start()) - 1
        read = (match.end(), len(data) - len(unpack.unused_data)) if unpack.eof else None
        image = at >= 0 and IMAGE_STREAM.search(data, heads[at], match.start()) is not None
        yield (objects[at][1] if at >= 0 else None), read, out, image


def _without(data: bytes, streams: list[Stream]) -> bytes:
    """Return `data` with the bytes each stream was inflated from replaced by a line end."""
    pieces, at = [], 0
    for _, read, _, _ in streams:
        if read is not None and read[0] >= at:
            pieces += [data[at : read[0]], b"\n"]
            at = read[1]
    return b"".join([*pieces, data[at:]])


def _objects(pdf: bytes) -> list[tuple[int, int]]:
    """Return where each object header ends, and the object's number: what `PDF_OBJECT`'s
    matches are, found from each `obj` back (a regex that starts with a digit is tried at
    every byte of a PDF: three times as slow)."""
    found = []
    for word in OBJ.finditer(pdf):
        end, width = word.start(), 32
        if pdf[end - 1 : end] not in SPACES:  # `endobj`, say
            continue
        while True:  # a header is digits and spaces: widen while the window holds only those
            start = max(0, end - width)
            head = HEAD.search(pdf, start, end)
            if start == 0 or not NUMBERS.fullmatch(pdf, start, end):
                break
            width *= 4
        if head is not None:
            found.append((word.end(), int(head[1])))
    return found


def _with_entities_decoded(text: str) -> str:
    """Return `text`, and again with XML's entities decoded if it has any (XMP is XML)."""
    decoded = html.unescape(text)
    return text if decoded == text else f"{text}\n{decoded}"


def embeds_files(pdf: bytes) -> bool:
    """Return whether a PDF embeds a file (an attachment, or one associated with a part); one
    that cannot be read to the end is taken to.

    The keys that embed a file can only be written where a PDF's objects are: between its
    streams, or inside an object stream. A font's or an image's bytes are not searched, since
    they can hold `/AF` by chance.
    """
    try:
        return any(EMBEDDED.search(layer) for layer in _object_layers(pdf))
    except Unreadable:
        return True


def _object_layers(pdf: bytes, objects: list[tuple[int, int]] | None = None) -> Iterator[bytes]:
    """Yield the PDF with its streams' bytes taken out, then every object stream, inflated
    (`objects`: the PDF's `_objects`, if known)."""
    yield PDF_STREAM_BODY.sub(b"stream endstream", pdf)
    heads = [at for at, _ in (_objects(pdf) if objects is None else objects)]
    for match in PDF_STREAM.finditer(pdf):
        head = heads[max(0, bisect.bisect_left(heads, match.start()) - 1)] if heads else 0
        if b"/ObjStm" not in pdf[head : match.start()]:
            continue
        unpack = zlib.decompressobj()
        try:
            out = unpack.decompress(pdf[match.end() :], MAX_INFLATED)
        except zlib.error as error:
            raise Unreadable("an object stream cannot be inflated") from error
        if unpack.unconsumed_tail:
            raise Unreadable(f"a stream {TOO_LARGE}")
        yield out


def _strings(layer: bytes) -> Iterator[bytes]:
    for match in PDF_HEX.finditer(layer):
        hexits = re.sub(rb"\s", b"", match.group(1))
        if len(hexits) % 2 == 0:
            yield bytes.fromhex(hexits.decode("ascii"))
    for match in PDF_LITERAL.finditer(layer):
        yield _unescape(match.group()[1:-1])


ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.S)
"""A literal string's escapes: an octal code, or one character (`\\n`, `\\(`, a line end)."""
CODES = {bytes([c]): bytes([c]) for c in range(256)} | {
    b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"\n": b"", b"\r": b"",
} | {
    f"{n:0{width}o}".encode(): bytes([n & 0xFF])
    for width in (1, 2, 3) for n in range(8**width)
}  # fmt: skip
"""What each escape stands for (an escaped line end continues the string: nothing)."""


def _unescape(literal: bytes) -> bytes:
    if b"\\" not in literal:
        return literal
    parts = ESCAPE.split(literal)  # text, code, text, code, …, text
    parts[1::2] = [CODES[code] for code in parts[1::2]]
    return b"".join(parts)


def _pdf_string(raw: bytes) -> str:
    """Decode a PDF text string: UTF-16 with a byte-order mark, UTF-8 with one, or bytes."""
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", errors="replace")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    return raw.decode("latin-1")


def _png_text(data: bytes) -> Iterator[bytes]:
    """Yield the inflated text of a PNG's compressed chunks (zTXt, iTXt, iCCP)."""
    at = 8
    while at + 8 <= len(data):
        length = int.from_bytes(data[at : at + 4], "big")
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        if kind in (b"zTXt", b"iTXt", b"iCCP"):
            start = body.find(b"\x78")  # the zlib header after the keyword and flags
            while start != -1:
                unpack = zlib.decompressobj()
                try:
                    yield unpack.decompress(body[start:], MAX_INFLATED)
                except zlib.error:
                    start = body.find(b"\x78", start + 1)
                    continue
                if unpack.unconsumed_tail:
                    raise Unreadable(f"a text chunk {TOO_LARGE}")
                break
        at += 12 + length


def _gif_blocks(data: bytes) -> Iterator[bytes]:
    """Yield each GIF extension's data with its sub-blocks joined (a comment split at 255
    bytes would otherwise split a word)."""
    at = data.find(b"\x21")
    while at != -1 and at + 2 < len(data):
        pos, joined = at + 2, bytearray()
        while pos < len(data) and data[pos] != 0:
            joined += data[pos + 1 : pos + 1 + data[pos]]
            pos += 1 + data[pos]
        yield bytes(joined)
        at = data.find(b"\x21", max(pos, at + 1))
