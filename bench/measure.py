"""Run one command as a child process and measure its wall time, CPU time and peak RSS."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Measure:
    """One measured run; `extra` holds figures the run itself reported (counts, stages)."""

    name: str
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    extra: dict[str, float | int | str] = field(default_factory=dict)


@dataclass(frozen=True)
class Finished:
    measure: Measure
    stdout: str
    stderr: str


class CommandFailed(RuntimeError):
    pass


def run(name: str, command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Finished:
    """Run `command` to completion; raise CommandFailed (with its stderr) on a non-zero exit.

    Peak RSS is the child's own high-water mark as the kernel reports it to wait4 (it includes
    the children the command waited for, such as pandoc, if they were larger).
    """
    out, err = cwd / f".bench-{os.getpid()}.out", cwd / f".bench-{os.getpid()}.err"
    try:
        with out.open("wb") as stdout, err.open("wb") as stderr:
            start = time.perf_counter()
            proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=stdout, stderr=stderr)
            finished = wait(proc, name, start)
        texts = out.read_text("utf-8", "replace"), err.read_text("utf-8", "replace")
    finally:  # never left behind (two were once committed from a run stopped midway)
        out.unlink(missing_ok=True)
        err.unlink(missing_ok=True)
    if finished.extra.get("exit") != 0:
        raise CommandFailed(f"{name}: {' '.join(command)} exited {finished.extra}:\n{texts[1]}")
    return Finished(finished, *texts)


def wait(proc: subprocess.Popen[bytes], name: str, start: float) -> Measure:
    """Reap `proc` with wait4 and return its measure (the exit status goes in `extra`)."""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return Measure(name, round(wall, 3), round(cpu, 3), round(usage.ru_maxrss / 1024, 1),
                   {"exit": proc.returncode})  # fmt: skip
