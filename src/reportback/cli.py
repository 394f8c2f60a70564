"""The `reportback` command: a thin layer turning library errors into clear messages."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

from reportback import __version__, timing
from reportback.build import pipeline
from reportback.commands import scaffold
from reportback.config import Config, load_config
from reportback.errors import PUBLISHED_NOTHING, InputRefused, ReportbackError, shown_path
from reportback.model import CADENCES

Handler = Callable[[argparse.Namespace, Config], int]
NOW_HELP = (
    "pretend it is this time, with a UTC offset, e.g. 2026-12-01T09:00:00+00:00 (default: now)"
)


def _command(name: str) -> Handler:
    """Return the handler `name` of `commands`, imported only when it runs (a build does not
    need the scheduler, the mailer or the web server)."""

    def handler(args: argparse.Namespace, config: Config) -> int:
        from reportback.commands import mailing

        run: Handler = getattr(mailing, name)
        return run(args, config)

    return handler


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 refused, 2 usage, 3 external)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        config = load_config(args.config)
        return int(args.handler(args, config))
    except ReportbackError as exc:
        if isinstance(exc, InputRefused) and exc.outcome == PUBLISHED_NOTHING:
            exc.outcome = getattr(
                args, "outcome", PUBLISHED_NOTHING
            )  # what this command did not do
        for line in exc.lines():
            print(line, file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted; nothing was published", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reportback",
        description="Report back after every meeting: check and redact Markdown reports, "
        "then publish the public version as a website, PDFs and feeds.",
        epilog="Exit codes: 0 success, 1 input refused, 2 usage error, 3 external part failed.",
    )
    parser.add_argument("--version", action="version", version=f"reportback {__version__}")
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="configuration file (default: ./reportback.toml)",
    )
    mailing = parser.add_subparsers(title="commands", metavar="COMMAND")

    init = mailing.add_parser(
        "init", help="start a new project in a folder",
        description="Start a project: write reportback.toml, a reports/ folder with an example "
        "report (a draft, so it is never published) and a templates/ folder for your own "
        "versions of the page templates. Nothing existing is overwritten.",
    )  # fmt: skip
    init.add_argument(
        "dir", nargs="?", type=Path, default=Path(), metavar="DIR",
        help="the project folder (default: the current folder)",
    )  # fmt: skip
    init.set_defaults(handler=_init, outcome="nothing was written")

    new = mailing.add_parser(
        "new", help="start a new report",
        description="Write reports/DATE-TITLE.md, a draft with every front-matter key "
        "explained in a comment, and print its name. Open it, write, and watch it in "
        "`reportback preview`.",
    )  # fmt: skip
    new.add_argument("title", metavar="TITLE", help="the report's public title, in quotes")
    new.add_argument(
        "--meeting", default="National Executive Committee", metavar="M",
        help="the body that met (default: National Executive Committee)",
    )  # fmt: skip
    new.add_argument(
        "--date", type=_day, default=None, metavar="YYYY-MM-DD",
        help="the day of the meeting (default: today)",
    )  # fmt: skip
    new.set_defaults(handler=_new, outcome="nothing was written")

    check = mailing.add_parser(
        "check", help="validate every report", description="Validate every report; print "
        "path:line: message per problem and exit 1 if there is any.",
    )  # fmt: skip
    check.add_argument("--reports", metavar="DIR", help="reports folder (default: reports)")
    check.set_defaults(handler=_check, outcome="fix them and check again")

    build = mailing.add_parser(
        "build", help="check, redact, render, audit and publish",
        description="Check every report, redact it per audience, render HTML and PDF, audit "
        "every output for withheld text, then publish atomically. Refuses (exit 1) and "
        "publishes nothing if any report has a problem or any output leaks.",
    )  # fmt: skip
    build.add_argument("--reports", metavar="DIR", help="reports folder (default: reports)")
    build.add_argument("--site", metavar="DIR", help="site output folder (default: site)")
    build.add_argument("--feeds", metavar="DIR", help="feeds output folder (default: feeds)")
    build.add_argument(
        "--now", type=_instant, metavar="ISO-DATETIME",
        help=NOW_HELP,
    )  # fmt: skip
    build.add_argument(
        "--drafts", action="store_true",
        help="a private build with drafts included, marked, in .reportback/preview/ (unless "
        "--site and --feeds name other folders); records nothing",
    )  # fmt: skip
    build.add_argument(
        "--timings", action="store_true",
        help="print the wall time of each stage (check, redact, render, site, feeds, audit, "
        "publish) to stderr",
    )  # fmt: skip
    build.set_defaults(handler=_build)
    _subscriber_commands(mailing)
    _digest_commands(mailing)
    run = mailing.add_parser(
        "run", help="the scheduler daemon",
        description="Run in the foreground: rebuild when reports change, publish each report at "
        "its publish_at, send immediate digests as reports appear and weekly and monthly ones "
        "at the [schedule] times, and remind the rep about meetings in meetings.yaml with no "
        "report. On start-up it first does whatever fell due while it was stopped, once. "
        "SIGTERM or Ctrl-C finishes the current job and exits 0. One daemon per state folder.",
    )  # fmt: skip
    run.add_argument("--log", type=Path, metavar="FILE", help="also write the log to FILE")
    run.add_argument(
        "--watch-seconds", type=float, default=10.0, metavar="N",
        help="how often to look for changed reports (default 10)",
    )  # fmt: skip
    run.set_defaults(handler=_command("run"))
    serve = mailing.add_parser(
        "serve", help="serve the site, the feeds and the subscription pages",
        description="Serve site/ at /, feeds/ at /feeds/, and the subscription endpoints "
        "(/subscribe, /confirm, /unsubscribe, /preferences, /healthz). Run it behind a reverse "
        "proxy that terminates TLS; set [site] base_url to the public address.",
    )  # fmt: skip
    serve.add_argument(
        "--host", default="127.0.0.1", metavar="H",
        help="address to listen on (default 127.0.0.1: this computer only)",
    )  # fmt: skip
    serve.add_argument(
        "--port", type=int, default=8000, metavar="P", help="port to listen on (default 8000)"
    )
    serve.set_defaults(handler=_command("serve"))
    preview = mailing.add_parser(
        "preview", help="see your reports as you write them, in your browser",
        description="Build a private preview (drafts and embargoed reports included, marked) "
        "in the state folder, serve it, and rebuild it whenever you save a report, a template, "
        "reportback.toml or meetings.yaml: the open page reloads itself. /_review/SLUG/ shows "
        "what the public, members and you see of a report, withheld parts highlighted. "
        "Nothing is published or recorded.",
    )  # fmt: skip
    preview.add_argument(
        "--host", default="127.0.0.1", metavar="H",
        help="address to listen on (default 127.0.0.1: this computer only; the review pages "
        "show confidential text)",
    )  # fmt: skip
    preview.add_argument(
        "--port", type=int, default=8001, metavar="P", help="port to listen on (default 8001)"
    )
    preview.add_argument(
        "--now", type=_instant, metavar="ISO-DATETIME",
        help="pretend it is this time, for embargoes (default: now)",
    )  # fmt: skip
    preview.set_defaults(handler=_command("preview"))
    status = mailing.add_parser(
        "status", help="what is published, embargoed, due, queued and failed",
        description="Print what is published, embargoed and drafted, the digests due, queued "
        "and failed, the next digest times, and whether the daemon is running.",
    )  # fmt: skip
    status.add_argument("--now", type=_instant, metavar="ISO-DATETIME", help=NOW_HELP)
    status.set_defaults(handler=_command("status"))
    _config_everywhere(parser)
    return parser


def _config_everywhere(parser: argparse.ArgumentParser) -> None:
    """Accept --config after any command too (`reportback build --config FILE`)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                child.add_argument(
                    "--config", type=Path, default=argparse.SUPPRESS, metavar="FILE",
                    help="configuration file (default: ./reportback.toml)",
                )  # fmt: skip
                _config_everywhere(child)


