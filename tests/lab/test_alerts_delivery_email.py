"""Alert delivery against real receivers on loopback: an HTTP server and an SMTP server.

Every server listens on 127.0.0.1 with a port the kernel picks, is started by its fixture and
stopped (threads joined) by it, also when the test fails. No name is resolved: socket.getfqdn
is replaced for the test, and proxy variables are removed so urllib connects directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import http.server
import ipaddress
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from infraaudit.health.alerts import (
    Delivery,
    deliver,
    send_email,
)
from infraaudit.inventory.alerts import AlertOptions, EmailOptions, WebhookOptions

LOOPBACK = "127.0.0.1"
SECRET = "Bearer lab-s3cr3t-7731"
TOKEN = "T0KEN-lab-4f2a9c"
PASSWORD = "mật-khẩu-lab-42"

PAYLOAD: dict[str, Any] = {
    "site": "ubnd-huyen-thu-nghiem",
    "run_id": "20240501T010000Z",
    "time": "2024-05-01T01:00:00+07:00",
    "alerts": [
        {
            "code": "PORT-ERRORS-UP",
            "severity": "medium",
            "subject": "sw-core Gi0/24",
            "title": "Lỗi CRC tăng trên cổng đường lên",
            "detail": "Tỷ lệ lỗi FCS tăng từ 0 lên 420 phần triệu so với lần đo trước.",
            "measured": {"fcs_ppm": 420, "previous_fcs_ppm": 0},
        }
    ],
}
TEXT = (
    "BÁO CÁO KIỂM TRA HẰNG ĐÊM — UBND huyện Thử Nghiệm\n"
    "1 cảnh báo mức trung bình:\n"
    "  • Lỗi CRC tăng trên cổng đường lên (sw-core Gi0/24)\n"
)
SUBJECT = "Cảnh báo: lỗi CRC tăng ở Ủy ban nhân dân huyện"


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    # smtplib (EHLO name), aiosmtpd and http.server ask for the host's FQDN: no DNS query.
    monkeypatch.setattr(socket, "getfqdn", lambda name="": "localhost")


# --- a loopback HTTP receiver ----------------------------------------------------------------


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class HttpReceiver:
    """Answers POSTs from a script of statuses (then 200); "slow" waits until released."""

    script: list[int | str] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    port: int = 0

    def url(self, path: str = "/") -> str:
        return f"http://{LOOPBACK}:{self.port}{path}"


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins every handler thread
    receiver: HttpReceiver


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def _answer(self) -> None:
        receiver = self.server.receiver
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        receiver.requests.append(
            Received(self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                     body)
        )
        step = receiver.script.pop(0) if receiver.script else 200
        if step == "slow":
            receiver.release.wait(10)
            step = 200
        assert isinstance(step, int)
        self.send_response(step)
        if 300 <= step < 400:
            self.send_header("Location", receiver.url("/moved"))
        self.send_header("Content-Type", "application/json")
        reply = b'{"ok": true}'
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client gave up (timeout test)
            self.wfile.write(reply)

    do_POST = _answer
    do_GET = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def http_receiver() -> Iterator[HttpReceiver]:
    receiver = HttpReceiver()
    server = _Server((LOOPBACK, 0), _Handler)
    server.receiver = receiver
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield receiver
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()
        thread.join(10)
        assert not thread.is_alive()


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A loopback port that refuses connections: bound, never listening (no race for it)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((LOOPBACK, 0))
        yield sock.getsockname()[1]
    finally:
        sock.close()


def webhook(receiver: HttpReceiver, **kw: Any) -> AlertOptions:
    fields: dict[str, Any] = {
        "url": receiver.url(f"/hooks/{TOKEN}?site=thu-nghiem"),
        "headers": {"Authorization": SECRET, "X-Site": "thu-nghiem"},
        "timeout_s": 5.0,
    }
    return AlertOptions(webhook=WebhookOptions(**(fields | kw)))


def assert_no_secret(results: list[Delivery]) -> None:
    for result in results:
        for secret in (SECRET, TOKEN, PASSWORD, "lab-s3cr3t"):
            assert secret not in result.detail, result.detail


def test_webhook_posts_utf8_json_with_headers(http_receiver: HttpReceiver) -> None:
    results = deliver(webhook(http_receiver), PAYLOAD, TEXT, SUBJECT)
    assert results == [Delivery("webhook", True, f"POST http://{LOOPBACK}:"
                                                 f"{http_receiver.port}/…: HTTP 200")]
    (request,) = http_receiver.requests
    assert request.method == "POST" and request.path == f"/hooks/{TOKEN}?site=thu-nghiem"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["authorization"] == SECRET
    assert request.headers["x-site"] == "thu-nghiem"
    assert request.headers["user-agent"].startswith("infraaudit/")
    assert int(request.headers["content-length"]) == len(request.body)
    assert "Lỗi CRC tăng trên cổng đường lên".encode() in request.body  # raw UTF-8
    assert json.loads(request.body.decode("utf-8")) == PAYLOAD
    assert_no_secret(results)


def test_webhook_retries_a_503_then_succeeds(http_receiver: HttpReceiver) -> None:
    http_receiver.script = [503, 200]
    start = time.monotonic()
    results = deliver(webhook(http_receiver, retries=2), PAYLOAD, TEXT, SUBJECT)
    elapsed = time.monotonic() - start
    assert [r.ok for r in results] == [True], results
    assert "attempt 2 of 3" in results[0].detail
    assert len(http_receiver.requests) == 2
    assert http_receiver.requests[0].body == http_receiver.requests[1].body
    assert 1.0 <= elapsed < 4.0  # one backoff of 1 s


def test_webhook_gives_up_on_persistent_5xx(http_receiver: HttpReceiver) -> None:
    http_receiver.script = [500, 502]
    results = deliver(webhook(http_receiver, retries=1), PAYLOAD, TEXT, SUBJECT)
    assert [r.ok for r in results] == [False]
    assert results[0].detail.endswith("failed after 2 attempts: HTTP 502")
    assert len(http_receiver.requests) == 2
    assert_no_secret(results)


def test_webhook_does_not_retry_a_400(http_receiver: HttpReceiver) -> None:
    http_receiver.script = [400]
    results = deliver(webhook(http_receiver, retries=2), PAYLOAD, TEXT, SUBJECT)
    assert [r.ok for r in results] == [False]
    assert "failed after 1 attempt: HTTP 400" in results[0].detail
    assert len(http_receiver.requests) == 1
    assert_no_secret(results)


def test_webhook_does_not_follow_a_redirect(http_receiver: HttpReceiver) -> None:
    http_receiver.script = [307]
    results = deliver(webhook(http_receiver), PAYLOAD, TEXT, SUBJECT)
    assert [r.ok for r in results] == [False]
    assert "HTTP 307 (a redirect, not followed" in results[0].detail
    assert [r.path for r in http_receiver.requests] == [f"/hooks/{TOKEN}?site=thu-nghiem"]


def test_webhook_timeout(http_receiver: HttpReceiver) -> None:
    http_receiver.script = ["slow"]
    start = time.monotonic()
    results = deliver(webhook(http_receiver, timeout_s=0.3, retries=0), PAYLOAD, TEXT, SUBJECT)
    assert time.monotonic() - start < 3
    assert [r.ok for r in results] == [False]
    assert "no answer within 0.3 s" in results[0].detail


def test_webhook_connection_refused(refused_port: int) -> None:
    options = AlertOptions(webhook=WebhookOptions(
        url=f"http://{LOOPBACK}:{refused_port}/hooks/{TOKEN}", retries=1,
        headers={"Authorization": SECRET},
    ))
    start = time.monotonic()
    results = deliver(options, PAYLOAD, TEXT, SUBJECT)
    assert time.monotonic() - start >= 1.0  # retried once after 1 s
    assert [r.ok for r in results] == [False]
    assert results[0].detail == (f"POST http://{LOOPBACK}:{refused_port}/… failed after 2 "
                                 "attempts: connection failed (Connection refused)")
    assert_no_secret(results)


# --- a loopback SMTP receiver ----------------------------------------------------------------


@dataclass
class Mail:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    def message(self) -> EmailMessage:
        msg = message_from_bytes(self.data, policy=default_policy)
        assert isinstance(msg, EmailMessage)
        return msg


@dataclass
class Inbox:
    mails: list[Mail] = field(default_factory=list)
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)
    password: str = PASSWORD

    async def handle_DATA(
        self, server: SMTPServer, session: Session, envelope: Envelope
    ) -> str:
        data = envelope.original_content or b""
        self.mails.append(Mail(str(envelope.mail_from), list(envelope.rcpt_tos), data))
        return "250 OK"

    def authenticator(self, server: SMTPServer, session: Session, envelope: Envelope,
                      mechanism: str, auth_data: Any) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        self.logins.append((auth_data.login, auth_data.password))
        ok = auth_data.login == b"canhbao" and auth_data.password == self.password.encode()
        return AuthResult(success=ok, handled=False)


class _LoopbackController(Controller):
    """aiosmtpd's threaded controller on a port the kernel picks (port=0)."""

    def _trigger_server(self) -> None:
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


