"""The meetings register, `meetings.yaml` beside the configuration: every meeting the rep
should report on, whether or not a report was written.

A YAML list of `{meeting, date}` entries, each with optional `status` (held, cancelled,
postponed; default held), `attended` (default true) and `note`. Every problem is refused as
`meetings.yaml:LINE: message`, all of them at once.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from reportback import cache as cachemod
from reportback.cache import Cache
from reportback.checking.attempts import marked_as_written
from reportback.checking.characters import odd_breaks
from reportback.checking.front_lines import read_as_text
from reportback.checking.front_matter import clean
from reportback.checking.intent import says_withheld
from reportback.errors import InputRefused, Problem, problem
from reportback.record import register_path

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML was built with it (a long register loads ten times
quicker), Python's otherwise; both give every node its line."""

STATUSES = ("held", "cancelled", "postponed")
KEYS = ("meeting", "date", "status", "attended", "note")


@dataclass(frozen=True)
class Meeting:
    """One meeting of the register."""

    meeting: str
    day: date
    status: str = "held"
    attended: bool = True
    note: str = ""


def load(root: Path, cache: Cache | None = None) -> tuple[Meeting, ...]:
    """Read the register beside the configuration (none: no meetings); raise InputRefused
    listing every problem.

    Given the state's `cache`, a register read before is taken from it by its text (a
    ten-year register takes a sixth of a second to check, a tenth of a one-report edit).
    """
    path = register_path(root)
    if not path.exists() and not path.is_symlink():
        return ()
    if not path.is_file():  # a link to nothing was taken for no register (adversary helper 99)
        why = "is not a file (a folder, or a link to nothing): the meetings register is a file"
        raise InputRefused([problem(path, 1, why)])
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputRefused([problem(path, 1, "not UTF-8 text")]) from None
    name = cachemod.key("register", str(path), text) if cache is not None else ""
    stored = cache.get_pickle("register", name) if cache is not None else None
    if isinstance(stored, tuple) and all(isinstance(m, Meeting) for m in stored):
        return stored
    meetings = _parsed(text, path)  # refused: raised, and nothing stored
    if cache is not None:
        cache.put_pickle("register", name, meetings)
    return meetings


@functools.lru_cache(maxsize=4)
def _parsed(text: str, path: Path) -> tuple[Meeting, ...]:
    """`parse`, once per text: a build reads the register when it checks and again when it
    makes the record (a ten-year register takes a tenth of a second to parse). A refusal is
    not kept: it is raised each time."""
    return parse(text, path)


def parse(text: str, path: Path) -> tuple[Meeting, ...]:
    """Return the meetings `text` lists; raise InputRefused with each problem's line."""
    odd = odd_breaks(text, path)  # YAML reads U+2028 as a new line: a `# …` after it, a note
    if odd:
        raise InputRefused(odd)
    loader = SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise InputRefused([problem(path, line, f"not valid YAML: {exc}")]) from None
    problems: list[Problem] = []
    if node is None:
        loader.dispose()
        return ()
    if not isinstance(node, yaml.SequenceNode):
        loader.dispose()
        raise InputRefused([problem(path, _line(node), "must be a list of {meeting, date}")])
    problems += [problem(path, n, m) for n, m in read_as_text(text, node)]
    found: list[Meeting] = []
    seen: dict[tuple[str, date], int] = {}
    for entry in node.value:
        meeting = _entry(loader, entry, path, problems)
        if meeting is None:
            continue
        known = (meeting.meeting.casefold(), meeting.day)
        if known in seen:
            where = _line(entry)
            problems.append(problem(path, where, f"duplicate entry: {meeting.meeting} on "
                                    f"{meeting.day} is already on line {seen[known]}"))  # fmt: skip
        else:
            seen[known] = _line(entry)
            found.append(meeting)
    loader.dispose()
    if problems:
        raise InputRefused(problems)
    return tuple(found)


PLAIN = ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in PLAIN)


