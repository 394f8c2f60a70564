"""The CLP directory: the bundled 632 CLPs, or a deployment's own CSV."""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

from reportback.config import CONTROL, Config
from reportback.errors import InputRefused, Problem, problem, text_of

COLUMNS = ("slug", "name", "gss_code", "nation", "region")
DIRECTORY_VARIABLE = "REPORTBACK_CLPS"
"""A CSV to use in place of the bundled directory where `[paths] clps` names none (the test
suite sets it to a slice of 30 CLPs: a build of all 632 writes ~2,000 files)."""


@dataclass(frozen=True)
class Clp:
    slug: str
    name: str
    gss_code: str
    nation: str
    region: str

    @property
    def region_slug(self) -> str:
        return region_slug(self.region)


def region_slug(region: str) -> str:
    """Return the URL slug of a region name ("North West" -> "north-west")."""
    return re.sub(r"[^a-z0-9]+", "-", region.lower()).strip("-")


@dataclass(frozen=True)
class Directory:
    """Every CLP, in directory order, with look-ups by slug and region."""

    clps: tuple[Clp, ...]

    @cached_property
    def by_slug(self) -> dict[str, Clp]:
        return {c.slug: c for c in self.clps}

    @cached_property
    def regions(self) -> tuple[str, ...]:
        return tuple(sorted({c.region for c in self.clps}))

    @cached_property
    def by_region(self) -> dict[str, tuple[Clp, ...]]:
        return {r: tuple(c for c in self.clps if c.region == r) for r in self.regions}

    def in_region(self, region: str) -> tuple[Clp, ...]:
        return self.by_region.get(region, ())


def load_directory(path: Path | None = None) -> Directory:
    """Load the CLP directory from `path`, or else REPORTBACK_CLPS's, or the bundled one."""
    path = path or _stand_in()
    if path is None:
        text = resources.files("reportback").joinpath("data/clps.csv").read_text("utf-8")
        return _parse(text, "clps.csv (bundled)")
    try:
        text = text_of(path, advice="save the CLP directory as UTF-8 CSV")  # helper 99
    except OSError as exc:
        raise InputRefused(
            [problem(path, 1, f"cannot read CLP directory: {exc.strerror}")]
        ) from exc
    return _parse(text, str(path))


def directory_for(config: Config) -> Directory:
    """Load the CLP directory `config` names ([paths] clps), or else REPORTBACK_CLPS's, or the
    bundled one."""
    return load_directory(directory_file(config))


def directory_file(config: Config) -> Path | None:
    """Return the CSV the CLP directory is read from (None: the bundled one)."""
    return config.path("clps") if config.paths.clps else _stand_in()


def _stand_in() -> Path | None:
    given = os.environ.get(DIRECTORY_VARIABLE)
    return Path(given) if given else None


NATIONS = ("England", "Scotland", "Wales", "Northern Ireland")
GSS = re.compile(r"[A-Z]\d{8}")
"""A constituency's code from the Office for National Statistics (E14001234, W07000081)."""


def _again(named: dict[str, int], number: int, *keys: str) -> str | None:
    """Record a CLP's name and code at its line; say which was given above, if either was."""
    for key in keys:
        if key in named:
            return f"{key!r} is given twice (line {named[key]} too)"
        named[key] = number
    return None


