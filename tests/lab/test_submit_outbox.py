"""``infraaudit submit`` against a real HTTP collector stand-in on loopback.

Each server listens on 127.0.0.1 with a port the kernel picks, is started by its fixture and
stopped (handler threads joined) by it, also when the test fails. Proxy variables are removed so
urllib connects directly.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infraaudit.cli import app
from infraaudit.models import Agency, AuditDocument, Coverage, ScanMeta, Site

LOOPBACK = "127.0.0.1"
TOKEN = "lab-submit-token-5d1e"


# proxy variables removed and socket.getfqdn replaced: loopback only, no name resolved
pytestmark = pytest.mark.usefixtures("_loopback_only")


@dataclass
class Step:
    status: int
    body: dict[str, object] = field(default_factory=dict)


@dataclass
class Collector:
    """Answers POST /api/v1/audits from a script (then 201) and keeps what it stored."""

    script: list[Step] = field(default_factory=list)
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    stored: dict[str, bytes] = field(default_factory=dict)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins every handler thread
    collector: Collector


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        collector = self.server.collector
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        collector.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()},
                                   body))
        step = collector.script.pop(0) if collector.script else Step(201)
        if step.status == 201:
            audit_id = json.loads(body)["audit_id"]
            if audit_id in collector.stored:
                step = Step(200, {"status": "already-stored"})
            collector.stored[audit_id] = body
        reply = json.dumps(step.body or {"status": "stored"}).encode()
        self.send_response(step.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(reply)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(collector: Collector) -> Iterator[Collector]:
    server = _Server((LOOPBACK, 0), _Handler)
    server.collector = collector
    collector.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, name="collector", daemon=True)
    thread.start()
    try:
        yield collector
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def start() -> Iterator[Callable[..., Collector]]:
    with contextlib.ExitStack() as stack:
        def _start(*script: Step) -> Collector:
            return stack.enter_context(serve(Collector(script=list(script))))

        yield _start


def _audit(tmp_path: Path, audit_id: str) -> Path:
    doc = AuditDocument(
        audit_id=audit_id, agency=Agency(code="STP", name="Sở Tư pháp"),
        site=Site(id="hq", name="Trụ sở chính"),
        scan=ScanMeta(tool_version="0.1.0", started_at="2025-12-10T02:15:00Z",
                      scanning_host="lab", inventory_digest="0" * 64, snmp_backend="gufo",
                      complete=True),
        coverage=Coverage(targets=0, reachable=0, fully_probed=0))
    path = tmp_path / f"{audit_id}.json"
    path.write_text(doc.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return path


def _submit(tmp_path: Path, url: str, *args: str) -> tuple[int, str]:
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "INFRAAUDIT_SUBMIT_TOKEN": TOKEN}
    result = CliRunner().invoke(app, ["submit", *args, "--to", url, "--backoff", "0.01",
                                      "--timeout", "5"], env=env)
    assert TOKEN not in result.output
    return result.exit_code, result.output


def _outbox(tmp_path: Path) -> list[str]:
    box = tmp_path / "data" / "infraaudit" / "outbox"
    return sorted(p.name for p in box.iterdir()) if box.is_dir() else []


def _free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        port: int = s.getsockname()[1]
    return port


def test_503_twice_then_201(tmp_path: Path, start: Callable[..., Collector]) -> None:
    collector = start(Step(503), Step(503))
    audit = _audit(tmp_path, "a-503")
    code, out = _submit(tmp_path, collector.url, str(audit))
    assert code == 0, out
    assert "stored (attempt 3)" in out
    assert len(collector.requests) == 3
    path, headers, body = collector.requests[-1]
    assert path == "/api/v1/audits"
    assert headers["authorization"] == f"Bearer {TOKEN}"
    assert headers["content-type"] == "application/json"
    assert body == audit.read_bytes()
    assert _outbox(tmp_path) == []


def test_down_fills_the_outbox_and_the_next_run_drains_it(
        tmp_path: Path, start: Callable[..., Collector]) -> None:
    down = f"http://{LOOPBACK}:{_free_port()}"
    first, second = _audit(tmp_path, "a-first"), _audit(tmp_path, "a-second")
    code, out = _submit(tmp_path, down, str(first), "--attempts", "2")
    assert code == 1 and "queued" in out and "connection failed" in out
    code, out = _submit(tmp_path, down, str(second), "--attempts", "2")
    assert code == 1
    assert _outbox(tmp_path) == ["a-first.json", "a-second.json"]
    collector = start()
    code, out = _submit(tmp_path, collector.url)
    assert code == 0, out
    assert [json.loads(b)["audit_id"] for _, _, b in collector.requests] == ["a-first", "a-second"]
    assert _outbox(tmp_path) == []
    assert collector.stored["a-first"] == first.read_bytes()


def test_resending_is_idempotent(tmp_path: Path, start: Callable[..., Collector]) -> None:
    collector = start()
    audit = _audit(tmp_path, "a-twice")
    assert _submit(tmp_path, collector.url, str(audit))[0] == 0
    code, out = _submit(tmp_path, collector.url, str(audit))
    assert code == 0 and "already stored" in out
    assert len(collector.stored) == 1 and len(collector.requests) == 2


def test_401_is_not_retried(tmp_path: Path, start: Callable[..., Collector]) -> None:
    collector = start(Step(401, {"error": "unauthorized", "detail": "unknown token"}))
    code, out = _submit(tmp_path, collector.url, str(_audit(tmp_path, "a-401")))
    assert code == 2 and "HTTP 401" in out and "unknown token" in out
    assert len(collector.requests) == 1
    assert _outbox(tmp_path) == []


def test_422_detail_is_shown(tmp_path: Path, start: Callable[..., Collector]) -> None:
    detail = "site hq does not belong to agency STP"
    collector = start(Step(422, {"error": "site-mismatch", "detail": detail}))
    code, out = _submit(tmp_path, collector.url, str(_audit(tmp_path, "a-422")))
    assert code == 2 and f"site-mismatch: {detail}" in out
    assert len(collector.requests) == 1
