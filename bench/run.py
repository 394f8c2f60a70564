"""The benchmark: build, no-op, edits, PDFs and a national digest, against two baselines."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from reportback.pandoc.worker import pandoc_path, workers
from reportback.record import MEETINGS

from .corpus import Corpus, write_reports, write_subscribers
from .measure import Measure, run, wait

BUILD_NOW = "2027-01-29T12:00:00+00:00"
IMPORT_NOW = "2027-01-30T12:00:00+00:00"
NEW_REPORT_NOW = "2027-01-31T12:00:00+00:00"
SEND_NOW = "2027-02-01T07:30:00+00:00"
"""Monday 1 February 2027 after 07:00: immediate, weekly and monthly digests are all due."""
HERE = Path(__file__).parent
EDITS = 5
"""How many times each one-report edit is measured (its median run is reported)."""
SIZES = {"full": (1000, 370_000, 20), "smoke": (20, 2_000, 3)}
NEW_REPORT = """---
title: "Report from the NEC, 30 January 2027"
meeting: National Executive Committee
meeting_date: 2027-01-30
summary: "The NEC met to agree the campaign budget and the timetable for selections."
---

The NEC met to agree the campaign budget and the timetable for selections.

## Campaign budget

The budget was agreed after a short debate; I voted for it.

## Disputes {.confidential reason="Individual cases"}

