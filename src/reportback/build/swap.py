"""Publish a tree of outputs atomically: build beside the target, then swap it in."""

from __future__ import annotations

import ctypes
import json
import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import ClassVar

from reportback.build.writer import Writer
from reportback.cache import load_stored, save_stored
from reportback.errors import naming

Content = bytes | tuple[bytes, ...]
"""A file's bytes, whole or in pieces."""
IOV_MAX = 1024
"""The most pieces one `writev` takes (POSIX guarantees at least 16; Linux takes 1024)."""
RENAME_EXCHANGE = 2
AT_FDCWD = -100


class Staging:
    """A new tree built beside `target` a file at a time, then swapped in whole, or not at all.

    Only what is added reaches it, so a build adds each output once it has passed the audit
    and holds none of them in memory. Until `commit`, the published tree is untouched.
    """

    def __init__(self, target: Path, record: Path | None = None) -> None:
        self.target = target.resolve()
        self.target.parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(self.target)
        self.path = self.target.parent / f".{self.target.name}.new-{os.getpid()}"
        self.names: set[str] = set()
        self.folders: set[Path] = set()
        self.changed = not self.target.is_dir()
        self.record = record
        self.earlier = _Record.load(record)
        self.keys: dict[str, list[object]] = {}
        self.writer = Writer()
        self.swapped = False

    def holds(self, name: str, key: str, trust: str) -> bool:
        """Whether the published tree holds `name` as the record says it was made from `key`,
        under the same `trust` (the audit's, for one), without reading the file.

        The record names each file by its inode, size and modification time as well, so a
        file that is not the one recorded (changed, or from a swap the record missed) is not
        taken for it.
        """
        entry = self.earlier.files.get(name)
        if entry is None or entry[0] != key or self.earlier.trust != trust:
            return False
        try:
            return list(_identity(f"{self.target}/{name}")) == entry[1:]  # a str: no Path made
        except OSError:
            return False

    def reuse(self, name: str, key: str, trust: str) -> bool:
        """Link the published file if it `holds` `name` made from `key` under `trust` (True)."""
        if not self.holds(name, key, trust):
            return False
        self.writer.put(partial(self._link, f"{self.target}/{name}", name))
        self.names.add(name)
        self.keys[name] = self.earlier.files[name]
        return True

    def _link(self, previous: str, name: str) -> None:
        os.link(previous, self._folder_for(name))

    def add(self, name: str, data: Content, key: str | None = None) -> None:
        """Write one file of the new tree (a hard link to the old one if its bytes are the same),
        and record the `key` it was made from, if given. `data` may come in pieces, written
        one after the other.

        The file is written on the staging's writer thread while the caller makes the next
        one; `commit` waits for every write (a failed write is raised by the next call).
        """
        self.names.add(name)
        size = len(data) if isinstance(data, bytes) else sum(map(len, data))
        self.writer.put(partial(self._put, name, data, size, key), size)

    def _put(self, name: str, data: Content, size: int, key: str | None) -> None:
        path = self._folder_for(name)
        previous = self.target / name
        try:
            same_size = previous.stat().st_size == size
        except OSError:
            same_size = False
        whole = data if isinstance(data, bytes) else b"".join(data) if same_size else b""
        if same_size and previous.read_bytes() == whole:
            os.link(previous, path)
        else:
            self.changed = True
            _write(path, data)
        if key is not None:
            self.keys[name] = [key, *_identity(path)]

    def _folder_for(self, name: str) -> Path:
        """Return where `name` goes in the new tree, making its folder (on the writer thread)."""
        path = self.path / name
        if path.parent not in self.folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(path.parent)
        return path

    def written(self) -> Path:
        """Wait for every write so far; return the folder of the new tree (to read it)."""
        self.writer.finish()
        self.path.mkdir(parents=True, exist_ok=True)
        return self.path

    def made_from(self) -> dict[str, str]:
        """Wait for every write so far; return the key each file staged with one was made
        from (a kept file's, or a made one's), by name."""
        self.writer.finish()
        return {name: entry[0] for name, entry in self.keys.items() if isinstance(entry[0], str)}

    def commit(self, trust: str = "") -> bool:
        """Swap the new tree in; return False (and leave the old one) if nothing changed."""
        return commit_all([self], trust, None)[0]

    def _ready(self) -> bool:
        """Wait for every write, flush the tree to disk (once, whole); return whether it
        differs from the published one."""
        self.writer.finish()
        changed = self.changed or self.names != _files(self.target)
        if changed:
            self.path.mkdir(parents=True, exist_ok=True)  # an empty tree is a tree too
            _sync(self.path)
        return changed

    def discard(self) -> None:
        """Remove the new tree; or, after `commit`, the old one it swapped out, in the
        background (it is no longer published, and freeing its blocks can take a while)."""
        self.writer.stop()
        if self.swapped:
            _remove_later(self.path, self.target)
        else:
            shutil.rmtree(self.path, ignore_errors=True)


