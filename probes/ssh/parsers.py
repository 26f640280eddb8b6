"""Pure parsers: CLI text -> infraaudit models. TextFSM (ntc-templates) where a template exists,
our own code where none fits (Linux ``ip -j``). Dispatch is a table, not built method names."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field

from infraaudit.models import AddressFamily, Duplex, IpAddress, LldpNeighbour, Port, PortCounters
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
    # by interface name as the command printed it; attached to ports once all are parsed
    lldp: dict[str, list[LldpNeighbour]] = Field(default_factory=dict)
    mac_count: dict[str, int] = Field(default_factory=dict)
    ipv6: dict[str, list[str]] = Field(default_factory=dict)


# Interface name abbreviations as CLIs print them (longest first).
_ABBREVIATIONS = (
    ("hundredgige", "hundredgige"), ("hu", "hundredgige"),
    ("fortygigabitethernet", "fortygigabitethernet"), ("fo", "fortygigabitethernet"),
    ("twentyfivegige", "twentyfivegige"), ("twe", "twentyfivegige"),
    ("tengigabitethernet", "tengigabitethernet"), ("te", "tengigabitethernet"),
    ("gigabitethernet", "gigabitethernet"), ("gi", "gigabitethernet"), ("ge", "gigabitethernet"),
    ("fastethernet", "fastethernet"), ("fa", "fastethernet"),
    ("ethernet", "ethernet"), ("eth", "ethernet"), ("et", "ethernet"),
    ("port-channel", "port-channel"), ("po", "port-channel"),
    ("vlan", "vlan"), ("vl", "vlan"), ("loopback", "loopback"), ("lo", "loopback"),
)


def canonical_ifname(name: str) -> str:
    """'Gi0/1', 'GigabitEthernet0/1', 'gi 0/1' -> 'gigabitethernet0/1' (for matching only)."""
    compact = name.replace(" ", "").casefold()
    match = re.match(r"([a-z-]+)(.*)", compact)
    if not match:
        return compact
    prefix, rest = match.groups()
    for short, full in _ABBREVIATIONS:
        if prefix == short:
            return full + rest
    return compact


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


def cisco_lldp(rows: Rows, facts: CliFacts) -> None:
    for row in rows:
        raw_caps = re.split(r"[,\s]+", str(row.get("capabilities", "")))
        caps = [c.strip() for c in raw_caps if c.strip()]
        names = {"B": "bridge", "R": "router", "W": "wlanAccessPoint", "T": "telephone",
                 "S": "stationOnly", "P": "repeater", "O": "other", "C": "docsisCableDevice"}
        neighbour = LldpNeighbour(
            sys_name=_first(row.get("neighbor_name")),
            sys_descr=_first(row.get("neighbor_description")),
            chassis_id=_first(row.get("chassis_id")),
            port_id=_first(row.get("neighbor_port_id")),
            port_descr=_first(row.get("neighbor_interface")),
            capabilities=[names.get(c, c) for c in caps],
            mgmt_address=_first(row.get("mgmt_address")),
        )
        facts.lldp.setdefault(str(row.get("local_interface", "")), []).append(neighbour)


def cisco_cdp(rows: Rows, facts: CliFacts) -> None:
    names = {"Router": "router", "Switch": "bridge", "Host": "stationOnly", "Phone": "telephone",
             "Trans-Bridge": "bridge", "Source-Route-Bridge": "bridge", "Repeater": "repeater"}
    for row in rows:
        caps = [names[c] for c in str(row.get("capabilities", "")).split() if c in names]
        neighbour = LldpNeighbour(
            protocol="cdp",
            sys_name=_first(row.get("neighbor_name")),
            sys_descr=_first(row.get("neighbor_description")),
            port_id=_first(row.get("neighbor_interface")),
            capabilities=sorted(set(caps)),
            mgmt_address=_first(row.get("mgmt_address")),
        )
        facts.lldp.setdefault(str(row.get("local_interface", "")), []).append(neighbour)


def cisco_mac_table(rows: Rows, facts: CliFacts) -> None:
    seen: dict[str, set[str]] = {}
    for row in rows:
        if str(row.get("type", "")).upper() == "STATIC":
            continue  # the switch's own and configured entries, not learned
        ports = row.get("destination_port") or []
        for port in ports if isinstance(ports, list) else [ports]:
            seen.setdefault(str(port), set()).add(str(row.get("destination_address")))
    facts.mac_count = {port: len(macs) for port, macs in seen.items()}


def cisco_ipv6(rows: Rows, facts: CliFacts) -> None:
    for row in rows:
        addresses = row.get("ipv6_address") or []
        found = [str(a) for a in addresses if ":" in str(a)] if isinstance(addresses, list) else []
        if found:  # "unassigned" and friends are not addresses
            facts.ipv6[str(row["interface"])] = found


# --- Huawei VRP --------------------------------------------------------------------------------


def huawei_version(rows: Rows, facts: CliFacts) -> None:
    if not rows:
        return
    row = rows[0]
    facts.os_version = " ".join(x for x in (_first(row.get("vrp_version")),
                                            _first(row.get("product_version"))) if x) or None
    facts.model = _first(row.get("model"))
    facts.uptime_s = uptime_seconds(str(row.get("uptime", "")))


def huawei_mac(dashed: str) -> str | None:
    return cisco_mac(dashed.replace("-", "."))


def huawei_interfaces(rows: Rows, facts: CliFacts) -> None:
    for position, row in enumerate(rows, 1):
        link = str(row.get("link_status", "")).lower()
        speed = _int(row.get("speed"))
        facts.ports.append(Port(
            if_index=position,
            name=str(row["interface"]),
            descr=str(row["interface"]),
            alias=_first(row.get("interface_description")),
            admin_status="down" if "administratively" in link else "up",
            oper_status="up" if link.startswith("up") else "down",
            speed_mbps=float(speed) if speed is not None else None,
            duplex=cisco_duplex(str(row.get("duplex", ""))),
            mtu=_int(row.get("mtu")),
            mac=huawei_mac(str(row.get("mac_address", ""))),
            type="ethernetCsmacd" if "ethernet" in str(row["interface"]).lower() else None,
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
    ("cisco_ios", "show lldp neighbors detail"): cisco_lldp,
    ("cisco_ios", "show cdp neighbors detail"): cisco_cdp,
    ("cisco_ios", "show mac address-table"): cisco_mac_table,
    ("cisco_ios", "show ipv6 interface brief"): cisco_ipv6,
    ("huawei", "display version"): huawei_version,
    ("huawei", "display interface"): huawei_interfaces,
}
OWN_PARSERS: dict[tuple[str, str], TextParser] = {
    ("linux", "hostname"): linux_hostname,
    ("linux", "uname -a"): linux_uname,
    ("linux", "ip -j link"): linux_links,
    ("linux", "ip -j addr"): linux_addresses,
}


def build_facts(platform: str, outputs: dict[str, str],
                errors: dict[str, str] | None = None) -> CliFacts:
    """Every command's output -> one CliFacts. Commands without a parser here are kept only as
    text (for the security checks). A command whose output its parser cannot read is skipped
    and named in ``errors`` (command -> reason); the other commands' facts are kept."""
    facts = CliFacts(platform=platform)
    base = resolve(platform)
    for spec in table(platform).commands:
        text = outputs.get(spec.command)
        if text is None:
            continue
        key = (base, spec.command)
        try:
            if spec.parser == "textfsm" and key in ROW_PARSERS:
                ROW_PARSERS[key](textfsm_rows(base, spec.command, text), facts)
            elif spec.parser == "own" and key in OWN_PARSERS:
                OWN_PARSERS[key](text, facts)
        except Exception as exc:  # unexpected output: this command's facts are lost, not all
            if errors is not None:
                errors[spec.command] = f"cannot parse the output: {exc}"[:300]
    attach_to_ports(facts)
    return facts
