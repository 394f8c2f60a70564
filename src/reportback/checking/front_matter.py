"""Load report files and validate their front matter against the contract."""

from __future__ import annotations

import contextlib
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from reportback.checking import intent
from reportback.checking.characters import NOT_XML, ODD_BREAK, odd_breaks
from reportback.checking.files import slug_problem
from reportback.checking.front_lines import (
    DECIDES,
    KEYS,
    REQUIRED,
    commented_keys,
    held_notes,
    not_yaml,
    read_as_text,
)
from reportback.checking.intent import says_withheld
from reportback.clps import Directory, did_you_mean
from reportback.errors import Problem, problem
from reportback.model import Correction, Meta, Source

STATUSES = ("final", "draft")
YEARS = (1900, 2999)
"""Dates outside these years are refused (year 1 or 9999 cannot be shown in every zone)."""
MAX_BYTES = 2_000_000
"""A report larger than this is refused before it is parsed (2 MB is some 300,000 words)."""


def load_report(
    path: Path, directory: Directory, shown: str
) -> tuple[Source | None, list[Problem]]:
    """Read and validate one report; return it (if its body can be read) and its problems."""
    misnamed = slug_problem(path, shown)
    if misnamed is not None:
        return None, [misnamed]
    try:
        if path.stat().st_size > MAX_BYTES:
            return None, [
                problem(shown, 1, f"report is over {MAX_BYTES // 1_000_000} MB; split it")
            ]
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except OSError as exc:
        return None, [problem(shown, 1, f"cannot read: {exc.strerror}")]
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [problem(shown, line, "not valid UTF-8")]
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    odd = odd_breaks(text, shown)
    if odd:
        return None, odd
    text = NOT_XML.sub("", text)
    split = _split(text, shown)
    if isinstance(split, Problem):
        return None, [split]
    head, body, body_line = split
    meta, problems = _meta(head, shown, directory)
    digest = hashlib.sha256(raw).hexdigest()
    return Source(path, path.stem, meta, body, body_line, digest), problems


def _split(text: str, shown: str) -> tuple[str, str, int] | Problem:
    if not text.startswith("---"):
        return problem(shown, 1, "missing front matter: the file must start with a '---' line")
    handler = YAMLHandler()
    try:
        head, body = handler.split(text)
    except ValueError:
        return problem(shown, 1, "front matter is not closed by a '---' line")
    body_line = text[: len(text) - len(body)].count("\n") + 1
    return head, body, body_line


PLACEHOLDER_META = Meta(title="", meeting="", meeting_date=date.min, confidential=True)
"""Stands in for front matter that could not be read, so the body can still be checked."""


def _meta(head: str, shown: str, directory: Directory) -> tuple[Meta, list[Problem]]:
    try:
        node, values = _read(head)
    except RecursionError:
        return PLACEHOLDER_META, [problem(shown, 1, "front matter is nested too deeply")]
    except yaml.YAMLError as exc:
        line, reason = not_yaml(head, exc)
        return PLACEHOLDER_META, [problem(shown, line, f"front matter is not valid YAML: {reason}")]
    if not isinstance(node, yaml.MappingNode) or not isinstance(values, dict):
        message = "front matter must be a mapping of keys to values"
        return PLACEHOLDER_META, [problem(shown, 1, message)]
    lines: dict[str, int] = {}
    problems = [problem(shown, n, m) for n, m in read_as_text(head, node)]
    problems += [problem(shown, n, m) for n, m in commented_keys(head, node, DECIDES)]
    problems += [problem(shown, n, m) for n, m in held_notes(head, DECIDES, Path(shown).name)]
    for key_node, _ in node.value:
        key = str(key_node.value)
        line = key_node.start_mark.line + 1
        if key in lines:
            problems.append(problem(shown, line, f"duplicate key {key!r}"))
        lines[key] = line
    for key, text in [(str(k), str(k)) for k in values] + list(_texts(values)):
        if found := (NOT_XML.search(text) or ODD_BREAK.search(text)):  # "\v" (helper 166)
            problems.append(problem(shown, lines.get(key, 1), f"{key} holds a control character "
                f"(U+{ord(found[0]):04X}, written as an escape?) that joins or splits words as "
                "outputs show them otherwise than the checks read them: take it out"))  # fmt: skip
    return _typed(clean(values), lines, shown, directory, problems)


UNSET = {
    "meeting_date": "give the day of the meeting (YYYY-MM-DD)",
    "publish_at": "give the embargo's date and time (e.g. 2016-09-21T09:00:00+01:00), or leave "
    "the line out to publish at once",
    "clps": "name the CLPs it concerns, or leave the line out to reach them all",
    "regions": "name the regions it concerns, or leave the line out to reach them all",
    "tags": "name its tags, or leave the line out",
    "corrections": "list them, or leave the line out",
}
"""What to write for a key given no value (`publish_at:`, `clps: ~`), which read as absent:
an embargo left empty published at once, and `clps:` reached every CLP (helper 115)."""


