"""Index the public site for search with Pagefind (its binary comes from PyPI's pagefind[bin]).

Pagefind runs on the staged site, after every page of it passed the leak audit and before it
is swapped in; what it writes is read back and each file is audited like any other output
(its gzip-compressed files decompressed) before it is staged as `site/pagefind/`.

The index is made in shards, one per year of reports and one for the record's pages, each
its own Pagefind index (`site/pagefind/<shard>/`); the search page searches the record's and
merges the others into it (Pagefind's `mergeIndex`). A shard whose pages are the same to the
byte is not indexed again: its index is kept in the state folder, by a key of its pages, so
a one-report edit indexes one year's pages, not all of them.
"""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from fnmatch import fnmatch
from pathlib import Path

from reportback import cache
from reportback.errors import ExternalFailure, InputRefused, problem
from reportback.timing import stage

FOLDER = "pagefind"
"""Where the index is published in the site."""
RECORD = "record"
"""The shard of the record's pages; the search page loads it first and merges the others."""
RECORD_PAGES = ("record/index.html", "votes/index.html")
"""The pages indexed besides each report's (the lists only repeat them)."""
KEPT = (
    "pagefind.js", "pagefind-worker.js", "pagefind-entry.json", "wasm.*.pagefind",
    "pagefind.*.pf_meta", "index/*.pf_index", "fragment/*.pf_fragment", "filter/*.pf_filter",
)  # fmt: skip
"""What the search page needs of what Pagefind writes (not its ready-made UIs)."""
COMMAND = ("--root-selector", "main", "--silent")


def executable() -> str:
    """Return the path of the Pagefind binary that pagefind[bin] installs."""
    try:
        from pagefind_bin import get_executable  # type: ignore[import-untyped]
    except ImportError as exc:
        raise ExternalFailure(
            "Pagefind is missing: install reportback's dependencies (pagefind[bin])"
        ) from exc
    return str(get_executable())


def shards(pages: Iterable[tuple[str, int]]) -> dict[str, tuple[str, ...]]:
    """Return the shards of the index: the record's first, then each year's report pages
    (given as the page's name and its report's meeting year), newest year first."""
    years: dict[str, list[str]] = {}
    for page, year in pages:
        years.setdefault(str(year), []).append(page)
    return {RECORD: RECORD_PAGES} | {y: tuple(years[y]) for y in sorted(years, reverse=True)}


class Indexing:
    """Pagefind indexing the shards whose pages are new, started now; `files()` waits for
    the index.

    Each shard is indexed from a tree of its own pages alone (linked from the staged site,
    at the same names), by a Pagefind of its own; they run beside whatever the build does
    next (Pagefind is a program of its own, on threads of its own); `close()` stops them if
    the build fails first.
    """

    def __init__(
        self,
        tree: Path,
        shards: Mapping[str, tuple[str, ...]],
        store: Path,
        keys: Mapping[str, str],
    ) -> None:
        self.store = store
        store.mkdir(parents=True, exist_ok=True)
        self.made: dict[str, Path] = {}
        """Each shard's index, by its key in the store: kept from an earlier build or made now."""
        self.running: dict[str, subprocess.Popen[str]] = {}
        if not (tree / RECORD_PAGES[0]).is_file():
            return  # a build refused before its pages were staged: nothing to index
        version = importlib.metadata.version("pagefind-bin")
        for shard, pages in shards.items():
            here = [p for p in pages if (tree / p).is_file()]
            if not here:
                continue
            key = cache.key("search", version, COMMAND, shard, *_named(tree, here, keys))
            self.made[shard] = store / f"{shard}-{key[:24]}"
            if not self.made[shard].is_dir():  # kept whole, or not at all (`_finish`)
                self._start(shard, tree, here)

    def _start(self, shard: str, tree: Path, pages: list[str]) -> None:
        work = self._work(shard)
        shutil.rmtree(work, ignore_errors=True)
        for page in pages:
            (work / "site" / page).parent.mkdir(parents=True, exist_ok=True)
            _link(tree / page, work / "site" / page)
        command = [executable(), "--site", str(work / "site"), "--output-path",
                   str(work / FOLDER), *COMMAND]  # fmt: skip
        try:
            self.running[shard] = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
            )
        except OSError as exc:
            self.close()
            raise ExternalFailure(f"Pagefind could not run: {exc}") from exc

    def _work(self, shard: str) -> Path:
        return self.made[shard].with_name(self.made[shard].name + ".partial")

    def files(self) -> list[tuple[str, str, Path]]:
        """Wait for the index; return its files (none if there was no page to index): each
        by its name under the site, a key naming its bytes (its shard's key, its name and
        its identity in the store), and where it is in the store."""
        try:
            with stage("search"):
                for shard in list(self.running):
                    self._finish(shard)
                files = []
                for shard, folder in self.made.items():
                    for path in sorted(folder.rglob("*")):
                        name = path.relative_to(folder).as_posix()
                        if path.is_file() and any(fnmatch(name, pattern) for pattern in KEPT):
                            status = path.stat()
                            identity = (
                                f"{status.st_dev} {status.st_ino} {status.st_size} "
                                f"{status.st_mtime_ns}"
                            )  # text: hashed without JSON
                            key = cache.key(folder.name, name, identity)
                            files.append((f"{FOLDER}/{shard}/{name}", key, path))
                self._prune()
        finally:
            self.close()
        return files

    def _finish(self, shard: str) -> None:
        """Wait for a shard's Pagefind; keep its index under its key."""
        proc = self.running.pop(shard)
        work = self._work(shard)
        try:
            try:
                _, err = proc.communicate(timeout=600)
            except subprocess.TimeoutExpired as exc:
                proc.kill()
                proc.wait()
                raise ExternalFailure(f"Pagefind could not run: {exc}") from exc
            if proc.returncode != 0:
                said = " ".join(err.strip().splitlines()[-3:])
                if "did not contain any html files" in said:  # what the template wrote
                    raise InputRefused(
                        [problem("templates/report.html", 1, "template error: the reports' "
                                 "pages are not HTML documents (no <html> element), so the "
                                 "search index (Pagefind) can read none of them")],
                        hint="fix the template, or delete it to use the default",
                    )  # fmt: skip
                raise ExternalFailure(f"Pagefind failed (exit {proc.returncode}): {said}")
            (work / FOLDER).rename(self.made[shard])  # whole, at once
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _prune(self) -> None:
        """Remove the indexes of pages this build no longer has."""
        kept = set(self.made.values())
        for path in self.store.iterdir():
            if path not in kept:
                shutil.rmtree(path, ignore_errors=True)

    def close(self) -> None:
        for shard, proc in list(self.running.items()):
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            shutil.rmtree(self._work(shard), ignore_errors=True)
        self.running = {}


def _named(tree: Path, pages: list[str], keys: Mapping[str, str]) -> list[str | bytes]:
    """Name each page by the key it was made from (`keys`: one names its bytes), or else by
    its bytes, read (a thousand reports' pages are 40 MB: not read only to name them)."""
    named: list[str | bytes] = []
    for page in pages:
        named += [page, keys[page] if page in keys else (tree / page).read_bytes()]
    return named


def _link(source: Path, target: Path) -> None:
    """Link `target` to the staged page (copy it if the state is on another file system)."""
    try:
        target.hardlink_to(source)
    except OSError:
        shutil.copyfile(source, target)
