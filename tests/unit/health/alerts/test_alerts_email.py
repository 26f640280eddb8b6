"""Alert outputs without a network: payload encoding, options, retry policy, secrets."""

from __future__ import annotations

import base64
import json
import math
import smtplib
import socket
import ssl
import urllib.error
import urllib.request
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from infraaudit.health import alerts
from infraaudit.health.alerts import (
    Delivery,
    PayloadError,
    build_message,
    deliver,
    delivery,
    encode_payload,
    send_email,
    send_webhook,
)
from infraaudit.health.alerts import email as email_channel
from infraaudit.health.alerts import webhook as webhook_channel
from infraaudit.inventory.alerts import AlertOptions, EmailOptions, WebhookOptions
from infraaudit.util.httpout import redact_url

SECRET = "Bearer s3cr3t-t0ken-XYZ"
URL_TOKEN = "T0KEN-in-the-path-9f8e7d"
PASSWORD = "mật-khẩu-Sm7p!"
URL = f"https://hooks.example.gov.vn/services/{URL_TOKEN}?sig=abcdef123456"

PAYLOAD: dict[str, Any] = {
    "site": "so-tttt-ha-noi",
    "run_id": "2024-05-01T01:00:00Z",
    "alerts": [
        {
            "code": "LINK-LOSS-HIGH",
            "severity": "high",
            "subject": "gw 10.0.0.1",
            "title": "Tỷ lệ mất gói cao trên đường truyền",
            "detail": "Mất 12,5 % gói tin tới cổng mặc định (ngưỡng 1 %).",
            "measured": {"loss_pct": 12.5, "rtt_ms": None},
        }
    ],
}
TEXT = "Báo cáo kiểm tra hằng đêm\nĐơn vị: Sở Thông tin và Truyền thông Hà Nội\n"
SUBJECT = "1 cảnh báo: mất gói cao"


def webhook(**kw: Any) -> WebhookOptions:
    base: dict[str, Any] = {"url": URL, "headers": {"Authorization": SECRET}}
    return WebhookOptions(**(base | kw))


def email_opts(**kw: Any) -> EmailOptions:
    base: dict[str, Any] = {
        "host": "mail.example.gov.vn", "sender": "infraaudit@example.gov.vn",
        "to": ["noc@example.gov.vn", "Trưởng phòng <tp@example.gov.vn>"],
    }
    return EmailOptions(**(base | kw))


# --- payload ---------------------------------------------------------------------------------


def test_payload_is_utf8_json_with_diacritics_unescaped() -> None:
    body = encode_payload(PAYLOAD)
    assert "Tỷ lệ mất gói".encode() in body  # raw UTF-8, not \\u escapes
    assert json.loads(body.decode("utf-8")) == PAYLOAD


def test_payload_converts_dates_and_nan() -> None:
    when = datetime(2024, 5, 1, 1, 0, tzinfo=UTC)
    body = json.loads(encode_payload({"time": when, "jitter": math.nan, "x": math.inf}))
    assert body == {"time": "2024-05-01T01:00:00Z", "jitter": None, "x": None}


def test_payload_secretstr_is_masked() -> None:
    assert b"hidden" not in encode_payload({"s": SecretStr("hidden")})


def test_unserialisable_payload_is_a_payload_error() -> None:
    with pytest.raises(PayloadError, match="cannot be written as JSON"):
        encode_payload({"x": object()})


def test_indented_payload() -> None:
    assert encode_payload({"a": 1}, indent=2) == b'{\n  "a": 1\n}'


