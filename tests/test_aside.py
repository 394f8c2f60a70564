"""Work made in a forked child: its result, its failures, and stopping it."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from reportback.build.fork import Aside


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
