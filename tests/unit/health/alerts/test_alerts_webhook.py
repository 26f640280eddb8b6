"""The webhook without a network (a fake opener and clock): the request, the retry policy, and
no secret in a detail or a log line."""

from __future__ import annotations

import socket
import ssl
import urllib.error

import pytest

from infraaudit.health.alerts import Delivery, encode_payload, send_webhook
from infraaudit.inventory.alerts import WebhookOptions
from tests.unit.health.alerts.alert_samples import (
    PAYLOAD,
    SECRET,
    URL,
    URL_TOKEN,
    FakeOpener,
    webhook,
)


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
