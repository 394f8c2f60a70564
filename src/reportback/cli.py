"""The `reportback` command: its options, and which function runs each command.

Each command is a short function in `commands/` that imports what it uses when it runs (a
build loads no web server; `serve` and `subscribers` load no Typst); this module turns
library errors into clear messages.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

from reportback import __version__
from reportback.commands import building, mailing, running
from reportback.commands.arguments import named, named_path, port, seconds
from reportback.commands.console import settings_checked
from reportback.config import Config, load_config
from reportback.errors import (
    PUBLISHED_NOTHING,
    InputRefused,
    ReportbackError,
    os_failure,
    shown_path,
    stopped,
)
from reportback.model import CADENCES

Handler = Callable[[argparse.Namespace, Config], int]
NOW_HELP = (
    "pretend it is this time, with a UTC offset, e.g. 2026-12-01T09:00:00+00:00 (default: now)"
)


FOLDER = "{0} folder (default: {0})"


def _needs_subcommand(args: argparse.Namespace, config: Config) -> int:
    """Show the help of a command group given no subcommand (`reportback digest`)."""
    args.group.print_help(sys.stderr)
    return 2


HANDLERS: dict[str, Handler] = {
    "init": building.init,
    "new": building.new,
    "check": building.check,
    "build": building.build,
    "subscribers": _needs_subcommand,
    "subscribers import": mailing.subscribers_import,
    "subscribers list": mailing.subscribers_list,
    "subscribers count": mailing.subscribers_count,
    "subscribers remove": mailing.subscribers_remove,
    "digest": _needs_subcommand,
    "digest preview": mailing.digest_preview,
    "digest send": mailing.digest_send,
    "digest test": mailing.digest_test,
    "run": running.run,
    "serve": running.serve,
    "preview": running.preview,
    "status": running.status,
}
"""Which function runs each command (its `command` default, set in the parser)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 refused, 2 usage, 3 external)."""
    parser = _parser()
    args = parser.parse_args(argv)
    handler = HANDLERS.get(getattr(args, "command", ""))
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    config: Config | None = None
    try:
        config = settings_checked(load_config(args.config))
        return int(handler(args, config))
    except ReportbackError as exc:
        if isinstance(exc, InputRefused) and exc.outcome == PUBLISHED_NOTHING:
            exc.outcome = getattr(args, "outcome", PUBLISHED_NOTHING)  # what it did not do
        for line in exc.lines():
            print(line, file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        left = getattr(exc, "left", "") or stopped(args.command, getattr(args, "outcome", ""))
        print(f"{getattr(exc, 'said', 'interrupted')}; {left}", file=sys.stderr)
        return int(getattr(exc, "code", 130))  # 143: a SIGTERM (`reportback.Terminated`)
    except (OSError, RuntimeError) as exc:  # a full disk, a file-size limit, a symlink loop
        print(os_failure(exc), file=sys.stderr)
        return 3
    except sqlite3.Error as exc:  # held-out round D3: a full, read-only or broken state
        state = shown_path(config.path("state") / "state.sqlite") if config else "state.sqlite"
        fix = ("close the program that holds it (an sqlite3 shell?)" if "locked" in str(exc)
               else "free disk space, make it writable, or restore it from a backup")  # fmt: skip
        print(f"{state}: the state database failed: {exc}; {fix}, then run the command again",
              file=sys.stderr)  # fmt: skip
        return 3


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
        type=named_path,
        metavar="FILE",
        help="configuration file (default: ./reportback.toml)",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    init = commands.add_parser(
        "init", help="start a new project in a folder",
        description="Start a project: write reportback.toml, a reports/ folder with an example "
        "report (a draft, so it is never published), meetings.yaml (the register of meetings "
        "you report on, with a commented example) and a templates/ folder for your own "
        "versions of the page templates. Nothing existing is overwritten.",
    )  # fmt: skip
    init.add_argument(
        "dir", nargs="?", type=Path, default=Path(), metavar="DIR",
        help="the project folder (default: the current folder)",
    )  # fmt: skip
    init.set_defaults(command="init", outcome="nothing was written")

    new = commands.add_parser(
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
    new.set_defaults(command="new", outcome="nothing was written")

    check = commands.add_parser(
        "check", help="validate every report", description="Validate every report; print "
        "path:line: message per problem and exit 1 if there is any.",
    )  # fmt: skip
    check.add_argument("--reports", type=named, metavar="DIR", help=FOLDER.format("reports"))
    check.set_defaults(command="check", outcome="fix them and check again")

    build = commands.add_parser(
        "build", help="check, redact, render, audit and publish",
        description="Check every report, redact it per audience, render HTML and PDF, audit "
        "every output for withheld text, then publish atomically. Refuses (exit 1) and "
        "publishes nothing if any report has a problem or any output leaks.",
    )  # fmt: skip
    for folder in ("reports", "site", "feeds"):
        build.add_argument(f"--{folder}", type=named, metavar="DIR", help=FOLDER.format(folder))
    build.add_argument(
        "--now", type=_instant, metavar="ISO-DATETIME",
        help=NOW_HELP,
    )  # fmt: skip
    build.add_argument(
        "--drafts", action="store_true",
        help="a private build with drafts included, marked, in .reportback/preview/ (or the "
        "folders --site and --feeds name, never the published ones); records nothing",
    )  # fmt: skip
    build.add_argument(
        "--timings", action="store_true",
        help="print the wall time of each stage (check, redact, render, site, feeds, audit, "
        "publish) to stderr",
    )  # fmt: skip
    build.set_defaults(command="build")
    _subscriber_commands(commands)
    _digest_commands(commands)
    run = commands.add_parser(
        "run", help="the scheduler daemon",
        description="Run in the foreground: rebuild when reports change, publish each report at "
        "its publish_at, send immediate digests as reports appear and weekly and monthly ones "
        "at the [schedule] times, and remind the rep about meetings in meetings.yaml with no "
        "report. On start-up it first does whatever fell due while it was stopped, once. "
        "SIGTERM or Ctrl-C finishes the current job and exits 0. One daemon per state folder.",
    )  # fmt: skip
    run.add_argument("--log", type=named_path, metavar="FILE", help="also write the log to FILE")
    run.add_argument(
        "--watch-seconds", type=seconds, default=10.0, metavar="N",
        help="how often to look for changed reports (default 10)",
    )  # fmt: skip
    run.set_defaults(command="run", outcome="nothing was started")
    serve = commands.add_parser(
        "serve", help="serve the site, the feeds and the subscription pages",
        description="Serve site/ at /, feeds/ at /feeds/, and the subscription endpoints "
        "(/subscribe, /confirm, /unsubscribe, /preferences, /healthz). Run it behind a reverse "
        "proxy that terminates TLS; set [site] base_url to the public address.",
    )  # fmt: skip
    serve.add_argument(
        "--host", default="127.0.0.1", metavar="H",
        help="address to listen on (default 127.0.0.1: this computer only)",
    )  # fmt: skip
    serve.add_argument("--port", type=port, default=8000, metavar="P",
                       help="port to listen on (default 8000)")  # fmt: skip
    serve.set_defaults(command="serve", outcome="nothing was served")
    preview = commands.add_parser(
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
    preview.add_argument("--port", type=port, default=8001, metavar="P",
                         help="port to listen on (default 8001)")  # fmt: skip
    preview.add_argument(
        "--now", type=_instant, metavar="ISO-DATETIME",
        help="pretend it is this time, for embargoes (default: now)",
    )  # fmt: skip
    preview.set_defaults(command="preview")
    status = commands.add_parser(
        "status", help="what is published, embargoed, due, queued and failed",
        description="Print what is published, embargoed and drafted, the digests due, queued "
        "and failed, the next digest times, and whether the daemon is running.",
    )  # fmt: skip
    status.add_argument("--now", type=_instant, metavar="ISO-DATETIME", help=NOW_HELP)
    status.set_defaults(command="status", outcome="fix them and ask again")
    _config_everywhere(parser)
    return parser


def _config_everywhere(parser: argparse.ArgumentParser) -> None:
    """Accept --config after any command too (`reportback build --config FILE`)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                child.add_argument(
                    "--config", type=named_path, default=argparse.SUPPRESS, metavar="FILE",
                    help="configuration file (default: ./reportback.toml)",
                )  # fmt: skip
                _config_everywhere(child)


