"""The pool of pandoc workers: started only when needed, answers from a cache kept in order;
the source reader's word Spans left out of its JSON."""

from __future__ import annotations

import json
import os
import threading

import pytest

from reportback.checking.source_reader import SOURCE_READER
from reportback.errors import ExternalFailure
from reportback.pandoc import worker
from reportback.pandoc.worker import Pandoc, Pandocs, unwrapped


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the pandoc processes started (real ones)."""
    count: list[int] = []
    enter = Pandoc.__enter__

    def counted(self: Pandoc) -> Pandoc:
        count.append(threading.get_ident())
        return enter(self)

    monkeypatch.setattr(Pandoc, "__enter__", counted)
    return count


def test_items_all_answered_start_no_pandoc(started: list[int]) -> None:
    caller = threading.get_ident()
    asked: list[int] = []

    def known(n: int) -> str:
        asked.append(threading.get_ident())
        return f"cached {n}"

    with Pandocs(2) as pandocs:
        done = list(pandocs.map(lambda p, n: f"parsed {n}", range(5), known=known))
    assert done == [f"cached {n}" for n in range(5)]
    assert started == [] and set(asked) == {caller}, "answered on the calling thread"


def test_only_unknown_items_reach_pandoc_and_results_keep_their_order(started: list[int]) -> None:
    def parse(pandoc: Pandoc, n: int) -> str:
        ast, _ = pandoc.parse(f"word{n}")
        return f"parsed {ast['blocks'][0]['c'][0]['c']}"

    with Pandocs(2) as pandocs:
        done = list(pandocs.map(parse, range(6), known=lambda n: None if n % 3 else f"cached {n}"))
    assert done == ["cached 0", "parsed word1", "parsed word2", "cached 3", "parsed word4",
                    "parsed word5"]  # fmt: skip
    assert 1 <= len(started) <= 2, "no more workers than the pool's size"


def test_a_closed_pool_refuses_work() -> None:
    pandocs = Pandocs(1)
    with pytest.raises(ExternalFailure, match="not running"):
        pandocs.map(lambda p, n: n, [1])


def test_a_word_that_looks_like_the_end_of_its_span_keeps_its_span() -> None:
    """Unwrapping works on JSON text: a word holding `"}]]}` must not end a match early."""
    span = [["", [], [["wrapper", "1"], ["data-pos", "1:1-1:9"]]], [{"t": "Str", "c": 'x"}]]}'}]]
    doc = [{"t": "Span", "c": span}, {"t": "Span", "c": [span[0], [{"t": "Str", "c": "y"}]]}]
    text = json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
    assert json.loads(unwrapped(text)) == [doc[0], {"t": "Str", "c": "y"}]


def test_headings_are_shifted_alike_so_the_highest_is_at_the_level_asked() -> None:
    with Pandoc() as pandoc:
        doc, _ = pandoc.parse("# One\n\n### Three\n\n###### Six\n")
        shifted = pandoc.write(doc, ("html5",), top=2)["html5"]
        kept = pandoc.write(doc, ("html5",))["html5"]
        deep, _ = pandoc.parse("#### Four\n\n##### Five\n")
        raised = pandoc.write(deep, ("html5",), top=2)["html5"]
    assert [shifted.count(f"<h{n}") for n in range(1, 7)] == [0, 1, 0, 1, 0, 1]  # 6 stays 6
    assert [kept.count(f"<h{n}") for n in range(1, 7)] == [1, 0, 1, 0, 0, 1]
    assert "<h2>Four</h2>" in raised and "<h3>Five</h3>" in raised


def test_a_request_pandoc_never_finishes_stops_with_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A footnote citing itself makes the source reader loop forever (`limits` refuses it
    before parsing; this is the backstop for shapes not yet known)."""
    monkeypatch.setattr(worker, "TIMEOUT", 2.0)
    with Pandoc() as pandoc, pytest.raises(ExternalFailure, match="did not finish"):
        pandoc.parse("a[^1]\n\n[^1]: x[^1]\n", SOURCE_READER)


def test_a_terminals_ctrl_c_does_not_reach_pandoc() -> None:
    """Adversary helper 85: a Ctrl-C early in a build printed pandoc's Lua traceback before
    reportback's own message. Pandoc runs in a process group of its own (a terminal signals
    its foreground group), and ends when reportback closes its input."""
    with Pandoc() as pandoc:
        process = pandoc._proc
        assert process is not None
        assert os.getpgid(process.pid) != os.getpgid(0)
        assert pandoc.parse("Text.")[0]["blocks"]
    assert process.poll() == 0, "it ended with its input"
