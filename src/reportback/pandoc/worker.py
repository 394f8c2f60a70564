"""One long-lived pandoc process that parses and writes many documents."""

from __future__ import annotations

import functools
import importlib.util
import json
import operator
import os
import queue
import re
import select
import subprocess
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from importlib import resources
from types import TracebackType
from typing import Any, TypeVar

from reportback.errors import ExternalFailure
from reportback.model import Ast

MINIMUM = (3, 2)
TIMEOUT = 120.0
"""The longest pandoc may take over one request: a report takes well under a second, and one
that pandoc reads forever (`limits` refuses those known) must not hang a build."""
READER = (
    "markdown+lists_without_preceding_blankline-blank_before_blockquote"
    "-citations-auto_identifiers-yaml_metadata_block-pandoc_title_block"
)
"""Pandoc's Markdown with @handles as text, no implicit ids, no metadata blocks in the body;
a list or a quote may start right under a line of text, as CommonMark (the source reader)
has it."""


class TooSlow(ExternalFailure):
    """Pandoc did not answer one request in `TIMEOUT` (it was stopped, and started again)."""


@dataclass(frozen=True)
class Warning_:
    """A warning pandoc logged while reading, at a line of the parsed text."""

    line: int
    message: str
    kind: str = ""


def pandoc_path() -> str:
    """Return the pandoc binary shipped with pypandoc-binary, checking its version.

    It is found without importing pypandoc (a tenth of a second: most of the cost of starting
    pandoc for a one-report edit), and asked its version directly; `PYPANDOC_PANDOC` names
    another, as it does for pypandoc.
    """
    path = os.environ.get("PYPANDOC_PANDOC") or _bundled()
    version = _version(path)
    numbers = tuple(int(n) for n in re.findall(r"\d+", version)[:2])
    if numbers < MINIMUM:
        raise ExternalFailure(
            f"pandoc {version} is too old: reportback needs pandoc 3.2 or newer, "
            "which warns about unclosed ::: fences"
        )
    return path


def _bundled() -> str:
    """Return where pypandoc-binary keeps its pandoc (in the pypandoc package's folder)."""
    spec = importlib.util.find_spec("pypandoc")  # finds the package without running it
    folders = list(spec.submodule_search_locations or ()) if spec is not None else []
    for folder in folders:
        for name in ("pandoc", "pandoc.exe"):
            path = os.path.join(folder, "files", name)  # noqa: PTH118 (a str path)
            if os.path.isfile(path):  # noqa: PTH113 (a str path)
                return path
    raise ExternalFailure("pandoc is missing: install pypandoc-binary")


@functools.lru_cache(maxsize=4)
def _version(path: str) -> str:
    """Return the version pandoc at `path` says it is (`pandoc --version`), asked once a
    process (every worker started asks for the path)."""
    try:
        done = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=TIMEOUT, check=True
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise ExternalFailure(f"pandoc is missing or cannot run: {exc}") from exc
    first = done.stdout.partition("\n")[0]
    found = re.search(r"\d+(?:\.\d+)*", first)
    return found.group() if found else first


class Pandoc:
    """A `pandoc lua` worker fed JSON requests; use it as a context manager."""

    def __init__(self) -> None:
        script = resources.files("reportback.pandoc").joinpath("server.lua")
        self._script = str(script)
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> Pandoc:
        try:
            self._proc = subprocess.Popen(
                [pandoc_path(), "lua", self._script],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                bufsize=1,
                start_new_session=True,  # a terminal's Ctrl-C is reportback's to handle: sent
            )  # pandoc too, it printed a Lua traceback (adversary helper 85); it ends on EOF
        except OSError as exc:
            raise ExternalFailure(f"cannot start pandoc: {exc}") from exc
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._proc is not None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:  # still reading a report (stopped by Ctrl-C)
                self._proc.kill()
                self._proc.wait()
            self._proc = None

    def _ask(
        self, request: dict[str, Any], payload: str = "", edit: Callable[[str], str] = str
    ) -> dict[str, Any]:
        """Send one request (and a one-line payload, if any); return pandoc's answer (its
        JSON text passed through `edit` first)."""
        proc = self._proc
        if proc is None or proc.stdin is None or proc.stdout is None:
            raise ExternalFailure("pandoc is not running")
        try:
            proc.stdin.write(json.dumps(request) + "\n" + (payload + "\n" if payload else ""))
            proc.stdin.flush()
            if not select.select([proc.stdout], [], [], TIMEOUT)[0]:
                proc.kill()
                proc.wait()
                self.__enter__()  # a new pandoc for the next request
                raise TooSlow(
                    f"pandoc did not finish one report in {TIMEOUT:.0f} s and was stopped "
                    "(a shape it reads forever: say which report on the issue tracker)"
                )
            line = proc.stdout.readline()
        except (BrokenPipeError, OSError) as exc:
            raise ExternalFailure(f"pandoc stopped: {exc}") from exc
        if not line:
            raise ExternalFailure(f"pandoc stopped (exit code {proc.poll()})")
        answer: dict[str, Any] = json.loads(edit(line))
        if "error" in answer:
            raise ExternalFailure(f"pandoc failed: {answer['error']}")
        return answer

    def parse(
        self, text: str, reader: str = READER, unwrap: bool = False
    ) -> tuple[Ast, list[Warning_]]:
        """Parse Markdown to pandoc's AST; return it with the warnings pandoc logged.

        With `unwrap`, the Spans a `+sourcepos` reader puts around each word are left out
        (`unwrapped`).
        """
        answer = self._ask({"parse": text, "format": reader}, edit=unwrapped if unwrap else str)
        warnings = [_warning(w) for w in answer["warnings"] if w.get("verbosity") == "WARNING"]
        return answer["doc"], warnings

    def write(
        self, doc: Ast, formats: tuple[str, ...], wrap: int = 72, top: int | None = None
    ) -> dict[str, str]:
        """Write the AST in each of `formats` (e.g. "html5", "typst", "plain"); with `top`,
        its headings shifted alike so that the highest is at that level."""
        request = {"write": True, "formats": list(formats), "wrap": wrap}
        answer = self._ask(request | ({} if top is None else {"top": top}), json.dumps(doc))
        out: dict[str, str] = answer["out"]
        return out


