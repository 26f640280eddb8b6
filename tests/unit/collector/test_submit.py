"""``infraaudit submit`` without a network: the retry policy with a fake opener and clock, the
outbox (atomic, 0600, oldest first, removed only after 200/201), refusals, and the token that
never shows."""

from __future__ import annotations

import json
import os
import stat
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infraaudit.cli import app
from infraaudit.collector import submit
from infraaudit.collector.submit import Answer, Outcome, Submitter, endpoint, outbox_name
from infraaudit.errors import OutputError, SubmitError
from infraaudit.models import Agency, AuditDocument, Coverage, ScanMeta, Site
from infraaudit.util import output

TOKEN = "tok-3f9a-very-secret-77"
URL = "https://collector.example.invalid"


def audit_text(audit_id: str, site: str = "hq") -> str:
    doc = AuditDocument(
        audit_id=audit_id, agency=Agency(code="TTT", name="Thanh tra tỉnh"),
        site=Site(id=site, name="Trụ sở 26 Hùng Vương"),
        scan=ScanMeta(tool_version="0.1.0", started_at="2025-12-10T02:15:00Z",
                      scanning_host="laptop", inventory_digest="0" * 64, snmp_backend="gufo",
                      complete=True),
        coverage=Coverage(targets=0, reachable=0, fully_probed=0))
    return doc.model_dump_json(indent=2) + "\n"


class FakeOpener:
    """Answers from a script: an int status, an Answer, or an exception to raise."""

    def __init__(self, *script: int | Answer | BaseException) -> None:
        self.script = list(script)
        self.requests: list[urllib.request.Request] = []

    def __call__(self, request: urllib.request.Request, timeout: float) -> Answer:
        self.requests.append(request)
        step = self.script.pop(0) if self.script else 201
        if isinstance(step, BaseException):
            raise step
        return step if isinstance(step, Answer) else Answer(step)

    def bodies(self) -> list[str]:
        out = []
        for r in self.requests:
            assert isinstance(r.data, bytes)
            out.append(json.loads(r.data)["audit_id"])
        return out


def make(tmp_path: Path, opener: FakeOpener, sleeps: list[float] | None = None,
         attempts: int = 4) -> Submitter:
    record = sleeps if sleeps is not None else []
    return Submitter(url=URL, token=TOKEN, outbox=tmp_path / "outbox", attempts=attempts,
                     opener=opener, sleep=record.append)


REFUSED_DOWN = urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))


def test_retries_5xx_with_exponential_backoff_then_stores(tmp_path: Path) -> None:
    opener, sleeps = FakeOpener(503, REFUSED_DOWN, 201), []
    result = make(tmp_path, opener, sleeps).submit(audit_text("a1"))
    assert (result.outcome, result.status, result.attempts) == (Outcome.STORED, 201, 3)
    assert sleeps == [1.0, 2.0]
    request = opener.requests[0]
    assert request.full_url == URL + "/api/v1/audits" and request.get_method() == "POST"
    assert request.get_header("Authorization") == f"Bearer {TOKEN}"
    assert request.get_header("Content-type") == "application/json"
    assert request.data == audit_text("a1").encode()  # the file as read, byte for byte
    assert not (tmp_path / "outbox").exists()


def test_gives_up_after_the_attempts_and_queues_atomically_0600(tmp_path: Path) -> None:
    opener, sleeps = FakeOpener(500, 502, TimeoutError(), 503), []
    result = make(tmp_path, opener, sleeps).submit(audit_text("a1"))
    assert result.outcome is Outcome.QUEUED and result.attempts == 4
    assert sleeps == [1.0, 2.0, 4.0]
    assert "after 4 attempts" in result.message
    queued = tmp_path / "outbox" / "a1.json"
    assert queued.read_text(encoding="utf-8") == audit_text("a1")
    assert stat.S_IMODE(queued.stat().st_mode) == 0o600
    assert stat.S_IMODE(queued.parent.stat().st_mode) == 0o700
    assert [p.name for p in queued.parent.iterdir()] == ["a1.json"]  # no temporary file


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 413, 422, 302])
def test_refusals_are_not_retried_nor_queued(tmp_path: Path, status: int) -> None:
    opener, sleeps = FakeOpener(status), []
    result = make(tmp_path, opener, sleeps).submit(audit_text("a1"))
    assert (result.outcome, result.status) == (Outcome.REFUSED, status)
    assert len(opener.requests) == 1 and sleeps == []
    assert not (tmp_path / "outbox").exists()


