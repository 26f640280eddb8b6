"""SNMPv2-MIB system group (+ a few scalars that help guess the device's role)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict

from infraaudit.probes.snmp.base import SnmpProbe
from infraaudit.probes.snmp.transport import Value
from infraaudit.probes.snmp.values import Walked, bits, integer, text
from infraaudit.util.yamlfile import data_yaml

LLDP_CAPABILITIES = [
    "other", "repeater", "bridge", "wlanAccessPoint", "router", "telephone",
    "docsisCableDevice", "stationOnly", "cVLAN", "sVLAN", "twoPortMACRelay",
]


class SystemFacts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sys_descr: str | None = None
    sys_object_id: str | None = None
    uptime_s: float | None = None
    sys_contact: str | None = None
    sys_name: str | None = None
    sys_location: str | None = None
    sys_services: int | None = None
    ip_forwarding: bool | None = None
    bridge_ports: int | None = None
    lldp_capabilities: list[str] = []
    vendor: str | None = None


@cache
def enterprises() -> dict[int, str]:
    source = resources.files("infraaudit.probes.snmp").joinpath("data/enterprises.yaml")
    data = source.read_text("utf-8")
    return {int(k): str(v) for k, v in data_yaml(data).items()}


# Enterprises of SNMP agent software, not of a manufacturer: a Linux host running net-snmp has an
# unknown vendor, not "Net-SNMP".
AGENT_SOFTWARE = frozenset({2021, 8072})


def vendor_from_oid(sys_object_id: str | None) -> str | None:
    prefix = "1.3.6.1.4.1."
    if not sys_object_id or not sys_object_id.startswith(prefix):
        return None
    number = int(sys_object_id[len(prefix) :].split(".")[0])
    if number in AGENT_SOFTWARE:
        return None
    return enterprises().get(number, f"enterprise {number}")


def _scalar(walked: Walked, name: str) -> Value | None:
    return walked.get(name, {}).get("0")


def parse(walked: Walked) -> SystemFacts:
    uptime = integer(_scalar(walked, "sysUpTime"))
    forwarding = integer(_scalar(walked, "ipForwarding"))
    oid = _scalar(walked, "sysObjectID")
    sys_object_id = oid if isinstance(oid, str) else None
    return SystemFacts(
        sys_descr=text(_scalar(walked, "sysDescr")),
        sys_object_id=sys_object_id,
        uptime_s=uptime / 100 if uptime is not None else None,
        sys_contact=text(_scalar(walked, "sysContact")),
        sys_name=text(_scalar(walked, "sysName")),
        sys_location=text(_scalar(walked, "sysLocation")),
        sys_services=integer(_scalar(walked, "sysServices")),
        ip_forwarding=None if forwarding is None else forwarding == 1,
        bridge_ports=integer(_scalar(walked, "dot1dBaseNumPorts")),
        lldp_capabilities=bits(
            _scalar(walked, "lldpLocSysCapEnabled"), LLDP_CAPABILITIES
        ),
        vendor=vendor_from_oid(sys_object_id),
    )


PROBE = SnmpProbe(
    name="system",
    parse=parse,
    scalars={
        "sysDescr": "1.3.6.1.2.1.1.1",
        "sysObjectID": "1.3.6.1.2.1.1.2",
        "sysUpTime": "1.3.6.1.2.1.1.3",
        "sysContact": "1.3.6.1.2.1.1.4",
        "sysName": "1.3.6.1.2.1.1.5",
        "sysLocation": "1.3.6.1.2.1.1.6",
        "sysServices": "1.3.6.1.2.1.1.7",
        "ipForwarding": "1.3.6.1.2.1.4.1",
        "dot1dBaseNumPorts": "1.3.6.1.2.1.17.1.2",
        "lldpLocSysCapEnabled": "1.0.8802.1.1.2.1.3.6",
    },
)