# --- options ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("ftp://x.example/", "http:// or https://"),
        ("hooks.example.gov.vn/x", "http:// or https://"),
        ("https:///path", "no host"),
        ("https://user:pw@x.example/", "credentials"),
        ("https://x.example:99999/", "malformed"),
        ("https://x.example/a b", "spaces"),
        ("https://bad_host!.example/", "not a valid host"),
    ],
)
def test_webhook_url_is_checked(url: str, match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        WebhookOptions(url=url)


@pytest.mark.parametrize(
    "url", ["https://hooks.example.gov.vn/x", "http://127.0.0.1:8080/a?b=c", "http://[::1]/",
            "https://cổngthôngtin.vn/hook"],
)
def test_webhook_url_accepted(url: str) -> None:
    assert WebhookOptions(url=url).url == url


def test_webhook_defaults() -> None:
    opts = WebhookOptions(url=URL)
    assert (opts.timeout_s, opts.retries, opts.headers) == (10.0, 2, {})


@pytest.mark.parametrize(
    ("headers", "match"),
    [
        ({"Bad Name": "v"}, "not a valid HTTP field name"),
        ({"Content-Type": "text/plain"}, "set by infraaudit"),
        ({"X-A": "v", "x-a": "w"}, "given twice"),
        ({"Authorization": SECRET + "\r\nX-Evil: 1"}, "line break"),
        ({"Authorization": "Bearer mật"}, "cannot carry"),
    ],
)
def test_webhook_headers_are_checked_without_quoting_values(
    headers: dict[str, str], match: str
) -> None:
    with pytest.raises(ValidationError, match=match) as info:
        WebhookOptions(url=URL, headers=headers)
    messages = " ".join(e["msg"] for e in info.value.errors())
    assert SECRET not in messages and "mật" not in messages


@pytest.mark.parametrize("field", [{"retries": -1}, {"retries": 11}, {"timeout_s": 0}])
def test_webhook_bounds(field: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        WebhookOptions(url=URL, **field)


def test_webhook_unknown_key_refused() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        WebhookOptions.model_validate({"url": URL, "retry": 3})


def test_email_defaults_and_ports() -> None:
    opts = email_opts()
    assert (opts.port, opts.starttls, opts.ssl, opts.subject_prefix) == (
        587, True, False, "[infraaudit]")
    assert opts.effective_port == 587
    assert email_opts(ssl=True, starttls=False).effective_port == 465
    assert email_opts(ssl=True, port=2465).effective_port == 2465


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"to": []}, "at least 1"),
        ({"to": ["not-an-address"]}, "not a mail address"),
        ({"to": ["a@x.vn, b@x.vn"]}, "more than one address"),
        ({"sender": "a@x.vn\r\nBcc: evil@x.vn"}, "one line"),
        ({"subject_prefix": "[a]\nBcc: x"}, "one line"),
        ({"username": "u"}, "go together"),
        ({"password": PASSWORD}, "go together"),
        ({"username": "u", "password": PASSWORD, "starttls": False}, "never sent in clear"),
        ({"host": "mail server"}, "not a valid host"),
        ({"port": 0}, "greater than or equal to 1"),
    ],
)
def test_email_options_are_checked(fields: dict[str, Any], match: str) -> None:
    with pytest.raises(ValidationError, match=match) as info:
        email_opts(**fields)
    assert PASSWORD not in str(info.value)


def test_email_password_is_secret() -> None:
    opts = email_opts(username="u", password=PASSWORD)
    assert PASSWORD not in repr(opts) and PASSWORD not in opts.model_dump_json()


def test_alert_options_default() -> None:
    opts = AlertOptions()
    assert opts.webhook is None and opts.email is None and opts.only_when_attention


# --- redaction -------------------------------------------------------------------------------


def test_redact_url_keeps_scheme_host_port_only() -> None:
    assert redact_url(URL) == "https://hooks.example.gov.vn/…"
    assert redact_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080"
    assert redact_url("http://[::1]:81/x") == "http://[::1]:81/…"


# --- webhook retry policy --------------------------------------------------------------------


class FakeOpener:
    """Answers from a script: an int is a status, an exception is raised."""

    def __init__(self, *script: int | BaseException) -> None:
        self.script = list(script)
        self.requests: list[tuple[urllib.request.Request, float]] = []

    def __call__(self, request: urllib.request.Request, timeout: float) -> int:
        self.requests.append((request, timeout))
        step = self.script.pop(0)
        if isinstance(step, BaseException):
            raise step
        return step