def _parse(text: str, name: str) -> Directory:
    rows = csv.reader(io.StringIO(text, newline=""))  # a line break in a cell kept: refused
    header = [h.strip().lower() for h in next(rows, [])]
    if tuple(header) != COLUMNS:
        raise InputRefused([problem(name, 1, f"header must be {','.join(COLUMNS)}")])
    problems: list[Problem] = []
    clps: list[Clp] = []
    seen: set[str] = set()
    regions: dict[str, str] = {}  # by slug: one feed a region
    named: dict[str, int] = {}  # each name and code once, by its line (adversary helper 130)
    for number, row in enumerate(rows, start=2):
        if not any(v.strip() for v in row):
            continue  # a blank line (one at the end, as editors leave)
        if len(row) != len(COLUMNS) or not all(v.strip() for v in row):
            problems.append(problem(name, number, f"expected {len(COLUMNS)} non-empty columns"))
            continue
        clp = Clp(*(v.strip() for v in row))
        if any(CONTROL.search(v) for v in row):  # held-out round 22: a traceback in the feeds
            problems.append(problem(name, number, "a control character in a column"))
        elif not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", clp.slug):
            problems.append(problem(name, number, f"bad slug {clp.slug!r}"))
        elif clp.slug in seen:
            problems.append(problem(name, number, f"duplicate slug {clp.slug!r}"))
        elif clp.nation not in NATIONS:
            problems.append(problem(name, number, f"nation {clp.nation!r} is not one of "
                                    f"{', '.join(NATIONS)}"))  # fmt: skip
        elif not GSS.fullmatch(clp.gss_code):
            problems.append(problem(name, number, f"GSS code {clp.gss_code!r} is not like "
                                    "E14001234"))  # fmt: skip
        elif (twice := _again(named, number, clp.name.casefold(), clp.gss_code)) is not None:
            problems.append(problem(name, number, f"{twice}: members named by it would get "
                                    "the wrong CLP's reports"))  # fmt: skip
        elif regions.setdefault(clp.region_slug, clp.region) != clp.region:
            spelt = regions[clp.region_slug]  # held-out round 22: one feed overwrote the other
            problems.append(problem(name, number, f"region {clp.region!r} is {spelt!r} above"))
        seen.add(clp.slug)
        clps.append(clp)
    if not clps and not problems:  # a header alone: every CLP page and feed would go
        problems.append(problem(name, 1, "no CLPs: the directory has a header and no rows"))
    if problems:
        raise InputRefused(problems)
    return Directory(tuple(clps))


def split_regions(value: str, known: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Split a regions attribute into known region names and unknown words.

    Names may be separated by commas or spaces; multi-word names ("North West") are matched
    longest first, and a region's slug ("north-west") is accepted too.
    """
    by_slug = {region_slug(r): r for r in known}
    names: list[str] = []
    unknown: list[str] = []
    parts = [p.strip() for p in value.split(",")] if "," in value else [value]
    for part in parts:
        tokens = part.split()
        i = 0
        while i < len(tokens):
            for j in range(len(tokens), i, -1):
                candidate = " ".join(tokens[i:j])
                name = candidate if candidate in known else by_slug.get(candidate)
                if name:
                    names.append(name)
                    i = j
                    break
            else:
                unknown.append(tokens[i])
                i += 1
    return names, unknown


def reaches(clps: tuple[str, ...], regions: tuple[str, ...], clp: Clp) -> bool:
    """Return whether a report restricted to `clps` and `regions` goes to `clp` (none = all)."""
    if not clps and not regions:
        return True
    return concerns(clps, regions, clp)


def concerns(clps: tuple[str, ...], regions: tuple[str, ...], clp: Clp) -> bool:
    """Return whether `clp` is named, itself or by its region."""
    return clp.slug in clps or clp.region in regions


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """Return " (did you mean 'x'?)" for the known name closest to `name`, or "": the same
    as a slug (`yorkshire-and-the-humber` for a region), one starting with its words, then
    one spelled nearly alike."""
    import difflib

    choices = list(known)
    wanted = _slug(name)
    close = [wanted] if wanted in choices and wanted != name else []
    by_slug = {_slug(c): c for c in choices}
    starting = sorted(c for s, c in by_slug.items() if wanted and s.startswith(wanted + "-"))
    close = close or [c for s, c in by_slug.items() if s == wanted and c != name]
    close = close or starting[:1] or difflib.get_close_matches(name, choices, n=1, cutoff=0.8)
    close = close or [by_slug[s] for s in difflib.get_close_matches(wanted, by_slug, n=1,
                                                                    cutoff=0.8)]  # fmt: skip
    return f" (did you mean {close[0]!r}?)" if close else ""


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")
