"""Alert delivery through both channels at once, against the loopback HTTP and SMTP receivers:
a failed webhook does not stop the mail, and nothing is sent without alerts."""

from __future__ import annotations

import pytest

from infraaudit.health.alerts import deliver
from infraaudit.inventory.alerts import AlertOptions, WebhookOptions
from tests.lab.alert_receivers import (
    LOOPBACK,
    PAYLOAD,
    SUBJECT,
    TEXT,
    HttpReceiver,
    SmtpStarter,
    assert_is_the_report,
    mail_options,
    webhook,
)

# proxy variables removed and socket.getfqdn replaced: loopback only, no name resolved
pytestmark = pytest.mark.usefixtures("_loopback_only")


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
