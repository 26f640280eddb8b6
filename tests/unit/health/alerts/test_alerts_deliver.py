"""deliver() with both network ends replaced: which channels it uses, when it sends nothing, and
that it never raises."""

from __future__ import annotations

import urllib.request
from typing import Any

import pytest

from infraaudit.health.alerts import Delivery, deliver, delivery
from infraaudit.health.alerts import email as email_channel
from infraaudit.health.alerts import webhook as webhook_channel
from infraaudit.inventory.alerts import AlertOptions
from tests.unit.health.alerts.alert_samples import (
    PASSWORD,
    PAYLOAD,
    SECRET,
    SUBJECT,
    TEXT,
    URL,
    URL_TOKEN,
    FakeOpener,
    FakeSmtp,
    email_opts,
    webhook,
)


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
