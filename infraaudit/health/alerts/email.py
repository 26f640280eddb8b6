"""Alert outputs of the nightly health check: a JSON webhook and an e-mail.

``deliver`` sends one alert document through every configured channel and reports, channel by
channel, what happened. It never raises: a failed channel is a ``Delivery(ok=False)`` and the
other channel is still tried.

Secrets (webhook header values, the SMTP password, and the path and query of the webhook URL,
which carry the token of most chat webhooks) never appear in a ``Delivery.detail`` nor in a log
line: details name the endpoint as ``scheme://host:port`` only, describe errors by kind, and are
scrubbed of every secret value before they leave this module.

Only the standard library talks to the network (urllib, smtplib): no runtime dependency is added.
"""

from __future__ import annotations

import base64
import logging
import smtplib
import socket
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any, Literal
from urllib.parse import urlsplit

import pydantic_core

from infraaudit import __version__
from infraaudit.inventory.alerts import AlertOptions, EmailOptions, WebhookOptions
from infraaudit.util.httpout import clip, describe_transport_error, open_url, redact_url

log = logging.getLogger(__name__)

ALERTS_KEY = "alerts"
"""Key of the payload's list of alerts (each a dict with a ``severity``)."""

ATTACHMENT_NAME = "infraaudit-alerts.json"
MAX_BACKOFF_S = 30.0

@dataclass
class Delivery:
    """What one channel did. ``detail`` never holds a secret."""

    channel: Literal["webhook", "email"]
    ok: bool
    detail: str


# --- payload ---------------------------------------------------------------------------------


class PayloadError(ValueError):
    """The alert document cannot be written as JSON."""


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


# --- secrets ---------------------------------------------------------------------------------


