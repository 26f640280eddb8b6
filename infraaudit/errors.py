"""The exception tree. Every error infraaudit raises on purpose derives from InfraAuditError,
and every class that leaves the module raising it is defined here, in this drawing:

    InfraAuditError
    ├── InventoryError          an inventory, agency, frame, catalog or thresholds file cannot be
    │   │                       used as written (the CLI's exit code 2)
    │   └── SecretError         a ${ENV_VAR} is missing, or a secret is written inline
    ├── TransportError          a session with a device failed (raised in probes, recorded)
    │   ├── TransportTimeout    the device did not answer in time, after every retry
    │   ├── DecodeError         the device answered with bytes that cannot be decoded
    │   ├── ErrorStatus         the device answered with an SNMP error-status (genErr, tooBig)
    │   └── CommandRejected     the device refused an allowlisted command (SSH "Invalid input")
    ├── CommandRefused          an SSH command outside the platform's allowlist: never sent
    ├── OutOfScope              discovery was about to contact an address outside the subnets
    ├── TooLarge                a declared subnet holds more hosts than discovery sweeps
    ├── PingUnavailable         no ICMP socket (needs root or net.ipv4.ping_group_range)
    ├── AuditFormatError        the text is not an audit document this version can read
    ├── OutputError             an audit, report or schedule file could not be written
    ├── StoreError              the health history cannot be opened, upgraded or written
    ├── LockHeld                another health run holds the history's lock
    ├── ScheduleInputError      a schedule request cannot be used as given (exit code 2)
    ├── ScheduleError           installing, removing or inspecting the schedule failed
    ├── PayloadError            an alert document cannot be written as JSON
    ├── SubmitError             a submission cannot start: URL, token or audit (exit code 2)
    ├── CollectorDbError        the collector database cannot be opened or migrated
    ├── AuthAdminError          an agency or token operation cannot be done as asked
    ├── Rejected                the collector refuses a submission (HTTP status, stable code)
    ├── ApiError                the collector refuses a request (HTTP status, stable code)
    └── PgClusterError          a throwaway PostgreSQL cluster (tests, benchmarks) failed

Messages say what went wrong and what to do next. Library exceptions are wrapped with
``raise ... from exc`` so the cause is kept. An exception caught in the module that raises it
is private there (``_Name``) and not drawn. ``tests/unit/test_errors.py`` holds code and
drawing together.
"""


class InfraAuditError(Exception):
    """Root of every error infraaudit raises on purpose."""


# --- input ------------------------------------------------------------------------------------

class InventoryError(InfraAuditError):
    """The inventory (or another input file) cannot be used as written."""


class SecretError(InventoryError):
    """A secret is missing from the environment or written inline."""


class AuditFormatError(InfraAuditError):
    """The text is not an audit document this version of infraaudit can read."""


# --- devices and the network ------------------------------------------------------------------

class TransportError(InfraAuditError):
    """A session with a device failed."""


class TransportTimeout(TransportError):
    """The device did not answer within the timeout, after all retries."""


class DecodeError(TransportError):
    """The device answered, but its reply could not be decoded."""


class ErrorStatus(TransportError):
    """The agent answered with a non-zero SNMP error-status; the reply's values are not used."""

    def __init__(self, status: int, index: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.index = index


class CommandRejected(TransportError):
    """The device answered an allowlisted command with an error (e.g. 'Invalid input')."""


class CommandRefused(InfraAuditError):
    """A command not in the platform's allowlist was asked for; it is never sent."""


class OutOfScope(InfraAuditError):
    """An address outside the declared subnets was about to be contacted."""


class TooLarge(InfraAuditError):
    """The subnet has more host addresses than discovery sweeps."""


class PingUnavailable(InfraAuditError):
    """No ICMP socket could be opened (needs root or net.ipv4.ping_group_range)."""


# --- files and the history --------------------------------------------------------------------

class OutputError(InfraAuditError):
    """A file (audit, report, unit) could not be written."""


class StoreError(InfraAuditError):
    """The history database cannot be opened, upgraded or written."""


class LockHeld(InfraAuditError):
    """Another run holds the lock of this history database."""


class ScheduleInputError(InfraAuditError):
    """The request cannot be used as given (exit code 2)."""


class ScheduleError(InfraAuditError):
    """Installing, removing or inspecting the schedule failed (exit code 1)."""


class PayloadError(InfraAuditError):
    """The alert document cannot be written as JSON."""


# --- the province collector -------------------------------------------------------------------

class SubmitError(InfraAuditError):
    """The submission cannot start: bad URL, missing token, unreadable audit (exit code 2)."""


class CollectorDbError(InfraAuditError):
    """The collector database cannot be opened or migrated."""


class AuthAdminError(InfraAuditError):
    """An agency or token operation cannot be done as asked."""


class Rejected(InfraAuditError):
    """The submission is refused; ``status`` is the HTTP status, ``error`` a stable code."""

    def __init__(self, status: int, error: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.error, self.detail = status, error, detail


class ApiError(InfraAuditError):
    """A collector request is refused: ``status`` the HTTP status, ``error`` a stable code; the
    API answers it as JSON ``{"error", "detail"}``."""

    def __init__(self, status: int, error: str, detail: object,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(error)
        self.status, self.error, self.detail, self.headers = status, error, detail, headers


class PgClusterError(InfraAuditError):
    """The throwaway cluster could not be set up."""
