"""What the alert delivery lab tests share: the alert document and secrets they send, the
records of what the loopback HTTP and SMTP receivers got (the servers are fixtures of
conftest.py), and the options and checks built on them."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from infraaudit.health.alerts import Delivery
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


SmtpStarter = Callable[..., tuple[Inbox, int]]


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
