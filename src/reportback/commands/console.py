"""What the commands share: the time a command acts at, printing lines for a reader, where a
command may write its output, and the settings checked before any command runs."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from reportback.config import PUBLISHED, Config
from reportback.errors import InputRefused, UsageError


def now_of(args: argparse.Namespace) -> datetime:
    """Return the time the command acts at: its --now, or now (to the second, local offset)."""
    given: datetime | None = getattr(args, "now", None)
    try:
        return given or datetime.now().astimezone().replace(microsecond=0)
    except ValueError:  # a TZ of a day or more (`UTC+24`): no offset (adversary helper 116)
        return datetime.now(UTC).replace(microsecond=0)


def emit(lines: Iterable[str]) -> int:
    """Print `lines` to stdout; a reader that stops early (`| head`) ends it quietly."""
    try:
        for line in lines:
            print(line)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader has all it wanted: nothing more is written
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def output_path(config: Config, path: Path, option: str) -> Path:
    """Return `path` (a command's output) if it is apart from the published folders and from
    what a build reads; refuse it otherwise: what is written in site or feeds is served,
    though no audit has read it (held-out round 22: `digest preview --out site/preview` put
    the members' digest on the site); in the reports or templates, or over the settings or
    the register, the next build reads it (adversary helper 130)."""
    where = path.resolve()
    for name in (*PUBLISHED, "reports", "templates"):
        if not where.is_relative_to(config.path(name).resolve()):
            continue
        if name in PUBLISHED:
            raise UsageError(
                f"{option} {path} is inside the published {name} folder: "
                "everything there is served; write it outside site and feeds"
            )
        raise UsageError(f"{option} {path} is inside the {name} folder, which every build "
                         "reads: write it elsewhere")  # fmt: skip
    if where in {p.resolve() for p in (config.root / "meetings.yaml", config.file) if p}:
        raise UsageError(f"{option} {path} is a file every build reads: name another")
    state = config.path("state").resolve()
    if where.is_relative_to(state) and (where.parent != state or where.suffix != ".log"):
        raise UsageError(  # appended to (adversary helper 134), in its cache (139)
            f"{option} {path} is in the state folder (its secret, database, caches…), where "
            "only a log of its own (NAME.log) may go: name another"
        )
    return path


def with_options(config: Config, preview: bool = False, **options: str | None) -> Config:
    """Return `config` with the paths the command-line `options` give (None: not given),
    each read from the current folder (not `--config`'s: adversary helper 139), and, for a
    `preview`, its site and feeds in the state folder where no option names others; settings
    refused for them are the options' doing (they were blamed on reportback.toml:1)."""
    given = {k: v for k, v in options.items() if v is not None}
    here = Path.cwd()
    moved = config.root.resolve() != here.resolve()
    paths = {k: str(here / v) if moved else v for k, v in given.items()}
    if preview:  # never into the published folders
        paths = {k: str(config.path("state") / "preview" / k) for k in PUBLISHED} | paths
    try:
        return config.with_paths(**paths)
    except InputRefused as refused:
        named = " ".join(f"--{k} {v}" for k, v in given.items()) or "--drafts"
        raise UsageError("\n".join(f"{named}: {p.message}" for p in refused.problems)) from None


def settings_checked(config: Config) -> Config:
    """Return `config` once the settings only a file can tell are checked: the DKIM key
    (adversary helper 130: a public key was a traceback at the first send); refuse them
    otherwise, at their lines."""
    from reportback.mail import dkim  # reads the key file, if one is set

    dkim.refuse_problems(config)
    return config
