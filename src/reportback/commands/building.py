"""`init`, `new`, `check` and `build`: start a project and a report, check and publish them.

Each command imports what it uses when it runs.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING

from reportback.commands.console import now_of, with_options
from reportback.config import Config
from reportback.errors import InputRefused, UsageError, shown_path

if TYPE_CHECKING:
    from reportback.model import BuildResult


def init(args: argparse.Namespace, config: Config) -> int:
    from reportback.commands import scaffold

    taken = next((p for p in (args.dir, *args.dir.parents) if p.exists()), None)
    if taken is not None and not taken.is_dir():  # was "File exists; check the disk" (139)
        raise UsageError(f"{shown_path(taken)} is a file: name a folder for the project")
    for path in scaffold.init(args.dir):
        print(f"wrote {shown_path(path)}", file=sys.stderr)
    print("next: edit reportback.toml, start a report with `reportback new TITLE`, watch it "
          "in `reportback preview`, then publish with `reportback build`",
          file=sys.stderr)  # fmt: skip
    return 0


def new(args: argparse.Namespace, config: Config) -> int:
    """Start a report; one whose front matter `check` would refuse (a title saying it is
    withheld: `Confidential: disputes`) is taken back, and says why (adversary helper 99)."""
    from reportback.checking.front_matter import load_report
    from reportback.clps import directory_for
    from reportback.commands import scaffold
    from reportback.output.templates import Templates

    template = Templates.of(config).text("new-report.md")  # the project's, if it has one
    path = scaffold.new_report(
        config.path("reports"), template, args.title, args.meeting, args.date or date.today(),
        config.site.timezone,
    )  # fmt: skip
    loaded, problems = load_report(path, directory_for(config), shown_path(path))
    if loaded is None or problems:
        path.unlink()
        hint = "choose another title, meeting or date, or mend templates/new-report.md"
        raise InputRefused(problems, hint, "nothing was written")
    print(shown_path(path))
    return 0


def check(args: argparse.Namespace, config: Config) -> int:
    from reportback.build import pipeline

    config = with_options(config, reports=args.reports)
    checked = pipeline.check(config, show_progress=sys.stderr.isatty())
    for warning in (w for c in checked for w in c.warnings):
        print(warning, file=sys.stderr)
    print(f"{plural(len(checked), 'report')} checked, no problems", file=sys.stderr)
    return 0


def build(args: argparse.Namespace, config: Config) -> int:
    from reportback import build, timing
    from reportback.model import BuildOptions

    published = (config.path("site").resolve(), config.path("feeds").resolve())
    config = with_options(config, args.drafts, reports=args.reports, site=args.site,
                          feeds=args.feeds)  # fmt: skip
    into = {config.path("site").resolve(), config.path("feeds").resolve()}
    inside = any(a.is_relative_to(b) or b.is_relative_to(a) for a in into for b in published)
    if args.drafts and inside:  # helpers 90, 94: `--site site`, `--site site/preview` published
        raise UsageError(
            "--drafts builds a private preview, never in (or over) the published site or feeds "
            f"({shown_path(published[0])}/, {shown_path(published[1])}/): name other folders, "
            "or leave --site and --feeds out (.reportback/preview/)"
        )
    now = now_of(args)
    options = BuildOptions(now=now, drafts=args.drafts, progress=sys.stderr.isatty())
    timing.reset()
    shown = config.path("site") / "reports"
    before = {p.name for p in shown.iterdir() if p.is_dir()} if shown.is_dir() else set()
    result = build.build(config, options)
    if args.timings:
        for name, seconds in timing.totals().items():
            print(f"{name:>32}: {seconds:7.2f} s", file=sys.stderr)
    gone = () if args.drafts else withdrawn(before, result, now)  # a preview: all but these
    for warning in result.warnings + gone:
        print(warning, file=sys.stderr)
    print(summary(result, config, args.drafts), file=sys.stderr)
    return 0


def withdrawn(before: set[str], result: BuildResult, now: datetime) -> tuple[str, ...]:
    """Say which reports the site showed that this build took off it, and why: one embargoed
    at a build's time earlier than it was published at went without a word (adversary helper
    88's clock set back)."""
    why = {slug: "it is a draft now" for slug in result.drafts}
    why |= {slug: "it is confidential now" for slug in result.withheld}
    why |= {slug: f"it is embargoed at this build's time ({now.isoformat()}): is that time "
            "right?" for slug in result.embargoed}  # fmt: skip
    why |= {
        old: f"its file was renamed: it is reports/{new} now, and links to its old address "
        "no longer work"
        for old, new in result.renamed
    }  # fmt: skip (honest user 169)
    return tuple(
        f"no longer published: reports/{slug}, taken off the site and out of the feeds; "
        f"{why.get(slug, 'its file is gone')}"
        for slug in sorted(before - set(result.published))
    )


def plural(number: int, noun: str) -> str:
    """Return "1 report", "2 reports"."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def summary(result: BuildResult, config: Config, preview: bool = False) -> str:
    """Say in words what a build published (a `preview` built) and what it withheld."""
    sections, blocks, spans = result.marks
    state = ("previewed" if preview else "published") if result.changed else "unchanged"
    held, them = "", "it" if len(result.published) == 1 else "them"
    if any(result.marks):
        held = (
            f" ({plural(sections, 'section')}, {plural(blocks, 'block')} and "
            f"{plural(spans, 'span')} withheld from {them})"
        )
    return (
        f"{state}: {plural(len(result.published), 'report')}{held}, "
        f"{plural(result.files, 'file')} in {shown_path(config.path('site'))} and "
        f"{shown_path(config.path('feeds'))}; {len(result.embargoed)} embargoed, "
        f"{plural(len(result.drafts), 'draft')}, "
        f"{plural(len(result.withheld), 'confidential report')} withheld entirely"
    )
