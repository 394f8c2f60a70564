"""A published folder holds only what a build writes there: each build replaces it whole.

`build --site docs` replaced a folder of the user's own files with the site, deleting them
unsaid (a clumsy user's finding); so did a `CNAME` or a `.git` put into `site/` to deploy it.
A build now refuses a site or feeds folder holding, at its top, a name no build writes.
"""

from __future__ import annotations

import os

from reportback.config import Config
from reportback.errors import InputRefused, problem
from reportback.output.site import STATIC

SITE = frozenset({
    *STATIC, "index.html", "404.html", "robots.txt", "sitemap.xml", "record.json", "votes.csv",
    "reports", "clp", "tags", "record", "votes", "search", "pagefind",
})  # fmt: skip
FEEDS = frozenset({
    "all.xml", "all.atom", "decisions.xml", "decisions.atom", "clps.opml", "clp", "region",
})  # fmt: skip
WRITTEN = {"site": SITE, "feeds": FEEDS}
"""The names a build writes at the top of each published folder."""

JUNK = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
"""What a file manager leaves in a folder it shows: nobody's work, replaced unsaid."""


def refuse_foreign(config: Config) -> None:
    """Raise InputRefused naming each file or folder at the top of the site or the feeds
    folder that no build writes there (the build would delete it)."""
    problems = []
    for key, ours in WRITTEN.items():
        folder = config.path(key)
        if not folder.is_dir():
            continue
        with os.scandir(folder) as entries:
            foreign = sorted(e.name for e in entries if e.name not in ours | JUNK)
        for name in foreign:
            message = (
                f"reportback did not write this, and each build replaces the {key} folder "
                f"({folder.name}) whole, deleting it: move it away, or give the {key} a folder "
                f"of its own ([paths] {key} or --{key})"
            )
            problems.append(problem(folder / name, 1, message))
    if problems:
        raise InputRefused(problems)