@dataclass(frozen=True)
class _Record:
    """The keys a published tree's files were made from, each with the file's identity."""

    VERSION: ClassVar[int] = 1

    trust: str
    files: dict[str, list[object]]

    @classmethod
    def load(cls, path: Path | None) -> _Record:
        """Return the record at `path`; an empty one if there is none (or it is unreadable,
        or another program's): then the files are read to compare them."""
        record = load_stored(path, cls.VERSION, _Record) if path is not None else None
        return record or cls("", {})

    def save(self, path: Path) -> None:
        save_stored(path, self.VERSION, self)


def _identity(path: Path | str) -> tuple[int, int, int]:
    status = os.stat(path)  # noqa: PTH116 (a str path, for thousands of files a build keeps)
    return status.st_ino, status.st_size, status.st_mtime_ns


def _write(path: Path, data: Content) -> None:
    """Write a file; its pieces in one call where the system has `writev` (one call lets go
    of Python's lock once, where a call per piece would wait to take it back each time)."""
    if isinstance(data, bytes) or not hasattr(os, "writev"):
        with naming(path), path.open("wb") as handle:  # buffered: a short write is written on
            handle.write(data if isinstance(data, bytes) else b"".join(data))
        return
    with naming(path), path.open("wb", buffering=0) as handle:
        left: list[bytes | memoryview] = list(data)
        while left:
            done = os.writev(handle.fileno(), left[:IOV_MAX])
            while left and done >= len(left[0]):
                done -= len(left.pop(0))
            if done:  # a short write: the rest of this piece, then the others
                left[0] = memoryview(left[0])[done:]


def _sync(tree: Path) -> None:
    """Flush the file system holding `tree` to disk (Linux syncfs; elsewhere, every one)."""
    descriptor = os.open(tree, os.O_RDONLY)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.syncfs(descriptor) == 0:
            return
    except (OSError, AttributeError):
        pass
    finally:
        os.close(descriptor)
    os.sync()


def _files(tree: Path) -> set[str]:
    return {p.relative_to(tree).as_posix() for p in tree.rglob("*") if p.is_file()}


