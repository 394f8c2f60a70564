"""Index the public site for search with Pagefind (its binary comes from PyPI's pagefind[bin]).

Pagefind runs on the staged site, after every page of it passed the leak audit and before it
is swapped in; what it writes is read back and each file is audited like any other output
(its gzip-compressed files decompressed) before it is staged as `site/pagefind/`.
"""

from __future__ import annotations

import shutil
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


def index(tree: Path) -> dict[str, bytes]:
    """Index the HTML under `tree`; return the index's files by name under the site (none if
    the tree has no page to index: a build refused before its pages were staged)."""
    if not any(any(tree.glob(g)) for g in PAGES.strip("{}").split(",")):
        return {}
    with stage("search"), tempfile.TemporaryDirectory(prefix="reportback-search-") as work:
        out = Path(work) / FOLDER
        command = [
            executable(), "--site", str(tree), "--output-path", str(out), "--glob", PAGES,
            "--root-selector", "main", "--silent",
        ]  # fmt: skip
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ExternalFailure(f"Pagefind could not run: {exc}") from exc
        if done.returncode != 0:
            said = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise ExternalFailure(f"Pagefind failed: {' '.join(said)}")
        files = {}
        for path in sorted(out.rglob("*")):
            name = path.relative_to(out).as_posix()
            if path.is_file() and any(fnmatch(name, pattern) for pattern in KEPT):
                files[f"{FOLDER}/{name}"] = path.read_bytes()
        shutil.rmtree(out, ignore_errors=True)
    return files
