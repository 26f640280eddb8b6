"""SNMP: the client interface (``transport``) and its two backends, one declared probe per
module (pure ``parse``), the device assembly, a replay double. May import: models, errors."""

from typing import TYPE_CHECKING

from infraaudit.util.lazy import lazy_exports

if TYPE_CHECKING:  # imported on first use (util/lazy.py): the command line starts fast
    from infraaudit.probes.snmp.base import SnmpProbe
    from infraaudit.probes.snmp.client import make_client, release_backends
    from infraaudit.probes.snmp.device import PROBES, Collected, assemble, collect
    from infraaudit.probes.snmp.health import resample as resample_health
    from infraaudit.probes.snmp.interfaces import IF_STATUS
    from infraaudit.probes.snmp.interfaces import PROBE as INTERFACES_PROBE
    from infraaudit.probes.snmp.interfaces import parse as parse_interfaces
    from infraaudit.probes.snmp.lldp import PROBE as LLDP_PROBE
    from infraaudit.probes.snmp.lldp import LldpFacts
    from infraaudit.probes.snmp.lldp import parse as parse_lldp
    from infraaudit.probes.snmp.system import PROBE as SYSTEM_PROBE
    from infraaudit.probes.snmp.system import vendor_from_oid
    from infraaudit.probes.snmp.table import walk_columns
    from infraaudit.probes.snmp.transport import (
        DEVICE_ROWS_PER_WALK_CAP,
        Backend,
        BaseClient,
        SnmpCredentials,
        SnmpTarget,
        Value,
    )
    from infraaudit.probes.snmp.values import Walked, integer, split_index, text

__all__ = [
    "DEVICE_ROWS_PER_WALK_CAP",
    "IF_STATUS",
    "INTERFACES_PROBE",
    "LLDP_PROBE",
    "PROBES",
    "SYSTEM_PROBE",
    "Backend",
    "BaseClient",
    "Collected",
    "LldpFacts",
    "SnmpCredentials",
    "SnmpProbe",
    "SnmpTarget",
    "Value",
    "Walked",
    "assemble",
    "collect",
    "integer",
    "make_client",
    "parse_interfaces",
    "parse_lldp",
    "release_backends",
    "resample_health",
    "split_index",
    "text",
    "vendor_from_oid",
    "walk_columns",
]

__getattr__ = lazy_exports(__name__)
