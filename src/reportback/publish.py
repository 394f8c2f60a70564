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
    """Make `target` hold exactly `outputs`; return False if it already did (nothing written).

    Files whose bytes are unchanged are hard-linked from the old tree, so they are not
    rewritten. A crash at any point leaves the old tree in place.
    """
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(target)
    if _same(outputs, target):
        return False
    staging = target.parent / f".{target.name}.new-{os.getpid()}"
    try:
        _write(outputs, staging, target)
        _swap(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return True


def _remove_leftovers(target: Path) -> None:
    """Remove half-built trees; put back an old tree a crash left aside (two-rename swap)."""
    for old in target.parent.glob(f".{target.name}.old-*"):
        if target.exists():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.rename(target)
    for new in target.parent.glob(f".{target.name}.new-*"):
        shutil.rmtree(new, ignore_errors=True)


def _same(outputs: Mapping[str, bytes], target: Path) -> bool:
    if not target.is_dir():
        return False
    existing = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    if existing != set(outputs):
        return False
    return all((target / name).read_bytes() == data for name, data in outputs.items())


def _write(outputs: Mapping[str, bytes], staging: Path, old: Path) -> None:
    for name, data in sorted(outputs.items()):
        path = staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        previous = old / name
        if (
            previous.is_file()
            and previous.stat().st_size == len(data)
            and previous.read_bytes() == data
        ):
            os.link(previous, path)
            continue
        with path.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())


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