def _odd_tag(node: yaml.Node) -> str | None:
    """Return a tag written on `node` or in it that is not a plain value's (`!confidential`,
    `!!python/object`), as written; None if there is none."""
    stack = [node]
    while stack:
        item = stack.pop()
        if item.tag not in PLAIN_TAGS:
            return item.tag.replace("tag:yaml.org,2002:", "!!")
        if isinstance(item, yaml.SequenceNode):
            stack += item.value
        elif isinstance(item, yaml.MappingNode):
            stack += [n for pair in item.value for n in pair]
    return None


def _entry(loader: Any, node: yaml.Node, path: Path, problems: list[Problem]) -> Meeting | None:
    """Return one entry as a Meeting, or None after adding its problems."""
    if not isinstance(node, yaml.MappingNode):
        problems.append(problem(path, _line(node), "each entry must be {meeting, date}"))
        return None
    values: dict[str, Any] = {}
    before = len(problems)
    for key_node, value_node in node.value:
        key, line = str(key_node.value), _line(key_node)
        if key not in KEYS:
            problems.append(problem(path, line, f"unknown key {key!r}; the keys are "
                                    f"{', '.join(KEYS)}"))  # fmt: skip
        elif key in values:
            problems.append(problem(path, line, f"duplicate key {key!r}"))
        elif (tag := _odd_tag(value_node)) is not None:  # dropped, its words published (116)
            message = f"{key} has a YAML tag ({tag}): a tag is not read, and the words after it "
            problems.append(problem(path, line, message + "would be published; take it out"))
        else:
            try:
                values[key] = clean(loader.construct_object(value_node, deep=True))  # "\e"
            except (ValueError, yaml.YAMLError):
                values[key] = value_node.value  # an impossible date: refused below
            if key == "date" and isinstance(values[key], str):
                values[key] = _quoted_day(values[key])
            message = _wrong(key, values[key])
            if message:
                problems.append(problem(path, _line(value_node), message))
    for key in ("meeting", "date"):
        if key not in values:
            problems.append(problem(path, _line(node), f"missing {key}: each entry needs "
                                    "meeting and date"))  # fmt: skip
    if len(problems) > before:
        return None
    return Meeting(
        meeting=values["meeting"].strip(),
        day=values["date"],
        status=values.get("status", "held"),
        attended=values.get("attended", True),
        note=(values.get("note") or "").strip(),
    )


def _wrong(key: str, value: object) -> str:
    """Return what is wrong with one value, or an empty string."""
    if key == "meeting" and not (isinstance(value, str) and value.strip()):
        return "meeting must be the name of the body that met"
    if key == "date" and (isinstance(value, datetime) or not isinstance(value, date)):
        shown = value.isoformat() if isinstance(value, datetime) else repr(value)  # helper 116
        return f"date {shown} is not a date: write YYYY-MM-DD (a day that exists)"
    if key == "date" and isinstance(value, date) and not 1900 <= value.year <= 2999:
        return f"date {value.isoformat()} is not in a year from 1900 to 2999"  # helper 99
    if key == "status" and value not in STATUSES:
        return f"status {value!r} must be one of {', '.join(STATUSES)}"
    if key == "attended" and not isinstance(value, bool):
        return f"attended {value!r} must be true or false"
    if key == "note" and not isinstance(value, str | None):
        return "note must be text"
    if key in ("meeting", "note") and isinstance(value, str):
        found = marked_as_written(value)
        if found is not None:
            return (
                f"{key} holds a withholding mark, fence, comment or tag ({found[:40]!r}), but "
                "the register is public text, published as written: leave it out"
            )
        said = says_withheld(value, title=key == "meeting")
        if said is not None:  # held-out round 22: published on the record page and in search
            return (
                f"{key}: {said!r} says it is withheld, but the register is public text, "
                "published as written: reword it, or leave it out"
            )
    return ""


def _quoted_day(text: str) -> date | str:
    """Read `"2026-12-08"` as the day it names (as front matter does), or leave it as text."""
    try:
        return date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else text
    except ValueError:
        return text


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1