def test_422_detail_is_shown_and_a_redirect_is_named(tmp_path: Path) -> None:
    body = json.dumps({"error": "site-mismatch",
                       "detail": "site hq does not belong to agency TTT"}).encode()
    result = make(tmp_path, FakeOpener(Answer(422, body))).submit(audit_text("a1"))
    assert "HTTP 422" in result.message
    assert "site-mismatch: site hq does not belong to agency TTT" in result.message
    result = make(tmp_path, FakeOpener(301)).submit(audit_text("a1"))
    assert "redirect, not followed" in result.message


def test_200_already_stored_counts_as_delivered(tmp_path: Path) -> None:
    answer = Answer(200, b'{"status": "already-stored"}')
    result = make(tmp_path, FakeOpener(answer)).submit(audit_text("a1"))
    assert result.outcome is Outcome.ALREADY and result.delivered


def test_tls_certificate_error_is_not_retried(tmp_path: Path) -> None:
    import ssl

    error = ssl.SSLCertVerificationError(1, "certificate verify failed")
    error.verify_message = "self-signed certificate"
    result = make(tmp_path, FakeOpener(urllib.error.URLError(error))).submit(audit_text("a1"))
    assert result.outcome is Outcome.REFUSED and "self-signed" in result.message


def _queue(box: Path, audit_id: str, mtime: int) -> Path:
    box.mkdir(parents=True, exist_ok=True)
    path = box / f"{audit_id}.json"
    path.write_text(audit_text(audit_id), encoding="utf-8")
    os.utime(path, ns=(mtime, mtime))
    return path


def test_drain_sends_oldest_first_and_removes_only_after_200_or_201(tmp_path: Path) -> None:
    box = tmp_path / "outbox"
    _queue(box, "c-newest", 3_000_000_000)
    _queue(box, "a-oldest", 1_000_000_000)
    _queue(box, "b-middle", 2_000_000_000)
    opener = FakeOpener(201, Answer(200, b'{"status":"already-stored"}'), 201)
    submitter = make(tmp_path, opener)
    results = submitter.drain()
    assert opener.bodies() == ["a-oldest", "b-middle", "c-newest"]
    assert all(r.delivered for r in results)
    assert list(box.iterdir()) == []


def test_drain_stops_when_the_collector_is_down_and_queues_the_new_audit(
        tmp_path: Path) -> None:
    box = tmp_path / "outbox"
    _queue(box, "old-1", 1_000_000_000)
    _queue(box, "old-2", 2_000_000_000)
    opener, sleeps = FakeOpener(503, 503, 503, 503), []
    submitter = make(tmp_path, opener, sleeps)
    results = submitter.drain()
    assert [r.outcome for r in results] == [Outcome.QUEUED]  # old-2 not tried: down
    result = submitter.submit(audit_text("new"))
    assert result.outcome is Outcome.QUEUED and len(opener.requests) == 4  # no new attempts
    assert sorted(p.name for p in box.iterdir()) == ["new.json", "old-1.json", "old-2.json"]


def test_content_refusal_sets_an_outbox_file_aside_with_its_reason(tmp_path: Path) -> None:
    box = tmp_path / "outbox"
    _queue(box, "dup", 1_000_000_000)
    _queue(box, "ok", 2_000_000_000)
    body = b'{"error": "conflict", "detail": "audit dup already stored with other content"}'
    results = make(tmp_path, FakeOpener(Answer(409, body), 201)).drain()
    assert [r.outcome for r in results] == [Outcome.REFUSED, Outcome.STORED]
    assert list(box.iterdir()) == []
    refused = tmp_path / "refused"
    assert (refused / "dup.json").read_text(encoding="utf-8") == audit_text("dup")
    assert "other content" in (refused / "dup.json.reason").read_text(encoding="utf-8")


def test_auth_refusal_keeps_the_outbox(tmp_path: Path) -> None:
    box = tmp_path / "outbox"
    _queue(box, "old-1", 1_000_000_000)
    _queue(box, "old-2", 2_000_000_000)
    opener = FakeOpener(401)
    results = make(tmp_path, opener).drain()
    assert [r.outcome for r in results] == [Outcome.REFUSED] and len(opener.requests) == 1
    assert sorted(p.name for p in box.iterdir()) == ["old-1.json", "old-2.json"]


