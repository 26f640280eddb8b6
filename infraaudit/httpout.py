"""The one HTTP client path of infraaudit's outbound posts (alert webhooks, audit submission):
stdlib urllib, redirects refused (a 3xx comes back as its status), proxies from the
environment, and only the start of a reply body read."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

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
