"""What one scan learns about a device and its ports."""

from enum import StrEnum
from typing import Any, Literal

from pydantic import Field, model_validator

from infraaudit.models.base import Strict
from infraaudit.models.device_health import DeviceHealth
from infraaudit.models.l2 import PowerOverEthernet, SpanningTree, Vlan
from infraaudit.models.ports import PortKind, PortMedia, port_kind


class ProbeStatus(StrEnum):
    OK = "ok"
    FAILED = "failed"
    UNSUPPORTED = "unsupported"  # the device does not implement what the probe reads
    SKIPPED = "skipped"  # not run, e.g. because the device did not answer at all


class ProbeResult(Strict):
    """How one probe went on one device: the record that makes a failure visible."""

    probe: str
    status: ProbeStatus
    error: str | None = None
    started_at: str = Field(description="ISO 8601 UTC time the probe started")
    duration_ms: float
    backend: str | None = Field(default=None, description="SNMP client backend that answered")
    varbinds: int = Field(default=0, description="number of SNMP values read")


class Role(StrEnum):
    ROUTER = "router"
    SWITCH = "switch"
    FIREWALL = "firewall"
    AP = "ap"
    SERVER = "server"
    PRINTER = "printer"
    UPS = "ups"
    OTHER = "other"


class AddressFamily(StrEnum):
    IPV4 = "ipv4"
    IPV6 = "ipv6"


class IpAddress(Strict):
    address: str
    family: AddressFamily
    prefix_length: int | None = None
    if_index: int | None = None
    scope: Literal["global", "link-local", "loopback", "other"] = "global"
    source: str = Field(description="MIB table the address came from")


NeighbourState = Literal["dynamic", "static", "local", "other"]


class Neighbour(Strict):
    """One ARP (IPv4) or ND (IPv6) row: an address and the MAC it resolves to."""

    ip: str
    mac: str = Field(description="aa:bb:cc:dd:ee:ff")
    family: AddressFamily
    if_index: int | None = Field(default=None, description="the device's interface")
    state: NeighbourState = "dynamic"
    source: str = Field(description="MIB table the row came from")


class PortCounters(Strict):
    """Raw counter values at poll time (64-bit where the agent offers them)."""

    in_octets: int | None = None
    out_octets: int | None = None
    in_ucast_pkts: int | None = None
    out_ucast_pkts: int | None = None
    in_errors: int | None = None
    out_errors: int | None = None
    in_discards: int | None = None
    out_discards: int | None = None
    fcs_errors: int | None = None
    alignment_errors: int | None = None
    hc: bool = Field(default=False, description="octet/packet counters are 64-bit (ifXTable)")


class LldpNeighbour(Strict):
    """A neighbour seen by LLDP, or by Cisco's CDP (same facts, ``protocol`` tells which)."""

    protocol: Literal["lldp", "cdp"] = "lldp"
    sys_name: str | None = None
    sys_descr: str | None = None
    chassis_id: str | None = None
    port_id: str | None = None
    port_descr: str | None = None
    capabilities: list[str] = Field(default_factory=list, description="enabled capabilities")
    mgmt_address: str | None = None


class Duplex(StrEnum):
    FULL = "full"
    HALF = "half"
    UNKNOWN = "unknown"




class Port(Strict):
    if_index: int
    name: str | None = None
    descr: str | None = None
    alias: str | None = None
    type: str | None = Field(default=None, description="IANAifType name, e.g. ethernetCsmacd")
    kind: PortKind = Field(
        default="physical", description="physical, or the pseudo-interface it is (vlan, "
        "loopback, tunnel, stack, cpu, null, lag, virtual): models/ports.py; only physical "
        "Ethernet ports count as switch ports")
    admin_status: str | None = None
    oper_status: str | None = None
    speed_mbps: float | None = None
    duplex: Duplex | None = None
    media: PortMedia | None = Field(
        default=None, description="twisted-pair or fibre, where the device names the port's "
        "PHY or transceiver (ENTITY-MIB); a fibre port's fault takes optics and patch cords, "
        "not a Cat6 run")
    mtu: int | None = None
    mac: str | None = None
    last_change_s: float | None = Field(
        default=None, description="ifLastChange as seconds since the agent started"
    )
    counters: PortCounters = Field(default_factory=PortCounters)
    lldp_neighbours: list[LldpNeighbour] = Field(default_factory=list)
    mac_count: int | None = Field(default=None, description="MAC addresses learned on the port")
    macs: list[str] = Field(default_factory=list, description="the MAC addresses learned")
    mac_vlans: dict[str, int] = Field(default_factory=dict, description="MAC -> the VLAN it was "
                                      "learnt in (Q-BRIDGE forwarding database), where known")
    addresses: list[IpAddress] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _classify(cls, data: Any) -> Any:
        """A port made without its kind (a CLI parser, a v4 audit) is classified here, by the
        one classification of ``models/ports.py``."""
        if isinstance(data, dict) and data.get("kind") is None:
            data = {**data, "kind": port_kind(data.get("type"), data.get("name"),
                                              data.get("descr"))}
        return data


