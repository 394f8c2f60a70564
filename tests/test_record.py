"""The accountability record: the register, decisions and votes, statuses and lags, open data,
the feed of decisions, CLP pages, status, and what is withheld from all of them."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest

from reportback import database
from reportback.config import Config, ScheduleConfig
from reportback.errors import InputRefused
from reportback.mail import reminders
from reportback.output import search_index
from reportback.output.templates import default_dir
from reportback.record import pages as record_pages
from reportback.record.accountability import Reported, make
from reportback.record.register import Meeting

from .conftest import NOW, Result, everything, report

Cli = Callable[..., Result]
Project = Callable[[dict[str, str | bytes]], Path]
LONDON = ZoneInfo("Europe/London")

PUBLIC_DECISION = "Agreed the timetable by nineteen votes to nine"
CONFIDENTIAL = "Zanzibar quokka expelled"
MEMBERS = "Marmalade ballot withdrawn"

BODY = f"""\
## Selection timetable {{clps="witney" decision="{PUBLIC_DECISION}" vote=against}}

The NEC set the selection timetable for Witney.

## Rule changes {{decision="Agreed without a vote" vote=no-vote}}

The rule changes went through.

## Disputes {{.confidential decision="{CONFIDENTIAL} from the party" vote=for}}

Withheld discussion of the case.

## Members matter {{.members decision="{MEMBERS} by the panel" vote=abstained}}

Only members read this.

::: members
### Ballot wording {{decision="{MEMBERS} in the end" vote=against}}

Members only, in a div.
:::
"""

REGISTER = """\
- {meeting: National Executive Committee, date: 2026-09-20}
- meeting: Organisation Committee
  date: 2026-10-06
- {meeting: Disputes Panel, date: 2026-10-13, attended: false}
- {meeting: National Executive Committee, date: 2026-07-14, status: cancelled}
- {meeting: Organisation Committee, date: 2026-08-11, status: postponed, note: to September}
- {meeting: National Executive Committee, date: 2026-11-24}
"""


def record_project(project: Project) -> Path:
    return project({
        "reports/2026-09-20-nec.md": report(BODY, meeting_date="2026-09-20", tags=["selections"]),
        "meetings.yaml": REGISTER,
    })  # fmt: skip


def test_each_status_and_the_lag_in_the_open_data(cli: Cli, project: Project) -> None:
    root = record_project(project)
    assert cli("build", "--now", NOW).code == 0
    data = json.loads((root / "site/record.json").read_text())
    statuses = {(m["meeting"], m["date"]): m for m in data["meetings"]}
    nec = statuses[("National Executive Committee", "2026-09-20")]
    assert nec["status"] == "reported" and nec["lag_days"] == 63
    assert nec["report"] == "http://localhost:8000/reports/2026-09-20-nec/"
    assert nec["published"] == NOW
    assert statuses[("Organisation Committee", "2026-10-06")]["status"] == "not-reported"
    assert statuses[("Disputes Panel", "2026-10-13")]["status"] == "absent"
    assert statuses[("National Executive Committee", "2026-07-14")]["status"] == "cancelled"
    assert statuses[("Organisation Committee", "2026-08-11")]["status"] == "postponed"
    assert statuses[("National Executive Committee", "2026-11-24")]["status"] == "upcoming"
    assert [m["date"] for m in data["meetings"]] == sorted(statuses_dates(data), reverse=True)
    page = (root / "site/record/index.html").read_text()
    assert "not yet reported (47 days)" in page and "rep absent" in page
    assert "63 days after the meeting" in page and "to September" in page


def test_the_record_pages_are_made_again_only_when_the_record_changes(
    cli: Cli, project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = record_project(project)
    assert cli("build", "--now", NOW).code == 0
    log = tmp_path / "made.log"  # the record's pages are made in a forked child: it logs
    real = record_pages.pages

    def pages(*args: object) -> dict[str, bytes]:
        with log.open("a") as out:
            out.write("made\n")
        return real(*args)  # type: ignore[arg-type]

    def made() -> int:
        count = len(log.read_text().split()) if log.exists() else 0
        log.unlink(missing_ok=True)
        return count

    monkeypatch.setattr(record_pages, "pages", pages)
    path = root / "reports/2026-09-20-nec.md"  # its text, not what the record shows of it
    path.write_text(path.read_text().replace("went through", "went through in full"))
    assert cli("build", "--now", NOW).code == 0
    assert made() == 0
    assert "in full" in (root / "site/reports/2026-09-20-nec/index.html").read_text()
    assert cli("build", "--now", "2026-11-23T12:00:00+00:00").code == 0  # a day later
    assert made() == 1
    assert "not yet reported (48 days)" in (root / "site/record/index.html").read_text()


def test_any_template_may_use_the_days_filter(cli: Cli, project: Project) -> None:
    """The record's filter is the site's: a CLP page override using it builds, whether or not
    the record's pages are made in the same build."""
    root = record_project(project)
    assert cli("build", "--now", NOW).code == 0  # the record's pages are kept from now on
    clp = (default_dir() / "clp.html").read_text()
    (root / "templates").mkdir()
    (root / "templates/clp.html").write_text(clp.replace("</h1>", " ({{ 2.5 | days }})</h1>"))
    assert cli("build", "--now", NOW).code == 0
    assert "(2.5 days)</h1>" in (root / "site/clp/witney/index.html").read_text()