class FakeClock:
    def __init__(self) -> None:
        self.sleeps: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.sleeps.append(seconds)


def run(opts: WebhookOptions, *script: int | BaseException) -> tuple[Delivery, FakeOpener,
                                                                   FakeClock]:
    opener, clock = FakeOpener(*script), FakeClock()
    result = send_webhook(opts, PAYLOAD, opener=opener, sleep=clock)
    assert not opener.script, "the script was not played to its end"
    return result, opener, clock


def test_request_is_a_json_post_with_the_headers() -> None:
    result, opener, clock = run(webhook(timeout_s=3.5, headers={"Authorization": SECRET,
                                                                "X-Site": "hn"}), 204)
    assert result == Delivery("webhook", True, "POST https://hooks.example.gov.vn/…: HTTP 204")
    (request, timeout), = opener.requests
    assert request.get_method() == "POST" and request.full_url == URL and timeout == 3.5
    headers = {k.lower(): v for k, v in request.header_items()}
    assert headers["content-type"] == "application/json"
    assert headers["authorization"] == SECRET and headers["x-site"] == "hn"
    assert headers["user-agent"].startswith("infraaudit/")
    assert request.data == encode_payload(PAYLOAD)
    assert clock.sleeps == []


def test_5xx_is_retried_with_backoff() -> None:
    result, opener, clock = run(webhook(), 503, 502, 200)
    assert result.ok and "attempt 3 of 3" in result.detail
    assert len(opener.requests) == 3 and clock.sleeps == [1.0, 2.0]


def test_backoff_doubles_and_is_capped() -> None:
    result, opener, clock = run(webhook(retries=7), *([500] * 8))
    assert not result.ok and len(opener.requests) == 8
    assert clock.sleeps == [1, 2, 4, 8, 16, 30, 30]
    assert "failed after 8 attempts: HTTP 500" in result.detail


def test_gives_up_after_the_retries() -> None:
    result, opener, clock = run(webhook(retries=2), 503, 503, 503)
    assert not result.ok and len(opener.requests) == 3 and clock.sleeps == [1.0, 2.0]
    assert result.detail == "POST https://hooks.example.gov.vn/… failed after 3 attempts: HTTP 503"


def test_no_retry_when_retries_is_zero() -> None:
    result, opener, clock = run(webhook(retries=0), 503)
    assert not result.ok and len(opener.requests) == 1 and clock.sleeps == []


@pytest.mark.parametrize("status", [400, 401, 403, 404, 429])
def test_4xx_is_not_retried(status: int) -> None:
    result, opener, clock = run(webhook(), status)
    assert not result.ok and len(opener.requests) == 1 and clock.sleeps == []
    assert f"after 1 attempt: HTTP {status} (refused by the receiver" in result.detail


def test_redirect_is_not_followed_nor_retried() -> None:
    result, opener, _ = run(webhook(), 302)
    assert not result.ok and len(opener.requests) == 1
    assert "HTTP 302 (a redirect, not followed" in result.detail


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (urllib.error.URLError(ConnectionRefusedError(111, "Connection refused")),
         "connection failed (Connection refused)"),
        (urllib.error.URLError(TimeoutError()), "no answer within 10 s"),
        (TimeoutError("timed out"), "no answer within 10 s"),
        (ConnectionResetError(104, "Connection reset by peer"), "Connection reset by peer"),
        (urllib.error.URLError(socket.gaierror(-2, "Name or service not known")),
         "cannot resolve the host"),
    ],
)
def test_connection_errors_are_retried(error: BaseException, expected: str) -> None:
    result, opener, clock = run(webhook(retries=1), error, 200)
    assert result.ok and len(opener.requests) == 2 and clock.sleeps == [1.0]
    result, _, _ = run(webhook(retries=0), error)
    assert not result.ok and expected in result.detail


