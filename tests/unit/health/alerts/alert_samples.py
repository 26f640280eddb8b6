"""The alert document, options and fake network ends (an opener, an SMTP session) shared by
the alert tests."""

from __future__ import annotations

import base64
import ssl
import urllib.request
from email.message import EmailMessage
from typing import Any

from infraaudit.inventory.alerts import EmailOptions, WebhookOptions

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
