"""Publish a tree of outputs atomically: build beside the target, then swap it in."""

from __future__ import annotations

import ctypes
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

RENAME_EXCHANGE = 2
AT_FDCWD = -100


def publish(outputs: Mapping[str, bytes], target: Path) -> bool:
    """Make `target` hold exactly `outputs`; return False if it already did (nothing changed).

    Files whose bytes are unchanged are hard-linked from the old tree, so they are not
    rewritten. A crash at any point leaves the old tree in place.
    """
    staging = Staging(target)
    try:
        for name, data in sorted(outputs.items()):
            staging.add(name, data)
        return staging.commit()
    finally:
        staging.discard()


class Staging:
    """A new tree built beside `target` a file at a time, then swapped in whole, or not at all.

    Only what is added reaches it, so a build adds each output once it has passed the audit
    and holds none of them in memory. Until `commit`, the published tree is untouched.
    """

    def __init__(self, target: Path) -> None:
        self.target = target.resolve()
        self.target.parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(self.target)
        self.path = self.target.parent / f".{self.target.name}.new-{os.getpid()}"
        self.names: set[str] = set()
        self.folders: set[Path] = set()
        self.changed = not self.target.is_dir()

    def add(self, name: str, data: bytes) -> None:
        """Write one file of the new tree (a hard link to the old one if its bytes are the same)."""
        path = self.path / name
        if path.parent not in self.folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(path.parent)
        self.names.add(name)
        previous = self.target / name
        same_size = previous.is_file() and previous.stat().st_size == len(data)
        if same_size and previous.read_bytes() == data:
            os.link(previous, path)
            return
        self.changed = True
        _write(path, data)

    def commit(self) -> bool:
        """Swap the new tree in; return False (and leave the old one) if nothing changed.

        What was written is flushed to disk (once, for the whole tree) before the swap.
        """
        if not self.changed and self.names == _files(self.target):
            return False
        self.path.mkdir(parents=True, exist_ok=True)  # an empty tree is a tree too
        _sync(self.path)
        _swap(self.path, self.target)
        return True

    def discard(self) -> None:
        """Remove the new tree (or, after `commit`, the old one swapped out)."""
        shutil.rmtree(self.path, ignore_errors=True)


def _write(path: Path, data: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(data)


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


def _remove_leftovers(target: Path) -> None:
    """Remove half-built trees; put back an old tree a crash left aside (two-rename swap)."""
    for old in target.parent.glob(f".{target.name}.old-*"):
        if target.exists():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.rename(target)
    for new in target.parent.glob(f".{target.name}.new-*"):
        shutil.rmtree(new, ignore_errors=True)


def _swap(staging: Path, target: Path) -> None:
    """Put `staging` at `target`; afterwards `staging` holds the old tree (if any)."""
    if not target.exists():
        staging.rename(target)
        return
    if _exchange(staging, target):
        return
    aside = target.parent / f".{target.name}.old-{os.getpid()}"
    target.rename(aside)
    staging.rename(target)
    aside.rename(staging)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    return bool(result == 0)
