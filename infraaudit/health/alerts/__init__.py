"""Alert outputs of the nightly health check: a JSON webhook and an e-mail.

``__all__`` names what the CLI, the inventory model and the tests use."""

from infraaudit.health.alerts.email import (
    AlertOptions,
    Delivery,
    EmailOptions,
    PayloadError,
    WebhookOptions,
    build_message,
    deliver,
    encode_payload,
    needs_attention,
    redact_url,
    send_email,
    send_webhook,
)

__all__ = [
    "AlertOptions",
    "Delivery",
    "EmailOptions",
    "PayloadError",
    "WebhookOptions",
    "build_message",
    "deliver",
    "encode_payload",
    "needs_attention",
    "redact_url",
    "send_email",
    "send_webhook",
]