SmtpStarter = Callable[..., tuple[Inbox, int]]


@pytest.fixture
def smtp_server() -> Iterator[SmtpStarter]:
    """start(**controller_kwargs) -> (inbox, port); every server is stopped at the end."""
    controllers: list[Controller] = []

    def start(**kwargs: Any) -> tuple[Inbox, int]:
        inbox = Inbox()
        if kwargs.pop("auth", False):
            kwargs["authenticator"] = inbox.authenticator
        controller = _LoopbackController(
            inbox, hostname=LOOPBACK, port=0, server_hostname="localhost", **kwargs
        )
        controller.start()
        controllers.append(controller)
        return inbox, controller.port

    try:
        yield start
    finally:
        for controller in controllers:
            controller.stop()


@dataclass
class Tls:
    server: ssl.SSLContext
    client: ssl.SSLContext  # trusts the self-signed certificate


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    """A self-signed certificate for 127.0.0.1 and localhost, made for this test run."""
    directory: Path = tmp_path_factory.mktemp("alerts-tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(LOOPBACK)),
        ]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ))
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return Tls(server, client)


def mail_options(port: int, **kw: Any) -> EmailOptions:
    fields: dict[str, Any] = {
        "host": LOOPBACK, "port": port, "starttls": False,
        "sender": "Hệ thống giám sát <infraaudit@ubnd.example.gov.vn>",
        "to": ["noc@ubnd.example.gov.vn", "Trưởng phòng CNTT <tp.cntt@ubnd.example.gov.vn>"],
        "subject_prefix": "[infraaudit · Thử Nghiệm]", "timeout_s": 5.0,
    }
    return EmailOptions(**(fields | kw))


