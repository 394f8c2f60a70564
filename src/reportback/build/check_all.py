"""Load, parse (with pandoc, cached by content) and check every report, fail-closed."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

from tqdm import tqdm

from reportback import cache as cachemod
from reportback.build.fork import in_child, shared, tick
from reportback.cache import Cache
from reportback.checking import links
from reportback.checking.across import named_across
from reportback.checking.files import find_reports, unread
from reportback.checking.front_matter import load_report
from reportback.checking.regions import Regions
from reportback.checking.rules import BodyChecker
from reportback.checking.source_reader import (
    SOURCE_READER,
    for_source_reader,
    regions,
    spaced,
)
from reportback.checking.spelled import Naming
from reportback.clps import Directory
from reportback.config import Config
from reportback.errors import (
    ExternalFailure,
    FolderMissing,
    InputRefused,
    Problem,
    shown_path,
    undecodable,
)
from reportback.model import Ast, Checked, Document, Source, given
from reportback.pandoc import json_ast, worker
from reportback.pandoc.worker import READER, Pandoc, Pandocs, TooSlow, Warning_
from reportback.record import register


@dataclass(frozen=True)
class Parsed:
    ast: Ast
    warnings: list[Warning_]
    regions: Regions
    """Where each word of the body was written (public, members, confidential)."""
    later: Document
    """The same document, to keep: read back from the cache when asked for, if cached."""


PANDOC = version("pypandoc-binary")
Outcome = tuple[Checked | None, list[Problem], tuple[Source, Naming] | None]
"""A report checked, or its problems, and then its names (which the others must not hold)."""
"""The pandoc that parses: a parse (and all made from it) is made again when it changes."""


def parse_key(source: Source) -> str:
    return cachemod.key("parse", "pickle", PANDOC, READER, SOURCE_READER, source.body)


def read_body(body: str, pandoc: Pandoc) -> tuple[Ast, list[Warning_], Regions]:
    """Parse a body (`spaced`) with pandoc's Markdown reader, and find where each word was
    written."""
    body = spaced(body)
    ast, warnings = pandoc.parse(body)
    positions = pandoc.parse(for_source_reader(body), SOURCE_READER, unwrap=True)[0]
    return ast, warnings, regions(body, positions)


def parse_body(source: Source, pandoc: Pandoc, cache: Cache | None) -> Parsed:
    """Parse a body and its definition locations, reusing a cached result for the same text."""
    name = parse_key(source)
    stored = _stored_parse(cache, name) if cache else None
    if stored is None:  # none, or damaged: parse again
        ast, warnings, written = read_body(source.body, pandoc)
        stored = {
            "ast": ast,
            "warnings": [[w.line, w.message, w.kind] for w in warnings],
            "regions": written.stored(),
        }
        if cache:
            cache.put_pickle("parse", name, stored)
    later = Document(stored["ast"]) if cache is None else Document(load=partial(_ast, cache, name))
    return Parsed(
        stored["ast"],
        [Warning_(*w) for w in stored["warnings"]],
        Regions.restored(spaced(source.body), stored["regions"]),
        later,
    )


def _stored_parse(cache: Cache, name: str) -> dict[str, Any] | None:
    """Return a parse as `parse_body` stored it; None if it is not there or not one."""
    stored = cache.get_pickle("parse", name)
    if isinstance(stored, dict) and stored.keys() == {"ast", "warnings", "regions"}:
        return stored
    return None


def _ast(cache: Cache, name: str) -> Ast:
    stored = _stored_parse(cache, name)
    if stored is None:
        raise ExternalFailure(f"the parse cache lost an entry, or holds a damaged one: {name}")
    ast: Ast = stored["ast"]
    return ast


def check_project(
    config: Config,
    directory: Directory,
    show_progress: bool,
    held: dict[str, list[Problem]] | None = None,
) -> list[Checked]:
    """Check every report (`load_and_check`) and the meetings register; raise the problems
    of both at once (a report's own problems go to `held`, if given, by file name)."""
    problems = []
    cache = Cache(config.path("state") / "cache")
    try:
        register.load(config.root, cache)
    except InputRefused as exc:
        problems = exc.problems
    reports, raw_html = config.path("reports"), config.redaction.allow_raw_html
    try:
        done = load_and_check(reports, directory, cache, raw_html, show_progress, held)
    except InputRefused as exc:
        if not problems:
            raise
        raise InputRefused(problems + exc.problems, exc.hint, exc.outcome) from None
    if problems:
        raise InputRefused(problems)
    return done


def load_and_check(
    reports: Path,
    directory: Directory,
    cache: Cache | None,
    raw_html: bool,
    show_progress: bool = False,
    held: dict[str, list[Problem]] | None = None,
) -> list[Checked]:
    """Load, parse and check every report; raise once with every problem in every report
    (or, given `held`, leave each report with problems out, its problems there by its name).

    A report the cache holds as passed with the same inputs is not checked again; the rest
    are checked on pandoc workers, shared with a forked child (`fork.shared`).
    """
    if not reports.is_dir():
        raise FolderMissing(
            f"no reports folder: {shown_path(reports)}"
            + (" is a file, not a folder" if reports.exists() else "/ does not exist"),
            hint="run `reportback init` to start a project here, or pass --reports DIR",
        )
    problems: list[Problem] = []
    checked: list[Checked] = []
    context = _context(reports, directory, raw_html)

    def passed(path: Path) -> Outcome | None:
        digest = _digest(path)
        earlier = _passed_before(cache, _check_key(digest, path, context)) if digest else None
        return None if earlier is None else (earlier, [], None)

    def check_one(pandoc: Pandoc, path: Path) -> Outcome:
        shown = shown_path(path)
        loaded, found = load_report(path, directory, shown)
        if loaded is None:
            return None, found, None
        checker = BodyChecker(loaded, shown, directory, reports, raw_html, cache)
        if checker.refused_before_parsing():
            return None, found + checker.problems, None
        try:
            parsed = parse_body(loaded, pandoc, cache)
            found += checker.run(parsed.ast, parsed.warnings, parsed.regions)
        except RecursionError:
            checker.at(1, "nested too deeply to read (lists, quotes, brackets…); flatten it")
            return None, found + checker.problems, None
        except TooSlow:
            checker.at(1, f"pandoc could not read this report in {worker.TIMEOUT:.0f} s; "
                          "something in it makes its reader slow (many < or & or ` that "
                          "nothing closes, deep nesting): simplify it")  # fmt: skip
            return None, found + checker.problems, None
        if found:  # its names still count for the others (helpers 169, 170: told one by one)
            return None, found, (loaded, checker.anchors.naming)
        notes = tuple(checker.warnings)
        marks = json_ast.count_marks(parsed.ast["blocks"])
        kept = parsed.regions.without_wording()  # the words were for the rules: done with
        if cache is None:  # not a lambda: the check's child sends it back pickled
            written: Callable[[], Regions] = partial(given, kept)
        else:  # named by the bytes loaded, should the file have changed since
            name = _check_key(loaded.sha256, path, context)
            cache.put_pickle("regions", name, kept)  # apart: an unchanged report never reads it
            record = (loaded, checker.images, parse_key(loaded), notes, marks, checker.anchors)
            cache.put_pickle("checked", name, record)
            written = partial(_regions, cache, name)  # read when redacted: neither held nor sent
        return (
            Checked(loaded, parsed.later, checker.images, written, notes, marks, checker.anchors),
            found,
            None,
        )

    def check_some(paths: Sequence[Path]) -> Iterable[Outcome]:
        with Pandocs() as pandocs:
            return list(progress(pandocs.map(check_one, paths), show_progress, "checking",
                                 len(paths)))  # fmt: skip

    if bad := undecodable(reports):  # before a name is read as text
        raise InputRefused(bad)
    files = find_reports(reports)
    earlier = {path: passed(path) for path in files}
    missing = [path for path in files if earlier[path] is None]
    made = dict(zip(missing, shared(missing, check_some, "checking"), strict=True))
    failed: list[tuple[Source, Naming]] = []
    for path in files:
        one, found, named = earlier[path] or made[path]
        failed += [named] if named is not None else []
        if found and held is not None:
            held[path.stem] = found
            continue
        checked += [one] if one is not None else []
        problems += found
    across = _duplicates(checked) + unread(reports)
    across += links.across([(c.source, c.anchors) for c in checked if c.anchors])
    across += named_across([(c.source, c.anchors.naming) for c in checked if c.anchors] + failed)
    if held is not None and across:  # each file named is left out, the rest go on
        hold(held, across)
        checked = [c for c in checked if c.source.slug not in held]
        across = []
    problems += across
    if problems:
        raise InputRefused(problems)
    return checked


def hold(held: dict[str, list[Problem]], problems: Iterable[Problem]) -> None:
    """Put each problem in `held` under the name of the report it names (its file's stem)."""
    for found in problems:
        held.setdefault(Path(found.path).stem, []).append(found)


def _context(reports: Path, directory: Directory, raw_html: bool) -> str:
    """Name everything but the report itself that its checks depend on.

    That is the CLP directory, the settings, and every other file in the reports folder (its
    images, by size, modification time and, for a link, where it points).
    """
    files = sorted(
        (p.relative_to(reports).as_posix(), p.stat().st_size, p.stat().st_mtime_ns,
         str(p.readlink()) if p.is_symlink() else "")
        for p in reports.rglob("*")
        if p.is_file() and p.suffix != ".md"
    )  # fmt: skip
    clps = [asdict(c) for c in directory.clps]
    return cachemod.key("context", str(reports.resolve()), clps, raw_html, files)


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None  # loading it says why


def _check_key(digest: str, path: Path, context: str) -> str:
    """Name a report's check by its bytes, its path and what else it depends on (`context`)."""
    return cachemod.key("checked", digest, str(path), context)


def _passed_before(cache: Cache | None, name: str) -> Checked | None:
    """Return the report as loaded and checked before, if it passed with exactly these inputs.

    Its front matter is not read again: the record holds the report as loaded.
    """
    stored = cache.get_pickle("checked", name) if cache is not None else None
    if cache is None or not (isinstance(stored, tuple) and len(stored) == 6):
        return None  # none, or unreadable: check the report again
    source, images, parsed, notes, marks, anchors = stored
    if not (cache.has("parse", parsed) and cache.has("regions", name)):
        return None
    ast = Document(load=partial(_ast, cache, parsed))
    return Checked(source, ast, images, partial(_regions, cache, name), notes, marks, anchors)


def _regions(cache: Cache, name: str) -> Regions:
    """Read back where each word of a checked report was written; missing or damaged (it
    is read late in the build), the build stops with a clear error and publishes nothing."""
    stored = cache.get_pickle("regions", name)
    if not isinstance(stored, Regions):
        raise ExternalFailure(
            f"the check cache lost an entry, or holds a damaged one: {name}; delete "
            ".reportback/cache and build again"
        )
    return stored


def _duplicates(checked: list[Checked]) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, Path] = {}
    ids: dict[str, Path] = {}
    for item in checked:
        source = item.source
        if source.slug in seen:
            message = (
                f"another report has the same file name (slug {source.slug!r}): {seen[source.slug]}"
            )
            problems.append(Problem(shown_path(source.path), 1, message))
        seen[source.slug] = source.path
        if source.meta.id:
            if source.meta.id in ids:
                message = f"id {source.meta.id!r} is also used by {shown_path(ids[source.meta.id])}"
                problems.append(Problem(shown_path(source.path), 1, message))
            ids[source.meta.id] = source.path
    named = {c.source.slug: c.source.path for c in checked if not c.source.meta.id}
    for item in checked:  # an id given that is another report's own, made from its name
        given = item.source.meta.id
        if given and given in named and named[given] != item.source.path:
            message = f"id {given!r} is the id of {shown_path(named[given])}, made from its name"
            problems.append(Problem(shown_path(item.source.path), 1, message))
    return problems


T = TypeVar("T")
tqdm.monitor_interval = 0
"""No bar of reportback's starts tqdm's monitor thread: a build forks, and forks only alone."""


def progress(items: Iterable[T], enabled: bool, what: str, total: int | None = None) -> Iterable[T]:
    """Iterate `items`, with a progress bar on stderr when asked and there are more than a few
    (none in a forked child: its parent's bar is the build's)."""
    count = total if total is not None else len(items) if isinstance(items, list) else 0
    if in_child():  # a forked child's bar would garble its parent's: it may tell it instead
        return _ticked(items)
    if not enabled or count < 5:
        return items
    return tqdm(items, desc=what, unit="report", total=count, leave=False)


def _ticked(items: Iterable[T]) -> Iterator[T]:
    for item in items:
        yield item
        tick()
