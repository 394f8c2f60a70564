"""The `subscribers` and `digest` commands: each a few lines over the mail library.

Each command imports what it uses when it runs: listing subscribers loads no build.
"""

from __future__ import annotations

import argparse
import sys

from reportback import database
from reportback.cache import write_atomic
from reportback.commands.console import emit, now_of, output_path
from reportback.config import Config
from reportback.errors import InputRefused, UsageError, problem, shown_path


def subscribers_import(args: argparse.Namespace, config: Config) -> int:
    from reportback.clps import directory_for
    from reportback.mail.home import at_home
    from reportback.mail.members import read_members
    from reportback.mail.subscribers import absent_members, import_members

    at_home(config, what="takes no members in")  # they would reach no send (174)
    members, bad, warnings = read_members(args.file, directory_for(config), now_of(args).date())
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if bad and not args.skip_bad:
        raise InputRefused(
            bad, "fix these rows, or pass --skip-bad to import the rest", "nothing was imported"
        )
    if bad and args.full:
        raise InputRefused(
            bad, "fix these rows: with --full, a member on a skipped row would lapse",
            "nothing was imported",
        )  # fmt: skip
    if args.full and not members:  # held-out round D3: a header alone lapsed every member
        raise InputRefused(
            [problem(args.file, 1, "no members in it: with --full, every member would lapse")],
            "import the whole membership list", "nothing was imported",
        )  # fmt: skip
    for item in bad:
        print(f"skipped: {item}", file=sys.stderr)
    with database.opened(config.path("state")) as db, database.atomic(db):  # all or nothing
        added, updated, suppressed = import_members(db, members, now_of(args))
        missing = absent_members(db, {m.email for m in members}, lapse=args.full)
    try:
        _imported(args, added, updated, suppressed, len(bad), missing)
    except KeyboardInterrupt as stop:  # a Ctrl-C now: it was imported (adversary helper 99)
        stop.left = "the import was made: `reportback subscribers count` shows it"  # type: ignore[attr-defined]
        raise
    return 0


def _imported(
    args: argparse.Namespace, added: int, updated: int, suppressed: int, bad: int, missing: int
) -> None:
    print(
        f"imported {shown_path(args.file)}: {added} added, {updated} updated, {suppressed} "
        f"not re-subscribed (unsubscribed, erased or bounced), {bad} bad rows skipped"
        + (f", {missing} members not in it lapsed" if args.full else ""),
        file=sys.stderr,
    )
    if missing and not args.full:
        print(f"note: {missing} members imported before are not in this file and still get "
              "members' material; if it is the whole membership list, import it with --full "
              "so that they lapse", file=sys.stderr)  # fmt: skip


def subscribers_list(args: argparse.Namespace, config: Config) -> int:
    from reportback.mail.subscribers import listing

    with database.opened(config.path("state")) as db:
        rows = [
            f"{s.email}\t{s.name}\t{s.clp}\t{s.cadence}\t{s.audience}\t{s.status}"
            for s in listing(db)
        ]
    return emit(["email\tname\tclp\tcadence\taudience\tstatus", *rows])


def subscribers_count(args: argparse.Namespace, config: Config) -> int:
    from reportback.mail.subscribers import counts

    with database.opened(config.path("state")) as db:
        rows = counts(db, args.by)
    for key, number in rows:
        print(f"{key}\t{number}")
    print(f"total\t{sum(n for _, n in rows)}")
    return 0


def subscribers_remove(args: argparse.Namespace, config: Config) -> int:
    from reportback.mail.addresses import normalise
    from reportback.mail.home import at_home
    from reportback.mail.subscribers import remove

    at_home(config, what="takes no members in")  # the send's ledger would keep them (174)
    try:
        address = normalise(args.email)
    except ValueError as exc:
        raise UsageError(f"not an email address: {args.email!r}") from exc
    with database.opened(config.path("state")) as db:
        found = remove(db, address, now_of(args))
    if found:
        print(f"erased {address}; it will never be mailed again", file=sys.stderr)
    else:
        print(f"{address} was not subscribed; it will never be mailed", file=sys.stderr)
    return 0


def digest_preview(args: argparse.Namespace, config: Config) -> int:
    from reportback.mail.sample import preview

    output_path(config, args.out, "--out")
    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out {args.out} is a file: name a folder")
    stem = args.out / f"{args.clp}-{args.audience}-{args.cadence}"
    taken = [p.name for p in (stem.with_suffix(".eml"), stem.with_suffix(".html")) if p.is_dir()]
    if taken:
        raise UsageError(f"--out {args.out}: {taken[0]} there is a folder: move it, or name "
                         "another folder")  # fmt: skip
    sample = preview(config, now_of(args), args.clp, args.audience, args.cadence)
    args.out.mkdir(parents=True, exist_ok=True)
    for suffix, data in ((".eml", sample.message), (".html", sample.html.encode("utf-8"))):
        write_atomic(stem.with_suffix(suffix), data)  # a link under its name replaced (131)
    print(f"{sample.note}; wrote {shown_path(stem)}.eml and .html", file=sys.stderr)
    return 0


def digest_test(args: argparse.Namespace, config: Config) -> int:
    from reportback.mail.trial import send_test

    print(send_test(config, now_of(args), args.to, args.clp, args.audience), file=sys.stderr)
    return 0


def digest_send(args: argparse.Namespace, config: Config) -> int:
    from reportback.mail import sending

    result = sending.send(
        config, now_of(args), args.cadence, args.dry_run, sys.stderr.isatty(), args.restored,
        moved=args.moved,
    )  # fmt: skip
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for error in result.errors[:20]:
        print(f"failed: {error}", file=sys.stderr)
    where = f" to {shown_path(result.outbox)}" if result.outbox else ""
    print(
        f"{'dry run: ' if args.dry_run else ''}cadences {', '.join(result.cadences)}: "
        f"{result.queued} queued, {result.sent} sent{where}, {result.deferred} deferred, "
        f"{result.failed} failed, {result.suppressed} suppressed, {result.cancelled} cancelled",
        file=sys.stderr,
    )
    if result.interrupted:
        print("interrupted: every message handed over was recorded; the rest wait for the "
              "next digest send", file=sys.stderr)  # fmt: skip
        return 128 + result.signal if result.signal else 130
    return 0