WRAPPED = re.compile(
    r'\{"t":"Span","c":\[\["",\[\],\[\["wrapper","1"\],\["data-pos","[0-9:-]+"\]\]\],\['
    r'(\{"t":"(?:Space|SoftBreak|LineBreak)"\}|\{"t":"Str","c":"[^"\\]*"\})\]\]\}'
)
"""A Span of exactly a `+sourcepos` position around one Str, Space, SoftBreak or LineBreak
(a word holding a quote or a backslash, escaped in JSON, keeps its Span). A quote in a JSON
string is escaped, so no match starts or ends inside one."""
WORD = operator.itemgetter(1)
"""What a match is replaced with: the word (a C call; Python 3.11 expands `\\1` in Python)."""
NOTE = '{"t":"Note"'
DECODER = json.JSONDecoder()


def unwrapped(answer: str) -> str:
    """Return pandoc's JSON text without the Spans a `+sourcepos` reader wraps each word in.

    They are three quarters of the text, and they say nothing a reader of positions needs:
    the words' container says where they are. Inside a note every Span is kept, as its first
    word says where the note was written.
    """
    parts, at = [], 0
    while (start := answer.find(NOTE, at)) >= 0:
        end = DECODER.raw_decode(answer, start)[1]
        parts += [WRAPPED.sub(WORD, answer[at:start]), answer[start:end]]
        at = end
    parts.append(WRAPPED.sub(WORD, answer[at:]))
    return "".join(parts)


def _warning(log: dict[str, Any]) -> Warning_:
    line = log.get("line") or (log.get("openpos") or {}).get("line") or 1
    kind = str(log.get("type", ""))
    return Warning_(int(line), str(log.get("pretty", kind or "warning")), kind)


T = TypeVar("T")
R = TypeVar("R")


def workers() -> int:
    """Return how many pandoc workers to run: one per core this process may use, at most 4."""
    return max(1, min(4, len(os.sched_getaffinity(0))))


class Pandocs:
    """A pool of pandoc workers, each lent to one thread at a time; use as a context manager.

    Pandoc and Typst do their work outside Python's lock, so threads keep every core busy.
    A worker is started when first needed: a build whose every report is answered from the
    cache starts none.
    """

    def __init__(self, size: int | None = None) -> None:
        self.size = size or workers()
        self._idle: queue.SimpleQueue[Pandoc] = queue.SimpleQueue()
        self._all: list[Pandoc] = []
        self._lock = threading.Lock()
        self._threads: ThreadPoolExecutor | None = None
        self._open = False

    def __enter__(self) -> Pandocs:
        self._open = True
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._open = False
        if self._threads is not None:
            self._threads.shutdown(cancel_futures=True)
            self._threads = None
        with self._lock:
            for worker in self._all:
                worker.close()
            self._all.clear()

    def map(
        self,
        work: Callable[[Pandoc, T], R],
        items: Iterable[T],
        known: Callable[[T], R | None] | None = None,
    ) -> Iterator[R]:
        """Run `work(worker, item)` for every item on the pool; yield results in item order.

        `known(item)`, if given, is asked first, on the calling thread: an item it answers
        (with anything but None) is not sent to the pool. Answers from a cache are quicker
        there, one after the other, than on threads taking turns at Python's lock.
        """
        if not self._open:
            raise ExternalFailure("pandoc is not running")
        pending: list[R | Future[R]] = []
        for item in items:
            answer = known(item) if known is not None else None
            pending.append(
                self._pool().submit(self._lend, work, item) if answer is None else answer
            )
        return self._collect(pending)

    def _collect(self, pending: list[R | Future[R]]) -> Iterator[R]:
        try:
            for one in pending:
                yield one.result() if isinstance(one, Future) else one
        finally:
            for one in pending:
                if isinstance(one, Future):
                    one.cancel()

    def _pool(self) -> ThreadPoolExecutor:
        if self._threads is None:
            self._threads = ThreadPoolExecutor(self.size, thread_name_prefix="pandoc")
        return self._threads

    def _lend(self, work: Callable[[Pandoc, T], R], item: T) -> R:
        worker = self._borrow()
        try:
            return work(worker, item)
        finally:
            self._idle.put(worker)

    def _borrow(self) -> Pandoc:
        """Take an idle worker, or start one if fewer than `size` are running."""
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if not self._open:
                raise ExternalFailure("pandoc is not running")
            start = len(self._all) < self.size
            if start:
                worker = Pandoc().__enter__()
                self._all.append(worker)
        return worker if start else self._idle.get()
