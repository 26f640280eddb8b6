"""Pure parsers: CLI text -> infraaudit models. TextFSM (ntc-templates) where a template exists,
our own code where none fits (Linux ``ip -j``). Dispatch is a table, not built method names."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field

from infraaudit.models import AddressFamily, Duplex, IpAddress, Port, PortCounters
from probes.ssh.allowlist import resolve, table

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


def textfsm_rows(platform: str, command: str, text: str) -> Rows:
    from ntc_templates.parse import parse_output

    return list(parse_output(platform=platform, command=command, data=text))


# --- Cisco IOS ---------------------------------------------------------------------------------

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


def _first(value: object) -> str | None:
    if isinstance(value, list):
        return str(value[0]) if value else None
    return str(value) if value else None


def cisco_version(rows: Rows, facts: CliFacts) -> None:
    if not rows:
        return
    row = rows[0]
    facts.hostname = _first(row.get("hostname"))
    facts.os_version = _first(row.get("version"))
    facts.model = _first(row.get("hardware"))
    facts.serial = _first(row.get("serial"))
    facts.uptime_s = uptime_seconds(str(row.get("uptime", "")))


def _int(value: object) -> int | None:
    return int(str(value)) if str(value).isdigit() else None


def cisco_speed(speed: str) -> float | None:
    """'1000Mb/s', '10Gb/s' -> Mb/s. 'Auto-speed' (not negotiated yet) -> None: the BW line is
    the configured bandwidth, not the link speed, so it is not used."""
    match = re.search(r"(\d+)\s*([MG])b/s", speed)
    if match:
        return float(match.group(1)) * (1000 if match.group(2) == "G" else 1)
    return None


def cisco_duplex(text: str) -> Duplex | None:
    lowered = text.lower()
    if "full" in lowered:
        return Duplex.FULL
    if "half" in lowered:
        return Duplex.HALF
    return Duplex.UNKNOWN if lowered else None


def cisco_interfaces(rows: Rows, facts: CliFacts) -> None:
    for position, row in enumerate(rows, 1):
        link = str(row.get("link_status", ""))
        protocol = str(row.get("protocol_status", ""))
        name = str(row["interface"])
        port = Port(
            if_index=position,  # the CLI has no ifIndex: position; merging matches by name
            name=name,
            descr=name,
            alias=_first(row.get("description")),
            type="ethernetCsmacd" if "ether" in str(row.get("hardware_type", "")).lower()
            else None,
            admin_status="down" if "administratively" in link else "up",
            oper_status="up" if protocol.startswith("up") else "down",
            speed_mbps=cisco_speed(str(row.get("speed", ""))),
            duplex=cisco_duplex(str(row.get("duplex", ""))),
            mtu=_int(row.get("mtu")),
            mac=cisco_mac(str(row.get("mac_address", ""))),
            counters=PortCounters(
                in_ucast_pkts=_int(row.get("input_packets")),
                out_ucast_pkts=_int(row.get("output_packets")),
                in_errors=_int(row.get("input_errors")),
                out_errors=_int(row.get("output_errors")),
                fcs_errors=_int(row.get("crc")),
            ),
        )
        facts.ports.append(port)
        address = _first(row.get("ip_address"))
        if address:
            facts.addresses.append(IpAddress(
                address=address, family=AddressFamily.IPV4,
                prefix_length=_int(row.get("prefix_length")), if_index=position,
                source="CLI show interfaces",
            ))


# --- Linux -------------------------------------------------------------------------------------


def linux_hostname(text: str, facts: CliFacts) -> None:
    facts.hostname = text.strip().splitlines()[0] if text.strip() else None


def linux_uname(text: str, facts: CliFacts) -> None:
    parts = text.split()
    facts.os_version = f"{parts[0]} {parts[2]}" if len(parts) >= 3 else None


def _json(text: str) -> list[dict[str, object]]:
    start = text.find("[")
    data = json.loads(text[start:]) if start >= 0 else []
    return data if isinstance(data, list) else []


def linux_links(text: str, facts: CliFacts) -> None:
    for link in _json(text):
        flags = link.get("flags", [])
        assert isinstance(flags, list)
        facts.ports.append(Port(
            if_index=int(str(link["ifindex"])),
            name=str(link["ifname"]),
            descr=str(link["ifname"]),
            type="softwareLoopback" if link.get("link_type") == "loopback" else "ethernetCsmacd",
            admin_status="up" if "UP" in flags else "down",
            oper_status="up" if "LOWER_UP" in flags or link.get("operstate") == "UP"
            else "down",
            mtu=_int(link.get("mtu")),
            mac=str(link["address"]) if link.get("link_type") == "ether" else None,
        ))


def linux_addresses(text: str, facts: CliFacts) -> None:
    for link in _json(text):
        infos = link.get("addr_info", [])
        assert isinstance(infos, list)
        for info in infos:
            family = AddressFamily.IPV6 if info.get("family") == "inet6" else AddressFamily.IPV4
            scope = {"host": "loopback", "link": "link-local"}.get(str(info.get("scope")),
                                                                   "global")
            facts.addresses.append(IpAddress(
                address=str(info["local"]), family=family,
                prefix_length=_int(info.get("prefixlen")),
                if_index=_int(link.get("ifindex")), scope=scope,
                source="CLI ip -j addr",
            ))


# --- dispatch ----------------------------------------------------------------------------------

TextParser = Callable[[str, CliFacts], None]
RowParser = Callable[[Rows, CliFacts], None]

ROW_PARSERS: dict[tuple[str, str], RowParser] = {
    ("cisco_ios", "show version"): cisco_version,
    ("cisco_ios", "show interfaces"): cisco_interfaces,
}
OWN_PARSERS: dict[tuple[str, str], TextParser] = {
    ("linux", "hostname"): linux_hostname,
    ("linux", "uname -a"): linux_uname,
    ("linux", "ip -j link"): linux_links,
    ("linux", "ip -j addr"): linux_addresses,
}


def build_facts(platform: str, outputs: dict[str, str]) -> CliFacts:
    """Every command's output -> one CliFacts. Commands without a parser here are kept only as
    text (for the security checks) and ignored by this function."""
    facts = CliFacts(platform=platform)
    base = resolve(platform)
    for spec in table(platform).commands:
        text = outputs.get(spec.command)
        if text is None:
            continue
        key = (base, spec.command)
        if spec.parser == "textfsm" and key in ROW_PARSERS:
            ROW_PARSERS[key](textfsm_rows(base, spec.command, text), facts)
        elif spec.parser == "own" and key in OWN_PARSERS:
            OWN_PARSERS[key](text, facts)
    return facts
