"""Pydantic models of the audit document (see ``audit.py`` for the schema version)."""

from infraaudit.models.audit import (
    SCHEMA_VERSION,
    Agency,
    AuditDocument,
    Coverage,
    ScanMeta,
    Site,
)
from infraaudit.models.device import (
    ETHERNET_TYPES,
    AddressFamily,
    Device,
    Duplex,
    FieldConflict,
    IpAddress,
    LldpNeighbour,
    Port,
    PortCounters,
    ProbeResult,
    ProbeStatus,
    Role,
    SecurityFinding,
    ServiceAge,
)

__all__ = [
    "ETHERNET_TYPES",
    "SCHEMA_VERSION",
    "AddressFamily",
    "Agency",
    "AuditDocument",
    "Coverage",
    "Device",
    "Duplex",
    "FieldConflict",
    "IpAddress",
    "LldpNeighbour",
    "Port",
    "PortCounters",
    "ProbeResult",
    "ProbeStatus",
    "Role",
    "ScanMeta",
    "SecurityFinding",
    "ServiceAge",
    "Site",
]
