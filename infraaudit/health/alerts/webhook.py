"""The webhook channel: POST the alert document as JSON, retrying connection errors and 5xx with
backoff; the endpoint is named as ``scheme://host:port`` only (its path carries the token)."""

from __future__ import annotations

import logging
import time
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from infraaudit import __version__
from infraaudit.errors import PayloadError
from infraaudit.health.alerts.payload import Delivery, encode_payload
from infraaudit.inventory import WebhookOptions
from infraaudit.util.httpout import describe_transport_error, open_url, redact_url, scrub

log = logging.getLogger(__name__)


MAX_BACKOFF_S = 30.0


def _webhook_secrets(options: WebhookOptions) -> list[str]:
    secrets = list(options.headers.values())
    secrets.append(options.url)
    try:
        parts = urlsplit(options.url)
    except ValueError:
        return secrets
    for piece in (parts.path, parts.query, parts.fragment):
        if len(piece.strip("/")) >= 4:  # "/" or "/x" alone are no secret, and scrubbing them
            secrets.append(piece)       # would mangle every detail
    return secrets


Opener = Callable[[urllib.request.Request, float], int]
"""Sends a request with a timeout and returns the HTTP status; raises on transport errors."""


def _open_url(request: urllib.request.Request, timeout: float) -> int:
    """The real opener (:func:`infraaudit.util.httpout.open_url`): only the status matters here."""
    return open_url(request, timeout).status


def _backoff(attempt: int) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1-based): 1, 2, 4, … 30."""
    return float(min(2 ** (attempt - 1), MAX_BACKOFF_S))


def send_webhook(
    options: WebhookOptions,
    payload: dict[str, Any],
    *,
    opener: Opener | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """POST the payload as JSON; retry connection errors and 5xx with backoff, not 3xx/4xx."""
    send = opener if opener is not None else _open_url
    where = redact_url(options.url)
    try:
        body = encode_payload(payload)
    except PayloadError as exc:
        return Delivery("webhook", False, str(exc))
    headers = {"User-Agent": f"infraaudit/{__version__}", "Accept": "application/json"}
    headers.update(options.headers)
    headers["Content-Type"] = "application/json"
    request = urllib.request.Request(options.url, data=body, headers=headers, method="POST")

    secrets = _webhook_secrets(options)
    attempts = options.retries + 1
    problem = "not sent"
    for attempt in range(1, attempts + 1):
        try:
            status = send(request, options.timeout_s)
        except Exception as exc:
            problem, retry = describe_transport_error(exc, options.timeout_s)
        else:
            if 200 <= status < 300:
                tries = "" if attempt == 1 else f" (attempt {attempt} of {attempts})"
                return Delivery("webhook", True, f"POST {where}: HTTP {status}{tries}")
            problem, retry = f"HTTP {status}", status >= 500
            if 300 <= status < 400:
                problem += " (a redirect, not followed: set url to the final address)"
            elif 400 <= status < 500:
                problem += " (refused by the receiver: check the url and headers)"
        problem = scrub(problem, secrets)
        log.info("webhook %s: attempt %d of %d: %s", where, attempt, attempts, problem)
        if not retry or attempt == attempts:
            break
        sleep(_backoff(attempt))
    plural = "attempt" if attempt == 1 else "attempts"
    detail = f"POST {where} failed after {attempt} {plural}: {problem}"
    return Delivery("webhook", False, scrub(detail, secrets))
