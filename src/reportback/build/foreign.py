"""A published folder holds only what a build writes there: each build replaces it whole.

`build --site docs` replaced a folder of the user's own files with the site, deleting them
unsaid (a clumsy user's finding); so did a `CNAME` or a `.git` put into `site/` to deploy it.
A build now refuses a site or feeds folder holding, at its top, a name no build writes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from reportback.config import Config
from reportback.errors import InputRefused, Problem, problem, shown_path
from reportback.output import layout

WRITTEN = {"site": layout.SITE, "feeds": layout.FEEDS}
"""The names a build writes at the top of each published folder."""

JUNK = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
"""What a file manager leaves in a folder it shows: nobody's work, replaced unsaid."""


def refuse_foreign(config: Config, deep: bool = False) -> None:
    """Raise InputRefused naming each file or folder at the top of the site or the feeds
    folder that no build writes there (the build would delete it); if `deep` or there are
    any, each file below the top too (`site/reports/mine/notes.txt`, `feeds/region/archive/
    2015.xml`, also taken for a lost report: adversary helper 139)."""
    problems = _problems(config, deep)
    if problems and not deep:
        problems = _problems(config, True)  # all of them, at once
    if problems:
        raise InputRefused(problems)


def _problems(config: Config, deep: bool) -> list[Problem]:
    problems = []
    for key, ours in WRITTEN.items():
        folder = config.path(key)
        if not folder.is_dir():
            continue
        foreign = sorted(_foreign(folder, ours, layout.INSIDE[key] if deep else None))
        why = (
            f"reportback did not write this, and each build replaces the {key} folder "
            f"({shown_path(folder)}) whole, deleting it: move it away, or give the {key} a "
            f"folder of its own ([paths] {key} or --{key})"
        )
        problems += [problem(folder / name, 1, why) for name in foreign[:MOST]]
        if len(foreign) > MOST:
            problems.append(problem(folder, 1, f"and {len(foreign) - MOST} more files like these"))
    return problems


MOST = 20
"""The most foreign files named one by one in a folder."""


def _foreign(folder: Path, ours: frozenset[str], inside: re.Pattern[str] | None) -> Iterator[str]:
    """Yield the path (from `folder`) of each thing in it no build writes; below the top
    only if `inside` tells the files a build writes there."""
    with os.scandir(folder) as entries:  # a folder named as junk is no junk (helper 139)
        top = [e for e in entries if not (e.name in JUNK and e.is_file(follow_symlinks=False))]
    yield from (e.name for e in top if e.name not in ours)
    if inside is None:
        return
    stack = [(e.path, e.name) for e in top if e.name in ours and e.is_dir(follow_symlinks=False)]
    while stack:
        path, name = stack.pop()
        with os.scandir(path) as entries:
            for entry in entries:
                below = f"{name}/{entry.name}"
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, below))
                elif not inside.fullmatch(below) and entry.name not in JUNK:
                    yield below
