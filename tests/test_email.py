"""Email digests end to end against a real SMTP server: content, headers, faults, exactly once."""

from __future__ import annotations

import email
import email.policy
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

from reportback.commands.daemon import Daemon
from reportback.config import load_config

from .conftest import Result, pdf_text, report
from .smtp import Faults, Server

Cli = Callable[..., Result]
Project = Callable[[dict[str, str | bytes]], Path]
T0, T1, T2 = "2026-11-01T09:00:00+00:00", "2026-11-20T09:00:00+00:00", "2026-11-20T10:00:00+00:00"
LATER = "2026-11-20T12:00:00+00:00"
MEMBERS = (
    "email,name,clp,cadence,consent_date\n"
    "ann@example.org,Ann Witney,witney,immediate,2020-01-01\n"
    "bob@example.org,Bob Hackney,hackney-north-and-stoke-newington,immediate,\n"
    "cat@example.org,Cat Weekly,Witney,weekly,\n"
)


def reports() -> dict[str, str | bytes]:
    return {
        "reports/2016-09-20-nec.md": report(
            "The NEC met in Liverpool and agreed the conference timetable.\n\n"
            '## Hackney timetable {clps="hackney-north-and-stoke-newington"}\n\nDates agreed.\n\n'
            "::: members\nzqmembersonly briefing pack for delegates at the regional meetings\n"
            ":::\n\n"
            "## Disputes {.confidential}\n\nzqconfidential expulsion of a named member\n",
            title="NEC, 20 September",
        ),
        "reports/2016-10-04-witney.md": report(
            "Only for Witney.\n", title="Witney selection", clps=["witney"]
        ),
    }


def setup(cli: Cli, project: Project, server: Server, **extra: str | int) -> Path:
    files = reports() | {"members.csv": MEMBERS, "reportback.toml": server.config(**extra)}  # type: ignore[arg-type]
    root = project(files)
    assert cli("subscribers", "import", "members.csv", "--now", T0).code == 0
    assert cli("build", "--now", T1).code == 0
    return root


def parts(message: EmailMessage) -> str:
    """Return every header and decoded part of a message as one text."""
    out = [f"{k}: {v}" for k, v in message.items()]
    for part in message.walk():
        if not part.is_multipart():
            payload = part.get_content()
            out.append(payload if isinstance(payload, str) else payload.decode("latin-1"))
    return "\n".join(out)


def test_send_end_to_end(cli: Cli, project: Project) -> None:
    with Server() as server:
        root = setup(cli, project, server)
        result = cli("digest", "send", "--now", T2)
        assert result.code == 0, result.err
        assert "4 queued, 4 sent" in result.err
        messages = server.recorder.parsed()
    by_rcpt: dict[str, list[EmailMessage]] = {}
    for m in messages:
        by_rcpt.setdefault(str(m["To"].addresses[0].addr_spec), []).append(m)
    assert sorted(len(v) for v in by_rcpt.values()) == [1, 1, 2]
    assert [m["Subject"] for m in by_rcpt["bob@example.org"]] == [
        "NEC, 20 September — NEC report-back"
    ]
    assert len(by_rcpt["ann@example.org"]) == 2  # immediate: one message per report
    weekly = by_rcpt["cat@example.org"]
    assert len(weekly) == 1 and weekly[0]["Subject"] == "2 new reports for Witney — NEC report-back"
    for m in messages:
        assert m.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in m.iter_parts()] == ["text/plain", "text/html"]
        for header in ("From", "To", "Subject", "Date", "Message-ID", "List-Id"):
            assert m[header], header
        unsubscribe = str(m["List-Unsubscribe"])
        assert unsubscribe.startswith("<https://nec.example.org/unsubscribe?token=")
        assert unsubscribe.endswith(", <mailto:reports@nec.example.org?subject=unsubscribe>")
        assert m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        text = parts(m)
        assert "zqconfidential" not in text
        assert "Dear " in text and "Unsubscribe with one click" in text
        if "NEC, 20" in str(m["Subject"]) or "2 new" in str(m["Subject"]):
            assert "zqmembersonly" in text  # imported members get members' material
    bob = parts(by_rcpt["bob@example.org"][0])
    assert "Concerns your CLP" in bob or "CONCERNS YOUR CLP" in bob
    assert "Witney selection" not in bob
    raw = [data for _, _, data in server.recorder.messages]
    assert max(len(line) for data in raw for line in data.split(b"\r\n")) <= 998
    assert len({m["Message-ID"] for m in messages}) == 4
    ids = sqlite3.connect(root / ".reportback/state.sqlite").execute(
        "SELECT COUNT(*) FROM outbox WHERE status = 'sent'"
    )
    assert ids.fetchone()[0] == 4


def test_a_long_name_is_refused_at_import_and_one_stored_before_is_cut_short(
    cli: Cli, project: Project
) -> None:
    """Adversary helpers 106, 107: a name of 990 characters made lines past SMTP's 998
    octets, and every message to that member was refused (`500 Line too long`)."""
    with Server() as server:
        long = "N" * 990
        members = MEMBERS + f"long@example.org,{long},witney,immediate,\n"
        root = project(reports() | {"members.csv": members, "reportback.toml": server.config()})
        result = cli("subscribers", "import", "members.csv", "--now", T0)
        assert (
            result.code == 1
            and "members.csv:5: name is 990 characters long; at most 100" in result.err
        )
        assert cli("subscribers", "import", "members.csv", "--now", T0, "--skip-bad").code == 0
        db = sqlite3.connect(root / ".reportback/state.sqlite")
        with db:  # as an older version stored it
            db.execute("UPDATE subscribers SET name = ? WHERE email = 'ann@example.org'",
                       ("é" * 600,))  # fmt: skip
        assert cli("build", "--now", T1).code == 0
        result = cli("digest", "send", "--now", T2)
        assert result.code == 0 and "4 sent" in result.err, result.err
        to_ann = [m for m in server.recorder.parsed() if "ann@example.org" in str(m["To"])]
        raw = [data for _, _, data in server.recorder.messages]
    assert to_ann and all("Dear " + "é" * 10 in parts(m) and "…" in parts(m) for m in to_ann)
    assert max(len(line) for data in raw for line in data.split(b"\r\n")) <= 998
    html = to_ann[0].get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "font-size: 16px" in html and "&#34;" not in html  # the style sheet read whole