def test_untrusted_certificate_is_not_retried() -> None:
    error = ssl.SSLCertVerificationError(1, "certificate verify failed")
    error.verify_message = "self-signed certificate"
    result, opener, _ = run(webhook(), urllib.error.URLError(error))
    assert not result.ok and len(opener.requests) == 1
    assert "TLS certificate not accepted (self-signed certificate)" in result.detail


def test_unexpected_opener_error_is_named_by_type_only() -> None:
    result, opener, _ = run(webhook(), ValueError(f"Invalid header value {SECRET!r}"))
    assert not result.ok and len(opener.requests) == 1
    assert result.detail.endswith("request failed (ValueError)")


def test_unserialisable_payload_fails_without_sending() -> None:
    opener = FakeOpener()
    result = send_webhook(webhook(), {"alerts": [object()]}, opener=opener, sleep=FakeClock())
    assert not result.ok and "cannot be written as JSON" in result.detail
    assert opener.requests == []


# --- secrets never in a detail ---------------------------------------------------------------

LEAKY_ERRORS: list[int | BaseException] = [
    urllib.error.URLError(f"unknown thing at {URL} with {SECRET}"),
    urllib.error.URLError(OSError(f"{SECRET} {URL}")),
    OSError(5, f"I/O error near {SECRET}"),
    ValueError(SECRET),
    RuntimeError(URL),
    500, 400, 301,
]


@pytest.mark.parametrize("failure", LEAKY_ERRORS)
def test_no_webhook_secret_in_any_detail(failure: int | BaseException) -> None:
    result, _, _ = run(webhook(retries=0), failure)
    assert not result.ok
    for secret in (SECRET, URL_TOKEN, "abcdef123456", "s3cr3t"):
        assert secret not in result.detail


def test_no_webhook_secret_in_success_detail() -> None:
    result, _, _ = run(webhook(), 200)
    assert URL_TOKEN not in result.detail and SECRET not in result.detail


def test_no_webhook_secret_in_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG", logger="infraaudit.health.alerts")
    run(webhook(retries=2), 503, urllib.error.URLError(OSError(SECRET)),
        OSError(5, f"{SECRET} at {URL}"))
    assert caplog.records
    assert SECRET not in caplog.text and URL_TOKEN not in caplog.text


# --- e-mail without a server -----------------------------------------------------------------


def parsed(msg: EmailMessage) -> EmailMessage:
    """The message as a receiver sees it: serialised to bytes, then parsed again."""
    data = msg.as_bytes()
    assert data.isascii(), "the mail must need neither SMTPUTF8 nor 8BITMIME"
    result = message_from_bytes(data, policy=default_policy)
    assert isinstance(result, EmailMessage)
    return result


def test_message_headers_body_and_attachment() -> None:
    msg = parsed(build_message(email_opts(), PAYLOAD, TEXT, SUBJECT))
    assert msg["Subject"] == "[infraaudit] 1 cảnh báo: mất gói cao"
    assert msg["From"] == "infraaudit@example.gov.vn"
    assert [a.addr_spec for a in msg["To"].addresses] == ["noc@example.gov.vn",
                                                          "tp@example.gov.vn"]
    assert msg["To"].addresses[1].display_name == "Trưởng phòng"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Message-ID"].endswith("@example.gov.vn>") and msg["Date"]
    body = msg.get_body(("plain",))
    assert body is not None and body.get_content() == TEXT
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_content_type() == "application/json"
    assert attachment.get_filename() == "infraaudit-alerts.json"
    assert json.loads(attachment.get_content()) == PAYLOAD


def test_message_without_attachment_and_one_line_subject() -> None:
    opts = email_opts(attach_json=False, subject_prefix="")
    msg = parsed(build_message(opts, PAYLOAD, TEXT, "hai\r\ndòng"))
    assert msg["Subject"] == "hai dòng"
    assert not msg.is_multipart()
    assert msg.get_content() == TEXT