def _subscriber_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    group = commands.add_parser(
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
        "--full", action="store_true",
        help="the file is the whole membership list: members imported before and missing "
        "from it lapse (no more reports, nor members' material, until listed again)",
    )  # fmt: skip
    imp.add_argument(
        "--now", type=_instant, metavar="ISO-DATETIME",
        help="the time to record for the import (default: now)",
    )  # fmt: skip
    imp.set_defaults(command="subscribers import", outcome="nothing was imported")
    listing = sub.add_parser(
        "list", help="list subscribers (tab-separated)",
        description="Print every subscriber: email, name, CLP, cadence, audience and status, "
        "separated by tabs (for a spreadsheet).",
    )  # fmt: skip
    listing.set_defaults(command="subscribers list")
    count = sub.add_parser(
        "count", help="count subscribers by CLP, cadence, status or audience",
        description="Count subscribers, grouped by CLP, cadence, status or audience.",
    )  # fmt: skip
    count.add_argument(
        "--by", choices=("clp", "cadence", "status", "audience"), default="status",
        help="what to count by (default: status)",
    )  # fmt: skip
    count.set_defaults(command="subscribers count")
    remove = sub.add_parser(
        "remove", help="erase a subscriber",
        description="Erase a subscriber's personal data; a hash of the address is kept so "
        "that it is never mailed again.",
    )  # fmt: skip
    remove.add_argument("email", metavar="EMAIL", help="the subscriber's email address")
    remove.set_defaults(command="subscribers remove")
    group.set_defaults(command="subscribers", group=group)


def _digest_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    group = commands.add_parser(
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
        "--out", type=named_path, default=Path("digest-preview"), metavar="DIR",
        help="folder to write the .eml and .html files to (default: digest-preview)",
    )  # fmt: skip
    preview.add_argument("--now", type=_instant, metavar="ISO-DATETIME", help=NOW_HELP)
    preview.set_defaults(command="digest preview", outcome="nothing was written")
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
    send.add_argument(
        "--restored", choices=("mailed", "unmailed"),
        help="after the state was lost or restored from an older backup (a build says so): "
        "whether the reports it had no record of were mailed before (mailed: nobody gets them "
        "again; unmailed: they are mailed now); until then digests hold them back",
    )  # fmt: skip
    send.add_argument("--moved", action="store_true", help="the project was moved here: send "
                      "from here on (a copy must not: both would mail what is due)")  # fmt: skip
    send.add_argument("--now", type=_instant, metavar="ISO-DATETIME", help=NOW_HELP)
    send.set_defaults(command="digest send", outcome="nothing was sent")
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
    trial.set_defaults(command="digest test", outcome="nothing was sent")
    group.set_defaults(command="digest", group=group)


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
        raise argparse.ArgumentTypeError(f"needs a UTC offset, e.g. {value.isoformat()}+00:00")
    if not 1900 <= value.year <= 2999:  # the next slot of 9999-12-31 has no year to be in
        raise argparse.ArgumentTypeError(f"not a year from 1900 to 2999: {text!r}")
    return value


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
