"""The withheld runs the audit searches for: public text drops a run, kept in step by a record."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from reportback.audit import leaks
from reportback.audit.leaks import Auditor, Output, PdfText, Verdicts
from reportback.audit.search import Withheld
from reportback.audit.withheld import public_runs
from reportback.model import Audience, Fragment, Withholding
from reportback.pandoc import json_ast

from .conftest import NOW, Result, report

held = Withholding.held


def _fragments(*texts: str) -> tuple[Fragment, ...]:
    return tuple(Fragment(Audience.CONFIDENTIAL, tuple(t.split()), t) for t in texts)


def _kept(reports: dict[str, Withholding], record: Path | None) -> set[tuple[str, str]]:
    return {(w.report, w.fragment.text) for w in public_runs(reports, record).all()}


def test_a_record_kept_in_step_gives_what_searching_everything_gives(tmp_path: Path) -> None:
    record = tmp_path
    reports = {
        "a": held("a1", _fragments("the panel expelled the member", "budget cut by half"),
                  ("The meeting opened.",)),
        "b": held("b1", _fragments("a secret ballot on the leader"), ("Fish and chips.",)),
    }  # fmt: skip
    steps = [
        ({}, {("a", "the panel expelled the member"), ("a", "budget cut by half"),
              ("b", "a secret ballot on the leader")}),
        # b's public text now holds one of a's runs: dropped
        ({"b": held("b2", reports["b"].fragments,
                           ("We heard the panel expelled the member today.",))},
         {("a", "budget cut by half"), ("b", "a secret ballot on the leader")}),
        # and a's own public text holds one of its runs too
        ({"a": held("a2", reports["a"].fragments, ("Our budget cut by half hurts.",))},
         {("b", "a secret ballot on the leader")}),
        # b's text back as it was: a's run is searched for again
        ({"b": reports["b"]}, {("a", "the panel expelled the member"),
                               ("b", "a secret ballot on the leader")}),
        # a run of b changes: everything is searched again
        ({"b": held("b3", _fragments("a secret ballot"), ("Fish and chips.",))},
         {("a", "the panel expelled the member"), ("b", "a secret ballot")}),
    ]  # fmt: skip
    for change, expected in steps:
        reports |= change
        assert _kept(reports, record) == expected
        assert _kept(reports, None) == expected  # no record: all public text searched


def test_a_report_whose_runs_were_public_and_are_not_now_is_audited_afresh(tmp_path: Path) -> None:
    record, verdicts = tmp_path, tmp_path / "verdicts.pickle"
    page = Output("other.html", b"<p>Rumour: the panel expelled the member.</p>", Audience.PUBLIC)
    secret = _fragments("the panel expelled the member")
    public = ("As reported, the panel expelled the member.",)
    reports = {"a": held("a1", secret, public)}

    def leaks() -> list[str]:
        runs = public_runs(reports, record)
        found = Auditor(runs, PdfText(None), verdicts=Verdicts(verdicts)).check_all([page])
        return [str(leak) for leak in found]

    assert leaks() == []  # the run is public text of the report itself: no evidence
    reports = {"a": held("a2", secret, ("Nothing said.",))}
    assert leaks() == ["a: confidential text 'the panel expelled the member' found in other.html"]


def test_an_edit_keeps_what_the_audit_knew_of_other_reports_own_outputs(
    project: Callable[[dict[str, str | bytes]], Path],
    cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A report's own page and PDF are searched for its runs ignoring spacing; an edit to
    another report kept them unread and forgot that they were clean, so the next change to
    any withheld text searched every report's own outputs again (1.2 s of a 10 s build of
    the bench's 1,000 reports)."""
    body = "Public {n}.\n\n## Held {{.confidential}}\n\nzqsecret words of {n} the panel heard.\n"
    project({f"reports/{n}.md": report(body.format(n=n)) for n in ("a", "b")})
    assert cli("build", "--now", NOW).code == 0
    path = Path("reports/a.md")
    path.write_text(path.read_text().replace("Public a.", "Public a, edited."))
    assert cli("build", "--now", NOW).code == 0
    searched: list[str] = []
    real = leaks.squeezed_hits

    def counted(texts: list[str], own: list[Withheld], audience: Audience) -> set[Withheld]:
        searched.extend({w.report for w in own})
        return real(texts, own, audience)

    monkeypatch.setattr(leaks, "squeezed_hits", counted)
    path.write_text(path.read_text().replace("the panel heard", "the panel heard at length"))
    assert cli("build", "--now", NOW).code == 0
    assert searched and set(searched) == {"a"}, searched


def test_a_text_looked_through_first_finds_every_run_splitting_it_finds() -> None:
    """A search for few runs first looks a text through for one word of each run; it must
    find what splitting every text into words finds: folded for case and NFKC, in markup."""
    from reportback.audit.search import Search, ngram_hits

    def run(text: str, report: str, order: int) -> Withheld:
        words = json_ast.words(text)
        return Withheld(report, Fragment(Audience.CONFIDENTIAL, words, text), order)

    runs = [run("Jo Zqsmith", "a", 1), run("the straße fund", "a", 2), run("ﬁnal offer", "b", 1)]
    looked = Search(runs)
    assert looked.needed is not None
    split = Search(runs)
    split.needed = None
    texts = [
        "<p>The appeal of JO ZQSMITH was heard.</p>", "jo <em>zqsmith</em>", "Ｊｏ Ｚｑｓｍｉｔｈ",
        "THE STRASSE FUND grew", "the final offer", "nothing here at all", "Jo Zqsmithson",
        "zqsmith jo", "the straße", "<a title='jo zqsmith'>x</a>",
    ]  # fmt: skip
    for text in texts:
        for pdf in (True, False):
            found = looked.hits(text, pdf, Audience.PUBLIC)
            assert found == split.hits(text, pdf, Audience.PUBLIC), text
    assert ngram_hits(["Ｊｏ Ｚｑｓｍｉｔｈ"], looked, Audience.PUBLIC) == {runs[0]}
    assert ngram_hits(["the final offer"], looked, Audience.PUBLIC) == {runs[2]}
    assert looked.hits("nothing here at all", False, Audience.PUBLIC) == set()
