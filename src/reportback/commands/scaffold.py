"""Create a project (`init`) and a new report from the template (`new`)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from reportback.config import CONFIG_NAME
from reportback.errors import InputRefused, UsageError, problem
from reportback.record import MEETINGS

CONFIG_TEXT = """\
# reportback configuration. Every key is optional; these are the defaults that matter most.
# See the README for every key.

[site]
title = "NEC report-back"
base_url = "http://localhost:8000"
rep = "The CLP representative"
"""

EXAMPLE = """\
---
title: "Example report: National Executive Committee"
meeting: National Executive Committee
meeting_date: {day}
status: draft  # nothing publishes it: change to final when it is ready
summary: >-
  An example report. Replace it with your own, then run `reportback build`.
tags: [example]
---

Write what happened at the meeting, agenda item by agenda item.

## General Secretary's report

Public business goes here, in plain Markdown.

## Disputes panel {{.confidential reason="Disciplinary matter"}}

Nothing in a section marked `.confidential` is ever published: not this heading, not
this text. Readers see "Confidential item" and the reason.

::: members
A block only for members: it goes in members' emails, never on the public site.
:::

A name can be withheld inline: [the name]{{.confidential}}.
"""


MEETINGS_TEXT = """\
# The meetings register: every meeting you should report on, reported or not. The record
# (site/record/) lists each with its report and the days it took to publish, or why there is
# none. One entry a meeting: meeting and date (YYYY-MM-DD), as in the report's front matter;
# optional status (held, cancelled or postponed; default held), attended (true or false;
# default true) and note (public text shown beside it). For example, without the "# ":
# - {{meeting: National Executive Committee, date: {day}}}
# - {{meeting: Disputes Panel, date: {day}, status: cancelled, note: no cases to hear}}
"""


def init(folder: Path) -> list[Path]:
    """Scaffold a project in `folder`; return the files written (never overwriting).

    The example report is a draft: the next build must not publish it to every CLP. The
    meetings register's example is commented out: no meeting is on the record until the rep
    lists one.
    """
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / CONFIG_NAME
    if config.exists():
        raise InputRefused([problem(config, 1, "already exists; not overwriting a project")])
    files = [folder / name for name in ("reports", "templates") if (folder / name).exists()]
    if in_the_way := [path for path in files if not path.is_dir()]:  # checked before writing
        raise InputRefused(
            [problem(p, 1, "is a file where init makes a folder; move it away") for p in in_the_way]
        )  # helper 130: half a project, then refused
    written = [config]
    config.write_text(CONFIG_TEXT, encoding="utf-8")
    today = date.today().isoformat()
    reports = folder / "reports"
    reports.mkdir(exist_ok=True)
    example = reports / f"{today}-example.md"
    if not example.exists():
        example.write_text(EXAMPLE.format(day=today), encoding="utf-8")
        written.append(example)
    meetings = folder / MEETINGS
    if not meetings.exists():
        meetings.write_text(MEETINGS_TEXT.format(day=today), encoding="utf-8")
        written.append(meetings)
    templates = folder / "templates"
    templates.mkdir(exist_ok=True)
    readme = templates / "README.md"
    if not readme.exists():
        readme.write_text(TEMPLATES_README, encoding="utf-8")
        written.append(readme)
    return written


TEMPLATES_README = """\
# Template overrides

Copy any file from reportback's default templates here and edit it; files you don't copy
keep their defaults. The defaults are in the `templates` folder of the installed package
(`python -c "import reportback, pathlib; print(pathlib.Path(reportback.__file__).parent)"`)
and of the source checkout; the README's "Templates" section names each.
"""


def file_slug(title: str) -> str:
    """Return a file-name slug for a title."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-") or "report"
    return slug[:80].rsplit("-", 1)[0] if len(slug) > 80 else slug  # a file name: helper 116


def new_report(
    reports: Path, template: str, title: str, meeting: str, day: date, timezone: str
) -> Path:
    """Write reports/<date>-<slug>.md from the commented `template` (new-report.md, the
    project's own if it has one); return its path.

    The example embargo is 09:00 on `day` in the site's time zone, with that day's offset.
    """
    for what, value in (("title", title), ("meeting", meeting)):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a traceback, and an empty report left (helper 116)
            raise UsageError(f"the {what} is not UTF-8 text: type it again") from None
    path = reports / f"{day.isoformat()}-{file_slug(title)}.md"
    if path.exists():
        raise UsageError(f"{path} already exists; choose another title or date")
    reports.mkdir(parents=True, exist_ok=True)
    text = template.replace("{{ title }}", _yaml_string(title))
    nine = datetime.combine(day, time(9), ZoneInfo(timezone)).isoformat()
    text = text.replace("{{ meeting }}", _yaml_string(meeting)).replace("{{ publish_at }}", nine)
    text = text.replace("{{ date }}", day.isoformat())
    try:
        with path.open("xb") as out:
            out.write(text.encode("utf-8"))
    except OSError:
        path.unlink(missing_ok=True)  # never an empty report, refused by every build
        raise
    return path


def _yaml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
