"""A cold build audits its reports' PDFs in a forked child, beside the rest of the audit: the
child finds every leak the audit here would, and its verdicts are remembered alike."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from reportback.audit.leaks import Auditor, Found, Output, Verdicts
from reportback.build import audited
from reportback.errors import Leak

from .conftest import NOW, Result, report
from .test_build import leaky_redactor  # noqa: F401 (a fixture)

Cli = Callable[..., Result]
Project = Callable[[dict[str, str | bytes]], Path]
REPORTS = audited.BESIDE_FROM + 2


def reports(confidential: bool = False) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {}
    for n in range(REPORTS):
        day = f"2016-09-{n + 1:02d}"
        body = f"The NEC met on day {n + 1}.\n\nIt agreed the minutes.\n"
        if confidential and n == 3:
            body += "\n## Disputes {.confidential}\n\nThe panel expelled the member for abuse.\n"
        files[f"reports/{day}-nec.md"] = report(body, title=f"NEC {day}", meeting_date=day)
    return files


@pytest.fixture
def apart(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Note in a file the process each `checked_apart` ran in, and the outputs it checked."""
    noted = tmp_path / "apart.txt"
    real = Auditor.checked_apart

    def checked_apart(self: Auditor, outputs: Iterable[tuple[Output, str | None]]) -> Found:
        found = real(self, outputs)
        with noted.open("a") as note:
            note.write(f"{os.getpid()} {len(found.messages)}\n")
        return found

    monkeypatch.setattr(Auditor, "checked_apart", checked_apart)
    return noted


def test_a_cold_build_audits_its_pdfs_in_a_child_and_remembers_what_it_found(
    cli: Cli, project: Project, apart: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(reports(confidential=True))
    assert cli("build", "--now", NOW).code == 0
    assert apart.read_text().split() == [apart.read_text().split()[0], str(REPORTS)]
    assert int(apart.read_text().split()[0]) != os.getpid(), "the PDFs were audited here"
    pdfs = sorted(p.name for p in (root / "site").rglob("*.pdf"))
    assert len(pdfs) == REPORTS
    record = root / ".reportback" / "cache" / "audit" / "build.pickle"
    beside = _remembered(record)
    assert len(beside[2]) >= 2 * REPORTS, "each page and PDF keeps its verdicts by its key"

    # the same build, audited afresh all here: it remembers the very same verdicts
    for made in ("site", "feeds", ".reportback/published", ".reportback/cache/audit"):
        shutil.rmtree(root / made)
    apart.unlink()
    monkeypatch.setattr(audited, "BESIDE_FROM", 10**6)
    assert cli("build", "--now", NOW).code == 0
    assert not apart.exists(), "nothing was audited apart"
    assert _remembered(record) == beside
    assert sorted(p.name for p in (root / "site").rglob("*.pdf")) == pdfs

    # an edit: one PDF to audit, in line (too few to fork for); the rest are kept unread
    edited = root / "reports" / "2016-09-05-nec.md"
    edited.write_text(edited.read_text().replace("agreed the minutes", "agreed the budget"))
    monkeypatch.setattr(audited, "BESIDE_FROM", 10)
    assert cli("build", "--now", NOW).code == 0
    assert not apart.exists()
    assert b"agreed the budget" in (root / "site/reports/2016-09-05-nec/index.html").read_bytes()


def test_a_leak_in_a_pdf_audited_in_the_child_refuses_the_build(
    cli: Cli,
    project: Project,
    apart: Path,
    leaky_redactor: None,  # noqa: F811 (the fixture)
) -> None:
    root = project(reports(confidential=True))
    result = cli("build", "--now", NOW)
    assert result.code == 1
    assert int(apart.read_text().split()[0]) != os.getpid()
    assert (
        "2016-09-04-nec: confidential text 'the panel expelled the member for abuse' found in "
        "reports/2016-09-04-nec/2016-09-04-nec.pdf"
    ) in result.err
    assert result.err.strip().splitlines()[-1] == (
        "refused: leak audit failed; nothing was published"
    )
    assert not (root / "site").exists()


def _remembered(record: Path) -> tuple[object, ...]:
    verdicts = Verdicts(record)
    return verdicts.groups, verdicts.clean, verdicts.keyed


def test_where_forking_is_not_safe_the_pdfs_are_audited_in_line(
    cli: Cli, project: Project, apart: Path
) -> None:
    root = project(reports())
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # another thread: a fork could deadlock
    other.start()
    try:
        assert cli("build", "--now", NOW).code == 0
    finally:
        stop.set()
        other.join()
    assert not apart.exists()
    assert len(list((root / "site").rglob("*.pdf"))) == REPORTS


def test_a_pdf_changed_after_the_child_read_it_is_audited_again_here(
    cli: Cli, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A verdict holds for the bytes read: a PDF whose bytes in the cache are not those the
    child audited (changed since, by whatever means) is audited here before it is staged."""
    root = project(reports(confidential=True))
    cache = root / ".reportback" / "cache" / "pdf"
    checked_here: list[str] = []
    real_check, real_learn = Auditor.check, Auditor.learn

    def check(self: Auditor, output: Output, key: str | None = None) -> list[Leak]:
        checked_here.append(output.name)  # the child's list is its own
        return real_check(self, output, key)

    def learn(self: Auditor, found: Found) -> None:
        # after the child read them, before they are staged: each PDF takes the next one's bytes
        files = sorted(p for p in cache.rglob("*") if p.is_file())
        datas = [f.read_bytes() for f in files]
        for file, data in zip(files, datas[1:] + datas[:1], strict=True):
            file.write_bytes(data)
        real_learn(self, found)

    monkeypatch.setattr(Auditor, "check", check)
    monkeypatch.setattr(Auditor, "learn", learn)
    assert cli("build", "--now", NOW).code == 0
    pdfs_here = [name for name in checked_here if name.endswith(".pdf")]
    # the first PDF staged was read (as the child read it) before the verdicts were taken
    assert len(pdfs_here) == REPORTS - 1, "every changed PDF is audited here"
    now_cached = {p.read_bytes() for p in cache.rglob("*") if p.is_file()}
    assert all((root / "site" / name).read_bytes() in now_cached for name in pdfs_here)
