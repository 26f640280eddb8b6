"""The exception tree. Every error infraaudit raises on purpose derives from InfraAuditError.

    InfraAuditError
    ├── InventoryError        the inventory file is unreadable or invalid (exit code 2)
    │   └── SecretError       a ${ENV_VAR} is missing, or a secret is written inline
    ├── TransportError        a protocol session failed (raised in probes, recorded by runner)
    │   ├── TransportTimeout  the device did not answer in time
    │   └── DecodeError       the device answered with bytes we cannot decode
    └── OutputError           the audit could not be written

Messages say what went wrong and what to do next. Library exceptions are wrapped with
``raise ... from exc`` so the cause is kept.
"""


class InfraAuditError(Exception):
    """Root of every error infraaudit raises on purpose."""


class InventoryError(InfraAuditError):
    """The inventory cannot be used as written."""


class SecretError(InventoryError):
    """A secret is missing from the environment or written inline."""


class TransportError(InfraAuditError):
    """A session with a device failed."""


class TransportTimeout(TransportError):
    """The device did not answer within the timeout, after all retries."""


class DecodeError(TransportError):
    """The device answered, but its reply could not be decoded."""


class OutputError(InfraAuditError):
    """The audit document could not be written."""


class ApiError(InfraAuditError):
    """A collector request is refused: ``status`` the HTTP status, ``error`` a stable code; the
    API answers it as JSON ``{"error", "detail"}``."""

    def __init__(self, status: int, error: str, detail: object,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(error)
        self.status, self.error, self.detail, self.headers = status, error, detail, headers
