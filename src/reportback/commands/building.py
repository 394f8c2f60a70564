"""`init`, `new`, `check` and `build`: start a project and a report, check and publish them.

Each command imports what it uses when it runs.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING

from reportback.config import Config
from reportback.errors import shown_path

if TYPE_CHECKING:
    from reportback.model import BuildResult


def init(args: argparse.Namespace, config: Config) -> int:
    from reportback.commands import scaffold

    for path in scaffold.init(args.dir):
        print(f"wrote {shown_path(path)}", file=sys.stderr)
    print("next: edit reportback.toml, start a report with `reportback new TITLE`, watch it "
          "in `reportback preview`, then publish with `reportback build`",
          file=sys.stderr)  # fmt: skip
    return 0


def new(args: argparse.Namespace, config: Config) -> int:
    from reportback.commands import scaffold

    path = scaffold.new_report(
        config.path("reports"), args.title, args.meeting, args.date or date.today(),
        config.site.timezone,
    )  # fmt: skip
    print(shown_path(path))
    return 0


def check(args: argparse.Namespace, config: Config) -> int:
    from reportback.build import pipeline

    config = config.with_paths(reports=args.reports)
    checked = pipeline.check(config, show_progress=sys.stderr.isatty())
    for warning in (w for c in checked for w in c.warnings):
        print(warning, file=sys.stderr)
    print(f"{plural(len(checked), 'report')} checked, no problems", file=sys.stderr)
    return 0


def build(args: argparse.Namespace, config: Config) -> int:
    from reportback import build, timing
    from reportback.model import BuildOptions

    site, feeds = args.site, args.feeds
    if args.drafts:  # a preview: never into the published folders unless asked by name
        preview = config.path("state") / "preview"
        site = site or str(preview / "site")
        feeds = feeds or str(preview / "feeds")
    config = config.with_paths(reports=args.reports, site=site, feeds=feeds)
    now = args.now or datetime.now().astimezone().replace(microsecond=0)
    options = BuildOptions(now=now, drafts=args.drafts, progress=sys.stderr.isatty())
    timing.reset()
    result = build.build(config, options)
    if args.timings:
        for name, seconds in timing.totals().items():
            print(f"{name:>32}: {seconds:7.2f} s", file=sys.stderr)
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    print(summary(result, config), file=sys.stderr)
    return 0


def plural(number: int, noun: str) -> str:
    """Return "1 report", "2 reports"."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def summary(result: BuildResult, config: Config) -> str:
    """Say in words what a build published and what it withheld."""
    sections, blocks, spans = result.marks
    state = "published" if result.changed else "unchanged"
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