Zqsecret details of zqindividual cases that must never leave the source file.
"""


@dataclass(frozen=True)
class Settings:
    size: str
    reports: int
    subscribers: int
    sample: int
    work: Path
    out: Path
    seed: int


def main(argv: list[str] | None = None) -> int:
    settings = _settings(argv)
    # Python keeps each module's compiled bytecode, unless told not to: measure reportback as
    # it runs once installed, not recompiling its modules on every start (0.1-0.2 s of each)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    reportback = str(Path(sys.executable).with_name("reportback"))
    if settings.work.exists():
        shutil.rmtree(settings.work)
    project = settings.work / "project"
    corpus = Corpus(settings.reports, settings.subscribers, settings.seed)
    _say(f"corpus: {corpus.reports} reports, {corpus.subscribers} subscribers in {project}")
    paths = write_reports(corpus, project / "reports")
    results: list[Measure] = []
    phases: list[Callable[[], list[Measure]]] = [
        lambda: _references(project, paths),
        lambda: _builds(reportback, project, paths),
        lambda: _baselines(settings, project),
        lambda: _preview(reportback, settings),
        lambda: _long_paragraph(reportback, settings),
        lambda: _digests(reportback, settings, project, corpus),
    ]
    for phase in phases:
        results += phase()
        _write(settings, _report(settings, results))  # after each phase: nothing is lost
    lost = sum(int(m.extra.get("missing", 0)) for m in results)
    if lost:
        _say(f"FAILED: {lost} subscribers got no message after the resumed send")
        return 1
    return 0


def _settings(argv: list[str] | None) -> Settings:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Measure reportback at national scale (wall time, CPU time, peak RSS) "
        "against the naive pipeline and Pelican; print a table and write JSON to bench/results.",
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="full",
                        help="full: 1,000 reports, 370,000 members; smoke: 20, 2,000")  # fmt: skip
    parser.add_argument("--reports", type=int, help="number of reports (overrides --size)")
    parser.add_argument("--subscribers", type=int, help="number of subscribers (overrides --size)")
    parser.add_argument("--sample", type=int, help="reports the naive baseline renders")
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--work", type=Path, default=Path("/tmp/reportback-bench"),
                        help="scratch folder (deleted first)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    n, m, sample = SIZES[args.size]
    return Settings(args.size, args.reports or n, args.subscribers or m, args.sample or sample,
                    args.work, args.out, args.seed)  # fmt: skip


REFERENCE_LOOP = "s = 0\nfor i in range(20_000_000):\n    s += i\n"


def _references(project: Path, paths: list[Path]) -> list[Measure]:
    """Time two fixed pieces of work, the same on any machine: how fast this one is.

    Figures from runs on different machines (or one shared machine on a busy day) compare
    only through these: a plain Python loop, and pandoc reading the first 20 reports.
    """
    loop = run("reference: Python loop of 20 million additions",
               [sys.executable, "-c", REFERENCE_LOOP], project).measure  # fmt: skip
    sample = [str(p.relative_to(project)) for p in paths[:20]]
    pandoc = run(f"reference: pandoc, {len(sample)} reports to HTML in one run",
                 [pandoc_path(), "-f", "markdown", "-t", "html5", "-o", os.devnull, *sample],
                 project).measure  # fmt: skip
    for m in (loop, pandoc):
        _say(f"{m.name}: {m.wall_s:.2f} s")
    return [loop, pandoc]


def _builds(exe: str, project: Path, paths: list[Path]) -> list[Measure]:
    build = [exe, "build", "--now", BUILD_NOW, "--timings"]
    full = _timed("full build", build, project)
    full.extra["cores_used"] = _cores(full)
    stages = full.extra
    # the PDF stages run on every pandoc worker at once: their summed time over the workers
    # is the wall time they took
    pdf = sum(float(v) for k, v in stages.items() if "pdf" in k)
    n, cores = len(paths), workers()
    html_feeds = Measure("HTML + feeds (full build less PDF stages)",
                         round(full.wall_s - pdf / cores, 3), full.cpu_s, full.peak_rss_mb,
                         {"pdf_stages_s": round(pdf, 3), "workers": cores})  # fmt: skip
    per_pdf = Measure("PDF per report (typst + pandoc to typst + audit, one worker)",
                      round(pdf / n, 4), 0.0, 0.0, {"reports": n})  # fmt: skip
    noop = _median("no-op rebuild", lambda: None, build, project)
    edit_new = _edits("edit newest report (in every feed)", max(paths), build, project)
    edit_old = _edits("edit oldest report (in no feed)", min(paths), build, project)
    record = _record_cost(full, noop, edit_new, edit_old)
    files = sum(1 for _ in (project / "site").rglob("*")) + sum(
        1 for _ in (project / "feeds").rglob("*")
    )
    size = _size(project / "site") + _size(project / "feeds")
    full.extra.update({"files": files, "output_mb": round(size / 2**20, 1)})
    return [full, html_feeds, per_pdf, noop, edit_new, edit_old, record]


def _cores(run: Measure) -> float:
    """Return how many cores a run kept busy on average (its CPU time over its wall time)."""
    return round(run.cpu_s / run.wall_s, 2) if run.wall_s else 0.0


def _record_cost(*runs: Measure) -> Measure:
    """Return what the record (its pages, open data and feed) and the search index (Pagefind,
    and auditing it) added to the full build, with the same for each other run in `extra`."""
    full = runs[0]

    def cost(run: Measure) -> float:
        return sum(float(run.extra.get(f"stage {s}", 0.0)) for s in ("record", "search"))

    extra: dict[str, float | int | str] = {
        "record_s": float(full.extra.get("stage record", 0.0)),
        "search_s": float(full.extra.get("stage search", 0.0)),
    }
    extra |= {f"{run.name}: record + search s": round(cost(run), 3) for run in runs[1:]}
    return Measure("record + search index, in the full build", round(cost(full), 3), 0.0, 0.0,
                   extra)  # fmt: skip


def _timed(name: str, command: list[str], cwd: Path) -> Measure:
    _say(f"running: {name}")
    done = run(name, command, cwd)
    stages = {
        m.group(1).strip(): float(m.group(2))
        for m in re.finditer(r"^\s*([^:\n][^\n]*?):\s+([\d.]+) s$", done.stderr, re.M)
    }
    measure = done.measure
    measure.extra.update({f"stage {k}": v for k, v in stages.items()})
    _say(f"  {measure.wall_s:.2f} s wall, {measure.cpu_s:.2f} s CPU, {measure.peak_rss_mb} MB")
    return measure


def _edits(name: str, path: Path, build: list[str], project: Path) -> Measure:
    """Edit the report and build, EDITS times over; return the run of median wall time."""
    return _median(name, lambda: _edit(path), build, project)


def _median(name: str, before: Callable[[], None], build: list[str], project: Path) -> Measure:
    """Run `before`, then the build, EDITS times over; return the run of median wall time.

    One run on a shared 2-core machine varies by a third; the median of several does not
    depend on one lucky or unlucky run. Every run's wall time is kept in `extra`.
    """
    runs = []
    for _ in range(EDITS):
        before()
        runs.append(_timed(name, build, project))
    return _middle(runs)


def _middle(runs: list[Measure]) -> Measure:
    """Return the run of median wall time, every run's wall time in its `extra`."""
    runs = sorted(runs, key=lambda m: m.wall_s)
    median = runs[len(runs) // 2]
    median.extra.update(
        {"runs": len(runs), "wall_s_each": " ".join(f"{m.wall_s:.2f}" for m in runs)}
    )
    _say(f"  median of {len(runs)}: {median.wall_s:.2f} s wall")
    return median


def _edit(path: Path) -> None:
    """Add a public sentence to the report's opening paragraph (never inside withheld text)."""
    head, sep, body = path.read_text(encoding="utf-8").partition("\n---\n\n")
    edited = head + sep + "A correction added after the meeting. " + body
    path.write_text(edited, encoding="utf-8")


def _preview(exe: str, settings: Settings) -> list[Measure]:
    """Time `reportback preview` on the bundled sample project: from a saved edit to the
    server's reload signal (the event the open page reloads on), EDITS times each for an edit
    to public text and to a confidential section's text. The watcher's and the event
    stream's polling are in the figure, as they are on the rep's screen."""
    root = settings.work / "sample"
    shutil.copytree(HERE.parent / "reports", root / "reports")
    shutil.copy(HERE.parent / MEETINGS, root / MEETINGS)
    paths = sorted((root / "reports").glob("*.md"))
    secret = next(p for p in reversed(paths) if _ends_confidential(p))
    port = _free_port()
    _say("running: reportback preview on the sample project")
    proc = subprocess.Popen([exe, "preview", "--port", str(port)], cwd=root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        events = _events(port)
        next(events)  # the first build is done: its number comes first
        measures = []
        edits: list[tuple[str, Callable[[], None]]] = [
            ("public text", lambda: _edit(paths[-1])),
            ("a confidential section", lambda: _append(secret)),
        ]
        for what, edit in edits:
            name = f"preview, sample project: edit to {what}, on screen"
            runs = []
            for _ in range(EDITS):
                start = time.perf_counter()
                edit()
                next(events)
                runs.append(Measure(name, round(time.perf_counter() - start, 3), 0.0, 0.0))
            measures.append(_middle(runs))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return measures


LONG = 32_000
"""Words in the long paragraph: one pasted wall of text (adversary helper 157: 120 s)."""
LONG_NAMES = ("one paragraph", "paragraphs of 100 words")
PLAIN = (
    "the committee met in London and agreed a timetable for selections after a long debate on "
    "rule changes the general secretary reported on finances which are better than last year "
    "members asked about the budget for campaigns in the regions and councillors spoke of "
    "housing schools transport and local elections in May"
)
"""Words of no rule's wording (the README's own words hold `PRIVATE` and the like)."""


def _long_paragraph(exe: str, settings: Settings) -> list[Measure]:
    """Time `check` on a report of one paragraph of `LONG` words, and on the same words in
    paragraphs of 100: a rule whose cost grows with the square of a paragraph's length (one
    read each sentence to its end at every word) shows as their ratio."""
    plain = PLAIN.split()
    chosen = [plain[(i * 7919) % len(plain)] for i in range(LONG)]
    head = "---\ntitle: Long\nmeeting: NEC\nmeeting_date: 2016-09-20\n---\n\n"
    measures = []
    for name, sep in zip(LONG_NAMES, (" ", "\n\n"), strict=True):
        root = settings.work / f"long-{len(sep)}"
        (root / "reports").mkdir(parents=True)
        body = sep.join(" ".join(chosen[i : i + 100]) for i in range(0, LONG, 100))
        (root / "reports/long.md").write_text(head + body + "\n", encoding="utf-8")
        measures.append(_timed(f"check: {LONG:,} words in {name}", [exe, "check"], root))
    return measures


def _ends_confidential(path: Path) -> bool:
    headings = re.findall(r"^## .*$", path.read_text(encoding="utf-8"), re.M)
    return bool(headings) and ".confidential" in headings[-1]


def _append(path: Path) -> None:
    """Add a sentence to the end of a report whose last section is confidential."""
    with path.open("a", encoding="utf-8") as report:
        report.write("\nThe discussion continued in private.\n")


def _events(port: int) -> Iterator[str]:
    """Yield each build number the preview announces (waiting for it to come up first)."""
    deadline = time.monotonic() + 120
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            connection.request("GET", "/_preview/events")
            response = connection.getresponse()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    for line in response:
        if line.startswith(b"data: "):
            yield line[6:].decode().strip()


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _baselines(settings: Settings, project: Path) -> list[Measure]:
    py = sys.executable
    naive_out = settings.work / "naive"
    _say(f"running: naive pipeline on {settings.sample} reports")
    done = run("naive pipeline (sample)",
               [py, "-m", "bench.baselines", "naive", str(project / "reports"), str(naive_out),
                str(settings.sample)], HERE.parent)  # fmt: skip
    figures = json.loads(done.stdout)
    per_report = figures["pandoc_s_per_report"] + figures["weasyprint_s_per_report"]
    naive = Measure("naive pipeline, extrapolated to all reports",
                    round(per_report * settings.reports, 1), 0.0, done.measure.peak_rss_mb,
                    {**figures, "sample_wall_s": done.measure.wall_s})  # fmt: skip
    _say("running: the floor (pandoc and Typst alone on every report)")
    done = run("floor: pandoc + Typst alone, every report",
               [py, "-m", "bench.baselines", "floor", str(project / "reports"), "-"],
               HERE.parent)  # fmt: skip
    floor = done.measure
    floor.extra.update(json.loads(done.stdout))
    floor.extra["cores_used"] = _cores(floor)
    _say(f"  {floor.wall_s:.2f} s wall, {floor.cpu_s:.2f} s CPU")
    pelican_root = settings.work / "pelican"
    run("pelican project", [py, "-m", "bench.baselines", "pelican-project",
        str(project / "reports"), str(pelican_root)], HERE.parent)  # fmt: skip
    pelican_exe = str(Path(py).with_name("pelican"))
    pelican = _timed(
        "Pelican: HTML + feeds",
        [pelican_exe, "content", "-o", "output", "-s", "pelicanconf.py", "-q"],
        pelican_root,
    )
    pelican.extra["files"] = sum(1 for _ in (pelican_root / "output").rglob("*"))
    return [naive, floor, pelican]


def _digests(exe: str, settings: Settings, project: Path, corpus: Corpus) -> list[Measure]:
    port = _free_port()
    status = settings.work / "sink.json"
    (project / "reportback.toml").write_text(  # links as a real send's (not localhost)
        '[site]\nbase_url = "https://nec.example.org"\n\n'
        f'[email]\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\nsmtp_security = "none"\n'
        "connections = 4\n",
        encoding="utf-8",
    )  # fmt: skip
    members = write_subscribers(corpus, settings.work / "members.csv")
    imported = _timed("import subscribers", [exe, "subscribers", "import", str(members),
                      "--now", IMPORT_NOW], project)  # fmt: skip
    (project / "reports" / "2027-01-30-nec-new.md").write_text(NEW_REPORT, encoding="utf-8")
    run("build with the new report", [exe, "build", "--now", NEW_REPORT_NOW], project)
    state = project / ".reportback"
    snapshot = settings.work / "state-before-send"
    shutil.copytree(state, snapshot)
    send = [exe, "digest", "send", "--now", SEND_NOW]
    with _Sink(port, status):
        full = _timed("digest send to the local sink", send, project)
    got = _status(status)  # the sink's last count, written as it stopped
    full.extra.update(got)
    full.extra["messages_per_s"] = round(int(got["messages"]) / full.wall_s, 1)
    shutil.rmtree(state)
    shutil.copytree(snapshot, state)
    with _Sink(port, status):
        killed_at = _send_until_half(send, project, status, int(got["messages"]))
        resumed = _timed("digest send resumed after SIGKILL at 50%", send, project)
    after = _status(status)
    resumed.extra.update({**after, "killed_at_messages": killed_at})
    resumed.extra["missing"] = int(got["recipients"]) - int(after["recipients"])
    return [imported, full, resumed]


def _send_until_half(command: list[str], cwd: Path, status: Path, total: int) -> int:
    _say("running: digest send, killed at 50%")
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while int(_status(status)["messages"]) < total // 2:
        if proc.poll() is not None:
            raise RuntimeError("the send finished before it could be killed at 50%")
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    wait(proc, "killed", start)
    time.sleep(0.5)  # let the sink count what was in flight
    return int(_status(status)["messages"])


class _Sink:
    """The SMTP sink in its own process, for the length of a `with` block."""

    def __init__(self, port: int, status: Path) -> None:
        self.port, self.status = port, status

    def __enter__(self) -> _Sink:
        self.status.unlink(missing_ok=True)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.sink", str(self.port), str(self.status)], cwd=HERE.parent
        )
        deadline = time.monotonic() + 20
        while not self.status.exists():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("the SMTP sink did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def _status(path: Path) -> dict[str, int]:
    data: dict[str, int] = json.loads(path.read_text())
    return data


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def machine() -> dict[str, str | int | float]:
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = found.group(1) if found else ""
    memory = Path("/proc/meminfo")
    total = re.search(r"MemTotal:\s+(\d+)", memory.read_text()) if memory.exists() else None
    import pypandoc
    import typst

    return {
        "cpu": cpu,
        "cores": os.cpu_count() or 0,
        "memory_gib": round(int(total.group(1)) / 2**20, 1) if total else 0,
        "os": platform.platform(),
        "python": platform.python_version(),
        "pandoc": str(pypandoc.get_pandoc_version()),
        "typst_py": getattr(typst, "__version__", "?"),
    }


def _report(settings: Settings, results: list[Measure]) -> dict[str, object]:
    by = {m.name: m for m in results}
    targets: list[tuple[str, object, bool]] = []

    def target(name: str, value: float, met: bool) -> None:
        targets.append((name, round(value, 2), met))

    full, noop = by.get("full build"), by.get("no-op rebuild")
    edit = by.get("edit newest report (in every feed)")
    edit_old = by.get("edit oldest report (in no feed)")
    naive = by.get("naive pipeline, extrapolated to all reports")
    floor = by.get("floor: pandoc + Typst alone, every report")
    pelican = by.get("Pelican: HTML + feeds")
    html_feeds = by.get("HTML + feeds (full build less PDF stages)")
    send = by.get("digest send to the local sink")
    if full and noop and edit and edit_old:
        target("full build <= 45 s", full.wall_s, full.wall_s <= 45)
        target("no-op rebuild <= 0.3 s", noop.wall_s, noop.wall_s <= 0.3)
        target("edit newest report <= 2 s", edit.wall_s, edit.wall_s <= 2)
        target("edit oldest report <= 1 s", edit_old.wall_s, edit_old.wall_s <= 1)
        target("peak RSS, full build <= 400 MB", full.peak_rss_mb, full.peak_rss_mb <= 400)
    if full and floor:
        ratio = full.wall_s / floor.wall_s
        target("full build / floor <= 2", ratio, ratio <= 2)
    if full and naive and pelican and html_feeds:
        ratio = naive.wall_s / full.wall_s
        target("naive / full build >= 8", ratio, ratio >= 8)
        ratio = html_feeds.wall_s / pelican.wall_s
        target("(HTML + feeds) / Pelican <= 2", ratio, ratio <= 2)
    for m in results:
        if m.name.startswith("preview, sample project"):
            what = m.name.removeprefix("preview, sample project: ").removesuffix(", on screen")
            target(f"preview: {what} on screen <= 2 s", m.wall_s, m.wall_s <= 2)
    one, many = (by.get(f"check: {LONG:,} words in {n}") for n in LONG_NAMES)
    if one and many:
        ratio = one.wall_s / many.wall_s
        target("check: one long paragraph / the same in paragraphs <= 3", ratio, ratio <= 3)
    if send:
        rate = float(send.extra["messages_per_s"])
        target("digest >= 1,000 messages/s", rate, rate >= 1000)
        target("digest peak RSS <= 300 MB", send.peak_rss_mb, send.peak_rss_mb <= 300)
    return {
        "size": settings.size,
        "reports": settings.reports,
        "subscribers": settings.subscribers,
        "seed": settings.seed,
        "when": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "machine": machine(),
        "measures": [asdict(m) for m in results],
        "targets": [{"target": t, "measured": v, "met": ok} for t, v, ok in targets],
    }


def _write(settings: Settings, report: dict[str, object]) -> None:
    settings.out.mkdir(parents=True, exist_ok=True)
    path = settings.out / f"{settings.size}.json"
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    table = _table(report)
    (settings.out / f"{settings.size}.md").write_text(table, encoding="utf-8")
    print(table)
    _say(f"results written to {path}")


def _table(report: dict[str, object]) -> str:
    lines = [
        f"# reportback benchmark: {report['reports']} reports, {report['subscribers']} "
        f"subscribers ({report['size']})",
        "",
        f"Machine: {report['machine']}",
        "",
        "| measure | wall s | CPU s | peak RSS MB | notes |",
        "|---|---:|---:|---:|---|",
    ]
    measures = report["measures"]
    assert isinstance(measures, list)
    for m in measures:
        notes = ", ".join(
            f"{k}={v}" for k, v in m["extra"].items() if k != "exit" and not k.startswith("stage")
        )
        lines.append(
            f"| {m['name']} | {m['wall_s']} | {m['cpu_s']} | {m['peak_rss_mb']} | {notes} |"
        )
    lines += ["", "| target | measured | met |", "|---|---:|---|"]
    targets = report["targets"]
    assert isinstance(targets, list)
    lines += [f"| {t['target']} | {t['measured']} | {'yes' if t['met'] else 'NO'} |"
              for t in targets]  # fmt: skip
    full = next((m for m in measures if m["name"] == "full build"), None)
    if full is not None:  # not yet, after the first phase
        lines += ["", "Full build by stage (wall s):", ""]
        lines += [f"- {k[6:]}: {v}" for k, v in full["extra"].items() if k.startswith("stage ")]
    return "\n".join(lines) + "\n"


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