def _remove_later(tree: Path, target: Path) -> None:
    """Rename `tree` (an old tree of `target`) aside and remove it in a process of its own,
    which this one does not wait for; if none can be started, remove it now.

    Its name marks it as trash: a build that finds it still there (its remover was stopped)
    removes it again.
    """
    trash = target.parent / f".{target.name}.trash-{secrets.token_hex(8)}"
    try:
        tree.rename(trash)
    except FileNotFoundError:
        return
    try:  # the shell starts rm and returns at once; rm is left to finish on its own
        started = subprocess.run(
            ["sh", "-c", 'rm -rf -- "$1" &', "sh", str(trash)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, check=False, timeout=10,
        ).returncode == 0  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        started = False
    if not started:
        shutil.rmtree(trash, ignore_errors=True)


SWAPS = "swaps.json"
"""The journal of the swaps a build has yet to do, in the state folder."""


def commit_all(trees: list[Staging], trust: str, journal: Path | None) -> list[bool]:
    """Swap each tree in (those that changed); return which changed.

    Every tree is written whole and flushed before the first swap, so a full disk stops the
    build with nothing swapped. Where two trees change, `journal` names both swaps until the
    second is done: a build killed between them leaves the first tree new and the second
    old, and the next build (`finish_swaps`, refused or not) swaps the second in before
    anything else (held-out round 22: the new site was served with the old feeds, a
    withdrawn report gone from the site and in every feed); a swap that fails puts back the
    trees swapped before it (a feeds folder that could not be renamed left the new site
    published with the old feeds, and the build said nothing was: adversary helper 139).
    The record of the keys the files were made from (and their `trust`) follows the swaps.
    """
    changed = [tree._ready() for tree in trees]
    todo = [tree for tree, new in zip(trees, changed, strict=True) if new]
    if journal is not None and len(todo) > 1:
        _write_journal(journal, todo)
    done: list[Staging] = []
    try:
        for tree in todo:
            tree.swapped = _swap(tree.path, tree.target)
            done.append(tree)
    except OSError:
        for tree in reversed(done):
            if tree.swapped:
                _swap(tree.path, tree.target)
            else:
                tree.target.rename(tree.path)
            tree.swapped = False
        raise
    finally:
        if journal is not None:
            journal.unlink(missing_ok=True)
    for tree in trees:
        if tree.record is not None:
            _Record(trust, tree.keys).save(tree.record)
    return changed


def _write_journal(journal: Path, trees: list[Staging]) -> None:
    """Name each swap to be done, by its staged tree's inode (which the target has once done),
    its paths from the journal's folder: in a copy, the copy's (adversary helper 88)."""
    here = journal.parent.resolve()
    swaps = [[os.path.relpath(t.path, here), os.path.relpath(t.target, here), t.path.stat().st_ino]
             for t in trees]  # fmt: skip
    journal.parent.mkdir(parents=True, exist_ok=True)
    part = journal.with_name(journal.name + ".part")
    with part.open("w", encoding="utf-8") as out:
        json.dump(swaps, out)
        out.flush()
        os.fsync(out.fileno())
    part.rename(journal)
    _sync(journal.parent)


def finish_swaps(journal: Path) -> None:
    """Do the swaps a killed build left undone (`commit_all`): a tree still staged under its
    name is swapped in now, so the trees published are all from the one build."""
    try:
        swaps = json.loads(journal.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        journal.unlink(missing_ok=True)
        return
    for staged, target, inode in swaps:
        staging, published = journal.parent / staged, journal.parent / target
        try:
            done = published.stat().st_ino == inode
        except OSError:
            done = False
        if not done and staging.is_dir() and staging.stat().st_ino == inode:
            _swap(staging, published)
        if staging.is_dir():  # now the old tree
            _remove_later(staging, published)
    journal.unlink(missing_ok=True)


def _remove_leftovers(target: Path) -> None:
    """Remove half-built trees and old ones whose removal was stopped; put back an old tree a
    crash left aside (two-rename swap)."""
    for old in target.parent.glob(f".{target.name}.old-*"):
        if target.exists():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.rename(target)
    for new in target.parent.glob(f".{target.name}.new-*"):
        shutil.rmtree(new, ignore_errors=True)
    for trash in target.parent.glob(f".{target.name}.trash-*"):
        _remove_later(trash, target)


def _swap(staging: Path, target: Path) -> bool:
    """Put `staging` at `target`; return whether `staging` now holds an old tree."""
    if not target.exists():
        staging.rename(target)
        return False
    if _exchange(staging, target):
        return True
    aside = target.parent / f".{target.name}.old-{os.getpid()}"
    target.rename(aside)
    staging.rename(target)
    aside.rename(staging)
    return True


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    return bool(result == 0)