def test_a_long_address_or_title_keeps_every_line_under_998_octets(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 144: a link to an address of 1,500 characters (a map's) made a text
    part line of 1,541, past SMTP's 998 octets; a strict server refuses the message."""
    address = "https://maps.example.org/place/?q=" + "a%2Cb" * 300
    files = reports()
    files["reports/2016-09-20-nec.md"] = report(f"We met at [the venue]({address}).\n",
                                                title="T" * 1200)  # fmt: skip
    with Server() as server:
        project(files | {"members.csv": MEMBERS, "reportback.toml": server.config()})
        assert cli("subscribers", "import", "members.csv", "--now", T0).code == 0
        assert cli("build", "--now", T1).code == 0
        sent = cli("digest", "send", "--now", T2)
        assert sent.code == 0 and "4 sent, 0 deferred, 0 failed" in sent.err, sent.err
        raw = [data for _, _, data in server.recorder.messages]
        text = "".join(parts(m) for m in server.recorder.parsed())
    assert raw and max(len(line) for data in raw for line in data.split(b"\r\n")) <= 998
    assert text.count(address) == 0 < text.replace("\r\n", "").count(address)  # broken, whole


def test_the_text_part_gives_each_link_its_address(cli: Cli, project: Project) -> None:
    """Adversary helper 107: the text part showed a link's words only, its address nowhere."""
    body = ("See [the timetable](https://example.org/page?a=1&b=2), [the Witney report]"
            "(../2016-10-04-witney/), [the budget](#budget) and <https://example.org/x>.\n\n"
            "## Budget\n\nAgreed.\n")  # fmt: skip
    files = reports() | {"reports/2016-09-20-nec.md": report(body, title="NEC, 20 September")}
    with Server() as server:
        project(files | {"members.csv": MEMBERS, "reportback.toml": server.config()})
        assert cli("subscribers", "import", "members.csv", "--now", T0).code == 0
        assert cli("build", "--now", T1).code == 0
        assert cli("digest", "send", "--now", T2).code == 0
        bob = next(m for m in server.recorder.parsed() if "bob@example.org" in str(m["To"]))
    text = " ".join(bob.get_body(("plain",)).get_content().split())  # type: ignore[union-attr]
    assert "the timetable <https://example.org/page?a=1&b=2>" in text, text
    assert "the Witney report <https://nec.example.org/reports/2016-10-04-witney/>" in text
    assert "the budget <https://nec.example.org/reports/2016-09-20-nec/#budget>" in text
    assert "and https://example.org/x." in text


def test_second_send_sends_nothing(cli: Cli, project: Project) -> None:
    with Server() as server:
        setup(cli, project, server)
        assert cli("digest", "send", "--now", T2).code == 0
        before = len(server.recorder.messages)
        result = cli("digest", "send", "--now", LATER)
        assert result.code == 0
        assert "0 queued, 0 sent" in result.err
        assert len(server.recorder.messages) == before == 4


def test_public_subscribers_never_get_members_material(cli: Cli, project: Project) -> None:
    with Server() as server:
        root = project(reports() | {"reportback.toml": server.config()})
        assert cli("subscribers", "count").code == 0  # make the store
        db = sqlite3.connect(root / ".reportback/state.sqlite")
        db.execute(
            "INSERT INTO subscribers (email, name, clp, cadence, audience, status, source, "
            "created_at) VALUES ('pub@example.org', 'Pat', 'witney', 'weekly', 'public', "
            "'active', 'form', '2026-11-01T00:00:00+00:00')"
        )  # joined before the build
        db.commit()
        assert cli("build", "--now", T1).code == 0
        assert cli("digest", "send", "--cadence", "weekly", "--now", T2).code == 0
        public = [m for m in server.recorder.parsed() if "pub@" in str(m["To"])]
    assert len(public) == 1
    text = parts(public[0])
    assert "Material for members withheld." in text
    assert "zqmembersonly" not in text and "zqconfidential" not in text


def test_refused_recipient_fails_and_three_hard_failures_suppress(
    cli: Cli, project: Project
) -> None:
    """Failures count once a run each (adversary helper 80: an immediate member's four
    messages refused in one bad run suppressed them): three runs suppress the address."""
    faults = Faults(refuse={"ann@example.org": "550 5.1.1 no such user"})
    with Server(faults) as server:
        root = setup(cli, project, server)
        result = cli("digest", "send", "--now", T2)
        assert "2 sent" in result.err and "2 failed, 0 suppressed" in result.err
        db = sqlite3.connect(root / ".reportback/state.sqlite")
        failures = "SELECT hard_failures, status FROM subscribers WHERE email = 'ann@example.org'"
        assert db.execute(failures).fetchone() == (1, "active"), "two in one run count once"
        for n, day in enumerate(("2016-10-05", "2016-10-06")):
            path = root / f"reports/{day}-more.md"
            path.write_text(report("More.\n", title=f"More {n}", meeting_date=day))
            assert cli("build", "--now", f"2026-11-2{n + 1}T09:00:00+00:00").code == 0
            result = cli("digest", "send", "--cadence", "immediate",
                         "--now", f"2026-11-2{n + 1}T10:00:00+00:00")  # fmt: skip
        assert "1 failed, 1 suppressed" in result.err
        assert db.execute(failures).fetchone() == (3, "bounced")
        assert cli("subscribers", "import", "members.csv", "--now", LATER).code == 0
        status = db.execute("SELECT status FROM subscribers WHERE email = 'ann@example.org'")
        assert status.fetchone()[0] == "bounced"  # re-import never re-subscribes
        assert not [m for m in server.recorder.messages if "ann@" in m[1][0]]


def test_a_run_in_which_the_server_refused_every_address_is_tried_again_uncounted(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 80: a server answering `550 5.1.1` to every address (its lookup
    down) failed every message for good and suppressed every immediate member in one run."""
    everyone = ("ann@example.org", "bob@example.org", "cat@example.org")
    with Server(Faults(refuse=dict.fromkeys(everyone, "550 5.1.1 no such user"))) as server:
        root = setup(cli, project, server)
        result = cli("digest", "send", "--now", T2)
        assert result.code == 0, result.err
        assert "0 sent, 4 deferred, 0 failed, 0 suppressed" in result.err
        assert "refused every address this run and took no message" in result.err
        db = sqlite3.connect(root / ".reportback/state.sqlite")
        assert {row for row in db.execute("SELECT status, hard_failures FROM subscribers")} == {
            ("active", 0)
        }
        server.recorder.faults.refuse.clear()  # the server's lookup is back
        result = cli("digest", "send", "--now", LATER)
        assert "4 sent" in result.err, result.err
    assert len(server.recorder.messages) == 4


def test_a_message_a_server_keeps_without_a_reply_goes_twice_at_most(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 80: a filter that kept the message and dropped the connection before
    its reply had it sent again at each send for 5 days: 25 copies. It goes once more, then
    is left as one that may have arrived."""
    with Server(Faults(drop_for={"ann@example.org"})) as server:
        root = setup(cli, project, server)
        for hour in range(10, 22):
            cli("digest", "send", "--now", f"2026-11-20T{hour}:00:00+00:00")
        to_ann = [m for m in server.recorder.messages if m[1] == ["ann@example.org"]]
        db = sqlite3.connect(root / ".reportback/state.sqlite")
        errors = [e for (e,) in db.execute("SELECT last_error FROM outbox WHERE status = 'failed'")]
    assert len(to_ann) == 2 * 2, "each of ann's two messages went twice, no more"
    assert len(errors) == 2 and all("it may have arrived, so it is not sent again" in e
                                    for e in errors)  # fmt: skip


def test_a_connection_dropped_before_the_message_went_is_tried_again_until_delivered(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 86: a connection dropped at RCPT TO (the server got none of it),
    twice, was recorded as handed over with no reply; two such sends failed every message
    for good as one that "may have arrived", after minutes, and nobody got the report."""
    everyone = {"ann@example.org", "bob@example.org", "cat@example.org"}
    with Server(Faults(drop_at_rcpt=set(everyone))) as server:
        root = setup(cli, project, server)
        for minute in ("00", "05"):
            result = cli("digest", "send", "--now", f"2026-11-20T10:{minute}:00+00:00")
            assert result.code == 0 and "0 failed" in result.err, result.err
        db = sqlite3.connect(root / ".reportback/state.sqlite")
        errors = [e for (e,) in db.execute("SELECT last_error FROM outbox")]
        assert len(errors) == 4 and all(e.startswith("connection dropped before") for e in errors)
        assert "may have arrived" not in cli("status", "--now", LATER).out
        server.recorder.faults.drop_at_rcpt.clear()  # the server is back
        assert "4 sent" in cli("digest", "send", "--now", LATER).err
    assert sorted(m[1][0] for m in server.recorder.messages) == sorted(
        [*everyone, "ann@example.org"]
    )


def test_a_send_that_reaches_no_server_leaves_nothing_that_may_have_arrived(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 86: a send that could not connect left the message each connection
    was about to hand over recorded as handed over, with no reply: moved to another CLP, its
    member was never sent the report."""
    with Server() as server:
        root = setup(cli, project, server)
    result = cli("digest", "send", "--now", T2)  # the server is down
    assert result.code == 3 and "cannot reach SMTP server" in result.err, result.err
    db = sqlite3.connect(root / ".reportback/state.sqlite")
    assert {e for (e,) in db.execute("SELECT last_error FROM outbox")} <= {"", None}
    assert "may have arrived" not in cli("status", "--now", T2).out
    with Server() as again:
        (root / "reportback.toml").write_text(again.config())
        assert "4 sent" in cli("digest", "send", "--now", LATER).err
    assert len(again.recorder.messages) == 4


def test_a_server_that_refuses_to_relay_fails_the_run_not_each_member(
    cli: Cli, project: Project
) -> None:
    """Held-out round D2: "550 5.7.1 Relaying denied" for every recipient (the login left
    out) was booked as each member's hard bounce; three runs suppressed the whole list."""
    denied = "550 5.7.1 Relaying denied. Proper authentication required."
    everyone = ("ann@example.org", "bob@example.org", "cat@example.org")
    with Server(Faults(refuse=dict.fromkeys(everyone, denied))) as server:
        root = setup(cli, project, server)
        for _ in range(3):
            result = cli("digest", "send", "--now", T2)
            assert result.code == 3 and "refuses to take mail from reportback" in result.err
            assert "Traceback" not in result.err
        db = sqlite3.connect(root / ".reportback/state.sqlite")
        statuses = {s for (s,) in db.execute("SELECT status FROM subscribers")}
        assert statuses == {"active"}, "nobody bounced"
        server.recorder.faults.refuse.clear()  # the operator fixes the login
        assert "4 sent" in cli("digest", "send", "--now", T2).err
    assert len(server.recorder.messages) == 4


def test_one_recipient_a_server_will_not_relay_to_fails_alone(cli: Cli, project: Project) -> None:
    """Held-out round D3: Postfix's per-recipient "554 5.7.1 <addr>: Relay access denied"
    for one address, after the server had taken others, stopped every run for good, and the
    members queued after it never got anything."""
    denied = "554 5.7.1 <bob@example.org>: Relay access denied"
    with Server(Faults(refuse={"bob@example.org": denied})) as server:
        root = setup(cli, project, server, connections=1)
        db = sqlite3.connect(root / ".reportback/state.sqlite")
        db.execute("UPDATE subscribers SET id = id + 100 WHERE email = 'bob@example.org'")
        db.commit()  # bob's messages are queued last: the server has taken others first
        result = cli("digest", "send", "--now", T2)
        assert result.code == 0, result.err
        assert "3 sent" in result.err and "1 failed" in result.err, result.err
        assert "the server will not take it for this address: 554 5.7.1" in result.err
        statuses = dict(db.execute("SELECT email, status FROM subscribers"))
    assert statuses["bob@example.org"] == "active", "not a bounce"
    assert sorted(r[0] for _, r, _ in server.recorder.messages) == [
        "ann@example.org", "ann@example.org", "cat@example.org",
    ]  # fmt: skip


def test_temporary_failure_is_retried_later_exactly_once(cli: Cli, project: Project) -> None:
    faults = Faults(defer_once={"bob@example.org"})
    with Server(faults) as server:
        setup(cli, project, server)
        result = cli("digest", "send", "--now", T2)
        assert "3 sent" in result.err and "1 deferred" in result.err
        assert "0 sent" in cli("digest", "send", "--now", "2026-11-20T10:00:30+00:00").err
        result = cli("digest", "send", "--now", "2026-11-20T10:02:00+00:00")
        assert "1 sent" in result.err
        assert Counter(m[1][0] for m in server.recorder.messages)["bob@example.org"] == 1


def test_421_mid_batch_loses_nothing(cli: Cli, project: Project) -> None:
    with Server(Faults(close_at={2})) as server:
        setup(cli, project, server, connections=1)
        result = cli("digest", "send", "--now", T2)
        assert "3 sent" in result.err and "1 deferred" in result.err
        cli("digest", "send", "--now", "2026-11-20T10:05:00+00:00")
        ids = Counter(m["Message-ID"] for m in server.recorder.parsed())
    assert len(ids) == 4 and max(ids.values()) == 1


def test_connection_dropped_after_data_is_retried_with_the_same_message_id(
    cli: Cli, project: Project
) -> None:
    """Held-out round D3: the message was sent again at once (30 ms later, on a new
    connection), up to three times while the drops went on; it is tried later, as a 4xx is."""
    with Server(Faults(drop_at={3})) as server:
        setup(cli, project, server, connections=1)
        result = cli("digest", "send", "--now", T2)
        assert "3 sent" in result.err and "1 deferred" in result.err, result.err
        assert len(server.recorder.messages) == 4, "the one dropped arrived, once so far"
        later = cli("digest", "send", "--now", "2026-11-20T10:02:00+00:00")
        assert "1 sent" in later.err, later.err
        ids = Counter(m["Message-ID"] for m in server.recorder.parsed())
    assert len(ids) == 4
    assert sorted(ids.values()) == [1, 1, 1, 2]  # the one in flight arrived twice, same id


def test_unreachable_server_is_an_external_failure_and_resumable(
    cli: Cli, project: Project
) -> None:
    with Server() as server:
        setup(cli, project, server)
    result = cli("digest", "send", "--now", T2)
    assert result.code == 3
    assert result.err.startswith("cannot reach SMTP server 127.0.0.1:")
    with Server() as again:
        root = Path.cwd()
        config = (root / "reportback.toml").read_text()
        (root / "reportback.toml").write_text(config.replace(str(server.port), str(again.port)))
        assert "4 sent" in cli("digest", "send", "--now", T2).err
        assert len(again.recorder.messages) == 4


def test_header_injection_in_titles_is_neutralised(cli: Cli, project: Project) -> None:
    with Server() as server:
        root = setup(cli, project, server)
        evil = 'title: "Evil\\r\\nBcc: victim@example.org X =?utf-8?q?=0D=0ACc:_a@b?="'  # (U+2028:
        # refused, as every line break some readers take for one is: test_rules)
        path = root / "reports/2016-10-06-evil.md"
        text = report("Body.\n", meeting_date="2016-10-06").replace("title: A test report", evil)
        path.write_text(text)
        assert cli("build", "--now", LATER).code == 0
        assert cli("digest", "send", "--cadence", "immediate", "--now", LATER).code == 0
        evil_messages = [m for m in server.recorder.parsed() if "Evil" in str(m["Subject"])]
    assert len(evil_messages) == 2
    for m in evil_messages:
        assert m["Bcc"] is None and m["Cc"] is None
        subject = str(m["Subject"])
        assert "\r" not in subject and "\n" not in subject and "\u2028" not in subject
        assert subject.startswith("Evil Bcc: victim@example.org X = ?utf-8?q?=0D=0ACc:_a@b?=")


def test_erased_and_unsubscribed_are_never_mailed(cli: Cli, project: Project) -> None:
    with Server() as server:
        root = setup(cli, project, server)
        assert cli("subscribers", "remove", "ANN@example.org").code == 0
        db = sqlite3.connect(root / ".reportback/state.sqlite")
        db.execute("UPDATE subscribers SET status = 'unsubscribed' WHERE email = 'bob@example.org'")
        db.commit()
        assert cli("subscribers", "import", "members.csv", "--now", T0).code == 0
        listed = cli("subscribers", "list").out
        assert "ann@example.org" not in listed
        bob = "bob@example.org\tBob Hackney\thackney-north-and-stoke-newington\timmediate"
        assert f"{bob}\tmembers\tunsubscribed" in listed
        assert cli("digest", "send", "--now", T2).code == 0
        recipients = {m[1][0] for m in server.recorder.messages}
    assert recipients == {"cat@example.org"}


def test_outbox_folder_when_no_smtp_and_dry_run_changes_nothing(cli: Cli, project: Project) -> None:
    root = project(reports() | {"members.csv": MEMBERS})
    assert cli("subscribers", "import", "members.csv", "--now", T0).code == 0
    assert cli("build", "--now", T1).code == 0
    dry = cli("digest", "send", "--dry-run", "--now", T2)
    assert (
        dry.code == 0
        and "dry run:" in dry.err
        and "4 sent to .reportback/outbox-dry-run" in dry.err
    )
    assert len(list((root / ".reportback/outbox-dry-run").glob("*.eml"))) == 4
    again = cli("digest", "send", "--dry-run", "--now", T2)  # what would go out now: 4, not 8
    assert again.code == 0 and "4 sent to .reportback/outbox-dry-run" in again.err, again.err
    assert len(list((root / ".reportback/outbox-dry-run").glob("*.eml"))) == 4
    real = cli("digest", "send", "--now", T2)
    assert "4 queued, 4 sent to .reportback/outbox" in real.err
    assert len(list((root / ".reportback/outbox").glob("*.eml"))) == 4


def test_an_outbox_message_a_killed_send_wrote_is_not_written_again(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 136: a send killed after writing a message to the outbox folder, and
    before recording it, wrote it again (`…-2.eml`, the same Message-ID) and left its
    half-written temporary file."""
    root = project(reports() | {"members.csv": MEMBERS})
    assert cli("subscribers", "import", "members.csv", "--now", T0).code == 0
    assert cli("build", "--now", T1).code == 0
    assert cli("digest", "send", "--now", T2).code == 0
    outbox = root / ".reportback/outbox"
    written = sorted(p.name for p in outbox.glob("*.eml"))
    with sqlite3.connect(root / ".reportback/state.sqlite") as db:  # as if killed before
        db.execute("UPDATE outbox SET status = 'queued', sent_at = NULL")  # recording them
    (outbox / ".abc123.tmp").write_bytes(b"half a mess")
    os.utime(outbox / ".abc123.tmp", (time.time() - 7200,) * 2)  # two hours ago
    again = cli("digest", "send", "--now", T2)
    assert again.code == 0 and "4 sent to .reportback/outbox" in again.err, again.err
    assert sorted(p.name for p in outbox.glob("*.eml")) == written
    assert not list(outbox.glob(".*.tmp"))


def test_a_report_changed_since_the_last_build_is_held_back_from_digests(
    cli: Cli, project: Project
) -> None:
    """Held-out round 20: an edit the rep had not built (nor checked) was mailed, though the
    site did not show it: a digest is made from the file as it is now."""
    root = project(reports() | {"members.csv": MEMBERS})
    assert cli("subscribers", "import", "members.csv", "--now", T0).code == 0
    assert cli("build", "--now", T1).code == 0
    path = root / "reports/2016-10-04-witney.md"
    path.write_text(path.read_text() + "\n## Disputes panel\n\nzqunbuilt expulsion named\n")
    dry = cli("digest", "send", "--dry-run", "--now", T2)
    sent = cli("digest", "send", "--now", T2)
    for result in (dry, sent):
        assert result.code == 0, result.err
        assert "reports/2016-10-04-witney.md: changed since the last build" in result.err
        assert "3 sent" in result.err, result.err
    outbox = root / ".reportback/outbox"
    assert b"zqunbuilt" not in b"".join(p.read_bytes() for p in outbox.glob("*.eml"))
    assert b"Witney selection" not in b"".join(p.read_bytes() for p in outbox.glob("*.eml"))
    assert cli("build", "--now", T1).code == 0
    daemon = Daemon(load_config())
    assert daemon.digests_due(datetime.fromisoformat(T2)), "the daemon sees it due, built"
    later = cli("digest", "send", "--now", T2)
    assert later.code == 0 and "1 sent" in later.err, later.err
    assert "changed since" not in later.err
    holding = [p for p in outbox.glob("*.eml") if b"zqunbuilt" in p.read_bytes()]
    assert len(holding) == 1, "once built, it is published, and mailed once"


def test_an_import_stopped_before_its_end_imports_nothing_and_once_made_says_so(
    cli: Cli, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Adversary helper 99: a Ctrl-C late in `subscribers import` said "nothing was
    imported" though it was; and with --full the members were imported in one transaction
    and those not listed lapsed in another, so a Ctrl-C between them left members who had
    left getting members' material. Now both are one transaction, and a Ctrl-C once it is
    made says so."""
    from reportback.commands import mailing
    from reportback.mail import subscribers

    root = project(reports() | {"members.csv": MEMBERS})
    assert cli("subscribers", "import", "members.csv", "--now", T0).code == 0
    without_ann = MEMBERS.replace("ann@example.org,Ann Witney,witney,immediate,2020-01-01\n", "")
    (root / "january.csv").write_text(without_ann.replace("Bob", "Robert"))
    lapse = subscribers.absent_members

    def pressed_while_lapsing(*args: object, **kwargs: object) -> int:
        lapse(*args, **kwargs)  # type: ignore[arg-type]
        raise KeyboardInterrupt

    monkeypatch.setattr(subscribers, "absent_members", pressed_while_lapsing)
    stopped = cli("subscribers", "import", "january.csv", "--full", "--now", T0)
    assert stopped.code == 130 and stopped.err.strip() == "interrupted; nothing was imported"
    listed = cli("subscribers", "list").out
    assert "ann@example.org\tAnn Witney\twitney\timmediate\tmembers\tactive" in listed
    assert "Robert" not in listed  # nor the import before the lapse: one transaction
    monkeypatch.setattr(subscribers, "absent_members", lapse)

    def pressed_while_counting(args: object, *counts: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(mailing, "_imported", pressed_while_counting)
    late = cli("subscribers", "import", "january.csv", "--full", "--now", T0)
    assert late.code == 130
    assert late.err.strip() == (
        "interrupted; the import was made: `reportback subscribers count` shows it"
    )
    assert "ann@example.org\tAnn Witney\twitney\timmediate\tpublic\tlapsed" in (
        cli("subscribers", "list").out
    )


def test_a_whole_membership_list_lapses_members_it_no_longer_lists(
    cli: Cli, project: Project
) -> None:
    """Held-out round 20: re-importing the membership list never removed anyone, so a lapsed
    or expelled member kept getting members' material. With --full, the file is the whole
    list; without it, a note says how many imported members it lacks."""
    root = project(reports() | {"members.csv": MEMBERS})
    assert cli("subscribers", "import", "members.csv", "--now", T0).code == 0
    without_ann = MEMBERS.replace("ann@example.org,Ann Witney,witney,immediate,2020-01-01\n", "")
    (root / "january.csv").write_text(without_ann)
    partial = cli("subscribers", "import", "january.csv", "--now", T0)
    assert partial.code == 0 and "note: 1 members imported before are not in this file" in (
        partial.err
    )
    assert (
        "ann@example.org\tAnn Witney\twitney\timmediate\tmembers\tactive"
        in cli("subscribers", "list").out
    )
    (root / "bad.csv").write_text(without_ann + "not an address,X,witney,weekly,\n")
    refused = cli("subscribers", "import", "bad.csv", "--full", "--skip-bad", "--now", T0)
    assert refused.code == 1 and "would lapse" in refused.err
    full = cli("subscribers", "import", "january.csv", "--full", "--now", T0)
    assert full.code == 0 and "1 members not in it lapsed" in full.err, full.err
    assert (
        "ann@example.org\tAnn Witney\twitney\timmediate\tpublic\tlapsed"
        in cli("subscribers", "list").out
    )
    assert cli("build", "--now", T1).code == 0
    assert cli("digest", "send", "--now", T2).code == 0
    sent = [p.read_text() for p in (root / ".reportback/outbox").glob("*.eml")]
    assert sent and not [m for m in sent if "ann@example.org" in m], "a lapsed member gets none"
    back = cli("subscribers", "import", "members.csv", "--now", T2)
    assert back.code == 0 and "3 updated" in back.err, back.err
    assert (
        "ann@example.org\tAnn Witney\twitney\timmediate\tmembers\tactive"
        in cli("subscribers", "list").out
    )
    assert cli("digest", "send", "--now", T2).code == 0
    again = [p.read_text() for p in (root / ".reportback/outbox").glob("*.eml")]
    assert not [m for m in again if "ann@example.org" in m], "nothing from while she lapsed"


def test_a_whole_list_makes_an_unsubscribed_member_it_lacks_a_member_no_more(
    cli: Cli, project: Project
) -> None:
    """Held-out round D3: `--full` lapsed only active members; one who had unsubscribed kept
    the members' audience, and subscribing again on the website got members' material."""
    root = project(reports() | {"members.csv": MEMBERS})
    assert cli("subscribers", "import", "members.csv", "--now", T0).code == 0
    db = sqlite3.connect(root / ".reportback/state.sqlite")
    db.execute("UPDATE subscribers SET status = 'unsubscribed' WHERE email = 'bob@example.org'")
    db.commit()
    (root / "left.csv").write_text(MEMBERS.replace("bob@example.org,Bob Hackney", "x@y.org,X"))
    full = cli("subscribers", "import", "left.csv", "--full", "--now", T0)
    assert full.code == 0 and "0 members not in it lapsed" in full.err, full.err
    bob = "bob@example.org\tBob Hackney\thackney-north-and-stoke-newington\timmediate"
    assert f"{bob}\tpublic\tunsubscribed" in cli("subscribers", "list").out


def _edit_after_the_first(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, path: Path, old: str, new: str
) -> Callable[..., None]:
    """Make the next send to the outbox folder, once its first message is out, replace the
    first `old` of the report at `path` with `new` and build; return the real deliver."""
    from reportback.mail import outbox

    delivered: Callable[..., None] = outbox.OutboxFolder.deliver
    sent: list[int] = []

    def deliver(
        self: outbox.OutboxFolder,
        jobs: object,
        record: Callable[..., None],
        handing: object = None,
        stop: object = None,
    ) -> None:
        def recorded(outcome: object) -> None:
            record(outcome)
            sent.append(1)
            if len(sent) == 1:
                path.write_text(path.read_text().replace(old, new, 1))
                assert cli("build", "--now", T1).code == 0

        delivered(self, jobs, recorded)

    monkeypatch.setattr(outbox.OutboxFolder, "deliver", deliver)
    return delivered


def test_a_report_withdrawn_during_a_send_goes_no_further(
    cli: Cli, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Held-out round D2: a report made confidential (and built) while its digests were
    being sent went on going out to the end of the send: the send had read its messages
    before the build took the report out of them."""
    root = project(reports() | {"members.csv": MEMBERS})
    assert cli("subscribers", "import", "members.csv", "--now", T0).code == 0
    assert cli("build", "--now", T1).code == 0
    delivered = _edit_after_the_first(  # the rep withdraws the NEC report
        cli, monkeypatch, root / "reports/2016-09-20-nec.md", "---\n", "---\nconfidential: true\n"
    )
    result = cli("digest", "send", "--now", T2)
    assert result.code == 0, result.err
    assert "1 sent" in result.err and "1 deferred" in result.err, result.err
    assert "2 cancelled" in result.err, result.err  # the NEC report's own two messages
    monkeypatch.setattr("reportback.mail.outbox.OutboxFolder.deliver", delivered)
    again = cli("digest", "send", "--now", T2)  # what was left of the weekly digest
    assert again.code == 0 and "1 sent" in again.err, again.err
    mails = sorted((root / ".reportback/outbox").glob("*.eml"))
    assert len(mails) == 2
    assert "NEC, 20 September" not in mails[1].read_text(), "withdrawn, it goes no further"
    assert "Witney selection" in mails[1].read_text()


def test_a_report_withheld_in_part_during_a_send_goes_out_only_as_it_is_now(
    cli: Cli, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Held-out round D3: a members block marked confidential (and built) while the send was
    under way went on being mailed, as the send had rendered it, to every member left."""
    root = project(reports() | {"members.csv": MEMBERS})
    assert cli("subscribers", "import", "members.csv", "--now", T0).code == 0
    assert cli("build", "--now", T1).code == 0
    delivered = _edit_after_the_first(  # the rep withholds the members' block
        cli, monkeypatch, root / "reports/2016-09-20-nec.md", "::: members", "::: confidential"
    )
    result = cli("digest", "send", "--now", T2)
    assert result.code == 0, result.err
    assert "1 sent" in result.err and "3 deferred" in result.err, result.err
    assert "3 messages wait for the next send: a build published a new version" in result.err
    monkeypatch.setattr("reportback.mail.outbox.OutboxFolder.deliver", delivered)
    again = cli("digest", "send", "--now", T2)
    assert again.code == 0 and "3 sent" in again.err, again.err
    mails = [p.read_text() for p in sorted((root / ".reportback/outbox").glob("*.eml"))]
    assert len(mails) == 4 and "NEC, 20 September" not in mails[0]
    assert all("NEC, 20 September" in m for m in mails[1:])
    assert not [m for m in mails if "zqmembersonly" in m], "it goes out as it is now"


def test_an_import_without_cadences_keeps_the_ones_members_chose(
    cli: Cli, project: Project
) -> None:
    """Held-out round D2: an export with no cadence column set a member who had chosen
    monthly on the preferences page back to weekly."""
    root = project(reports() | {"members.csv": MEMBERS})
    assert cli("subscribers", "import", "members.csv", "--now", T0).code == 0
    db = sqlite3.connect(root / ".reportback/state.sqlite")
    db.execute("UPDATE subscribers SET cadence = 'monthly' WHERE email = 'ann@example.org'")
    db.commit()
    (root / "export.csv").write_text(
        "email,name,clp\nann@example.org,Ann Witney,witney\ndan@example.org,Dan,witney\n"
    )
    assert cli("subscribers", "import", "export.csv", "--now", T0).code == 0
    cadences = dict(db.execute("SELECT email, cadence FROM subscribers"))
    assert cadences["ann@example.org"] == "monthly", "kept, as she chose it"
    assert cadences["dan@example.org"] == "weekly", "the default, for someone new"
    assert cli("subscribers", "import", "members.csv", "--now", T0).code == 0
    cadences = dict(db.execute("SELECT email, cadence FROM subscribers"))
    assert cadences["ann@example.org"] == "immediate", "a cadence the file gives is taken"


def test_an_import_without_names_keeps_the_ones_known(cli: Cli, project: Project) -> None:
    """Adversary helper 65: an export with no name column blanked every known member's name;
    one that gives a name changes it."""
    root = project(reports() | {"members.csv": MEMBERS})
    assert cli("subscribers", "import", "members.csv", "--now", T0).code == 0
    (root / "export.csv").write_text("email,clp\nann@example.org,witney\ndan@example.org,witney\n")
    assert cli("subscribers", "import", "export.csv", "--now", T0).code == 0
    db = sqlite3.connect(root / ".reportback/state.sqlite")
    names = dict(db.execute("SELECT email, name FROM subscribers"))
    assert names["ann@example.org"] == "Ann Witney" and names["dan@example.org"] == ""
    (root / "export.csv").write_text("email,name,clp\nann@example.org,Ann Oxford,witney\n")
    assert cli("subscribers", "import", "export.csv", "--now", T0).code == 0
    assert (
        dict(db.execute("SELECT email, name FROM subscribers"))["ann@example.org"] == "Ann Oxford"
    )
    db.close()


def test_a_send_dated_ahead_by_mistake_does_not_stop_weekly_digests(
    cli: Cli, project: Project
) -> None:
    """Held-out round D2: one `digest send --now` a year ahead (2027 typed for 2026) was kept
    as the weekly digest's last run, and no weekly digest went out until then. Round D3: nor
    is such a run due at once, at every step back of the clock: the schedule goes on from
    the first send at the real time."""
    root = project(reports() | {"members.csv": MEMBERS})
    assert cli("subscribers", "import", "members.csv", "--now", T0).code == 0
    assert cli("build", "--now", T1).code == 0
    ahead = cli("digest", "send", "--now", "2027-11-22T07:05:00+00:00")
    assert ahead.code == 0 and "cadences immediate, weekly:" in ahead.err, ahead.err
    new = report("Third.\n", title="Third report", meeting_date="2016-10-05")
    (root / "reports/2016-10-05-third.md").write_text(new)
    assert cli("build", "--now", "2026-11-22T12:00:00+00:00").code == 0
    for now in ("2026-11-25T12:00:00+00:00", "2026-11-25T11:00:00+00:00"):  # a Wednesday
        back = cli("digest", "send", "--now", now)
        assert back.code == 0 and "cadences immediate:" in back.err, back.err
    monday = cli("digest", "send", "--now", "2026-11-30T07:05:00+00:00")
    assert monday.code == 0 and "cadences immediate, weekly:" in monday.err, monday.err
    weekly = [p.read_text() for p in (root / ".reportback/outbox").glob("*.eml")]
    to_cat = [m for m in weekly if "cat@example.org" in m and "Third report" in m]
    assert len(to_cat) == 1, "the weekly reader gets the new report, once, on the Monday"
    again = cli("digest", "send", "--now", "2026-11-30T07:10:00+00:00")
    assert again.code == 0 and "0 sent" in again.err, again.err


def test_an_import_dated_ahead_by_mistake_does_not_stop_weekly_digests(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 136: members imported at a clock half a year ahead were held back
    from weekly digests until then; a cadence chosen after now counts as chosen now."""
    root = project(reports() | {"members.csv": MEMBERS})
    assert (
        cli("subscribers", "import", "members.csv", "--now", "2027-06-01T10:00:00+00:00").code == 0
    )
    assert cli("build", "--now", T1).code == 0
    assert cli("digest", "send", "--now", "2026-11-25T12:00:00+00:00").code == 0  # Wednesday
    new = report("Third.\n", title="Third report", meeting_date="2016-10-05")
    (root / "reports/2016-10-05-third.md").write_text(new)
    assert cli("build", "--now", "2026-11-26T12:00:00+00:00").code == 0
    monday = cli("digest", "send", "--now", "2026-11-30T07:05:00+00:00")
    assert monday.code == 0 and "cadences immediate, weekly:" in monday.err, monday.err
    sent = [p.read_text() for p in (root / ".reportback/outbox").glob("*.eml")]
    to_cat = [m for m in sent if "cat@example.org" in m and "Third report" in m]
    assert len(to_cat) == 1, "the weekly reader gets the new report on the Monday"


def test_a_send_at_a_clock_set_back_loses_no_report(cli: Cli, project: Project) -> None:
    """Adversary helper 151: a send at a clock before the members joined dated them then, and
    so numbered them as joining after every report published: those reached no one, ever."""
    root = project(reports() | {"members.csv": MEMBERS})
    assert cli("subscribers", "import", "members.csv", "--now", T1).code == 0
    assert cli("build", "--now", "2026-11-20T09:30:00+00:00").code == 0
    assert cli("digest", "send", "--now", "2026-11-19T09:00:00+00:00").code == 0
    assert cli("digest", "send", "--now", LATER).code == 0
    sent = [p.read_text() for p in (root / ".reportback/outbox").glob("*.eml")]
    to = Counter(a for m in sent for a in ("ann@example.org", "bob@example.org") if a in m)
    assert to == {"ann@example.org": 2, "bob@example.org": 1}, to


def test_subscribers_of_a_clp_the_directory_no_longer_lists_are_named(
    cli: Cli, project: Project
) -> None:
    """Held-out round D2: after a boundary review took a CLP out of the directory, its
    members got nothing, and nothing said so."""
    root = project({"reports/2016-09-20-nec.md": report("The NEC met.\n"), "members.csv": MEMBERS})
    assert cli("subscribers", "import", "members.csv", "--now", T0).code == 0
    hackney = "hackney-north-and-stoke-newington,Hackney North and Stoke Newington"
    (root / "clps.csv").write_text(
        f"slug,name,gss_code,nation,region\n{hackney},E14000721,England,London\n"
    )
    (root / "reportback.toml").write_text('[paths]\nclps = "clps.csv"\n')
    assert cli("build", "--now", T1).code == 0
    sent = cli("digest", "send", "--now", T2)
    assert sent.code == 0 and "1 sent" in sent.err, sent.err
    assert "warning: 2 subscribers of CLP 'witney' get nothing: the CLP directory" in sent.err


def test_preview_writes_eml_and_html(cli: Cli, project: Project, tmp_path: Path) -> None:
    project(reports())
    assert cli("build", "--now", T1).code == 0
    result = cli("digest", "preview", "--clp", "witney", "--audience", "members", "--out", "out",
                 "--now", T2)  # fmt: skip
    assert result.code == 0, result.err
    eml = (tmp_path / "out/witney-members-weekly.eml").read_bytes()
    html = (tmp_path / "out/witney-members-weekly.html").read_text()
    assert b"zqmembersonly" in eml and "zqmembersonly" in html
    assert "zqconfidential" not in html and b"zqconfidential" not in eml
    public = cli("digest", "preview", "--clp", "witney", "--out", "out", "--now", T2)
    assert public.code == 0
    assert "zqmembersonly" not in (tmp_path / "out/witney-public-weekly.html").read_text()
    assert cli("digest", "preview", "--clp", "nowhere", "--now", T2).code == 2


def test_a_members_image_is_described_not_linked_in_members_digests(
    cli: Cli, project: Project, tmp_path: Path
) -> None:
    """An image in members' material is not on the website: members' digests show its
    description where a link to it would find nothing; a public image stays linked."""
    png = (Path(__file__).parents[1] / "reports/images/timetable.png").read_bytes()
    body = (
        "![The public timetable](p.png)\n\n::: members\nBriefing.\n\n"
        "![The zqmembers seating plan](m.png)\n:::\n"
    )
    project({"reports/a.md": report(body), "reports/p.png": png, "reports/m.png": _recoloured(png)})
    assert cli("build", "--now", T1).code == 0
    on_site = {p.name for p in (tmp_path / "site/reports/a").glob("img-*")}
    assert len(on_site) == 1
    result = cli("digest", "preview", "--clp", "witney", "--audience", "members", "--out", "out",
                 "--now", T2)  # fmt: skip
    assert result.code == 0, result.err
    html = (tmp_path / "out/witney-members-weekly.html").read_text()
    linked = set(re.findall(r'src="[^"]*/(img-[^"/]+)"', html))
    assert linked == on_site  # the public image, and nothing the site lacks
    assert "[image: The zqmembers seating plan]" in html


@pytest.mark.parametrize("spelled", [False, True])
def test_members_get_the_members_pdf_attached_audited_as_its_page_is(
    cli: Cli, project: Project, tmp_path: Path, spelled: bool
) -> None:
    """`attach_pdf` attaches the members' PDF to a members' digest. Adversary helper 137: an
    image in members' material spelling a confidential phrase in its pixels, row after row
    (the phrase's words run together across rows), went out in that PDF; a report's own
    page is searched for its runs run together, and its attached PDF is now too."""
    from io import BytesIO

    from PIL import Image

    phrase = b"qorvath blenmist frendalxyz"  # 27 bytes: 9 RGB pixels a row, 4 rows
    pixels = Image.frombytes("RGB", (9, 1), phrase).resize((9, 4), Image.Resampling.NEAREST)
    plain = Image.new("RGB", (9, 4), "navy")
    out = BytesIO()
    (pixels if spelled else plain).save(out, "PNG")
    body = ("Public.\n\n::: members\nzqmembersonly briefing.\n\n![A plan](m.png)\n\n"
            "[qorvath blenmist frendalxyz]{.confidential}\n:::\n")  # fmt: skip
    files = {"reports/a.md": report(body), "reports/m.png": out.getvalue(),
             "reportback.toml": "[email]\nattach_pdf = true\n"}  # fmt: skip
    project(files)
    assert cli("build", "--now", T1).code == 0
    result = cli("digest", "preview", "--clp", "witney", "--audience", "members", "--out", "out",
                 "--now", T2)  # fmt: skip
    if spelled:
        assert result.code == 1, result.err
        said = "a: confidential text 'qorvath blenmist frendalxyz' found in email/witney-members-"
        assert result.err.startswith(said), result.err
        assert not (tmp_path / "out").exists()
        return
    assert result.code == 0, result.err
    message = email.message_from_bytes((tmp_path / "out/witney-members-weekly.eml").read_bytes(),
                                       policy=email.policy.default)  # fmt: skip
    (pdf,) = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == "a.pdf"
    (tmp_path / "a.pdf").write_bytes(pdf.get_content())
    text = pdf_text(tmp_path / "a.pdf")
    assert "zqmembersonly" in text and "qorvath" not in text


def _recoloured(png: bytes) -> bytes:
    """Return another PNG of the same size (so a second image is published apart)."""
    from io import BytesIO

    from PIL import Image, ImageOps

    out = BytesIO()
    ImageOps.invert(Image.open(BytesIO(png)).convert("RGB")).save(out, "PNG")
    return out.getvalue()


def test_import_refuses_bad_rows_unless_skipped(cli: Cli, project: Project) -> None:
    bad = MEMBERS + "not-an-address,X,witney,weekly,\nzed@example.org,Z,Atlantis,weekly,\n"
    project({"members.csv": "\ufeff" + bad.replace("email,name", "Email,Name")})
    result = cli("subscribers", "import", "members.csv")
    assert result.code == 1
    assert result.err.splitlines() == [
        "members.csv:5: bad email address 'not-an-address': An email address must have an @-sign.",
        "members.csv:6: unknown CLP 'Atlantis' (use its slug or exact name)",
        "refused: 2 problems; nothing was imported",
        "hint: fix these rows, or pass --skip-bad to import the rest",
    ]
    assert "total\t0" in cli("subscribers", "count").out
    assert cli("subscribers", "import", "members.csv", "--skip-bad").code == 0
    assert "active\t3" in cli("subscribers", "count").out
    again = cli("subscribers", "import", "members.csv", "--skip-bad")
    assert "0 added, 3 updated" in again.err
    assert "total\t3" in cli("subscribers", "count", "--by", "clp").out


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_settings_reach_the_server(cli: Cli, project: Project, security: str) -> None:
    with Server() as server:
        setup(cli, project, server, security=security)
        # the test server speaks plain SMTP: asking for TLS must fail cleanly, never send in clear
        result = cli("digest", "send", "--now", T2)
        assert server.recorder.messages == []
    assert result.code == 3
    assert "cannot reach SMTP server" in result.err


def spam_score(message: bytes) -> float:
    import re
    import shutil
    import subprocess

    exe = shutil.which("spamassassin")
    assert exe, "SpamAssassin is needed (apt-get install spamassassin); .ci/run installs it"
    done = subprocess.run(
        [exe, "-L", "-t"], input=message, capture_output=True, check=False, timeout=120
    )  # fmt: skip
    found = re.search(rb"X-Spam-Status: \w+, score=(-?[\d.]+)", done.stdout)
    assert found, done.stdout[:500]
    return float(found.group(1))


def test_digests_pass_spamassassin(cli: Cli, project: Project) -> None:
    root = project(reports() | {"members.csv": MEMBERS})
    assert cli("subscribers", "import", "members.csv", "--now", T0).code == 0
    assert cli("build", "--now", T1).code == 0
    assert cli("digest", "send", "--now", T2).code == 0
    messages = sorted((root / ".reportback/outbox").glob("*.eml"))
    assert len(messages) == 4
    scores = [spam_score(path.read_bytes()) for path in messages[:2]]
    assert max(scores) < 1.0, scores


def test_outbox_folder_keeps_every_message_under_concurrent_writers(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from reportback.mail.outbox import OutboxFolder
    from reportback.mail.smtp import Job, Outcome

    folder = OutboxFolder(tmp_path / "outbox")
    done: list[Outcome] = []
    jobs = [Job(0, "a@example.org", "b@example.org", f"message {i}".encode()) for i in range(200)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(lambda job: folder.deliver([job], done.append), jobs))
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(done) == 200 and len(files) == 200
    assert {f.read_bytes() for f in files} == {job.data for job in jobs}
    assert not list((tmp_path / "outbox").glob(".*.tmp"))


def test_a_member_gets_only_reports_published_after_joining(cli: Cli, project: Project) -> None:
    with Server() as server:
        root = setup(cli, project, server)  # ann and bob joined at T0, before the first build
        db = sqlite3.connect(root / ".reportback/state.sqlite")
        db.execute(
            "INSERT INTO subscribers (email, name, clp, cadence, audience, status, source, "
            "created_at) VALUES ('dan@example.org', 'Dan', 'witney', 'immediate', 'members', "
            "'active', 'form', '2026-11-20T09:30:00+00:00')"
        )  # after the first two reports were published (T1), before the third
        db.commit()
        third = report("Third, for Witney.\n", title="Witney hustings", clps=["witney"],
                       meeting_date="2016-11-15")  # fmt: skip
        (root / "reports/2016-11-15-hustings.md").write_text(third)
        assert cli("build", "--now", LATER).code == 0
        assert cli("digest", "send", "--cadence", "immediate", "--now", LATER).code == 0
        got = Counter(m[1][0] for m in server.recorder.messages)
        subjects = [str(m["Subject"]) for m in server.recorder.parsed() if "dan@" in str(m["To"])]
    assert got == {"ann@example.org": 3, "bob@example.org": 1, "dan@example.org": 1}
    assert len(subjects) == 1 and "Witney hustings" in subjects[0]


def test_a_message_waiting_for_a_clp_a_boundary_review_removed_fails_alone(
    cli: Cli, project: Project
) -> None:
    """Held-out round D3: a deferred message for a CLP the directory no longer listed was a
    traceback in every later send, so nobody got anything, new reports included."""
    clps = "slug,name,gss_code,nation,region\nwitney,Witney,E14001052,England,South East\n"
    gone = "old-town,Old Town,E14009999,England,South East\n"
    members = (
        "email,name,clp,cadence\nold@example.org,Old,old-town,immediate\n"
        "win@example.org,Win,witney,immediate\n"
    )
    with Server(Faults(defer_once={"old@example.org"})) as server:
        root = project(
            {
                "reports/2016-09-20-nec.md": report("The NEC met.\n"),
                "clps.csv": clps + gone,
                "members.csv": members,
                "reportback.toml": server.config(extra='\n[paths]\nclps = "clps.csv"\n'),
            }
        )
        assert cli("subscribers", "import", "members.csv", "--now", T0).code == 0
        assert cli("build", "--now", T1).code == 0
        first = cli("digest", "send", "--now", T2)
        assert "1 sent" in first.err and "1 deferred" in first.err, first.err
        (root / "clps.csv").write_text(clps)  # the boundary review
        (root / "reports/2016-10-04-oc.md").write_text(report("The OC met.\n", title="OC"))
        assert cli("build", "--now", T2).code == 0
        later = cli("digest", "send", "--now", "2026-11-21T09:00:00+00:00")
        assert later.code == 0, later.err
        assert "Traceback" not in later.err and "1 sent" in later.err, later.err
        assert "1 cancelled" in later.err and "old-town" in later.err, later.err
        got = Counter(r[0] for _, r, _ in server.recorder.messages)
    assert got == {"win@example.org": 2}


def test_a_member_who_moves_clp_with_a_message_waiting_gets_it_only_as_they_are_now(
    cli: Cli, project: Project
) -> None:
    """Held-out round D3: a member moved to another CLP while a message waited (deferred)
    still got the old CLP's restricted report, addressed as a member of the old CLP."""
    with Server(Faults(defer_once={"ann@example.org"})) as server:
        root = setup(cli, project, server, connections=1)  # Witney's report first: deferred
        first = cli("digest", "send", "--now", T2)
        assert "1 deferred" in first.err, first.err
        before = len(server.recorder.messages)
        (root / "moved.csv").write_text(
            MEMBERS.replace("Ann Witney,witney", "Ann Moved,hackney-north-and-stoke-newington")
        )
        assert cli("subscribers", "import", "moved.csv", "--now", T2).code == 0
        later = cli("digest", "send", "--now", "2026-11-20T11:00:00+00:00")
        assert later.code == 0, later.err
        sent = server.recorder.parsed()
        to_ann = [m for m in sent if m["To"].addresses[0].username == "ann"]
    assert [m["Subject"].split(" — ")[0] for m in to_ann] == ["NEC, 20 September"], (
        "Witney's report waited for her (deferred), and she is no longer in Witney"
    )
    assert len(sent) == before, "nothing more: nothing new concerns her new CLP"


def test_a_report_narrowed_to_other_clps_leaves_a_message_waiting_for_the_old_one(
    cli: Cli, project: Project
) -> None:
    """An adversary helper's finding: a message deferred for a Witney member still held a
    report since narrowed to Hackney (`clps:`), and it went to her on the retry."""
    with Server(Faults(defer_once={"ann@example.org"})) as server:
        root = setup(cli, project, server, connections=1)
        first = cli("digest", "send", "--now", T2)
        assert "1 deferred" in first.err, first.err
        witney = root / "reports/2016-10-04-witney.md"  # Witney's report first: deferred
        witney.write_text(
            witney.read_text().replace("- witney", "- hackney-north-and-stoke-newington")
        )
        assert cli("build", "--now", "2026-11-20T10:30:00+00:00").code == 0
        later = cli("digest", "send", "--now", "2026-11-20T11:00:00+00:00")
        assert later.code == 0, later.err
        to_ann = [m for m in server.recorder.parsed() if m["To"].addresses[0].username == "ann"]
    assert [m["Subject"].split(" — ")[0] for m in to_ann] == ["NEC, 20 September"]


def test_a_message_that_may_have_arrived_is_cancelled_when_narrowed_never_made_anew(
    cli: Cli, project: Project
) -> None:
    """An adversary helper's finding: a message whose connection was lost once it was handed
    over (it may have arrived) was cancelled when its report was narrowed to other CLPs, and
    made anew when it was widened again: the member got it twice, under two Message-IDs.
    Then it was kept and sent again, made as published now: members' text written after the
    report was narrowed to Hackney went to a Witney member (adversary helper 172). It is
    cancelled whole, its report counted as mailed to her, and not made anew when widened."""
    with Server(Faults(drop_at={1})) as server:  # Witney's report to Ann first: lost
        root = setup(cli, project, server, connections=1)
        assert "1 deferred" in cli("digest", "send", "--now", T2).err
        witney = root / "reports/2016-10-04-witney.md"
        text = witney.read_text()
        narrowed = text.replace("- witney", "- hackney-north-and-stoke-newington")
        witney.write_text(narrowed + "\n::: members\nzqnarrowed briefing for Hackney\n:::\n")
        assert cli("build", "--now", "2026-11-20T10:30:00+00:00").code == 0
        assert cli("digest", "send", "--now", "2026-11-20T11:00:00+00:00").code == 0
        witney.write_text(text)
        assert cli("build", "--now", "2026-11-20T11:30:00+00:00").code == 0
        assert cli("digest", "send", "--now", "2026-11-20T12:00:00+00:00").code == 0
        sent = server.recorder.parsed()
    to_ann = [m for m in sent if m["To"].addresses[0].username == "ann"]
    ids = {m["Message-ID"] for m in to_ann if "Witney selection" in m["Subject"]}
    assert len(ids) == 1, ids
    assert not any("zqnarrowed" in parts(m) for m in to_ann), "Hackney's members' text"
    assert any("zqnarrowed" in parts(m) for m in sent if m["To"].addresses[0].username == "bob")


@pytest.mark.parametrize(
    ("csv", "args", "message"),
    [
        ("Email,name,EMAIL,clp\na@x.org,A,b@x.org,witney\n", (), "column 'email' appears twice"),
        ("email,clp,CLP\na@x.org,witney,hackney\n", (), "column 'clp' appears twice"),
        ("email,name,clp\n", ("--full",), "no members in it: with --full, every member would"),
    ],
)
def test_an_import_that_cannot_mean_what_it_says_is_refused(
    cli: Cli, project: Project, csv: str, args: tuple[str, ...], message: str
) -> None:
    """Held-out round D3: the last of two same-named columns was taken, unsaid; a header
    alone with --full lapsed every member."""
    project({"members.csv": MEMBERS, "other.csv": csv})
    assert cli("subscribers", "import", "members.csv", "--now", T0).code == 0
    before = cli("subscribers", "list").out
    result = cli("subscribers", "import", "other.csv", *args, "--now", T0)
    assert result.code == 1 and result.err.startswith(f"other.csv:1: {message}"), result.err
    assert cli("subscribers", "list").out == before


def test_a_message_deferred_at_a_time_typed_ahead_is_tried_at_the_real_one(
    cli: Cli, project: Project
) -> None:
    """Held-out round D3: a message deferred by a send with `--now` a month ahead waited for
    that month, neither tried nor given up."""
    with Server(Faults(defer_once={"bob@example.org"})) as server:
        setup(cli, project, server)
        ahead = cli("digest", "send", "--now", "2026-12-20T10:00:00+00:00")
        assert "1 deferred" in ahead.err, ahead.err
        later = cli("digest", "send", "--now", "2026-11-20T11:00:00+00:00")
        assert later.code == 0 and "1 sent" in later.err, later.err
        got = Counter(r[0] for _, r, _ in server.recorder.messages)
    assert got["bob@example.org"] == 1


def test_a_real_send_refuses_links_to_this_computer(cli: Cli, project: Project) -> None:
    """Held-out round D3: with the default base_url, digests went out with unsubscribe links
    to http://localhost:8000, and nobody could leave."""
    with Server() as server:
        toml = server.config().replace('base_url = "https://nec.example.org"', "")
        project(reports() | {"members.csv": MEMBERS, "reportback.toml": toml})
        assert cli("subscribers", "import", "members.csv", "--now", T0).code == 0
        assert cli("build", "--now", T1).code == 0
        result = cli("digest", "send", "--now", T2)
        assert result.code == 1, result.err
        assert "[site] base_url is left as it came (http://localhost:8000): every" in result.err
        assert "nothing was sent" in result.err and not server.recorder.messages
        assert cli("digest", "send", "--dry-run", "--now", T2).code == 0


def test_a_cadence_never_run_waits_for_its_first_scheduled_time(cli: Cli, project: Project) -> None:
    """Held-out round D3: a send on Wednesday 13 January sent the weekly and the monthly
    digests at once, off schedule (and the monthly reader got another on 1 February)."""
    members = MEMBERS + "mon@example.org,Mon Thly,witney,monthly,\n"
    root = project(reports() | {"members.csv": members})
    assert (
        cli("subscribers", "import", "members.csv", "--now", "2027-01-12T09:00:00+00:00").code == 0
    )
    assert cli("build", "--now", "2027-01-12T10:00:00+00:00").code == 0
    wednesday = cli("digest", "send", "--now", "2027-01-13T12:00:00+00:00")
    assert "cadences immediate:" in wednesday.err, wednesday.err
    assert "digests to make: none" in cli("status", "--now", "2027-01-13T12:00:00+00:00").out
    monday = cli("digest", "send", "--now", "2027-01-18T07:05:00+00:00")
    assert "cadences immediate, weekly:" in monday.err, monday.err
    first = cli("digest", "send", "--now", "2027-02-01T07:05:00+00:00")
    assert "cadences immediate, weekly, monthly:" in first.err, first.err
    mails = [p.read_text() for p in (root / ".reportback/outbox").glob("*.eml")]
    assert sum("mon@example.org" in m for m in mails) == 1
    assert sum("cat@example.org" in m for m in mails) == 1


def test_a_cadence_switched_to_waits_for_its_first_time_after_the_switch(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 106: a weekly member switched to monthly on 2 December got a monthly
    digest at once, for the slot of 1 December, before they chose it (counted from when they
    joined); re-imported without a change, nothing moves."""
    root = project(reports() | {"members.csv": MEMBERS})  # cat@example.org: weekly
    assert (
        cli("subscribers", "import", "members.csv", "--now", "2026-11-30T09:00:00+00:00").code == 0
    )
    assert cli("build", "--now", "2026-12-01T09:00:00+00:00").code == 0
    (root / "members.csv").write_text(MEMBERS.replace("Witney,weekly", "Witney,monthly"))
    assert (
        cli("subscribers", "import", "members.csv", "--now", "2026-12-02T09:00:00+00:00").code == 0
    )
    assert (
        cli("subscribers", "import", "members.csv", "--now", "2026-12-03T09:00:00+00:00").code == 0
    )
    sent = cli("digest", "send", "--now", "2026-12-03T10:00:00+00:00")
    assert "cadences immediate:" in sent.err, sent.err
    assert "digests to make: none" in cli("status", "--now", "2026-12-03T10:00:00+00:00").out
    first = cli("digest", "send", "--now", "2027-01-01T07:05:00+00:00")
    assert "monthly" in first.err, first.err
    mails = [p.read_text() for p in (root / ".reportback/outbox").glob("*.eml")]
    assert sum("cat@example.org" in m for m in mails) == 1


def test_a_build_after_the_state_was_lost_says_so(cli: Cli, project: Project) -> None:
    """Held-out round D3: with the state database lost, a re-import and a build published
    every report again, for every member to be mailed again, and nothing said so."""
    root = project(reports() | {"members.csv": MEMBERS})
    assert cli("build", "--now", T1).code == 0
    assert "is new" not in cli("build", "--now", T2).err
    (root / ".reportback/state.sqlite").unlink()
    again = cli("build", "--now", T2)
    assert again.code == 0, again.err
    assert (
        ".reportback/state.sqlite had no record of 2 reports the site shows (2016-09-20-nec, "
        "2016-10-04-witney): it was lost" in again.err
    ), again.err


def test_a_build_after_an_older_state_was_restored_says_so(cli: Cli, project: Project) -> None:
    """An adversary helper's finding: a state backup from before the last report was
    published, restored, made the next build publish it as new, for its members to be mailed
    it again, and nothing said so."""
    root = project(reports() | {"members.csv": MEMBERS})
    assert cli("build", "--now", T1).code == 0
    backup = (root / ".reportback/state.sqlite").read_bytes()
    (root / "reports/2016-10-04-later.md").write_text(report("Later.\n", title="Later"))
    assert cli("build", "--now", T2).code == 0
    (root / ".reportback/state.sqlite").write_bytes(backup)
    again = cli("build", "--now", "2026-11-21T10:00:00+00:00")
    assert again.code == 0, again.err
    assert (
        ".reportback/state.sqlite had no record of 1 reports the site shows (2016-10-04-later): "
        "it was lost, or restored from an older backup" in again.err
    ), again.err
    assert "no record of 1 reports" in cli("build", "--now", "2026-11-21T11:00:00+00:00").err


@pytest.mark.parametrize("said", [None, "mailed", "unmailed"])
def test_a_report_an_older_state_had_no_record_of_is_mailed_only_when_the_rep_says(
    cli: Cli, project: Project, said: str | None
) -> None:
    """An adversary helper's finding: after an older state backup was restored, the build
    warned, and the next `digest send` mailed the last report to every member again. It is
    held back now until the rep says whether it was mailed; the rest goes on."""
    root = project(reports() | {"members.csv": MEMBERS})
    assert cli("subscribers", "import", "members.csv", "--now", T0).code == 0
    assert cli("build", "--now", T1).code == 0
    assert cli("digest", "send", "--now", T1).code == 0
    backup = (root / ".reportback/state.sqlite").read_bytes()
    (root / "reports/2016-10-04-later.md").write_text(report("Later.\n", title="Zq later"))
    assert cli("build", "--now", T2).code == 0
    assert cli("digest", "send", "--now", T2).code == 0
    outbox = root / ".reportback/outbox"

    def later_to_ann() -> int:
        mails = [p.read_text() for p in outbox.glob("*.eml")]
        return sum("Zq later" in m and "ann@example.org" in m for m in mails)

    assert later_to_ann() == 1
    for extra in (root / ".reportback").glob("state.sqlite-*"):
        extra.unlink()
    (root / ".reportback/state.sqlite").write_bytes(backup)
    (root / "reports/2016-10-05-next.md").write_text(
        report("Next.\n", title="Zq next", meeting_date="2016-10-05")
    )
    assert cli("build", "--now", LATER).code == 0
    held = cli("digest", "send", "--now", LATER)
    assert held.code == 0, held.err
    assert (
        "reports/2016-10-04-later.md: the site showed it before the state had a record of it"
        in held.err
    ), held.err
    assert later_to_ann() == 1
    assert sum("Zq next" in p.read_text() for p in outbox.glob("*.eml")) == 2  # the rest goes
    if said is None:
        return
    dry = cli("digest", "send", "--dry-run", "--restored", said, "--now", LATER)
    assert f"{0 if said == 'mailed' else 2} queued" in dry.err, dry.err
    settled = cli("digest", "send", "--restored", said, "--now", "2026-11-20T13:00:00+00:00")
    assert settled.code == 0, settled.err
    assert "held back" not in settled.err
    assert later_to_ann() == (1 if said == "mailed" else 2)
    assert "no record of" not in cli("build", "--now", "2026-11-20T14:00:00+00:00").err


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_report_an_older_state_had_no_record_of_stays_held_when_renamed(
    cli: Cli, project: Project, when: str
) -> None:
    """An adversary helper's finding: renamed before the build that found the state older,
    or after it, the report held back was taken for a new one (or known by its new name),
    and mailed again, unsaid."""
    root = project(reports() | {"members.csv": MEMBERS})
    assert cli("subscribers", "import", "members.csv", "--now", T0).code == 0
    assert cli("build", "--now", T1).code == 0
    backup = (root / ".reportback/state.sqlite").read_bytes()
    later = root / "reports/2016-10-04-later.md"
    later.write_text(report("Later.\n", title="Zq later", clps=["witney"]))
    assert cli("build", "--now", T2).code == 0
    assert cli("digest", "send", "--now", T2).code == 0
    for extra in (root / ".reportback").glob("state.sqlite-*"):
        extra.unlink()
    (root / ".reportback/state.sqlite").write_bytes(backup)
    if when == "after":
        assert cli("build", "--now", LATER).code == 0
    later.rename(root / "reports/2016-10-04-later-renamed.md")
    assert cli("build", "--now", "2026-11-20T13:00:00+00:00").code == 0
    held = cli("digest", "send", "--now", "2026-11-20T14:00:00+00:00")
    assert "later-renamed.md: the site showed it before the state" in held.err, held.err
    mails = [p.read_text() for p in (root / ".reportback/outbox").glob("*.eml")]
    assert sum("Zq later" in m and "ann@example.org" in m for m in mails) == 1


def test_a_member_listed_again_gets_what_was_due_before_the_lapse_not_during_it(
    cli: Cli, project: Project
) -> None:
    """Held-out round D3: a lapse (a mistaken --full import, say) lost the reports published
    before it and not yet mailed: the weekly batch, and an immediate message put off."""
    with Server(Faults(defer_once={"ann@example.org"})) as server:
        root = setup(cli, project, server, connections=1)  # NEC and Witney on the site
        first = cli("digest", "send", "--now", T2)  # weekly not due: cat joined after Monday
        assert "1 deferred" in first.err, first.err  # ann's first message put off
        without = MEMBERS.replace("ann@example.org,Ann Witney,witney,immediate,2020-01-01\n", "")
        (root / "without.csv").write_text(
            without.replace("cat@example.org,Cat Weekly,Witney,weekly,\n", "")
        )
        assert cli("subscribers", "import", "without.csv", "--full", "--now", T2).code == 0
        later = report("While lapsed.\n", title="Lapsed report", meeting_date="2016-11-01")
        (root / "reports/2016-11-01-lapsed.md").write_text(later)
        assert cli("build", "--now", "2026-11-21T09:00:00+00:00").code == 0
        assert cli("digest", "send", "--now", "2026-11-21T10:00:00+00:00").code == 0
        assert (
            cli("subscribers", "import", "members.csv", "--now", "2026-11-22T09:00:00+00:00").code
            == 0
        )
        monday = cli("digest", "send", "--now", "2026-11-23T07:05:00+00:00")
        assert monday.code == 0, monday.err
        got = {}
        for m in server.recorder.parsed():
            got.setdefault(m["To"].addresses[0].username, []).append(parts(m))
    ann = [t for t in got["ann"] if "Witney selection" in t or "NEC, 20 September" in t]
    assert len(ann) == 2, "both reports from before the lapse, the one put off included"
    assert len(got["cat"]) == 1 and "NEC, 20 September" in got["cat"][0]
    assert "Witney selection" in got["cat"][0], "the weekly batch from before the lapse"
    assert not [t for t in got["ann"] + got["cat"] if "Lapsed report" in t], "not while lapsed"
    assert [t for t in got["bob"] if "Lapsed report" in t], "bob never lapsed"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_stops_a_send_once_the_messages_under_way_are_recorded(
    cli: Cli, project: Project, sig: signal.Signals
) -> None:
    """An adversary helper's finding: Ctrl-C in the middle of a message left it taken by the
    server but not recorded, and each send after mailed it again (one member five times in
    four interrupts). Now the send hands over nothing new, records what is under way, and
    says so; the next send mails only the rest. SIGTERM (a service manager's stop) is taken
    the same way (it ended the send with no word, as a kill does: a later round)."""

    def interrupt(number: int) -> None:
        if number == 2:  # as the second message's DATA arrives
            signal.raise_signal(sig)

    with Server(Faults(on_message=interrupt)) as server:
        setup(cli, project, server, connections=1)
        first = cli("digest", "send", "--now", T2)
        assert first.code == 128 + sig, first.err  # 130, or 143 for SIGTERM (helper 123)
        assert "interrupted: every message handed over was recorded" in first.err
        sent = int(re.findall(r"(\d+) sent", first.err)[0])
        assert sent >= 2, first.err  # the one under way too
        second = cli("digest", "send", "--now", T2)
        assert second.code == 0 and f"{4 - sent} sent" in second.err, second.err
        mailed = Counter(
            (m["To"].addresses[0].username, str(m["Subject"])) for m in server.recorder.parsed()
        )
    assert sum(mailed.values()) == 4 and set(mailed.values()) == {1}, mailed
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_a_second_ctrl_c_stops_a_send_at_once_and_says_what_it_left(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 80: it said "interrupted; nothing was published", a build's words.
    Adversary helper 123: with the server holding its reply, a second Ctrl-C waited for it (a
    minute, the connection's timeout) where the README says it stops at once, as a kill does.
    (In a process of its own: stopped at once, it leaves its connections' threads behind.)"""
    sender: list[subprocess.Popen[bytes]] = []
    stopped: list[float] = []

    def interrupt(number: int) -> None:
        if number == 2:  # the second once the first is taken (two at once are one)
            sender[0].send_signal(signal.SIGINT)
            time.sleep(0.5)
            sender[0].send_signal(signal.SIGINT)
            stopped.append(time.monotonic())
            time.sleep(6)  # and the server holds its reply

    with Server(Faults(on_message=interrupt)) as server:
        root = setup(cli, project, server, connections=1)
        sender.append(subprocess.Popen(
            [str(Path(sys.executable).with_name("reportback")), "digest", "send", "--now", T2],
            cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        ))  # fmt: skip
        _, err = sender[0].communicate(timeout=60)
        ended = time.monotonic()
    assert sender[0].returncode == 130, err
    assert ended - stopped[0] < 3, "it waited for the server's reply"
    said = err.decode()
    assert said.rstrip().endswith(
        "stopped at once: the next digest send repeats at most the messages under way"
    ), said
    assert "nothing was published" not in said


@pytest.mark.parametrize("skip", [(), ("--skip-bad",)])
def test_a_quote_left_open_in_an_import_is_refused_at_its_row(
    cli: Cli, project: Project, skip: tuple[str, ...]
) -> None:
    """Adversary helper 61: a quote never closed swallowed the rest of the file into one
    cell, until it was longer than the csv module reads, and the import ended in a traceback."""
    rows = "".join(f"b{n}@example.org,witney,B\n" for n in range(7000))
    project({"members.csv": f'email,clp,name\na@example.org,witney,"unclosed\n{rows}'})
    result = cli("subscribers", "import", "members.csv", *skip, "--now", T0)
    assert result.code == 1 and "Traceback" not in result.err
    assert result.err.startswith("members.csv:2: cannot read this row as CSV (field larger"), (
        result.err
    )
    assert "total\t0" in cli("subscribers", "count").out


@pytest.mark.parametrize("skip", [(), ("--skip-bad",)])
def test_a_quote_that_swallows_rows_refuses_the_import_even_skipping_bad_rows(
    cli: Cli, project: Project, skip: tuple[str, ...]
) -> None:
    """Adversary helper 116: with `--skip-bad`, a quote opened in a name and closed rows later
    (or never) made one bad row of three members: two were lost, the import said "1 bad row
    skipped"."""
    body = 'email,clp,name\nr1@example.org,witney,"Smith\nr2@example.org,witney,Jones\n' + (
        "r3@example.org,witney,Brown\n")  # fmt: skip
    project({"members.csv": body})
    result = cli("subscribers", "import", "members.csv", *skip, "--now", T0)
    assert result.code == 1, result.err
    opened = "members.csv:2: a quote opened on this row is closed only on line 4: the rows"
    assert result.err.startswith(opened), result.err
    assert "total\t0" in cli("subscribers", "count").out


def test_a_row_with_more_cells_than_the_header_is_a_bad_row(cli: Cli, project: Project) -> None:
    """Adversary helper 116: `x@example.org,witney,Smith, Jo` stored the name `Smith`."""
    project({"members.csv": "email,clp,name\nx@example.org,witney,Smith, Jo\n"
                            'y@example.org,witney,"Jones, Al"\n'})  # fmt: skip
    result = cli("subscribers", "import", "members.csv", "--now", T0)
    assert result.code == 1 and result.err.startswith(
        'members.csv:2: 4 cells where the header has 3: a value holding a comma must be in '
        'quotes ("Smith, Jo")'), result.err  # fmt: skip
    assert cli("subscribers", "import", "members.csv", "--skip-bad", "--now", T0).code == 0
    listed = cli("subscribers", "list").out
    assert "Jones, Al" in listed and "x@example.org" not in listed, listed


def test_a_row_with_fewer_cells_than_the_header_says_so(cli: Cli, project: Project) -> None:
    """Adversary helper 130: `t@example.org` alone, under `email,name,clp`, was refused as
    "unknown CLP ''"; a row without its last, optional column is fine."""
    project({"members.csv": "email,clp,name\nt@example.org\nu@example.org,witney\n"})
    result = cli("subscribers", "import", "members.csv", "--now", T0)
    assert result.err.startswith("members.csv:2: 1 cells where the header has 3: no clp given")
    assert "refused: 1 problem" in result.err, result.err  # not the row with no name


FULL_WITHOUT_ANN = (
    "email,name,clp,cadence\nbob@example.org,Bob Hackney,hackney-north-and-stoke-newington,"
    "immediate\ncat@example.org,Cat Weekly,witney,weekly\n"
)
ANN_IN = "email,name,clp,cadence\nann@example.org,Ann Witney,{clp},immediate\n"


@pytest.mark.parametrize("change", ["moved", "lapsed and back", "withdrawn and back"])
def test_a_message_that_may_have_arrived_is_never_made_anew(
    cli: Cli, project: Project, change: str
) -> None:
    """Adversary helper 61: a message whose connection was lost once it was handed over (it
    may have arrived) was cancelled and made anew, under another Message-ID, once its member
    moved to another CLP, lapsed and was listed again, or its report was withdrawn and
    published again: the member got it twice. It stays counted as mailed."""
    # Ann's messages go first, the Witney report's then the NEC report's; one is lost
    subject = "NEC, 20 September" if change == "moved" else "Witney selection"
    with Server(Faults(drop_at={2 if change == "moved" else 1})) as server:
        root = setup(cli, project, server, connections=1)
        assert "1 deferred" in cli("digest", "send", "--now", T2).err
        steps: list[tuple[str, ...]] = []
        if change == "moved":
            (root / "ann.csv").write_text(ANN_IN.format(clp="hackney-north-and-stoke-newington"))
            steps = [("subscribers", "import", "ann.csv"), ("digest", "send")]
        elif change == "lapsed and back":
            (root / "full.csv").write_text(FULL_WITHOUT_ANN)
            (root / "ann.csv").write_text(ANN_IN.format(clp="witney"))
            steps = [("subscribers", "import", "full.csv", "--full"), ("digest", "send"),
                     ("subscribers", "import", "ann.csv"), ("digest", "send")]  # fmt: skip
        else:
            witney = root / "reports/2016-10-04-witney.md"
            text = witney.read_text()
            witney.write_text(text.replace("title:", "status: draft\ntitle:", 1))
            assert cli("build", "--now", "2026-11-20T10:30:00+00:00").code == 0
            assert cli("digest", "send", "--now", "2026-11-20T11:00:00+00:00").code == 0
            witney.write_text(text)
            steps = [("build",), ("digest", "send")]
        for hour, step in enumerate(steps, start=12):
            result = cli(*step, "--now", f"2026-11-20T{hour}:00:00+00:00")
            assert result.code == 0, result.err
        to_ann = [m for m in server.recorder.parsed() if m["To"].addresses[0].username == "ann"]
    assert [m["Subject"].split(" — ")[0] for m in to_ann].count(subject) == 1, [
        m["Subject"] for m in to_ann
    ]


@pytest.mark.parametrize(
    ("reply", "bounced"),
    [("554 5.7.1 Message content rejected", False), ("552 5.3.4 Message size exceeds limit", False),
     ("550 5.1.1 no such user", True)],
)  # fmt: skip
def test_a_message_refused_once_read_is_not_the_address_bounce(
    cli: Cli, project: Project, reply: str, bounced: bool
) -> None:
    """Adversary helper 61: a digest a server's filter refused, or too big for it, was booked
    as each member's hard bounce: three sends suppressed them all. Refused after DATA, only a
    reply that blames the mailbox (5.1.x) counts against the address."""
    with Server(Faults(refuse_data={"ann@example.org": reply})) as server:
        root = setup(cli, project, server)
        for n, day in enumerate(("2016-10-05", "2016-10-06", "2016-10-07")):
            path = root / f"reports/{day}-more.md"
            path.write_text(report("More.\n", title=f"More {n}", meeting_date=day))
            assert cli("build", "--now", f"2026-11-2{n + 1}T09:00:00+00:00").code == 0
            result = cli("digest", "send", "--cadence", "immediate",
                         "--now", f"2026-11-2{n + 1}T10:00:00+00:00")  # fmt: skip
            assert result.code == 0 and "failed" in result.err, result.err
        db = sqlite3.connect(root / ".reportback/state.sqlite")
        status = db.execute("SELECT status FROM subscribers WHERE email = 'ann@example.org'")
        assert (status.fetchone()[0] == "bounced") is bounced
        errors = {e for (e,) in db.execute("SELECT last_error FROM outbox WHERE status = 'failed'")}
        db.close()
    assert errors == {reply}


def test_a_digest_that_may_have_arrived_is_not_sent_again_without_a_withdrawn_report(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 62: a weekly digest of two reports whose connection was lost once it
    was handed over went again without the one withdrawn since: another message under the
    same Message-ID, the other report in it twice. It is cancelled whole instead."""
    with Server(Faults(drop_at={4})) as server:  # Ann's two, Bob's, then Cat's weekly: lost
        root = setup(cli, project, server, connections=1)
        assert "1 deferred" in cli("digest", "send", "--now", T2).err
        witney = root / "reports/2016-10-04-witney.md"
        witney.write_text(witney.read_text().replace("title:", "status: draft\ntitle:", 1))
        assert cli("build", "--now", "2026-11-20T10:30:00+00:00").code == 0
        result = cli("digest", "send", "--now", "2026-11-20T11:00:00+00:00")
        assert result.code == 0, result.err
        to_cat = [m for m in server.recorder.parsed() if m["To"].addresses[0].username == "cat"]
    assert len(to_cat) == 1, [m["Subject"] for m in to_cat]


def test_a_message_that_may_have_arrived_waits_for_the_build_of_an_edited_report(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 151: a message in doubt (handed over, no reply) whose report was
    edited, or its file renamed, before the next send was cancelled whole there (the report
    held back from digests until a build counted as withdrawn), its reports counted as mailed:
    the member never got them."""
    with Server(Faults(drop_at={1})) as server:
        root = setup(cli, project, server, connections=1)
        assert "1 deferred" in cli("digest", "send", "--now", T2).err
        for path in (root / "reports").glob("*.md"):
            path.write_text(path.read_text() + "\nA typo mended.\n")
        held = cli("digest", "send", "--now", "2026-11-20T10:30:00+00:00")
        assert held.code == 0 and "0 cancelled" in held.err, held.err
        assert cli("build", "--now", "2026-11-20T10:40:00+00:00").code == 0
        assert cli("digest", "send", "--now", "2026-11-20T11:00:00+00:00").code == 0
        db = sqlite3.connect(root / ".reportback/state.sqlite")
        statuses = Counter(s for (s,) in db.execute("SELECT status FROM outbox"))
        db.close()
    assert statuses == {"sent": 4}, statuses


@pytest.mark.parametrize("then", ["moved", "put off, then moved"])
def test_a_message_handed_over_when_the_send_was_killed_is_never_made_anew(
    cli: Cli, project: Project, then: str
) -> None:
    """Adversary helper 62: a send killed while the server held a message left it recorded
    as never handed over; the member moved to another CLP, and the next send made it anew,
    under another Message-ID: they got it twice. A message is recorded as being handed over
    before it is, and one killed so may have arrived, whatever later tries say: sent again as
    it was, or cancelled."""
    arrived, killed = threading.Event(), threading.Event()
    faults = Faults(on_message=lambda n: n == 2 and (arrived.set(), killed.wait(60)) != ())
    with Server(faults) as server:  # the second: the NEC report to Ann, held till the kill, kept
        root = setup(cli, project, server, connections=1)
        sender = subprocess.Popen(
            [str(Path(sys.executable).with_name("reportback")), "digest", "send", "--now", T2],
            cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        assert arrived.wait(60)
        sender.kill()
        sender.wait()
        killed.set()  # only now does the server keep what it was handed (no reply goes back)
        time.sleep(0.5)
        status = cli("status", "--now", T2).out  # adversary helper 65: it said only "queued"
        assert "outbox: 1 of those waiting may have arrived (handed over, no reply)" in status
        if then == "put off, then moved":  # the next try is put off: it may still have arrived
            server.recorder.faults.defer_once = {"ann@example.org"}
            assert "deferred" in cli("digest", "send", "--now", "2026-11-20T10:10:00+00:00").err
        (root / "ann.csv").write_text(ANN_IN.format(clp="hackney-north-and-stoke-newington"))
        assert (
            cli("subscribers", "import", "ann.csv", "--now", "2026-11-20T10:30:00+00:00").code == 0
        )
        result = cli("digest", "send", "--now", "2026-11-20T11:00:00+00:00")
        assert result.code == 0, result.err
        to_ann = [m for m in server.recorder.parsed() if m["To"].addresses[0].username == "ann"]
    subjects = [m["Subject"].split(" — ")[0] for m in to_ann]
    assert subjects.count("NEC, 20 September") == 1, subjects


def test_a_message_handed_over_by_sends_killed_again_and_again_goes_at_most_twice(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 146: a send killed as it handed a message over left it in doubt,
    uncounted; killed so again and again (a crashing sender restarted), it mailed the member
    the same message once a kill. Handed over twice with no reply, it is not sent a third
    time, however the replies were lost."""
    arrived, killed = threading.Event(), threading.Event()

    def hold(number: int) -> None:  # each killed send's first message: kept, no reply
        if number <= 2:
            arrived.set()
            killed.wait(60)

    with Server(Faults(on_message=hold)) as server:
        root = setup(cli, project, server, connections=1)
        for _ in range(2):
            arrived.clear(), killed.clear()
            sender = subprocess.Popen(
                [str(Path(sys.executable).with_name("reportback")), "digest", "send", "--now",
                 T2], cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )  # fmt: skip
            assert arrived.wait(60)
            sender.kill()
            sender.wait()
            killed.set()
            time.sleep(0.5)
        result = cli("digest", "send", "--now", "2026-11-20T11:00:00+00:00")
        copies = Counter(str(m["Message-ID"]) for m in server.recorder.parsed())
    assert result.code == 0 and "1 failed" in result.err, result.err
    assert sorted(copies.values()) == [1, 1, 1, 2], copies


def test_sends_killed_at_a_server_that_never_greets_leave_every_message_as_it_was(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 158: a message was recorded as handed over as its connection was
    opened, before the server had said a word; two sends killed at a server that never
    greeted (a hung relay, a greeting delay) failed it for good as handed over twice with no
    reply, and the member never got those reports. It is recorded as it goes (after 354)."""
    with Server() as server:
        root = setup(cli, project, server, connections=1)
        config = (root / "reportback.toml").read_text()
        with socket.create_server(("127.0.0.1", 0)) as hung:  # takes a call, says nothing
            port = hung.getsockname()[1]
            (root / "reportback.toml").write_text(
                config.replace(f"smtp_port = {server.port}", f"smtp_port = {port}"))  # fmt: skip
            for _ in range(2):
                sender = subprocess.Popen(
                    [str(Path(sys.executable).with_name("reportback")), "digest", "send",
                     "--now", T2], cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                )  # fmt: skip
                hung.settimeout(60)
                call, _ = hung.accept()  # it waits for a greeting: killed there
                sender.kill()
                sender.wait()
                call.close()
        (root / "reportback.toml").write_text(config)
        assert "may have arrived" not in cli("status", "--now", T2).out
        result = cli("digest", "send", "--now", "2026-11-20T11:00:00+00:00")
        copies = Counter(str(m["Message-ID"]) for m in server.recorder.parsed())
    assert result.code == 0 and " 0 failed" in result.err, result.err
    assert copies and set(copies.values()) == {1}, copies
    assert f"{len(copies)} sent" in result.err, result.err


def _cut_mid_message(listener: socket.socket) -> None:
    """Speak SMTP to one caller up to 354, read a little of the message, then hang up."""
    call, _ = listener.accept()
    with call, call.makefile("rwb", buffering=0) as line:
        line.write(b"220 cut.example ESMTP\r\n")
        while (said := line.readline()) and not said.upper().startswith(b"DATA"):
            if said.upper().startswith(b"EHLO"):
                line.write(b"250-cut.example\r\n250 8BITMIME\r\n")
            else:
                line.write(b"250 OK\r\n")
        line.write(b"354 go ahead\r\n")
        line.readline()  # its first line, and no more: the message cannot have arrived


def test_a_message_cut_off_mid_way_is_not_counted_as_handed_over(tmp_path: Path) -> None:
    """Adversary helper 161: a message was recorded as handed over once the server said 354;
    two sends cut off mid-message (a server timing out, a kill) failed it for good as
    handed over twice with no reply, though no server could have taken it. A try cut off
    mid-message is told as such (and the ledger undoes its hand-over): it is tried again at
    once, then later, as one dropped before it went."""
    from reportback.mail.smtp import DROPPED, Job, Outcome, SmtpServer

    with socket.create_server(("127.0.0.1", 0)) as cut:
        cut.settimeout(60)
        port = cut.getsockname()[1]
        (tmp_path / "reportback.toml").write_text(
            f'[email]\nfrom = "r@example.org"\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\n'
            'smtp_security = "none"\nconnections = 1\n'
        )
        config = load_config(tmp_path / "reportback.toml")
        server = threading.Thread(target=lambda: [_cut_mid_message(cut) for _ in (1, 2)])
        server.start()
        data = b"Subject: big\r\n\r\n" + (b"z" * 78 + b"\r\n") * 300_000
        handed: list[Outcome] = []
        outcomes: list[Outcome] = []
        job = Job(1, "r@example.org", "a@example.org", data)  # 24 MB: more than a socket holds
        SmtpServer(config.email).deliver([job], outcomes.append, handed.append)
        server.join(60)
    told = [o.status for o in handed]  # each try told as it went, and as it was cut off
    assert told == ["handing", "cut", "handing", "cut"], "none of it can have arrived"
    assert [(o.status, o.error.split(":")[0]) for o in outcomes] == [("deferred", DROPPED)]


def test_once_stopped_no_connection_hands_over_another_message(tmp_path: Path) -> None:
    """Adversary helper 161: after a Ctrl-C, the messages already queued for the connections
    (up to four each) were still handed over, a minute later at a slow server: the README
    says a stopped send hands over no new message."""
    from reportback.mail.smtp import Job, Outcome, SmtpServer

    stop = threading.Event()

    def jobs() -> Iterator[Job]:
        for n in range(10):
            yield Job(n, "r@example.org", f"m{n}@example.org", b"Subject: x\r\n\r\nx\r\n")
            stop.set()  # stopped once the first is on its way

    with Server() as server:
        (tmp_path / "reportback.toml").write_text(server.config(connections=1))
        config = load_config(tmp_path / "reportback.toml")
        outcomes: list[Outcome] = []
        SmtpServer(config.email).deliver(jobs(), outcomes.append, None, stop)
        sent = len(server.recorder.messages)
    assert sent <= 1 and len(outcomes) == sent, (sent, outcomes)


def test_a_report_said_unmailed_after_the_state_was_lost_whole_reaches_members_listed_again(
    cli: Cli, project: Project
) -> None:
    """Adversary helper 65: the state lost whole lost its members too; listed again after the
    build that found the report unrecorded, they counted as listed after it was published,
    and `--restored unmailed` said it mailed the report to nobody."""
    root = project(reports() | {"members.csv": MEMBERS})
    assert cli("build", "--now", T1).code == 0
    shutil.rmtree(root / ".reportback")
    assert "no record of" in cli("build", "--now", T2).err
    assert cli("subscribers", "import", "members.csv", "--now", T2).code == 0
    result = cli("digest", "send", "--restored", "unmailed", "--now", LATER)
    assert result.code == 0, result.err
    mails = [p.read_text() for p in (root / ".reportback/outbox").glob("*.eml")]
    to_ann = [m for m in mails if "ann@example.org" in m]
    assert len(to_ann) == 2, result.err  # Ann's two reports, immediate: each once


def test_a_digest_of_several_reports_gives_each_id_once(cli: Cli, project: Project) -> None:
    """Two reports in one digest each had `id="budget"` and `id="fn1"` (and `withheld-1`): the
    HTML part held the same id twice, which HTML forbids (the Nu checker's "Duplicate ID")."""
    body = (
        "Agreed.[^1]\n\n[^1]: Noted.\n\n## Budget\n\nSet.\n\n## Gone {.confidential}\n\nzqsecret\n"
    )
    files = {
        "reports/2016-09-20-nec.md": report(body, title="NEC, 20 September"),
        "reports/2016-10-04-witney.md": report(body, title="Witney selection", clps=["witney"]),
    }
    with Server() as server:
        project(files | {"members.csv": MEMBERS, "reportback.toml": server.config()})
        assert cli("subscribers", "import", "members.csv", "--now", T0).code == 0
        assert cli("build", "--now", T1).code == 0
        assert cli("digest", "send", "--now", "2026-11-23T08:00:00+00:00").code == 0
        cat = next(m for m in server.recorder.parsed() if "cat@example.org" in str(m["To"]))
    html = cat.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert html.count("Witney selection") and html.count("NEC, 20 September"), html
    ids = Counter(re.findall(r"""\sid=["']([^"']*)["']""", html))
    assert ids["budget"] + sum(n for i, n in ids.items() if i.endswith("-budget")) == 2, ids
    assert [i for i, n in ids.items() if n > 1] == [], ids


def test_a_project_copied_whole_holds_nothing_back_from_digests(
    cli: Cli, project: Project, tmp_path: Path
) -> None:
    """Adversary helper 116: in a copy of a built project every report was "changed since the
    last build published it" and held back, and `digest preview` said nothing was published:
    the build's record was kept by the site's and feeds' full paths."""
    with Server() as server:
        root = setup(cli, project, server)
        copy = tmp_path / "copy"
        shutil.copytree(root, copy, symlinks=True)
        exe = str(Path(sys.executable).with_name("reportback"))
        done = subprocess.run([exe, "digest", "send", "--dry-run", "--now", T2], cwd=copy,
                              capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "held back" not in done.stderr and "queued" in done.stderr + done.stdout, done.stderr


def test_a_state_folder_moved_holds_nothing_back_from_digests(
    cli: Cli, project: Project, tmp_path: Path
) -> None:
    """Adversary helper 123: with `.reportback` moved and `[paths] state` set to it, every
    report was held back as changed and the weekly and monthly digests slipped a cycle: the
    build's record was named by where the site is from the state folder (now: from the
    project's)."""
    with Server() as server:
        root = setup(cli, project, server)
        moved = tmp_path / "elsewhere" / "state"
        moved.parent.mkdir()
        shutil.move(root / ".reportback", moved)
        toml = (root / "reportback.toml").read_text()
        assert "[paths]" not in toml
        (root / "reportback.toml").write_text(f'{toml}\n[paths]\nstate = "{moved}"\n')
        done = cli("digest", "send", "--dry-run", "--now", T2)
    assert done.code == 0, done.err
    assert "held back" not in done.err and "4 queued" in done.err, done.err
