"""A deterministic national-scale corpus: N reports, the 632 CLPs, M subscribers.

Everything comes from one `random.Random(seed)`, so the same seed writes the same bytes.
Withheld text uses words that public text never uses (a "zq" prefix), so the leak audit
has real withheld runs to search for and cannot be satisfied by chance.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from reportback.clps import Directory, load_directory
from reportback.model import VOTES

MEETINGS = (
    ("National Executive Committee", "nec"),
    ("Organisation Committee", "org"),
    ("Disputes Panel", "disputes"),
    ("Equalities Committee", "equalities"),
    ("Home Policy Committee", "home-policy"),
    ("International Committee", "international"),
)
ITEMS = (
    "General Secretary's report", "Leader's report", "Finance and audit", "Membership figures",
    "Conference arrangements", "Selections and by-elections", "Rule changes", "Policy forum",
    "Local government", "Campaigns and elections", "Young members", "Trade union liaison",
    "Equalities", "Complaints process", "Digital and data", "Regional reports", "Staffing",
    "International", "Training and development", "Any other business",
)  # fmt: skip
_PUBLIC_TEXT = (
    "the committee agreed members party local branch report motion vote debate council "
    "policy conference campaign election candidate selection ballot secretary chair "
    "treasurer region national executive proposal amendment rule change timetable process "
    "review budget income spending staff office support training meeting minutes agenda "
    "item discussion question answer concern issue point decision recommendation panel "
    "hearing equality diversity young women disabled trade union affiliate delegate "
    "constituency ward councillor mayor parliament government opposition manifesto "
    "housing health education transport climate economy jobs wages community volunteer "
    "canvass leaflet doorstep phone bank target seat majority turnout result record "
    "figure total increase decrease quarter year month week spring summer autumn winter "
    "report back written promise every member deserves clear account what happened and "
    "why I voted for against abstained noted welcomed asked raised explained confirmed "
    "expected planned delayed reviewed published circulated consulted proposed supported "
    "opposed carried lost unanimously narrowly after long short careful detailed brief "
    "full open fair transparent accountable democratic local national regional new "
    "further next previous current important urgent significant modest strong weak good "
    "better best work plan strategy"
)
_SECRET_TEXT = (
    "zqalpha zqbravo zqcharlie zqdelta zqecho zqfoxtrot zqgolf zqhotel zqindia zqjuliet "
    "zqkilo zqlima zqmike zqnovember zqoscar zqpapa zqquebec zqromeo zqsierra zqtango"
)
WORDS = tuple(_PUBLIC_TEXT.split())
SECRET = tuple(_SECRET_TEXT.split())
FIRST = ("Jane", "Amir", "Siobhan", "Dafydd", "Priya", "Tom", "Grace", "Kwame", "Ewan", "Ruth")
LAST = ("Example", "Okafor", "Murphy", "Jones", "Patel", "Walsh", "Campbell", "Mensah", "Reid")
REASONS = ("Individual disciplinary cases", "Legal advice", "Staffing matter", "")
CADENCES = ("immediate", "weekly", "weekly", "weekly", "monthly")


@dataclass(frozen=True)
class Corpus:
    reports: int
    subscribers: int
    seed: int = 2016


def write_reports(corpus: Corpus, folder: Path, directory: Directory | None = None) -> list[Path]:
    """Write `corpus.reports` Markdown reports into `folder`; return their paths."""
    directory = directory or load_directory()
    rng = random.Random(corpus.seed)
    folder.mkdir(parents=True, exist_ok=True)
    start = date(2016, 9, 20)
    paths = []
    for n in range(corpus.reports):
        day = start + timedelta(days=n * 3653 // max(corpus.reports, 1))
        meeting, short = MEETINGS[n % len(MEETINGS)]
        path = folder / f"{day.isoformat()}-{short}-{n:04d}.md"
        path.write_text(_report(rng, n, day, meeting, directory), encoding="utf-8")
        paths.append(path)
    write_register(corpus, folder.parent / "meetings.yaml")
    return paths


def write_register(corpus: Corpus, path: Path) -> None:
    """Write the meetings register: every report's meeting, and one unreported meeting
    between each two (so the record has every kind of row to show)."""
    start = date(2016, 9, 20)
    lines = []
    for n in range(corpus.reports):
        day = start + timedelta(days=n * 3653 // max(corpus.reports, 1))
        meeting = MEETINGS[n % len(MEETINGS)][0]
        lines.append(f"- {{meeting: {meeting}, date: {day.isoformat()}}}")
        extra = ", status: cancelled" if n % 7 == 0 else ", attended: false" if n % 11 == 0 else ""
        lines.append(
            f"- {{meeting: Extra meeting, date: {(day + timedelta(1)).isoformat()}{extra}}}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_subscribers(corpus: Corpus, path: Path, directory: Directory | None = None) -> Path:
    """Write the members CSV for `corpus.subscribers` synthetic subscribers."""
    directory = directory or load_directory()
    rng = random.Random(corpus.seed + 1)
    slugs = [c.slug for c in directory.clps]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["email", "name", "clp", "cadence", "consent_date"])
        for i in range(corpus.subscribers):
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            writer.writerow(
                [f"member{i}@example.org", name, rng.choice(slugs), rng.choice(CADENCES), ""]
            )
    return path


def _report(rng: random.Random, n: int, day: date, meeting: str, directory: Directory) -> str:
    head = [
        f'title: "Report from the {meeting}, {day.strftime("%-d %B %Y")} ({n})"',
        f"meeting: {meeting}",
        f"meeting_date: {day.isoformat()}",
        f"tags: [{', '.join(rng.sample(('conference', 'rules', 'finance', 'selections'), 2))}]",
    ]
    if rng.random() < 0.7:
        head.append(f'summary: "{_sentence(rng, WORDS, 20, 35)}"')
    if rng.random() < 0.05:
        head.append(f"clps: [{', '.join(c.slug for c in rng.sample(directory.clps, 3))}]")
    elif rng.random() < 0.05:
        head.append(f'regions: ["{rng.choice(directory.regions)}"]')
    if rng.random() < 0.1:
        note = _sentence(rng, WORDS, 8, 14)
        head.append(f'corrections:\n  - {{date: {day + timedelta(days=3)}, note: "{note}"}}')
    body = [_paragraph(rng, WORDS, 3)]
    for k in range(rng.randint(8, 15)):
        body.append(_item(rng, k, directory))
    body.append("My next report will follow the next meeting.")
    return "---\n" + "\n".join(head) + "\n---\n\n" + "\n\n".join(body) + "\n"


def _item(rng: random.Random, k: int, directory: Directory) -> str:
    title = f"{rng.choice(ITEMS)} ({k + 1})"
    attrs = ""
    if rng.random() < 0.1:
        reason = rng.choice(REASONS)
        attrs = f' {{.confidential reason="{reason}"}}' if reason else " {.confidential}"
        words: tuple[str, ...] | list[str] = SECRET
    else:
        words = WORDS
        if rng.random() < 0.08:
            attrs = f' {{clps="{" ".join(c.slug for c in rng.sample(directory.clps, 2))}"}}'
        elif rng.random() < 0.05:
            attrs = f' {{regions="{rng.choice(directory.regions)}"}}'
    if k % 3 == 0:  # a decision and the rep's vote on every third item (no draw: same corpus)
        vote = f'decision="Agreed by {10 + k} votes to {k}" vote={VOTES[k % len(VOTES)]}'
        attrs = f" {{{vote}}}" if not attrs else attrs[:-1] + f" {vote}}}"
    parts = [f"## {title}{attrs}", _paragraph(rng, words, 5)]
    if words is WORDS:
        if rng.random() < 0.3:
            level = rng.choice(("confidential", "members"))
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)} zq{rng.randrange(10**6)}"
            parts.append(f"The item was led by [{name}]{{.{level}}}. {_sentence(rng, WORDS)}")
        if rng.random() < 0.15:
            parts.append(f"::: members\n{_paragraph(rng, SECRET, 2)}\n:::")
        if rng.random() < 0.2:
            parts.append(_table(rng))
        if rng.random() < 0.15:
            parts.append(f"{_sentence(rng, WORDS)}[^n{k}]\n\n[^n{k}]: {_sentence(rng, WORDS)}")
    parts.append(_paragraph(rng, words, 3))
    return "\n\n".join(parts)


def _table(rng: random.Random) -> str:
    rows = ["| Measure | Last year | This year |", "|---|---:|---:|"]
    rows += [
        f"| {rng.choice(WORDS).title()} | {rng.randrange(10**5)} | {rng.randrange(10**5)} |"
        for _ in range(rng.randint(3, 6))
    ]
    return "\n".join(rows)


def _paragraph(rng: random.Random, words: tuple[str, ...] | list[str], sentences: int) -> str:
    return " ".join(_sentence(rng, words) for _ in range(sentences))


def _sentence(
    rng: random.Random, words: tuple[str, ...] | list[str], low: int = 9, high: int = 18
) -> str:
    chosen = [rng.choice(words) for _ in range(rng.randint(low, high))]
    return " ".join(chosen).capitalize() + "."