def assert_is_the_report(mail: Mail, *, attached: bool = True) -> None:
    assert mail.mail_from == "infraaudit@ubnd.example.gov.vn"
    assert mail.rcpt_tos == ["noc@ubnd.example.gov.vn", "tp.cntt@ubnd.example.gov.vn"]
    assert mail.data.isascii()  # headers RFC 2047, body QP/base64: any relay carries it
    msg = mail.message()
    assert msg["Subject"] == f"[infraaudit · Thử Nghiệm] {SUBJECT}"
    (sender,) = msg["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (
        "Hệ thống giám sát", "infraaudit@ubnd.example.gov.vn")
    to = msg["To"].addresses
    assert [a.addr_spec for a in to] == mail.rcpt_tos
    assert to[1].display_name == "Trưởng phòng CNTT"
    body = msg.get_body(("plain",))
    assert body is not None
    assert body.get_content_charset() == "utf-8"
    assert body.get_content() == TEXT
    attachments = list(msg.iter_attachments())
    if not attached:
        assert attachments == []
        return
    (attachment,) = attachments
    assert attachment.get_content_type() == "application/json"
    assert attachment.get_filename() == "infraaudit-alerts.json"
    assert json.loads(attachment.get_content().decode("utf-8")) == PAYLOAD


def test_email_plain_smtp(smtp_server: SmtpStarter) -> None:
    inbox, port = smtp_server()
    results = deliver(AlertOptions(email=mail_options(port)), PAYLOAD, TEXT, SUBJECT)
    assert results == [Delivery(
        "email", True, f"smtp {LOOPBACK}:{port} (no TLS): sent to noc@ubnd.example.gov.vn, "
                       "tp.cntt@ubnd.example.gov.vn",
    )]
    (mail,) = inbox.mails
    assert_is_the_report(mail)


def test_email_without_attachment(smtp_server: SmtpStarter) -> None:
    inbox, port = smtp_server()
    options = AlertOptions(email=mail_options(port, attach_json=False))
    assert [r.ok for r in deliver(options, PAYLOAD, TEXT, SUBJECT)] == [True]
    (mail,) = inbox.mails
    assert_is_the_report(mail, attached=False)


def test_email_starttls_not_offered_is_not_a_downgrade(smtp_server: SmtpStarter) -> None:
    inbox, port = smtp_server()
    results = deliver(AlertOptions(email=mail_options(port, starttls=True)), PAYLOAD, TEXT,
                      SUBJECT)
    assert [r.ok for r in results] == [False]
    assert "STARTTLS failed: the server does not support it" in results[0].detail
    assert inbox.mails == []


