"""The exceptions reportback raises, each with the exit code the CLI turns it into."""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one input, at a line of a file."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        message = self.message
        for escaped, named in UNSEEN.items() if "\\" in message else ():
            message = message.replace(escaped, named)
        return f"{self.path}:{self.line}: {message}"


UNSEEN = {
    "\\xa0": "[no-break space]", "\\xad": "[soft hyphen]", "\\u200b": "[zero-width space]",
    "\\u200c": "[zero-width non-joiner]", "\\u200d": "[zero-width joiner]",
    "\\u2060": "[word joiner]", "\\ufeff": "[zero-width no-break space]",
}  # fmt: skip
"""Characters that show nothing, as a message quoting text (`repr`) writes them, and named:
`'{.confi\\xaddential}'` told the rep nothing of which to retype (honest user helper 171)."""


@dataclass(frozen=True)
class Leak:
    """What the leak audit found in one output: the message, `before` the output's name and
    `after` it (kept apart, so that alike leaks in many outputs can be shown together)."""

    output: str
    before: str
    after: str = ""

    def __str__(self) -> str:
        return f"{self.before}{self.output}{self.after}"

    @property
    def alike(self) -> tuple[str, str, str]:
        """The message with the output's name put as its folder: the same for each output
        of a folder holding the same leak (every CLP's feed)."""
        return (self.before, self.output.rpartition("/")[0] + "/…", self.after)


