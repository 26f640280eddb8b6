"""What every alert channel shares: the alert document (its JSON encoding, whether it needs
attention), the ``Delivery`` record a channel returns, and the last-guard scrubbing of secrets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import pydantic_core

from infraaudit.errors import PayloadError

ALERTS_KEY = "alerts"
"""Key of the payload's list of alerts (each a dict with a ``severity``)."""


@dataclass
class Delivery:
    """What one channel did. ``detail`` never holds a secret."""

    channel: Literal["webhook", "email"]
    ok: bool
    detail: str


def encode_payload(payload: dict[str, Any], *, indent: int | None = None) -> bytes:
    """The alert document as UTF-8 JSON (non-ASCII kept as is; NaN/inf become null).

    Dates, enums, paths, IP addresses and pydantic models are converted the way pydantic does;
    a ``SecretStr`` becomes ``**********``. Anything else raises PayloadError.
    """
    try:
        return pydantic_core.to_json(payload, indent=indent, inf_nan_mode="null")
    except pydantic_core.PydanticSerializationError as exc:
        raise PayloadError(f"the alert document cannot be written as JSON: {exc}") from None


def needs_attention(payload: dict[str, Any]) -> bool:
    """Whether the run needs attention: an alert whose severity is not "info" (the rule of
    ``HealthReport.needs_attention`` and of the health command's exit code 1).

    A payload without an ``alerts`` key, or an alert without a severity, counts as needing
    attention: better one mail too many than an alert that is never sent.
    """
    if ALERTS_KEY not in payload:
        return True
    alerts = payload[ALERTS_KEY]
    if not isinstance(alerts, list | tuple):
        return True
    return any(
        not isinstance(alert, dict) or str(alert.get("severity", "")).lower() != "info"
        for alert in alerts
    )


