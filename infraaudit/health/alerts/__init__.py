"""Alert outputs of the nightly health check: a JSON webhook and an e-mail.

``deliver`` sends one alert document through every configured channel and reports, channel by
channel, what happened. It never raises: a failed channel is a ``Delivery(ok=False)`` and the
other channel is still tried.

Secrets (webhook header values, the SMTP password, and the path and query of the webhook URL,
which carry the token of most chat webhooks) never appear in a ``Delivery.detail`` nor in a log
line: details name the endpoint as ``scheme://host:port`` only, describe errors by kind, and are
scrubbed of every secret value before they leave this package.

Only the standard library talks to the network (urllib, smtplib): no runtime dependency is added.
Part of the health stage: May import: what the health stage may.

``payload`` holds what both channels share, ``webhook`` and ``email`` one channel each,
``delivery`` the ``deliver`` entry point. The options (``alerts:`` of the inventory) are models
of the inventory: :mod:`infraaudit.inventory.alerts`.
"""

from infraaudit.errors import PayloadError
from infraaudit.health.alerts.delivery import deliver
from infraaudit.health.alerts.email import SmtpFactory, build_message, send_email
from infraaudit.health.alerts.payload import Delivery, encode_payload, needs_attention
from infraaudit.health.alerts.webhook import Opener, send_webhook

__all__ = [
    "Delivery",
    "Opener",
    "PayloadError",
    "SmtpFactory",
    "build_message",
    "deliver",
    "encode_payload",
    "needs_attention",
    "send_email",
    "send_webhook",
]