class FieldConflict(Strict):
    """Two sources disagree about a fact: both values are kept as evidence."""

    field: str
    values: dict[str, str] = Field(description="source (snmp, cli) -> the value it reported")


class SecurityFinding(Strict):
    """One security posture check that failed, with the evidence it rests on (secrets masked)."""

    code: str = Field(description="stable code, e.g. SEC-TELNET")
    severity: Literal["high", "medium", "low"]
    title: str = Field(description="Vietnamese")
    explanation: str = Field(description="Vietnamese")
    recommendation: str = Field(description="Vietnamese")
    evidence: list[str] = Field(description="configuration lines (masked) or measured facts")
    source: str = Field(description="e.g. 'ssh:show running-config' or 'snmp'")


class ServiceAge(Strict):
    """Since when the device has been in service, and how that is known."""

    year: int = Field(description="year the device entered service (or, at best, was made)")
    source: Literal["inventory", "entity-mib", "serial"] = Field(
        description="inventory: installed_year given by the agency; entity-mib: "
        "entPhysicalMfgDate; serial: manufacture year encoded in the serial number")
    detail: str = Field(description="the value it was read from: the year (inventory), the "
                        "date (entity-mib), the serial number and its ISO week (serial)")


class Device(Strict):
    host: str
    port: int = 161
    name: str | None = Field(default=None, description="name given in the inventory")
    snmp_profile: str | None = Field(default=None, description="credential profile name, no secret")
    ssh_profile: str | None = Field(default=None, description="credential profile name, no secret")
    platform: str | None = Field(default=None, description="CLI platform (netmiko device type)")
    reachable: bool = False
    sys_name: str | None = None
    sys_descr: str | None = None
    sys_object_id: str | None = None
    sys_location: str | None = None
    sys_contact: str | None = None
    uptime_s: float | None = None
    vendor: str | None = None
    model: str | None = None
    serial: str | None = None
    firmware: str | None = None
    hardware_rev: str | None = None
    model_source: str | None = Field(
        default=None, description="where the model was read: entity-mib, sysDescr, sysObjectID")
    firmware_source: str | None = Field(
        default=None, description="where the firmware was read: entity-mib, sysDescr")
    bridge_port_mapping: str | None = Field(
        default=None, description="how FDB bridge ports were mapped to ifIndex: "
        "dot1dBasePortIfIndex, ifIndex (port = ifIndex), offset (a shifted 1..n)")
    in_service: ServiceAge | None = Field(
        default=None, description="since when the device serves; None when nothing tells")
    role: Role = Role.OTHER
    role_reason: str | None = None
    ports: list[Port] = Field(default_factory=list)
    addresses: list[IpAddress] = Field(default_factory=list)
    neighbours: list[Neighbour] = Field(
        default_factory=list, description="ARP and ND rows (IP-MIB ipNetToPhysicalTable, "
        "else ipNetToMediaTable)")
    probes: list[ProbeResult] = Field(default_factory=list)
    sources: dict[str, list[str]] = Field(
        default_factory=dict, description="device field -> the sources that reported it"
    )
    conflicts: list[FieldConflict] = Field(default_factory=list)
    security: list[SecurityFinding] = Field(default_factory=list)
    vlans: list[Vlan] = Field(default_factory=list, description="configured VLANs")
    pvids: dict[int, int] = Field(default_factory=dict, description="ifIndex -> untagged VLAN "
                                  "of the port (Q-BRIDGE dot1qPvid)")
    stp: SpanningTree | None = Field(default=None, description="spanning tree, when it runs")
    poe: PowerOverEthernet | None = Field(default=None, description="PoE power sources")
    health: DeviceHealth | None = Field(
        default=None, description="CPU, memory and environment sensors, when the agent has them")

    @property
    def fully_probed(self) -> bool:
        return self.reachable and all(
            p.status in (ProbeStatus.OK, ProbeStatus.UNSUPPORTED) for p in self.probes
        )
