"""The subscriber and digest commands: each a few lines over the library."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Iterable
from datetime import datetime

from reportback import database
from reportback.clps import directory_for
from reportback.commands import daemon
from reportback.commands.status import lines as status_lines
from reportback.config import Config
from reportback.errors import InputRefused, UsageError, shown_path
from reportback.mail import sending
from reportback.mail.addresses import normalise
from reportback.mail.members import read_members
from reportback.mail.subscribers import counts, import_members, listing, remove


def _now(args: argparse.Namespace) -> datetime:
    given: datetime | None = getattr(args, "now", None)
    return given or datetime.now().astimezone().replace(microsecond=0)


def subscribers_import(args: argparse.Namespace, config: Config) -> int:
    members, bad, warnings = read_members(args.file, directory_for(config))
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if bad and not args.skip_bad:
        raise InputRefused(
            bad, "fix these rows, or pass --skip-bad to import the rest", "nothing was imported"
        )
    for item in bad:
        print(f"skipped: {item}", file=sys.stderr)
    with database.opened(config.path("state")) as db:
        added, updated, suppressed = import_members(db, members, _now(args))
    print(
        f"imported {shown_path(args.file)}: {added} added, {updated} updated, {suppressed} "
        f"not re-subscribed (unsubscribed, erased or bounced), {len(bad)} bad rows skipped",
        file=sys.stderr,
    )
    return 0


def subscribers_list(args: argparse.Namespace, config: Config) -> int:
    with database.opened(config.path("state")) as db:
        rows = [
            f"{s.email}\t{s.name}\t{s.clp}\t{s.cadence}\t{s.audience}\t{s.status}"
            for s in listing(db)
        ]
    return emit(["email\tname\tclp\tcadence\taudience\tstatus", *rows])


def subscribers_count(args: argparse.Namespace, config: Config) -> int:
    with database.opened(config.path("state")) as db:
        rows = counts(db, args.by)
    for key, number in rows:
        print(f"{key}\t{number}")
    print(f"total\t{sum(n for _, n in rows)}")
    return 0


def subscribers_remove(args: argparse.Namespace, config: Config) -> int:
    try:
        address = normalise(args.email)
    except ValueError as exc:
        raise UsageError(f"not an email address: {args.email!r}") from exc
    with database.opened(config.path("state")) as db:
        found = remove(db, address, _now(args))
    if found:
        print(f"erased {address}; it will never be mailed again", file=sys.stderr)
    else:
        print(f"{address} was not subscribed; it will never be mailed", file=sys.stderr)
    return 0


def digest_preview(args: argparse.Namespace, config: Config) -> int:
    from reportback.mail.preview import preview as digest

    sample = digest(config, _now(args), args.clp, args.audience, args.cadence)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"{args.clp}-{args.audience}-{args.cadence}"
    stem.with_suffix(".eml").write_bytes(sample.message)
    stem.with_suffix(".html").write_text(sample.html, encoding="utf-8")
    print(f"{sample.note}; wrote {shown_path(stem)}.eml and .html", file=sys.stderr)
    return 0


def digest_test(args: argparse.Namespace, config: Config) -> int:
    from reportback.mail.trial import send_test

    print(send_test(config, _now(args), args.to, args.clp, args.audience), file=sys.stderr)
    return 0


def digest_send(args: argparse.Namespace, config: Config) -> int:
    result = sending.send(config, _now(args), args.cadence, args.dry_run, sys.stderr.isatty())
    for error in result.errors[:20]:
        print(f"failed: {error}", file=sys.stderr)
    where = f" to {shown_path(result.outbox)}" if result.outbox else ""
    print(
        f"{'dry run: ' if args.dry_run else ''}cadences {', '.join(result.cadences)}: "
        f"{result.queued} queued, {result.sent} sent{where}, {result.deferred} deferred, "
        f"{result.failed} failed, {result.suppressed} suppressed, {result.cancelled} cancelled",
        file=sys.stderr,
    )
    return 0


def run(args: argparse.Namespace, config: Config) -> int:
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if args.log:
        handlers.append(logging.FileHandler(args.log, encoding="utf-8"))
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    logger = logging.getLogger("reportback")
    for handler in handlers:
        handler.setFormatter(formatter)
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return daemon.run(config, args.watch_seconds)


def status(args: argparse.Namespace, config: Config) -> int:
    return emit(status_lines(config, _now(args)))


def emit(lines: Iterable[str]) -> int:
    """Print `lines` to stdout; a reader that stops early (`| head`) ends it quietly."""
    try:
        for line in lines:
            print(line)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader has all it wanted: nothing more is written
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def serve(args: argparse.Namespace, config: Config) -> int:
    from reportback.web.app import serve as run_server

    return run_server(config, args.host, args.port)


def preview(args: argparse.Namespace, config: Config) -> int:
    from reportback.commands.preview import serve as run_preview

    fixed: datetime | None = args.now
    return run_preview(args.config, args.host, args.port, lambda: fixed or _now(args))
