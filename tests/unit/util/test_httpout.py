"""The outbound-HTTP helpers every post uses (alert webhooks, audit submission): endpoints named
without their path, secrets scrubbed from what is printed."""

from __future__ import annotations

from infraaudit.util.httpout import redact_url, scrub
from tests.unit.health.alerts.alert_samples import URL


def test_redact_url_keeps_scheme_host_port_only() -> None:
    assert redact_url(URL) == "https://hooks.example.gov.vn/…"
    assert redact_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080"
    assert redact_url("http://[::1]:81/x") == "http://[::1]:81/…"


def test_scrub_replaces_every_secret_longest_first_and_leaves_short_values() -> None:
    text = "token abcd1234 and abcd1234-ext refused; code 1"
    assert scrub(text, ["abcd1234", "abcd1234-ext", "1"]) == "token *** and *** refused; code 1"
