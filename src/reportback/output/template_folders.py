"""Where templates are looked for: the project's own folder, then reportback's defaults.

Apart from `templates` (which loads Jinja2) so that a no-op build, which only hashes the
files a build would read, loads nothing it does not use.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


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
