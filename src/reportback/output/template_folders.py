"""Where templates are looked for: the project's own folder, then reportback's defaults.

Apart from `templates` (which loads Jinja2) so that a no-op build, which only hashes the
files a build would read, loads nothing it does not use.
"""

from __future__ import annotations

import difflib
import functools
from importlib import resources
from pathlib import Path

from reportback.errors import Problem, problem, undecodable


def default_dir() -> Path:
    """Return the folder of the default templates (packaged, or the checkout's own)."""
    packaged = Path(str(resources.files("reportback"))) / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "templates"


def folders(user_dir: Path | None) -> tuple[Path, ...]:
    """Return the template folders in order of precedence: `user_dir` if it is one, then
    the defaults."""
    default = default_dir()
    if user_dir is not None and user_dir.is_dir() and user_dir.resolve() != default.resolve():
        return (user_dir, default)
    return (default,)


def kept_apart(user_dir: Path, apart: dict[str, Path]) -> list[Problem]:
    """Refuse a templates folder through which a template could read what it must not show:
    one that holds (or lies in) the reports or the state folder, or a file or folder in it
    that links outside it, or a hard link (adversary helpers 115 and 167: `templates =
    "reports"`, or a report linked in, and `{% include "x.md" %}` put a report's source on a
    page; `style.css` linked to `/etc/hostname` was published); and a name in it that is not
    UTF-8 (a traceback)."""
    if user_dir.exists() and not user_dir.is_dir():  # `/dev/null`: no override was used
        return [problem(user_dir, 1, "the templates folder is not a folder: name a folder")]
    if not user_dir.is_dir():
        return []
    root, found = user_dir.resolve(), []
    for name, other in apart.items():
        if root.is_relative_to(other.resolve()) or other.resolve().is_relative_to(root):
            found.append(problem(user_dir, 1, f"the templates folder and the {name} folder "
                                 f"({other}) overlap: a template could show what is in it; "
                                 "keep the templates in a folder of their own"))  # fmt: skip
    if found:  # the folder overlaps another: what is in it is beside the point
        return found
    found = undecodable(user_dir)
    for path in sorted(user_dir.rglob("*")):
        if path.is_symlink() and not path.resolve().is_relative_to(root):
            found.append(problem(path, 1, "a link to outside the templates folder: a template "
                                 "is read from the folder itself; copy the file in"))  # fmt: skip
        elif path.is_file() and path.stat().st_nlink > 1:  # a report's (adversary helper 167)
            found.append(problem(path, 1, "a hard link: the file has another name, perhaps "
                                 "outside the templates folder; copy the file in"))  # fmt: skip
    return found or unknown(user_dir)


@functools.cache
def known() -> frozenset[str]:
    """Return the names of the templates: the defaults' (an override has the same name), read
    once (every template an environment loads asks)."""
    return frozenset(p.name for p in default_dir().iterdir() if p.is_file() and p.name[0] != ".")


NOT_A_FILE = "is not a file (a folder, or a link to nothing): a template is a file"
ASIDE = frozenset({"README.md", "Thumbs.db", "desktop.ini"})
"""Files a templates folder may hold beside templates: `init`'s note, and what Windows leaves."""


def unknown(user_dir: Path) -> list[Problem]:
    """Refuse a file or folder in the templates folder that is no template (adversary helpers
    130 and 131: `reportt.html` was ignored without a word; a copy of a report's source, or
    a members' digest preview, in the folder was put on a page by an include). A hidden one
    (`.DS_Store`, an editor's swap file) is left alone: no include reads it (`Loader`)."""
    names, found = known(), []
    for path in sorted(user_dir.iterdir()):
        if path.name in names and not path.is_file():  # `check` took it (helper 134)
            found.append(problem(path, 1, NOT_A_FILE))
        if path.name in names or path.name in ASIDE or path.name.startswith("."):
            continue
        near = difflib.get_close_matches(path.name, sorted(names), n=1)
        what = "a folder" if path.is_dir() else "not a template reportback knows"
        hint = f" (did you mean {near[0]}?)" if near else ""
        found.append(problem(path, 1, f"{what}{hint}: the templates folder holds only files "
                             "named as the default templates, each overriding its own; rename "
                             "or move it"))  # fmt: skip
    return found