def statuses_dates(data: dict[str, list[dict[str, str]]]) -> list[str]:
    return [m["date"] for m in data["meetings"]]


def test_a_meeting_reported_the_next_morning_took_one_day_across_time_zones() -> None:
    """A meeting ending at 23:30 local, reported at 00:30 local (23:30 UTC the same day): one
    day, not zero; and across the end of summer time (25 October 2026), one day too."""
    summer = Reported("a", "A", "NEC", date(2016, 9, 20),
                      datetime.fromisoformat("2016-09-20T23:30:00+00:00"), (), ())  # fmt: skip
    autumn = Reported("b", "B", "NEC", date(2026, 10, 24),
                      datetime.fromisoformat("2026-10-25T08:00:00+00:00"), (), ())  # fmt: skip
    now = datetime.fromisoformat("2026-10-26T00:00:00+00:00")
    made = make([], [summer, autumn], now, LONDON)
    assert {r.report: r.lag_days for r in made.rows} == {"a": 1, "b": 1}
    assert make([], [summer], now, ZoneInfo("UTC")).rows[0].lag_days == 0  # the zone counts


def test_upcoming_and_overdue_turn_at_local_midnight() -> None:
    meeting = [Meeting("NEC", date(2026, 3, 29))]  # summer time starts that night
    before = datetime.fromisoformat("2026-03-28T23:59:00+00:00")  # 23:59 GMT on the 28th
    after = datetime.fromisoformat("2026-03-29T23:30:00+00:00")  # 00:30 BST on the 30th
    assert make(meeting, [], before, LONDON).rows[0].status == "upcoming"
    late = make(meeting, [], after, LONDON).rows[0]
    assert late.status == "not-reported" and late.waiting_days == 1


def test_a_build_reports_the_lag_in_local_days(cli: Cli, project: Project) -> None:
    """Published by a build at 00:30 BST (23:30 UTC the day before) the night after a meeting."""
    root = project({"reports/a.md": report("Text.\n", meeting_date="2016-09-20")})
    assert cli("build", "--now", "2016-09-20T23:30:00+00:00").code == 0
    data = json.loads((root / "site/record.json").read_text())
    assert data["meetings"][0]["status"] == "reported" and data["meetings"][0]["lag_days"] == 1


