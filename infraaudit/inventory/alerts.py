"""The ``alerts`` section of a site inventory: where the nightly health check sends its alerts
(a JSON webhook, an e-mail), checked when the inventory is loaded. Validation errors never quote
a header value nor the password: they are secrets."""

from __future__ import annotations

import ipaddress
import re
from email.utils import getaddresses, parseaddr
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field, SecretStr, field_validator, model_validator

from infraaudit.models.base import Strict

_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # RFC 9110 field-name
_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
# Set by infraaudit for every request: a header of the inventory must not replace them.
_RESERVED_HEADERS = frozenset(
    {"host", "content-type", "content-length", "transfer-encoding", "connection"}
)


def _check_host(host: str) -> str:
    """An IP address or a DNS name (IDN allowed); ValueError says which part is wrong."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"{host!r} is not a valid host name") from None
    labels = ascii_host.rstrip(".").split(".")
    if len(ascii_host) > 253 or not all(_HOST_LABEL.match(label) for label in labels):
        raise ValueError(f"{host!r} is not a valid host name or IP address")
    return host


def _check_address(value: str, field: str) -> str:
    """One mail address, optionally with a display name: ``Trung tâm CNTT <noc@x.gov.vn>``."""
    if any(c in value for c in "\r\n\0"):
        raise ValueError(f"{field}: a mail address is one line")
    if len(getaddresses([value])) != 1:
        raise ValueError(f"{field}: {value!r} holds more than one address: list them separately")
    _, addr = parseaddr(value)
    local, at, domain = addr.rpartition("@")
    if not at or not local or not domain or any(c.isspace() for c in addr):
        raise ValueError(f"{field}: {value!r} is not a mail address (expected name@domain)")
    _check_host(domain)
    return value


class WebhookOptions(Strict):
    """``alerts.webhook``: POST the alert document as JSON."""

    # str(ValidationError) would quote the header values, which are secrets.
    model_config = ConfigDict(hide_input_in_errors=True)

    url: str = Field(description="http(s)://host[:port]/path; redirects are not followed")
    timeout_s: float = Field(default=10.0, gt=0, le=300, description="per attempt")
    retries: int = Field(
        default=2, ge=0, le=10,
        description="further attempts after a connection error or a 5xx (backoff 1 s, 2 s, 4 s…)",
    )
    headers: dict[str, str] = Field(
        default_factory=dict,
        description="extra request headers, e.g. Authorization; values are secrets (${ENV})",
    )

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if any(c.isspace() or ord(c) < 0x20 or c == "\x7f" for c in value):
            raise ValueError("the webhook url holds spaces or control characters")
        try:
            parts = urlsplit(value)
            port = parts.port  # ValueError when not a number in 0..65535
        except ValueError:
            raise ValueError("the webhook url is malformed (check the host and port)") from None
        if parts.scheme.lower() not in ("http", "https"):
            raise ValueError("the webhook url must start with http:// or https://")
        if parts.username is not None or parts.password is not None:
            raise ValueError(
                "the webhook url must not hold credentials (user:password@): put them in "
                'headers, e.g. Authorization: "${ALERT_WEBHOOK_AUTH}"'
            )
        if not parts.hostname:
            raise ValueError("the webhook url has no host")
        if port == 0:
            raise ValueError("the webhook url has port 0")
        _check_host(parts.hostname)
        return value

    @field_validator("headers")
    @classmethod
    def _headers(cls, value: dict[str, str]) -> dict[str, str]:
        # Never quote a value: it is a secret.
        seen: set[str] = set()
        for name, text in value.items():
            if not _TOKEN.match(name):
                raise ValueError(f"header name {name!r} is not a valid HTTP field name")
            if name.lower() in _RESERVED_HEADERS:
                raise ValueError(f"header {name!r} is set by infraaudit: leave it out")
            if name.lower() in seen:
                raise ValueError(f"header {name!r} is given twice (names ignore case)")
            seen.add(name.lower())
            if any(c in text for c in "\r\n\0"):
                raise ValueError(f"the value of header {name!r} holds a line break or NUL")
            try:
                text.encode("latin-1")
            except UnicodeEncodeError:
                raise ValueError(
                    f"the value of header {name!r} holds characters HTTP headers cannot carry"
                ) from None
        return value


class EmailOptions(Strict):
    """``alerts.email``: the plain-text report by SMTP, with the alert document attached."""

    model_config = ConfigDict(hide_input_in_errors=True)  # the password is in the input

    host: str
    port: int = Field(
        default=587, ge=1, le=65535, description="default 587, or 465 when ssl is true"
    )
    starttls: bool = Field(
        default=True, description="upgrade with STARTTLS, and fail if the server cannot"
    )
    ssl: bool = Field(default=False, description="implicit TLS from the start (port 465)")
    username: str | None = None
    password: SecretStr | None = None
    sender: str
    to: list[str] = Field(min_length=1)
    subject_prefix: str = "[infraaudit]"
    timeout_s: float = Field(default=20.0, gt=0, le=300)
    attach_json: bool = Field(default=True, description="attach the alert document as JSON")

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        return _check_host(value)

    @field_validator("sender")
    @classmethod
    def _sender(cls, value: str) -> str:
        return _check_address(value, "sender")

    @field_validator("to")
    @classmethod
    def _to(cls, value: list[str]) -> list[str]:
        return [_check_address(v, f"to[{i}]") for i, v in enumerate(value)]

    @field_validator("subject_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        if any(c in value for c in "\r\n\0"):
            raise ValueError("subject_prefix is one line")
        return value

    @model_validator(mode="after")
    def _auth(self) -> EmailOptions:
        if (self.username is None) != (self.password is None):
            raise ValueError("username and password go together: set both or neither")
        if self.username is not None and not (self.starttls or self.ssl):
            raise ValueError(
                "a password is never sent in clear: set starttls: true (port 587) or "
                "ssl: true (port 465), or leave username and password out"
            )
        return self

    @property
    def effective_port(self) -> int:
        """The port given, else the submission port of the TLS mode (465 for ssl, else 587)."""
        if "port" not in self.model_fields_set and self.ssl:
            return 465
        return self.port


class AlertOptions(Strict):
    """``alerts``: where the health check sends its alerts."""

    model_config = ConfigDict(hide_input_in_errors=True)

    webhook: WebhookOptions | None = None
    email: EmailOptions | None = None
    only_when_attention: bool = Field(
        default=True,
        description='send nothing when no alert of the run is above "info" (nor any alert)',
    )
