"""The e-mail without a server (a fake SMTP session): the message as a receiver reads it, the
SMTP steps, and no password in a detail."""

from __future__ import annotations

import json
import smtplib
import socket
import ssl
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest

from infraaudit.health.alerts import Delivery, build_message, send_email
from infraaudit.inventory.alerts import EmailOptions
from tests.unit.health.alerts.alert_samples import (
    PASSWORD,
    PAYLOAD,
    SUBJECT,
    TEXT,
    FakeSmtp,
    email_opts,
)


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
