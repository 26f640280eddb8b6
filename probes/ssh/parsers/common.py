"""What every CLI parser shares: the CliFacts model, value helpers, interface-name
matching (``ifname.py``), the TextFSM call."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from infraaudit.models import AddressFamily, Duplex, IpAddress, LldpNeighbour, Port
from infraaudit.probes.ssh.ifname import canonical_ifname

Rows = list[dict[str, object]]


class CliFacts(BaseModel):
    """What the CLI says about one device; merged with SNMP facts when the device is assembled."""

    model_config = ConfigDict(extra="forbid")

    platform: str
    hostname: str | None = None
    os_version: str | None = None
    model: str | None = None
    serial: str | None = None
    uptime_s: float | None = None
    ports: list[Port] = Field(default_factory=list)
    addresses: list[IpAddress] = Field(default_factory=list)
    # by interface name as the command printed it; attached to ports once all are parsed
    lldp: dict[str, list[LldpNeighbour]] = Field(default_factory=dict)
    mac_count: dict[str, int] = Field(default_factory=dict)
    ipv6: dict[str, list[str]] = Field(default_factory=dict)


def attach_to_ports(facts: CliFacts) -> None:
    """LLDP neighbours, MAC counts and IPv6 addresses found by name -> the ports they belong to."""
    by_name = {canonical_ifname(p.name): p for p in facts.ports if p.name}
    for name, neighbours in facts.lldp.items():
        if (port := by_name.get(canonical_ifname(name))) is not None:
            port.lldp_neighbours = list(neighbours)
    for name, count in facts.mac_count.items():
        if (port := by_name.get(canonical_ifname(name))) is not None:
            port.mac_count = count
    known = {a.address for a in facts.addresses}
    for name, addresses in facts.ipv6.items():
        port = by_name.get(canonical_ifname(name))
        for address in addresses:
            text = address.split("/")[0].lower()
            if text in known:
                continue
            prefix = address.split("/")[1] if "/" in address else None
            entry = IpAddress(address=text, family=AddressFamily.IPV6,
                              prefix_length=int(prefix) if prefix else None,
                              if_index=port.if_index if port else None,
                              scope="link-local" if text.startswith("fe80") else "global",
                              source="CLI ipv6 interface brief")
            facts.addresses.append(entry)
            if port is not None:
                port.addresses.append(entry)


NTC_PLATFORM = {"huawei": "huawei_vrp"}  # our (netmiko) name -> ntc-templates' name


def textfsm_rows(platform: str, command: str, text: str) -> Rows:
    from ntc_templates.parse import parse_output

    ntc = NTC_PLATFORM.get(platform, platform)
    return list(parse_output(platform=ntc, command=command, data=text))


_UNITS = {"years": 365 * 86400, "year": 365 * 86400, "weeks": 7 * 86400, "week": 7 * 86400,
          "days": 86400, "day": 86400, "hours": 3600, "hour": 3600, "minutes": 60, "minute": 60,
          "seconds": 1, "second": 1}


def uptime_seconds(text: str) -> float | None:
    """'2 years, 3 weeks, 1 day, 4 hours, 5 minutes' -> seconds."""
    found = re.findall(r"(\d+)\s+(years?|weeks?|days?|hours?|minutes?|seconds?)", text)
    return float(sum(int(n) * _UNITS[unit] for n, unit in found)) if found else None


def cisco_mac(dotted: str) -> str | None:
    digits = dotted.replace(".", "").lower()
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2)) if len(digits) == 12 else None


def first(value: object) -> str | None:
    if isinstance(value, list):
        return str(value[0]) if value else None
    return str(value) if value else None


def to_int(value: object) -> int | None:
    return int(str(value)) if str(value).isdigit() else None


def cisco_duplex(text: str) -> Duplex | None:
    lowered = text.lower()
    if "full" in lowered:
        return Duplex.FULL
    if "half" in lowered:
        return Duplex.HALF
    return Duplex.UNKNOWN if lowered else None


def huawei_mac(dashed: str) -> str | None:
    return cisco_mac(dashed.replace("-", "."))


def mask_to_prefix(mask: str) -> int | None:
    """'255.255.255.0' -> 24; anything that is not a contiguous netmask -> None."""
    try:
        bits = "".join(f"{int(octet):08b}" for octet in mask.split("."))
    except ValueError:
        return None
    if len(bits) != 32 or "01" in bits:
        return None
    return bits.count("1")


_LLDP_CAPABILITIES = {"bridge": "bridge", "router": "router",
                      "wlan-access-point": "wlanAccessPoint", "wlan-ap": "wlanAccessPoint",
                      "telephone": "telephone",
                      "repeater": "repeater", "station-only": "stationOnly", "other": "other",
                      "docsis-cable-device": "docsisCableDevice"}


def lldp_capabilities(text: str) -> list[str]:
    """'bridge, wlan-access-point' / 'bridge,wlan-ap,router' -> LLDP-MIB capability names."""
    words = [w.strip().lower() for w in re.split(r"[,\s]+", text) if w.strip()]
    return [_LLDP_CAPABILITIES.get(w, w) for w in words]