def _typed(
    values: dict[Any, Any],
    lines: dict[str, int],
    shown: str,
    directory: Directory,
    problems: list[Problem],
) -> tuple[Meta, list[Problem]]:
    checker = _Checker(shown, lines, problems)
    for key in values:
        if str(key) not in KEYS:
            checker.fail(str(key), f"unknown key {str(key)!r}" + _did_you_mean(str(key)))
    for key in REQUIRED:
        if key not in values:
            problems.append(problem(shown, 1, f"missing required key {key!r}"))
    for key in [k for k, v in values.items() if v is None and k in UNSET]:  # helper 115
        checker.fail(key, f"{key} has no value: {UNSET[key]}")
    meta = Meta(
        title=checker.text(values, "title") or "",
        meeting=checker.text(values, "meeting") or "",
        meeting_date=checker.day(values, "meeting_date") or date.min,
        publish_at=checker.instant(values, "publish_at"),
        status=checker.choice(values, "status", STATUSES) or "final",
        confidential=checker.flag(values, "confidential"),
        summary=checker.text(values, "summary"),
        clps=checker.names(values, "clps", set(directory.by_slug), "CLP slug"),
        regions=checker.names(values, "regions", set(directory.regions), "region"),
        tags=checker.names(values, "tags", None, "tag"),
        author=checker.text(values, "author"),
        id=checker.text(values, "id"),
        corrections=checker.corrections(values),
    )
    for key, text in _texts(values) if not meta.confidential else ():
        said = says_withheld(text, title=key in ("title", "meeting"))
        if said is not None:
            checker.fail(key, f"{key}: {said!r} says that the report is withheld, but front "
                         "matter is published: reword it, or withhold the whole report with "
                         "confidential: true")  # fmt: skip
        elif intent.SETTING.search(intent.as_read(text)):
            checker.fail(key, f"{key}: {text[:40]!r} holds a setting (status:, publish_at:…) "
                         "that decides nothing there, and would be published")  # fmt: skip
        elif meta.status != "draft" and key != "author" and intent.DRAFTED.search(text):
            checker.fail(key, f"{key}: {text[:40]!r} says the report is a draft, but its "
                         "status is final (published): set status: draft or reword it")  # fmt: skip
    for key, text in _texts(values):
        if _marked(text):
            checker.fail(
                key,
                f"{key} holds a withholding mark or comment ({text[:60]!r}), but front "
                "matter is public text: withhold it in the body, not here",
            )
    return meta, problems


def _texts(values: dict[Any, Any]) -> Iterator[tuple[str, str]]:
    """Yield every string in the front matter, with its top-level key."""
    for key, value in values.items():
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                yield str(key), item
            elif isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                stack.extend(item.values())


def _marked(text: str) -> bool:
    from reportback.checking.attempts import marked_as_written

    return marked_as_written(text) is not None


def _read(head: str) -> tuple[Any, Any]:
    """Return the front matter's YAML nodes (they say where each key is written) and the values
    made from those very nodes: YAML reads it once (`yaml.load` reads it again)."""
    loader = _Loader(head)
    try:
        node = loader.get_single_node()
        return node, loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


class _Loader(yaml.SafeLoader):
    """YAML's safe loader without aliases (`*name` can multiply a small file into gigabytes),
    merge keys, or its own dates (an impossible one raised; read as text, then checked)."""

    def flatten_mapping(self, node: Any) -> None:
        """Refuse a merge key (`<<: {confidential: true}`): a key written beside it wins over
        the one merged (`confidential: false` published a confidential report: a helper)."""
        for key, _ in node.value:
            if key.tag == "tag:yaml.org,2002:merge":
                raise yaml.constructor.ConstructorError(
                    None, None, "merge keys (<<) are not allowed in front matter: write each key "
                    "once", key.start_mark,
                )  # fmt: skip
        super().flatten_mapping(node)

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in front matter", event.start_mark
            )
        return super().compose_node(parent, index)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def clean(value: Any) -> Any:
    """Drop control characters from every string (YAML escapes like "\\a" make them), and
    make a line break only some readers take for one (`"\\L"`) a space."""
    if isinstance(value, str):
        return ODD_BREAK.sub(" ", NOT_XML.sub("", value))
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}
    return value


def _seen(character: str) -> bool:
    """Whether a character shows (not a space, a control or a zero-width one)."""
    return unicodedata.category(character)[0] not in "CZ"


