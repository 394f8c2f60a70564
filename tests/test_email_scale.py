"""Exactly once under SIGKILL, thousands of subscribers with bounded memory, and DKIM
signatures. (The national scale, 370,000 subscribers, is measured in `bench/`.)"""

from __future__ import annotations

import base64
import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import dkim

from reportback.clps import load_directory
from reportback.config import load_config
from reportback.mail.notices import send_notice

from .conftest import Result, report
from .smtp import Faults, Server

Cli = Callable[..., Result]
Project = Callable[[dict[str, str | bytes]], Path]
NOTICE_AT = datetime(2026, 11, 1, 9, tzinfo=UTC)
T0, T1, T2 = "2026-11-01T09:00:00+00:00", "2026-11-20T09:00:00+00:00", "2026-11-20T10:00:00+00:00"
EXE = str(Path(sys.executable).with_name("reportback"))
ARTIFACTS = Path(__file__).parent / "artifacts"


def members(count: int) -> str:
    slugs = [c.slug for c in load_directory().clps]
    rows = [f"m{i}@example.org,Member {i},{slugs[i % len(slugs)]},immediate," for i in range(count)]
    return "email,name,clp,cadence,consent_date\n" + "\n".join(rows) + "\n"


def prepare(cli: Cli, project: Project, server: Server, count: int, connections: int) -> Path:
    root = project(
        {
            "reports/2016-09-20-nec.md": report(
                "The NEC met.\n\n::: members\nzqmembers briefing\n:::\n\n"
                "## Secret {.confidential}\n\nzqconfidential matter here\n"
            ),
            "members.csv": members(count),
            "reportback.toml": server.config(connections=connections),
        }
    )
    assert cli("subscribers", "import", "members.csv", "--now", T0).code == 0
    assert cli("build", "--now", T1).code == 0
    return root


def test_sigkill_mid_send_then_rerun_loses_nothing(cli: Cli, project: Project) -> None:
    count = 240
    with Server(Faults(delay=0.01)) as server:
        root = prepare(cli, project, server, count, connections=1)
        proc = subprocess.Popen(
            [EXE, "digest", "send", "--now", T2],
            cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while len(server.recorder.messages) < count // 2 and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        received_before = len(server.recorder.messages)
        assert count // 2 <= received_before < count
        result = cli("digest", "send", "--now", T2)
        assert result.code == 0, result.err
        per_recipient = Counter(rcpts[0] for _, rcpts, _ in server.recorder.messages)
    assert len(per_recipient) == count, "every subscriber got a message"
    duplicates = sum(n - 1 for n in per_recipient.values())
    assert duplicates <= 1, f"at most the one message in flight is repeated, got {duplicates}"


def test_thousands_of_subscribers_with_bounded_memory(cli: Cli, project: Project) -> None:
    count = 2_000  # 10,000 took a minute of the suite; the bench sends 370,000
    with Server() as server:
        root = prepare(cli, project, server, count, connections=4)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.monotonic()
        done = subprocess.run(
            [EXE, "digest", "send", "--now", T2], cwd=root, capture_output=True, text=True,
            check=False, timeout=600,
        )  # fmt: skip
        seconds = time.monotonic() - start
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        assert done.returncode == 0, done.stderr
        assert f"{count} queued, {count} sent" in done.stderr
        recipients = Counter(rcpts[0] for _, rcpts, _ in server.recorder.messages)
        sample = server.recorder.parsed()[:50]
    assert len(recipients) == count and max(recipients.values()) == 1
    for message in sample:
        text = message.as_string()
        assert "zqconfidential" not in text
    assert peak_kb >= before
    peak_mb = peak_kb / 1024
    assert peak_mb < 400, f"peak RSS {peak_mb:.0f} MB"
    ARTIFACTS.mkdir(exist_ok=True)
    figures = {
        "messages": count,
        "seconds": round(seconds, 2),
        "messages_per_second": round(count / seconds, 1),
        "peak_rss_mb": round(peak_mb, 1),
    }
    (ARTIFACTS / f"send-{count}.json").write_text(json.dumps(figures, indent=2) + "\n")


def test_dkim_signature_covers_list_unsubscribe_and_verifies(
    cli: Cli, project: Project, tmp_path: Path
) -> None:
    key = tmp_path / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    public = subprocess.run(
        ["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
    extra = f'dkim_key = "{key}"\ndkim_selector = "rb2026"\ndkim_domain = "nec.example.org"\n'
    with Server() as server:
        root = project(
            {
                "reports/a.md": report("Text.\n"),
                "members.csv": members(2),
                "reportback.toml": server.config(extra=extra),
            }
        )
        assert cli("subscribers", "import", "members.csv", "--now", T0).code == 0
        assert cli("build", "--now", T1).code == 0
        assert cli("digest", "send", "--now", T2).code == 0
        raw = [data for _, _, data in server.recorder.messages]
    assert len(raw) == 2 and root.exists()

    def dns(name: bytes, timeout: int = 5) -> bytes:
        assert name == b"rb2026._domainkey.nec.example.org."
        return record

    for data in raw:
        assert data.startswith(b"DKIM-Signature:")
        signature = data.split(b"\r\n\r\n")[0].decode()
        headers = signature.split("h=")[1].split(";")[0].replace("\r\n", "").replace(" ", "")
        assert "list-unsubscribe:list-unsubscribe-post" in headers
        assert dkim.verify(data, dnsfunc=dns)
        tampered = data.replace(
            b"List-Unsubscribe-Post: List-Unsubscribe=One-Click", b"List-Unsubscribe-Post: x"
        )
        assert not dkim.verify(tampered, dnsfunc=dns)


def test_a_dkim_key_that_cannot_sign_is_refused_and_notices_are_signed(
    cli: Cli, project: Project, tmp_path: Path
) -> None:
    """Adversary helper 130: a public key as `dkim_key` passed `check` and was a traceback at
    the first send; confirmations and reminders went out unsigned."""
    key, public = tmp_path / "dkim.pem", tmp_path / "public.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    subprocess.run(["openssl", "rsa", "-in", str(key), "-pubout", "-out", str(public)],
                   check=True, capture_output=True)  # fmt: skip
    settings = '[email]\ndkim_key = "{}"\ndkim_selector = "rb"\ndkim_domain = "nec.example.org"\n'
    root = project({"reportback.toml": settings.format(public), "reports/a.md": report("Text.\n")})
    result = cli("check")
    assert result.code == 1 and "not a PEM private key to sign with" in result.err, result.err
    assert result.err.startswith("reportback.toml:2: [email] dkim_key ")
    (root / "reportback.toml").write_text(settings.format(key), encoding="utf-8")
    assert cli("check").code == 0
    config = load_config(root / "reportback.toml")
    outbox = root / "notices"
    assert send_notice(config, outbox, "a@example.org", "Confirm", "Open the link.\n", NOTICE_AT)
    (sent,) = outbox.glob("*.eml")
    data = sent.read_bytes()
    der = ["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"]
    public_der = subprocess.run(der, check=True, capture_output=True).stdout
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public_der)
    assert data.startswith(b"DKIM-Signature:")
    assert dkim.verify(data, dnsfunc=lambda name, timeout=5: record)