def test_long_lines_survive() -> None:
    text = "Đường truyền " * 200 + "\n"
    msg = parsed(build_message(email_opts(), PAYLOAD, text, SUBJECT))
    body = msg.get_body(("plain",))
    assert body is not None and body.get_content() == text


class FakeSmtp:
    """Stands in for smtplib.SMTP; ``fail`` names the step that raises ``error``."""

    def __init__(self, fail: str = "", error: BaseException | None = None,
                 refused: dict[str, tuple[int, bytes]] | None = None) -> None:
        self.fail, self.error, self.refused = fail, error, refused or {}
        self.calls: list[str] = []
        self.sent: list[EmailMessage] = []
        self.logins: list[tuple[str, str]] = []

    def _step(self, name: str) -> None:
        self.calls.append(name)
        if name == self.fail:
            assert self.error is not None
            raise self.error

    def starttls(self, context: ssl.SSLContext) -> None:
        self._step("starttls")

    esmtp_features: dict[str, str] = {"auth": "PLAIN LOGIN"}  # noqa: RUF012

    def login(self, user: str, password: str) -> None:
        # smtplib's own login: ASCII credentials only (it encodes them as ASCII)
        user.encode("ascii"), password.encode("ascii")
        self.logins.append((user, password))
        self._step("login")

    def ehlo_or_helo_if_needed(self) -> None:
        pass

    def docmd(self, cmd: str, args: str = "") -> tuple[int, bytes]:
        mechanism, blob = args.split()
        assert cmd == "AUTH" and mechanism == "PLAIN"
        _, user, password = base64.b64decode(blob).decode("utf-8").split("\0")
        self.logins.append((user, password))
        self._step("login")
        return 235, b"2.7.0 Authentication successful"

    def send_message(self, msg: EmailMessage) -> dict[str, tuple[int, bytes]]:
        self._step("send")
        self.sent.append(msg)
        return self.refused

    def quit(self) -> None:
        self._step("quit")

    def close(self) -> None:
        self.calls.append("close")


def send_fake(opts: EmailOptions, fake: FakeSmtp, connect_error: BaseException | None = None
              ) -> Delivery:
    def factory(options: EmailOptions, context: ssl.SSLContext) -> smtplib.SMTP:
        assert options is opts and isinstance(context, ssl.SSLContext)
        if connect_error is not None:
            raise connect_error
        return fake  # type: ignore[return-value]

    return send_email(opts, PAYLOAD, TEXT, SUBJECT, smtp_factory=factory)


def test_email_steps_with_starttls_and_login() -> None:
    fake = FakeSmtp()
    result = send_fake(email_opts(username="u", password=PASSWORD), fake)
    assert result.ok, result.detail
    assert fake.calls == ["starttls", "login", "send", "quit"]
    assert result.detail == ("smtp mail.example.gov.vn:587 (STARTTLS): sent to "
                             "noc@example.gov.vn, tp@example.gov.vn")


def test_non_ascii_password_uses_utf8_auth_plain() -> None:
    fake = FakeSmtp()
    assert send_fake(email_opts(username="cảnh-báo", password=PASSWORD), fake).ok
    assert fake.logins == [("cảnh-báo", PASSWORD)]  # through docmd("AUTH", "PLAIN …")
    fake = FakeSmtp()
    assert send_fake(email_opts(username="u", password="ascii-only"), fake).ok
    assert fake.logins == [("u", "ascii-only")]  # through smtplib's login()


def test_non_ascii_password_without_auth_plain_fails_clearly() -> None:
    fake = FakeSmtp()
    fake.esmtp_features = {"auth": "CRAM-MD5"}
    result = send_fake(email_opts(username="u", password=PASSWORD), fake)
    assert not result.ok and "send" not in fake.calls
    assert "login failed: the server does not support it: non-ASCII credentials" in (
        result.detail)


