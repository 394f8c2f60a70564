"""`run`, `serve`, `preview` and `status`: the commands that keep running, and the one that
says what is due and whether the daemon runs.

Each command imports what it uses when it runs: `serve` loads no build.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import datetime

from reportback.commands.console import emit, now_of, output_path
from reportback.config import Config
from reportback.errors import UsageError


def run(args: argparse.Namespace, config: Config) -> int:
    from reportback.commands import daemon
    from reportback.mail.home import at_home

    at_home(config)  # a copy's daemon would send (adversary helper 174)
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if args.log:
        log = output_path(config, args.log, "--log")
        if log.is_dir():  # was "Is a directory; check the disk" (adversary helper 139)
            raise UsageError(f"--log {log} is a folder: name a file")
        handlers.append(_LogFile(log, encoding="utf-8"))
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    logger = logging.getLogger("reportback")
    for handler in handlers:
        handler.setFormatter(formatter)
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return daemon.run(config, args.watch_seconds)


class _LogFile(logging.FileHandler):
    """The log file: a line it cannot write (a full disk) is said once on stderr, not with
    Python's traceback for every line (adversary helper 116)."""

    failed = False

    def handleError(self, record: logging.LogRecord) -> None:
        if not self.failed:
            self.failed = True
            error = sys.exc_info()[1]
            print(f"{self.baseFilename}: cannot write the log ({error}); the log goes on "
                  "on stderr only", file=sys.stderr)  # fmt: skip


def serve(args: argparse.Namespace, config: Config) -> int:
    from reportback.mail.home import at_home
    from reportback.web.app import serve as run_server

    at_home(config, what="takes no members in")  # its unsubscribes would reach no send (174)
    return run_server(config, args.host, args.port)


def preview(args: argparse.Namespace, config: Config) -> int:
    from reportback.commands.preview import serve as run_preview

    fixed: datetime | None = args.now
    return run_preview(args.config, args.host, args.port, lambda: fixed or now_of(args))


def status(args: argparse.Namespace, config: Config) -> int:
    from reportback.commands import status as report

    return emit(report.lines(config, now_of(args)))