def _scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret value replaced by ``***`` (longest first).

    A last guard: details are written not to quote secrets in the first place. Values shorter
    than 4 characters are left alone: scrubbing "1" would mangle every number of the detail.
    """
    for secret in sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


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


def _email_secrets(options: EmailOptions) -> list[str]:
    return [options.password.get_secret_value()] if options.password is not None else []


# --- webhook ---------------------------------------------------------------------------------

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
        problem = _scrub(problem, secrets)
        log.info("webhook %s: attempt %d of %d: %s", where, attempt, attempts, problem)
        if not retry or attempt == attempts:
            break
        sleep(_backoff(attempt))
    plural = "attempt" if attempt == 1 else "attempts"
    detail = f"POST {where} failed after {attempt} {plural}: {problem}"
    return Delivery("webhook", False, _scrub(detail, secrets))


# --- e-mail ----------------------------------------------------------------------------------

SmtpFactory = Callable[[EmailOptions, ssl.SSLContext], smtplib.SMTP]
"""Opens a connected (not yet authenticated) SMTP session for the options."""


def _connect_smtp(options: EmailOptions, context: ssl.SSLContext) -> smtplib.SMTP:
    if options.ssl:
        return smtplib.SMTP_SSL(
            options.host, options.effective_port, timeout=options.timeout_s, context=context
        )
    return smtplib.SMTP(options.host, options.effective_port, timeout=options.timeout_s)


def _subject_line(options: EmailOptions, subject: str) -> str:
    subject = " ".join(subject.split())  # a header is one line
    prefix = options.subject_prefix.strip()
    return f"{prefix} {subject}" if prefix else subject


def build_message(
    options: EmailOptions, payload: dict[str, Any], text: str, subject: str
) -> EmailMessage:
    """The mail: UTF-8 plain-text body, prefixed subject, alert document attached as JSON.

    Non-ASCII headers are RFC 2047 encoded and the body is quoted-printable or base64, so the
    mail needs neither SMTPUTF8 nor 8BITMIME from the relay.
    """
    msg = EmailMessage(policy=default_policy.clone(cte_type="7bit"))
    msg["Subject"] = _subject_line(options, subject)
    msg["From"] = options.sender
    msg["To"] = ", ".join(options.to)
    msg["Date"] = formatdate(localtime=True)
    domain = parseaddr(options.sender)[1].rpartition("@")[2]
    msg["Message-ID"] = make_msgid("infraaudit", domain=domain)  # a domain: no DNS look-up
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to a robot
    msg["X-Mailer"] = f"infraaudit/{__version__}"
    msg.set_content(text, charset="utf-8")
    if options.attach_json:
        msg.add_attachment(
            encode_payload(payload, indent=2),
            maintype="application", subtype="json", filename=ATTACHMENT_NAME,
        )
    return msg


def _smtp_reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return clip(f"{code} {text}")


def _describe_smtp_error(exc: BaseException, options: EmailOptions) -> str:
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        # starttls() raises it when the server does not offer STARTTLS; login() when no AUTH.
        return f"the server does not support it: {clip(str(exc))}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"login refused ({_smtp_reply(exc.smtp_code, exc.smtp_error)})"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(
            f"{addr}: {_smtp_reply(code, msg)}" for addr, (code, msg) in exc.recipients.items()
        )
        return f"every recipient refused ({refused})"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return f"sender refused ({_smtp_reply(exc.smtp_code, exc.smtp_error)})"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"server error ({_smtp_reply(exc.smtp_code, exc.smtp_error)})"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "the server closed the connection"
    if isinstance(exc, smtplib.SMTPException):
        return f"SMTP error ({clip(str(exc))})"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not accepted ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error ({getattr(exc, 'reason', None) or type(exc).__name__})"
    if isinstance(exc, TimeoutError):
        return f"no answer within {options.timeout_s:g} s"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve the host ({exc.strerror})"
    if isinstance(exc, OSError):
        return f"connection failed ({exc.strerror or type(exc).__name__})"
    return f"failed ({type(exc).__name__})"


def send_email(
    options: EmailOptions,
    payload: dict[str, Any],
    text: str,
    subject: str,
    *,
    context: ssl.SSLContext | None = None,
    smtp_factory: SmtpFactory | None = None,
) -> Delivery:
    """Send the report by SMTP (one attempt: the relay queues and retries on its own).

    ``context`` is the TLS context for STARTTLS or implicit TLS: default, the system's trusted
    CAs with host name checking.
    """
    mode = "TLS" if options.ssl else ("STARTTLS" if options.starttls else "no TLS")
    where = f"smtp {options.host}:{options.effective_port} ({mode})"
    secrets = _email_secrets(options)
    try:
        msg = build_message(options, payload, text, subject)
    except (PayloadError, ValueError) as exc:
        detail = str(exc) if isinstance(exc, PayloadError) else f"cannot build the mail ({exc})"
        return Delivery("email", False, _scrub(detail, secrets))
    tls = context if context is not None else ssl.create_default_context()
    connect = smtp_factory if smtp_factory is not None else _connect_smtp
    step = "connect"
    try:
        smtp = connect(options, tls)
        try:
            if options.starttls and not options.ssl:
                step = "STARTTLS"
                smtp.starttls(context=tls)
            if options.username is not None and options.password is not None:
                step = "login"
                _login(smtp, options.username, options.password.get_secret_value())
            step = "send"
            refused = smtp.send_message(msg)
        finally:
            _quit_quietly(smtp)
    except Exception as exc:
        detail = f"{where}: {step} failed: {_describe_smtp_error(exc, options)}"
        return Delivery("email", False, _scrub(detail, secrets))
    if refused:
        accepted = [a for a in _envelope_recipients(options) if a not in refused]
        listing = "; ".join(f"{a}: {_smtp_reply(c, m)}" for a, (c, m) in refused.items())
        detail = (
            f"{where}: sent to {len(accepted)} of {len(accepted) + len(refused)} recipients; "
            f"refused: {listing}"
        )
        return Delivery("email", False, _scrub(detail, secrets))
    recipients = ", ".join(_envelope_recipients(options))
    return Delivery("email", True, _scrub(f"{where}: sent to {recipients}", secrets))


def _envelope_recipients(options: EmailOptions) -> list[str]:
    return [parseaddr(v)[1] for v in options.to]


def _login(smtp: smtplib.SMTP, username: str, password: str) -> None:
    """smtplib's login, or AUTH PLAIN in UTF-8 (RFC 4616) for non-ASCII credentials, which
    smtplib cannot encode (a Vietnamese password is no rarity)."""
    if username.isascii() and password.isascii():
        smtp.login(username, password)
        return
    smtp.ehlo_or_helo_if_needed()
    mechanisms = smtp.esmtp_features.get("auth", "").upper().split()
    if "PLAIN" not in mechanisms:
        raise smtplib.SMTPNotSupportedError(
            "non-ASCII credentials need AUTH PLAIN, which the server does not offer"
        )
    blob = b"\0" + username.encode("utf-8") + b"\0" + password.encode("utf-8")
    code, reply = smtp.docmd("AUTH", "PLAIN " + base64.b64encode(blob).decode("ascii"))
    if code not in (235, 503):  # 503: already authenticated, as smtplib counts it
        raise smtplib.SMTPAuthenticationError(code, reply)


def _quit_quietly(smtp: smtplib.SMTP) -> None:
    """QUIT and close; a mail already accepted stays sent whatever QUIT answers."""
    try:
        smtp.quit()
    except Exception:
        smtp.close()


# --- both ------------------------------------------------------------------------------------


def _guard(
    channel: Literal["webhook", "email"], send: Callable[[], Delivery], secrets: list[str]
) -> Delivery:
    """Run one channel; an unexpected exception becomes a failed Delivery (named by its type
    only: its message might quote a secret)."""
    try:
        result = send()
    except Exception as exc:
        result = Delivery(channel, False, f"unexpected error ({type(exc).__name__})")
    result.detail = _scrub(result.detail, secrets)
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
