"""Work made in a forked child: its result, its failures, stopping it, and work shared with it."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from reportback import timing
from reportback.build.check_all import progress
from reportback.build.fork import Aside, shared

from .conftest import second_thread


def test_the_child_makes_the_result_and_the_parent_does_not(tmp_path: Path) -> None:
    pids = tmp_path / "pids"

    def make() -> dict[str, bytes]:
        with pids.open("a") as out:
            out.write(f"{os.getpid()}\n")
        return {"page.html": b"x" * 1_000_000, "other.html": "é".encode()}

    aside = Aside(make, fork=True)
    assert aside.result() == {"page.html": b"x" * 1_000_000, "other.html": "é".encode()}
    made_by = pids.read_text().split()
    assert made_by != [str(os.getpid())] and len(made_by) == 1, "made once, in another process"


def test_a_failure_in_the_child_is_raised_by_making_it_again_here() -> None:
    calls: list[int] = []

    def make() -> str:
        calls.append(os.getpid())
        raise ValueError("template error at clp.html:3")

    aside = Aside(make, fork=True)
    with pytest.raises(ValueError, match=r"clp\.html:3"):
        aside.result()
    assert calls == [os.getpid()], "the child's attempt is not seen here; the parent's is"


def test_a_result_that_cannot_be_sent_back_is_made_here() -> None:
    aside = Aside(lambda: lambda: "a function does not pickle", fork=True)
    assert aside.result()() == "a function does not pickle"


def test_closing_stops_a_child_still_at_work() -> None:
    aside = Aside(lambda: time.sleep(60), fork=True)
    child = aside.pid
    assert child > 0
    started = time.monotonic()
    aside.close()
    assert time.monotonic() - started < 10
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)  # not left behind, not even as a zombie


def test_a_process_with_other_threads_is_not_forked() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        aside = Aside(os.getpid)
        assert aside.pid == 0 and aside.result() == os.getpid(), "made here, when asked"
    finally:
        stop.set()
        other.join()


def test_a_process_where_typst_has_run_renders_on_one_core() -> None:
    # Typst's pool of threads outlives a compile; a child forked after one, laying out a PDF,
    # waited for them forever (the daemon's second build hung). Run apart: the threads
    # would stay in this process.
    code = (
        "import typst\n"
        "from reportback.output import pdf\n"
        "assert pdf.threads_running() is None\n"
        "pdf._compile('A page.', {}, pdf.Path('.'), 'A page')\n"
        "print(pdf.threads_running())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "Typst's threads running"


def _squares(share: Sequence[int]) -> list[tuple[int, int]]:
    """Each item squared, with the process that squared it."""
    return [(n * n, os.getpid()) for n in share]


def test_shared_work_is_half_made_in_a_child_and_comes_back_in_order() -> None:
    forked = shared(range(7), _squares, "squaring")
    assert [square for square, _ in forked] == [0, 1, 4, 9, 16, 25, 36]
    made_by = [pid for _, pid in forked]
    assert made_by[0::2] == [os.getpid()] * 4, "every other item here, the first among them"
    assert len(set(made_by[1::2])) == 1 and os.getpid() not in made_by[1::2], "the rest apart"

    with second_thread():
        alone = shared(range(7), _squares, "squaring")
    assert alone == [(n * n, os.getpid()) for n in range(7)], "the same, all made here"


def test_work_shared_apart_is_all_made_in_two_children_which_tell_each_item_done() -> None:
    seen: list[None] = []
    timing.reset()

    def bar(ticks: Iterator[None]) -> Iterator[None]:
        for one in ticks:
            seen.append(one)
            yield one

    made = shared(range(7), _told_squares, "squaring", apart=bar)
    assert [square for square, _ in made] == [0, 1, 4, 9, 16, 25, 36]
    evens, odds = {pid for _, pid in made[0::2]}, {pid for _, pid in made[1::2]}
    assert len(evens) == len(odds) == 1 and evens != odds, "each half in a child of its own"
    assert os.getpid() not in evens | odds, "nothing made here"
    assert len(seen) == 7, "a tick for each item done"
    assert timing.totals()["squaring one"] == pytest.approx(7 * 0.01, abs=0.05), (
        "the children's stage times are the build's"
    )

    with second_thread():  # not forked: all made here, telling nothing
        alone = shared(range(7), _told_squares, "squaring", apart=bar)
    assert alone == [(n * n, os.getpid()) for n in range(7)] and len(seen) == 7


def test_a_failure_in_a_child_working_apart_is_raised_here() -> None:
    def run(share: Sequence[int]) -> list[int]:
        return [12 // (3 - n) for n in share]  # item 3 fails, in the second child

    with pytest.raises(ZeroDivisionError):
        shared(range(6), run, "dividing", apart=lambda ticks: ticks)


def test_a_failure_in_a_shared_child_is_raised_here() -> None:
    tried: list[tuple[int, int]] = []

    def run(share: Sequence[int]) -> list[int]:
        tried.extend((n, os.getpid()) for n in share)  # the child's list is its own
        return [12 // (3 - n) for n in share]  # item 3 (the child's) fails

    with pytest.raises(ZeroDivisionError):
        shared(range(6), run, "dividing")
    here = os.getpid()
    assert tried == [(n, here) for n in (0, 2, 4, 1, 3, 5)], "the child's share, tried here"


def test_work_not_shared_says_why_in_the_timings_and_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    timing.reset()  # logged for one debugging (the preview's log is the rep's: helper 169)
    caplog.set_level(logging.DEBUG, logger="reportback")
    with second_thread():
        assert shared(range(4), _squares, "cubing") == [(n * n, os.getpid()) for n in range(4)]
        aside = Aside(os.getpid, "listing")
    assert aside.result() == os.getpid()
    assert list(timing.totals()) == [
        "cubing on one core (1 other thread running)",
        "listing on one core (1 other thread running)",  # why, as it was when started
    ]
    assert all(r.levelno == logging.DEBUG for r in caplog.records)
    assert caplog.messages == [
        "cubing on one core, not shared with a forked child: 1 other thread running",
        "listing on one core, not shared with a forked child: 1 other thread running",
    ]
    timing.reset()
    shared(range(4), _squares, "cubing")
    assert timing.totals() == {}, "shared with a child: nothing to say"


def _told_squares(items: Sequence[int]) -> list[tuple[int, int]]:
    def square(n: int) -> tuple[int, int]:
        with timing.stage("squaring one"):
            time.sleep(0.01)
        return n * n, os.getpid()

    return list(progress([square(n) for n in items], False, "squaring"))
