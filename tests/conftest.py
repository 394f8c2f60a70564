"""Fixtures: projects built from a dict of files, and the CLI run in-process.

No test may depend on today's date: pin "now" (`--now NOW`, `time_machine`) or compute dates
from the real clock; the suite is run with the clock a year ahead to prove it
(`REPORTBACK_TEST_DAYS_AHEAD=400 python -m pytest`). See tests/README.md for this and the
other rules of a test here.
"""

from __future__ import annotations

import gzip
import io
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pypdf
import pytest
import yaml

from reportback.cli import main
from reportback.clps import DIRECTORY_VARIABLE

NOW = "2026-11-22T12:00:00+00:00"
SHIFT = "REPORTBACK_TEST_DAYS_AHEAD"
"""Run the suite with this process's clock moved this many days ahead (proof that no test
depends on today's date): `REPORTBACK_TEST_DAYS_AHEAD=400 python -m pytest`."""


SLICE = Path(__file__).parent / "clps_slice.csv"
"""30 of the 632 CLPs (two or more a region, and every one a test or a sample names), the
directory of every test not marked `all_clps`: a build of all 632 writes ~2,000 files, and
the suite took half an hour. Set through REPORTBACK_CLPS, so that the processes a test
starts read it too."""


@pytest.fixture(autouse=True)
def _clp_slice(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Give the test the slice of CLPs, or, marked `all_clps`, the bundled 632."""
    if request.node.get_closest_marker("all_clps"):
        monkeypatch.delenv(DIRECTORY_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(DIRECTORY_VARIABLE, str(SLICE))


@pytest.fixture(autouse=True)
def _days_ahead(request: pytest.FixtureRequest) -> Iterator[None]:
    """Move the clock ahead for the whole test when REPORTBACK_TEST_DAYS_AHEAD is set.

    Only this process's clock moves: a test marked `real_clock` shares its clock with
    processes of its own (the daemon, `serve`), which read the real one, so it is left on the
    real clock (its dates are computed from that clock, as the rule asks).
    """
    days = int(os.environ.get(SHIFT, "0") or 0)
    if not days or request.node.get_closest_marker("real_clock"):
        yield
        return
    import time_machine

    with time_machine.travel(datetime.now(UTC) + timedelta(days=days), tick=True):
        yield


def report(body: str = "Public text.\n", **meta: object) -> str:
    """Return a report file's text: front matter from `meta` (with required defaults), body."""
    values: dict[str, object] = {
        "title": "A test report",
        "meeting": "National Executive Committee",
        "meeting_date": "2016-09-20",
    }
    values.update(meta)
    head = yaml.safe_dump(values, sort_keys=False, allow_unicode=True)
    return f"---\n{head}---\n\n{body}"


@dataclass
class Result:
    code: int
    out: str
    err: str


Files = dict[str, str | bytes]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[Files], Path]:
    """Return a function that writes `files` into a fresh project folder and enters it."""

    def make(files: Files) -> Path:
        for name, content in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        (tmp_path / "reports").mkdir(exist_ok=True)
        monkeypatch.chdir(tmp_path)
        return tmp_path

    return make


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run `reportback ARGS` in-process; return its exit code and output."""

    def run(*args: str) -> Result:
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse exits on usage errors and --help
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def pdf_text(path: Path) -> str:
    """Return a PDF's text and its document properties, as a reader could see them."""
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    props = "\n".join(f"{k}={v}" for k, v in (reader.metadata or {}).items())
    return text + "\n" + props


def site_text(root: Path) -> Iterator[tuple[Path, str]]:
    """Yield every output file under `root` with the text a reader could get from it."""
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix == ".pdf":
            yield path, pdf_text(path)
        elif path.suffix in (".html", ".xml", ".atom", ".opml", ".css", ".js", ".json", ".csv"):
            yield path, path.read_text(encoding="utf-8")
        elif path.suffix in (".pf_fragment", ".pf_index", ".pf_meta", ".pf_filter"):
            yield path, gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        else:
            yield path, path.name


def inodes(root: Path) -> dict[Path, int]:
    """Return each output file's inode: a file rewritten by a build gets a new one."""
    return {p: p.stat().st_ino for p in root.rglob("*") if p.is_file()}


def rewritten(root: Path, before: dict[Path, int]) -> list[str]:
    """Return the files under `root` whose inode changed since `before`."""
    return sorted(p.relative_to(root).as_posix() for p, i in before.items() if p.stat().st_ino != i)


def everything(root: Path) -> str:
    """Return all text of all outputs under `root`, file names included."""
    return "\n".join(f"{p.relative_to(root)}\n{t}" for p, t in site_text(root))


def log_calls(monkeypatch: pytest.MonkeyPatch, owner: object, name: str, log: Path) -> None:
    """Wrap `owner.name` so that each call, in this process or a forked child, appends the
    calling process's id to `log` (read it with `log.read_text().split()`)."""
    real = getattr(owner, name)

    def logged(*args: object, **kwargs: object) -> object:
        with log.open("a") as out:
            out.write(f"{os.getpid()}\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, logged)


@contextmanager
def second_thread() -> Iterator[None]:
    """A second thread while the block runs: forking is not safe, so nothing is forked."""
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        yield
    finally:
        stop.set()
        other.join()
