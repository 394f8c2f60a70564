"""The benchmark's corpus is deterministic, realistic in shape, and valid reportback input."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from bench.corpus import Corpus, write_reports, write_subscribers

from .conftest import Result

Cli = Callable[..., Result]
Project = Callable[[dict[str, str | bytes]], Path]


def test_corpus_is_deterministic_and_shaped_like_real_reports(tmp_path: Path) -> None:
    first = write_reports(Corpus(30, 0, seed=7), tmp_path / "a")
    again = write_reports(Corpus(30, 0, seed=7), tmp_path / "b")
    other = write_reports(Corpus(30, 0, seed=8), tmp_path / "c")
    texts = [p.read_text() for p in first]
    assert texts == [p.read_text() for p in again]
    assert texts != [p.read_text() for p in other]
    words = [len(re.findall(r"\w+", t)) for t in texts]
    assert 1300 <= sum(words) / len(words) <= 1800
    items = [len(re.findall(r"^## ", t, re.M)) for t in texts]
    assert min(items) >= 8 and max(items) <= 15
    confidential = sum(len(re.findall(r"^## .*\.confidential", t, re.M)) for t in texts)
    assert 0.04 <= confidential / sum(items) <= 0.2
    joined = "\n".join(texts)
    for construct in ("::: members", "]{.confidential}", "]{.members}", "[^n", "|---|", "clps="):
        assert construct in joined, construct


def test_corpus_reports_pass_the_checks_and_build(cli: Cli, project: Project) -> None:
    root = project({})
    write_reports(Corpus(6, 0), root / "reports")
    result = cli("build")
    assert result.code == 0, result.err
    assert len(list((root / "site/reports").glob("*/*.pdf"))) == 6
    page = next((root / "site/reports").glob("*/index.html")).read_text()
    assert "zq" not in page.lower()  # withheld words never reach the public site


@pytest.mark.all_clps
def test_subscribers_spread_across_clps_and_cadences(tmp_path: Path) -> None:
    path = write_subscribers(Corpus(0, 3000), tmp_path / "members.csv")
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == 3000 and len({r["email"] for r in rows}) == 3000
    assert len({r["clp"] for r in rows}) > 500
    assert {r["cadence"] for r in rows} == {"immediate", "weekly", "monthly"}