def test_email_plain_and_implicit_tls_skip_starttls() -> None:
    fake = FakeSmtp()
    assert send_fake(email_opts(starttls=False), fake).ok
    assert fake.calls == ["send", "quit"]
    fake = FakeSmtp()
    result = send_fake(email_opts(ssl=True), fake)
    assert result.ok and fake.calls == ["send", "quit"] and ":465 (TLS)" in result.detail


def test_email_no_starttls_offered_is_a_failure_not_a_downgrade() -> None:
    fake = FakeSmtp("starttls", smtplib.SMTPNotSupportedError("STARTTLS extension not supported"))
    result = send_fake(email_opts(), fake)
    assert not result.ok and "send" not in fake.calls and "quit" in fake.calls
    assert "STARTTLS failed: the server does not support it" in result.detail


def test_email_quit_error_after_send_keeps_success() -> None:
    fake = FakeSmtp("quit", smtplib.SMTPResponseException(500, b"bye?"))
    result = send_fake(email_opts(), fake)
    assert result.ok and fake.calls == ["starttls", "send", "quit", "close"]


def test_email_partly_refused_is_reported() -> None:
    fake = FakeSmtp(refused={"tp@example.gov.vn": (550, b"no such user")})
    result = send_fake(email_opts(), fake)
    assert not result.ok
    assert "sent to 1 of 2 recipients; refused: tp@example.gov.vn: 550 no such user" in (
        result.detail)


LEAKY_SMTP_ERRORS: list[tuple[str, BaseException]] = [
    ("login", smtplib.SMTPAuthenticationError(535, f"bad password {PASSWORD}".encode())),
    ("send", smtplib.SMTPDataError(554, f"rejected {PASSWORD}".encode())),
    ("send", smtplib.SMTPRecipientsRefused({"a@x.vn": (550, PASSWORD.encode())})),
    ("send", smtplib.SMTPException(PASSWORD)),
    ("starttls", ssl.SSLError(1, PASSWORD)),
    ("login", RuntimeError(PASSWORD)),
    ("send", smtplib.SMTPServerDisconnected(PASSWORD)),
]


@pytest.mark.parametrize(("step", "error"), LEAKY_SMTP_ERRORS)
def test_no_password_in_any_email_detail(step: str, error: BaseException) -> None:
    result = send_fake(email_opts(username="u", password=PASSWORD), FakeSmtp(step, error))
    assert not result.ok
    assert PASSWORD not in result.detail
    assert f": {'STARTTLS' if step == 'starttls' else step} failed: " in result.detail


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ConnectionRefusedError(111, "Connection refused"), "connect failed: connection failed"),
        (TimeoutError(), "connect failed: no answer within 20 s"),
        (socket.gaierror(-2, "Name or service not known"), "cannot resolve the host"),
    ],
)
def test_email_connect_errors(error: BaseException, expected: str) -> None:
    result = send_fake(email_opts(), FakeSmtp(), connect_error=error)
    assert not result.ok and expected in result.detail


