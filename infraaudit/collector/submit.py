"""Send audit documents to the province collector, keeping them in a local outbox when it is
unreachable.

Contract (collector API v1): ``POST {url}/api/v1/audits`` with ``Authorization: Bearer <token>``
and the audit JSON as the body. 201 stored, 200 already stored (idempotent by ``audit_id``);
401/403 authentication, 409 same ``audit_id`` with different content, 413 too large, 422 invalid
(``{"error", "detail"}``): refused, never retried. 5xx and transport errors are retried with
exponential backoff (1, 2, 4 s by default); when the attempts run out the audit waits in the
outbox (one file per ``audit_id``, written atomically, mode 0600) and every later run sends the
outbox first, oldest first, removing a file only once the collector answered 200 or 201.

An outbox file the collector refuses for its content (409, 413, 422) will never be accepted:
it is moved to ``refused/`` beside the outbox (with the reason in a ``.reason`` file) so it is
kept but not re-sent on every run. The token is never printed, logged or written anywhere.

Only the standard library talks to the network (urllib); redirects are not followed.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from hashlib import sha256
from pathlib import Path
from typing import TYPE_CHECKING

from infraaudit.collector.defaults import DEFAULT_ATTEMPTS, DEFAULT_BACKOFF_S, DEFAULT_TIMEOUT_S
from infraaudit.errors import AuditFormatError, InventoryError, SubmitError
from infraaudit.util.httpout import (
    Answer,
    clip,
    describe_transport_error,
    open_url,
    redact_url,
    scrub,
)
from infraaudit.util.output import write_atomic
from infraaudit.util.yamlfile import read_text

if TYPE_CHECKING:
    from infraaudit.models import AuditDocument

log = logging.getLogger(__name__)

API_PATH = "/api/v1/audits"
TRANSIENT = {408, 429}  # besides every 5xx
CONTENT_REFUSALS = {409, 413, 422}  # the audit itself will never be accepted as it is
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class Outcome(StrEnum):
    STORED = "stored"  # 201
    ALREADY = "already-stored"  # 200
    QUEUED = "queued"  # transport error or 5xx after every attempt: waits in the outbox
    REFUSED = "refused"  # 3xx/4xx: the collector will not take it as sent


@dataclass
class Result:
    audit_id: str
    outcome: Outcome
    message: str
    status: int | None = None
    attempts: int = 0

    @property
    def delivered(self) -> bool:
        return self.outcome in (Outcome.STORED, Outcome.ALREADY)


Opener = Callable[[urllib.request.Request, float], Answer]
"""Sends a request with a timeout and returns the answer; raises on transport errors."""


def default_outbox() -> Path:
    """``$XDG_DATA_HOME/infraaudit/outbox`` (``~/.local/share`` when unset or relative)."""
    base = os.environ.get("XDG_DATA_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".local" / "share"
    return root / "infraaudit" / "outbox"


def endpoint(url: str) -> str:
    """The submit endpoint of a collector base URL; SubmitError when it is not http(s)."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError as exc:
        raise SubmitError(f"collector URL is malformed: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SubmitError("collector URL must be http:// or https:// with a host, e.g. "
                          "https://thu-thap.sokhcn.khanhhoa.gov.vn")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise SubmitError("collector URL must not carry a query, fragment or credentials")
    return url.rstrip("/") + API_PATH


def outbox_name(audit_id: str) -> str:
    """The outbox file name of an audit: its id when it is a safe file name, else a hash."""
    if _SAFE_ID.match(audit_id):
        return f"{audit_id}.json"
    return f"id-{sha256(audit_id.encode('utf-8')).hexdigest()[:32]}.json"