def test_a_failed_outbox_write_keeps_the_previous_file_and_leaves_no_temporary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    submitter = make(tmp_path, FakeOpener())
    first = submitter.enqueue("a1", audit_text("a1"))

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output.os, "fsync", broken_fsync)
    with pytest.raises(OutputError):
        submitter.enqueue("a1", audit_text("a1", site="other"))
    assert first.read_text(encoding="utf-8") == audit_text("a1")
    assert [p.name for p in first.parent.iterdir()] == ["a1.json"]


def test_outbox_names_and_endpoint() -> None:
    assert outbox_name("5f0c-11aa") == "5f0c-11aa.json"
    unsafe = outbox_name("../../etc/passwd")
    assert "/" not in unsafe and unsafe.startswith("id-") and unsafe.endswith(".json")
    assert endpoint("https://c.example/base/") == "https://c.example/base/api/v1/audits"
    for bad in ("ftp://c.example", "c.example", "https://u:p@c.example", "https://c.example?x=1"):
        with pytest.raises(SubmitError):
            endpoint(bad)


def test_default_outbox_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert submit.default_outbox() == tmp_path / "infraaudit" / "outbox"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/dir")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert submit.default_outbox() == tmp_path / "home" / ".local/share/infraaudit/outbox"


# --- the command -------------------------------------------------------------------------------


def _patch_opener(monkeypatch: pytest.MonkeyPatch, opener: Callable[..., Answer]) -> None:
    monkeypatch.setattr(submit, "open_url", opener)


def _run(tmp_path: Path, *args: str, token: str | None = TOKEN) -> tuple[int, str]:
    env = {"XDG_DATA_HOME": str(tmp_path / "data")}
    env["INFRAAUDIT_SUBMIT_TOKEN"] = token or ""
    result = CliRunner().invoke(app, ["submit", *args, "--to", URL, "--backoff", "0"], env=env)
    return result.exit_code, result.output


def test_cli_exit_codes_and_no_token_in_output(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    audit = tmp_path / "audit.json"
    audit.write_text(audit_text("a1"), encoding="utf-8")
    echoed = {"error": "invalid", "detail": f"header Bearer {TOKEN}"}
    echo = Answer(422, json.dumps(echoed).encode())
    opener = FakeOpener(201, 503, 503, 503, 503, 201, echo)
    _patch_opener(monkeypatch, opener)
    code, out = _run(tmp_path, str(audit))
    assert code == 0 and "stored" in out
    code, out = _run(tmp_path, str(audit))
    assert code == 1 and "queued" in out
    assert (tmp_path / "data" / "infraaudit" / "outbox" / "a1.json").exists()
    code, out = _run(tmp_path)  # no audit: only the outbox
    assert code == 0 and "outbox a1: stored" in out
    assert not (tmp_path / "data" / "infraaudit" / "outbox" / "a1.json").exists()
    code, out = _run(tmp_path, str(audit))
    assert code == 2 and "HTTP 422" in out and "Bearer ***" in out
    assert TOKEN not in out


def test_cli_refuses_a_broken_audit_before_any_network_use(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(request: urllib.request.Request, timeout: float) -> Answer:
        raise AssertionError("network used")

    _patch_opener(monkeypatch, no_network)
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema_version": 3, "audit_id": "x"}', encoding="utf-8")
    code, out = _run(tmp_path, str(broken))
    assert code == 2 and "invalid audit" in out
    broken.write_text("{not json", encoding="utf-8")
    code, out = _run(tmp_path, str(broken))
    assert code == 2 and "not JSON" in out
    code, out = _run(tmp_path, str(tmp_path / "missing.json"))
    assert code == 2 and "cannot read" in out


def test_cli_missing_token_names_the_variable(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _patch_opener(monkeypatch, FakeOpener())
    audit = tmp_path / "audit.json"
    audit.write_text(audit_text("a1"), encoding="utf-8")
    code, out = _run(tmp_path, str(audit), token=None)
    assert code == 2 and "INFRAAUDIT_SUBMIT_TOKEN" in out
