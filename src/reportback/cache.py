"""A content-addressed cache in the state folder (never published), and the records kept there
from one build to the next."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
import re
import shutil
import threading
from pathlib import Path
from typing import Any, TypeVar

from reportback import __version__
from reportback.errors import InputRefused, naming, problem


@functools.cache
def code_fingerprint() -> str:
    """Return a hash of reportback's own code, so a changed program never reuses old results."""
    h = hashlib.sha256(__version__.encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")) + sorted(package.rglob("*.lua")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def key(*parts: object) -> str:
    """Return a cache key for `parts` and this exact reportback.

    Each part is hashed with its kind and length, so no two lists of parts share a key:
    bytes as they are, a string as UTF-8 (no JSON escaping, for long texts), anything else
    as JSON.
    """
    h = _started().copy()
    for part in parts:
        if isinstance(part, bytes):
            kind, data = b"b", part
        elif isinstance(part, str):
            kind, data = b"s", part.encode("utf-8", "surrogatepass")
        else:
            kind, data = b"j", json.dumps(part, sort_keys=True, default=str).encode()
        h.update(kind + len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


@functools.cache
def _started() -> hashlib._Hash:
    return hashlib.sha256(code_fingerprint().encode())


def write_atomic(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all: a temporary file beside it, then one rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    try:
        with naming(path, temp):
            temp.unlink(missing_ok=True)  # never written through a link (adversary helper 131)
            temp.write_bytes(data)
            temp.replace(path)
    except BaseException:  # a full disk, say: no empty file left behind
        temp.unlink(missing_ok=True)
        raise


def forget_other_programs(folder: Path) -> None:
    """Empty the cache `folder` if another program (another version of reportback) filled it.

    Every key and store in it covers the program that made it, so nothing another program
    left there is ever read again: without this, each upgrade would leave a whole project's
    parses, renderings and PDFs behind. The folder is renamed aside before it is removed, so
    a crash part way leaves no half-emptied cache under its name (and the next call removes
    what was left aside).
    """
    mark = folder / "program"
    ours = f"reportback cache {code_fingerprint()}\n".encode()
    for aside in folder.parent.glob(f"{folder.name}.old-*"):
        shutil.rmtree(aside, ignore_errors=True)
    try:
        if mark.read_bytes() == ours:
            return
    except OSError:
        pass  # none (a new project, or an older program's cache), or unreadable
    if folder.exists():
        _none_but_ours(folder)
        aside = folder.with_name(f"{folder.name}.old-{os.getpid()}")
        try:
            folder.rename(aside)
        except OSError:
            return  # another build of this program is emptying it just now
        shutil.rmtree(aside, ignore_errors=True)
    write_atomic(mark, ours)


CACHED = re.compile(r"[a-z]+(?:\.pickle|\.index)?|\.[a-z]+(?:\.pickle|\.index)?\.\d+\.\d+")
"""How the cache names what it holds at its top: a kind's folder (`render`), a record, and
one half written when a build was killed (`.program.123.456`: `write_atomic`'s)."""


def _none_but_ours(folder: Path) -> None:
    """Refuse a cache folder to empty that holds what no cache writes (a state folder named
    in [paths] that held a `cache/` of the user's own: its files were deleted unsaid, an
    adversary helper's finding)."""
    foreign = sorted(p for p in folder.iterdir() if not CACHED.fullmatch(p.name))
    if foreign:
        why = "reportback did not write this, and empties its cache folder when it changes"
        raise InputRefused([problem(p, 1, f"{why}: move it away") for p in foreign])


T = TypeVar("T")
UNREADABLE = (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError,
              ImportError, IndexError, KeyError, MemoryError, OverflowError,
              RecursionError)  # fmt: skip
"""What reading a damaged pickle can raise."""


def save_stored(path: Path, version: int, value: object) -> None:
    """Keep `value` at `path`, whole or not at all, marked with the store's `version` and this
    exact program (`code_fingerprint`)."""
    write_atomic(path, _mark(version) + pickle.dumps(value, pickle.HIGHEST_PROTOCOL))


def load_stored(path: Path, version: int, kind: type[T]) -> T | None:
    """Return the `kind` of value `save_stored` kept at `path` with `version`, by this exact
    program; None if there is none, or it is unreadable (truncated), or of another version
    or program (whose values are not even unpickled). A store is only ever a saving of time:
    without it, what it held is made again."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    mark = _mark(version)
    if not data.startswith(mark):
        return None
    try:
        value = pickle.loads(memoryview(data)[len(mark) :])
    except UNREADABLE:
        return None
    return value if isinstance(value, kind) else None


def _mark(version: int) -> bytes:
    return f"reportback store {version} {code_fingerprint()}\n".encode()


class Cache:
    """Values stored by key as files under one folder; writes are atomic.

    A build asks it thousands of times: paths are plain strings (`os.path`), not `Path`s,
    whose making cost a third of reading back an unchanged project's records.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._root = str(folder)

    def _path(self, kind: str, name: str) -> str:
        return f"{self._root}/{kind}/{name[:2]}/{name}"

    def has(self, kind: str, name: str) -> bool:
        return os.path.isfile(self._path(kind, name))  # noqa: PTH113 (a str path)

    def get_bytes(self, kind: str, name: str) -> bytes | None:
        try:
            with open(self._path(kind, name), "rb") as handle:  # noqa: PTH123 (a str path)
                return handle.read()
        except FileNotFoundError:
            return None

    def size(self, kind: str, name: str) -> int | None:
        """Return the size of a stored value, without reading it (None: not stored)."""
        try:
            return os.stat(self._path(kind, name)).st_size  # noqa: PTH116 (a str path)
        except FileNotFoundError:
            return None

    def put_bytes(self, kind: str, name: str, data: bytes) -> None:
        write_atomic(Path(self._path(kind, name)), data)

    def get_pickle(self, kind: str, name: str) -> Any:
        """Return a value `put_pickle` stored; None if there is none, or it is unreadable
        (damaged): then what it held is made again."""
        data = self.get_bytes(kind, name)
        try:
            return None if data is None else pickle.loads(data)
        except UNREADABLE:
            return None

    def put_pickle(self, kind: str, name: str, value: object) -> None:
        self.put_bytes(kind, name, pickle.dumps(value, pickle.HIGHEST_PROTOCOL))

    def get_json(self, kind: str, name: str) -> Any:
        data = self.get_bytes(kind, name)
        return None if data is None else json.loads(data)

    def put_json(self, kind: str, name: str, value: Any) -> None:
        self.put_bytes(kind, name, json.dumps(value).encode("utf-8"))