def _refusal(answer: Answer) -> str:
    """The reason a 3xx/4xx answer gives, from its {"error", "detail"} body when there is one."""
    hint = {
        401: "the token is not accepted: check it with the province",
        403: "the token may not submit this audit (another agency's site?)",
        409: "the collector holds a different audit with the same audit_id",
        413: "the audit is larger than the collector accepts",
    }.get(answer.status, "")
    if 300 <= answer.status < 400:
        hint = "a redirect, not followed: give the collector's final address with --to"
    detail = ""
    try:
        data = json.loads(answer.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        data = None
    if isinstance(data, dict) and ("error" in data or "detail" in data):
        parts = []
        for key in ("error", "detail"):
            value = data.get(key)
            if value not in (None, ""):
                parts.append(value if isinstance(value, str)
                             else json.dumps(value, ensure_ascii=False))
        detail = ": ".join(parts)
    elif answer.body.strip():
        detail = answer.body.decode("utf-8", "replace")
    text = "; ".join(p for p in (hint, clip(detail, 500)) if p)
    return f"HTTP {answer.status}" + (f" ({text})" if text else "")


@dataclass
class Submitter:
    """Sends audits to one collector; pure apart from the opener, the clock and the outbox."""

    url: str
    token: str = field(repr=False)
    outbox: Path
    attempts: int = DEFAULT_ATTEMPTS
    backoff_s: float = DEFAULT_BACKOFF_S
    timeout_s: float = DEFAULT_TIMEOUT_S
    opener: Opener | None = None  # None: open_url (urllib)
    sleep: Callable[[float], None] = time.sleep
    unreachable: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise SubmitError("attempts must be at least 1")
        if not self.token:
            raise SubmitError("the submit token is empty")
        self._endpoint = endpoint(self.url)

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt``: 1, 2, 4, … x backoff."""
        return float(self.backoff_s * 2.0 ** (attempt - 1))

    def send(self, audit_id: str, body: bytes) -> Result:
        """POST one audit, retrying transport errors and 5xx; never touches the outbox."""
        from infraaudit import __version__  # read from the metadata when a request is sent

        headers = {"User-Agent": f"infraaudit/{__version__}", "Accept": "application/json",
                   "Content-Type": "application/json", "Authorization": f"Bearer {self.token}"}
        request = urllib.request.Request(self._endpoint, data=body, headers=headers,
                                         method="POST")
        where = redact_url(self.url)
        problem = "not sent"
        status: int | None = None
        attempt = 0
        for attempt in range(1, self.attempts + 1):
            try:
                answer = (self.opener or open_url)(request, self.timeout_s)
            except Exception as exc:
                problem, retry = describe_transport_error(exc, self.timeout_s)
                status = None
            else:
                status = answer.status
                if status == 201:
                    return Result(audit_id, Outcome.STORED, "stored", status, attempt)
                if status == 200:
                    return Result(audit_id, Outcome.ALREADY, "already stored", status, attempt)
                if 200 < status < 300:
                    return Result(audit_id, Outcome.STORED, f"HTTP {status}", status, attempt)
                retry = status >= 500 or status in TRANSIENT
                if not retry:
                    message = scrub(_refusal(answer), [self.token])
                    return Result(audit_id, Outcome.REFUSED, message, status, attempt)
                problem = f"HTTP {status}"
            problem = scrub(problem, [self.token])
            log.info("submit %s to %s: attempt %d of %d: %s", audit_id, where, attempt,
                     self.attempts, problem)
            if not retry:
                return Result(audit_id, Outcome.REFUSED, problem, status, attempt)
            if attempt < self.attempts:
                self.sleep(self.delay(attempt))
        plural = "attempt" if attempt == 1 else "attempts"
        return Result(audit_id, Outcome.QUEUED, f"{problem} after {attempt} {plural}", status,
                      attempt)

    # --- the outbox ------------------------------------------------------------------------

    def queued(self) -> list[Path]:
        """The outbox files, oldest first."""
        if not self.outbox.is_dir():
            return []
        files = [p for p in self.outbox.glob("*.json") if p.is_file()]
        return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))

    def enqueue(self, audit_id: str, text: str) -> Path:
        """Write the audit into the outbox atomically (mode 0600, folder 0700)."""
        self.outbox.mkdir(mode=0o700, parents=True, exist_ok=True)
        target = self.outbox / outbox_name(audit_id)
        write_atomic(target, text)  # a mkstemp file: 0600 from the start
        os.chmod(target, 0o600)
        return target

    def _set_aside(self, path: Path, reason: str) -> Path:
        refused = self.outbox.parent / "refused"
        refused.mkdir(mode=0o700, parents=True, exist_ok=True)
        target = refused / path.name
        write_atomic(refused / f"{path.name}.reason", reason + "\n")
        os.replace(path, target)
        return target

    def drain(self) -> list[Result]:
        """Send what waits in the outbox, oldest first; stop at the first sign the collector
        cannot be reached or does not accept the token."""
        results: list[Result] = []
        for path in self.queued():
            if self.unreachable:
                break
            try:
                text = path.read_text(encoding="utf-8")
                doc = _load_audit(text)
            except (OSError, UnicodeDecodeError, AuditFormatError) as exc:
                reason = f"unreadable outbox file: {exc}"
                self._set_aside(path, reason)
                results.append(Result(path.stem, Outcome.REFUSED, reason))
                continue
            result = self.send(doc.audit_id, text.encode("utf-8"))
            results.append(result)
            if result.delivered:
                path.unlink(missing_ok=True)
            elif result.outcome is Outcome.QUEUED:
                self.unreachable = True
            elif result.status in CONTENT_REFUSALS:
                moved = self._set_aside(path, result.message)
                result.message += f" (kept in {moved})"
            else:  # auth, wrong URL, redirect: the next one would fare no better
                result.message += " (left in the outbox)"
                break
        return results

    def submit(self, text: str) -> Result:
        """Send one (already validated) audit text; queue it when the collector is down."""
        doc = _load_audit(text)
        if self.unreachable:
            self.enqueue(doc.audit_id, text)
            return Result(doc.audit_id, Outcome.QUEUED,
                          "collector unreachable in this run: queued without sending")
        result = self.send(doc.audit_id, text.encode("utf-8"))
        if result.outcome is Outcome.QUEUED:
            self.unreachable = True
            self.enqueue(doc.audit_id, text)
        elif result.delivered:
            (self.outbox / outbox_name(doc.audit_id)).unlink(missing_ok=True)
        return result


def _load_audit(text: str) -> AuditDocument:
    """``models.migrate.load_audit``, imported when an audit is read: ``infraaudit submit
    --help`` needs only this module's defaults, not the models."""
    from infraaudit.models.migrate import load_audit

    return load_audit(text)


def read_audit(path: Path) -> tuple[str, str]:
    """(text, audit_id) of an audit file checked with load_audit; SubmitError when refused."""
    from infraaudit.models.migrate import MAX_AUDIT_BYTES

    try:
        text = read_text(path, "audit", MAX_AUDIT_BYTES)
    except InventoryError as exc:
        raise SubmitError(str(exc)) from None
    try:
        doc = _load_audit(text)
    except AuditFormatError as exc:
        raise SubmitError(f"{path}: {exc}") from None
    return text, doc.audit_id