def shown_path(path: Path | str) -> str:
    """Return a path as messages show it: relative to the current folder where possible."""
    given = Path(path)  # a link is shown where it is, not where it points (or loops)
    full = given.parent.resolve() / given.name if given.name not in ("", "..") else given.resolve()
    try:
        return str(full.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def problem(path: Path | str, line: int, message: str) -> Problem:
    """Return a Problem at a line of a file (a Path is shown relative to the current folder)."""
    shown = shown_path(path) if isinstance(path, Path) else path
    return Problem(shown, max(line, 1), message)


class ImageRefused(ValueError):
    """An image that cannot be published; the message says why (its name is the caller's)."""


class ReportbackError(Exception):
    """Base of every error reportback reports to the user without a traceback."""

    exit_code = 1
    hint = ""

    def lines(self) -> list[str]:
        """Return the lines to print on stderr."""
        out = [str(self)]
        if self.hint:
            out.append(f"hint: {self.hint}")
        return out


PUBLISHED_NOTHING = "nothing was published"


def stopped(command: str, outcome: str) -> str:
    """Say what a command stopped at once (a second Ctrl-C) left: a send, what it recorded
    (adversary helper 80's was told "nothing was published"); others, their `outcome`."""
    if command == "digest send":
        return "what went was recorded; the next digest send sends the rest"
    return outcome if outcome.startswith("nothing") else PUBLISHED_NOTHING


class InputRefused(ReportbackError):
    """The input was refused: one or more problems, each naming a file and line."""

    exit_code = 1

    def __init__(
        self, problems: list[Problem], hint: str = "", outcome: str = PUBLISHED_NOTHING
    ) -> None:
        self.problems = sorted(set(problems))
        self.hint = hint
        self.outcome = outcome
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        out = [str(p) for p in self.problems] + [f"refused: {count} {noun}; {self.outcome}"]
        if self.hint:
            out.append(f"hint: {self.hint}")
        return out


class LeakFound(ReportbackError):
    """The leak audit found withheld text in an output of a lower audience."""

    exit_code = 1

    def __init__(self, leaks: list[Leak]) -> None:
        self.leaks = leaks
        super().__init__("\n".join(map(str, leaks)))

    def lines(self) -> list[str]:
        return [*_grouped(self.leaks), "refused: leak audit failed; nothing was published"]


SHOWN_ALIKE = 3
"""How many outputs a leak found alike in many is shown in (a report named in every CLP's
feed was 1,264 lines: an adversary helper's finding)."""


def _grouped(leaks: list[Leak]) -> list[str]:
    """Return the leaks, each found alike in many outputs of one folder (every CLP's feed)
    shown in the first few, and a line saying how many more."""
    alike: dict[tuple[str, str, str], list[Leak]] = {}
    for leak in leaks:
        alike.setdefault(leak.alike, []).append(leak)
    lines: list[str] = []
    for found in alike.values():
        lines += map(str, found[:SHOWN_ALIKE])
        if len(found) > SHOWN_ALIKE:
            lines.append(f"  … and {len(found) - SHOWN_ALIKE} more alike in that folder")
    return lines


class FolderMissing(ReportbackError):
    """A folder the command reads does not exist (there is no line to name)."""

    exit_code = 1

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


class UsageError(ReportbackError):
    """The command line was wrong."""

    exit_code = 2


class ExternalFailure(ReportbackError):
    """An external part (pandoc, Typst, SMTP) failed or is missing."""

    exit_code = 3


def undecodable(folder: Path) -> list[Problem]:
    """Refuse every file or folder under `folder` whose name is not UTF-8, shown with its bytes
    escaped (adversary helpers 115, 116: any stopped `check` and `build` with a traceback)."""
    found = []
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        try:
            path.name.encode("utf-8")
        except UnicodeEncodeError:
            name = os.fsencode(path.name).decode("utf-8", "backslashreplace")
            shown = os.fsencode(shown_path(path)).decode("utf-8", "backslashreplace")
            found.append(problem(shown, 1, f"the name '{name}' is not UTF-8 text (it was "
                                 "written in another encoding): rename it"))  # fmt: skip
    return found


def no_pipe(path: Path) -> None:
    """Refuse a path that is neither a file nor a folder: read, a pipe waits for ever
    (adversary helper 116: `--config FIFO`, `subscribers import FIFO`)."""
    if path.exists() and not path.is_file() and not path.is_dir():
        raise InputRefused([problem(path, 1, "not a file (a pipe, socket or device)")])


def text_of(path: Path, encoding: str = "utf-8-sig", advice: str = "") -> str:
    """Return a file's text; refuse one that is not UTF-8 at the line of its first bad byte
    (with `advice`, if given), and one that is not a file (`no_pipe`)."""
    no_pipe(path)
    try:
        return path.read_text(encoding=encoding)
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        said = f"not UTF-8 text: {advice}" if advice else "not UTF-8 text"
        raise InputRefused([problem(path, line, said)]) from exc


@contextmanager
def naming(path: Path, instead: Path | None = None) -> Iterator[None]:
    """Name `path` as where an OSError in the `with` body happened, if the system named no
    file (a full disk's write: "a file", stop 53) or named `instead` (its temporary copy)."""
    try:
        yield
    except OSError as exc:
        if exc.filename is None or (instead is not None and exc.filename == str(instead)):
            exc.filename = str(path)
        raise


def os_failure(exc: OSError | RuntimeError) -> str:
    """Say what the system refused, where, and what to do (a build leaves the published
    folders as they were until its swaps, which the next build finishes). Python 3.11's
    pathlib raises a symbolic link that leads back to itself as a RuntimeError (adversary
    helper 99: a traceback); any other RuntimeError is raised again."""
    if isinstance(exc, RuntimeError):
        looped = re.fullmatch(r"Symlink loop from '(.*)'", str(exc))
        if looped is None:
            raise exc
        exc = OSError(errno.ELOOP, "a symbolic link that leads back to itself", looped[1])
    where = shown_path(Path(exc.filename)) if exc.filename else "a file"
    advice = {
        errno.ENOSPC: "free some disk space",
        errno.EFBIG: "raise the file-size limit (ulimit -f)",
        errno.EXDEV: "site and feeds are swapped by rename: give each a folder on the same "
        "file system as its parent, not a mount point",
        errno.EBUSY: "site and feeds are swapped by rename: give each a folder, not a mount point",
        errno.EROFS: "the file system is read-only",
        errno.EACCES: "check the permissions",
        errno.ELOOP: "remove the link, or point it at a folder or file",
    }.get(exc.errno or 0, "check the disk and the permissions")
    return f"{where}: {exc.strerror or exc}; {advice}, then run the command again"


def line_of(text: str, section: str | None, key: str) -> int:
    """Return the line where `key` is set (inside [section] if given), or 1."""
    lines = text.splitlines()
    in_section = section is None
    for number, line in enumerate(lines, start=1):
        header = re.match(r"\s*\[\s*([^\]]+?)\s*\]", line)
        if header:
            if header.group(1) == (key if section is None else f"{section}.{key}"):
                return number  # a section, or a table inside one (`[site.extra]`)
            in_section = section is not None and header.group(1) == section
            continue
        if in_section and re.match(rf"\s*[\"']?{re.escape(key)}[\"']?\s*=", line):
            return number
    return 1