def test_public_votes_reach_every_output_and_withheld_ones_none(cli: Cli, project: Project) -> None:
    root = record_project(project)
    assert cli("build", "--now", NOW).code == 0
    votes = json.loads((root / "site/record.json").read_text())["votes"]
    assert [(v["item"], v["decision"], v["vote"]) for v in votes] == [
        ("Selection timetable", PUBLIC_DECISION, "against"),
        ("Rule changes", "Agreed without a vote", "no-vote"),
    ]
    assert votes[0]["url"] == "http://localhost:8000/reports/2026-09-20-nec/#selection-timetable"
    rows = list(csv.reader(io.StringIO((root / "site/votes.csv").read_text())))
    assert rows[0] == ["date", "meeting", "item", "decision", "vote", "url"]
    assert rows[1][:5] == ["2026-09-20", "National Executive Committee", "Selection timetable",
                           PUBLIC_DECISION, "against"]  # fmt: skip
    feed = feedparser.parse((root / "feeds/decisions.xml").read_bytes())
    assert [e.title for e in feed.entries] == [
        f"Selection timetable: {PUBLIC_DECISION}",
        "Rule changes: Agreed without a vote",
    ]
    assert len(feedparser.parse((root / "feeds/decisions.atom").read_bytes()).entries) == 2
    assert PUBLIC_DECISION in (root / "site/votes/index.html").read_text()
    assert any(PUBLIC_DECISION in text for text in index_texts(root))
    witney = (root / "site/clp/witney/index.html").read_text()
    assert "Decisions that concern your CLP" in witney and PUBLIC_DECISION in witney
    hackney = root / "site/clp/hackney-north-and-stoke-newington/index.html"
    assert "Decisions that concern your CLP" not in hackney.read_text()
    text = everything(root / "site") + everything(root / "feeds")
    for canary in (CONFIDENTIAL, MEMBERS, "Zanzibar", "Marmalade"):
        assert canary not in text
    page = (root / "site/reports/2026-09-20-nec/index.html").read_text()
    assert "decision=" not in page and "data-decision" not in page and "data-vote" not in page


def index_texts(root: Path) -> list[str]:
    return [
        gzip.decompress(p.read_bytes()).decode("utf-8", errors="replace")
        for p in (root / "site/pagefind").rglob("*.pf_*")
    ]