def _did_you_mean(key: str) -> str:
    import difflib

    close = difflib.get_close_matches(key, KEYS, n=1, cutoff=0.7)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Checker:
    """Type checks for front-matter values, recording problems at the key's line."""

    def __init__(self, shown: str, lines: dict[str, int], problems: list[Problem]) -> None:
        self.shown = shown
        self.lines = lines
        self.problems = problems

    def fail(self, key: str, message: str) -> None:
        self.problems.append(problem(self.shown, self.lines.get(key, 1), message))

    def text(self, values: dict[Any, Any], key: str, at: str = "") -> str | None:
        value = values.get(key)
        if value is None:
            if key in values:
                self.fail(at or key, f"{key} must not be empty")
            return None
        if not isinstance(value, str) or not any(_seen(c) for c in value):
            blank = " (it holds only invisible characters)" if isinstance(value, str) else ""
            self.fail(at or key, f"{key} must be a non-empty string{blank * bool(value)}")
            return None
        return value.strip()

    def day(self, values: dict[Any, Any], key: str, at: str = "") -> date | None:
        value = values.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = date.fromisoformat(value)
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", value.strip()):
            self.fail(at or key, f"{key} {value} is not a day of the calendar")
            return None
        if isinstance(value, datetime) or not isinstance(value, date):
            self.fail(at or key, f"{key} must be a date (YYYY-MM-DD)")
            return None
        if not YEARS[0] <= value.year <= YEARS[1]:
            self.fail(at or key, f"{key} {value} is not between {YEARS[0]} and {YEARS[1]}")
            return None
        return value

    def instant(self, values: dict[Any, Any], key: str) -> datetime | None:
        value = values.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = datetime.fromisoformat(value.upper())  # RFC 3339 allows `t` and `z`
        if isinstance(value, str) and re.match(r"\s*\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d", value):
            offset = re.search(r"[+-](\d\d):?(\d\d)\s*$", value)  # `BST`, `+25:00`
            zone = re.search(r"\s[A-Za-z]{2,5}\s*$", value) or (
                offset and (int(offset[1]) > 23 or int(offset[2]) > 59))  # fmt: skip
            why = "its zone is not a UTC offset from -23:59 to +23:59" if zone else (
                "a leap second, an hour past 23?")  # fmt: skip
            self.fail(key, f"{key} {value.strip()!r} is not a time of the calendar ({why}), "
                           "e.g. 2016-09-21T09:00:00+01:00")  # fmt: skip
            return None
        if not isinstance(value, datetime):
            self.fail(key, f"{key} must be a date and time with a UTC offset")
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            self.fail(key, f"{key} needs a UTC offset, e.g. 2016-09-21T09:00:00+01:00")
            return None
        if not YEARS[0] <= value.year <= YEARS[1]:
            self.fail(key, f"{key} {value.isoformat()} is not between {YEARS[0]} and {YEARS[1]}")
            return None
        return value

    def choice(self, values: dict[Any, Any], key: str, choices: tuple[str, ...]) -> str | None:
        value = values.get(key)
        if key in values and value not in choices:
            self.fail(key, f"{key} must be one of: {', '.join(choices)}")
            return None
        return value if isinstance(value, str) else None

    def flag(self, values: dict[Any, Any], key: str) -> bool:
        value = values.get(key, False)
        if not isinstance(value, bool):
            self.fail(key, f"{key} must be true or false")
            return True  # fail closed: an unreadable flag never publishes
        return value

    def names(
        self, values: dict[Any, Any], key: str, known: set[str] | None, noun: str
    ) -> tuple[str, ...]:
        value = values.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            hint = f" (write [{value}])" if isinstance(value, str) and value.strip() else ""
            self.fail(key, f"{key} must be a list of strings{hint}")
            return ()
        if not value and known is not None:  # none, or forgot which: it would reach them all
            self.fail(key, f"{key}: [] lists no {noun}: name the ones it concerns, or leave "
                      f"{key} out to reach them all")  # fmt: skip
            return ()
        for name in value:
            if known is not None and name not in known:
                hint = did_you_mean(name, known) or (
                    f" (the regions: {', '.join(sorted(known))})" if noun == "region" else ""
                )
                self.fail(key, f"unknown {noun} {name!r} in {key}{hint}")
        return tuple(value)

    def corrections(self, values: dict[Any, Any]) -> tuple[Correction, ...]:
        value = values.get("corrections")
        if value is None:
            return ()
        message = "corrections must be a list of {date, note} entries"
        if not isinstance(value, list):
            self.fail("corrections", message)
            return ()
        found: list[Correction] = []
        for entry in value:
            if not isinstance(entry, dict) or set(entry) != {"date", "note"}:
                self.fail("corrections", message)
                return ()
            said = len(self.problems)
            day = self.day(entry, "date", at="corrections")
            note = self.text(entry, "note", at="corrections")  # at its line (helper 129)
            if day is None or note is None:
                if len(self.problems) == said:  # once: not again in general words
                    self.fail("corrections", message)
                return ()
            found.append(Correction(day, note))
        return tuple(found)