def _subscriber_commands(mailing: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    group = mailing.add_parser(
        "subscribers", help="the subscriber store", description="Import, list, count and erase "
        "subscribers. Imported members get members' material; nobody who unsubscribed or "
        "bounced is ever re-subscribed by an import.",
    )  # fmt: skip
    sub = group.add_subparsers(title="subcommands", metavar="SUBCOMMAND")
    imp = sub.add_parser(
        "import", help="import a members CSV",
        description="Import a membership export (UTF-8 CSV with a header row: email, clp, and "
        "optionally name, cadence, consent_date). Any bad row refuses the whole import "
        "unless --skip-bad is given.",
    )  # fmt: skip
    imp.add_argument("file", type=Path, metavar="FILE.csv", help="the membership export")
    imp.add_argument("--skip-bad", action="store_true", help="import the good rows anyway")
    imp.add_argument(
        "--now", type=_instant, metavar="ISO-DATETIME",
        help="the time to record for the import (default: now)",
    )  # fmt: skip
    imp.set_defaults(handler=_command("subscribers_import"), outcome="nothing was imported")
    listing = sub.add_parser(
        "list", help="list subscribers (tab-separated)",
        description="Print every subscriber: email, name, CLP, cadence, audience and status, "
        "separated by tabs (for a spreadsheet).",
    )  # fmt: skip
    listing.set_defaults(handler=_command("subscribers_list"))
    count = sub.add_parser(
        "count", help="count subscribers by CLP, cadence, status or audience",
        description="Count subscribers, grouped by CLP, cadence, status or audience.",
    )  # fmt: skip
    count.add_argument(
        "--by", choices=("clp", "cadence", "status", "audience"), default="status",
        help="what to count by (default: status)",
    )  # fmt: skip
    count.set_defaults(handler=_command("subscribers_count"))
    remove = sub.add_parser(
        "remove", help="erase a subscriber",
        description="Erase a subscriber's personal data; a hash of the address is kept so "
        "that it is never mailed again.",
    )  # fmt: skip
    remove.add_argument("email", metavar="EMAIL", help="the subscriber's email address")
    remove.set_defaults(handler=_command("subscribers_remove"))
    group.set_defaults(handler=_needs_subcommand(group))


def _digest_commands(mailing: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    group = mailing.add_parser(
        "digest", help="preview, test and send email digests",
        description="Preview the digest a CLP's readers would get, send one test digest to "
        "yourself, or send the digests that are due.",
    )  # fmt: skip
    sub = group.add_subparsers(title="subcommands", metavar="SUBCOMMAND")
    preview = sub.add_parser(
        "preview", help="write the digest a CLP's readers would get now",
        description="Write the digest one CLP's readers would get now as .eml and .html files.",
    )  # fmt: skip
    preview.add_argument(
        "--clp", required=True, metavar="SLUG",
        help="the CLP, by the name in its page's address (e.g. witney)",
    )  # fmt: skip
    preview.add_argument(
        "--audience", choices=("public", "members"), default="public",
        help="public readers, or members (who also get members' material); default public",
    )  # fmt: skip
    preview.add_argument(
        "--cadence", choices=CADENCES, default="weekly",
        help="which digest: each report as it comes (immediate), weekly or monthly; "
        "default weekly",
    )  # fmt: skip
    preview.add_argument(
        "--out", type=Path, default=Path("digest-preview"), metavar="DIR",
        help="folder to write the .eml and .html files to (default: digest-preview)",
    )  # fmt: skip
    preview.add_argument("--now", type=_instant, metavar="ISO-DATETIME", help=NOW_HELP)
    preview.set_defaults(handler=_command("digest_preview"), outcome="nothing was written")
    send = sub.add_parser(
        "send", help="send the digests that are due",
        description="Send every digest due now (immediate ones always; weekly and monthly ones "
        "once per scheduled time, or the --cadence given). Resumable: run it again after a "
        "crash and it sends what is left, never the same digest twice. With no SMTP server "
        "configured, messages are written to the outbox folder in the state folder.",
    )  # fmt: skip
    send.add_argument(
        "--cadence", choices=CADENCES, metavar="immediate|weekly|monthly",
        help="send this cadence's digests now, whatever the schedule (default: what is due)",
    )  # fmt: skip
    send.add_argument(
        "--dry-run", action="store_true",
        help="write the messages to the state folder's outbox-dry-run/ and change nothing",
    )  # fmt: skip
    send.add_argument("--now", type=_instant, metavar="ISO-DATETIME", help=NOW_HELP)
    send.set_defaults(handler=_command("digest_send"), outcome="nothing was sent")
    trial = sub.add_parser(
        "test", help="send one real digest to yourself",
        description="Send the digest a CLP's readers would get now to ADDRESS, through the SMTP "
        "server set in reportback.toml, to see it in a real mail program. Nothing is recorded: "
        "no subscriber, no ledger entry.",
    )  # fmt: skip
    trial.add_argument("--to", required=True, metavar="ADDRESS", help="where to send it")
    trial.add_argument(
        "--clp", metavar="SLUG",
        help="the CLP whose digest to send (default: one the newest report reaches)",
    )  # fmt: skip
    trial.add_argument(
        "--audience", choices=("public", "members"), default="public",
        help="public readers, or members (who also get members' material); default public",
    )  # fmt: skip
    trial.add_argument("--now", type=_instant, metavar="ISO-DATETIME", help=NOW_HELP)
    trial.set_defaults(handler=_command("digest_test"), outcome="nothing was sent")
    group.set_defaults(handler=_needs_subcommand(group))


def _needs_subcommand(parser: argparse.ArgumentParser) -> Handler:
    def handler(args: argparse.Namespace, config: Config) -> int:
        parser.print_help(sys.stderr)
        return 2

    return handler


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date-time: {text!r}") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"needs a UTC offset, e.g. {text}+00:00")
    return value


def _init(args: argparse.Namespace, config: Config) -> int:
    for path in scaffold.init(args.dir):
        print(f"wrote {shown_path(path)}", file=sys.stderr)
    print("next: edit reportback.toml, start a report with `reportback new TITLE`, watch it "
          "in `reportback preview`, then publish with `reportback build`",
          file=sys.stderr)  # fmt: skip
    return 0


def _new(args: argparse.Namespace, config: Config) -> int:
    path = scaffold.new_report(
        config.path("reports"), args.title, args.meeting, args.date or date.today(),
        config.site.timezone,
    )  # fmt: skip
    print(shown_path(path))
    return 0


def _check(args: argparse.Namespace, config: Config) -> int:
    config = config.with_paths(reports=args.reports)
    checked = pipeline.check(config, show_progress=sys.stderr.isatty())
    for warning in (w for c in checked for w in c.warnings):
        print(warning, file=sys.stderr)
    print(f"{plural(len(checked), 'report')} checked, no problems", file=sys.stderr)
    return 0


def _build(args: argparse.Namespace, config: Config) -> int:
    site, feeds = args.site, args.feeds
    if args.drafts:  # a preview: never into the published folders unless asked by name
        preview = config.path("state") / "preview"
        site = site or str(preview / "site")
        feeds = feeds or str(preview / "feeds")
    config = config.with_paths(reports=args.reports, site=site, feeds=feeds)
    now = args.now or datetime.now().astimezone().replace(microsecond=0)
    options = pipeline.BuildOptions(now=now, drafts=args.drafts, progress=sys.stderr.isatty())
    timing.reset()
    result = pipeline.build(config, options)
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


def summary(result: pipeline.BuildResult, config: Config) -> str:
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


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
