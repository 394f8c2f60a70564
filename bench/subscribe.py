"""Time POST /subscribe for new and known addresses, and under 50 concurrent clients.

python -m bench.subscribe [N] — builds a one-report project in a temporary folder, serves it
with uvicorn on loopback (rate limits lifted, confirmations to an SMTP sink on loopback), and
prints the median and spread of N requests for new addresses and N for known ones, then the
p50 and p99 of 50 clients subscribing at once. A measurement, not a test: no assertion.
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import uvicorn
from aiosmtpd.controller import Controller

from reportback.cli import main
from reportback.config import load_config
from reportback.web.app import create_app
from reportback.web.guard import RateLimit


class Sink:
    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _post(port: int, email: str) -> float:
    body = urlencode({"email": email, "clp": "witney", "cadence": "weekly"})
    headers = {"content-type": "application/x-www-form-urlencoded",
               "origin": f"http://127.0.0.1:{port}"}  # fmt: skip
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    start = time.perf_counter()
    conn.request("POST", "/subscribe", body, headers)
    response = conn.getresponse()
    response.read()
    elapsed = time.perf_counter() - start
    conn.close()
    assert response.status == 200, response.status
    return elapsed * 1000


def _summary(name: str, ms: list[float]) -> str:
    ordered = sorted(ms)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (f"{name}: n={len(ms)} median {statistics.median(ms):.1f} ms, "
            f"min {ordered[0]:.1f}, max {ordered[-1]:.1f}, stdev {statistics.stdev(ms):.1f}, "
            f"p99 {p99:.1f}")  # fmt: skip


def run(count: int) -> None:
    smtp_port = _free_port()
    sink = Controller(Sink(), hostname="127.0.0.1", port=smtp_port)
    sink.start()
    folder = Path(tempfile.mkdtemp())
    os.chdir(folder)
    port = _free_port()
    (folder / "reportback.toml").write_text(
        f'[site]\nbase_url = "http://127.0.0.1:{port}"\n\n[email]\nsmtp_host = "127.0.0.1"\n'
        f'smtp_port = {smtp_port}\nsmtp_security = "none"\n'
    )
    (folder / "reports").mkdir()
    (folder / "reports/a.md").write_text(
        "---\ntitle: A\nmeeting: NEC\nmeeting_date: 2016-09-20\n---\n\nText.\n"
    )
    assert main(["build"]) == 0
    lifted = RateLimit(10**9, 1)
    app = create_app(load_config(), None, lifted, lifted, overall=lifted)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    for i in range(20):  # warm up
        _post(port, f"warm{i}@example.org")
    new, known = [], []
    for i in range(count):  # alternate, so that both see the same load
        new.append(_post(port, f"new{i}@example.org"))
        known.append(_post(port, f"warm{i % 20}@example.org"))
    print(_summary("new address  ", new))
    print(_summary("known address", known))
    with ThreadPoolExecutor(50) as pool:
        burst = list(pool.map(lambda i: _post(port, f"c{i}@example.org"), range(count * 5)))
    print(_summary("50 concurrent", burst))
    server.should_exit = True
    sink.stop()


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
