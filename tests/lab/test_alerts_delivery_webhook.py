"""Alert delivery by webhook against a real HTTP receiver on loopback: the request, retries,
redirects, timeouts and refused connections, and no secret in a detail."""

from __future__ import annotations

import json
import time

import pytest

from infraaudit.health.alerts import Delivery, deliver
from infraaudit.inventory.alerts import AlertOptions, WebhookOptions
from tests.lab.alert_receivers import (
    LOOPBACK,
    PAYLOAD,
    SECRET,
    SUBJECT,
    TEXT,
    TOKEN,
    HttpReceiver,
    assert_no_secret,
    webhook,
)

# proxy variables removed and socket.getfqdn replaced: loopback only, no name resolved
pytestmark = pytest.mark.usefixtures("_loopback_only")


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