@pytest.mark.parametrize("password", [PASSWORD, "ascii-Passw0rd"], ids=["utf8", "ascii"])
def test_email_starttls_and_login(smtp_server: SmtpStarter, tls: Tls, password: str) -> None:
    """Non-ASCII passwords go as UTF-8 AUTH PLAIN; ASCII ones through smtplib's login()."""
    inbox, port = smtp_server(tls_context=tls.server, require_starttls=True, auth=True)
    inbox.password = password
    options = mail_options(port, starttls=True, username="canhbao", password=password)
    result = send_email(options, PAYLOAD, TEXT, SUBJECT, context=tls.client)
    assert result.ok, result.detail
    assert result.detail.startswith(f"smtp {LOOPBACK}:{port} (STARTTLS): sent to")
    assert inbox.logins == [(b"canhbao", password.encode())]
    (mail,) = inbox.mails
    assert_is_the_report(mail)


def test_email_wrong_password(smtp_server: SmtpStarter, tls: Tls) -> None:
    inbox, port = smtp_server(tls_context=tls.server, require_starttls=True, auth=True)
    wrong = "sai-mật-khẩu-123"
    options = mail_options(port, starttls=True, username="canhbao", password=wrong)
    result = send_email(options, PAYLOAD, TEXT, SUBJECT, context=tls.client)
    assert not result.ok
    assert "login failed: login refused (535" in result.detail
    assert wrong not in result.detail
    assert inbox.mails == [] and inbox.logins == [(b"canhbao", wrong.encode())]


def test_email_untrusted_certificate_is_refused(smtp_server: SmtpStarter, tls: Tls) -> None:
    """deliver() verifies certificates against the system's CAs: a self-signed one fails."""
    inbox, port = smtp_server(tls_context=tls.server, require_starttls=True)
    results = deliver(AlertOptions(email=mail_options(port, starttls=True)), PAYLOAD, TEXT,
                      SUBJECT)
    assert [r.ok for r in results] == [False]
    assert "STARTTLS failed: TLS certificate not accepted" in results[0].detail
    assert inbox.mails == []


def test_email_implicit_tls(smtp_server: SmtpStarter, tls: Tls) -> None:
    inbox, port = smtp_server(ssl_context=tls.server)
    options = mail_options(port, ssl=True)
    result = send_email(options, PAYLOAD, TEXT, SUBJECT, context=tls.client)
    assert result.ok, result.detail
    assert f"{LOOPBACK}:{port} (TLS)" in result.detail
    (mail,) = inbox.mails
    assert_is_the_report(mail)


def test_email_connection_refused(refused_port: int) -> None:
    results = deliver(AlertOptions(email=mail_options(refused_port)), PAYLOAD, TEXT, SUBJECT)
    assert [r.ok for r in results] == [False]
    assert results[0].detail == (f"smtp {LOOPBACK}:{refused_port} (no TLS): connect failed: "
                                 "connection failed (Connection refused)")


# --- both channels ---------------------------------------------------------------------------


def test_both_channels(http_receiver: HttpReceiver, smtp_server: SmtpStarter) -> None:
    inbox, port = smtp_server()
    options = AlertOptions(
        webhook=webhook(http_receiver).webhook, email=mail_options(port)
    )
    results = deliver(options, PAYLOAD, TEXT, SUBJECT)
    assert [(r.channel, r.ok) for r in results] == [("webhook", True), ("email", True)]
    assert len(http_receiver.requests) == 1 and len(inbox.mails) == 1


def test_failed_webhook_does_not_stop_the_mail(
    refused_port: int, smtp_server: SmtpStarter
) -> None:
    inbox, port = smtp_server()
    options = AlertOptions(
        webhook=WebhookOptions(url=f"http://{LOOPBACK}:{refused_port}/h", retries=0),
        email=mail_options(port),
    )
    results = deliver(options, PAYLOAD, TEXT, SUBJECT)
    assert [(r.channel, r.ok) for r in results] == [("webhook", False), ("email", True)]
    (mail,) = inbox.mails
    assert_is_the_report(mail)


def test_nothing_sent_without_alerts(http_receiver: HttpReceiver, smtp_server: SmtpStarter
                                     ) -> None:
    inbox, port = smtp_server()
    options = AlertOptions(webhook=webhook(http_receiver).webhook, email=mail_options(port))
    assert deliver(options, {**PAYLOAD, "alerts": []}, TEXT, SUBJECT) == []
    assert http_receiver.requests == [] and inbox.mails == []
