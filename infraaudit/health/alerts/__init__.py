"""Alert outputs of the nightly health check: a JSON webhook and an e-mail.

The options (``alerts:`` of the inventory) are models of the inventory:
:mod:`infraaudit.inventory.alerts`. ``__all__`` names what the CLI and the tests use."""

from infraaudit.health.alerts.email import (
    Delivery,
    PayloadError,
    build_message,
    deliver,
    encode_payload,
    needs_attention,
    send_email,
    send_webhook,
)

__all__ = [
    "Delivery",
    "PayloadError",
    "build_message",
    "deliver",
    "encode_payload",
    "needs_attention",
    "send_email",
    "send_webhook",
]
