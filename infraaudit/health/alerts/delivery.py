"""``deliver``: one alert document through every configured channel, one ``Delivery`` per
channel; never raises, so a failed webhook still leaves the mail to be tried."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Literal

from infraaudit.health.alerts.email import _email_secrets, send_email
from infraaudit.health.alerts.payload import Delivery, needs_attention
from infraaudit.health.alerts.webhook import _webhook_secrets, send_webhook
from infraaudit.inventory import AlertOptions
from infraaudit.util.httpout import scrub

log = logging.getLogger(__name__)


def _guard(
    channel: Literal["webhook", "email"], send: Callable[[], Delivery], secrets: list[str]
) -> Delivery:
    """Run one channel; an unexpected exception becomes a failed Delivery (named by its type
    only: its message might quote a secret)."""
    try:
        result = send()
    except Exception as exc:
        result = Delivery(channel, False, f"unexpected error ({type(exc).__name__})")
    result.detail = scrub(result.detail, secrets)
    if result.ok:
        log.info("alert %s: %s", channel, result.detail)
    else:
        log.warning("alert %s failed: %s", channel, result.detail)
    return result


def deliver(
    options: AlertOptions, payload: dict[str, Any], text: str, subject: str
) -> list[Delivery]:
    """Send the alert document by webhook and/or e-mail; one Delivery per configured channel.

    Returns [] when no channel is configured, or when ``only_when_attention`` is set and no
    alert of the payload has a severity other than "info" (see ``needs_attention``). Never
    raises.
    """
    if options.only_when_attention and not needs_attention(payload):
        log.info("nothing needs attention in this run: no alert sent")
        return []
    results: list[Delivery] = []
    webhook, email = options.webhook, options.email
    if webhook is not None:
        results.append(
            _guard("webhook", lambda: send_webhook(webhook, payload), _webhook_secrets(webhook))
        )
    if email is not None:
        results.append(
            _guard(
                "email", lambda: send_email(email, payload, text, subject), _email_secrets(email)
            )
        )
    return results
