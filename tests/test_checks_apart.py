"""Every report checked once: the cache's misses shared with a forked child, the same result."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from reportback.build import check_all, pipeline
from reportback.config import load_config
from reportback.errors import InputRefused, Problem
from reportback.pandoc import json_ast

from .conftest import NOW, log_calls, report, second_thread

Project = Callable[[dict[str, str | bytes]], Path]
BODY = '## Item {n} {{clps="{clp}"}}\n\nzqpublic {n} words of the meeting, for {clp}.\n'
CLPS = ["barnsley-north", "barnsley-south", "no-such-clp", "bath", "nowhere-at-all", "leeds-east"]


def _reports() -> dict[str, str | bytes]:
    """Six reports, the third and fifth tagged with CLPs that do not exist."""
    return {
        f"reports/2016-09-{n:02d}-nec.md": report(BODY.format(n=n, clp=CLPS[n - 1]),
                                                   title=f"Meeting {n}",
                                                   meeting_date=f"2016-09-{n:02d}")
        for n in range(1, 7)
    }  # fmt: skip


def _survey(root: Path) -> tuple[list[tuple[str, str]], list[Problem]]:
    """Check the project's reports: what each one that passed holds, and every problem."""
    config = load_config(cwd=root)
    try:
        ready = pipeline.survey(config, pipeline.BuildOptions(now=datetime.fromisoformat(NOW)))
    except InputRefused as refused:
        return [], list(refused.problems)
    return [(c.source.slug, json_ast.stringify(c.ast["blocks"])) for c in ready.checked], []


def test_each_report_is_checked_once_half_in_a_child_with_the_same_problems(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(_reports())
    log = tmp_path / "parsed-by"
    log_calls(monkeypatch, check_all, "parse_body", log)
    forked, problems = _survey(root)
    by = log.read_text().split()
    assert len(by) == 6, "each report parsed once"
    assert by.count(str(os.getpid())) == 3, "half here, half in the child"
    assert forked == []
    assert [(p.path, p.line) for p in problems] == [
        ("reports/2016-09-03-nec.md", 7),
        ("reports/2016-09-05-nec.md", 7),
    ]  # in the reports' order, whichever process found them
    assert "no-such-clp" in problems[0].message and "nowhere-at-all" in problems[1].message

    shutil.rmtree(root / ".reportback")  # its cache: check every report again
    log.unlink()
    with second_thread():
        alone = _survey(root)
    assert log.read_text().split() == [str(os.getpid())] * 6, "all here, none forked"
    assert alone == (forked, problems)


def test_reports_checked_in_the_child_are_the_same_as_checked_here(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _reports()
    for n in (3, 5):  # every report passes
        name = f"reports/2016-09-{n:02d}-nec.md"
        files[name] = str(files[name]).replace(CLPS[n - 1], "bath")
    root = project(files)
    log = tmp_path / "parsed-by"
    log_calls(monkeypatch, check_all, "parse_body", log)
    forked, problems = _survey(root)
    assert problems == [] and len(forked) == 6
    assert log.read_text().split().count(str(os.getpid())) == 3
    assert [slug for slug, _ in forked] == [f"2016-09-{n:02d}-nec" for n in range(1, 7)]
    assert "zqpublic 4 words" in forked[3][1]

    log.unlink()
    with second_thread():
        again = _survey(root)  # from the cache: no report parsed again
    assert not log.exists()
    assert again == (forked, [])


def test_reports_a_failed_child_left_are_checked_here(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(_reports())
    here, real = os.getpid(), check_all.parse_body

    def failing_apart(*args: object, **kwargs: object) -> object:
        if os.getpid() != here:
            os._exit(9)  # the child dies mid-check, before it answers
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(check_all, "parse_body", failing_apart)
    checked, problems = _survey(root)
    assert checked == []
    assert [p.path for p in problems] == ["reports/2016-09-03-nec.md", "reports/2016-09-05-nec.md"]
    with second_thread():
        alone = _survey(root)
    assert alone == (checked, problems)
