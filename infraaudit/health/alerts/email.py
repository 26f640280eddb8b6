"""The e-mail channel: the plain-text report by SMTP (STARTTLS or implicit TLS, never a password
in clear), the alert document attached as JSON; one attempt, the relay retries on its own."""

from __future__ import annotations

import base64
import smtplib
import socket
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

from infraaudit import __version__
from infraaudit.errors import PayloadError
from infraaudit.health.alerts.payload import Delivery, encode_payload
from infraaudit.inventory import EmailOptions
from infraaudit.util.httpout import clip, scrub

ATTACHMENT_NAME = "infraaudit-alerts.json"


def _email_secrets(options: EmailOptions) -> list[str]:
    return [options.password.get_secret_value()] if options.password is not None else []


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
        return Delivery("email", False, scrub(detail, secrets))
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
        return Delivery("email", False, scrub(detail, secrets))
    if refused:
        accepted = [a for a in _envelope_recipients(options) if a not in refused]
        listing = "; ".join(f"{a}: {_smtp_reply(c, m)}" for a, (c, m) in refused.items())
        detail = (
            f"{where}: sent to {len(accepted)} of {len(accepted) + len(refused)} recipients; "
            f"refused: {listing}"
        )
        return Delivery("email", False, scrub(detail, secrets))
    recipients = ", ".join(_envelope_recipients(options))
    return Delivery("email", True, scrub(f"{where}: sent to {recipients}", secrets))


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