def test_the_audit_reads_the_search_index(
    cli: Cli, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An index that held withheld words (a broken Pagefind run) refuses the build."""
    root = record_project(project)
    real = search_index.Indexing._finish

    def leaky(indexing: search_index.Indexing, shard: str) -> None:
        real(indexing, shard)
        text = f'pagefind_dcd{{"content":"{CONFIDENTIAL} from the party"}}'
        leak = indexing.made[shard] / "fragment/en_leak.pf_fragment"
        leak.parent.mkdir(parents=True, exist_ok=True)
        leak.write_bytes(gzip.compress(text.encode()))

    monkeypatch.setattr(search_index.Indexing, "_finish", leaky)
    result = cli("build", "--now", NOW)
    assert result.code == 1
    assert "/fragment/en_leak.pf_fragment" in result.err
    assert not (root / "site").exists()


def test_a_failed_pagefind_refuses_the_build_and_leaves_nothing_half_made(
    cli: Cli, project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = record_project(project)
    assert cli("build", "--now", NOW).code == 0
    before = (root / "site/index.html").stat().st_ino
    store = next((root / ".reportback/cache/search").iterdir())
    kept = sorted(p.name for p in store.iterdir())
    broken = tmp_path / "pagefind"
    broken.write_text("#!/bin/sh\necho 'Error: the index could not be written' >&2\nexit 2\n")
    broken.chmod(0o755)
    monkeypatch.setattr(search_index, "executable", lambda: str(broken))
    edited = root / "reports/2026-09-20-nec.md"
    edited.write_text(edited.read_text().replace("The NEC set", "The NEC again set"))
    result = cli("build", "--now", NOW)
    assert result.code == 3
    assert "Pagefind failed (exit 2): Error: the index could not be written" in result.err
    assert (root / "site/index.html").stat().st_ino == before  # the site as it was
    assert sorted(p.name for p in store.iterdir()) == kept  # no shard half made


@pytest.mark.parametrize(
    ("heading", "message"),
    [
        ("{vote=yes}", "vote='yes' is not a vote: write one of for, against, abstained"),
        ("{votes=for}", "attribute votes= looks like decision= or vote= but is not one"),
        ("{Vote=For}", "attribute Vote= looks like decision= or vote= but is not one"),
        ('{decison="Agreed"}', "attribute decison= looks like decision= or vote= but is not"),
        ('{decision=""}', "decision= is empty"),
        ('{decision="\u200b"}', "decision= is empty"),  # adversary helper 129: recorded
        ("{vote=For}", "vote='For' is not a vote"),
        # adversary helpers 78 and 79: a decision that says it is withheld reached votes.csv,
        # and a heading whose only words are withheld was published empty with its decision
        ('{decision="Confidential per NEC: expelled"}', "decision='Confidential per NEC: exp"),
        ('{decision="Expelled (members only)"}', "decision='Expelled (members only)': 'Exp"),
        # adversary helper 104: pandoc attached none of these, so each was published as the
        # heading's words and no vote recorded
        ("{vote= for}", "'{vote= for}' looks like a decision or a vote, but pandoc read it"),
        ("{vote=\tfor}", "'{vote= for}' looks like a decision or a vote, but pandoc read it"),
        ('{decision= "Agreed" vote=for}', "'{decision= Agreed vote=for}' looks like a decision"),
        ("{vote = against}", "'{vote = against}' looks like a decision or a vote"),
    ],
)
def test_near_miss_vote_attributes_refuse_the_report(
    cli: Cli, project: Project, heading: str, message: str
) -> None:
    project({"reports/a.md": report(f"Intro.\n\n## Item {heading}\n\nText.\n")})
    result = cli("check")
    assert result.code == 1
    assert result.err.startswith(f"reports/a.md:9: {message}")


def test_a_decision_on_a_heading_whose_words_are_all_withheld_is_refused(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 78: it was published as an empty heading, its item empty in votes.csv."""
    project({"reports/a.md": report("Intro.\n\n## [zq]{.members} {decision=Agreed}\n\nText.\n")})
    result = cli("check")
    assert result.code == 1
    assert result.err.startswith("reports/a.md:9: a decision or vote needs a heading with words")


def test_a_vote_only_on_a_heading_and_ordinary_keys_pass(cli: Cli, project: Project) -> None:
    body = '[agreed]{vote=for}\n\n## Item {lang=en title="Vote count"}\n\nText.\n'
    project({"reports/a.md": report(body)})
    result = cli("check")
    assert result.code == 1
    assert result.err.splitlines() == [
        "reports/a.md:7: vote= only works on a heading (an agenda item)",
        "refused: 1 problem; fix them and check again",
    ]


BAD_REGISTER = """\
- {meeting: NEC, date: 2026-02-30}
- {meeting: NEC, date: 2026-03-01, colour: red}
- {meeting: Organisation Committee, date: 2026-03-02}
- {meeting: organisation committee, date: 2026-03-02}
- {meeting: NEC, date: 2026-03-03, status: done}
- {meeting: NEC, date: 2026-03-04, attended: maybe}
- {meeting: NEC, date: 03/05/2026}
- {date: 2026-03-06}
- just a line
- {meeting: Disputes Panel, date: 2026-03-07, note: "held in private [zq]{.confidential}"}
- {meeting: "Panel [zq]{class=members}", date: 2026-03-08}
- {meeting: NEC, date: 2026-03-09, note: "see <!-- zq -->"}
- {meeting: NEC, date: 2026-03-10, note: "chair [zq]︷.members︸"}
- {meeting: NEC, date: 2026-03-11, note: "CONFIDENTIAL: the chair zq resigned"}
- {meeting: NEC, date: 2026-03-12, note: "not for publication - zq balloted"}
- {meeting: "Disputes Panel (members only)", date: 2026-03-13}
- meeting: NEC
  date: 2026-03-14
  note: |
    Held in Leeds.
    CONFIDENTIAL: the chair zq resigned
- {meeting: NEC, date: 2026-03-15, note: !confidential zq was expelled}
- {meeting: NEC, date: 2026-03-16T10:00:00}
"""
BAD_LINES = [
    "meetings.yaml:1: date '2026-02-30' is not a date: write YYYY-MM-DD (a day that exists)",
    "meetings.yaml:2: unknown key 'colour'; the keys are meeting, date, status, attended, note",
    "meetings.yaml:4: duplicate entry: organisation committee on 2026-03-02 is already on line 3",
    "meetings.yaml:5: status 'done' must be one of held, cancelled, postponed",
    "meetings.yaml:6: attended 'maybe' must be true or false",
    "meetings.yaml:7: date '03/05/2026' is not a date: write YYYY-MM-DD (a day that exists)",
    "meetings.yaml:8: missing meeting: each entry needs meeting and date",
    "meetings.yaml:9: each entry must be {meeting, date}",
    "meetings.yaml:10: note holds a withholding mark, fence, comment or tag ('{.confidential}'), "
    "but the register is public text, published as written: leave it out",
    "meetings.yaml:11: meeting holds a withholding mark, fence, comment or tag "
    "('{class=members}'), but the register is public text, published as written: leave it out",
    "meetings.yaml:12: note holds a withholding mark, fence, comment or tag ('<!--'), but the "
    "register is public text, published as written: leave it out",
    "meetings.yaml:13: note holds a withholding mark, fence, comment or tag ('.members'), but "
    "the register is public text, published as written: leave it out",
    "meetings.yaml:14: note: 'CONFIDENTIAL:' says it is withheld, but the register is public "
    "text, published as written: reword it, or leave it out",  # held-out round 22: published
    "meetings.yaml:15: note: 'not for publication' says it is withheld, but the register is "
    "public text, published as written: reword it, or leave it out",
    "meetings.yaml:16: meeting: 'Disputes Panel (members only)' says it is withheld, but the "
    "register is public text, published as written: reword it, or leave it out",
    "meetings.yaml:19: note: 'CONFIDENTIAL:' says it is withheld, but the register is public "
    "text, published as written: reword it, or leave it out",  # on its second line
    "meetings.yaml:22: note has a YAML tag (!confidential): a tag is not read, and the words "
    "after it would be published; take it out",  # adversary helper 116: published
    "meetings.yaml:23: date 2026-03-16T10:00:00 is not a date: write YYYY-MM-DD (a day that "
    "exists)",  # adversary helper 116: Python's datetime.datetime(2026, 3, 16, 10, 0)
]


@pytest.mark.parametrize("command", [("check",), ("build", "--now", NOW), ("status",), ("run",)])
def test_a_bad_register_is_refused_with_its_lines(
    cli: Cli, project: Project, command: tuple[str, ...]
) -> None:
    root = project({"reports/a.md": report(), "meetings.yaml": BAD_REGISTER})
    result = cli(*command)
    assert result.code == 1
    assert result.err.splitlines()[: len(BAD_LINES)] == BAD_LINES
    assert "Traceback" not in result.err
    assert not (root / "site").exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_register_date_out_of_any_year_a_meeting_is_held_is_refused(
    cli: Cli, project: Project, day: str
) -> None:
    """Adversary helper 99: year 1 was accepted, and `status` said 739,954 days overdue."""
    project({"reports/a.md": report(), "meetings.yaml": f"- {{meeting: NEC, date: {day}}}\n"})
    result = cli("status", "--now", NOW)
    assert result.code == 1, result.err
    assert f"meetings.yaml:1: date {day} is not in a year from 1900 to 2999" in result.err


def test_a_quoted_date_in_the_register_is_a_day(cli: Cli, project: Project) -> None:
    """Held-out round 12: `date: "2026-12-08"` was refused, where front matter takes it."""
    register = '- {meeting: NEC, date: "2016-09-20"}\n- {meeting: NEC, date: "2016-09-31"}\n'
    project({"reports/a.md": report(), "meetings.yaml": register})
    result = cli("check")
    assert result.code == 1
    assert result.err.splitlines()[0].startswith("meetings.yaml:2: date '2016-09-31' is not")
    project({"reports/a.md": report(), "meetings.yaml": register.split("\n")[0] + "\n"})
    assert cli("check").code == 0


def test_a_register_that_is_not_yaml_names_its_line(cli: Cli, project: Project) -> None:
    project({"reports/a.md": report(), "meetings.yaml": "- {meeting: NEC, date: 2026-03-01\n"})
    result = cli("check")
    assert result.code == 1 and result.err.startswith("meetings.yaml:2: not valid YAML")


def test_status_starts_with_the_record(cli: Cli, project: Project) -> None:
    record_project(project)
    assert cli("build", "--now", NOW).code == 0
    lines = cli("status", "--now", NOW).out.splitlines()
    assert lines[:4] == [
        "record 2026: 3 meetings held, 1 reported (median 63 days to report), "
        "1 not reported, 1 absent",
        "overdue: Organisation Committee of 6 Oct 2026, 47 days",
        "upcoming: National Executive Committee on 24 Nov 2026",
        "reports: 1 published, 0 due at the next build, 0 embargoed, 0 drafts, 0 confidential",
    ]


def test_reminders_read_the_same_register(tmp_path: Path) -> None:
    """Only a held meeting the rep attended, with no report, brings a reminder."""
    (tmp_path / "meetings.yaml").write_text(REGISTER)
    config = Config(root=tmp_path)
    db = database.connect(config.path("state"))
    now = datetime.fromisoformat(NOW)
    reported = {("national executive committee", date(2026, 9, 20))}
    due = reminders.due(db, config, {(m.upper(), d) for m, d in reported}, now)
    assert [(m.meeting, m.day) for m in due] == [("Organisation Committee", date(2026, 10, 6))]
    db.close()


@pytest.mark.parametrize("days", [0, 3_000_000, 1_000_000_000])
def test_reminders_are_due_after_any_number_of_days_a_setting_takes(
    tmp_path: Path, days: int
) -> None:
    """Adversary helper 70: with `reminder_days = 3000000` (a setting takes up to 10⁹) the
    daemon logged an OverflowError on every tick, and never reminded: a date that many
    days after a meeting is past the year 9999."""
    (tmp_path / "meetings.yaml").write_text(REGISTER)
    config = Config(root=tmp_path, schedule=ScheduleConfig(reminder_days=days))
    db = database.connect(config.path("state"))
    due = reminders.due(db, config, set(), datetime.fromisoformat(NOW))
    assert bool(due) == (days == 0), due
    db.close()


def test_a_comment_or_key_written_into_a_registers_note_is_refused(
    cli: Cli, project: Project
) -> None:
    """Held-out round 20: a `# …` line in a `note: >-` block was published on the record's
    page as words; a `status:` indented into it left the meeting held."""
    register = (
        "- meeting: NEC\n  date: 2016-09-20\n  note: >-\n    Held online.\n"
        "    # internal: at the chair's home\n"
        "- meeting: Disputes Panel\n  date: 2016-09-21\n  note: >-\n    Short.\n"
        "    status: cancelled\n"
    )
    root = project({"reports/a.md": report(), "meetings.yaml": register})
    result = cli("build", "--now", NOW)
    assert result.code == 1 and not (root / "site").exists()
    lines = result.err.splitlines()
    assert lines[0].startswith("meetings.yaml:5: ") and "not as a comment" in lines[0]
    assert lines[1].startswith("meetings.yaml:10: ") and "not as the key 'status'" in lines[1]


def test_a_cell_a_spreadsheet_would_run_is_written_as_text(cli: Cli, project: Project) -> None:
    """Held-out round 20: `votes.csv` wrote a decision or item starting with `=` or `@` as
    it was, which a spreadsheet runs as a formula when the open data is opened."""
    body = (
        '## @uklabour statement {decision="=HYPERLINK(\\"http://evil.example\\",\\"x\\")" '
        'vote=for}\n\nAgreed.\n\n## Budget {decision="Agreed 22-8" vote=against}\n\nYes.\n'
    )
    root = project({"reports/2026-09-20-nec.md": report(body, meeting_date="2026-09-20")})
    assert cli("build", "--now", NOW).code == 0, "built"
    rows = list(csv.reader(io.StringIO((root / "site/votes.csv").read_text())))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'@uklabour statement" in cells and '\'=HYPERLINK("http://evil.example","x")' in cells
    assert "Agreed 22-8" in cells and "Budget" in cells, "other cells as written"
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))]


