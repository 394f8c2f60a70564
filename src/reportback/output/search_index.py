"""Index the public site for search with Pagefind (its binary comes from PyPI's pagefind[bin]).

Pagefind runs on the staged site, after every page of it passed the leak audit and before it
is swapped in; what it writes is read back and each file is audited like any other output
(its gzip-compressed files decompressed) before it is staged as `site/pagefind/`.
"""

from __future__ import annotations

import subprocess
import tempfile
from fnmatch import fnmatch
from pathlib import Path

from reportback.errors import ExternalFailure
from reportback.timing import stage

FOLDER = "pagefind"
"""Where the index is published in the site."""
PAGES = "{reports/*/index.html,record/index.html,votes/index.html}"
"""The pages indexed: each report, the record and the votes (the lists only repeat them)."""
KEPT = (
    "pagefind.js", "pagefind-worker.js", "pagefind-entry.json", "wasm.*.pagefind",
    "pagefind.*.pf_meta", "index/*.pf_index", "fragment/*.pf_fragment", "filter/*.pf_filter",
)  # fmt: skip
"""What the search page needs of what Pagefind writes (not its ready-made UIs)."""


def executable() -> str:
    """Return the path of the Pagefind binary that pagefind[bin] installs."""
    try:
        from pagefind_bin import get_executable  # type: ignore[import-untyped]
    except ImportError as exc:
        raise ExternalFailure(
            "Pagefind is missing: install reportback's dependencies (pagefind[bin])"
        ) from exc
    return str(get_executable())


class Indexing:
    """Pagefind indexing the HTML under a tree, started now; `files()` waits for the index.

    It runs beside whatever the build does next (Pagefind is a program of its own, on
    threads of its own); `close()` stops it if the build fails first.
    """

    def __init__(self, tree: Path) -> None:
        self.work: tempfile.TemporaryDirectory[str] | None = None
        self.proc: subprocess.Popen[str] | None = None
        if not any(any(tree.glob(g)) for g in PAGES.strip("{}").split(",")):
            return  # a build refused before its pages were staged: nothing to index
        self.work = tempfile.TemporaryDirectory(prefix="reportback-search-")
        self.out = Path(self.work.name) / FOLDER
        command = [
            executable(), "--site", str(tree), "--output-path", str(self.out), "--glob", PAGES,
            "--root-selector", "main", "--silent",
        ]  # fmt: skip
        try:
            self.proc = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
        except OSError as exc:
            self.close()
            raise ExternalFailure(f"Pagefind could not run: {exc}") from exc

    def files(self) -> dict[str, bytes]:
        """Wait for the index; return its files by name under the site (none if there was
        no page to index)."""
        if self.proc is None or self.work is None:
            return {}
        try:
            with stage("search"):
                try:
                    out, err = self.proc.communicate(timeout=600)
                except subprocess.TimeoutExpired as exc:
                    raise ExternalFailure(f"Pagefind could not run: {exc}") from exc
                if self.proc.returncode != 0:
                    said = (err or out).strip().splitlines()[-3:]
                    raise ExternalFailure(f"Pagefind failed: {' '.join(said)}")
                files = {}
                for path in sorted(self.out.rglob("*")):
                    name = path.relative_to(self.out).as_posix()
                    if path.is_file() and any(fnmatch(name, pattern) for pattern in KEPT):
                        files[f"{FOLDER}/{name}"] = path.read_bytes()
        finally:
            self.close()
        return files

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
        if self.work is not None:
            self.work.cleanup()
            self.work = None