# --- deliver ---------------------------------------------------------------------------------


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Replace the network ends of both channels; record what was sent."""
    state: dict[str, Any] = {"opener": FakeOpener(200), "smtp": FakeSmtp()}

    def open_url(request: urllib.request.Request, timeout: float) -> int:
        opener: FakeOpener = state["opener"]  # a test may replace it
        return opener(request, timeout)

    monkeypatch.setattr(webhook_channel, "_open_url", open_url)
    monkeypatch.setattr(email_channel, "_connect_smtp", lambda opts, ctx: state["smtp"])
    return state


def test_deliver_both_channels(fakes: dict[str, Any]) -> None:
    opts = AlertOptions(webhook=webhook(), email=email_opts())
    results = deliver(opts, PAYLOAD, TEXT, SUBJECT)
    assert [(r.channel, r.ok) for r in results] == [("webhook", True), ("email", True)]
    assert len(fakes["opener"].requests) == 1 and len(fakes["smtp"].sent) == 1


def test_deliver_nothing_without_alerts(fakes: dict[str, Any]) -> None:
    opts = AlertOptions(webhook=webhook(), email=email_opts())
    assert deliver(opts, {**PAYLOAD, "alerts": []}, TEXT, SUBJECT) == []
    assert fakes["opener"].requests == [] and fakes["smtp"].sent == []


def test_deliver_without_alerts_when_asked(fakes: dict[str, Any]) -> None:
    opts = AlertOptions(email=email_opts(), only_when_attention=False)
    results = deliver(opts, {**PAYLOAD, "alerts": []}, TEXT, SUBJECT)
    assert [(r.channel, r.ok) for r in results] == [("email", True)]


@pytest.mark.parametrize(
    ("alerts_value", "expected"),
    [
        ([], False),
        ([{"code": "DEVICE-BACK", "severity": "info"}], False),
        ([{"severity": "info"}, {"severity": "medium"}], True),
        ([{"code": "X"}], True),  # no severity: better sent
        (["odd"], True),
        (None, True),
    ],
)
def test_needs_attention(alerts_value: Any, expected: bool) -> None:
    assert alerts.needs_attention({"alerts": alerts_value}) is expected


def test_deliver_nothing_when_only_info(fakes: dict[str, Any]) -> None:
    payload = {**PAYLOAD, "alerts": [{"code": "DEVICE-BACK", "severity": "info"}]}
    assert deliver(AlertOptions(email=email_opts()), payload, TEXT, SUBJECT) == []
    results = deliver(AlertOptions(email=email_opts(), only_when_attention=False), payload, TEXT,
                      SUBJECT)
    assert [r.ok for r in results] == [True]


def test_deliver_payload_without_alerts_key_counts_as_attention(fakes: dict[str, Any]) -> None:
    results = deliver(AlertOptions(email=email_opts()), {"site": "x"}, TEXT, SUBJECT)
    assert [r.ok for r in results] == [True]


def test_deliver_no_channel() -> None:
    assert deliver(AlertOptions(), PAYLOAD, TEXT, SUBJECT) == []


def test_deliver_failed_webhook_still_sends_mail(fakes: dict[str, Any]) -> None:
    fakes["opener"] = FakeOpener(400)
    results = deliver(AlertOptions(webhook=webhook(), email=email_opts()), PAYLOAD, TEXT, SUBJECT)
    assert [(r.channel, r.ok) for r in results] == [("webhook", False), ("email", True)]


def test_deliver_never_raises(monkeypatch: pytest.MonkeyPatch, fakes: dict[str, Any]) -> None:
    def boom(*args: Any, **kwargs: Any) -> Delivery:
        raise RuntimeError(f"{SECRET} {URL} {PASSWORD}")

    monkeypatch.setattr(delivery, "send_webhook", boom)
    opts = AlertOptions(webhook=webhook(), email=email_opts(username="u", password=PASSWORD))
    results = deliver(opts, PAYLOAD, TEXT, SUBJECT)
    assert results[0] == Delivery("webhook", False, "unexpected error (RuntimeError)")
    assert results[1].ok
    monkeypatch.setattr(delivery, "send_email", boom)
    results = deliver(opts, PAYLOAD, TEXT, SUBJECT)
    assert [r.ok for r in results] == [False, False]
    for r in results:
        assert SECRET not in r.detail and PASSWORD not in r.detail and URL_TOKEN not in r.detail


def test_deliver_unserialisable_payload(fakes: dict[str, Any]) -> None:
    opts = AlertOptions(webhook=webhook(), email=email_opts())
    results = deliver(opts, {"alerts": [{"when": object()}]}, TEXT, SUBJECT)
    assert [r.ok for r in results] == [False, False]
    assert all("cannot be written as JSON" in r.detail for r in results)