def test_a_register_read_before_is_taken_from_the_cache_by_its_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bench's ten-year register took a sixth of a second to check on every build."""
    from reportback.cache import Cache
    from reportback.record import register

    calls: list[str] = []
    checked = register.parse

    def parse(text: str, path: Path) -> tuple[Meeting, ...]:
        calls.append(text)
        return checked(text, path)

    monkeypatch.setattr(register, "parse", parse)
    cache = Cache(tmp_path / "cache")
    (tmp_path / "meetings.yaml").write_text("- {meeting: NEC, date: 2016-09-20}\n")
    first = register.load(tmp_path, cache)
    register._parsed.cache_clear()  # as a new build: only the store remembers it
    assert register.load(tmp_path, cache) == first == (Meeting("NEC", date(2016, 9, 20)),)
    assert len(calls) == 1
    (tmp_path / "meetings.yaml").write_text("- {meeting: NEC, date: 2016-09-21}\n")
    assert register.load(tmp_path, cache)[0].day == date(2016, 9, 21)
    (tmp_path / "meetings.yaml").write_text("- {meeting: NEC, date: 2016-09-31}\n")
    for _ in range(2):  # a refusal is never stored: refused again, by a parse each time
        register._parsed.cache_clear()
        with pytest.raises(InputRefused):
            register.load(tmp_path, cache)
    assert len(calls) == 4
