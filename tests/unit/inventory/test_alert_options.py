"""The alerts: options of the inventory (infraaudit.inventory.alerts): what they refuse, their
defaults, and no secret quoted in an error."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from infraaudit.inventory.alerts import AlertOptions, WebhookOptions
from tests.unit.health.alerts.alert_samples import PASSWORD, SECRET, URL, email_opts


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
