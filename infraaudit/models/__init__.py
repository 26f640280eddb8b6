"""The contracts between the stages, as pydantic models: the audit document (``audit.py`` holds
its schema version, ``migrate.py`` the migrations), findings, reports, health runs, the
province view. A shared layer: every stage imports its modules. May import: errors, util."""

from typing import TYPE_CHECKING

from infraaudit.util.lazy import lazy_exports

if TYPE_CHECKING:  # imported on first use (util/lazy.py): the command line starts fast
    from infraaudit.models.audit import (
        SCHEMA_VERSION,
        Agency,
        AuditDocument,
        Coverage,
        ScanMeta,
        Site,
    )
    from infraaudit.models.device import (
        AddressFamily,
        Device,
        Duplex,
        FieldConflict,
        IpAddress,
        LldpNeighbour,
        Neighbour,
        Port,
        PortCounters,
        ProbeResult,
        ProbeStatus,
        Role,
        SecurityFinding,
        ServiceAge,
    )
    from infraaudit.models.l2 import PoeGroup, PowerOverEthernet, SpanningTree, StpState, Vlan
    from infraaudit.models.ports import (
        ETHERNET_TYPES,
        PortKind,
        PortMedia,
        is_switch_port,
        port_kind,
        port_media,
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
    "Neighbour",
    "PoeGroup",
    "Port",
    "PortCounters",
    "PortKind",
    "PortMedia",
    "PowerOverEthernet",
    "ProbeResult",
    "ProbeStatus",
    "Role",
    "ScanMeta",
    "SecurityFinding",
    "ServiceAge",
    "Site",
    "SpanningTree",
    "StpState",
    "Vlan",
    "is_switch_port",
    "port_kind",
    "port_media",
]

__getattr__ = lazy_exports(__name__)
