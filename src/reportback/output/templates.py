"""Find templates: the user's own folder first, file by file, then the packaged defaults."""

from __future__ import annotations

import tomllib
import traceback
from collections.abc import Callable
from pathlib import Path
from string import Formatter
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from reportback.config import CONTROL, Config
from reportback.errors import InputRefused, ReportbackError, line_of, problem, text_of
from reportback.model import Placeholders
from reportback.output.template_folders import NOT_A_FILE, folders, kept_apart, known
from reportback.output.template_folders import default_dir as default_dir

ADVICE = "save it as UTF-8"
"""What to do with a template that is not UTF-8 (a traceback: adversary helper 99)."""
JINJA = (".html", ".txt", ".xml", ".css", ".js")
"""The templates Jinja reads (a failure in one is named at its line)."""


class Templates:
    """The template folders in order of precedence."""

    def __init__(self, user_dir: Path | None) -> None:
        self.dirs = folders(user_dir)

    @classmethod
    def of(cls, config: Config) -> Templates:
        """Return a project's templates; refuse a folder a template could read a report, the
        state or another file through (`kept_apart`)."""
        user_dir = config.path("templates")
        apart = {name: config.path(name) for name in ("reports", "state")}
        if found := kept_apart(user_dir, apart):
            raise InputRefused(found)
        return cls(user_dir)

    def find(self, name: str) -> Path:
        for folder in self.dirs:
            if (folder / name).is_file():
                return folder / name
            if (folder / name).exists() or (folder / name).is_symlink():  # helper 99: ignored
                raise InputRefused([problem(folder / name, 1, NOT_A_FILE)])
        raise InputRefused([problem(self.dirs[0] / name, 1, "template not found")])

    def text(self, name: str) -> str:
        return text_of(self.find(name), "utf-8", ADVICE)

    def jinja(self) -> jinja2.Environment:
        for name in [default.name for default in self.dirs[-1].iterdir() if default.is_file()]:
            found = self.find(name)  # an override that is no file (a folder, a dead link)
            if found.parent != self.dirs[-1] and found.suffix in JINJA:  # or not UTF-8: named
                text_of(found, "utf-8", ADVICE)  # itself, not the page that extends it
        env = _Environment(
            loader=_Loader([str(d) for d in self.dirs]),
            autoescape=jinja2.select_autoescape(("html", "xml")),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters["mid_sentence"] = mid_sentence
        return env

    def placeholders(self, enabled: bool) -> Placeholders:
        path = self.find("placeholders.toml")
        try:
            values = tomllib.loads(text_of(path, "utf-8", ADVICE))
        except tomllib.TOMLDecodeError as exc:
            raise InputRefused([problem(path, 1, f"not valid TOML: {exc}")]) from exc
        known = set(Placeholders.__dataclass_fields__) - {"enabled"}
        unknown = sorted(set(values) - known)
        if unknown or not all(isinstance(v, str) for v in values.values()):
            message = f"unknown key {unknown[0]!r}" if unknown else "every value must be a string"
            raise InputRefused([problem(path, 1, message)])
        for key, value in values.items():
            if CONTROL.search(value):  # adversary helper 70: a traceback in the feeds
                message = f"{key} must not hold a control character (nor U+FFFE, U+FFFF)"
                line = line_of(path.read_text(encoding="utf-8"), None, key)
                raise InputRefused([problem(path, line, message)])
        reason = values.get("reason", Placeholders.reason)
        if not _names_only_reason(reason):
            message = "reason may hold {reason} and no other {…} (write {{ for a brace)"
            line = line_of(path.read_text(encoding="utf-8"), None, "reason")
            raise InputRefused([problem(path, line, message)])
        return Placeholders(enabled=enabled, **values)

    def fingerprint(self) -> str:
        """Return a hash of every template in use and of what renders them (Jinja2 and
        MarkupSafe on this Python), a cache key part: a page kept by its key is the page these
        would render."""
        import hashlib
        import importlib.metadata
        import sys

        h = hashlib.sha256(sys.version.encode())
        for renderer in ("jinja2", "markupsafe"):
            h.update(f"{renderer} {importlib.metadata.version(renderer)}\n".encode())
        for folder in self.dirs:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    h.update(path.relative_to(folder).as_posix().encode())
                    h.update(path.read_bytes())
        return h.hexdigest()


def _names_only_reason(text: str) -> bool:
    """Whether `text` formats with `reason` alone (held-out round 22: `{text}`, `{0}` and a
    lone `{` were tracebacks, and `{reason.__class__}` reached into Python)."""
    try:
        parts = list(Formatter().parse(text))
    except ValueError:
        return False
    return all(name in (None, "reason") and not spec and not how for _, name, spec, how in parts)


def mid_sentence(name: str) -> str:
    """Return a name as written inside a sentence: "The CLP representative" → "the CLP…"."""
    return "the " + name[4:] if name.startswith("The ") else name


class _Template(jinja2.Template):
    """A template whose errors are refusals naming the template file and line."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        try:
            return super().render(*args, **kwargs)
        except ReportbackError:
            raise
        except Exception as exc:  # noqa: BLE001 (a template's mistake, at its line: no traceback)
            raise _refusal(exc, self.filename) from None


NOT_JINJA = frozenset({"new-report.md", "report.typ", "placeholders.toml"})
"""The templates read as text (a new report's, Typst's, the placeholders'), never by Jinja."""


class _Loader(jinja2.FileSystemLoader):
    """Loads only the templates' own names (`template_folders.known`): no include reads a
    hidden file or anything else left in the folder (adversary helper 131), nor one read as
    text (`NOT_JINJA`: a report's source saved as `new-report.md` was put on a page: 167)."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        if template not in known() or template in NOT_JINJA:
            raise jinja2.TemplateNotFound(template)
        return super().get_source(environment, template)


class _Environment(ImmutableSandboxedEnvironment):
    """Sandboxed (held-out round 22): a template overridden reaches no file, no attribute
    starting with `_` and no method that changes a value, so it can show only what it is
    given, the redacted version (`open` reached through `lipsum.__globals__` read the
    report's source into a page, reversed past the audit)."""

    template_class = _Template

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.safe: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Jinja's answer, asked once for each type and attribute name: it depends on nothing
        else (the name, and `isinstance` checks of the object). Asked for each of the ~500,000
        attributes the 632 CLP pages read, it took 45% of the CPU time of making them."""
        known = self.safe.get((type(obj), attr))
        if known is None:
            known = self.safe[type(obj), attr] = super().is_safe_attribute(obj, attr, value)
        return known

    def get_template(self, name: Any, parent: Any = None, globals: Any = None) -> Any:
        try:
            return super().get_template(name, parent, globals)
        except ReportbackError:
            raise
        except Exception as exc:  # compiling can fail otherwise too: `{{ 10**5000 }}`
            if parent is not None:  # included or extended: named at the line that asked for it
                raise
            raise _refusal(exc, f"templates/{name}") from None


def _refusal(exc: Exception, filename: str | None) -> InputRefused:
    """Name where a template failed: the line a syntax error is on, or the template line
    the failure was raised from (Jinja puts template lines in its tracebacks)."""
    where, line = filename or "templates", 1
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where, line = exc.filename or where, exc.lineno
    else:
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename.endswith(JINJA):
                where, line = frame.filename, frame.lineno or 1
                break
    if isinstance(exc, jinja2.TemplateNotFound):
        message = f"template {exc.name!r} not found"
    else:
        message = (
            str(exc) if isinstance(exc, jinja2.TemplateError) else f"{type(exc).__name__}: {exc}"
        )
    return InputRefused(
        [problem(Path(where), line, f"template error: {message}")],
        hint="fix the template, or delete it to use the default",
    )
