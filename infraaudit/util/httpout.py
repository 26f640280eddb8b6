"""The one HTTP client path of infraaudit's outbound posts (alert webhooks, audit submission):
stdlib urllib, redirects refused (a 3xx comes back as its status), proxies from the
environment, and only the start of a reply body read; endpoints are named without their path
(redact_url)."""

from __future__ import annotations

import http.client
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

MAX_BODY_READ = 65536


@dataclass
class Answer:
    """What the server answered: status and (the start of) the body."""

    status: int
    body: bytes = b""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse every redirect: urllib then raises HTTPError with the 3xx status."""

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None


def open_url(request: urllib.request.Request, timeout: float,
             max_body: int = MAX_BODY_READ) -> Answer:
    """The real opener: urllib with redirects refused, proxies from the environment."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            return Answer(int(response.status), response.read(max_body))
    except urllib.error.HTTPError as exc:
        with exc:  # an HTTPError is also the response: close it
            try:
                body = exc.read(max_body)
            except (OSError, http.client.HTTPException):
                body = b""
            return Answer(exc.code, body)


def clip(text: str, limit: int = 200) -> str:
    """``text`` on one line, at most ``limit`` characters (for error messages)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def redact_url(url: str) -> str:
    """``scheme://host[:port]`` with ``/…`` when there was more: paths carry webhook tokens."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = parts.port
    except ValueError:
        return "(malformed url)"
    if ":" in host:
        host = f"[{host}]"
    shown = f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")
    if parts.path.strip("/") or parts.query or parts.fragment:
        shown += "/…"
    return shown


def describe_transport_error(exc: BaseException, timeout: float) -> tuple[str, bool]:
    """(what went wrong, worth retrying) for an exception of the opener; never its arguments
    unless they are known to be free of secrets (a URL may carry a token)."""
    reason: object = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, ssl.SSLCertVerificationError):
        return f"TLS certificate not accepted ({reason.verify_message})", False
    if isinstance(reason, TimeoutError):
        return f"no answer within {timeout:g} s", True
    if isinstance(reason, socket.gaierror):
        return f"cannot resolve the host ({reason.strerror})", True
    if isinstance(reason, ssl.SSLError):
        return f"TLS error ({getattr(reason, 'reason', None) or type(reason).__name__})", True
    if isinstance(reason, OSError):
        return f"connection failed ({reason.strerror or type(reason).__name__})", True
    if isinstance(reason, http.client.HTTPException):
        return f"bad HTTP answer ({type(reason).__name__})", True
    if isinstance(reason, str):  # URLError("unknown url type") and similar
        return f"request refused by urllib ({clip(reason)})", False
    return f"request failed ({type(reason).__name__})", False


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret value replaced by ``***`` (longest first).

    A last guard: details are written not to quote secrets in the first place. Values shorter
    than 4 characters are left alone: scrubbing "1" would mangle every number of the detail.
    """
    for secret in sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text
