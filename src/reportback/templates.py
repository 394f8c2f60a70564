"""Find templates: the user's own folder first, file by file, then the packaged defaults."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

import jinja2

from .errors import InputRefused, problem
from .redact import Placeholders


def default_dir() -> Path:
    """Return the folder of the default templates (packaged, or the checkout's own)."""
    packaged = Path(str(resources.files("reportback"))) / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


class Templates:
    """The template folders in order of precedence."""

    def __init__(self, user_dir: Path | None) -> None:
        dirs = [default_dir()]
        if user_dir is not None and user_dir.is_dir() and user_dir.resolve() != dirs[0].resolve():
            dirs.insert(0, user_dir)
        self.dirs = tuple(dirs)

    def find(self, name: str) -> Path:
        for folder in self.dirs:
            if (folder / name).is_file():
                return folder / name
        raise InputRefused([problem(self.dirs[0] / name, 1, "template not found")])

    def text(self, name: str) -> str:
        return self.find(name).read_text(encoding="utf-8")

    def jinja(self) -> jinja2.Environment:
        return jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in self.dirs]),
            autoescape=jinja2.select_autoescape(("html", "xml")),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def placeholders(self, enabled: bool) -> Placeholders:
        path = self.find("placeholders.toml")
        try:
            values = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise InputRefused([problem(path, 1, f"not valid TOML: {exc}")]) from exc
        known = set(Placeholders.__dataclass_fields__) - {"enabled"}
        unknown = sorted(set(values) - known)
        if unknown or not all(isinstance(v, str) for v in values.values()):
            message = f"unknown key {unknown[0]!r}" if unknown else "every value must be a string"
            raise InputRefused([problem(path, 1, message)])
        return Placeholders(enabled=enabled, **values)

    def digest(self) -> str:
        """Return a hash of every template in use (a cache key part)."""
        import hashlib

        h = hashlib.sha256()
        for folder in self.dirs:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    h.update(path.relative_to(folder).as_posix().encode())
                    h.update(path.read_bytes())
        return h.hexdigest()
